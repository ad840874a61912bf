//! Request checks and response headers that apply to every route.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::ORIGIN;
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::domain::AppError;
use crate::server::error::ApiError;

/// Refuses state-changing requests that a browser sends on behalf of another site (CSRF).
/// Browsers send `Sec-Fetch-Site`; it must be `same-origin` or `none` (typed by the user).
/// Without it, `Origin` must equal the public origin. A request with neither is refused too,
/// so tools must send one of them.
pub async fn reject_cross_site(
    State(public_origin): State<Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let allowed = match headers.get("sec-fetch-site") {
        Some(site) => site == "same-origin" || site == "none",
        None => headers
            .get(ORIGIN)
            .is_some_and(|origin| origin.as_bytes() == public_origin.as_bytes()),
    };
    if allowed {
        next.run(request).await
    } else {
        tracing::warn!(
            method = %request.method(),
            path = request.uri().path(),
            sec_fetch_site = ?headers.get("sec-fetch-site"),
            origin = ?headers.get(ORIGIN),
            "cross-site request refused"
        );
        ApiError(AppError::Forbidden).into_response()
    }
}

/// Headers added to every response that does not set its own.
pub fn default_headers() -> [(&'static str, HeaderValue); 4] {
    [
        (
            "x-content-type-options",
            HeaderValue::from_static("nosniff"),
        ),
        ("referrer-policy", HeaderValue::from_static("same-origin")),
        ("x-frame-options", HeaderValue::from_static("SAMEORIGIN")),
        (
            "permissions-policy",
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ),
    ]
}
