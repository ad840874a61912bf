//! `POST /upload/outcomes` (a new outcome) and `POST /upload/outcomes/{id}` (a revision): a
//! plain axum route, because it streams each file to the store while checking its size and
//! type, instead of buffering the whole request as a server function would.
//!
//! Form fields, text first: `course_id` (new) or `version` (revision), `summary`, then the
//! files `document` and `media`. A browser that runs the page's script gets JSON; a plain form
//! post (no script) gets a redirect back to the page with the result in the query string.

use axum::Json;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::http::header::ACCEPT;
use axum::response::{IntoResponse, Redirect, Response};

use crate::domain::AppError;
use crate::domain::files::{
    FileProblem, FileRules, FileSlot, SNIFF_LEN, TAIL_LEN, clean_file_name,
};
use crate::domain::ids::{CourseId, OutcomeId};
use crate::domain::views::Saved;
use crate::server::auth::CurrentUser;
use crate::server::error::{ApiError, OrInternal};
use crate::server::services::outcomes::{self, NewOutcome, Revision, UploadedFile};
use crate::server::state::AppState;

/// Longest text field accepted, in bytes: a 100-character 簡述 is at most 400 bytes of UTF-8.
const MAX_TEXT_FIELD_BYTES: usize = 4096;

/// The fields of an upload form once read.
#[derive(Default)]
struct UploadForm {
    course_id: Option<String>,
    version: Option<String>,
    summary: Option<String>,
    files: Vec<UploadedFile>,
}

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let result = async {
        let user = CurrentUser::require_from_headers(&state, &headers).await?;
        outcomes::check_can_upload(&state, &user).await?;
        let form = read_form(&state, multipart).await?;
        let course_id = match form.course_id.as_deref().map(str::trim) {
            None | Some("") => return Err(AppError::CourseMissing),
            Some(text) => text
                .parse::<CourseId>()
                .map_err(|_| AppError::BadRequest(format!("invalid course_id {text:?}")))?,
        };
        let new = NewOutcome {
            course_id,
            summary: form.summary.unwrap_or_default(),
            files: form.files,
        };
        outcomes::create(&state, &user, new).await
    }
    .await;
    respond(&headers, result, "/student/outcomes/new")
}

pub async fn revise(
    State(state): State<AppState>,
    Path(outcome_id): Path<i64>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let result = async {
        let user = CurrentUser::require_from_headers(&state, &headers).await?;
        outcomes::check_can_revise(&state, &user, OutcomeId(outcome_id)).await?;
        let form = read_form(&state, multipart).await?;
        let version = parse_field::<i64>(form.version.as_deref(), "version")?;
        let revision = Revision {
            outcome_id: OutcomeId(outcome_id),
            version,
            summary: form.summary.unwrap_or_default(),
            files: form.files,
        };
        outcomes::revise(&state, &user, revision).await
    }
    .await;
    respond(
        &headers,
        result,
        &format!("/student/outcomes/{outcome_id}/revise"),
    )
}

fn parse_field<T: std::str::FromStr>(value: Option<&str>, name: &str) -> Result<T, AppError> {
    value
        .and_then(|value| value.trim().parse().ok())
        .ok_or_else(|| AppError::BadRequest(format!("missing or invalid field {name}")))
}

/// Answers JSON to the page's script, or redirects a plain form post.
fn respond(headers: &HeaderMap, result: Result<Saved, AppError>, form_path: &str) -> Response {
    let wants_html = headers
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    match (result, wants_html) {
        (Ok(saved), false) => Json(saved).into_response(),
        (Err(error), false) => ApiError(error).into_response(),
        (Ok(saved), true) => {
            Redirect::to(&format!("/student/outcomes?uploaded={}", saved.outcome_id))
                .into_response()
        }
        (Err(error), true) => {
            let encoded = serde_json::to_string(&error).unwrap_or_default();
            let query: String =
                percent_encoding::utf8_percent_encode(&encoded, percent_encoding::NON_ALPHANUMERIC)
                    .collect();
            Redirect::to(&format!("{form_path}?error={query}")).into_response()
        }
    }
}

/// Reads the form, streaming each file into the store. Any refusal drops the files read so
/// far, which deletes their temporary objects.
async fn read_form(state: &AppState, mut multipart: Multipart) -> Result<UploadForm, AppError> {
    let rules = state.file_rules();
    let mut form = UploadForm::default();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "course_id" => form.course_id = Some(read_text(field).await?),
            "version" => form.version = Some(read_text(field).await?),
            "summary" => form.summary = Some(read_text(field).await?),
            "document" | "media" => {
                let slot = FileSlot::parse(&name).expect("matched slot name");
                if form.files.iter().any(|file| file.slot == slot) {
                    return Err(AppError::BadRequest(format!("field {name} sent twice")));
                }
                if let Some(file) = read_file(state, &rules, slot, field).await? {
                    form.files.push(file);
                }
            }
            _ => return Err(AppError::BadRequest(format!("unknown field {name}"))),
        }
    }
    Ok(form)
}

