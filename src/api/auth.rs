//! Login, logout and the current session.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::AppError;
use crate::domain::views::SessionInfo;

/// What the login form needs to know before anyone logs in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginFormInfo {
    /// The school's name when the deployment has one school; otherwise the form asks for the
    /// school code.
    pub school_name: Option<String>,
}

#[server(prefix = "/api", endpoint = "login_form_info")]
pub async fn load_login_form() -> Result<LoginFormInfo, AppError> {
    use crate::server::error::OrInternal;
    let state = super::guard::state()?;
    let school = crate::server::db::schools::only_school(&state.db.pool)
        .await
        .or_internal("finding the school");
    super::guard::respond(school.map(|school| LoginFormInfo {
        school_name: school.map(|school| school.name),
    }))
}

/// Logs in, sets the session cookie and sends the browser to the user's start page.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(
    school_code: Option<String>,
    login: String,
    password: String,
) -> Result<SessionInfo, AppError> {
    use crate::server::services::auth::{self, LoginInput};
    let state = super::guard::state()?;
    let headers = super::guard::headers()?;
    let policy = state.session_policy();
    let previous_token =
        crate::server::auth::session::token_from_headers(&headers, policy.cookie_name());
    let client_address = super::guard::client_address(&state).await?;
    let input = LoginInput {
        school_code: school_code.unwrap_or_default(),
        login,
        password,
        device_token: crate::server::auth::session::token_from_headers(
            &headers,
            policy.device_cookie_name(),
        ),
        client_address,
    };
    let result = auth::login(&state, input, previous_token).await;
    if let Ok(outcome) = &result {
        let response = expect_context::<leptos_axum::ResponseOptions>();
        let mut cookies = vec![policy.set_cookie(&outcome.token)];
        if let Some(device) = &outcome.new_device_token {
            cookies.push(policy.set_device_cookie(device));
        }
        for cookie in cookies {
            if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
                response.append_header(axum::http::header::SET_COOKIE, value);
            }
        }
        leptos_axum::redirect(outcome.info.home_path());
    }
    super::guard::respond(result.map(|outcome| outcome.info))
}

/// Ends the session, clears the cookie and sends the browser to the login page.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let state = super::guard::state()?;
    let headers = super::guard::headers()?;
    let result = crate::server::services::auth::logout(&state, &headers).await;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    if let Ok(value) = axum::http::HeaderValue::from_str(&state.session_policy().clear_cookie()) {
        response.append_header(axum::http::header::SET_COOKIE, value);
    }
    leptos_axum::redirect("/login");
    super::guard::respond(result)
}

/// Returns the logged-in user, or `None`.
#[server(prefix = "/api", endpoint = "session")]
pub async fn current_session() -> Result<Option<SessionInfo>, AppError> {
    let result = async {
        let (state, user) = super::guard::optional_user().await?;
        match user {
            Some(user) => crate::server::services::auth::session_info(&state, &user)
                .await
                .map(Some),
            None => Ok(None),
        }
    }
    .await;
    super::guard::respond(result)
}

/// Switches the role the session acts in (one the caller holds) and sends the browser to that
/// role's start page.
#[server(prefix = "/api", endpoint = "switch_role")]
pub async fn switch_role(role: crate::domain::role::Role) -> Result<SessionInfo, AppError> {
    let result = async {
        let (state, mut user) = super::guard::user().await?;
        crate::server::services::auth::switch_role(&state, &mut user, role).await
    }
    .await;
    if let Ok(info) = &result {
        leptos_axum::redirect(info.home_path());
    }
    super::guard::respond(result)
}

/// Changes the caller's password; the only call, besides logout, that works while the account
/// still has its first password. Sends the browser to the user's start page.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<SessionInfo, AppError> {
    let result = async {
        let (state, mut user) = super::guard::user_with_first_password().await?;
        crate::server::services::account::change_password(
            &state,
            &user,
            current_password,
            new_password,
            confirm_password,
        )
        .await?;
        user.must_change_password = false;
        crate::server::services::auth::session_info(&state, &user).await
    }
    .await;
    if let Ok(info) = &result {
        leptos_axum::redirect(info.home_path());
    }
    super::guard::respond(result)
}
