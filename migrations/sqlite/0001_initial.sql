-- Licheng schema, SQLite dialect. migrations/postgres/0001_initial.sql describes the same
-- schema for PostgreSQL; keep the two in step.
--
-- Portable types for sqlx's Any driver: ids and counts BIGINT/INTEGER (read as i64), times
-- BIGINT = UTC milliseconds, flags INTEGER 0/1, text TEXT, calendar dates TEXT 'YYYY-MM-DD'
-- in Asia/Taipei. Constraints are named so errors can be mapped to messages.
-- Every table that belongs to a school carries school_id, and every query filters by it.

-- A school: the tenant.
CREATE TABLE schools (
    id            INTEGER PRIMARY KEY,
    -- 學校代碼 of the Ministry of Education (six characters); prefixes roster file names.
    code          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    -- School setting: how many outcomes a student may upload per semester; NULL = no limit.
    max_outcomes_per_semester INTEGER,
    created_at    BIGINT  NOT NULL,
    CONSTRAINT schools_code_key UNIQUE (code),
    CONSTRAINT schools_max_outcomes_check CHECK (max_outcomes_per_semester IS NULL OR max_outcomes_per_semester > 0)
);

-- A 學年度 of a school, in ROC years (113 = Aug 2024 – Jul 2025).
CREATE TABLE school_years (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    school_year   INTEGER NOT NULL,
    CONSTRAINT school_years_year_key UNIQUE (school_id, school_year)
);

-- A 學期 of a school year.
CREATE TABLE semesters (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    school_year_id BIGINT NOT NULL REFERENCES school_years (id),
    -- Copied from school_years so that the semester code needs no join.
    school_year   INTEGER NOT NULL,
    semester      INTEGER NOT NULL,
    starts_on     TEXT    NOT NULL,
    ends_on       TEXT    NOT NULL,
    -- 休業式: the student window stays open at least two weeks after it.
    closing_day   TEXT,
    -- The semester whose courses students upload to now: a school setting, not the date,
    -- because a school may keep a semester open past its calendar end.
    is_current    INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT semesters_semester_check CHECK (semester IN (1, 2)),
    CONSTRAINT semesters_dates_check CHECK (starts_on <= ends_on),
    CONSTRAINT semesters_is_current_check CHECK (is_current IN (0, 1)),
    CONSTRAINT semesters_code_key UNIQUE (school_id, school_year, semester)
);
-- At most one current semester per school.
CREATE UNIQUE INDEX semesters_one_current_key ON semesters (school_id) WHERE is_current = 1;

-- A login account: a student or a staff member. Roles are in user_roles.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    -- Unique within the school; a later migration adds the school's login rule.
    login         TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    -- Argon2id PHC string; NULL means the account cannot log in with a password.
    password_hash TEXT,
    -- Set for an initial or reset credential: the next login must change it.
    must_change_password INTEGER NOT NULL DEFAULT 0,
    is_active     INTEGER NOT NULL DEFAULT 1,
    email         TEXT,
    phone         TEXT,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    CONSTRAINT users_login_key UNIQUE (school_id, login),
    CONSTRAINT users_must_change_password_check CHECK (must_change_password IN (0, 1)),
    CONSTRAINT users_is_active_check CHECK (is_active IN (0, 1))
);

-- The roles a user holds; one person may hold several.
CREATE TABLE user_roles (
    user_id       BIGINT  NOT NULL REFERENCES users (id),
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    role          TEXT    NOT NULL,
    CONSTRAINT user_roles_pkey PRIMARY KEY (user_id, role),
    CONSTRAINT user_roles_role_check CHECK (role IN
        ('student', 'teacher', 'homeroom_teacher', 'counsellor', 'submission_staff', 'admin'))
);

-- A student's school record.
CREATE TABLE students (
    user_id       BIGINT  NOT NULL PRIMARY KEY REFERENCES users (id),
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    -- 學號
    student_no    TEXT    NOT NULL,
    CONSTRAINT students_student_no_key UNIQUE (school_id, student_no)
);

-- A staff member's school record.
CREATE TABLE staff (
    user_id       BIGINT  NOT NULL PRIMARY KEY REFERENCES users (id),
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    -- 教職員編號
    staff_no      TEXT    NOT NULL,
    CONSTRAINT staff_staff_no_key UNIQUE (school_id, staff_no)
);

