//! 稽核紀錄: who changed what, when, from which value to which, and why; filtered and paged,
//! with the filters in the address.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::admin::load_audit;
use crate::domain::calendar::SemesterCode;
use crate::domain::paging::{PageRequest, last_page};
use crate::domain::role::Role;
use crate::domain::views::{AuditQuery, AuditRow};
use crate::i18n::*;
use crate::ui::components::{DateTime, ErrorNotice};
use crate::ui::session::RequireRole;

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, admin.audit)/>
        <RequireRole role=Role::Admin>
            <Audit/>
        </RequireRole>
    }
}

fn query_from_params(params: &leptos_router::params::ParamsMap) -> AuditQuery {
    let text = |name: &str| params.get(name).filter(|value| !value.trim().is_empty());
    AuditQuery {
        entity: text("entity"),
        entity_id: text("entity_id").and_then(|value| value.trim().parse().ok()),
        action: text("action"),
        actor: text("actor"),
        from: text("from"),
        to: text("to"),
        page: PageRequest::new(
            text("page")
                .and_then(|value| value.parse().ok())
                .unwrap_or(1),
            20,
        ),
    }
}

/// The actions the log records, in the order the filter lists them.
const ACTIONS: [&str; 31] = [
    "create",
    "submit",
    "revise",
    "delete",
    "decide",
    "publish",
    "select",
    "unselect",
    "unlock",
    "student_window",
    "teacher_window",
    "selection_window",
    "max_selections",
    "make_current",
    "submit_roster_26",
    "import_staff",
    "import_homerooms",
    "import_students",
    "import_courses",
    "import_enrolments",
    "delegate_add",
    "delegate_remove",
    "login",
    "password_change",
    "recovery_request",
    "password_recover",
    "account_settings",
    "account_reset",
    "account_new_code",
    "sessions_end",
    "account_slips",
];

/// Names an action in the page's language; an unknown one is shown as stored.
fn action_label(locale: Locale, action: &str) -> String {
    let label = match action {
        "create" => td_string!(locale, audit_action.create),
        "submit" => td_string!(locale, audit_action.submit),
        "revise" => td_string!(locale, audit_action.revise),
        "delete" => td_string!(locale, audit_action.delete),
        "decide" => td_string!(locale, audit_action.decide),
        "publish" => td_string!(locale, audit_action.publish),
        "select" => td_string!(locale, audit_action.select),
        "unselect" => td_string!(locale, audit_action.unselect),
        "login" => td_string!(locale, audit_action.login),
        "student_window" => td_string!(locale, audit_action.student_window),
        "teacher_window" => td_string!(locale, audit_action.teacher_window),
        "selection_window" => td_string!(locale, audit_action.selection_window),
        "max_selections" => td_string!(locale, audit_action.max_selections),
        "unlock" => td_string!(locale, audit_action.unlock),
        "make_current" => td_string!(locale, audit_action.make_current),
        "submit_roster_26" => td_string!(locale, audit_action.submit_roster_26),
        "import_staff" => td_string!(locale, audit_action.import_staff),
        "import_homerooms" => td_string!(locale, audit_action.import_homerooms),
        "import_students" => td_string!(locale, audit_action.import_students),
        "import_courses" => td_string!(locale, audit_action.import_courses),
        "import_enrolments" => td_string!(locale, audit_action.import_enrolments),
        "delegate_add" => td_string!(locale, audit_action.delegate_add),
        "delegate_remove" => td_string!(locale, audit_action.delegate_remove),
        "password_change" => td_string!(locale, audit_action.password_change),
        "recovery_request" => td_string!(locale, audit_action.recovery_request),
        "password_recover" => td_string!(locale, audit_action.password_recover),
        "account_settings" => td_string!(locale, audit_action.account_settings),
        "account_reset" => td_string!(locale, audit_action.account_reset),
        "account_new_code" => td_string!(locale, audit_action.account_new_code),
        "sessions_end" => td_string!(locale, audit_action.sessions_end),
        "account_slips" => td_string!(locale, audit_action.account_slips),
        other => return other.to_owned(),
    };
    label.to_string()
}

