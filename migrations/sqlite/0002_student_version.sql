-- The student's concurrency token. It changes with the student's own edits and with
-- publication, but not with a certifier's unpublished decision, so that nothing of such a
-- decision (not even that one was made) reaches the student. `version` still changes with
-- every write and is the certifier's token.
ALTER TABLE course_outcomes ADD COLUMN student_version BIGINT NOT NULL DEFAULT 1;
