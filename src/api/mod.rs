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

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

use crate::domain::AppError;

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

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
