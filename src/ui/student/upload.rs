//! 上傳學習成果 and 修改: the form that sends a 簡述 and a document and/or media file to the
//! streaming upload route. It shows the limits before a file is chosen, checks every file in
//! the browser before sending it, and shows a progress bar while sending.

use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::student::{load_outcome_detail, load_upload_context};
use crate::domain::AppError;
use crate::domain::files::{FileProblem, FileRules, FileSlot, format_size};
use crate::domain::ids::OutcomeId;
use crate::domain::role::Role;
use crate::domain::text::{SUMMARY_MAX_CHARS, Summary, char_count};
use crate::domain::views::{OutcomeDetail, UploadContext};
use crate::domain::window::{WindowKind, WindowState};
use crate::i18n::*;
use crate::ui::browser;
use crate::ui::components::{ErrorNotice, FileLinks};
use crate::ui::errors::file_problem_message;
use crate::ui::format::use_semester_label;
use crate::ui::session::RequireRole;

#[component]
pub fn UploadPage() -> impl IntoView {
    let i18n = use_i18n();
    let context = Resource::new(|| (), |_| load_upload_context());
    view! {
        <Title text=move || t_string!(i18n, upload.title)/>
        <RequireRole role=Role::Student>
            <h1>{t!(i18n, upload.title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match context.await {
                        Ok(context) => view! { <OutcomeForm context=context revising=None/> }.into_any(),
                        Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                    }
                })}
            </Suspense>
        </RequireRole>
    }
}

#[component]
pub fn RevisePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let outcome_id = move || {
        params
            .with(|params| params.get("id").and_then(|id| id.parse::<i64>().ok()))
            .map(OutcomeId)
    };
    let data = Resource::new(outcome_id, |id| async move {
        let id = id.ok_or(AppError::NotFound(crate::domain::error::Resource::Outcome))?;
        let context = load_upload_context().await?;
        let detail = load_outcome_detail(id).await?;
        Ok::<_, AppError>((context, detail))
    });
    view! {
        <Title text=move || t_string!(i18n, upload.revise_title)/>
        <RequireRole role=Role::Student>
            <h1>{t!(i18n, upload.revise_title)}</h1>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((context, detail)) => view! { <OutcomeForm context=context revising=Some(detail)/> }.into_any(),
                        Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                    }
                })}
            </Suspense>
        </RequireRole>
    }
}

/// The browser's check of a chosen file.
#[derive(Clone, Debug, PartialEq)]
enum FileCheck {
    Ok { name: String, size: u64 },
    Refused(FileProblem),
}

