//! 期限設定: the windows of each semester and the selection window of each school year, and
//! new semesters, whose windows start from the defaults.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{DateInput, WindowStatus, date_value, roc_text};
use crate::api::admin::{
    CreateSemester, MakeCurrentSemester, NewSemesterInput, SelectionWindowInput,
    SemesterWindowsInput, UpdateSelectionWindow, UpdateSemesterWindows, load_admin_windows,
};
use crate::domain::AppError;
use crate::domain::calendar::UtcMillis;
use crate::domain::role::Role;
use crate::domain::views::{AdminSchoolYear, AdminSemester};
use crate::i18n::*;
use crate::ui::components::ErrorNotice;
use crate::ui::format::use_semester_label;
use crate::ui::session::RequireRole;

#[component]
pub fn WindowsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, admin.windows)/>
        <RequireRole role=Role::Admin>
            <WindowsEditor/>
        </RequireRole>
    }
}

#[component]
fn WindowsEditor() -> impl IntoView {
    let i18n = use_i18n();
    let update_semester = ServerAction::<UpdateSemesterWindows>::new();
    let update_selection = ServerAction::<UpdateSelectionWindow>::new();
    let create = ServerAction::<CreateSemester>::new();
    let make_current = ServerAction::<MakeCurrentSemester>::new();
    let data = Resource::new(
        move || {
            (
                update_semester.version().get(),
                update_selection.version().get(),
                create.version().get(),
                make_current.version().get(),
            )
        },
        |_| load_admin_windows(),
    );
    let last = RwSignal::new(None::<Result<(), AppError>>);
    for value in [
        update_semester.value(),
        update_selection.value(),
        make_current.value(),
    ] {
        Effect::new(move |_| {
            if let Some(result) = value.get() {
                last.set(Some(result));
            }
        });
    }
    Effect::new(move |_| {
        if let Some(result) = create.value().get() {
            last.set(Some(result.map(|_| ())));
        }
    });
    view! {
        <p><a class="link" href="/admin">{t!(i18n, admin.back)}</a></p>
        <h1>{t!(i18n, admin.windows)}</h1>
        <p class="hint">{t!(i18n, admin.windows_rules)}</p>
        {move || match last.get() {
            Some(Ok(())) => Some(view! { <p class="notice notice-success" role="status">{t!(i18n, admin.saved)}</p> }.into_any()),
            Some(Err(error)) => Some(view! { <ErrorNotice error=error/> }.into_any()),
            None => None,
        }}
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        let now = page.now;
                        view! {
                        <h2>{t!(i18n, admin.semesters)}</h2>
                        {page
                            .semesters
                            .into_iter()
                            .map(|semester| view! { <SemesterForm semester=semester now=now update=update_semester make_current=make_current/> })
                            .collect_view()}
                        <NewSemesterForm create=create/>
                        <h2>{t!(i18n, admin.selection_windows)}</h2>
                        {page
                            .school_years
                            .into_iter()
                            .map(|year| view! { <SelectionForm year=year now=now update=update_selection/> })
                            .collect_view()}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SemesterForm(
    semester: AdminSemester,
    now: UtcMillis,
    update: ServerAction<UpdateSemesterWindows>,
    make_current: ServerAction<MakeCurrentSemester>,
) -> impl IntoView {
    let i18n = use_i18n();
    let semester_label = use_semester_label();
    let id = semester.id;
    let windows = semester.windows;
    let student_opens = RwSignal::new(date_value(windows.student.opens_at));
    let student_closes = RwSignal::new(date_value(windows.student.closes_at));
    let teacher_opens = RwSignal::new(date_value(windows.teacher.opens_at));
    let teacher_closes = RwSignal::new(date_value(windows.teacher.closes_at));
    let reason = RwSignal::new(String::new());
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        update.dispatch(UpdateSemesterWindows {
            input: SemesterWindowsInput {
                semester: id,
                student_opens_on: student_opens.get_untracked(),
                student_closes_on: student_closes.get_untracked(),
                teacher_opens_on: teacher_opens.get_untracked(),
                teacher_closes_on: teacher_closes.get_untracked(),
                reason: reason.get_untracked(),
            },
        });
    };
    let title = semester_label(semester.code);
    let label = title.clone();
    let field = move |name: &'static str, label: String, value: RwSignal<String>| {
        let input_id = format!("semester-{}-{name}", id.0);
        view! {
            <div class="field">
                <label for=input_id.clone()>{label}</label>
                <DateInput id=input_id value=value/>
            </div>
        }
    };
    view! {
        <form class="card window-form" on:submit=save novalidate=true aria-label=label>
            <h3>
                {title}
                {semester.is_current.then(|| view! { " " <span class="badge badge-passed">{t!(i18n, admin.current)}</span> })}
            </h3>
            <p class="muted-inline">
                {t!(i18n, admin.semester_dates, starts = roc_text(&semester.starts_on), ends = roc_text(&semester.ends_on))}
                {semester.closing_day.as_deref().map(|day| view! { " " {t!(i18n, admin.closing_day, day = roc_text(day))} })}
            </p>
            <fieldset class="window-set">
                <legend>{t!(i18n, admin.student_window)}</legend>
                <WindowStatus window=windows.student now=now/>
                <div class="window-grid">
                    {field("student-opens", t_string!(i18n, admin.opens).to_string(), student_opens)}
                    {field("student-closes", t_string!(i18n, admin.closes).to_string(), student_closes)}
                </div>
            </fieldset>
            <fieldset class="window-set">
                <legend>{t!(i18n, admin.teacher_window)}</legend>
                <WindowStatus window=windows.teacher now=now/>
                <div class="window-grid">
                    {field("teacher-opens", t_string!(i18n, admin.opens).to_string(), teacher_opens)}
                    {field("teacher-closes", t_string!(i18n, admin.closes).to_string(), teacher_closes)}
                </div>
            </fieldset>
            <ReasonField id=format!("semester-{}-reason", id.0) value=reason/>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || update.pending().get()>{t!(i18n, admin.save)}</button>
                {(!semester.is_current).then(|| view! {
                    <button type="button" class="button" on:click=move |_| { make_current.dispatch(MakeCurrentSemester { semester: id }); }>
                        {t!(i18n, admin.make_current)}
                    </button>
                })}
            </div>
        </form>
    }
}

#[component]
fn NewSemesterForm(create: ServerAction<CreateSemester>) -> impl IntoView {
    let i18n = use_i18n();
    let year = RwSignal::new(String::new());
    let semester = RwSignal::new("1".to_owned());
    let starts = RwSignal::new(String::new());
    let ends = RwSignal::new(String::new());
    let closing = RwSignal::new(String::new());
    let make_current = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        create.dispatch(CreateSemester {
            input: NewSemesterInput {
                school_year: year.get_untracked(),
                semester: semester.get_untracked().parse().unwrap_or(1),
                starts_on: starts.get_untracked(),
                ends_on: ends.get_untracked(),
                closing_day: closing.get_untracked(),
                make_current: make_current.get_untracked(),
            },
        });
    };
    view! {
        <form class="card window-form" on:submit=submit novalidate=true aria-labelledby="new-semester-title">
            <h3 id="new-semester-title">{t!(i18n, admin.new_semester)}</h3>
            <p class="hint">{t!(i18n, admin.new_semester_hint)}</p>
            <div class="window-grid">
                <div class="field">
                    <label for="new-year">{t!(i18n, admin.school_year)}</label>
                    <input id="new-year" inputmode="numeric" autocomplete="off" maxlength="3" placeholder="114" prop:value=move || year.get() on:input=move |event| year.set(event_target_value(&event))/>
                </div>
                <div class="field">
                    <label for="new-semester">{t!(i18n, fields.semester)}</label>
                    <select id="new-semester" on:change=move |event| semester.set(event_target_value(&event))>
                        <option value="1">"1"</option>
                        <option value="2">"2"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="new-starts">{t!(i18n, admin.starts_on)}</label>
                    <DateInput id="new-starts".to_owned() value=starts/>
                </div>
                <div class="field">
                    <label for="new-ends">{t!(i18n, admin.ends_on)}</label>
                    <DateInput id="new-ends".to_owned() value=ends/>
                </div>
                <div class="field">
                    <label for="new-closing">{t!(i18n, admin.closing_day_label)}</label>
                    <DateInput id="new-closing".to_owned() value=closing/>
                </div>
            </div>
            <label class="tick">
                <input type="checkbox" prop:checked=move || make_current.get() on:change=move |event| make_current.set(event_target_checked(&event))/>
                <span>{t!(i18n, admin.make_current)}</span>
            </label>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>{t!(i18n, admin.create_semester)}</button>
            </div>
        </form>
    }
}

