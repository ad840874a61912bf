-- 代理人, the decisions a delegate makes for a course teacher, and the role a session acts in.
-- migrations/postgres/0007_delegations_active_role.sql describes the same schema.

-- A 代理人: a teacher of the same school who certifies the outcomes of one course for its
-- course teacher from starts_on through ends_on. Named by the course teacher or an
-- administrator; naming and removal are in audit_events (entity 'course').
CREATE TABLE course_delegations (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    course_id     BIGINT  NOT NULL REFERENCES courses (id),
    delegate_id   BIGINT  NOT NULL REFERENCES users (id),
    -- First and last day of the period, inclusive, as 'YYYY-MM-DD' in Asia/Taipei.
    starts_on     TEXT    NOT NULL,
    ends_on       TEXT    NOT NULL,
    created_by    BIGINT  NOT NULL REFERENCES users (id),
    created_at    BIGINT  NOT NULL,
    CONSTRAINT course_delegations_dates_check CHECK (starts_on <= ends_on)
);
CREATE INDEX course_delegations_course_idx ON course_delegations (course_id, starts_on);
CREATE INDEX course_delegations_delegate_idx ON course_delegations (delegate_id, ends_on);

-- The course teacher for whom a delegate decided; NULL when the course teacher decided.
ALTER TABLE outcome_reviews ADD COLUMN on_behalf_of BIGINT REFERENCES users (id);
-- The same for an audited step, such as a delegate's decision or publication.
ALTER TABLE audit_events ADD COLUMN on_behalf_of BIGINT REFERENCES users (id);

-- The role whose pages and rights a session uses, one of user_roles.role of its user; NULL
-- means the user's first role in the order student, teacher, admin, submission_staff,
-- homeroom_teacher, counsellor.
ALTER TABLE sessions ADD COLUMN active_role TEXT;
