//! One outcome with its review history: every submission, and each published decision.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::student::load_outcome_detail;
use crate::domain::AppError;
use crate::domain::error::Resource as Missing;
use crate::domain::ids::OutcomeId;
use crate::domain::outcome::Verdict;
use crate::domain::role::Role;
use crate::i18n::*;
use crate::ui::components::{ErrorNotice, FileLinks, StatusBadge};
use crate::ui::format::use_semester_label;
use crate::ui::session::RequireRole;

#[component]
pub fn OutcomeDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let outcome_id = move || {
        params
            .with(|params| params.get("id").and_then(|id| id.parse::<i64>().ok()))
            .map(OutcomeId)
    };
    let detail = Resource::new(outcome_id, |id| async move {
        match id {
            Some(id) => load_outcome_detail(id).await,
            None => Err(AppError::NotFound(Missing::Outcome)),
        }
    });
    let semester_label = use_semester_label();
    view! {
        <Title text=move || t_string!(i18n, detail.title)/>
        <RequireRole role=Role::Student>
            <p><a class="link" href="/student/outcomes">{t!(i18n, detail.back)}</a></p>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(detail) => {
                            let outcome = detail.outcome;
                            view! {
                                <h1>{outcome.subject.clone()} " " <StatusBadge status=outcome.status/></h1>
                                <dl class="facts">
                                    <dt>{t!(i18n, fields.semester)}</dt>
                                    <dd>{semester_label(outcome.semester)}</dd>
                                    <dt>{t!(i18n, fields.credits)}</dt>
                                    <dd>{outcome.credits}</dd>
                                    <dt>{t!(i18n, fields.course_teacher)}</dt>
                                    <dd>{outcome.course_teacher.clone()}</dd>
                                    <dt>{t!(i18n, fields.summary)}</dt>
                                    <dd>{outcome.summary.clone()}</dd>
                                    <dt>{t!(i18n, fields.files)}</dt>
                                    <dd><FileLinks document=outcome.document.clone() media=outcome.media.clone()/></dd>
                                </dl>
                                <h2>{t!(i18n, detail.history)}</h2>
                                {if detail.history.is_empty() {
                                    view! { <p class="empty">{t!(i18n, detail.no_history)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ol class="history">
                                            {detail
                                                .history
                                                .into_iter()
                                                .map(|round| {
                                                    let verdict = match round.verdict {
                                                        Some(Verdict::Passed) => t_string!(i18n, status.passed).to_string(),
                                                        Some(Verdict::Failed) => t_string!(i18n, status.failed).to_string(),
                                                        None => t_string!(i18n, status.pending).to_string(),
                                                    };
                                                    view! {
                                                        <li class="card">
                                                            <p>
                                                                <strong>{t!(i18n, detail.round, round = round.round)}</strong>
                                                                " · " {t!(i18n, fields.submitted_at)} " " {round.submitted_at.to_roc_datetime()}
                                                            </p>
                                                            <p>{round.summary.clone()}</p>
                                                            <FileLinks document=round.document.clone() media=round.media.clone()/>
                                                            <p>
                                                                {t!(i18n, fields.status)} " " {verdict}
                                                                {round.certifier.clone().map(|name| view! { " · " {t!(i18n, fields.certifier)} " " {name} })}
                                                                {round.certifier_for.clone().map(|name| view! { " (" {t!(i18n, delegation.for_teacher, name = name)} ")" })}
                                                                {round.published_at.map(|at| view! { " · " {t!(i18n, fields.certified_at)} " " {at.to_roc_datetime()} })}
                                                            </p>
                                                            {round.reason.clone().map(|reason| view! {
                                                                <p class="fail-reason"><strong>{t!(i18n, student.fail_reason)}</strong>{reason}</p>
                                                            })}
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ol>
                                    }
                                    .into_any()
                                }}
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                    }
                })}
            </Suspense>
        </RequireRole>
    }
}
