-- Failed logins, counted in the database so that every node of a deployment sees the same
-- counts. migrations/postgres/0005_login_throttles.sql describes the same schema.
CREATE TABLE login_throttles (
    -- What is counted: 'account:{school_id}:{login}' for a login name on unknown devices,
    -- 'device:{school_id}:{login}:{device}' for a device that logged in to it before, and
    -- 'ip:{address}' for a client address.
    throttle_key  TEXT    NOT NULL,
    -- Failures since the last success (accounts, devices) or in the current window (addresses).
    failures      INTEGER NOT NULL,
    -- When the first counted failure happened.
    first_failed_at BIGINT NOT NULL,
    -- Attempts before this time are refused without checking the password.
    blocked_until BIGINT  NOT NULL,
    CONSTRAINT login_throttles_pkey PRIMARY KEY (throttle_key),
    CONSTRAINT login_throttles_failures_check CHECK (failures > 0)
);

-- Browsers that logged in to an account: a failure storm on the account name does not delay
-- them. Only the SHA-256 of the cookie's token is stored.
CREATE TABLE known_devices (
    token_hash    TEXT    NOT NULL,
    school_id     BIGINT  NOT NULL REFERENCES schools (id),
    user_id       BIGINT  NOT NULL REFERENCES users (id),
    created_at    BIGINT  NOT NULL,
    last_login_at BIGINT  NOT NULL,
    CONSTRAINT known_devices_pkey PRIMARY KEY (token_hash)
);
CREATE INDEX known_devices_user_idx ON known_devices (user_id);
