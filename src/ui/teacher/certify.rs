//! 認證學習成果: the outcomes submitted to the teacher's courses, filtered and paged, with
//! 通過 / 不通過 per row or for the selection, 發佈, 全部發佈 and inline previews.

use std::collections::BTreeMap;

use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::components::Form;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::query::{from_params, to_href};
use crate::api::teacher::{DecideOutcomes, PublishAll, PublishOutcomes, load_review_page};
use crate::domain::AppError;
use crate::domain::files::PreviewKind;
use crate::domain::ids::OutcomeId;
use crate::domain::outcome::{ReviewCounts, ReviewFilter, ReviewState, Verdict};
use crate::domain::paging::{PAGE_SIZES, PageRequest, last_page};
use crate::domain::role::Role;
use crate::domain::text::{REASON_MAX_CHARS, char_count};
use crate::domain::views::{FileInfo, PublishResult, ReviewPage, ReviewQuery, ReviewRow};
use crate::domain::window::WindowState;
use crate::i18n::*;
use crate::ui::browser;
use crate::ui::components::{ConfirmDialog, DateTime, ErrorNotice, ReviewBadge};
use crate::ui::format::use_semester_label;
use crate::ui::session::RequireRole;

#[component]
pub fn CertifyPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, certify.title)/>
        <RequireRole role=Role::Teacher>
            <Certify/>
        </RequireRole>
    }
}

/// The actions of the page, shared with its rows.
#[derive(Clone, Copy)]
struct Actions {
    decide: ServerAction<DecideOutcomes>,
    publish: ServerAction<PublishOutcomes>,
    /// Rows ticked with 選取, with the version each showed.
    selected: RwSignal<BTreeMap<OutcomeId, i64>>,
    /// The rows a 不通過 dialog is about, and how the dialog names them when it is one row.
    to_fail: RwSignal<Vec<(OutcomeId, i64)>>,
    to_fail_label: RwSignal<Option<String>>,
    fail_dialog: NodeRef<html::Dialog>,
    fail_dialog_open: RwSignal<bool>,
    preview: RwSignal<Option<FileInfo>>,
    preview_dialog: NodeRef<html::Dialog>,
    busy: Signal<bool>,
}

