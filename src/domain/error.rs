//! The one error type that crosses the wire. Each variant is either an expected business outcome
//! with what the user needs to fix it, or `Internal`, which carries only a correlation id: the
//! cause stays in the server log.

use serde::{Deserialize, Serialize};

use super::calendar::{SemesterCode, UtcMillis};
use super::files::FileProblem;
use super::imports::ImportFileProblem;
use super::outcome::TransitionError;
use super::text::TextProblem;
use super::window::WindowKind;

/// `Deserialize` is written by hand in `error_json.rs`, to keep the browser's bundle small.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum AppError {
    /// Not logged in, or the session has ended.
    #[error("not logged in")]
    Unauthenticated,
    /// Logged in, but this role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// The user has `role` but the session acts in another one, so switching 目前身分 helps.
    #[error("acting in another role than {role:?}")]
    RoleNotActive { role: super::role::Role },
    /// The thing does not exist, or it is not this user's to see.
    #[error("{0:?} not found")]
    NotFound(Resource),
    /// The login name or the password is wrong.
    #[error("invalid login name or password")]
    InvalidCredentials,
    /// Too many failed logins: attempts wait until `retry_at` (docs/security.md).
    #[error("login delayed after repeated failures")]
    LoginThrottled { retry_at: UtcMillis },
    /// The account still has its first password, which must be changed before anything else.
    #[error("the first password must be changed")]
    PasswordChangeRequired,
    /// The first password was not used in time.
    #[error("the first password has expired")]
    InitialPasswordExpired,
    /// A new password breaks a password rule.
    #[error("new password rejected: {0:?}")]
    Password(super::password::PasswordProblem),
    /// The current password given to change it is wrong.
    #[error("the current password is wrong")]
    CurrentPasswordWrong,
    /// A login prefix that is not 1 to 10 lower-case letters or digits.
    #[error("invalid login prefix {prefix:?}")]
    InvalidLoginPrefix { prefix: String },
    /// A first-password lifetime outside 1 to 365 days.
    #[error("invalid first-password lifetime {days}")]
    InvalidCredentialDays { days: i64 },
    /// The login rule would give this student a login that another account already has.
    #[error("login of student {student_no} already taken")]
    LoginTaken { student_no: String },
    /// What was typed to recover an account is neither an e-mail address nor a mobile number.
    #[error("invalid recovery contact: {0:?}")]
    RecoveryContact(super::recovery::ContactProblem),
    /// The recovery link is unknown, used, or older than its 30 minutes.
    #[error("recovery link invalid or expired")]
    RecoveryLinkInvalid,
    /// The SMS code is wrong, used, expired or was tried too often.
    #[error("recovery code wrong or expired")]
    RecoveryCodeWrong,
    /// Too many recovery requests from one client address: requests wait until `retry_at`.
    #[error("recovery requests delayed")]
    RecoveryThrottled { retry_at: UtcMillis },
    /// The deployment serves several schools and no school code was given.
    #[error("school code missing")]
    SchoolCodeMissing,
    /// No school of the deployment has this 學校代碼.
    #[error("unknown school code {code:?}")]
    SchoolCodeUnknown { code: String },
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
    /// The window for this step has closed.
    #[error("{kind:?} window closed")]
    WindowClosed {
        kind: WindowKind,
        closed_at: UtcMillis,
    },
    /// The window for this step has not opened; `opens_at` is `None` when no date is set yet.
    #[error("{kind:?} window not open yet")]
    WindowNotOpen {
        kind: WindowKind,
        opens_at: Option<UtcMillis>,
    },
    /// Only the student's own passed, published outcomes can be ticked.
    #[error("outcome cannot be selected")]
    NotSelectable,
    /// The school's limit of ticked outcomes per school year is reached.
    #[error("selection limit of {max} per school year reached")]
    SelectionLimitReached { max: u32 },
    /// The school year's selection was sent to the central database and is frozen.
    #[error("selection already submitted")]
    SelectionSubmitted,
    /// A batch can be made only after the selection window has closed.
    #[error("selection window still open")]
    SelectionStillOpen { closes_at: Option<UtcMillis> },
    /// A roster needs the student's national ID and birth date.
    #[error("student {student_no} lacks national ID or birth date")]
    StudentIdentityMissing { student_no: String },
    /// A 學號 that no student of the school has.
    #[error("student {student_no} not found")]
    StudentNotFound { student_no: String },
    /// A date typed in a form is not a date.
    #[error("invalid date {value:?} in {field}")]
    InvalidDate { field: String, value: String },
    /// A number typed in a form is not a whole number between `min` and `max`.
    #[error("invalid number {value:?} in {field}")]
    InvalidNumber {
        field: String,
        value: String,
        min: i64,
        max: i64,
    },
    /// The semester to create exists already.
    #[error("semester {semester} exists")]
    SemesterExists { semester: SemesterCode },
    /// The name of an uploaded file contains characters that the upload cannot carry.
    #[error("unreadable file name")]
    UnreadableFileName,
    /// A backup or restore drill is running already.
    #[error("a backup is running")]
    BackupRunning,
    /// Backups from the web need the SQLite database of a single-machine deployment.
    #[error("backups need SQLite")]
    BackupUnavailable,
    /// A window that ends before it starts.
    #[error("window {field} ends before it starts")]
    WindowReversed { field: String },
    /// The reason of an unlock is missing or too long.
    #[error("invalid unlock reason: {0:?}")]
    UnlockReason(TextProblem),
    /// An import file that cannot be read at all.
    #[error("import file unreadable: {0:?}")]
    ImportFile(ImportFileProblem),
    /// An import confirmed while its rows still have problems; nothing was written.
    #[error("import has {count} problems")]
    ImportHasProblems { count: u32 },
    /// The file sent to confirm an import is not the one previewed.
    #[error("import file differs from the preview")]
    ImportChanged,
    /// Imports write into the current semester, and the school has none.
    #[error("no current semester")]
    NoCurrentSemester,
    /// A delegate cannot be named as asked.
    #[error("delegation rejected: {0:?}")]
    Delegation(super::delegation::DelegationProblem),
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
    Account,
    Homeroom,
    Delegation,
    Student,
    Outcome,
    Course,
    File,
    Notification,
    Page,
}

