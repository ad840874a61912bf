//! 提交中央資料庫: the submission staff close a school year's ticks into a batch once its
//! selection window is over, and download the batch's export package.

use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::{CloseSelection, load_submission_years};
use crate::domain::calendar::SchoolYear;
use crate::domain::role::Role;
use crate::domain::window::WindowState;
use crate::i18n::*;
use crate::ui::browser;
use crate::ui::components::{ConfirmDialog, DateTime, ErrorNotice};
use crate::ui::session::use_session;

#[component]
pub fn SubmissionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session().session;
    view! {
        <Title text=move || t_string!(i18n, admin.submissions)/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(Some(info)) if info.has_role(Role::SubmissionStaff) || info.has_role(Role::Admin) => view! { <Submissions/> }.into_any(),
                    Ok(Some(_)) => view! { <ErrorNotice error=crate::domain::AppError::Forbidden/> }.into_any(),
                    _ => view! { <leptos_router::components::Redirect path="/login"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Submissions() -> impl IntoView {
    let i18n = use_i18n();
    let close = ServerAction::<CloseSelection>::new();
    let years = Resource::new(move || close.version().get(), |_| load_submission_years());
    let dialog = NodeRef::<html::Dialog>::new();
    let to_close = RwSignal::new(None::<SchoolYear>);
    let confirm = Callback::new(move |_| {
        if let Some(school_year) = to_close.get_untracked() {
            close.dispatch(CloseSelection { school_year });
        }
        browser::close_modal(dialog);
    });
    view! {
        <h1>{t!(i18n, admin.submissions)}</h1>
        <p class="hint">{t!(i18n, submission.rules)}</p>
        {move || close.value().get().map(|result| match result {
            Ok(batch) => view! {
                <p class="notice notice-success" role="status">
                    {t!(i18n, submission.closed_notice, year = batch.school_year.0, rows = batch.row_count)}
                </p>
            }
            .into_any(),
            Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
        })}
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match years.await {
                    Ok(list) => list
                        .into_iter()
                        .map(|year| {
                            let school_year = year.school_year;
                            let window_text = match year.selection.state {
                                WindowState::Closed { closed_at } => t_string!(i18n, selection.closed_at, at = closed_at.to_roc_datetime()).to_string(),
                                WindowState::Open { closes_at: Some(at) } => t_string!(i18n, selection.open_until, at = at.to_roc_datetime()).to_string(),
                                WindowState::Open { closes_at: None } => t_string!(i18n, selection.open).to_string(),
                                WindowState::NotYetOpen { .. } => t_string!(i18n, selection.not_announced).to_string(),
                            };
                            let closed = matches!(year.selection.state, WindowState::Closed { .. });
                            view! {
                                <section class="card" aria-label=t_string!(i18n, admin.selection_year, year = school_year.0).to_string()>
                                    <h2>{t!(i18n, admin.selection_year, year = school_year.0)}</h2>
                                    <p>{t!(i18n, submission.selected, count = year.selected)} " · " {window_text}</p>
                                    {match year.batch {
                                        Some(batch) => view! {
                                            <p>
                                                {t!(i18n, submission.batch, rows = batch.row_count, by = batch.created_by.clone())} " "
                                                <DateTime at=batch.created_at/>
                                            </p>
                                            <a class="button button-primary" href=batch.package_url() download="" rel="external">
                                                {t!(i18n, submission.download)}
                                            </a>
                                        }
                                        .into_any(),
                                        None => view! {
                                            <button
                                                type="button"
                                                class="button button-primary"
                                                disabled=move || !closed || close.pending().get()
                                                on:click=move |_| {
                                                    to_close.set(Some(school_year));
                                                    browser::show_modal(dialog);
                                                }
                                            >
                                                {t!(i18n, submission.close)}
                                            </button>
                                            {(!closed).then(|| view! { <small class="muted">{t!(i18n, submission.wait_for_close)}</small> })}
                                        }
                                        .into_any(),
                                    }}
                                </section>
                            }
                        })
                        .collect_view()
                        .into_any(),
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Transition>
        <ConfirmDialog
            id="close-selection-dialog"
            node_ref=dialog
            title=Signal::derive(move || t_string!(i18n, submission.confirm_title).to_string())
            confirm_label=Signal::derive(move || t_string!(i18n, submission.close).to_string())
            pending=Signal::derive(move || close.pending().get())
            on_confirm=confirm
        >
            <p>{t!(i18n, submission.confirm_body)}</p>
        </ConfirmDialog>
    }
}
