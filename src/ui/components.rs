//! Small components used on several pages.

use leptos::html;
use leptos::prelude::*;

use super::errors::error_message;
use crate::domain::AppError;
use crate::domain::calendar::UtcMillis;
use crate::domain::files::format_size;
use crate::domain::outcome::{OutcomeStatus, ReviewState, Verdict};
use crate::domain::views::FileInfo;
use crate::i18n::*;

/// Shows a moment as an ROC date and time in Taiwan time, such as 113/02/25 18:10:06, which
/// may break between the date and the time but nowhere else.
#[component]
pub fn DateTime(at: UtcMillis) -> impl IntoView {
    let text = at.to_roc_datetime();
    let (date, time) = text
        .split_once(' ')
        .map(|(d, t)| (d.to_owned(), t.to_owned()))
        .unwrap_or((text.clone(), String::new()));
    view! {
        <time class="datetime">
            <span>{date}</span>
            " "
            <span>{time}</span>
        </time>
    }
}

/// Shows an error as an alert, which screen readers announce.
#[component]
pub fn ErrorNotice(#[prop(into)] error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="notice notice-error" role="alert">{move || error_message(i18n.get_locale(), &error)}</p> }
}

/// Shows a status as students may see it: an undecided or unpublished item is 待認證.
#[component]
pub fn StatusBadge(status: OutcomeStatus) -> impl IntoView {
    let i18n = use_i18n();
    let (class, label) = match status {
        OutcomeStatus::Draft => ("badge badge-draft", t_string!(i18n, status.draft)),
        OutcomeStatus::Pending => ("badge badge-pending", t_string!(i18n, status.pending)),
        OutcomeStatus::Passed => ("badge badge-passed", t_string!(i18n, status.passed)),
        OutcomeStatus::Failed => ("badge badge-failed", t_string!(i18n, status.failed)),
    };
    view! { <span class=class>{label}</span> }
}

/// Shows a state as certifiers see it, such as 通過(未發佈).
#[component]
pub fn ReviewBadge(state: ReviewState) -> impl IntoView {
    let i18n = use_i18n();
    let (class, label) = match state {
        ReviewState::Undecided => ("badge badge-pending", t_string!(i18n, review.undecided)),
        ReviewState::Unpublished(Verdict::Passed) => (
            "badge badge-passed-draft",
            t_string!(i18n, review.passed_unpublished),
        ),
        ReviewState::Unpublished(Verdict::Failed) => (
            "badge badge-failed-draft",
            t_string!(i18n, review.failed_unpublished),
        ),
        ReviewState::Published(Verdict::Passed) => (
            "badge badge-passed",
            t_string!(i18n, review.published_passed),
        ),
        ReviewState::Published(Verdict::Failed) => (
            "badge badge-failed",
            t_string!(i18n, review.published_failed),
        ),
    };
    view! { <span class=class>{label}</span> }
}

/// 檢視 links to an outcome's files, opened in a new tab.
#[component]
pub fn FileLinks(document: Option<FileInfo>, media: Option<FileInfo>) -> impl IntoView {
    let i18n = use_i18n();
    let link = move |file: FileInfo| {
        let label = t_string!(i18n, files.view_named, name = file.name.clone());
        view! {
            <li>
                <a href=file.view_url() target="_blank" rel="noopener" aria-label=label>
                    {t!(i18n, files.view)}
                </a>
                " "
                <span class="file-name">{file.name.clone()}</span>
                " "
                <span class="file-size">"(" {format_size(file.size)} ")"</span>
            </li>
        }
    };
    view! { <ul class="files">{document.map(link)} {media.map(link)}</ul> }
}

/// Renders a modal confirmation on `<dialog>` with a title, a body, and a confirm button that
/// stays disabled while `pending`.
#[component]
pub fn ConfirmDialog(
    /// Unique on the page; names the dialog's title element.
    id: &'static str,
    node_ref: NodeRef<html::Dialog>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] confirm_label: Signal<String>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(optional)] danger: bool,
    on_confirm: Callback<()>,
    /// Runs whenever the dialog closes: by its buttons, by Escape, or by the page.
    #[prop(optional)]
    on_close: Option<Callback<()>>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let confirm_class = if danger {
        "button button-danger"
    } else {
        "button button-primary"
    };
    view! {
        <dialog
            node_ref=node_ref
            class="dialog"
            aria-labelledby=labelled_by
            on:close=move |_| {
                if let Some(on_close) = on_close {
                    on_close.run(());
                }
            }
        >
            <h2 id=title_id>{title}</h2>
            <div class="dialog-body">{children()}</div>
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| super::browser::close_modal(node_ref)>
                    {t!(i18n, common.cancel)}
                </button>
                <button
                    type="button"
                    class=confirm_class
                    disabled=move || pending.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {confirm_label}
                </button>
            </div>
        </dialog>
    }
}
