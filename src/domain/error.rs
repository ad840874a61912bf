//! The one error type that crosses the wire. Each variant is either an expected business outcome
//! with what the user needs to fix it, or `Internal`, which carries only a correlation id: the
//! cause stays in the server log.

use serde::{Deserialize, Serialize};

use super::files::FileProblem;
use super::outcome::TransitionError;
use super::text::TextProblem;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Not logged in, or the session has ended.
    #[error("not logged in")]
    Unauthenticated,
    /// Logged in, but this role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// The thing does not exist, or it is not this user's to see.
    #[error("{0:?} not found")]
    NotFound(Resource),
    /// The login name or the password is wrong.
    #[error("invalid login name or password")]
    InvalidCredentials,
    /// The login form was sent without a login name or password.
    #[error("login name or password missing")]
    LoginMissing,
    /// An upload names no course.
    #[error("no course chosen")]
    CourseMissing,
    /// The 簡述 is missing or too long.
    #[error("invalid summary: {0:?}")]
    Summary(TextProblem),
    /// The reason for 不通過 is missing or too long.
    #[error("invalid reason: {0:?}")]
    FailReason(TextProblem),
    /// An uploaded file breaks a file rule.
    #[error("file refused: {0:?}")]
    File(FileProblem),
    /// An upload without a document or a media file.
    #[error("no file chosen")]
    NoFile,
    /// The course is not one the student takes in the current semester.
    #[error("student is not enrolled in the course")]
    NotEnrolled,
    /// The school's limit of outcomes per student and semester is reached.
    #[error("upload limit of {max} outcomes per semester reached")]
    UploadLimitReached { max: u32 },
    /// The outcome's state does not allow this step.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// Someone changed the outcome since this page loaded it; nothing was saved.
    #[error("the outcome was changed by someone else")]
    Conflict,
    /// The upload ended before the whole request arrived; nothing was stored.
    #[error("upload aborted")]
    UploadAborted,
    /// The request is malformed (a missing field, an unreadable number).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// An unexpected server failure, logged with this id.
    #[error("internal error {correlation_id}")]
    Internal { correlation_id: String },
    /// The browser could not reach the server or read its answer.
    #[error("network error: {0}")]
    Network(String),
}

/// What a `NotFound` refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Resource {
    Outcome,
    Course,
    File,
    Notification,
    Page,
}

impl AppError {
    /// Returns the HTTP status that carries this error.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::InvalidCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict | AppError::Transition(_) => 409,
            AppError::File(FileProblem::TooLarge { .. }) => 413,
            AppError::File(FileProblem::TypeNotAllowed { .. } | FileProblem::WrongSlot { .. }) => 415,
            AppError::Summary(_)
            | AppError::FailReason(_)
            | AppError::File(_)
            | AppError::NoFile
            | AppError::CourseMissing
            | AppError::LoginMissing
            | AppError::NotEnrolled
            | AppError::UploadLimitReached { .. } => 422,
            AppError::UploadAborted | AppError::BadRequest(_) => 400,
            AppError::Internal { .. } => 500,
            AppError::Network(_) => 502,
        }
    }
}
