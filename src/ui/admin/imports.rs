//! 匯入: an administrator chooses a kind of data and a file, reviews every problem in a
//! preview that writes nothing, and then confirms the import, which writes all rows or none.

use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::load_import_target;
use crate::domain::AppError;
use crate::domain::imports::{
    ImportKind, ImportPreview, ImportProblem, ImportResult, ImportRowProblem, PreviewRow, RowChange,
};
use crate::domain::role::Role;
use crate::i18n::*;
use crate::ui::browser;
use crate::ui::components::ErrorNotice;
use crate::ui::format::semester_label;
use crate::ui::session::RequireRole;

/// Names a kind of import in `locale`.
pub fn kind_label(locale: Locale, kind: ImportKind) -> String {
    match kind {
        ImportKind::Staff => td_string!(locale, imports.kind_staff).to_string(),
        ImportKind::Homerooms => td_string!(locale, imports.kind_homerooms).to_string(),
        ImportKind::Students => td_string!(locale, imports.kind_students).to_string(),
        ImportKind::Courses => td_string!(locale, imports.kind_courses).to_string(),
        ImportKind::Enrolments => td_string!(locale, imports.kind_enrolments).to_string(),
    }
}

/// Returns the message of one problem of a preview: what is wrong with which value, and
/// what to do about it.
pub fn problem_message(locale: Locale, problem: &ImportRowProblem) -> String {
    let value = problem.value.as_str();
    let column = problem.column.as_str();
    match &problem.problem {
        ImportProblem::MissingColumn => {
            td_string!(locale, imports.p_missing_column, column = column).to_string()
        }
        ImportProblem::DuplicateColumn => {
            td_string!(locale, imports.p_duplicate_column, column = column).to_string()
        }
        ImportProblem::Required => {
            td_string!(locale, imports.p_required, column = column).to_string()
        }
        ImportProblem::TooLong { max } => {
            td_string!(locale, imports.p_too_long, value = value, max = *max).to_string()
        }
        ImportProblem::NationalIdFormat => {
            td_string!(locale, imports.p_national_id_format, value = value).to_string()
        }
        ImportProblem::NationalIdCheckDigit => {
            td_string!(locale, imports.p_national_id_check_digit, value = value).to_string()
        }
        ImportProblem::NationalIdRepeated { first_line } => td_string!(
            locale,
            imports.p_national_id_repeated,
            value = value,
            first_line = *first_line
        )
        .to_string(),
        ImportProblem::NationalIdTaken { student_no } => td_string!(
            locale,
            imports.p_national_id_taken,
            value = value,
            student_no = student_no
        )
        .to_string(),
        ImportProblem::DateUnreadable => td_string!(
            locale,
            imports.p_date_unreadable,
            column = column,
            value = value
        )
        .to_string(),
        ImportProblem::DateOutOfRange => td_string!(
            locale,
            imports.p_date_out_of_range,
            column = column,
            value = value
        )
        .to_string(),
        ImportProblem::Email => td_string!(locale, imports.p_email, value = value).to_string(),
        ImportProblem::Mobile => td_string!(locale, imports.p_mobile, value = value).to_string(),
        ImportProblem::NumberFormat => td_string!(
            locale,
            imports.p_number_format,
            column = column,
            value = value
        )
        .to_string(),
        ImportProblem::StudentNoRepeated { first_line } => td_string!(
            locale,
            imports.p_student_no_repeated,
            value = value,
            first_line = *first_line
        )
        .to_string(),
        ImportProblem::StudentNoTaken { name } => td_string!(
            locale,
            imports.p_student_no_taken,
            value = value,
            name = name
        )
        .to_string(),
        ImportProblem::LoginTaken => {
            td_string!(locale, imports.p_login_taken, value = value).to_string()
        }
        ImportProblem::UnknownHomeroom { school_year } => td_string!(
            locale,
            imports.p_unknown_homeroom,
            value = value,
            year = *school_year
        )
        .to_string(),
        ImportProblem::SeatNo => td_string!(locale, imports.p_seat_no, value = value).to_string(),
        ImportProblem::SeatTaken {
            student_no: Some(student_no),
            ..
        } => td_string!(
            locale,
            imports.p_seat_taken,
            value = value,
            student_no = student_no
        )
        .to_string(),
        ImportProblem::SeatTaken { first_line, .. } => td_string!(
            locale,
            imports.p_seat_repeated,
            value = value,
            first_line = first_line.unwrap_or_default()
        )
        .to_string(),
        ImportProblem::StaffNoRepeated { first_line } => td_string!(
            locale,
            imports.p_staff_no_repeated,
            value = value,
            first_line = *first_line
        )
        .to_string(),
        ImportProblem::UnknownRole => {
            td_string!(locale, imports.p_unknown_role, value = value).to_string()
        }
        ImportProblem::Grade => td_string!(locale, imports.p_grade, value = value).to_string(),
        ImportProblem::UnknownStaff => {
            td_string!(locale, imports.p_unknown_staff, value = value).to_string()
        }
        ImportProblem::HomeroomRepeated { first_line } => td_string!(
            locale,
            imports.p_homeroom_repeated,
            value = value,
            first_line = *first_line
        )
        .to_string(),
        ImportProblem::Credits => td_string!(locale, imports.p_credits, value = value).to_string(),
        ImportProblem::CourseRepeated { first_line } => td_string!(
            locale,
            imports.p_course_repeated,
            value = value,
            first_line = *first_line
        )
        .to_string(),
        ImportProblem::UnknownStudent => {
            td_string!(locale, imports.p_unknown_student, value = value).to_string()
        }
        ImportProblem::UnknownCourse { semester } => td_string!(
            locale,
            imports.p_unknown_course,
            value = value,
            semester = semester_label(locale, *semester)
        )
        .to_string(),
        ImportProblem::EnrolmentRepeated { first_line } => td_string!(
            locale,
            imports.p_enrolment_repeated,
            first_line = *first_line
        )
        .to_string(),
    }
}

