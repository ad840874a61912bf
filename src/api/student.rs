//! The student's server functions. Uploads and revisions go through the streaming route
//! `/upload/outcomes` instead, because they carry files.

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::ids::OutcomeId;
use crate::domain::views::{OutcomeDetail, Saved, StudentOverview, UploadContext};

#[server(prefix = "/api", endpoint = "upload_context")]
pub async fn load_upload_context() -> Result<UploadContext, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::outcomes::upload_context(&state, &user).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "my_outcomes")]
pub async fn my_outcomes() -> Result<StudentOverview, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::outcomes::overview(&state, &user).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "outcome_detail")]
pub async fn load_outcome_detail(outcome_id: OutcomeId) -> Result<OutcomeDetail, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::outcomes::detail(&state, &user, outcome_id).await
    }
    .await;
    super::guard::respond(result)
}

/// 送出認證.
#[server(prefix = "/api", endpoint = "submit_outcome")]
pub async fn submit_outcome(outcome_id: OutcomeId, version: i64) -> Result<Saved, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::outcomes::submit(&state, &user, outcome_id, version).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "delete_outcome")]
pub async fn delete_outcome(outcome_id: OutcomeId, version: i64) -> Result<(), AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::outcomes::delete(&state, &user, outcome_id, version).await
    }
    .await;
    super::guard::respond(result)
}

/// Ticks (勾選) or unticks an outcome for the central database.
#[server(prefix = "/api", endpoint = "set_selection")]
pub async fn set_selection(outcome_id: OutcomeId, selected: bool) -> Result<(), AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::selection::set_selected(&state, &user, outcome_id, selected).await
    }
    .await;
    super::guard::respond(result)
}

/// What was sent to the central database for the student (查詢學習成果提交中央資料庫紀錄).
#[server(prefix = "/api", endpoint = "submission_records")]
pub async fn my_submission_records() -> Result<Vec<crate::domain::views::SubmissionRecord>, AppError>
{
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::submissions::student_records(&state, &user).await
    }
    .await;
    super::guard::respond(result)
}
