//! `POST /imports/preview` and `POST /imports/commit` take an administrator's import file as
//! multipart (`kind`, then `file`, and for the confirmation `sha256` from the preview) and
//! return JSON. `GET /imports/templates/{kind}.{csv|xlsx}` sends a template.
//!
//! Plain axum routes, because the file arrives as multipart. It is read into memory up to
//! [`MAX_FILE_BYTES`], since an import is checked as a whole.

use axum::Json;
use axum::body::Body;
use axum::extract::multipart::MultipartError;
use axum::extract::{Multipart, Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::domain::AppError;
use crate::domain::error::Resource;
use crate::domain::files::content_disposition;
use crate::domain::imports::{ImportFileProblem, ImportKind};
use crate::domain::role::Role;
use crate::server::auth::CurrentUser;
use crate::server::error::{ApiError, OrInternal};
use crate::server::services::imports::{self, MAX_FILE_BYTES, templates};
use crate::server::state::AppState;

/// Room for the multipart framing and the text fields around the file.
pub const BODY_LIMIT_BYTES: usize = MAX_FILE_BYTES as usize + 64 * 1024;

/// The fields of an import form.
#[derive(Default)]
struct ImportForm {
    kind: Option<String>,
    sha256: Option<String>,
    file: Option<Vec<u8>>,
}

pub async fn preview(
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let result = async {
        let user = CurrentUser::require_from_headers(&state, &headers).await?;
        user.require(Role::Admin)?;
        let (kind, form) = read_form(multipart).await?;
        let bytes = form
            .file
            .ok_or(AppError::ImportFile(ImportFileProblem::Empty))?;
        imports::preview(&state, &user, kind, &bytes).await
    }
    .await;
    match result {
        Ok(preview) => Json(preview).into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}

pub async fn commit(
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let result = async {
        let user = CurrentUser::require_from_headers(&state, &headers).await?;
        user.require(Role::Admin)?;
        let (kind, form) = read_form(multipart).await?;
        let bytes = form
            .file
            .ok_or(AppError::ImportFile(ImportFileProblem::Empty))?;
        let sha256 = form
            .sha256
            .ok_or_else(|| AppError::BadRequest("missing field sha256".into()))?;
        imports::commit(&state, &user, kind, &bytes, &sha256).await
    }
    .await;
    match result {
        Ok(result) => Json(result).into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}

pub async fn template(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let user = CurrentUser::require_from_headers(&state, &headers).await?;
        user.require(Role::Admin)?;
        let (kind, format) =
            templates::parse_name(&name).ok_or(AppError::NotFound(Resource::File))?;
        let bytes = templates::build(kind, format).or_internal("building an import template")?;
        Ok::<_, AppError>((kind, format, bytes))
    }
    .await;
    match result {
        Ok((kind, format, bytes)) => {
            let mut response = Response::new(Body::from(bytes));
            let response_headers = response.headers_mut();
            response_headers.insert(CONTENT_TYPE, HeaderValue::from_static(format.media_type()));
            response_headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            response_headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            let name = templates::file_name(kind, format);
            if let Ok(value) = HeaderValue::from_str(&content_disposition(false, &name)) {
                response_headers.insert(CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(error) => super::error_page::respond(&headers, error),
    }
}

/// Reads the form: the kind, the optional checksum and the file, which may not exceed
/// [`MAX_FILE_BYTES`].
async fn read_form(mut multipart: Multipart) -> Result<(ImportKind, ImportForm), AppError> {
    let mut form = ImportForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            if (bytes.len() + chunk.len()) as u64 > MAX_FILE_BYTES {
                return Err(AppError::ImportFile(ImportFileProblem::TooLarge {
                    max_bytes: MAX_FILE_BYTES,
                }));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || {
            String::from_utf8(bytes.clone())
                .map_err(|_| AppError::BadRequest(format!("field {name} is not UTF-8")))
        };
        match name.as_str() {
            "kind" => form.kind = Some(text()?),
            "sha256" => form.sha256 = Some(text()?),
            "file" => form.file = Some(bytes),
            _ => return Err(AppError::BadRequest(format!("unknown field {name}"))),
        }
    }
    let kind = form
        .kind
        .as_deref()
        .and_then(ImportKind::parse)
        .ok_or_else(|| AppError::BadRequest("missing or unknown field kind".into()))?;
    Ok((kind, form))
}

fn multipart_error(error: MultipartError) -> AppError {
    let status = error.status();
    tracing::info!(%error, %status, "import upload ended early");
    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::ImportFile(ImportFileProblem::TooLarge {
            max_bytes: MAX_FILE_BYTES,
        })
    } else {
        AppError::UploadAborted
    }
}
