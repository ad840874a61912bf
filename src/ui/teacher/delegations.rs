//! 代理人設定: the course teacher names a delegate for an own course and a period, an
//! administrator for any course of the school; the delegate sees the courses they cover.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::delegations::{AddDelegation, RemoveDelegation, load_delegation_page};
use crate::domain::delegation::{DelegatedCourse, DelegationPage};
use crate::i18n::*;
use crate::ui::admin::DateInput;
use crate::ui::components::{DateTime, ErrorNotice};
use crate::ui::format::use_semester_label;
use crate::ui::session::RequireLogin;

#[component]
pub fn DelegationsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, delegation.title)/>
        <RequireLogin>
            <Delegations/>
        </RequireLogin>
    }
}

#[component]
fn Delegations() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddDelegation>::new();
    let remove = ServerAction::<RemoveDelegation>::new();
    let page = Resource::new(
        move || (add.version().get(), remove.version().get()),
        |_| load_delegation_page(),
    );
    view! {
        <h1>{t!(i18n, delegation.title)}</h1>
        <p class="hint">{t!(i18n, delegation.rules)}</p>
        {move || remove.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error=error/> })}
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <DelegationContent page=page add=add remove=remove/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DelegationContent(
    page: DelegationPage,
    add: ServerAction<AddDelegation>,
    remove: ServerAction<RemoveDelegation>,
) -> impl IntoView {
    let i18n = use_i18n();
    let semester_label = use_semester_label();
    let course = RwSignal::new(
        page.courses
            .first()
            .map(|course| course.course_id.0.to_string())
            .unwrap_or_default(),
    );
    let delegate = RwSignal::new(String::new());
    let starts_on = RwSignal::new(page.today.clone());
    let ends_on = RwSignal::new(String::new());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Ok(course_id) = course.get_untracked().parse::<i64>() else {
            return;
        };
        add.dispatch(AddDelegation {
            course_id: crate::domain::ids::CourseId(course_id),
            delegate_login: delegate.get_untracked(),
            starts_on: starts_on.get_untracked(),
            ends_on: ends_on.get_untracked(),
        });
    };
    let covering = page.covering.clone();
    let has_courses = !page.courses.is_empty();
    let course_options = page.courses.clone();
    let teachers = page.teachers.clone();
    let all_courses = page.all_courses;
    view! {
        {(!covering.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="covering-title">
                <h2 id="covering-title">{t!(i18n, delegation.covering)}</h2>
                <ul class="plain-list">
                    {covering.into_iter().map(|row| view! {
                        <li>
                            {semester_label(row.semester)} " " {row.subject} " " {row.group_name} " · "
                            {t!(i18n, delegation.for_teacher, name = row.course_teacher)} " · "
                            {row.starts_on} " ~ " {row.ends_on}
                            {row.active.then(|| view! { " " <span class="badge badge-passed">{t!(i18n, delegation.active)}</span> })}
                        </li>
                    }).collect_view()}
                </ul>
                <p><a class="link" href="/teacher/certify">{t!(i18n, delegation.go_certify)}</a></p>
            </section>
        })}
        {has_courses.then(|| view! {
            <form class="card window-form" on:submit=submit novalidate=true aria-labelledby="delegation-form-title">
                <h2 id="delegation-form-title">{t!(i18n, delegation.name_heading)}</h2>
                <div class="window-grid">
                    <div class="field">
                        <label for="delegation-course">{t!(i18n, delegation.course)}</label>
                        <select id="delegation-course" on:change=move |event| course.set(event_target_value(&event))>
                            {course_options.into_iter().map(|option| {
                                let label = course_label(&option, all_courses, semester_label);
                                view! { <option value=option.course_id.0.to_string()>{label}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="delegation-person">{t!(i18n, delegation.delegate)}</label>
                        <select id="delegation-person" on:change=move |event| delegate.set(event_target_value(&event))>
                            <option value="">{t!(i18n, delegation.choose)}</option>
                            {teachers.into_iter().map(|teacher| {
                                let label = format!("{} ({})", teacher.display_name, teacher.login);
                                view! { <option value=teacher.login>{label}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="delegation-starts">{t!(i18n, delegation.starts_on)}</label>
                        <DateInput id="delegation-starts".to_owned() value=starts_on/>
                    </div>
                    <div class="field">
                        <label for="delegation-ends">{t!(i18n, delegation.ends_on)}</label>
                        <DateInput id="delegation-ends".to_owned() value=ends_on described_by="delegation-days-hint".to_owned()/>
                    </div>
                </div>
                <p class="hint" id="delegation-days-hint">{t!(i18n, delegation.days_hint)}</p>
                {move || add.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error=error/> })}
                {move || matches!(add.value().get(), Some(Ok(_))).then(|| view! {
                    <p class="notice notice-success" role="status">{t!(i18n, delegation.saved)}</p>
                })}
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || add.pending().get()>{t!(i18n, delegation.submit)}</button>
                </div>
            </form>
        })}
        <h2>{if all_courses { t_string!(i18n, delegation.school_courses) } else { t_string!(i18n, delegation.own_courses) }}</h2>
        {if has_courses {
            view! {
                <div class="table-scroll">
                    <table class="responsive">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, delegation.course)}</th>
                                <th scope="col">{t!(i18n, fields.course_teacher)}</th>
                                <th scope="col">{t!(i18n, delegation.delegate)}</th>
                                <th scope="col">{t!(i18n, delegation.period)}</th>
                                <th scope="col">{t!(i18n, delegation.named_by)}</th>
                                <th scope="col">{t!(i18n, fields.actions)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {page.courses.into_iter().flat_map(|course| {
                                let label = format!("{} {} {}", semester_label(course.semester), course.subject, course.group_name);
                                let teacher = course.course_teacher.clone();
                                if course.delegations.is_empty() {
                                    vec![view! {
                                        <tr>
                                            <td data-label=move || t_string!(i18n, delegation.course)>{label}</td>
                                            <td data-label=move || t_string!(i18n, fields.course_teacher)>{teacher}</td>
                                            <td data-label=move || t_string!(i18n, delegation.delegate)>{t!(i18n, delegation.none)}</td>
                                            <td data-label=move || t_string!(i18n, delegation.period)>"—"</td>
                                            <td data-label=move || t_string!(i18n, delegation.named_by)>"—"</td>
                                            <td data-label=move || t_string!(i18n, fields.actions)>"—"</td>
                                        </tr>
                                    }.into_any()]
                                } else {
                                    course.delegations.into_iter().map(|row| {
                                        let label = label.clone();
                                        let teacher = teacher.clone();
                                        let person = format!("{} ({})", row.delegate_name, row.delegate_login);
                                        let remove_label = t_string!(i18n, delegation.remove_named, name = row.delegate_name.clone()).to_string();
                                        view! {
                                            <tr>
                                                <td data-label=move || t_string!(i18n, delegation.course)>{label}</td>
                                                <td data-label=move || t_string!(i18n, fields.course_teacher)>{teacher}</td>
                                                <td data-label=move || t_string!(i18n, delegation.delegate)>{person}</td>
                                                <td data-label=move || t_string!(i18n, delegation.period)>
                                                    <span>
                                                        {row.starts_on} " ~ " {row.ends_on}
                                                        {row.active.then(|| view! { " " <span class="badge badge-passed">{t!(i18n, delegation.active)}</span> })}
                                                    </span>
                                                </td>
                                                <td data-label=move || t_string!(i18n, delegation.named_by)>
                                                    <span>{row.created_by} " " <DateTime at=row.created_at/></span>
                                                </td>
                                                <td data-label=move || t_string!(i18n, fields.actions)>
                                                    <ActionForm action=remove attr:class="inline-form">
                                                        <input type="hidden" name="delegation_id" value=row.id.to_string()/>
                                                        <button type="submit" class="button" aria-label=remove_label>{t!(i18n, delegation.remove)}</button>
                                                    </ActionForm>
                                                </td>
                                            </tr>
                                        }.into_any()
                                    }).collect::<Vec<_>>()
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        } else {
            view! { <p class="empty">{t!(i18n, delegation.no_courses)}</p> }.into_any()
        }}
    }
}

fn course_label(
    course: &DelegatedCourse,
    with_teacher: bool,
    semester_label: impl Fn(crate::domain::calendar::SemesterCode) -> String,
) -> String {
    let label = format!(
        "{} {} {}",
        semester_label(course.semester),
        course.subject,
        course.group_name
    );
    if with_teacher {
        format!("{label} ({})", course.course_teacher)
    } else {
        label
    }
}