/// Names a stored state (draft, passed …) in the page's language; other values, such as
/// dates, are shown as stored.
fn value_label(locale: Locale, value: &str) -> String {
    if let Some((batch, rows)) = value
        .strip_prefix("batch:")
        .and_then(|rest| rest.split_once(':'))
    {
        return td_string!(locale, audit_value.batch, batch = batch, rows = rows).to_string();
    }
    if let Some(counts) = value.strip_prefix("import:") {
        let counts: Vec<&str> = counts.split(':').collect();
        if let [inserted, updated, unchanged] = counts.as_slice() {
            return td_string!(
                locale,
                audit_value.import_counts,
                inserted = inserted,
                updated = updated,
                unchanged = unchanged
            )
            .to_string();
        }
    }
    if let Some(count) = value.strip_prefix("sessions_ended:") {
        return td_string!(locale, audit_value.sessions_ended, count = count).to_string();
    }
    let label = match value {
        "email" => td_string!(locale, audit_value.email),
        "sms" => td_string!(locale, audit_value.sms),
        "draft" => td_string!(locale, audit_value.draft),
        "pending" => td_string!(locale, audit_value.pending),
        "passed" => td_string!(locale, audit_value.passed),
        "failed" => td_string!(locale, audit_value.failed),
        "undecided" => td_string!(locale, audit_value.undecided),
        "selected" => td_string!(locale, audit_value.selected),
        "unselected" => td_string!(locale, audit_value.unselected),
        other => return other.to_owned(),
    };
    label.to_string()
}

fn entity_label(locale: Locale, entity: &str) -> String {
    let label = match entity {
        "course_outcome" => td_string!(locale, audit.entity_outcome),
        "semester" => td_string!(locale, audit.entity_semester),
        "school_year" => td_string!(locale, audit.entity_school_year),
        "student" => td_string!(locale, audit.entity_student),
        "user" => td_string!(locale, audit.entity_user),
        "school" => td_string!(locale, audit.entity_school),
        "course" => td_string!(locale, audit.entity_course),
        other => return other.to_owned(),
    };
    label.to_string()
}

/// Names a row's entity: its kind and name, such as 學習成果 112010 王小明 數學A or
/// 學期 113學年度第1學期, with the number only when there is no name.
fn entity_text(locale: Locale, row: &AuditRow) -> String {
    let kind = entity_label(locale, &row.entity);
    match row.entity_name.as_deref() {
        Some(name) if row.entity == "semester" => match name.parse::<SemesterCode>() {
            Ok(code) => crate::ui::format::semester_label(locale, code),
            Err(_) => format!("{kind} {name}"),
        },
        Some(name) if row.entity == "school_year" => {
            td_string!(locale, admin.selection_year, year = name).to_string()
        }
        Some(name) => format!("{kind} {name}"),
        None if row.entity == "school" => kind,
        None => format!("{kind} #{}", row.entity_id),
    }
}

