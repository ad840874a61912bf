//! Server functions of 帳號管理 (administrators).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::AppError;
use crate::domain::accounts::{AccountRow, AccountSettings, AccountSlip, AccountsPage, ResetMode};
use crate::domain::ids::{HomeroomId, UserId};

#[server(prefix = "/api", endpoint = "accounts_page")]
pub async fn load_accounts_page() -> Result<AccountsPage, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::accounts::page(&state, &user).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "search_accounts")]
pub async fn search_accounts(query: String) -> Result<Vec<AccountRow>, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::accounts::search(&state, &user, query).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "update_account_settings", input = Json)]
pub async fn update_account_settings(settings: AccountSettings) -> Result<(), AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::accounts::update_settings(&state, &user, settings).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "reset_account", input = Json)]
pub async fn reset_account(account: UserId, mode: ResetMode) -> Result<AccountSlip, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::accounts::reset(&state, &user, account, mode).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "end_account_sessions", input = Json)]
pub async fn end_account_sessions(account: UserId) -> Result<u64, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::accounts::end_sessions(&state, &user, account).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "homeroom_slips", input = Json)]
pub async fn homeroom_slips(homeroom: HomeroomId) -> Result<Vec<AccountSlip>, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::accounts::homeroom_slips(&state, &user, homeroom).await
    }
    .await;
    super::guard::respond(result)
}
