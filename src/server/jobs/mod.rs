//! Background work of the server process.

use std::time::Duration;

use crate::domain::calendar::UtcMillis;
use crate::server::db;
use crate::server::state::AppState;

/// How often expired sessions are deleted.
const SESSION_SWEEP_INTERVAL: Duration = Duration::from_secs(30 * 60);

/// Deletes expired and idle sessions every half hour, so the table holds only usable ones.
/// Lookups already ignore expired rows; this only keeps the table small.
pub fn spawn_session_sweeper(state: AppState) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(SESSION_SWEEP_INTERVAL);
        loop {
            interval.tick().await;
            let now = UtcMillis::now();
            let policy = state.session_policy();
            match db::sessions::delete_expired(&state.db.pool, now, policy.idle_cutoff(now)).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "deleted expired sessions"),
                Err(error) => {
                    tracing::warn!(%error, "could not delete expired sessions; retrying in 30 minutes")
                }
            }
            match crate::server::auth::throttle::sweep(&state.db.pool, now).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "deleted old login failure counts"),
                Err(error) => tracing::warn!(%error, "could not delete old login failure counts"),
            }
            match db::recoveries::sweep(&state.db.pool, now).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "deleted ended password recoveries"),
                Err(error) => tracing::warn!(%error, "could not delete ended password recoveries"),
            }
        }
    });
}
