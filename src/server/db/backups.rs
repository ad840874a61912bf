//! Rows of backups and restore drills.

use sqlx::{AnyPool, Row};

use crate::domain::calendar::UtcMillis;
use crate::domain::ids::UserId;
use crate::domain::views::{BackupKind, BackupOutcome, BackupRun};

fn kind_text(kind: BackupKind) -> &'static str {
    match kind {
        BackupKind::Backup => "backup",
        BackupKind::Drill => "drill",
    }
}

fn outcome_text(outcome: BackupOutcome) -> &'static str {
    match outcome {
        BackupOutcome::Running => "running",
        BackupOutcome::Succeeded => "succeeded",
        BackupOutcome::Failed => "failed",
    }
}

/// Records a run that starts now and returns its id.
pub async fn start(
    pool: &AnyPool,
    kind: BackupKind,
    by: Option<UserId>,
    now: UtcMillis,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO backup_runs (kind, started_at, outcome, started_by) \
         VALUES ($1, $2, 'running', $3) RETURNING id",
    )
    .bind(kind_text(kind))
    .bind(now.0)
    .bind(by.map(|user| user.0))
    .fetch_one(pool)
    .await
}

/// The result that a finished run records.
pub struct Finished<'a> {
    pub outcome: BackupOutcome,
    pub location: Option<&'a str>,
    pub files: Option<u64>,
    pub bytes: Option<u64>,
    pub detail: Option<&'a str>,
}

pub async fn finish(
    pool: &AnyPool,
    id: i64,
    finished: &Finished<'_>,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE backup_runs SET finished_at = $1, outcome = $2, location = $3, \
         object_count = $4, byte_count = $5, detail = $6 WHERE id = $7",
    )
    .bind(now.0)
    .bind(outcome_text(finished.outcome))
    .bind(finished.location)
    .bind(finished.files.map(|n| n as i64))
    .bind(finished.bytes.map(|n| n as i64))
    .bind(finished.detail)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Marks runs left 'running' by a process that stopped as failed; returns how many.
pub async fn fail_abandoned(pool: &AnyPool, now: UtcMillis) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE backup_runs SET outcome = 'failed', finished_at = $1, \
         detail = 'interrupted: the server stopped while it ran' WHERE outcome = 'running'",
    )
    .bind(now.0)
    .execute(pool)
    .await?;
    Ok(result.rows_affected())
}

/// Returns the latest run of a kind, and with `succeeded` only a successful one.
pub async fn latest(
    pool: &AnyPool,
    kind: BackupKind,
    succeeded: bool,
) -> Result<Option<BackupRun>, sqlx::Error> {
    let sql = if succeeded {
        "SELECT * FROM backup_runs WHERE kind = $1 AND outcome = 'succeeded' ORDER BY id DESC LIMIT 1"
    } else {
        "SELECT * FROM backup_runs WHERE kind = $1 ORDER BY id DESC LIMIT 1"
    };
    let row = sqlx::query(sql)
        .bind(kind_text(kind))
        .fetch_optional(pool)
        .await?;
    row.map(|row| {
        let outcome: String = row.try_get("outcome")?;
        let outcome = match outcome.as_str() {
            "running" => BackupOutcome::Running,
            "succeeded" => BackupOutcome::Succeeded,
            _ => BackupOutcome::Failed,
        };
        let location: Option<String> = row.try_get("location")?;
        Ok(BackupRun {
            kind,
            started_at: UtcMillis(row.try_get("started_at")?),
            finished_at: row.try_get::<Option<i64>, _>("finished_at")?.map(UtcMillis),
            outcome,
            name: location.map(|path| {
                std::path::Path::new(&path)
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or(path)
            }),
            files: row
                .try_get::<Option<i64>, _>("object_count")?
                .map(|n| n.max(0) as u64),
            bytes: row
                .try_get::<Option<i64>, _>("byte_count")?
                .map(|n| n.max(0) as u64),
            detail: row.try_get("detail")?,
        })
    })
    .transpose()
}
