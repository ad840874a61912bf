//! `GET /files/{id}`: sends a stored file to a user allowed to read it, never from the static
//! directory. `?download=1` asks for an attachment; otherwise the file opens in the browser.
//! A single `Range` is honoured, so video and audio can seek.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_RANGE,
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, RANGE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use crate::domain::AppError;
use crate::domain::error::Resource;
use crate::domain::files::{FileKind, content_disposition};
use crate::domain::ids::FileId;
use crate::server::auth::CurrentUser;
use crate::server::db;
use crate::server::error::OrInternal;
use crate::server::state::AppState;

#[derive(Debug, Deserialize)]
pub struct FileQuery {
    #[serde(default)]
    download: Option<String>,
}

pub async fn download(
    State(state): State<AppState>,
    Path(file_id): Path<i64>,
    Query(query): Query<FileQuery>,
    headers: HeaderMap,
) -> Response {
    match send(&state, FileId(file_id), query.download.is_some(), &headers).await {
        Ok(response) => response,
        Err(error) => super::error_page::respond(&headers, error),
    }
}

async fn send(
    state: &AppState,
    file_id: FileId,
    download: bool,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let user = CurrentUser::require_from_headers(state, headers).await?;
    let today = state.clock.now().taipei_date().to_string();
    let file = db::files::find_readable(&state.db.pool, user.school_id, user.user_id, file_id, &today)
        .await
        .or_internal("looking up a file")?
        .ok_or_else(|| {
            tracing::info!(user.id = %user.user_id, file.id = %file_id, "file refused: not found or not readable");
            AppError::NotFound(Resource::File)
        })?;
    let range = headers
        .get(RANGE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| parse_range(value, file.byte_size));
    let body = state
        .storage
        .open(&file.sha256, range.clone())
        .await
        .or_internal("opening a stored file")?;

    let kind = FileKind::from_media_type(&file.media_type);
    let mut response = Response::new(Body::from_stream(body.stream));
    let response_headers = response.headers_mut();
    response_headers.insert(CONTENT_TYPE, header_value(&file.media_type));
    response_headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response_headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp_for(kind)),
    );
    response_headers.insert(
        CONTENT_DISPOSITION,
        header_value(&content_disposition(!download, &file.original_name)),
    );
    response_headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    response_headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    match range {
        Some(range) => {
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
            let headers = response.headers_mut();
            headers.insert(CONTENT_LENGTH, HeaderValue::from(range.end - range.start));
            headers.insert(
                CONTENT_RANGE,
                header_value(&format!(
                    "bytes {}-{}/{}",
                    range.start,
                    range.end - 1,
                    body.total_size
                )),
            );
        }
        None => {
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(body.total_size));
        }
    }
    Ok(response)
}

/// The policy a stored file is served with. Images, audio and video are sandboxed documents
/// that can run nothing. PDFs are not sandboxed: Chromium (156, tried here) never finishes
/// loading a PDF served with `sandbox`. Their content type is fixed by the upload check, and
/// `nosniff` keeps the browser from reading them as anything else.
fn csp_for(kind: Option<FileKind>) -> &'static str {
    match kind {
        Some(FileKind::Pdf) => "default-src 'none'; frame-ancestors 'self'",
        _ => {
            "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'"
        }
    }
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

/// Parses a single-range `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` into an exclusive range.
/// Multiple or unsatisfiable ranges are ignored and the whole file is sent.
fn parse_range(value: &str, size: u64) -> Option<std::ops::Range<u64>> {
    let spec = value.strip_prefix("bytes=")?;
    if spec.contains(',') || size == 0 {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let length: u64 = suffix.parse().ok()?;
            (size.saturating_sub(length), size - 1)
        }
        (start, "") => (start.parse().ok()?, size - 1),
        (start, end) => (start.parse().ok()?, end.parse::<u64>().ok()?.min(size - 1)),
    };
    (start <= end && start < size).then_some(start..end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_range_forms() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some(0..100));
        assert_eq!(parse_range("bytes=900-", 1000), Some(900..1000));
        assert_eq!(parse_range("bytes=-100", 1000), Some(900..1000));
        assert_eq!(parse_range("bytes=990-2000", 1000), Some(990..1000));
    }

    #[test]
    fn parse_range_ignores_what_it_cannot_serve() {
        assert_eq!(parse_range("bytes=0-1,5-6", 1000), None);
        assert_eq!(parse_range("bytes=2000-", 1000), None);
        assert_eq!(parse_range("items=0-1", 1000), None);
        assert_eq!(parse_range("bytes=5-1", 1000), None);
    }
}
