//! `GET /exports/{batch}`: the export package of a batch for the central database, for the
//! submission staff and administrators. The package carries full national IDs, so it is
//! never cached and always sent as an attachment.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use tokio_util::io::ReaderStream;

use crate::domain::AppError;
use crate::domain::files::content_disposition;
use crate::server::auth::CurrentUser;
use crate::server::error::OrInternal;
use crate::server::services::submissions;
use crate::server::state::AppState;

pub async fn download(
    State(state): State<AppState>,
    Path(batch): Path<i64>,
    headers: HeaderMap,
) -> Response {
    match send(&state, batch, &headers).await {
        Ok(response) => response,
        Err(error) => super::error_page::respond(&headers, error),
    }
}

async fn send(state: &AppState, batch: i64, headers: &HeaderMap) -> Result<Response, AppError> {
    let user = CurrentUser::require_from_headers(state, headers).await?;
    let (path, name) = submissions::package(state, &user, batch).await?;
    let file = tokio::fs::File::open(&path)
        .await
        .or_internal("opening an export package")?;
    let size = file
        .metadata()
        .await
        .or_internal("reading an export package")?
        .len();
    tracing::info!(user.id = %user.user_id, batch.id = batch, "export package downloaded");
    let mut response = Response::new(Body::from_stream(ReaderStream::new(file)));
    let response_headers = response.headers_mut();
    response_headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    response_headers.insert(CONTENT_LENGTH, HeaderValue::from(size));
    response_headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response_headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&content_disposition(false, &name)) {
        response_headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