async fn read_text(mut field: Field<'_>) -> Result<String, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > MAX_TEXT_FIELD_BYTES {
            return Err(AppError::BadRequest("text field too long".into()));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| AppError::BadRequest("text field is not UTF-8".into()))
}

/// Streams one file into the store. Returns `None` for a file input left empty (no name, no
/// bytes). Stops as soon as the file is one byte over its limit or its first bytes show a type
/// the slot does not accept.
async fn read_file(
    state: &AppState,
    rules: &FileRules,
    slot: FileSlot,
    mut field: Field<'_>,
) -> Result<Option<UploadedFile>, AppError> {
    // Browsers send `"`, line feed and carriage return in a file name as %22, %0A and %0D
    // (the HTML form encoding), so those three are turned back.
    let raw_name = field
        .file_name()
        .unwrap_or_default()
        .replace("%22", "\"")
        .replace("%0A", "\n")
        .replace("%0D", "\r");
    let file_name = clean_file_name(&raw_name, &format!("{}.bin", slot.as_str()));
    let max_bytes = rules.max_bytes(slot);
    let mut writer = state
        .storage
        .begin()
        .await
        .or_internal("starting a file upload")?;
    let mut head: Vec<u8> = Vec::with_capacity(SNIFF_LEN);
    let mut tail: Vec<u8> = Vec::with_capacity(TAIL_LEN);
    let mut size: u64 = 0;
    let mut head_checked = false;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(AppError::File(FileProblem::TooLarge {
                slot,
                file_name,
                size,
                max_bytes,
            }));
        }
        if head.len() < SNIFF_LEN {
            let take = (SNIFF_LEN - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        if !head_checked && head.len() >= SNIFF_LEN {
            rules
                .check_head(slot, &file_name, &head)
                .map_err(AppError::File)?;
            head_checked = true;
        }
        keep_tail(&mut tail, &chunk);
        writer
            .write(chunk)
            .await
            .or_internal("writing an uploaded file")?;
    }
    if size == 0 && raw_name.is_empty() {
        return Ok(None);
    }
    let kind = rules
        .check(slot, &file_name, size, &head, &tail)
        .map_err(AppError::File)?;
    // A name with nothing usable left (such as `..`) becomes document.pdf or media.mp4.
    let file_name = if clean_file_name(&raw_name, "").is_empty() {
        format!("{}.{}", slot.as_str(), kind.extension())
    } else {
        file_name
    };
    let blob = writer
        .finish()
        .await
        .or_internal("finishing an uploaded file")?;
    Ok(Some(UploadedFile {
        slot,
        kind,
        original_name: file_name,
        blob,
    }))
}

/// Keeps the last `TAIL_LEN` bytes of the file in `tail` after `chunk`, copying no more of
/// the chunk than that.
fn keep_tail(tail: &mut Vec<u8>, chunk: &[u8]) {
    if chunk.len() >= TAIL_LEN {
        tail.clear();
        tail.extend_from_slice(&chunk[chunk.len() - TAIL_LEN..]);
    } else {
        let excess = (tail.len() + chunk.len()).saturating_sub(TAIL_LEN);
        tail.drain(..excess);
        tail.extend_from_slice(chunk);
    }
}

/// A multipart error is a request cut short (the browser went away or the network dropped)
/// or a malformed body; the body limit shows up here too.
fn multipart_error(error: MultipartError) -> AppError {
    let status = error.status();
    tracing::info!(%error, %status, "upload stream ended early");
    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::BadRequest("request body too large".into())
    } else if error.body_text().contains("failed to read headers") {
        // A part header that does not parse, such as a file name with a NUL byte. Browsers
        // cannot send one, but the student should still learn what to change.
        AppError::UnreadableFileName
    } else {
        AppError::UploadAborted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_tail_across_chunk_sizes() {
        let bytes: Vec<u8> = (0..5000u32).map(|n| (n % 251) as u8).collect();
        for chunk_size in [1, 7, TAIL_LEN - 1, TAIL_LEN, TAIL_LEN + 1, 3000] {
            let mut tail = Vec::new();
            for chunk in bytes.chunks(chunk_size) {
                keep_tail(&mut tail, chunk);
            }
            assert_eq!(
                tail,
                bytes[bytes.len() - TAIL_LEN..],
                "chunks of {chunk_size}"
            );
        }
    }

    #[test]
    fn keep_tail_of_a_short_file() {
        let mut tail = Vec::new();
        keep_tail(&mut tail, b"%PDF");
        keep_tail(&mut tail, b"-1.4");
        assert_eq!(tail, b"%PDF-1.4");
    }
}
