//! Server functions of 代理人 (delegates): course teachers for their own courses,
//! administrators for every course of the school.

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::delegation::DelegationPage;
use crate::domain::ids::CourseId;

#[server(prefix = "/api", endpoint = "delegation_page")]
pub async fn load_delegation_page() -> Result<DelegationPage, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::delegations::page(&state, &user).await
    }
    .await;
    super::guard::respond(result)
}

/// Names `delegate_login` as the delegate of a course from `starts_on` through `ends_on`
/// (dates as typed: `113/09/01` or `2024-09-01`); returns the new delegation's id.
#[server(prefix = "/api", endpoint = "add_delegation")]
pub async fn add_delegation(
    course_id: CourseId,
    delegate_login: String,
    starts_on: String,
    ends_on: String,
) -> Result<i64, AppError> {
    use crate::domain::delegation::NewDelegation;
    let result = async {
        let (state, user) = super::guard::user().await?;
        let input = NewDelegation {
            course_id,
            delegate_login,
            starts_on,
            ends_on,
        };
        crate::server::services::delegations::add(&state, &user, input).await
    }
    .await;
    super::guard::respond(result)
}

#[server(prefix = "/api", endpoint = "remove_delegation")]
pub async fn remove_delegation(delegation_id: i64) -> Result<(), AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::delegations::remove(&state, &user, delegation_id).await
    }
    .await;
    super::guard::respond(result)
}