#[component]
fn SelectionForm(
    year: AdminSchoolYear,
    now: UtcMillis,
    update: ServerAction<UpdateSelectionWindow>,
) -> impl IntoView {
    let i18n = use_i18n();
    let school_year = year.school_year;
    let opens = RwSignal::new(date_value(year.selection.opens_at));
    let closes = RwSignal::new(date_value(year.selection.closes_at));
    let max = RwSignal::new(year.max_selections.to_string());
    let reason = RwSignal::new(String::new());
    let id = year.id;
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        update.dispatch(UpdateSelectionWindow {
            input: SelectionWindowInput {
                school_year,
                opens_on: opens.get_untracked(),
                closes_on: closes.get_untracked(),
                max_selections: max.get_untracked(),
                reason: reason.get_untracked(),
            },
        });
    };
    let title = t_string!(i18n, admin.selection_year, year = school_year.0).to_string();
    let label = title.clone();
    view! {
        <form class="card window-form" on:submit=save novalidate=true aria-label=label>
            <h3>{title}</h3>
            {if year.submitted {
                view! { <p class="window-status window-closed">{t!(i18n, admin.selection_submitted)}</p> }.into_any()
            } else if year.selection.opens_at.is_none() {
                // A selection window without dates is closed: students cannot tick yet.
                view! { <p class="window-status window-waiting">{t!(i18n, admin.selection_unset)}</p> }.into_any()
            } else {
                view! { <WindowStatus window=year.selection now=now/> }.into_any()
            }}
            <div class="window-grid">
                <div class="field">
                    <label for=format!("selection-{id}-opens")>{t!(i18n, admin.selection_opens)}</label>
                    <DateInput id=format!("selection-{id}-opens") value=opens/>
                </div>
                <div class="field">
                    <label for=format!("selection-{id}-closes")>{t!(i18n, admin.selection_closes)}</label>
                    <DateInput id=format!("selection-{id}-closes") value=closes/>
                </div>
                <div class="field">
                    <label for=format!("selection-{id}-max")>{t!(i18n, admin.max_selections)}</label>
                    <input id=format!("selection-{id}-max") inputmode="numeric" autocomplete="off" maxlength="2" value=max.get_untracked() prop:value=move || max.get() on:input=move |event| max.set(event_target_value(&event))/>
                </div>
            </div>
            <ReasonField id=format!("selection-{id}-reason") value=reason/>
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || update.pending().get()>{t!(i18n, admin.save)}</button>
            </div>
        </form>
    }
}

/// Renders the optional reason of a change, which the audit log keeps with it.
#[component]
fn ReasonField(id: String, value: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=id.clone()>{t!(i18n, admin.change_reason)}</label>
            <input
                id=id
                type="text"
                autocomplete="off"
                maxlength="500"
                value=value.get_untracked()
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))
            />
        </div>
    }
}
