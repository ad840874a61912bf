//! The server side of every server function: the shared state, the caller, and the HTTP
//! status of an error.

use axum::http::StatusCode;
use axum::http::request::Parts;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::domain::AppError;
use crate::server::auth::CurrentUser;
use crate::server::error::internal;
use crate::server::state::AppState;

/// Returns the application state provided to every server function.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| internal("server function context", "AppState missing"))
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>()
        .ok_or_else(|| internal("server function context", "request parts missing"))
}

/// The caller of one request, looked up once. A server-rendered page calls several server
/// functions (the session, the page's data), and each would otherwise read the session and
/// roles again. The router provides a new one to every request.
#[derive(Clone, Default)]
pub struct RequestCaller(std::sync::Arc<tokio::sync::OnceCell<Option<CurrentUser>>>);

/// Returns the caller, or `None` when not logged in.
pub async fn optional_user() -> Result<(AppState, Option<CurrentUser>), AppError> {
    let state = state()?;
    let headers = parts()?.headers;
    let user = match use_context::<RequestCaller>() {
        Some(RequestCaller(caller)) => caller
            .get_or_try_init(|| CurrentUser::from_headers(&state, &headers))
            .await?
            .clone(),
        None => CurrentUser::from_headers(&state, &headers).await?,
    };
    Ok((state, user))
}

/// Returns the caller, or `Unauthenticated`, or `PasswordChangeRequired` while the account
/// still has its first password.
pub async fn user() -> Result<(AppState, CurrentUser), AppError> {
    let (state, user) = user_with_first_password().await?;
    user.require_password_changed()?;
    Ok((state, user))
}

/// Returns the caller even while the account still has its first password, for changing it.
pub async fn user_with_first_password() -> Result<(AppState, CurrentUser), AppError> {
    let (state, user) = optional_user().await?;
    Ok((state, user.ok_or(AppError::Unauthenticated)?))
}

/// Returns the request headers, for the services that read cookies themselves.
pub fn headers() -> Result<axum::http::HeaderMap, AppError> {
    Ok(parts()?.headers)
}

/// Sets the HTTP status of a failed server function call from the error; a success keeps 200.
/// During page rendering the status belongs to the page, so it is left alone.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    let called_over_http =
        use_context::<Parts>().is_some_and(|parts| parts.uri.path().starts_with("/api/"));
    if let Err(error) = &result
        && called_over_http
        && let Some(options) = use_context::<ResponseOptions>()
    {
        options.set_status(
            StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    result
}

/// Returns the caller's client address, for throttling: the TCP peer, or the configured
/// header of a reverse proxy.
pub async fn client_address(state: &AppState) -> Result<String, AppError> {
    let headers = headers()?;
    let peer = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|axum::extract::ConnectInfo(peer)| peer);
    Ok(crate::server::auth::client_address(
        &headers,
        peer,
        state.settings.client_ip_header.as_deref(),
    ))
}
