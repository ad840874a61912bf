//! Reading and clearing the red bubble.

use crate::domain::AppError;
use crate::domain::views::NotificationItem;
use crate::server::auth::CurrentUser;
use crate::server::db;
use crate::server::error::OrInternal;
use crate::server::state::AppState;

/// How many notifications the list shows.
const LIST_LIMIT: i64 = 100;

pub async fn list(state: &AppState, user: &CurrentUser) -> Result<Vec<NotificationItem>, AppError> {
    db::notifications::list(&state.db.pool, user.school_id, user.user_id, LIST_LIMIT)
        .await
        .or_internal("listing notifications")
}

pub async fn unread_count(state: &AppState, user: &CurrentUser) -> Result<u64, AppError> {
    db::notifications::unread_count(&state.db.pool, user.school_id, user.user_id)
        .await
        .or_internal("counting notifications")
}

/// Marks every notification of the user read and clears the bubble in all the user's tabs.
pub async fn mark_all_read(state: &AppState, user: &CurrentUser) -> Result<u64, AppError> {
    let changed = db::notifications::mark_all_read(
        &state.db.pool,
        user.school_id,
        user.user_id,
        state.clock.now(),
    )
    .await
    .or_internal("marking notifications read")?;
    state.notifier.notify(user.user_id);
    Ok(changed)
}
