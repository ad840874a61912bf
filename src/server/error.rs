//! Turning internal failures into `AppError::Internal`: the cause is logged once here with a
//! correlation id, and only the id reaches the browser.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rand::RngCore;

use crate::domain::AppError;

/// Logs an unexpected failure and returns the error to send instead.
pub fn internal(context: &str, error: impl std::fmt::Display) -> AppError {
    let mut id = [0u8; 6];
    rand::thread_rng().fill_bytes(&mut id);
    let correlation_id = hex::encode(id);
    tracing::error!(%correlation_id, %error, "{context}");
    AppError::Internal { correlation_id }
}

/// Extension for `Result`s of database and IO calls: `.or_internal("loading outcomes")?`.
pub trait OrInternal<T> {
    fn or_internal(self, context: &str) -> Result<T, AppError>;
}

impl<T, E: std::fmt::Display> OrInternal<T> for Result<T, E> {
    fn or_internal(self, context: &str) -> Result<T, AppError> {
        self.map_err(|error| internal(context, error))
    }
}

/// An `AppError` as the JSON answer of a plain axum route.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}