-- A 班級 of one school year, such as 101.
CREATE TABLE homerooms (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    school_year_id BIGINT NOT NULL REFERENCES school_years (id),
    -- 10, 11 or 12 (高一 to 高三).
    grade         INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    -- 導師
    homeroom_teacher_id BIGINT REFERENCES users (id),
    CONSTRAINT homerooms_grade_check CHECK (grade BETWEEN 10 AND 12),
    CONSTRAINT homerooms_name_key UNIQUE (school_year_id, name)
);

-- Which homeroom and 座號 a student has in a school year. Records hang off the student, not
-- the homeroom, so a student who changes homeroom keeps them.
CREATE TABLE homeroom_members (
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    school_year_id BIGINT NOT NULL REFERENCES school_years (id),
    student_id    BIGINT  NOT NULL REFERENCES students (user_id),
    homeroom_id   BIGINT  NOT NULL REFERENCES homerooms (id),
    seat_no       INTEGER NOT NULL,
    CONSTRAINT homeroom_members_pkey PRIMARY KEY (student_id, school_year_id),
    CONSTRAINT homeroom_members_seat_key UNIQUE (homeroom_id, seat_no),
    CONSTRAINT homeroom_members_seat_no_check CHECK (seat_no > 0)
);

-- A 科目 such as 數學A.
CREATE TABLE subjects (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    name          TEXT    NOT NULL,
    CONSTRAINT subjects_name_key UNIQUE (school_id, name)
);

-- A course (開課): one subject taught to a group in one semester by one course teacher.
CREATE TABLE courses (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    semester_id   BIGINT  NOT NULL REFERENCES semesters (id),
    subject_id    BIGINT  NOT NULL REFERENCES subjects (id),
    -- 任課教師: certifies the outcomes of this course.
    teacher_id    BIGINT  NOT NULL REFERENCES users (id),
    -- The group taught, such as 101 or 高二自然組; shown beside the subject.
    group_name    TEXT    NOT NULL,
    -- 學分/時數
    credits       INTEGER NOT NULL,
    created_at    BIGINT  NOT NULL,
    CONSTRAINT courses_credits_check CHECK (credits BETWEEN 0 AND 30),
    CONSTRAINT courses_group_key UNIQUE (semester_id, subject_id, group_name)
);
CREATE INDEX courses_teacher_idx ON courses (teacher_id, semester_id);

-- The students who take a course.
CREATE TABLE course_enrollments (
    course_id     BIGINT  NOT NULL REFERENCES courses (id),
    student_id    BIGINT  NOT NULL REFERENCES students (user_id),
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    CONSTRAINT course_enrollments_pkey PRIMARY KEY (course_id, student_id)
);
CREATE INDEX course_enrollments_student_idx ON course_enrollments (student_id);

-- An uploaded file as its uploader sent it. The bytes live once in the content-addressed
-- store under their SHA-256; the row is written only after they are durable there.
CREATE TABLE stored_files (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    -- Lower-case hex SHA-256 of the content: the store's key.
    sha256        TEXT    NOT NULL,
    byte_size     BIGINT  NOT NULL,
    -- Decided from the content, never from the name.
    media_type    TEXT    NOT NULL,
    -- The name as the uploader's device had it, cleaned of directories and control characters.
    original_name TEXT    NOT NULL,
    uploaded_by   BIGINT  NOT NULL REFERENCES users (id),
    created_at    BIGINT  NOT NULL,
    CONSTRAINT stored_files_sha256_check CHECK (length(sha256) = 64),
    CONSTRAINT stored_files_byte_size_check CHECK (byte_size > 0)
);
CREATE INDEX stored_files_sha256_idx ON stored_files (sha256);

