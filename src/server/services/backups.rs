//! Backups run inside the server: on a schedule (a setting) or when an administrator requests one.
//! Each backup is followed by a restore drill of it, and both are recorded for the
//! administrator's backup page. One run at a time per process.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::domain::AppError;
use crate::domain::calendar::UtcMillis;
use crate::domain::ids::UserId;
use crate::domain::role::Role;
use crate::domain::views::{BackupKind, BackupOutcome, BackupRun, BackupStatus};
use crate::server::auth::CurrentUser;
use crate::server::backup::{self, Progress};
use crate::server::db::{self, Backend};
use crate::server::error::OrInternal;
use crate::server::state::AppState;

/// How long after start the first scheduled backup waits when one is due, so that a restart
/// does not compete with the first requests.
const FIRST_RUN_DELAY: Duration = Duration::from_secs(5 * 60);

/// The backup work of this process.
#[derive(Debug, Default)]
pub struct BackupJobs {
    lock: Arc<Mutex<()>>,
    current: std::sync::Mutex<Option<BackupRun>>,
    progress: Progress,
    /// When the next scheduled backup starts, in UTC milliseconds; 0 when none is planned.
    next_at: AtomicI64,
}

impl BackupJobs {
    fn set_current(&self, run: Option<BackupRun>) {
        if let Ok(mut current) = self.current.lock() {
            *current = run;
        }
    }

    fn current(&self) -> Option<BackupRun> {
        self.current.lock().ok().and_then(|current| current.clone())
    }
}

/// Returns the backup page of an administrator.
// NOTE: backups cover the whole deployment, not one school, so any school's administrator
// sees and starts them. That fits one school per server; a city deployment needs an operator
// role for this page.
pub async fn status(state: &AppState, user: &CurrentUser) -> Result<BackupStatus, AppError> {
    user.require(Role::Admin)?;
    let pool = &state.db.pool;
    let last_backup = db::backups::latest(pool, BackupKind::Backup, false)
        .await
        .or_internal("reading the last backup")?;
    let last_drill = db::backups::latest(pool, BackupKind::Drill, false)
        .await
        .or_internal("reading the last restore drill")?;
    let jobs = &state.backups;
    let running = jobs.current().map(|run| {
        let (done, total) = jobs.progress.get();
        (run, done, total)
    });
    let next_at = jobs.next_at.load(Ordering::Relaxed);
    Ok(BackupStatus {
        available: state.db.backend == Backend::Sqlite,
        every_hours: state.settings.backup_every_hours,
        keep: state.settings.backup_keep,
        next_at: (next_at > 0).then_some(UtcMillis(next_at)),
        // A running row is shown as the run in progress, so "last" means the one before.
        last_backup: last_backup
            .filter(|run| run.outcome != BackupOutcome::Running || running.is_none()),
        last_drill: last_drill
            .filter(|run| run.outcome != BackupOutcome::Running || running.is_none()),
        running,
    })
}

/// Starts a backup and its restore drill in the background for an administrator; fails at
/// once when one is running.
pub async fn start(state: &AppState, user: &CurrentUser) -> Result<(), AppError> {
    user.require(Role::Admin)?;
    if state.db.backend != Backend::Sqlite {
        return Err(AppError::BackupUnavailable);
    }
    let guard = state
        .backups
        .lock
        .clone()
        .try_lock_owned()
        .map_err(|_| AppError::BackupRunning)?;
    let state = state.clone();
    let by = user.user_id;
    tracing::info!(user = by.0, "backup requested");
    tokio::spawn(async move {
        let dir = state.settings.backup_dir();
        run_cycle(&state, &dir, Some(by), guard).await;
    });
    Ok(())
}

/// Runs a backup into a new directory under `dir` and, when it succeeded, a restore drill of
/// it; records both. Returns whether both succeeded.
pub async fn run_now(state: &AppState, dir: &std::path::Path) -> bool {
    let guard = state.backups.lock.clone().lock_owned().await;
    run_cycle(state, dir, None, guard).await
}

