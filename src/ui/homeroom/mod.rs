//! The 導師's pages: the homeroom list, one student's record, and the printable 歷程確認單.
//! Read only; the server finds only students of homerooms the caller leads.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::homeroom::{load_homeroom_page, load_student_record};
use crate::domain::homeroom::{HomeroomPage, RecordOutcome, StateCounts, StudentRecord};
use crate::domain::ids::{HomeroomId, UserId};
use crate::domain::role::Role;
use crate::i18n::*;
use crate::ui::components::{ErrorNotice, StatusBadge};
use crate::ui::format::use_semester_label;
use crate::ui::session::RequireRole;

#[component]
pub fn HomeroomListPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, homeroom.title)/>
        <RequireRole role=Role::HomeroomTeacher>
            <HomeroomList/>
        </RequireRole>
    }
}

#[component]
fn HomeroomList() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = Resource::new(
        move || {
            query
                .read()
                .get("homeroom")
                .and_then(|value| value.parse::<HomeroomId>().ok())
        },
        load_homeroom_page,
    );
    view! {
        <h1>{t!(i18n, homeroom.title)}</h1>
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <HomeroomContent page=page/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HomeroomContent(page: HomeroomPage) -> impl IntoView {
    let i18n = use_i18n();
    let semester_label = use_semester_label();
    let Some(shown) = page.homeroom.clone() else {
        return view! { <p class="empty">{t!(i18n, homeroom.none)}</p> }.into_any();
    };
    let others = (page.homerooms.len() > 1).then(|| {
        let links = page
            .homerooms
            .iter()
            .map(|homeroom| {
                let href = format!("/homeroom?homeroom={}", homeroom.id);
                let label = format!("{} {}", homeroom.school_year, homeroom.name);
                let current = (homeroom.id == shown.id).then_some("page");
                view! { <li><a class="link" href=href aria-current=current>{label}</a></li> }
            })
            .collect_view();
        view! {
            <nav aria-label=move || t_string!(i18n, homeroom.choose)>
                <ul class="plain-list inline-list">{links}</ul>
            </nav>
        }
    });
    let heading = t_string!(
        i18n,
        homeroom.heading,
        year = shown.school_year.0,
        name = shown.name.clone(),
        count = page.students.len()
    )
    .to_string();
    let homeroom_id = shown.id;
    view! {
        {others}
        <h2>{heading}</h2>
        <CountsLine counts=page.totals/>
        <div class="table-scroll">
            <table class="responsive homeroom-students">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, homeroom.seat)}</th>
                        <th scope="col">{t!(i18n, homeroom.student_no)}</th>
                        <th scope="col">{t!(i18n, homeroom.name)}</th>
                        <th scope="col">{t!(i18n, status.draft)}</th>
                        <th scope="col">{t!(i18n, status.pending)}</th>
                        <th scope="col">{t!(i18n, status.passed)}</th>
                        <th scope="col">{t!(i18n, status.failed)}</th>
                        <th scope="col">{t!(i18n, homeroom.selected)}</th>
                        <th scope="col">{t!(i18n, fields.actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {page.students.into_iter().map(|row| {
                        let record = format!("/homeroom/{homeroom_id}/students/{}", row.student_id);
                        let sheet = format!("{record}/sheet");
                        let view_label = t_string!(i18n, homeroom.view_named, name = row.name.clone()).to_string();
                        let sheet_label = t_string!(i18n, homeroom.sheet_named, name = row.name.clone()).to_string();
                        view! {
                            <tr>
                                <td data-label=move || t_string!(i18n, homeroom.seat)>{row.seat_no}</td>
                                <td data-label=move || t_string!(i18n, homeroom.student_no)>{row.student_no}</td>
                                <td data-label=move || t_string!(i18n, homeroom.name)>{row.name}</td>
                                <td data-label=move || t_string!(i18n, status.draft)>{row.counts.draft}</td>
                                <td data-label=move || t_string!(i18n, status.pending)>{row.counts.pending}</td>
                                <td data-label=move || t_string!(i18n, status.passed)>{row.counts.passed}</td>
                                <td data-label=move || t_string!(i18n, status.failed)>{row.counts.failed}</td>
                                <td data-label=move || t_string!(i18n, homeroom.selected)>{row.counts.selected}</td>
                                <td data-label=move || t_string!(i18n, fields.actions)>
                                    <span>
                                        <a class="link" href=record aria-label=view_label>{t!(i18n, homeroom.view)}</a>
                                        " · "
                                        <a class="link" href=sheet aria-label=sheet_label>{t!(i18n, homeroom.sheet)}</a>
                                    </span>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2>{t!(i18n, homeroom.pending_by_course)}</h2>
        <p class="hint">{t!(i18n, homeroom.pending_hint)}</p>
        {if page.courses.is_empty() {
            view! { <p class="empty">{t!(i18n, homeroom.nothing_pending)}</p> }.into_any()
        } else {
            view! {
                <div class="table-scroll">
                    <table class="responsive">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, fields.semester)}</th>
                                <th scope="col">{t!(i18n, fields.subject)}</th>
                                <th scope="col">{t!(i18n, fields.course_teacher)}</th>
                                <th scope="col">{t!(i18n, review.undecided)}</th>
                                <th scope="col">{t!(i18n, homeroom.unpublished)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {page.courses.into_iter().map(|course| {
                                let subject = format!("{} {}", course.subject, course.group_name);
                                view! {
                                    <tr>
                                        <td data-label=move || t_string!(i18n, fields.semester)>{semester_label(course.semester)}</td>
                                        <td data-label=move || t_string!(i18n, fields.subject)>{subject}</td>
                                        <td data-label=move || t_string!(i18n, fields.course_teacher)>{course.course_teacher}</td>
                                        <td data-label=move || t_string!(i18n, review.undecided)>{course.undecided}</td>
                                        <td data-label=move || t_string!(i18n, homeroom.unpublished)>{course.unpublished}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
    .into_any()
}

/// A summary line such as `草稿 1 · 待認證 2 · 通過 20 · 不通過 1 · 已勾選 6`.
#[component]
fn CountsLine(counts: StateCounts) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="counts">
            {t!(i18n, status.draft)} " " {counts.draft} " · "
            {t!(i18n, status.pending)} " " {counts.pending} " · "
            {t!(i18n, status.passed)} " " {counts.passed} " · "
            {t!(i18n, status.failed)} " " {counts.failed} " · "
            {t!(i18n, homeroom.selected)} " " {counts.selected}
        </p>
    }
}

/// Reads the homeroom and student ids of the address, or `None` when either is malformed.
fn record_ids() -> Memo<Option<(HomeroomId, UserId)>> {
    let params = use_params_map();
    Memo::new(move |_| {
        let params = params.read();
        let homeroom = params.get("homeroom")?.parse::<HomeroomId>().ok()?;
        let student = params.get("student")?.parse::<UserId>().ok()?;
        Some((homeroom, student))
    })
}

async fn load_record(
    ids: Option<(HomeroomId, UserId)>,
) -> Result<StudentRecord, crate::domain::AppError> {
    match ids {
        Some((homeroom, student)) => load_student_record(homeroom, student).await,
        None => Err(crate::domain::AppError::NotFound(
            crate::domain::error::Resource::Student,
        )),
    }
}

#[component]
pub fn StudentRecordPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, homeroom.record_title)/>
        <RequireRole role=Role::HomeroomTeacher>
            <StudentRecordView/>
        </RequireRole>
    }
}

#[component]
fn StudentRecordView() -> impl IntoView {
    let i18n = use_i18n();
    let ids = record_ids();
    let record = Resource::new(move || ids.get(), load_record);
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(record) => {
                        let back = ids.get_untracked().map(|(homeroom, _)| format!("/homeroom?homeroom={homeroom}")).unwrap_or_else(|| "/homeroom".to_owned());
                        let sheet = ids.get_untracked().map(|(homeroom, student)| format!("/homeroom/{homeroom}/students/{student}/sheet")).unwrap_or_default();
                        let heading = t_string!(
                            i18n,
                            homeroom.student_heading,
                            class = record.homeroom.clone(),
                            seat = record.seat_no,
                            student_no = record.student_no.clone(),
                            name = record.name.clone()
                        )
                        .to_string();
                        view! {
                            <p><a class="link" href=back>{t!(i18n, homeroom.back)}</a></p>
                            <h1>{heading}</h1>
                            <CountsLine counts=record.counts/>
                            <p><a class="button" href=sheet>{t!(i18n, homeroom.sheet)}</a></p>
                            <OutcomeTable outcomes=record.outcomes/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Every outcome of the record with its state and dates; the same table is printed on the
/// 歷程確認單.
#[component]
fn OutcomeTable(outcomes: Vec<RecordOutcome>) -> impl IntoView {
    let i18n = use_i18n();
    let semester_label = use_semester_label();
    if outcomes.is_empty() {
        return view! { <p class="empty">{t!(i18n, homeroom.no_outcomes)}</p> }.into_any();
    }
    let date = |at: Option<crate::domain::calendar::UtcMillis>| {
        at.map(|at| at.to_roc_date())
            .unwrap_or_else(|| "—".to_owned())
    };
    view! {
        <div class="table-scroll">
            <table class="responsive record-table dates-nowrap">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, fields.semester)}</th>
                        <th scope="col">{t!(i18n, fields.subject)}</th>
                        <th scope="col">{t!(i18n, fields.credits)}</th>
                        <th scope="col">{t!(i18n, fields.course_teacher)}</th>
                        <th scope="col">{t!(i18n, fields.summary)}</th>
                        <th scope="col">{t!(i18n, fields.status)}</th>
                        <th scope="col">{t!(i18n, fields.submitted_at)}</th>
                        <th scope="col">{t!(i18n, fields.certified_at)}</th>
                        <th scope="col">{t!(i18n, fields.certifier)}</th>
                        <th scope="col">{t!(i18n, homeroom.selected)}</th>
                    </tr>
                </thead>
                <tbody>
                    {outcomes.into_iter().map(|outcome| {
                        let certifier = match (outcome.certifier.clone(), outcome.certifier_for.clone()) {
                            (Some(name), Some(teacher)) => format!("{name} ({})", t_string!(i18n, delegation.for_teacher, name = teacher)),
                            (Some(name), None) => name,
                            (None, _) => "—".to_owned(),
                        };
                        let selected = if outcome.selected { "✓" } else { "" };
                        view! {
                            <tr>
                                <td data-label=move || t_string!(i18n, fields.semester)>{semester_label(outcome.semester)}</td>
                                <td data-label=move || t_string!(i18n, fields.subject)>{outcome.subject}</td>
                                <td data-label=move || t_string!(i18n, fields.credits)>{outcome.credits}</td>
                                <td data-label=move || t_string!(i18n, fields.course_teacher)>{outcome.course_teacher}</td>
                                <td data-label=move || t_string!(i18n, fields.summary)>{outcome.summary}</td>
                                <td data-label=move || t_string!(i18n, fields.status)><StatusBadge status=outcome.status/></td>
                                <td data-label=move || t_string!(i18n, fields.submitted_at)>{date(outcome.submitted_at)}</td>
                                <td data-label=move || t_string!(i18n, fields.certified_at)>{date(outcome.certified_at)}</td>
                                <td data-label=move || t_string!(i18n, fields.certifier)>{certifier}</td>
                                <td data-label=move || t_string!(i18n, homeroom.selected)>{selected}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn ConfirmationSheetPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, homeroom.sheet)/>
        <RequireRole role=Role::HomeroomTeacher>
            <ConfirmationSheet/>
        </RequireRole>
    }
}

/// 歷程確認單: one student's outcomes of the school year on paper, which the student checks
/// and signs and the 導師 countersigns. The national ID is left off.
#[component]
fn ConfirmationSheet() -> impl IntoView {
    let i18n = use_i18n();
    let ids = record_ids();
    let record = Resource::new(move || ids.get(), load_record);
    let print = move |_| crate::ui::browser::print();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(record) => {
                        let back = ids.get_untracked().map(|(homeroom, student)| format!("/homeroom/{homeroom}/students/{student}")).unwrap_or_default();
                        let title = t_string!(i18n, homeroom.sheet_title, school = record.school_name.clone(), year = record.school_year.0).to_string();
                        view! {
                            <div class="no-print sheet-tools">
                                <a class="link" href=back>{t!(i18n, homeroom.back_record)}</a>
                                <button type="button" class="button button-primary" on:click=print>{t!(i18n, homeroom.print)}</button>
                            </div>
                            <article class="sheet">
                                <h1>{title}</h1>
                                <dl class="sheet-head">
                                    <div><dt>{t!(i18n, fields.school_year)}</dt><dd>{record.school_year.0}</dd></div>
                                    <div><dt>{t!(i18n, homeroom.class)}</dt><dd>{record.homeroom.clone()}</dd></div>
                                    <div><dt>{t!(i18n, homeroom.seat)}</dt><dd>{record.seat_no}</dd></div>
                                    <div><dt>{t!(i18n, homeroom.student_no)}</dt><dd>{record.student_no.clone()}</dd></div>
                                    <div><dt>{t!(i18n, homeroom.name)}</dt><dd>{record.name.clone()}</dd></div>
                                    <div><dt>{t!(i18n, homeroom.homeroom_teacher)}</dt><dd>{record.homeroom_teacher.clone()}</dd></div>
                                </dl>
                                <CountsLine counts=record.counts/>
                                <OutcomeTable outcomes=record.outcomes/>
                                <p class="sheet-note">{t!(i18n, homeroom.sheet_note)}</p>
                                <div class="signatures">
                                    <p>{t!(i18n, homeroom.student_signature)} "：" <span class="signature-line"></span></p>
                                    <p>{t!(i18n, homeroom.teacher_signature)} "：" <span class="signature-line"></span></p>
                                    <p>{t!(i18n, homeroom.signed_on)} "：" <span class="signature-line short"></span></p>
                                </div>
                                <p class="sheet-footer">{t!(i18n, homeroom.printed_at, at = record.printed_at.to_roc_datetime())}</p>
                            </article>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
