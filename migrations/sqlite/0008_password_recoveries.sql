-- 忘記帳號/密碼: one-time links sent by e-mail and one-time codes sent by SMS, with which a
-- user sets a new password without logging in. migrations/postgres/0008_password_recoveries.sql
-- describes the same schema.
CREATE TABLE password_recoveries (
    id            INTEGER PRIMARY KEY,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    user_id       BIGINT  NOT NULL REFERENCES users (id),
    -- 'email': a link carrying a random 128-bit token; 'sms': a 6-digit code.
    channel       TEXT    NOT NULL,
    -- SHA-256 of the token (e-mail), or of the user id and the code (SMS); never the secret.
    secret_hash   TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    -- Set when the secret was used to set a password, or when a later reset made it void.
    used_at       BIGINT,
    -- Wrong codes typed against this one; it stops working at 5.
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT password_recoveries_channel_check CHECK (channel IN ('email', 'sms')),
    CONSTRAINT password_recoveries_expiry_check CHECK (expires_at > created_at)
);
CREATE INDEX password_recoveries_secret_idx ON password_recoveries (secret_hash);
CREATE INDEX password_recoveries_user_idx ON password_recoveries (user_id, created_at);