#[component]
fn OutcomeForm(context: UploadContext, revising: Option<OutcomeDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let semester_label = use_semester_label();
    let query = use_query_map();
    let rules = context.rules;
    let form = NodeRef::<html::Form>::new();
    let document_input = NodeRef::<html::Input>::new();
    let media_input = NodeRef::<html::Input>::new();

    let initial_summary = revising
        .as_ref()
        .map(|detail| detail.outcome.summary.clone())
        .unwrap_or_default();
    let summary = RwSignal::new(initial_summary.clone());
    let course = RwSignal::new(String::new());
    let revising_now = revising.is_some();
    let document_check = RwSignal::new(None::<FileCheck>);
    let media_check = RwSignal::new(None::<FileCheck>);
    let progress = RwSignal::new(None::<f64>);
    // An error from the server, or from a plain form post that came back with `?error=`.
    let error_from_query = query
        .with_untracked(|query| query.get("error"))
        .and_then(|text| serde_json::from_str::<AppError>(&text).ok());
    let error = RwSignal::new(error_from_query);
    let busy = RwSignal::new(false);

    let (action_url, submit_label) = match &revising {
        Some(detail) => (
            format!("/upload/outcomes/{}", detail.outcome.id),
            t_string!(i18n, upload.save_revision).to_string(),
        ),
        None => (
            "/upload/outcomes".to_owned(),
            t_string!(i18n, upload.submit).to_string(),
        ),
    };
    let keeps_files = revising
        .as_ref()
        .is_some_and(|detail| detail.outcome.document.is_some() || detail.outcome.media.is_some());
    // A revision belongs to its own semester, which the upload context does not describe, so
    // only new uploads are held back here; the server checks both.
    let window_refusal = match (&revising, &context.window) {
        (None, Some(window)) => match window.info.state {
            WindowState::Closed { closed_at } => Some(AppError::WindowClosed {
                kind: WindowKind::Student,
                closed_at,
            }),
            WindowState::NotYetOpen { opens_at } => Some(AppError::WindowNotOpen {
                kind: WindowKind::Student,
                opens_at: Some(opens_at),
            }),
            WindowState::Open { .. } => None,
        },
        _ => None,
    };
    let window_closed = window_refusal.is_some();

    let check_file =
        move |slot: FileSlot, input: NodeRef<html::Input>, target: RwSignal<Option<FileCheck>>| {
            leptos::task::spawn_local(async move {
                let checked = browser::read_chosen_file(input).await.map(|file| {
                    match rules.check(slot, &file.name, file.size, &file.head, &file.tail) {
                        Ok(_) => FileCheck::Ok {
                            name: file.name,
                            size: file.size,
                        },
                        Err(problem) => FileCheck::Refused(problem),
                    }
                });
                target.set(checked);
            });
        };

    let action_for_submit = action_url.clone();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if !revising_now && course.get_untracked().is_empty() {
            error.set(Some(AppError::CourseMissing));
            return;
        }
        let summary_result = Summary::parse(&summary.get_untracked());
        if let Err(problem) = summary_result {
            error.set(Some(AppError::Summary(problem)));
            return;
        }
        for check in [document_check.get_untracked(), media_check.get_untracked()]
            .into_iter()
            .flatten()
        {
            if let FileCheck::Refused(problem) = check {
                error.set(Some(AppError::File(problem)));
                return;
            }
        }
        let has_new_file =
            document_check.get_untracked().is_some() || media_check.get_untracked().is_some();
        if !has_new_file && !keeps_files {
            error.set(Some(AppError::NoFile));
            return;
        }
        error.set(None);
        busy.set(true);
        progress.set(Some(0.0));
        let url = action_for_submit.clone();
        leptos::task::spawn_local(async move {
            match browser::upload_form(url, form, move |fraction| progress.set(Some(fraction)))
                .await
            {
                Ok(saved) => {
                    browser::go_to(&format!("/student/outcomes?uploaded={}", saved.outcome_id))
                }
                Err(failure) => {
                    error.set(Some(failure));
                    busy.set(false);
                    progress.set(None);
                }
            }
        });
    };

    let limits = view! {
        <section class="card rules" aria-labelledby="rules-title">
            <h2 id="rules-title">{t!(i18n, upload.rules_title)}</h2>
            <ul>
                <li>{t!(i18n, upload.rule_document, max = format_size(rules.document_max_bytes))}</li>
                <li>{t!(i18n, upload.rule_media, max = format_size(rules.media_max_bytes))}</li>
                <li>{t!(i18n, upload.rule_summary, max = SUMMARY_MAX_CHARS)}</li>
                <li>{t!(i18n, upload.rule_content)}</li>
                {context.upload_limit.map(|max| view! {
                    <li>{t!(i18n, upload.rule_limit, max = max, count = context.uploaded_this_semester)}</li>
                })}
            </ul>
        </section>
    };

    let course_field = match &revising {
        Some(detail) => view! {
            <p class="field-static">
                <span>{t!(i18n, upload.course)}</span>
                <strong>{detail.outcome.subject.clone()}</strong>
            </p>
            <input type="hidden" name="version" value=detail.outcome.version/>
        }
        .into_any(),
        None => {
            let semester = context.semester.map(semester_label).unwrap_or_default();
            view! {
                <label class="field">
                    <span>{t!(i18n, upload.course)} " " <small>{semester}</small></span>
                    <select name="course_id" required on:change=move |event| course.set(event_target_value(&event))>
                        <option value="">{t!(i18n, upload.choose_course)}</option>
                        {context
                            .courses
                            .iter()
                            .map(|course| {
                                let label = format!("{}（{}，{}）", course.subject, course.group_name, course.teacher_name);
                                view! { <option value=course.course_id.0>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
            }
            .into_any()
        }
    };
    let current_files = revising.as_ref().map(|detail| {
        let outcome = detail.outcome.clone();
        view! {
            <div class="current-files">
                <p>{t!(i18n, upload.current_files)}</p>
                <FileLinks document=outcome.document media=outcome.media/>
            </div>
        }
    });

    view! {
        {window_refusal.map(|error| view! { <ErrorNotice error=error/> })}
        {limits}
        <form
            node_ref=form
            class="card stack upload-form"
            method="post"
            action=action_url
            enctype="multipart/form-data"
            // The page checks every field itself, with messages in the page's language.
            novalidate=true
            on:submit=on_submit
        >
            // Outside the window the whole form is disabled, not only its button, so that a
            // student does not fill it in for nothing.
            <fieldset class="plain-fieldset stack" disabled=window_closed>
            {course_field}
            {current_files}
            <FileField
                file_slot=FileSlot::Document
                rules=rules
                input=document_input
                check=document_check
                on_change=Callback::new(move |_| check_file(FileSlot::Document, document_input, document_check))
            />
            <FileField
                file_slot=FileSlot::Media
                rules=rules
                input=media_input
                check=media_check
                on_change=Callback::new(move |_| check_file(FileSlot::Media, media_input, media_check))
            />
            <label class="field">
                <span>{t!(i18n, upload.summary)} " " <small>{t!(i18n, upload.required)}</small></span>
                <textarea
                    name="summary"
                    rows="3"
                    required
                    aria-describedby="summary-count"
                    prop:value=move || summary.get()
                    on:input=move |event| summary.set(event_target_value(&event))
                >
                    {initial_summary}
                </textarea>
                <small
                    id="summary-count"
                    class=move || { if char_count(&summary.get()) > SUMMARY_MAX_CHARS { "counter over" } else { "counter" } }
                >
                    {move || format!("{} / {}", char_count(&summary.get()), SUMMARY_MAX_CHARS)}
                </small>
            </label>
            </fieldset>
            {move || error.get().map(|error| view! { <ErrorNotice error=error/> })}
            {move || progress.get().map(|fraction| {
                let percent = (fraction * 100.0).round() as u32;
                view! {
                    <div class="progress">
                        <progress max="100" value=percent aria-label=move || t_string!(i18n, upload.progress_label)></progress>
                        <span>{t!(i18n, upload.progress, percent = percent)}</span>
                    </div>
                }
            })}
            <p class="hint">{t!(i18n, upload.after_upload_hint)}</p>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || busy.get() || window_closed>
                    {submit_label}
                </button>
                <a class="button" href="/student/outcomes">{t!(i18n, common.cancel)}</a>
            </div>
        </form>
    }
}

#[component]
fn FileField(
    // Not `slot`: the view macro reserves that attribute for Leptos slots.
    file_slot: FileSlot,
    rules: FileRules,
    input: NodeRef<html::Input>,
    check: RwSignal<Option<FileCheck>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let slot = file_slot;
    let label = match slot {
        FileSlot::Document => t_string!(
            i18n,
            upload.document_field,
            max = format_size(rules.document_max_bytes)
        )
        .to_string(),
        FileSlot::Media => t_string!(
            i18n,
            upload.media_field,
            max = format_size(rules.media_max_bytes)
        )
        .to_string(),
    };
    let status_id = format!("{}-status", slot.as_str());
    // The browser's own file button speaks the browser's language, so it is hidden behind a
    // button of ours; the input stays focusable and named by the label.
    let chosen_name = move || match check.get() {
        Some(FileCheck::Ok { name, .. }) => name,
        Some(FileCheck::Refused(problem)) => problem_file_name(&problem).to_owned(),
        None => t_string!(i18n, upload.no_file_chosen).to_string(),
    };
    view! {
        <label class="field">
            <span>{label}</span>
            <span class="file-picker">
                <input
                    node_ref=input
                    class="visually-hidden"
                    type="file"
                    name=slot.as_str()
                    accept=slot.accept_attribute()
                    aria-describedby=status_id.clone()
                    on:change=move |_| on_change.run(())
                />
                <span class="button" aria-hidden="true">{t!(i18n, upload.choose_file)}</span>
                <span class="file-chosen" aria-hidden="true">{chosen_name}</span>
            </span>
            <small id=status_id class="file-status" aria-live="polite">
                {move || match check.get() {
                    Some(FileCheck::Ok { name, size }) => {
                        view! { <span class="ok">{t!(i18n, upload.file_ok, name = name, size = format_size(size))}</span> }.into_any()
                    }
                    Some(FileCheck::Refused(problem)) => {
                        view! { <span class="refused" role="alert">{file_problem_message(i18n.get_locale(), &problem)}</span> }.into_any()
                    }
                    None => ().into_any(),
                }}
            </small>
        </label>
    }
}

fn problem_file_name(problem: &FileProblem) -> &str {
    match problem {
        FileProblem::Empty { file_name, .. }
        | FileProblem::TooLarge { file_name, .. }
        | FileProblem::TypeNotAllowed { file_name, .. }
        | FileProblem::WrongSlot { file_name, .. }
        | FileProblem::Incomplete { file_name, .. } => file_name,
    }
}
