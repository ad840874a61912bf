//! 我的學習成果: every outcome by semester with its status, the summary line and the deadline,
//! the student's actions (送出認證, 修改, 刪除), and 勾選 for the central database.

use leptos::html;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::student::{DeleteOutcome, SetSelection, SubmitOutcome, my_outcomes};
use crate::domain::AppError;
use crate::domain::ids::OutcomeId;
use crate::domain::outcome::OutcomeStatus;
use crate::domain::role::Role;
use crate::domain::views::{SelectionSummary, StudentOutcome, StudentSemester, StudentWindow};
use crate::domain::window::{WindowKind, WindowState};
use crate::i18n::*;
use crate::ui::browser;
use crate::ui::components::{ConfirmDialog, DateTime, ErrorNotice, FileLinks, StatusBadge};
use crate::ui::errors::error_message;
use crate::ui::format::use_semester_label;
use crate::ui::session::{RequireRole, use_session};

/// Returns the start of a 簡述, enough to tell two outcomes of one subject apart.
fn snippet(summary: &str) -> String {
    const LENGTH: usize = 16;
    let mut chars = summary.chars();
    let start: String = chars.by_ref().take(LENGTH).collect();
    if chars.next().is_some() {
        format!("{start}…")
    } else {
        start
    }
}

#[component]
pub fn MyOutcomesPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, student.title)/>
        <RequireRole role=Role::Student>
            <MyOutcomes/>
        </RequireRole>
    }
}

