//! Server functions of administrators and submission staff.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::AppError;
use crate::domain::calendar::{SchoolYear, SemesterCode};
use crate::domain::ids::SemesterId;
use crate::domain::views::{
    AdminWindows, AuditPage, AuditQuery, BackupStatus, SubmissionBatch, SubmissionYear, UnlockRow,
};

/// The inputs of the administrator's forms, shared with the server.
pub use crate::domain::admin_inputs::{
    NewSemesterInput, SelectionWindowInput, SemesterWindowsInput, UnlockInput,
};

#[server(prefix = "/api", endpoint = "admin_windows")]
pub async fn load_admin_windows() -> Result<AdminWindows, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::admin::windows_page(&state, &user).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "update_semester_windows", input = Json)]
pub async fn update_semester_windows(input: SemesterWindowsInput) -> Result<(), AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::admin::update_semester_windows(&state, &user, input).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "update_selection_window", input = Json)]
pub async fn update_selection_window(input: SelectionWindowInput) -> Result<(), AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::admin::update_selection_window(&state, &user, input).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "create_semester", input = Json)]
pub async fn create_semester(input: NewSemesterInput) -> Result<SemesterId, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::admin::create_semester(&state, &user, input).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "make_current_semester")]
pub async fn make_current_semester(semester: SemesterId) -> Result<(), AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::admin::set_current_semester(&state, &user, semester).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "unlocks")]
pub async fn load_unlocks() -> Result<Vec<UnlockRow>, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::admin::unlocks(&state, &user).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "create_unlock", input = Json)]
pub async fn create_unlock(input: UnlockInput) -> Result<(), AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::admin::create_unlock(&state, &user, input).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "audit", input = Json)]
pub async fn load_audit(query: AuditQuery) -> Result<AuditPage, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::admin::audit_page(&state, &user, query).await
    }
    .await;
    super::guard::respond(result)
}

/// Returns the semester that imports write into; `None` when the school has no current one.
#[server(prefix = "/api", endpoint = "import_target")]
pub async fn load_import_target() -> Result<Option<SemesterCode>, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::imports::target_semester(&state, &user).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "submission_years")]
pub async fn load_submission_years() -> Result<Vec<SubmissionYear>, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::submissions::overview(&state, &user).await
    }
    .await;
    super::guard::respond(result)
}

/// Closes a school year's selection into a batch for the central database.
#[server(prefix = "/api", endpoint = "close_selection", input = Json)]
pub async fn close_selection(school_year: SchoolYear) -> Result<SubmissionBatch, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::submissions::close_year(&state, &user, school_year).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "backup_status")]
pub async fn load_backup_status() -> Result<BackupStatus, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::backups::status(&state, &user).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "start_backup")]
pub async fn start_backup() -> Result<(), AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::backups::start(&state, &user).await
    }
    .await;
    super::guard::respond(result)
}
