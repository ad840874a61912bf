-- Windows, per-student unlocks, the yearly selection (勾選), submission batches for the
-- central database, and the student data that central rosters are keyed by.
-- migrations/postgres/0003_windows_selection_submission.sql describes the same schema.

-- Student and teacher windows of a semester, as UTC milliseconds: the first and the last
-- millisecond inside. NULL bounds are open (rows created before windows existed).
ALTER TABLE semesters ADD COLUMN student_opens_at BIGINT;
ALTER TABLE semesters ADD COLUMN student_closes_at BIGINT;
ALTER TABLE semesters ADD COLUMN teacher_opens_at BIGINT;
ALTER TABLE semesters ADD COLUMN teacher_closes_at BIGINT;

-- The selection window of a school year. NULL opens_at means not announced yet: closed.
ALTER TABLE school_years ADD COLUMN selection_opens_at BIGINT;
ALTER TABLE school_years ADD COLUMN selection_closes_at BIGINT;

-- School setting: course outcomes a student may tick per school year (national default 6).
ALTER TABLE schools ADD COLUMN max_selections_per_year INTEGER NOT NULL DEFAULT 6;

-- 身分證字號, encrypted with AES-256-GCM (nonce and ciphertext, hex) under a key kept outside
-- the database, and its HMAC-SHA-256 (hex) under a second key, for lookups.
ALTER TABLE students ADD COLUMN national_id_enc TEXT;
ALTER TABLE students ADD COLUMN national_id_hash TEXT;
-- 出生日期, 'YYYY-MM-DD'.
ALTER TABLE students ADD COLUMN birth_date TEXT;
CREATE UNIQUE INDEX students_national_id_hash_key ON students (school_id, national_id_hash);

-- An administrator reopens one student's semester for a period, with a reason.
CREATE TABLE student_unlocks (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    student_id    BIGINT  NOT NULL REFERENCES students (user_id),
    semester_id   BIGINT  NOT NULL REFERENCES semesters (id),
    opens_at      BIGINT  NOT NULL,
    closes_at     BIGINT  NOT NULL,
    reason        TEXT    NOT NULL,
    created_by    BIGINT  NOT NULL REFERENCES users (id),
    created_at    BIGINT  NOT NULL,
    CONSTRAINT student_unlocks_period_check CHECK (opens_at <= closes_at),
    CONSTRAINT student_unlocks_reason_check CHECK (length(reason) > 0)
);
CREATE INDEX student_unlocks_student_idx ON student_unlocks (student_id, semester_id);

-- An outcome a student ticked for the central database. One row per outcome; the per-year
-- limit is enforced by the application under the student's row lock.
CREATE TABLE selections (
    outcome_id    BIGINT  NOT NULL PRIMARY KEY REFERENCES course_outcomes (id),
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    student_id    BIGINT  NOT NULL REFERENCES students (user_id),
    school_year_id BIGINT NOT NULL REFERENCES school_years (id),
    selected_at   BIGINT  NOT NULL
);
CREATE INDEX selections_student_idx ON selections (student_id, school_year_id);

-- A batch sent to the central database: a school year's ticked outcomes, frozen when the
-- submission staff close the selection. 名冊別 26 is the course-outcome roster.
CREATE TABLE central_submissions (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    school_year_id BIGINT NOT NULL REFERENCES school_years (id),
    roster_no     INTEGER NOT NULL,
    created_by    BIGINT  NOT NULL REFERENCES users (id),
    created_at    BIGINT  NOT NULL,
    row_count     INTEGER NOT NULL,
    CONSTRAINT central_submissions_roster_key UNIQUE (school_year_id, roster_no)
);

-- The rows of a batch, in roster order, with the files as they were at closing.
CREATE TABLE central_submission_rows (
    submission_id BIGINT  NOT NULL REFERENCES central_submissions (id),
    row_no        INTEGER NOT NULL,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    student_id    BIGINT  NOT NULL REFERENCES students (user_id),
    outcome_id    BIGINT  NOT NULL REFERENCES course_outcomes (id),
    review_id     BIGINT  NOT NULL REFERENCES outcome_reviews (id),
    document_file_id BIGINT REFERENCES stored_files (id),
    media_file_id BIGINT REFERENCES stored_files (id),
    CONSTRAINT central_submission_rows_pkey PRIMARY KEY (submission_id, row_no)
);
CREATE INDEX central_submission_rows_student_idx ON central_submission_rows (student_id);