#[component]
fn MyOutcomes() -> impl IntoView {
    let i18n = use_i18n();
    let submit = ServerAction::<SubmitOutcome>::new();
    let delete = ServerAction::<DeleteOutcome>::new();
    let select = ServerAction::<SetSelection>::new();
    let unread = use_session().unread;
    // Reloaded after each action, and whenever the unread count changes: a publication that
    // lights the bubble also changes this list.
    let overview = Resource::new(
        move || {
            (
                submit.version().get(),
                delete.version().get(),
                select.version().get(),
                unread.get(),
            )
        },
        |_| my_outcomes(),
    );
    let query = use_query_map();
    let uploaded = move || query.with(|query| query.get("uploaded").is_some());

    // The outcome a confirmation dialog is about.
    let to_submit = RwSignal::new(None::<StudentOutcome>);
    let to_delete = RwSignal::new(None::<StudentOutcome>);
    let submit_dialog = NodeRef::<html::Dialog>::new();
    let delete_dialog = NodeRef::<html::Dialog>::new();

    let confirm_submit = Callback::new(move |_| {
        if let Some(outcome) = to_submit.get_untracked() {
            submit.dispatch(SubmitOutcome {
                outcome_id: outcome.id,
                version: outcome.version,
            });
        }
        browser::close_modal(submit_dialog);
    });
    let confirm_delete = Callback::new(move |_| {
        if let Some(outcome) = to_delete.get_untracked() {
            delete.dispatch(DeleteOutcome {
                outcome_id: outcome.id,
                version: outcome.version,
            });
        }
        browser::close_modal(delete_dialog);
    });
    let ask_submit = Callback::new(move |outcome: StudentOutcome| {
        to_submit.set(Some(outcome));
        browser::show_modal(submit_dialog);
    });
    let ask_delete = Callback::new(move |outcome: StudentOutcome| {
        to_delete.set(Some(outcome));
        browser::show_modal(delete_dialog);
    });
    let busy = Signal::derive(move || {
        submit.pending().get() || delete.pending().get() || select.pending().get()
    });
    // The result of the latest action, shown above the list.
    let last_result = RwSignal::new(None::<Result<&'static str, AppError>>);
    Effect::new(move |_| {
        if let Some(result) = submit.value().get() {
            last_result.set(Some(result.map(|_| "submitted")));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = delete.value().get() {
            last_result.set(Some(result.map(|_| "deleted")));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = select.value().get() {
            last_result.set(Some(result.map(|_| "selected")));
        }
    });
    let toggle_selection = Callback::new(move |(outcome_id, selected): (OutcomeId, bool)| {
        select.dispatch(SetSelection {
            outcome_id,
            selected,
        });
    });
    let action_error = move || last_result.get().and_then(Result::err);
    let submitted_notice = move || matches!(last_result.get(), Some(Ok("submitted")));
    let deleted_notice = move || matches!(last_result.get(), Some(Ok("deleted")));

    view! {
        <div class="page-head">
            <h1>{t!(i18n, student.title)}</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let overview = overview.await.ok()?;
                    let current = overview.current_semester?;
                    let window = overview
                        .semesters
                        .iter()
                        .find(|group| group.counts.semester == Some(current))
                        .map(|group| group.window.info);
                    let reason = window.and_then(|info| closed_reason(i18n.get_locale_untracked(), info.state));
                    Some(match reason {
                        None => view! {
                            <a class="button button-primary" href="/student/outcomes/new">{t!(i18n, student.upload_button)}</a>
                        }
                        .into_any(),
                        Some(reason) => view! {
                            <div class="head-action">
                                <button type="button" class="button button-primary" disabled=true aria-describedby="upload-closed">
                                    {t!(i18n, student.upload_button)}
                                </button>
                                <small id="upload-closed" class="locked-reason">{reason}</small>
                            </div>
                        }
                        .into_any(),
                    })
                })}
            </Transition>
        </div>
        // The upload's notice gives way to the notice of the next step (送出認證, delete).
        <Show when=move || uploaded() && last_result.get().is_none()>
            <p class="notice notice-warning" role="status">{t!(i18n, student.uploaded_notice)}</p>
        </Show>
        <Show when=submitted_notice>
            <p class="notice notice-success" role="status">{t!(i18n, student.submitted_notice)}</p>
        </Show>
        <Show when=deleted_notice>
            <p class="notice notice-success" role="status">{t!(i18n, student.deleted_notice)}</p>
        </Show>
        {move || action_error().map(|error| view! { <ErrorNotice error=error/> })}
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => {
                        // Drafts that can still be submitted, and those whose window has passed.
                        let open_drafts: u64 = overview
                            .semesters
                            .iter()
                            .filter(|group| group.window.info.is_open())
                            .map(|group| group.counts.draft)
                            .sum();
                        let late_drafts: u64 = overview
                            .semesters
                            .iter()
                            .filter(|group| matches!(group.window.info.state, WindowState::Closed { .. }))
                            .map(|group| group.counts.draft)
                            .sum();
                        let draft_deadline = overview
                            .semesters
                            .iter()
                            .filter(|group| group.counts.draft > 0)
                            .find_map(|group| match group.window.info.state {
                                WindowState::Open { closes_at: Some(at) } => Some(at.to_roc_datetime()),
                                _ => None,
                            });
                        let selections = overview.selections.clone();
                        view! {
                            <Show when=move || { open_drafts > 0 }>
                                <p class="notice notice-warning" role="note">
                                    {t!(i18n, student.drafts_warning, count = open_drafts)}
                                    {draft_deadline.clone().map(|at| view! { " " {t!(i18n, student.drafts_deadline, at = at)} })}
                                </p>
                            </Show>
                            <Show when=move || { late_drafts > 0 }>
                                <p class="notice notice-warning" role="note">{t!(i18n, student.drafts_late, count = late_drafts)}</p>
                            </Show>
                            <SelectionCard selections=selections.clone()/>
                            {overview
                                .semesters
                                .into_iter()
                                .map(|group| {
                                    let year = group.counts.semester.map(|code| code.school_year);
                                    let selection = selections.iter().find(|summary| Some(summary.school_year) == year).cloned();
                                    view! {
                                        <SemesterSection
                                            group=group
                                            selection=selection
                                            ask_submit=ask_submit
                                            ask_delete=ask_delete
                                            toggle_selection=toggle_selection
                                            busy=busy
                                        />
                                    }
                                })
                                .collect_view()}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Transition>
        <ConfirmDialog
            id="submit-dialog"
            node_ref=submit_dialog
            title=Signal::derive(move || t_string!(i18n, student.submit_confirm_title).to_string())
            confirm_label=Signal::derive(move || t_string!(i18n, student.submit_confirm).to_string())
            pending=busy
            on_confirm=confirm_submit
        >
            <p>
                {move || to_submit.get().map(|outcome| {
                    t_string!(i18n, student.submit_confirm_body, subject = outcome.subject, summary = snippet(&outcome.summary)).to_string()
                })}
            </p>
        </ConfirmDialog>
        <ConfirmDialog
            id="delete-dialog"
            node_ref=delete_dialog
            title=Signal::derive(move || t_string!(i18n, student.delete_confirm_title).to_string())
            confirm_label=Signal::derive(move || t_string!(i18n, student.delete_confirm).to_string())
            pending=busy
            danger=true
            on_confirm=confirm_delete
        >
            <p>
                {move || to_delete.get().map(|outcome| {
                    t_string!(i18n, student.delete_confirm_body, subject = outcome.subject, summary = snippet(&outcome.summary)).to_string()
                })}
            </p>
        </ConfirmDialog>
    }
}

/// 勾選: how many outcomes each school year has ticked out of the limit, and the window.
#[component]
fn SelectionCard(selections: Vec<SelectionSummary>) -> impl IntoView {
    let i18n = use_i18n();
    if selections.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="card selection-card" aria-labelledby="selection-title">
            <h2 id="selection-title">{t!(i18n, selection.title)}</h2>
            <ul>
                {selections
                    .into_iter()
                    .map(|summary| {
                        let line = t_string!(
                            i18n,
                            selection.count,
                            year = summary.school_year.0,
                            max = summary.max,
                            selected = summary.selected
                        )
                        .to_string();
                        let state = if summary.submitted {
                            t_string!(i18n, selection.submitted).to_string()
                        } else {
                            match summary.window.state {
                                WindowState::Open { closes_at: Some(at) } => {
                                    t_string!(i18n, selection.open_until, at = at.to_roc_datetime()).to_string()
                                }
                                WindowState::Open { closes_at: None } => t_string!(i18n, selection.open).to_string(),
                                WindowState::NotYetOpen { opens_at } if summary.window.window.opens_at.is_some() => {
                                    t_string!(i18n, selection.opens_at, at = opens_at.to_roc_datetime()).to_string()
                                }
                                WindowState::NotYetOpen { .. } => t_string!(i18n, selection.not_announced).to_string(),
                                WindowState::Closed { closed_at } => {
                                    t_string!(i18n, selection.closed_at, at = closed_at.to_roc_datetime()).to_string()
                                }
                            }
                        };
                        view! {
                            <li>
                                <strong class="selection-count">{line}</strong>
                                " "
                                <span class="muted-inline">{state}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="hint">
                {t!(i18n, selection.hint)} " "
                <a href="/student/submissions">{t!(i18n, selection.records_link)}</a>
            </p>
        </section>
    }
    .into_any()
}

/// The semester's deadline for uploading and 送出認證, or why it is closed.
#[component]
fn WindowNote(window: StudentWindow) -> impl IntoView {
    let i18n = use_i18n();
    let (class, text) = match (window.info.state, &window.unlock_reason) {
        (
            WindowState::Open {
                closes_at: Some(at),
            },
            Some(reason),
        ) => (
            "window-note unlocked",
            t_string!(
                i18n,
                window.unlocked_until,
                at = at.to_roc_datetime(),
                reason = reason.clone()
            )
            .to_string(),
        ),
        (
            WindowState::Open {
                closes_at: Some(at),
            },
            None,
        ) => {
            let days = (at.0 - crate::domain::calendar::UtcMillis::now().0).max(0) / 86_400_000;
            (
                "window-note",
                t_string!(
                    i18n,
                    window.open_until,
                    at = at.to_roc_datetime(),
                    days = days
                )
                .to_string(),
            )
        }
        (WindowState::Open { closes_at: None }, _) => {
            ("window-note", t_string!(i18n, window.open).to_string())
        }
        (WindowState::NotYetOpen { opens_at }, _) => (
            "window-note closed",
            t_string!(i18n, window.opens_at, at = opens_at.to_roc_datetime()).to_string(),
        ),
        (WindowState::Closed { closed_at }, _) => (
            "window-note closed",
            error_message(
                i18n.get_locale_untracked(),
                &AppError::WindowClosed {
                    kind: WindowKind::Student,
                    closed_at,
                },
            ),
        ),
    };
    view! { <p class=class role="note">{text}</p> }
}

/// What the 勾選 box of an outcome may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SelectionRules {
    /// The window is open and the year not yet submitted.
    open: bool,
    /// The limit is reached, so only unticking is possible.
    full: bool,
}

impl SelectionRules {
    fn of(summary: Option<&SelectionSummary>) -> Self {
        match summary {
            Some(summary) => SelectionRules {
                open: summary.window.is_open() && !summary.submitted,
                full: summary.selected >= summary.max,
            },
            None => SelectionRules {
                open: false,
                full: false,
            },
        }
    }
}

#[component]
fn SemesterSection(
    group: StudentSemester,
    selection: Option<SelectionSummary>,
    ask_submit: Callback<StudentOutcome>,
    ask_delete: Callback<StudentOutcome>,
    toggle_selection: Callback<(OutcomeId, bool)>,
    busy: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let window = group.window.clone();
    let window_open = window.info.is_open();
    let closed_reason = closed_reason(i18n.get_locale_untracked(), window.info.state);
    let rules = SelectionRules::of(selection.as_ref());
    let semester_label = use_semester_label();
    let counts = group.counts;
    let code = counts
        .semester
        .map(|code| code.to_string())
        .unwrap_or_default();
    let title = counts.semester.map(semester_label).unwrap_or_default();
    let heading_id = format!("semester-{code}");
    let labelled_by = heading_id.clone();
    view! {
        <section class="semester" aria-labelledby=labelled_by>
            <h2 id=heading_id>{title}</h2>
            <WindowNote window=window/>
            <p class="summary-line">
                // One text node, so the line reads (and copies) as written.
                {t_string!(
                    i18n,
                    student.summary_line,
                    pending = counts.pending,
                    passed = counts.passed,
                    failed = counts.failed
                )
                .to_string()}
                <Show when=move || { counts.draft > 0 }>
                    " " <span class="draft-count">{t!(i18n, student.summary_drafts, count = counts.draft)}</span>
                </Show>
            </p>
            {if group.outcomes.is_empty() {
                view! { <p class="empty">{t!(i18n, student.empty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                    <table class="outcomes responsive">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, fields.status)}</th>
                                <th scope="col">{t!(i18n, fields.school_year)}</th>
                                <th scope="col">{t!(i18n, fields.semester)}</th>
                                <th scope="col">{t!(i18n, fields.subject)}</th>
                                <th scope="col">{t!(i18n, fields.credits)}</th>
                                <th scope="col">{t!(i18n, fields.course_teacher)}</th>
                                <th scope="col">{t!(i18n, fields.summary)}</th>
                                <th scope="col">{t!(i18n, fields.files)}</th>
                                <th scope="col">{t!(i18n, fields.submitted_at)}</th>
                                <th scope="col">{t!(i18n, fields.certifier)}</th>
                                <th scope="col">{t!(i18n, fields.certified_at)}</th>
                                <th scope="col">{t!(i18n, selection.column)}</th>
                                <th scope="col">{t!(i18n, fields.actions)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {group
                                .outcomes
                                .into_iter()
                                .map(|outcome| {
                                    view! {
                                        <OutcomeRow
                                            outcome=outcome
                                            window_open=window_open
                                            closed_reason=closed_reason.clone()
                                            selection=rules
                                            ask_submit=ask_submit
                                            ask_delete=ask_delete
                                            toggle_selection=toggle_selection
                                            busy=busy
                                        />
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

/// Returns the reason shown beside the disabled buttons of a semester whose window is not
/// open, such as 已截止，截止時間 114/02/28 23:59:59, or `None` while it is open.
fn closed_reason(locale: Locale, state: WindowState) -> Option<String> {
    match state {
        WindowState::Closed { closed_at } => Some(error_message(
            locale,
            &AppError::WindowClosed {
                kind: WindowKind::Student,
                closed_at,
            },
        )),
        WindowState::NotYetOpen { opens_at } => {
            Some(td_string!(locale, window.opens_at, at = opens_at.to_roc_datetime()).to_string())
        }
        WindowState::Open { .. } => None,
    }
}

#[allow(clippy::too_many_arguments)]
#[component]
fn OutcomeRow(
    outcome: StudentOutcome,
    window_open: bool,
    closed_reason: Option<String>,
    selection: SelectionRules,
    ask_submit: Callback<StudentOutcome>,
    ask_delete: Callback<StudentOutcome>,
    toggle_selection: Callback<(OutcomeId, bool)>,
    busy: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let status = outcome.status;
    let editable = matches!(status, OutcomeStatus::Draft | OutcomeStatus::Failed);
    let locked = editable && !window_open;
    let actions_enabled = editable && window_open;
    let selected = outcome.selected;
    let selection_box = if status == OutcomeStatus::Passed {
        let enabled = selection.open && (selected || !selection.full);
        let label = t_string!(
            i18n,
            selection.tick_named,
            subject = outcome.subject.clone(),
            summary = snippet(&outcome.summary)
        )
        .to_string();
        let id = outcome.id;
        let note = if outcome.submitted {
            Some(t_string!(i18n, selection.sent).to_string())
        } else if !selection.open {
            None
        } else if !selected && selection.full {
            Some(t_string!(i18n, selection.full).to_string())
        } else {
            None
        };
        view! {
            <label class="tick">
                <input
                    type="checkbox"
                    aria-label=label
                    prop:checked=selected
                    disabled=move || !enabled || busy.get()
                    on:change=move |event| toggle_selection.run((id, event_target_checked(&event)))
                />
                <span aria-hidden="true">{t!(i18n, selection.tick)}</span>
            </label>
            {note.map(|note| view! { <small class="muted">{note}</small> })}
        }
        .into_any()
    } else {
        view! { <span class="muted-inline">"—"</span> }.into_any()
    };
    let row_class = match status {
        OutcomeStatus::Draft => "outcome outcome-draft",
        OutcomeStatus::Failed => "outcome outcome-failed",
        _ => "outcome",
    };
    let dash = || "—".to_owned();
    let for_submit = outcome.clone();
    let for_delete = outcome.clone();
    let short = snippet(&outcome.summary);
    let submit_label = t_string!(
        i18n,
        student.submit_named,
        subject = outcome.subject.clone(),
        summary = short.clone()
    )
    .to_string();
    let revise_label = t_string!(
        i18n,
        student.revise_named,
        subject = outcome.subject.clone(),
        summary = short.clone()
    )
    .to_string();
    let delete_label = t_string!(
        i18n,
        student.delete_named,
        subject = outcome.subject.clone(),
        summary = short
    )
    .to_string();
    let detail_href = format!("/student/outcomes/{}", outcome.id);
    let (id, version) = (outcome.id, outcome.version);
    let revise_href = format!("/student/outcomes/{}/revise", outcome.id);
    let locked_id = format!("locked-{}", outcome.id);
    let (locked_submit, locked_revise, locked_delete) = (
        submit_label.clone(),
        revise_label.clone(),
        delete_label.clone(),
    );
    view! {
        <tr class=row_class>
            <td data-label=move || t_string!(i18n, fields.status)>
                <StatusBadge status=status/>
                <Show when=move || status == OutcomeStatus::Draft>
                    <span class="draft-hint">{t!(i18n, student.draft_hint)}</span>
                </Show>
            </td>
            <td data-label=move || t_string!(i18n, fields.school_year)>{outcome.semester.school_year.0}</td>
            <td data-label=move || t_string!(i18n, fields.semester)>{outcome.semester.semester.number()}</td>
            <td data-label=move || t_string!(i18n, fields.subject) class="subject">{outcome.subject.clone()}</td>
            <td data-label=move || t_string!(i18n, fields.credits)>{outcome.credits}</td>
            <td data-label=move || t_string!(i18n, fields.course_teacher)>{outcome.course_teacher.clone()}</td>
            <td data-label=move || t_string!(i18n, fields.summary) class="summary">
                {outcome.summary.clone()}
                {outcome.fail_reason.clone().map(|reason| view! {
                    <p class="fail-reason">
                        <strong>{t!(i18n, student.fail_reason)}</strong>
                        {reason}
                    </p>
                })}
            </td>
            <td data-label=move || t_string!(i18n, fields.files)>
                <FileLinks document=outcome.document.clone() media=outcome.media.clone()/>
            </td>
            <td data-label=move || t_string!(i18n, fields.submitted_at) class="when">
                {match outcome.submitted_at {
                    Some(at) => view! { <DateTime at=at/> }.into_any(),
                    None => dash().into_any(),
                }}
            </td>
            <td data-label=move || t_string!(i18n, fields.certifier)>
                <span>
                    {outcome.certifier.clone().unwrap_or_else(dash)}
                    {outcome.certifier_for.clone().map(|name| view! { " " <small class="muted">{t!(i18n, delegation.for_teacher, name = name)}</small> })}
                </span>
            </td>
            <td data-label=move || t_string!(i18n, fields.certified_at) class="when">
                {match outcome.certified_at {
                    Some(at) => view! { <DateTime at=at/> }.into_any(),
                    None => dash().into_any(),
                }}
            </td>
            <td data-label=move || t_string!(i18n, selection.column)>{selection_box}</td>
            <td data-label=move || t_string!(i18n, fields.actions) class="actions">
                // Outside the window the buttons stay in place, disabled, with the reason.
                <Show when=move || locked>
                    <button type="button" class="button button-primary" disabled=true aria-label=locked_submit.clone() aria-describedby=locked_id.clone()>
                        {t!(i18n, student.submit)}
                    </button>
                    <button type="button" class="button" disabled=true aria-label=locked_revise.clone() aria-describedby=locked_id.clone()>
                        {t!(i18n, student.revise)}
                    </button>
                    <button type="button" class="button button-danger-outline" disabled=true aria-label=locked_delete.clone() aria-describedby=locked_id.clone()>
                        {t!(i18n, student.delete)}
                    </button>
                    <small class="locked-reason" id=locked_id.clone()>{closed_reason.clone()}</small>
                </Show>
                // Plain forms posting to the server functions, so the buttons work before the
                // script loads; with the script, a confirmation dialog comes first.
                <Show when=move || actions_enabled>
                    <form
                        method="post"
                        action=SubmitOutcome::PATH
                        class="inline-form"
                        on:submit={
                            let outcome = for_submit.clone();
                            move |event: leptos::ev::SubmitEvent| {
                                event.prevent_default();
                                ask_submit.run(outcome.clone());
                            }
                        }
                    >
                        <input type="hidden" name="outcome_id" value=id.0/>
                        <input type="hidden" name="version" value=version/>
                        <button type="submit" class="button button-primary" aria-label=submit_label.clone() disabled=move || busy.get()>
                            {t!(i18n, student.submit)}
                        </button>
                    </form>
                    <a class="button" href=revise_href.clone() aria-label=revise_label.clone()>{t!(i18n, student.revise)}</a>
                    <form
                        method="post"
                        action=DeleteOutcome::PATH
                        class="inline-form"
                        on:submit={
                            let outcome = for_delete.clone();
                            move |event: leptos::ev::SubmitEvent| {
                                event.prevent_default();
                                ask_delete.run(outcome.clone());
                            }
                        }
                    >
                        <input type="hidden" name="outcome_id" value=id.0/>
                        <input type="hidden" name="version" value=version/>
                        <button type="submit" class="button button-danger-outline" aria-label=delete_label.clone() disabled=move || busy.get()>
                            {t!(i18n, student.delete)}
                        </button>
                    </form>
                </Show>
                <a class="link" href=detail_href.clone()>{t!(i18n, student.history)}</a>
            </td>
        </tr>
    }
}
