//! Notifications of the logged-in user.

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::views::NotificationItem;

#[server(prefix = "/api", endpoint = "notifications")]
pub async fn notifications() -> Result<Vec<NotificationItem>, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::notifications::list(&state, &user).await
    }
    .await;
    super::guard::respond(result)
}

/// Marks all the user's notifications read; returns how many were unread.
#[server(prefix = "/api", endpoint = "mark_notifications_read")]
pub async fn mark_notifications_read() -> Result<u64, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::notifications::mark_all_read(&state, &user).await
    }
    .await;
    super::guard::respond(result)
}