#[component]
fn Certify() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(from_params));

    let decide = ServerAction::<DecideOutcomes>::new();
    let publish = ServerAction::<PublishOutcomes>::new();
    let publish_all = ServerAction::<PublishAll>::new();
    let page = Resource::new(
        move || {
            (
                query.get(),
                decide.version().get(),
                publish.version().get(),
                publish_all.version().get(),
            )
        },
        |(query, ..)| load_review_page(query),
    );
    // When the page asked for lies past the end (rows left the filter), the server shows the
    // last page; the address follows, so reloading and the page links agree with the screen.
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(shown)) = page.get()
            && shown.query.page != query.get_untracked().page
        {
            navigate(
                &to_href(&shown.query),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    let selected = RwSignal::new(BTreeMap::new());
    // A new list means new versions: the old selection no longer applies.
    Effect::new(move |_| {
        page.track();
        selected.set(BTreeMap::new());
    });
    let busy = Signal::derive(move || {
        decide.pending().get() || publish.pending().get() || publish_all.pending().get()
    });
    let actions = Actions {
        decide,
        publish,
        selected,
        to_fail: RwSignal::new(Vec::new()),
        to_fail_label: RwSignal::new(None),
        fail_dialog: NodeRef::new(),
        fail_dialog_open: RwSignal::new(false),
        preview: RwSignal::new(None),
        preview_dialog: NodeRef::new(),
        busy,
    };

    let fail_reason = RwSignal::new(String::new());
    let confirm_fail = Callback::new(move |_| {
        let items = actions.to_fail.get_untracked();
        if items.is_empty() {
            return;
        }
        decide.dispatch(DecideOutcomes {
            items,
            verdict: Verdict::Failed,
            reason: fail_reason.get_untracked(),
        });
    });

    // The result of the latest action: an error above the list (or inside the 不通過 dialog,
    // where it can be fixed), or what was published.
    let page_error = RwSignal::new(None::<AppError>);
    let dialog_error = RwSignal::new(None::<AppError>);
    let notice = RwSignal::new(None::<PublishResult>);
    let close_fail_dialog = move || {
        browser::close_modal(actions.fail_dialog);
        actions.fail_dialog_open.set(false);
    };
    Effect::new(move |_| match decide.value().get() {
        Some(Ok(_)) => {
            close_fail_dialog();
            fail_reason.set(String::new());
            dialog_error.set(None);
            page_error.set(None);
        }
        Some(Err(error)) => {
            // A missing or too long reason is fixed in the dialog; anything else (a conflict, an
            // outcome already published) reloaded the list, so the dialog closes.
            if actions.fail_dialog_open.get_untracked() && matches!(error, AppError::FailReason(_))
            {
                dialog_error.set(Some(error));
            } else {
                close_fail_dialog();
                page_error.set(Some(error));
            }
        }
        None => {}
    });
    for action_value in [publish.value(), publish_all.value()] {
        Effect::new(move |_| match action_value.get() {
            Some(Ok(result)) => {
                notice.set(Some(result));
                page_error.set(None);
            }
            Some(Err(error)) => {
                notice.set(None);
                page_error.set(Some(error));
            }
            None => {}
        });
    }

    let publish_all_dialog = NodeRef::<html::Dialog>::new();
    let confirm_publish_all = Callback::new(move |_| {
        publish_all.dispatch(PublishAll {
            query: query.get_untracked(),
        });
        browser::close_modal(publish_all_dialog);
    });

    let published_notice = move || {
        let result = notice.get()?;
        Some(
            t_string!(
                i18n,
                certify.published_notice,
                published = result.published,
                skipped = result.skipped
            )
            .to_string(),
        )
    };
    let fail_count = move || actions.to_fail.with(Vec::len);

    view! {
        <div class="page-head">
            <h1>{t!(i18n, certify.title)}</h1>
        </div>
        <p class="notice notice-info" role="note">{t!(i18n, certify.meaning)}</p>
        {move || page_error.get().map(|error| view! { <ErrorNotice error=error/> })}
        {move || published_notice().map(|text| view! { <p class="notice notice-success" role="status">{text}</p> })}
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <ReviewList page=page actions=actions publish_all_dialog=publish_all_dialog/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Transition>

        <ConfirmDialog
            id="fail-dialog"
            node_ref=actions.fail_dialog
            title=Signal::derive(move || t_string!(i18n, certify.fail_confirm_title).to_string())
            confirm_label=Signal::derive(move || t_string!(i18n, certify.fail_confirm).to_string())
            pending=busy
            danger=true
            on_confirm=confirm_fail
            on_close=Callback::new(move |_| actions.fail_dialog_open.set(false))
        >
            {move || actions.to_fail_label.get().map(|label| view! { <p class="dialog-subject">{label}</p> })}
            <p class="notice notice-info">{t!(i18n, certify.fail_reminder)}</p>
            <Show when=move || { fail_count() > 1 }>
                <p>{move || t_string!(i18n, certify.fail_count, count = fail_count()).to_string()}</p>
            </Show>
            <label class="field">
                <span>{t!(i18n, certify.fail_reason)} " " <small>{t!(i18n, upload.required)}</small></span>
                <textarea
                    rows="3"
                    required
                    prop:value=move || fail_reason.get()
                    on:input=move |event| {
                        fail_reason.set(event_target_value(&event));
                        dialog_error.set(None);
                    }
                ></textarea>
                <small class="counter">{move || format!("{} / {}", char_count(&fail_reason.get()), REASON_MAX_CHARS)}</small>
            </label>
            {move || dialog_error.get().map(|error| view! { <ErrorNotice error=error/> })}
        </ConfirmDialog>

        <ConfirmDialog
            id="publish-all-dialog"
            node_ref=publish_all_dialog
            title=Signal::derive(move || t_string!(i18n, certify.publish_all_title).to_string())
            confirm_label=Signal::derive(move || t_string!(i18n, certify.publish_all_confirm).to_string())
            pending=busy
            on_confirm=confirm_publish_all
        >
            <p>{t!(i18n, certify.publish_all_body)}</p>
        </ConfirmDialog>

        <PreviewDialog actions=actions/>
    }
}

/// Returns how many decided, unpublished outcomes the filter lists: what 全部發佈 publishes.
fn publishable(counts: &ReviewCounts, filter: ReviewFilter) -> u64 {
    match filter {
        ReviewFilter::All | ReviewFilter::Unfinished => counts.unpublished(),
        ReviewFilter::PassedUnpublished => counts.passed_unpublished,
        ReviewFilter::FailedUnpublished => counts.failed_unpublished,
        ReviewFilter::Undecided | ReviewFilter::Published => 0,
    }
}

#[component]
fn ReviewList(
    page: ReviewPage,
    actions: Actions,
    publish_all_dialog: NodeRef<html::Dialog>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = page.query.clone();
    let counts = page.counts;
    let range = page.range;
    let to_publish = publishable(&counts, query.state);
    let rows = page.rows.clone();
    // Rows of a semester whose teacher window has closed cannot be published.
    let all_locked = !rows.is_empty() && rows.iter().all(|row| !row.editable);
    let selectable: Vec<(OutcomeId, i64)> = rows
        .iter()
        .filter(|row| row.editable && !matches!(row.state, ReviewState::Published(_)))
        .map(|row| (row.outcome_id, row.version))
        .collect();
    let selection_count = move || actions.selected.with(BTreeMap::len);
    // Shared by plain reference counting, not a StoredValue: a reactive value owned by this
    // list would be disposed while the old list's checkbox still reads it during a refetch.
    let selectable = std::sync::Arc::new(selectable);
    let all_selected = {
        let selectable = selectable.clone();
        move || {
            !selectable.is_empty()
                && actions
                    .selected
                    .with(|selected| selectable.iter().all(|(id, _)| selected.contains_key(id)))
        }
    };
    let toggle_all = {
        let all_selected = all_selected.clone();
        move |_| {
            if all_selected() {
                actions.selected.set(BTreeMap::new());
            } else {
                actions.selected.set(selectable.iter().copied().collect());
            }
        }
    };
    let pass_selected = move |_| {
        let items: Vec<(OutcomeId, i64)> = actions.selected.get_untracked().into_iter().collect();
        actions.decide.dispatch(DecideOutcomes {
            items,
            verdict: Verdict::Passed,
            reason: String::new(),
        });
    };
    let fail_selected = move |_| {
        actions
            .to_fail
            .set(actions.selected.get_untracked().into_iter().collect());
        actions.to_fail_label.set(None);
        actions.fail_dialog_open.set(true);
        browser::show_modal(actions.fail_dialog);
    };
    let publish_selected = move |_| {
        let items: Vec<(OutcomeId, i64)> = actions.selected.get_untracked().into_iter().collect();
        actions.publish.dispatch(PublishOutcomes { items });
    };

    let range_text = if range.total == 0 {
        t_string!(i18n, certify.range_empty).to_string()
    } else {
        t_string!(
            i18n,
            certify.range,
            first = range.first,
            last = range.last,
            total = range.total
        )
        .to_string()
    };

    view! {
        <Deadlines page=page.clone()/>
        <Filters page=page.clone()/>
        <StateCounts counts=counts query=query.clone()/>
        <div class="toolbar">
            <p class="range" role="status">{range_text}</p>
            <div class="bulk">
                <span class="selection">{move || t_string!(i18n, certify.selected_count, count = selection_count()).to_string()}</span>
                <button type="button" class="button" disabled=move || actions.busy.get() || selection_count() == 0 on:click=pass_selected>
                    {t!(i18n, certify.pass_selected)}
                </button>
                <button type="button" class="button" disabled=move || actions.busy.get() || selection_count() == 0 on:click=fail_selected>
                    {t!(i18n, certify.fail_selected)}
                </button>
                <button type="button" class="button" disabled=move || actions.busy.get() || selection_count() == 0 on:click=publish_selected>
                    {t!(i18n, certify.publish_selected)}
                </button>
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || actions.busy.get() || to_publish == 0 || all_locked
                    on:click=move |_| browser::show_modal(publish_all_dialog)
                >
                    {t!(i18n, certify.publish_all, count = to_publish)}
                </button>
            </div>
        </div>
        {if rows.is_empty() {
            view! { <p class="empty">{t!(i18n, certify.empty)}</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                <table class="review responsive">
                    <thead>
                        <tr>
                            <th scope="col">
                                <input
                                    type="checkbox"
                                    aria-label=move || t_string!(i18n, certify.select_all)
                                    prop:checked=all_selected
                                    on:change=toggle_all
                                />
                            </th>
                            <th scope="col">{t!(i18n, fields.homeroom_seat)}</th>
                            <th scope="col">{t!(i18n, fields.student)}</th>
                            <th scope="col">{t!(i18n, fields.subject)}</th>
                            <th scope="col">{t!(i18n, fields.summary)}</th>
                            <th scope="col">{t!(i18n, fields.files)}</th>
                            <th scope="col">{t!(i18n, fields.submitted_at)}</th>
                            <th scope="col">{t!(i18n, fields.status)}</th>
                            <th scope="col">{t!(i18n, fields.actions)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|row| view! { <Row row=row actions=actions/> }).collect_view()}
                    </tbody>
                </table>
                </div>
            }
            .into_any()
        }}
        <Pagination query=query range_total=range.total/>
    }
}

