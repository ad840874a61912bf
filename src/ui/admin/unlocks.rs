//! 個別開放: reopening one student's semester for a period, with a reason, and the list of
//! unlocks granted.

use leptos::prelude::*;
use leptos_meta::Title;

use super::DateInput;
use crate::api::admin::{CreateUnlock, UnlockInput, load_admin_windows, load_unlocks};
use crate::domain::role::Role;
use crate::i18n::*;
use crate::ui::components::{DateTime, ErrorNotice};
use crate::ui::format::use_semester_label;
use crate::ui::session::RequireRole;

#[component]
pub fn UnlocksPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, admin.unlocks)/>
        <RequireRole role=Role::Admin>
            <Unlocks/>
        </RequireRole>
    }
}

#[component]
fn Unlocks() -> impl IntoView {
    let i18n = use_i18n();
    let semester_label = use_semester_label();
    let create = ServerAction::<CreateUnlock>::new();
    let unlocks = Resource::new(move || create.version().get(), |_| load_unlocks());
    let semesters = Resource::new(|| (), |_| load_admin_windows());
    let student_no = RwSignal::new(String::new());
    let semester = RwSignal::new(String::new());
    let closes = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Some(semester_id) = semester
            .get_untracked()
            .parse::<i64>()
            .ok()
            .map(crate::domain::ids::SemesterId)
        else {
            return;
        };
        create.dispatch(CreateUnlock {
            input: UnlockInput {
                student_no: student_no.get_untracked(),
                semester: semester_id,
                closes_on: closes.get_untracked(),
                reason: reason.get_untracked(),
            },
        });
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = create.value().get() {
            student_no.set(String::new());
            reason.set(String::new());
        }
    });
    view! {
        <p><a class="link" href="/admin">{t!(i18n, admin.back)}</a></p>
        <h1>{t!(i18n, admin.unlocks)}</h1>
        <p class="hint">{t!(i18n, admin.unlocks_rules)}</p>
        <form class="card window-form" on:submit=submit novalidate=true aria-labelledby="unlock-title">
            <h2 id="unlock-title">{t!(i18n, admin.new_unlock)}</h2>
            <div class="window-grid">
                <div class="field">
                    <label for="unlock-student">{t!(i18n, admin.student_no)}</label>
                    <input id="unlock-student" autocomplete="off" prop:value=move || student_no.get() on:input=move |event| student_no.set(event_target_value(&event))/>
                </div>
                <div class="field">
                    <label for="unlock-semester">{t!(i18n, fields.semester)}</label>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let options = semesters.await.map(|page| page.semesters).unwrap_or_default();
                            if semester.get_untracked().is_empty()
                                && let Some(current) = options.iter().find(|option| option.is_current).or(options.first())
                            {
                                semester.set(current.id.0.to_string());
                            }
                            view! {
                                <select id="unlock-semester" on:change=move |event| semester.set(event_target_value(&event))>
                                    {options
                                        .into_iter()
                                        .map(|option| {
                                            let value = option.id.0.to_string();
                                            let selected = option.is_current;
                                            view! { <option value=value selected=selected>{semester_label(option.code)}</option> }
                                        })
                                        .collect_view()}
                                </select>
                            }
                        })}
                    </Suspense>
                </div>
                <div class="field">
                    <label for="unlock-closes">{t!(i18n, admin.unlock_until)}</label>
                    <DateInput id="unlock-closes".to_owned() value=closes/>
                </div>
            </div>
            <div class="field">
                <label for="unlock-reason">{t!(i18n, admin.unlock_reason)}</label>
                <textarea id="unlock-reason" rows="2" prop:value=move || reason.get() on:input=move |event| reason.set(event_target_value(&event))></textarea>
            </div>
            {move || create.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error=error/> })}
            {move || matches!(create.value().get(), Some(Ok(()))).then(|| view! {
                <p class="notice notice-success" role="status">{t!(i18n, admin.unlock_saved)}</p>
            })}
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>{t!(i18n, admin.unlock_submit)}</button>
            </div>
        </form>
        <h2>{t!(i18n, admin.unlock_list)}</h2>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match unlocks.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, admin.no_unlocks)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-scroll">
                            <table class="responsive">
                                <thead>
                                    <tr>
                                        <th scope="col">{t!(i18n, fields.student)}</th>
                                        <th scope="col">{t!(i18n, fields.semester)}</th>
                                        <th scope="col">{t!(i18n, admin.unlock_period)}</th>
                                        <th scope="col">{t!(i18n, admin.unlock_reason)}</th>
                                        <th scope="col">{t!(i18n, admin.granted_by)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list
                                        .into_iter()
                                        .map(|row| {
                                            let student = format!("{} {}", row.student_no, row.student_name);
                                            view! {
                                                <tr class=if row.active { "" } else { "published" }>
                                                    <td data-label=move || t_string!(i18n, fields.student)>{student}</td>
                                                    <td data-label=move || t_string!(i18n, fields.semester)>{semester_label(row.semester)}</td>
                                                    // One child, because a phone shows each cell as a two-column grid.
                                                    <td data-label=move || t_string!(i18n, admin.unlock_period)>
                                                        <span>
                                                            {row.window.opens_at.map(|at| view! { <DateTime at=at/> })} " ~ "
                                                            {row.window.closes_at.map(|at| view! { <DateTime at=at/> })}
                                                            {row.active.then(|| view! { " " <span class="badge badge-passed">{t!(i18n, admin.active)}</span> })}
                                                        </span>
                                                    </td>
                                                    <td data-label=move || t_string!(i18n, admin.unlock_reason)>{row.reason.clone()}</td>
                                                    <td data-label=move || t_string!(i18n, admin.granted_by)>
                                                        <span>{row.created_by.clone()} " " <DateTime at=row.created_at/></span>
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