-- A 課程學習成果. Status: draft → pending → passed | failed (see domain::outcome).
-- A decision made but not yet published lives on the current review, not here.
CREATE TABLE course_outcomes (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    student_id    BIGINT  NOT NULL REFERENCES students (user_id),
    course_id     BIGINT  NOT NULL REFERENCES courses (id),
    status        TEXT    NOT NULL,
    -- 簡述, at most 100 characters (checked by the application).
    summary       TEXT    NOT NULL,
    document_file_id BIGINT REFERENCES stored_files (id),
    media_file_id BIGINT REFERENCES stored_files (id),
    -- The review round under way or last published; NULL until the first 送出認證.
    current_review_id BIGINT REFERENCES outcome_reviews (id),
    -- Incremented by every change; a write that names an older version is refused (conflict).
    version       BIGINT  NOT NULL DEFAULT 1,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    -- Set when the student deletes it; deleted outcomes stay for the audit trail.
    deleted_at    BIGINT,
    CONSTRAINT course_outcomes_status_check CHECK (status IN ('draft', 'pending', 'passed', 'failed')),
    CONSTRAINT course_outcomes_summary_check CHECK (length(summary) > 0),
    CONSTRAINT course_outcomes_has_file_check CHECK (document_file_id IS NOT NULL OR media_file_id IS NOT NULL),
    CONSTRAINT course_outcomes_review_check CHECK (status = 'draft' OR current_review_id IS NOT NULL)
);
CREATE INDEX course_outcomes_student_idx ON course_outcomes (student_id, course_id);
CREATE INDEX course_outcomes_course_idx ON course_outcomes (course_id, status);

-- One round of certification: opened by 送出認證 with a copy of what was submitted, decided
-- (and redecided) by the certifier, closed by 發佈. Earlier rounds stay as the history.
CREATE TABLE outcome_reviews (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    outcome_id    BIGINT  NOT NULL REFERENCES course_outcomes (id),
    -- 1 for the first submission, 2 for the first resubmission, …
    round         INTEGER NOT NULL,
    summary       TEXT    NOT NULL,
    document_file_id BIGINT REFERENCES stored_files (id),
    media_file_id BIGINT REFERENCES stored_files (id),
    submitted_by  BIGINT  NOT NULL REFERENCES users (id),
    submitted_at  BIGINT  NOT NULL,
    -- The current decision; never shown to the student before published_at is set.
    verdict       TEXT,
    reason        TEXT,
    -- 認證教師: who decided (the course teacher or a delegate).
    certifier_id  BIGINT REFERENCES users (id),
    decided_at    BIGINT,
    published_by  BIGINT REFERENCES users (id),
    published_at  BIGINT,
    CONSTRAINT outcome_reviews_round_key UNIQUE (outcome_id, round),
    CONSTRAINT outcome_reviews_verdict_check CHECK (verdict IS NULL OR verdict IN ('passed', 'failed')),
    CONSTRAINT outcome_reviews_reason_check CHECK (verdict IS NULL OR verdict = 'passed' OR length(reason) > 0),
    CONSTRAINT outcome_reviews_decided_check CHECK ((verdict IS NULL) = (decided_at IS NULL)),
    CONSTRAINT outcome_reviews_published_check CHECK (published_at IS NULL OR verdict IS NOT NULL)
);
CREATE INDEX outcome_reviews_outcome_idx ON outcome_reviews (outcome_id);

-- The red bubble. Written in the same transaction as the publish that causes it, exactly one
-- per published review; its text is rendered from the review when shown.
CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    user_id       BIGINT  NOT NULL REFERENCES users (id),
    kind          TEXT    NOT NULL,
    outcome_id    BIGINT  REFERENCES course_outcomes (id),
    review_id     BIGINT  REFERENCES outcome_reviews (id),
    created_at    BIGINT  NOT NULL,
    read_at       BIGINT,
    CONSTRAINT notifications_kind_check CHECK (kind IN ('outcome_published')),
    CONSTRAINT notifications_review_kind_key UNIQUE (review_id, kind)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, read_at);

-- Who changed what, when, from which value to which, and why. Written in the same
-- transaction as the change.
CREATE TABLE audit_events (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    -- NULL for the system itself (demo set-up, jobs).
    actor_id      BIGINT  REFERENCES users (id),
    occurred_at   BIGINT  NOT NULL,
    -- What changed: 'course_outcome', 'session', …
    entity        TEXT    NOT NULL,
    entity_id     BIGINT  NOT NULL,
    -- The step, such as 'submit', 'decide', 'publish', 'login'.
    action        TEXT    NOT NULL,
    old_value     TEXT,
    new_value     TEXT,
    reason        TEXT
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity, entity_id);
CREATE INDEX audit_events_school_time_idx ON audit_events (school_id, occurred_at);

-- A login session. The cookie holds a random 128-bit token; only its SHA-256 is stored.
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT    NOT NULL,
    user_id       BIGINT  NOT NULL REFERENCES users (id),
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    created_at    BIGINT  NOT NULL,
    last_seen_at  BIGINT  NOT NULL,
    -- The absolute timeout; the idle timeout is checked against last_seen_at.
    expires_at    BIGINT  NOT NULL,
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