#[component]
fn Row(row: ReviewRow, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let id = row.outcome_id;
    let version = row.version;
    let published = matches!(row.state, ReviewState::Published(_));
    // A closed teacher window freezes the row: it shows the state and nothing to press.
    let locked = !row.editable && !published;
    let published = published || !row.editable;
    let decided = matches!(row.state, ReviewState::Unpublished(_)) && row.editable;
    let verdict = match row.state {
        ReviewState::Unpublished(verdict) | ReviewState::Published(verdict) => Some(verdict),
        ReviewState::Undecided => None,
    };
    let seat = match (&row.homeroom, row.seat_no) {
        (Some(homeroom), Some(seat)) => format!("{homeroom}-{seat:02}"),
        (Some(homeroom), None) => homeroom.clone(),
        _ => "—".into(),
    };
    let select_label = t_string!(
        i18n,
        certify.select_row,
        student = row.student_name.clone(),
        subject = row.subject.clone()
    )
    .to_string();
    let checked = move || actions.selected.with(|selected| selected.contains_key(&id));
    let toggle = move |_| {
        actions.selected.update(|selected| {
            if selected.remove(&id).is_none() {
                selected.insert(id, version);
            }
        });
    };
    let pass = move |_| {
        actions.decide.dispatch(DecideOutcomes {
            items: vec![(id, version)],
            verdict: Verdict::Passed,
            reason: String::new(),
        });
    };
    let fail_label = format!("{}・{}：{}", row.student_name, row.subject, row.summary);
    let fail = move |_| {
        actions.to_fail.set(vec![(id, version)]);
        actions.to_fail_label.set(Some(fail_label.clone()));
        actions.fail_dialog_open.set(true);
        browser::show_modal(actions.fail_dialog);
    };
    let publish_one = move |_| {
        actions.publish.dispatch(PublishOutcomes {
            items: vec![(id, version)],
        });
    };
    let files: Vec<FileInfo> = row
        .document
        .iter()
        .chain(row.media.iter())
        .cloned()
        .collect();
    view! {
        <tr class=if published { "published" } else { "" }>
            <td data-label=move || t_string!(i18n, certify.select)>
                <Show when=move || !published>
                    <input type="checkbox" aria-label=select_label.clone() prop:checked=checked on:change=toggle/>
                </Show>
            </td>
            <td data-label=move || t_string!(i18n, fields.homeroom_seat)>{seat}</td>
            <td data-label=move || t_string!(i18n, fields.student)>
                <span class="student-name">{row.student_name.clone()}</span>
                <small class="muted">{row.student_no.clone()}</small>
            </td>
            <td data-label=move || t_string!(i18n, fields.subject)>
                {row.subject.clone()}
                <small class="muted">{row.group_name.clone()}</small>
                {row.delegated_from.clone().map(|name| view! {
                    <small class="badge">{t!(i18n, delegation.for_teacher, name = name)}</small>
                })}
            </td>
            <td data-label=move || t_string!(i18n, fields.summary) class="summary">{row.summary.clone()}</td>
            <td data-label=move || t_string!(i18n, fields.files)>
                <ul class="files">
                    {files
                        .into_iter()
                        .map(|file| {
                            let name = file.name.clone();
                            let full_name = file.name.clone();
                            let for_click = file.clone();
                            view! {
                                <li>
                                    <button
                                        type="button"
                                        class="link-button"
                                        title=name.clone()
                                        on:click=move |_| {
                                            actions.preview.set(Some(for_click.clone()));
                                            browser::show_modal(actions.preview_dialog);
                                        }
                                    >
                                        {t!(i18n, certify.preview)}
                                    </button>
                                    " "
                                    <span class="file-name clamp-2" title=full_name>{name}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </td>
            <td data-label=move || t_string!(i18n, fields.submitted_at) class="when">
                <DateTime at=row.submitted_at/>
                <Show when=move || { row.round > 1 }>
                    <small class="muted">{t!(i18n, certify.resubmitted, round = row.round)}</small>
                </Show>
            </td>
            <td data-label=move || t_string!(i18n, fields.status)>
                <ReviewBadge state=row.state/>
                {row.reason.clone().filter(|_| verdict == Some(Verdict::Failed)).map(|reason| view! {
                    <p class="fail-reason">{reason}</p>
                })}
            </td>
            <td data-label=move || t_string!(i18n, fields.actions) class="actions">
                <Show when=move || !published>
                    <button
                        type="button"
                        class=if verdict == Some(Verdict::Passed) { "button button-pass active" } else { "button button-pass" }
                        aria-pressed=if verdict == Some(Verdict::Passed) { "true" } else { "false" }
                        disabled=move || actions.busy.get()
                        on:click=pass
                    >
                        {t!(i18n, certify.pass)}
                    </button>
                    <button
                        type="button"
                        class=if verdict == Some(Verdict::Failed) { "button button-fail active" } else { "button button-fail" }
                        aria-pressed=if verdict == Some(Verdict::Failed) { "true" } else { "false" }
                        disabled=move || actions.busy.get()
                        on:click=fail.clone()
                    >
                        {t!(i18n, certify.fail)}
                    </button>
                </Show>
                <Show when=move || decided>
                    <button type="button" class="button button-primary" disabled=move || actions.busy.get() on:click=publish_one>
                        {t!(i18n, certify.publish)}
                    </button>
                </Show>
                <Show when=move || locked>
                    <small class="locked-reason">{t!(i18n, certify.locked)}</small>
                </Show>
                <Show when=move || published && !locked>
                    <small class="muted published-at">
                        {t!(i18n, certify.published_at)} " " {row.published_at.map(|at| view! { <DateTime at=at/> })}
                    </small>
                </Show>
            </td>
        </tr>
    }
}

/// The filter bar. It is a GET form, so it works before the script loads and keeps the
/// filters in the address. With the script, each change applies at once.
#[component]
fn Filters(page: ReviewPage) -> impl IntoView {
    let i18n = use_i18n();
    let semester_label = use_semester_label();
    let query = page.query.clone();
    let submit = move |event: leptos::ev::Event| browser::submit_enclosing_form(&event);
    let semester_value = query
        .semester
        .map(|code| code.to_string())
        .unwrap_or_default();
    let homeroom_value = query.homeroom.map(|id| id.to_string()).unwrap_or_default();
    let subject_value = query.subject.map(|id| id.to_string()).unwrap_or_default();
    let state_label = move |filter: ReviewFilter| match filter {
        ReviewFilter::All => t_string!(i18n, review.all).to_string(),
        ReviewFilter::Undecided => t_string!(i18n, review.undecided).to_string(),
        ReviewFilter::PassedUnpublished => t_string!(i18n, review.passed_unpublished).to_string(),
        ReviewFilter::FailedUnpublished => t_string!(i18n, review.failed_unpublished).to_string(),
        ReviewFilter::Unfinished => t_string!(i18n, review.unfinished).to_string(),
        ReviewFilter::Published => t_string!(i18n, review.published).to_string(),
    };
    view! {
        <Form method="GET" action="/teacher/certify" attr:class="filters">
            <div class="field">
                <label for="filter-semester">{t!(i18n, certify.filter_semester)}</label>
                <select id="filter-semester" name="semester" on:change=submit>
                    <option value="" selected=semester_value.is_empty()>{t!(i18n, certify.all_semesters)}</option>
                    {page.semesters.iter().map(|code| {
                        let value = code.to_string();
                        let selected = value == semester_value;
                        view! { <option value=value selected=selected>{semester_label(*code)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-state">{t!(i18n, certify.filter_state)}</label>
                <select id="filter-state" name="state" on:change=submit>
                    {ReviewFilter::ALL.into_iter().map(|filter| {
                        let selected = filter == query.state;
                        view! { <option value=filter.as_str() selected=selected>{state_label(filter)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-homeroom">{t!(i18n, certify.filter_homeroom)}</label>
                <select id="filter-homeroom" name="homeroom" on:change=submit>
                    <option value="" selected=homeroom_value.is_empty()>{t!(i18n, certify.all_homerooms)}</option>
                    {page.homerooms.iter().map(|option| {
                        let value = option.value.to_string();
                        let selected = value == homeroom_value;
                        view! { <option value=value selected=selected>{option.label.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-subject">{t!(i18n, certify.filter_subject)}</label>
                <select id="filter-subject" name="subject" on:change=submit>
                    <option value="" selected=subject_value.is_empty()>{t!(i18n, certify.all_subjects)}</option>
                    {page.subjects.iter().map(|option| {
                        let value = option.value.to_string();
                        let selected = value == subject_value;
                        view! { <option value=value selected=selected>{option.label.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-per_page">{t!(i18n, certify.per_page)}</label>
                <select id="filter-per_page" name="per_page" on:change=submit>
                    {PAGE_SIZES.into_iter().map(|size| {
                        let selected = size == query.page.per_page;
                        view! { <option value=size selected=selected>{size}</option> }
                    }).collect_view()}
                </select>
            </div>
            <noscript>
                <button type="submit" class="button">{t!(i18n, certify.apply_filters)}</button>
            </noscript>
        </Form>
    }
}

/// Counts per state under the other filters; each links to that state's list.
#[component]
fn StateCounts(counts: ReviewCounts, query: ReviewQuery) -> impl IntoView {
    let i18n = use_i18n();
    let current = query.state;
    let link = move |filter: ReviewFilter| {
        let mut target = query.clone();
        target.state = filter;
        target.page = PageRequest::new(1, query.page.per_page);
        to_href(&target)
    };
    let chip = move |filter: ReviewFilter, label: String, count: u64| {
        let class = if filter == current {
            "chip active"
        } else {
            "chip"
        };
        view! {
            <li>
                <a class=class href=link(filter) aria-current=if filter == current { Some("true") } else { None }>
                    {label} " " <strong>{count}</strong>
                </a>
            </li>
        }
    };
    view! {
        <ul class="state-counts" aria-label=move || t_string!(i18n, certify.counts_label)>
            {chip(ReviewFilter::All, t_string!(i18n, review.all).to_string(), counts.total())}
            {chip(ReviewFilter::Undecided, t_string!(i18n, review.undecided).to_string(), counts.undecided)}
            {chip(ReviewFilter::PassedUnpublished, t_string!(i18n, review.passed_unpublished).to_string(), counts.passed_unpublished)}
            {chip(ReviewFilter::FailedUnpublished, t_string!(i18n, review.failed_unpublished).to_string(), counts.failed_unpublished)}
            {chip(ReviewFilter::Published, t_string!(i18n, review.published).to_string(), counts.published_passed + counts.published_failed)}
        </ul>
    }
}

#[component]
fn Pagination(query: ReviewQuery, range_total: u64) -> impl IntoView {
    let i18n = use_i18n();
    let last = last_page(range_total, query.page.per_page);
    let current = query.page.page;
    if last <= 1 {
        return ().into_any();
    }
    let href = move |page: u32| {
        let mut target = query.clone();
        target.page = PageRequest::new(page, query.page.per_page);
        to_href(&target)
    };
    let first_shown = current.saturating_sub(3).max(1);
    let last_shown = (first_shown + 6).min(last);
    view! {
        <nav class="pagination" aria-label=move || t_string!(i18n, certify.pagination)>
            {(current > 1).then(|| view! { <a href=href(current - 1) rel="prev">{t!(i18n, certify.previous)}</a> })}
            {(first_shown..=last_shown)
                .map(|page| {
                    if page == current {
                        view! { <span class="current" aria-current="page">{page}</span> }.into_any()
                    } else {
                        view! { <a href=href(page)>{page}</a> }.into_any()
                    }
                })
                .collect_view()}
            {(current < last).then(|| view! { <a href=href(current + 1) rel="next">{t!(i18n, certify.next)}</a> })}
        </nav>
    }
    .into_any()
}

/// Shows a submitted file inside the page: PDFs in a frame, pictures, audio and video with
/// the browser's own players.
#[component]
fn PreviewDialog(actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <dialog node_ref=actions.preview_dialog class="dialog preview-dialog" aria-labelledby="preview-title">
            <h2 id="preview-title" class="clamp-2">{move || actions.preview.get().map(|file| file.name).unwrap_or_default()}</h2>
            <div class="preview-body">
                {move || actions.preview.get().map(|file| {
                    let url = file.view_url();
                    match file.kind.preview() {
                        PreviewKind::Pdf => view! { <iframe src=url title=file.name.clone()></iframe> }.into_any(),
                        PreviewKind::Image => view! { <img src=url alt=file.name.clone()/> }.into_any(),
                        PreviewKind::Audio => view! { <audio controls src=url aria-label=file.name.clone()></audio> }.into_any(),
                        PreviewKind::Video => view! { <video controls src=url aria-label=file.name.clone()></video> }.into_any(),
                    }
                })}
            </div>
            <div class="dialog-actions">
                {move || actions.preview.get().map(|file| view! {
                    // `download` keeps the router from taking the click as a page change.
                    <a class="button" href=file.download_url() download=file.name.clone() rel="external">
                        {t!(i18n, certify.download)}
                    </a>
                })}
                <button
                    type="button"
                    class="button button-primary"
                    on:click=move |_| {
                        browser::close_modal(actions.preview_dialog);
                        actions.preview.set(None);
                    }
                >
                    {t!(i18n, common.close)}
                </button>
            </div>
        </dialog>
    }
}

/// The teacher's deadlines: for each semester still open, when certification closes and what
/// is unfinished (待認證 and decided but unpublished); for each closed one, that it closed.
#[component]
fn Deadlines(page: ReviewPage) -> impl IntoView {
    let i18n = use_i18n();
    let semester_label = use_semester_label();
    if page.deadlines.is_empty() && page.closed.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="deadlines" aria-label=move || t_string!(i18n, certify.deadlines_label)>
            {page
                .deadlines
                .iter()
                .map(|deadline| {
                    let semester = semester_label(deadline.semester);
                    let text = match deadline.window.state {
                        WindowState::Open { closes_at: Some(at) } => t_string!(
                            i18n,
                            certify.deadline,
                            semester = semester,
                            at = at.to_roc_datetime(),
                            undecided = deadline.undecided,
                            unpublished = deadline.unpublished
                        )
                        .to_string(),
                        _ => t_string!(
                            i18n,
                            certify.deadline_open,
                            semester = semester,
                            undecided = deadline.undecided,
                            unpublished = deadline.unpublished
                        )
                        .to_string(),
                    };
                    let class = if deadline.undecided + deadline.unpublished > 0 { "notice notice-warning" } else { "notice notice-info" };
                    view! { <p class=class>{text}</p> }
                })
                .collect_view()}
            {page
                .closed
                .iter()
                .map(|deadline| {
                    let at = match deadline.window.state {
                        WindowState::Closed { closed_at } => closed_at.to_roc_datetime(),
                        _ => String::new(),
                    };
                    let text = t_string!(i18n, certify.deadline_closed, semester = semester_label(deadline.semester), at = at).to_string();
                    view! { <p class="notice notice-error">{text}</p> }
                })
                .collect_view()}
        </section>
    }
    .into_any()
}