async fn run_cycle(
    state: &AppState,
    dir: &std::path::Path,
    by: Option<UserId>,
    _guard: OwnedMutexGuard<()>,
) -> bool {
    let jobs = &state.backups;

    let started = state.clock.now();
    let Some(id) = record_start(state, BackupKind::Backup, by, started).await else {
        return false;
    };
    let result = backup::create(
        &state.db,
        state.storage.as_ref(),
        dir,
        started,
        &jobs.progress,
    )
    .await;
    jobs.set_current(None);
    let created = match result {
        Ok(summary) => {
            let location = summary.path.display().to_string();
            tracing::info!(path = %location, files = summary.objects, bytes = summary.bytes, "backup written");
            record_finish(
                state,
                id,
                &db::backups::Finished {
                    outcome: BackupOutcome::Succeeded,
                    location: Some(&location),
                    files: Some(summary.objects as u64),
                    bytes: Some(summary.bytes),
                    detail: None,
                },
            )
            .await;
            summary
        }
        Err(error) => {
            tracing::error!(%error, run = id, "backup failed");
            let detail = error.to_string();
            record_finish(
                state,
                id,
                &db::backups::Finished {
                    outcome: BackupOutcome::Failed,
                    location: None,
                    files: None,
                    bytes: None,
                    detail: Some(&detail),
                },
            )
            .await;
            return false;
        }
    };
    match backup::prune(dir, state.settings.backup_keep as usize).await {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, "deleted old backups"),
        Err(error) => tracing::warn!(%error, "could not delete old backups"),
    }

    let Some(id) = record_start(state, BackupKind::Drill, by, state.clock.now()).await else {
        return false;
    };
    let result = backup::drill(&created.path, dir, &jobs.progress).await;
    jobs.set_current(None);
    let location = created.path.display().to_string();
    match result {
        Ok(summary) => {
            tracing::info!(path = %location, files = summary.objects, "restore drill passed");
            record_finish(
                state,
                id,
                &db::backups::Finished {
                    outcome: BackupOutcome::Succeeded,
                    location: Some(&location),
                    files: Some(summary.objects as u64),
                    bytes: None,
                    detail: None,
                },
            )
            .await;
            true
        }
        Err(error) => {
            tracing::error!(%error, path = %location, run = id, "restore drill failed");
            let detail = error.to_string();
            record_finish(
                state,
                id,
                &db::backups::Finished {
                    outcome: BackupOutcome::Failed,
                    location: Some(&location),
                    files: None,
                    bytes: None,
                    detail: Some(&detail),
                },
            )
            .await;
            false
        }
    }
}

/// Records the start of a run and shows it as the current one; `None` when the row cannot be
/// written (logged).
async fn record_start(
    state: &AppState,
    kind: BackupKind,
    by: Option<UserId>,
    now: UtcMillis,
) -> Option<i64> {
    state.backups.progress.start(0);
    match db::backups::start(&state.db.pool, kind, by, now).await {
        Ok(id) => {
            state.backups.set_current(Some(BackupRun {
                kind,
                started_at: now,
                finished_at: None,
                outcome: BackupOutcome::Running,
                name: None,
                files: None,
                bytes: None,
                detail: None,
            }));
            Some(id)
        }
        Err(error) => {
            tracing::error!(%error, ?kind, "could not record the start of a backup run");
            None
        }
    }
}

async fn record_finish(state: &AppState, id: i64, finished: &db::backups::Finished<'_>) {
    if let Err(error) = db::backups::finish(&state.db.pool, id, finished, state.clock.now()).await {
        tracing::error!(%error, run = id, "could not record the end of a backup run");
    }
}

/// Marks runs that a stopped process left running as failed, then runs a backup and a drill
/// every `--backup-every-hours` hours. The next run is due one interval after the last
/// successful backup, and at least a few minutes after start.
pub fn spawn_scheduler(state: AppState) {
    tokio::spawn(async move {
        match db::backups::fail_abandoned(&state.db.pool, state.clock.now()).await {
            Ok(0) => {}
            Ok(count) => {
                tracing::warn!(count, "marked backup runs interrupted by a stop as failed")
            }
            Err(error) => tracing::warn!(%error, "could not mark interrupted backup runs"),
        }
        let hours = state.settings.backup_every_hours;
        if hours == 0 || state.db.backend != Backend::Sqlite {
            tracing::info!("scheduled backups are off");
            return;
        }
        let interval = hours.saturating_mul(3_600_000) as i64;
        loop {
            let now = UtcMillis::now();
            let last = db::backups::latest(&state.db.pool, BackupKind::Backup, true)
                .await
                .ok()
                .flatten()
                .map(|run| run.started_at.0);
            let earliest = now.0 + FIRST_RUN_DELAY.as_millis() as i64;
            let next = last.map_or(earliest, |last| (last + interval).max(earliest));
            state.backups.next_at.store(next, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis((next - now.0).max(0) as u64)).await;
            // An administrator may have backed up meanwhile, which moves the next run.
            let latest = db::backups::latest(&state.db.pool, BackupKind::Backup, true)
                .await
                .ok()
                .flatten()
                .map(|run| run.started_at.0);
            if latest.is_some_and(|latest| latest + interval > UtcMillis::now().0) {
                continue;
            }
            state.backups.next_at.store(0, Ordering::Relaxed);
            if !run_now(&state, &state.settings.backup_dir()).await {
                // Try again after a shorter pause rather than a whole interval.
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
        }
    });
}