impl Resource {
    pub const ALL: [Resource; 9] = [
        Resource::Account,
        Resource::Homeroom,
        Resource::Delegation,
        Resource::Student,
        Resource::Outcome,
        Resource::Course,
        Resource::File,
        Resource::Notification,
        Resource::Page,
    ];
}

impl AppError {
    /// Returns the HTTP status that carries this error.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::InvalidCredentials => 401,
            AppError::LoginThrottled { .. } | AppError::RecoveryThrottled { .. } => 429,
            AppError::RecoveryLinkInvalid => 410,
            AppError::PasswordChangeRequired => 403,
            AppError::InitialPasswordExpired | AppError::CurrentPasswordWrong => 401,
            AppError::Forbidden | AppError::RoleNotActive { .. } => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict
            | AppError::Transition(_)
            | AppError::WindowClosed { .. }
            | AppError::WindowNotOpen { .. }
            | AppError::SelectionSubmitted
            | AppError::SelectionStillOpen { .. }
            | AppError::SemesterExists { .. }
            | AppError::BackupRunning
            | AppError::LoginTaken { .. }
            | AppError::ImportChanged
            | AppError::NoCurrentSemester => 409,
            AppError::BackupUnavailable => 501,
            AppError::StudentNotFound { .. } => 404,
            AppError::File(FileProblem::TooLarge { .. })
            | AppError::ImportFile(ImportFileProblem::TooLarge { .. }) => 413,
            AppError::File(FileProblem::TypeNotAllowed { .. } | FileProblem::WrongSlot { .. }) => {
                415
            }
            AppError::Summary(_)
            | AppError::FailReason(_)
            | AppError::File(_)
            | AppError::NoFile
            | AppError::CourseMissing
            | AppError::LoginMissing
            | AppError::RecoveryContact(_)
            | AppError::RecoveryCodeWrong
            | AppError::SchoolCodeMissing
            | AppError::SchoolCodeUnknown { .. }
            | AppError::Password(_)
            | AppError::InvalidLoginPrefix { .. }
            | AppError::InvalidCredentialDays { .. }
            | AppError::NotEnrolled
            | AppError::UploadLimitReached { .. }
            | AppError::NotSelectable
            | AppError::SelectionLimitReached { .. }
            | AppError::StudentIdentityMissing { .. }
            | AppError::InvalidDate { .. }
            | AppError::InvalidNumber { .. }
            | AppError::WindowReversed { .. }
            | AppError::UnlockReason(_)
            | AppError::UnreadableFileName
            | AppError::ImportFile(_)
            | AppError::ImportHasProblems { .. }
            | AppError::Delegation(_) => 422,
            AppError::UploadAborted | AppError::BadRequest(_) => 400,
            AppError::Internal { .. } => 500,
            AppError::Network(_) => 502,
        }
    }
}
