-- Backups and restore drills of the deployment, so that administrators can see the last of
-- each. migrations/postgres/0004_backup_runs.sql describes the same schema.
CREATE TABLE backup_runs (
    id            INTEGER PRIMARY KEY,
    -- 'backup' or 'drill' (a backup restored into a scratch directory and checked).
    kind          TEXT    NOT NULL CHECK (kind IN ('backup', 'drill')),
    started_at    BIGINT  NOT NULL,
    finished_at   BIGINT,
    -- 'running', 'succeeded' or 'failed'. A row left 'running' by a stopped process is
    -- marked failed at the next start.
    outcome       TEXT    NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed')),
    -- The administrator who asked for it; NULL for scheduled runs and the command line.
    started_by    BIGINT  REFERENCES users (id),
    -- The backup directory written or restored.
    location      TEXT,
    object_count  BIGINT,
    byte_count    BIGINT,
    -- Why it failed, for administrators.
    detail        TEXT
);
CREATE INDEX backup_runs_kind_started ON backup_runs (kind, started_at);
