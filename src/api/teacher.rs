//! The course teacher's server functions.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::AppError;
use crate::domain::ids::OutcomeId;
use crate::domain::outcome::Verdict;
use crate::domain::views::{PublishResult, ReviewPage, ReviewQuery, Saved};

#[server(prefix = "/api", endpoint = "review_page", input = Json)]
pub async fn load_review_page(query: ReviewQuery) -> Result<ReviewPage, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::certification::review_page(&state, &user, query).await
    }
    .await;
    super::guard::respond(result)
}

/// Sets or changes 通過 / 不通過 on one or several outcomes, each with the version the page
/// showed; `reason` is required for 不通過.
#[server(prefix = "/api", endpoint = "decide_outcomes", input = Json)]
pub async fn decide_outcomes(
    items: Vec<(OutcomeId, i64)>,
    verdict: Verdict,
    reason: String,
) -> Result<Vec<Saved>, AppError> {
    use crate::server::services::certification::{self, Decision};
    let result = async {
        let (state, user) = super::guard::user().await?;
        certification::decide(
            &state,
            &user,
            Decision {
                items,
                verdict,
                reason,
            },
        )
        .await
    }
    .await;
    super::guard::respond(result)
}

/// 發佈 of one or the selected outcomes, each with the version the page showed.
#[server(prefix = "/api", endpoint = "publish_outcomes", input = Json)]
pub async fn publish_outcomes(items: Vec<(OutcomeId, i64)>) -> Result<PublishResult, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::certification::publish(&state, &user, &items).await
    }
    .await;
    super::guard::respond(result)
}

/// 全部發佈 under the list's filters.
#[server(prefix = "/api", endpoint = "publish_all", input = Json)]
pub async fn publish_all(query: ReviewQuery) -> Result<PublishResult, AppError> {
    let result = async {
        let (state, user) = super::guard::user().await?;
        crate::server::services::certification::publish_all(&state, &user, &query).await
    }
    .await;
    super::guard::respond(result)
}