fn href(query: &AuditQuery, page: u32) -> String {
    let mut pairs = Vec::new();
    for (name, value) in [
        ("entity", query.entity.clone()),
        ("entity_id", query.entity_id.map(|id| id.to_string())),
        ("action", query.action.clone()),
        ("actor", query.actor.clone()),
        ("from", query.from.clone()),
        ("to", query.to.clone()),
    ] {
        if let Some(value) = value {
            let encoded: String = percent_encode(&value);
            pairs.push(format!("{name}={encoded}"));
        }
    }
    pairs.push(format!("page={page}"));
    format!("/admin/audit?{}", pairs.join("&"))
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

#[component]
fn Audit() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(query_from_params));
    let page = Resource::new(move || query.get(), load_audit);
    let value = move |name: &'static str| {
        move || params.with(|params| params.get(name).unwrap_or_default())
    };
    view! {
        <p><a class="link" href="/admin">{t!(i18n, admin.back)}</a></p>
        <h1>{t!(i18n, admin.audit)}</h1>
        <Form method="GET" action="/admin/audit" attr:class="filters">
            <div class="field">
                <label for="audit-entity">{t!(i18n, audit.entity)}</label>
                <select id="audit-entity" name="entity" prop:value=value("entity")>
                    <option value="">{t!(i18n, audit.all)}</option>
                    <option value="course_outcome">{t!(i18n, audit.entity_outcome)}</option>
                    <option value="semester">{t!(i18n, audit.entity_semester)}</option>
                    <option value="school_year">{t!(i18n, audit.entity_school_year)}</option>
                    <option value="student">{t!(i18n, audit.entity_student)}</option>
                    <option value="user">{t!(i18n, audit.entity_user)}</option>
                    <option value="school">{t!(i18n, audit.entity_school)}</option>
                    <option value="course">{t!(i18n, audit.entity_course)}</option>
                </select>
            </div>
            <div class="field">
                <label for="audit-entity-id">{t!(i18n, audit.entity_id)}</label>
                <input id="audit-entity-id" name="entity_id" inputmode="numeric" value=value("entity_id") prop:value=value("entity_id")/>
            </div>
            <div class="field">
                <label for="audit-action">{t!(i18n, audit.action)}</label>
                <select id="audit-action" name="action" prop:value=value("action")>
                    <option value="">{t!(i18n, audit.all_actions)}</option>
                    {ACTIONS
                        .iter()
                        .map(|action| view! { <option value=*action>{move || action_label(i18n.get_locale(), action)}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-actor">{t!(i18n, audit.actor)}</label>
                <input id="audit-actor" name="actor" value=value("actor") prop:value=value("actor")/>
            </div>
            <div class="field">
                <label for="audit-from">{t!(i18n, audit.from)}</label>
                <input id="audit-from" name="from" type="text" class="date-input" autocomplete="off" maxlength="10" placeholder="114/02/28" value=value("from") prop:value=value("from")/>
            </div>
            <div class="field">
                <label for="audit-to">{t!(i18n, audit.to)}</label>
                <input id="audit-to" name="to" type="text" class="date-input" autocomplete="off" maxlength="10" placeholder="114/02/28" value=value("to") prop:value=value("to")/>
            </div>
            <div class="field filter-submit">
                // Named, because the router's form adds the button to the address: a new filter
                // starts on the first page, instead of a stray `&=`.
                <button type="submit" name="page" value="1" class="button button-primary">{t!(i18n, certify.apply_filters)}</button>
            </div>
        </Form>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let range = page.range;
                        let range_text = if range.total == 0 {
                            t_string!(i18n, certify.range_empty).to_string()
                        } else {
                            t_string!(i18n, certify.range, first = range.first, last = range.last, total = range.total).to_string()
                        };
                        let last = last_page(range.total, page.query.page.per_page);
                        let current = page.query.page.page;
                        let query = page.query.clone();
                        view! {
                            <p class="range" role="status">{range_text}</p>
                            <div class="table-scroll">
                                <table class="responsive audit">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t!(i18n, audit.time)}</th>
                                            <th scope="col">{t!(i18n, audit.actor)}</th>
                                            <th scope="col">{t!(i18n, audit.entity)}</th>
                                            <th scope="col">{t!(i18n, audit.action)}</th>
                                            <th scope="col">{t!(i18n, audit.old_value)}</th>
                                            <th scope="col">{t!(i18n, audit.new_value)}</th>
                                            <th scope="col">{t!(i18n, audit.reason)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page
                                            .rows
                                            .into_iter()
                                            .map(|row| {
                                                let locale = i18n.get_locale_untracked();
                                                let entity = entity_text(locale, &row);
                                                let action = action_label(locale, &row.action);
                                                let old_value = row.old_value.as_deref().map(|value| value_label(locale, value)).unwrap_or_default();
                                                let new_value = row.new_value.as_deref().map(|value| value_label(locale, value)).unwrap_or_default();
                                                view! {
                                                    <tr>
                                                        <td data-label=move || t_string!(i18n, audit.time)><DateTime at=row.occurred_at/></td>
                                                        <td data-label=move || t_string!(i18n, audit.actor)>
                                                            <span>
                                                                {row.actor.clone().unwrap_or_else(|| "—".into())}
                                                                {row.on_behalf_of.clone().map(|name| view! { " " <span class="badge">{t!(i18n, delegation.for_teacher, name = name)}</span> })}
                                                            </span>
                                                        </td>
                                                        <td data-label=move || t_string!(i18n, audit.entity)>{entity}</td>
                                                        <td data-label=move || t_string!(i18n, audit.action)>{action}</td>
                                                        <td data-label=move || t_string!(i18n, audit.old_value)>{old_value}</td>
                                                        <td data-label=move || t_string!(i18n, audit.new_value)>{new_value}</td>
                                                        <td data-label=move || t_string!(i18n, audit.reason)>{row.reason.clone().unwrap_or_default()}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <nav class="pagination" aria-label=move || t_string!(i18n, certify.pagination)>
                                {(current > 1).then(|| view! { <a href=href(&query, current - 1) rel="prev">{t!(i18n, certify.previous)}</a> })}
                                <span class="current" aria-current="page">{current} " / " {last}</span>
                                {(current < last).then(|| view! { <a href=href(&query, current + 1) rel="next">{t!(i18n, certify.next)}</a> })}
                            </nav>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
