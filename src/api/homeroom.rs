//! Server functions of the 導師 (homeroom teacher): read only, own homerooms only.

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::homeroom::{HomeroomPage, StudentRecord};
use crate::domain::ids::{HomeroomId, UserId};

/// Returns the homeroom page of `homeroom`, or of the caller's newest homeroom when `None`.
#[server(prefix = "/api", endpoint = "homeroom_page")]
pub async fn load_homeroom_page(homeroom: Option<HomeroomId>) -> Result<HomeroomPage, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::homeroom::page(&state, &user, homeroom).await
    }
    .await;
    super::guard::respond(result)
}

/// Returns a student's record in a homeroom the caller leads, for the page and the
/// 歷程確認單.
#[server(prefix = "/api", endpoint = "homeroom_student")]
pub async fn load_student_record(
    homeroom: HomeroomId,
    student: UserId,
) -> Result<StudentRecord, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::homeroom::student_record(&state, &user, homeroom, student).await
    }
    .await;
    super::guard::respond(result)
}