#[component]
pub fn ImportsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, imports.title)/>
        <RequireRole role=Role::Admin>
            <Imports/>
        </RequireRole>
    }
}

#[component]
fn Imports() -> impl IntoView {
    let i18n = use_i18n();
    let target = Resource::new(|| (), |_| load_import_target());
    let kind = RwSignal::new(ImportKind::Students);
    let form = NodeRef::<html::Form>::new();
    let file_input = NodeRef::<html::Input>::new();
    let preview = RwSignal::new(None::<ImportPreview>);
    let imported = RwSignal::new(None::<ImportResult>);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    // The form posts through the page's script, so its controls wait for hydration.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));

    // A new kind or file makes the old preview meaningless.
    let reset = move || {
        preview.set(None);
        imported.set(None);
        error.set(None);
    };

    let on_preview = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        reset();
        if !browser::has_chosen_file(file_input) {
            error.set(Some(AppError::ImportFile(
                crate::domain::imports::ImportFileProblem::Empty,
            )));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match browser::post_form_json::<ImportPreview>("/imports/preview".into(), form, &[])
                .await
            {
                Ok(result) => preview.set(Some(result)),
                Err(failure) => error.set(Some(failure)),
            }
            busy.set(false);
        });
    };

    let on_confirm = move |_| {
        let Some(sha256) = preview.with_untracked(|p| p.as_ref().map(|p| p.sha256.clone())) else {
            return;
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let extra = [("sha256", sha256.as_str())];
            match browser::post_form_json::<ImportResult>("/imports/commit".into(), form, &extra)
                .await
            {
                Ok(result) => {
                    preview.set(None);
                    imported.set(Some(result));
                }
                Err(failure) => error.set(Some(failure)),
            }
            busy.set(false);
        });
    };

    view! {
        <p><a class="link" href="/admin">{t!(i18n, admin.back)}</a></p>
        <h1>{t!(i18n, imports.title)}</h1>
        <noscript><p class="notice notice-error">{t!(i18n, imports.needs_script)}</p></noscript>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match target.await {
                    Ok(Some(code)) => {
                        let label = semester_label(i18n.get_locale_untracked(), code);
                        view! { <p>{t!(i18n, imports.intro, semester = label.clone())}</p> }.into_any()
                    }
                    Ok(None) => view! { <ErrorNotice error=AppError::NoCurrentSemester/> }.into_any(),
                    Err(failure) => view! { <ErrorNotice error=failure/> }.into_any(),
                }
            })}
        </Suspense>
        <p class="hint">{t!(i18n, imports.all_or_nothing)}</p>
        <form
            node_ref=form
            class="card stack import-form"
            method="post"
            action="/imports/preview"
            enctype="multipart/form-data"
            novalidate=true
            on:submit=on_preview
        >
            <fieldset class="import-kinds">
                <legend>{t!(i18n, imports.kind)}</legend>
                {ImportKind::ALL
                    .into_iter()
                    .map(|option| {
                        let id = format!("import-kind-{}", option.as_str());
                        let label_for = id.clone();
                        view! {
                            <label class="import-kind" for=label_for>
                                <input
                                    type="radio"
                                    id=id
                                    name="kind"
                                    value=option.as_str()
                                    prop:checked=move || kind.get() == option
                                    on:change=move |_| {
                                        kind.set(option);
                                        reset();
                                    }
                                />
                                <span>{move || kind_label(i18n.get_locale(), option)}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <ColumnList kind=kind/>
            <label class="field">
                <span>{t!(i18n, imports.file)}</span>
                <input
                    node_ref=file_input
                    type="file"
                    name="file"
                    accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    on:change=move |_| reset()
                />
            </label>
            <p class="hint">{t!(i18n, imports.file_hint)}</p>
            {move || error.get().map(|failure| view! { <ErrorNotice error=failure/> })}
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || busy.get() || !ready.get()>
                    {move || if busy.get() && preview.with(Option::is_none) {
                        t_string!(i18n, imports.previewing).to_string()
                    } else {
                        t_string!(i18n, imports.preview).to_string()
                    }}
                </button>
            </div>
        </form>
        {move || imported.get().map(|result| {
            let counts = result.counts;
            view! {
                <p class="notice notice-success" role="status">
                    {t!(i18n, imports.done, inserted = counts.inserted, updated = counts.updated, unchanged = counts.unchanged)}
                </p>
            }
        })}
        {move || preview.get().map(|preview| view! {
            <PreviewView preview=preview busy=busy on_confirm=Callback::new(on_confirm)/>
        })}
    }
}

/// Lists the columns of the chosen kind, with links to its templates.
#[component]
fn ColumnList(kind: RwSignal<ImportKind>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="import-columns" aria-labelledby="import-columns-title">
            <h2 id="import-columns-title">{t!(i18n, imports.columns_title)}</h2>
            <p class="hint">{t!(i18n, imports.columns_intro)}</p>
            <ul class="column-list">
                {move || kind
                    .get()
                    .columns()
                    .iter()
                    .map(|column| {
                        let note = if column.required {
                            t_string!(i18n, imports.required).to_string()
                        } else {
                            t_string!(i18n, imports.optional).to_string()
                        };
                        view! {
                            <li class:required=column.required>
                                <strong>{column.header}</strong> " " <small>{note}</small>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="template-links">
                {t!(i18n, imports.templates)} " "
                <a href=move || format!("/imports/templates/{}.csv", kind.get().as_str()) download="">
                    {t!(i18n, imports.template_csv)}
                </a>
                " · "
                <a href=move || format!("/imports/templates/{}.xlsx", kind.get().as_str()) download="">
                    {t!(i18n, imports.template_xlsx)}
                </a>
            </p>
        </section>
    }
}

#[component]
fn PreviewView(
    preview: ImportPreview,
    busy: RwSignal<bool>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let counts = preview.counts;
    let kind = preview.kind;
    let problem_count = preview.problem_count;
    let creates_accounts =
        matches!(kind, ImportKind::Students | ImportKind::Staff) && counts.inserted > 0;
    let shown_problems = preview.problems.len();
    let shown_rows = preview.rows.len();
    let problems_truncated = shown_problems < problem_count as usize;
    let rows_truncated = shown_rows < preview.row_count as usize;
    let invalid = preview
        .row_count
        .saturating_sub(counts.inserted + counts.updated + counts.unchanged);
    let ignored = (!preview.ignored_columns.is_empty()).then(|| preview.ignored_columns.join("、"));

    let problems_or_confirm = if problem_count > 0 {
        view! {
            <h3 id="import-problems-title">{t!(i18n, imports.problems_title, count = problem_count)}</h3>
            <p class="notice notice-error">{t!(i18n, imports.problems_intro)}</p>
            {problems_truncated.then(|| view! { <p class="hint">{t!(i18n, imports.problems_truncated, shown = shown_problems)}</p> })}
            <ProblemTable problems=preview.problems/>
        }
        .into_any()
    } else {
        view! {
            <p class="notice notice-success">{t!(i18n, imports.no_problems)}</p>
            {creates_accounts.then(|| view! { <p class="hint">{t!(i18n, imports.new_accounts)}</p> })}
            <div class="form-actions">
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {move || if busy.get() {
                        t_string!(i18n, imports.confirming).to_string()
                    } else {
                        t_string!(i18n, imports.confirm).to_string()
                    }}
                </button>
            </div>
        }
        .into_any()
    };

    view! {
        <section class="card stack import-preview" aria-labelledby="import-preview-title">
            <h2 id="import-preview-title">
                {t!(i18n, imports.preview_title)} "：" {move || kind_label(i18n.get_locale(), kind)}
            </h2>
            <p role="status">
                {t!(i18n, imports.summary, rows = preview.row_count, inserted = counts.inserted, updated = counts.updated, unchanged = counts.unchanged, invalid = invalid)}
            </p>
            {ignored.map(|list| view! { <p class="hint">{t!(i18n, imports.ignored, columns = list.clone())}</p> })}
            {problems_or_confirm}
            <h3 id="import-rows-title">{t!(i18n, imports.rows_title)}</h3>
            {rows_truncated.then(|| view! { <p class="hint">{t!(i18n, imports.rows_truncated, shown = shown_rows)}</p> })}
            <RowTable columns=preview.columns rows=preview.rows/>
        </section>
    }
}

/// Lists the problems of a preview: line, column, value and message.
#[component]
fn ProblemTable(problems: Vec<ImportRowProblem>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll">
            <table class="responsive import-problems" aria-labelledby="import-problems-title">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, imports.line)}</th>
                        <th scope="col">{t!(i18n, imports.column)}</th>
                        <th scope="col">{t!(i18n, imports.value)}</th>
                        <th scope="col">{t!(i18n, imports.problem)}</th>
                    </tr>
                </thead>
                <tbody>
                    {problems
                        .into_iter()
                        .map(|problem| {
                            let message = problem.clone();
                            view! {
                                <tr>
                                    <td data-label=move || t_string!(i18n, imports.line)>{problem.line}</td>
                                    <td data-label=move || t_string!(i18n, imports.column)>{problem.column.clone()}</td>
                                    <td data-label=move || t_string!(i18n, imports.value)><code>{problem.value.clone()}</code></td>
                                    <td data-label=move || t_string!(i18n, imports.problem)>{move || problem_message(i18n.get_locale(), &message)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Lists the rows of a preview with what each will do, national IDs masked.
#[component]
fn RowTable(columns: Vec<String>, rows: Vec<PreviewRow>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll">
            <table class="responsive import-rows" aria-labelledby="import-rows-title">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, imports.line)}</th>
                        <th scope="col">{t!(i18n, imports.change)}</th>
                        {columns.iter().map(|column| view! { <th scope="col">{column.clone()}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let (class, label) = change_badge(i18n.get_locale_untracked(), row.change);
                            let cells = row
                                .cells
                                .into_iter()
                                .zip(columns.clone())
                                .map(|(cell, column)| view! { <td data-label=column>{cell}</td> })
                                .collect_view();
                            view! {
                                <tr class:row-invalid=row.change == RowChange::Invalid>
                                    <td data-label=move || t_string!(i18n, imports.line)>{row.line}</td>
                                    <td data-label=move || t_string!(i18n, imports.change)><span class=class>{label}</span></td>
                                    {cells}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn change_badge(locale: Locale, change: RowChange) -> (&'static str, String) {
    match change {
        RowChange::Insert => (
            "badge badge-passed",
            td_string!(locale, imports.change_insert).to_string(),
        ),
        RowChange::Update => (
            "badge badge-pending",
            td_string!(locale, imports.change_update).to_string(),
        ),
        RowChange::Unchanged => (
            "badge badge-unchanged",
            td_string!(locale, imports.change_unchanged).to_string(),
        ),
        RowChange::Invalid => (
            "badge badge-failed",
            td_string!(locale, imports.change_invalid).to_string(),
        ),
    }
}
