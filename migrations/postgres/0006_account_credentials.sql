-- How a school names accounts and hands out first passwords, and when a first password stops
-- working. migrations/sqlite/0006_account_credentials.sql describes the same schema.

-- 'student_number': students log in with the 學號 and staff with the staff number, and each
-- account gets a random one-time code printed on an account slip.
-- 'national_id': students log in with login_prefix plus the 9 digits of the national ID, and
-- the first password is the ID's last 6 digits.
ALTER TABLE schools ADD COLUMN login_rule TEXT NOT NULL DEFAULT 'student_number'
    CONSTRAINT schools_login_rule_check CHECK (login_rule IN ('student_number', 'national_id'));
ALTER TABLE schools ADD COLUMN login_prefix TEXT NOT NULL DEFAULT '';
-- Days after which an unused first password (code or ID digits) stops working.
ALTER TABLE schools ADD COLUMN initial_credential_days INTEGER NOT NULL DEFAULT 14
    CONSTRAINT schools_initial_credential_days_check CHECK (initial_credential_days BETWEEN 1 AND 365);

-- When the account's first password stops working; NULL once the user has chosen one.
ALTER TABLE users ADD COLUMN initial_credential_expires_at BIGINT;
