//! 忘記帳號/密碼: asking for a link or code, and setting a new password with it. These work
//! without a login; the cross-site check guards them like every other call.

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::recovery::{RecoveryLinkInfo, RecoveryRequested};

/// Sends the login name and a one-time link (e-mail) or code (SMS) to every account of the
/// school with `contact` on record. The response does not reveal whether one was found.
#[server(prefix = "/api", endpoint = "request_recovery")]
pub async fn request_recovery(
    school_code: Option<String>,
    contact: String,
) -> Result<RecoveryRequested, AppError> {
    let result = async {
        let state = super::guard::state()?;
        let address = super::guard::client_address(&state).await?;
        crate::server::services::recovery::request(&state, school_code, &contact, &address).await
    }
    .await;
    super::guard::respond(result)
}

/// Returns the account of an e-mailed link, or `RecoveryLinkInvalid`.
#[server(prefix = "/api", endpoint = "recovery_link")]
pub async fn recovery_link(token: String) -> Result<RecoveryLinkInfo, AppError> {
    let result = async {
        let state = super::guard::state()?;
        crate::server::services::recovery::link_info(&state, &token).await
    }
    .await;
    super::guard::respond(result)
}

/// Sets a new password with an e-mailed link.
#[server(prefix = "/api", endpoint = "reset_password_by_link")]
pub async fn reset_password_by_link(
    token: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let result = async {
        let state = super::guard::state()?;
        crate::server::services::recovery::reset_with_link(
            &state,
            &token,
            new_password,
            confirm_password,
        )
        .await
    }
    .await;
    super::guard::respond(result)
}

/// Sets a new password with a code sent by SMS to `phone`.
#[server(prefix = "/api", endpoint = "reset_password_by_code")]
pub async fn reset_password_by_code(
    school_code: Option<String>,
    phone: String,
    code: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let result = async {
        let state = super::guard::state()?;
        let address = super::guard::client_address(&state).await?;
        crate::server::services::recovery::reset_with_code(
            &state,
            school_code,
            &phone,
            &code,
            new_password,
            confirm_password,
            &address,
        )
        .await
    }
    .await;
    super::guard::respond(result)
}
