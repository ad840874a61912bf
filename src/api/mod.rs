//! Server functions: the typed calls from the pages to the server. Each is thin: it resolves
//! the caller (the guard), calls one service, and reports errors with their HTTP status.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod delegations;
pub mod homeroom;
pub mod notifications;
pub mod recovery;
pub mod student;
pub mod teacher;

#[cfg(feature = "ssr")]
pub(crate) mod guard;

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};

use crate::domain::AppError;

/// JSON, as `JsonEncoding`, but read from a `&str`. serde_json compiles one decoder per
/// reader type, and resources already read each page's `Result<_, AppError>` from a string.
/// Reading errors the same way keeps one copy of the error's decoder in the main bundle.
pub struct ErrorEncoding;

impl ContentType for ErrorEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for ErrorEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl Encodes<AppError> for ErrorEncoding {
    type Error = serde_json::Error;

    fn encode(error: &AppError) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(error).map(Bytes::from)
    }
}

impl Decodes<AppError> for ErrorEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<AppError, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

impl FromServerFnError for AppError {
    type Encoder = ErrorEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                AppError::BadRequest(message)
            }
            ServerFnErrorErr::Request(message) => AppError::Network(message),
            other => AppError::Network(other.to_string()),
        }
    }
}
