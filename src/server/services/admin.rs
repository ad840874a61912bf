//! The administrator's work (管理者, 教務處 / 資訊組): windows of semesters and school years,
//! new semesters, per-student unlocks, and the audit log. Every change is audited.

use jiff::civil::Date;

use crate::domain::AppError;
use crate::domain::admin_inputs::{
    NewSemesterInput, SelectionWindowInput, SemesterWindowsInput, UnlockInput,
};
use crate::domain::calendar::{
    SchoolYear, Semester, SemesterCode, UtcMillis, end_of_taipei_day, parse_date_input,
    start_of_taipei_day,
};
use crate::domain::ids::SemesterId;
use crate::domain::paging::PageRange;
use crate::domain::role::Role;
use crate::domain::text::FailReason;
use crate::domain::views::{AdminWindows, AuditPage, AuditQuery, UnlockRow};
use crate::domain::window::{SemesterWindows, Window};
use crate::server::auth::CurrentUser;
use crate::server::db;
use crate::server::db::audit::{AuditEvent, AuditFilter};
use crate::server::db::schools::NewSemester;
use crate::server::db::windows::NewUnlock;
use crate::server::error::OrInternal;
use crate::server::state::AppState;

fn date(field: &str, value: &str) -> Result<Date, AppError> {
    parse_date_input(value).ok_or_else(|| AppError::InvalidDate {
        field: field.to_owned(),
        value: value.to_owned(),
    })
}

/// Reads a whole number typed in a form, such as 114 or ６ (full-width digits are accepted).
fn number(field: &str, value: &str, min: i64, max: i64) -> Result<i64, AppError> {
    let digits: String = value
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            other => other,
        })
        .collect();
    digits
        .parse::<i64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| AppError::InvalidNumber {
            field: field.to_owned(),
            value: value.trim().to_owned(),
            min,
            max,
        })
}

/// Reads the optional reason of a change: `None` when left empty.
fn optional_reason(raw: &str) -> Result<Option<String>, AppError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    FailReason::parse(raw)
        .map(|reason| Some(reason.as_str().to_owned()))
        .map_err(AppError::UnlockReason)
}

fn window(field: &str, first: &str, last: &str) -> Result<Window, AppError> {
    let (first, last) = (date(field, first)?, date(field, last)?);
    if last < first {
        return Err(AppError::WindowReversed {
            field: field.to_owned(),
        });
    }
    Ok(Window::from_dates(first, last))
}

/// Formats a window for the audit log, such as `113/08/01 00:00:00 ~ 114/02/03 23:59:59`.
fn describe(window: &Window) -> String {
    let end = |at: Option<UtcMillis>| {
        at.map(UtcMillis::to_roc_datetime)
            .unwrap_or_else(|| "—".into())
    };
    format!("{} ~ {}", end(window.opens_at), end(window.closes_at))
}

#[allow(clippy::too_many_arguments)]
async fn audit(
    tx: &mut db::Tx,
    user: &CurrentUser,
    entity: &str,
    entity_id: i64,
    action: &str,
    old_value: Option<&str>,
    new_value: Option<&str>,
    reason: Option<&str>,
    now: UtcMillis,
) -> Result<(), AppError> {
    db::audit::insert(
        tx,
        &AuditEvent {
            school: user.school_id,
            actor: Some(user.user_id),
            entity,
            entity_id,
            action,
            old_value,
            new_value,
            reason,
        },
        now,
    )
    .await
    .or_internal("writing an audit row")
}

pub async fn windows_page(state: &AppState, user: &CurrentUser) -> Result<AdminWindows, AppError> {
    user.require(Role::Admin)?;
    let pool = &state.db.pool;
    Ok(AdminWindows {
        semesters: db::windows::list_semesters(pool, user.school_id)
            .await
            .or_internal("listing semesters")?,
        school_years: db::windows::list_school_years(pool, user.school_id)
            .await
            .or_internal("listing school years")?,
        now: state.clock.now(),
    })
}

pub async fn update_semester_windows(
    state: &AppState,
    user: &CurrentUser,
    input: SemesterWindowsInput,
) -> Result<(), AppError> {
    user.require(Role::Admin)?;
    let new = SemesterWindows {
        student: window(
            "學生上傳期間",
            &input.student_opens_on,
            &input.student_closes_on,
        )?,
        teacher: window(
            "教師認證期間",
            &input.teacher_opens_on,
            &input.teacher_closes_on,
        )?,
    };
    let reason = optional_reason(&input.reason)?;
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a window change")?;
    let old = db::windows::semester_windows(&mut **tx, user.school_id, input.semester)
        .await
        .or_internal("loading windows")?
        .ok_or(AppError::NotFound(crate::domain::error::Resource::Page))?;
    db::windows::update_semester_windows(&mut tx, user.school_id, input.semester, &new)
        .await
        .or_internal("storing windows")?;
    for (action, old, new) in [
        ("student_window", old.student, new.student),
        ("teacher_window", old.teacher, new.teacher),
    ] {
        if old != new {
            audit(
                &mut tx,
                user,
                "semester",
                input.semester.0,
                action,
                Some(&describe(&old)),
                Some(&describe(&new)),
                reason.as_deref(),
                now,
            )
            .await?;
        }
    }
    tx.commit()
        .await
        .or_internal("committing a window change")?;
    tracing::info!(user.id = %user.user_id, semester.id = %input.semester, "semester windows changed");
    Ok(())
}

pub async fn update_selection_window(
    state: &AppState,
    user: &CurrentUser,
    input: SelectionWindowInput,
) -> Result<(), AppError> {
    user.require(Role::Admin)?;
    let new = window("勾選期間", &input.opens_on, &input.closes_on)?;
    let new_max = number("每學年勾選上限", &input.max_selections, 1, 50)?;
    let reason = optional_reason(&input.reason)?;
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a window change")?;
    let (year_id, old) = db::windows::school_year(&mut **tx, user.school_id, input.school_year)
        .await
        .or_internal("loading the school year")?
        .ok_or(AppError::NotFound(crate::domain::error::Resource::Page))?;
    // Reopening a submitted year would show a window that students cannot use.
    if old != new
        && db::submissions::year_submitted(&mut **tx, user.school_id, year_id)
            .await
            .or_internal("checking batches")?
    {
        return Err(AppError::SelectionSubmitted);
    }
    db::windows::update_selection_window(&mut tx, user.school_id, year_id, &new)
        .await
        .or_internal("storing a window")?;
    if old != new {
        audit(
            &mut tx,
            user,
            "school_year",
            year_id,
            "selection_window",
            Some(&describe(&old)),
            Some(&describe(&new)),
            reason.as_deref(),
            now,
        )
        .await?;
    }
    let old_max = db::windows::max_selections(&mut **tx, user.school_id)
        .await
        .or_internal("loading the limit")?;
    if old_max != new_max {
        db::windows::update_max_selections(&mut tx, user.school_id, new_max)
            .await
            .or_internal("storing the limit")?;
        let (old_text, new_text) = (old_max.to_string(), new_max.to_string());
        audit(
            &mut tx,
            user,
            "school",
            user.school_id.0,
            "max_selections",
            Some(&old_text),
            Some(&new_text),
            reason.as_deref(),
            now,
        )
        .await?;
    }
    tx.commit()
        .await
        .or_internal("committing a window change")?;
    Ok(())
}

/// Creates a semester (and its school year when new) with the default windows.
pub async fn create_semester(
    state: &AppState,
    user: &CurrentUser,
    input: NewSemesterInput,
) -> Result<SemesterId, AppError> {
    user.require(Role::Admin)?;
    let school_year = number("學年度", &input.school_year, 100, 200)?;
    let semester =
        Semester::from_number(i64::from(input.semester)).ok_or_else(|| AppError::InvalidDate {
            field: "學期".into(),
            value: input.semester.to_string(),
        })?;
    let starts_on = date("開始日期", &input.starts_on)?;
    let ends_on = date("結束日期", &input.ends_on)?;
    if ends_on < starts_on {
        return Err(AppError::WindowReversed {
            field: "學期".into(),
        });
    }
    let closing_day = match input.closing_day.trim() {
        "" => None,
        text => Some(date("休業式", text)?),
    };
    let code = SemesterCode::new(SchoolYear(school_year as i16), semester);
    let windows = SemesterWindows::defaults(starts_on, ends_on, closing_day);
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a new semester")?;
    let year_id = match db::windows::school_year(&mut **tx, user.school_id, code.school_year)
        .await
        .or_internal("loading the year")?
    {
        Some((id, _)) => id,
        None => db::schools::insert_school_year(&mut tx, user.school_id, code.school_year)
            .await
            .or_internal("inserting a year")?,
    };
    let (starts_text, ends_text) = (starts_on.to_string(), ends_on.to_string());
    let closing_text = closing_day.map(|day| day.to_string());
    let id = db::schools::insert_semester(
        &mut tx,
        user.school_id,
        &NewSemester {
            school_year_id: year_id,
            code,
            starts_on: &starts_text,
            ends_on: &ends_text,
            closing_day: closing_text.as_deref(),
            is_current: false,
            windows,
        },
    )
    .await
    .map_err(|error| {
        if db::is_constraint(&error, "semesters_code_key")
            || error.to_string().contains("UNIQUE")
            || error.to_string().contains("unique")
        {
            AppError::SemesterExists { semester: code }
        } else {
            crate::server::error::internal("inserting a semester", error)
        }
    })?;
    audit(
        &mut tx,
        user,
        "semester",
        id.0,
        "create",
        None,
        Some(&code.to_string()),
        None,
        now,
    )
    .await?;
    if input.make_current {
        db::windows::set_current_semester(&mut tx, user.school_id, id)
            .await
            .or_internal("setting the current semester")?;
        audit(
            &mut tx,
            user,
            "semester",
            id.0,
            "make_current",
            None,
            Some(&code.to_string()),
            None,
            now,
        )
        .await?;
    }
    tx.commit().await.or_internal("committing a new semester")?;
    Ok(id)
}

pub async fn set_current_semester(
    state: &AppState,
    user: &CurrentUser,
    semester: SemesterId,
) -> Result<(), AppError> {
    user.require(Role::Admin)?;
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a change of semester")?;
    let found = db::windows::set_current_semester(&mut tx, user.school_id, semester)
        .await
        .or_internal("setting the semester")?;
    if !found {
        return Err(AppError::NotFound(crate::domain::error::Resource::Page));
    }
    audit(
        &mut tx,
        user,
        "semester",
        semester.0,
        "make_current",
        None,
        None,
        None,
        now,
    )
    .await?;
    tx.commit()
        .await
        .or_internal("committing a change of semester")?;
    Ok(())
}

/// Reopens one student's semester from now until the end of `closes_on`, with a reason.
pub async fn create_unlock(
    state: &AppState,
    user: &CurrentUser,
    input: UnlockInput,
) -> Result<(), AppError> {
    user.require(Role::Admin)?;
    let reason = FailReason::parse(&input.reason).map_err(AppError::UnlockReason)?;
    let last = date("開放至", &input.closes_on)?;
    let now = state.clock.now();
    let closes_at = end_of_taipei_day(last);
    if closes_at < now {
        return Err(AppError::WindowReversed {
            field: "開放至".into(),
        });
    }
    let student =
        db::users::find_student_by_number(&state.db.pool, user.school_id, &input.student_no)
            .await
            .or_internal("finding the student")?
            .ok_or_else(|| AppError::StudentNotFound {
                student_no: input.student_no.trim().to_owned(),
            })?;
    let window = Window {
        opens_at: Some(now),
        closes_at: Some(closes_at),
    };
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting an unlock")?;
    let code = db::windows::find_semester_code(&mut **tx, user.school_id, input.semester)
        .await
        .or_internal("loading the semester")?
        .ok_or(AppError::NotFound(crate::domain::error::Resource::Page))?;
    let unlock = NewUnlock {
        student,
        semester: input.semester,
        window,
        reason: reason.as_str(),
        created_by: user.user_id,
    };
    let id = db::windows::insert_unlock(&mut tx, user.school_id, &unlock, now)
        .await
        .or_internal("storing an unlock")?;
    let description = format!("{code} {}", describe(&window));
    audit(
        &mut tx,
        user,
        "student",
        student.0,
        "unlock",
        None,
        Some(&description),
        Some(reason.as_str()),
        now,
    )
    .await?;
    tx.commit().await.or_internal("committing an unlock")?;
    tracing::info!(user.id = %user.user_id, student.id = %student, unlock.id = id, "student semester reopened");
    Ok(())
}

pub async fn unlocks(state: &AppState, user: &CurrentUser) -> Result<Vec<UnlockRow>, AppError> {
    user.require(Role::Admin)?;
    db::windows::list_unlocks(&state.db.pool, user.school_id, state.clock.now())
        .await
        .or_internal("listing unlocks")
}

pub async fn audit_page(
    state: &AppState,
    user: &CurrentUser,
    mut query: AuditQuery,
) -> Result<AuditPage, AppError> {
    user.require(Role::Admin)?;
    query.page = crate::domain::paging::PageRequest::new(query.page.page, query.page.per_page);
    let nonempty = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let (entity, action, actor) = (
        nonempty(&query.entity),
        nonempty(&query.action),
        nonempty(&query.actor),
    );
    let from = match nonempty(&query.from) {
        Some(text) => Some(start_of_taipei_day(date("起始日期", &text)?)),
        None => None,
    };
    let to = match nonempty(&query.to) {
        Some(text) => Some(end_of_taipei_day(date("結束日期", &text)?)),
        None => None,
    };
    let filter = AuditFilter {
        entity: entity.as_deref(),
        entity_id: query.entity_id,
        action: action.as_deref(),
        actor_login: actor.as_deref(),
        from,
        to,
    };
    let limit = i64::from(query.page.per_page);
    let (_, total) = db::audit::list(&state.db.pool, user.school_id, &filter, 0, 0)
        .await
        .or_internal("counting audit rows")?;
    query.page = query.page.clamp_to(total);
    let offset = i64::try_from(query.page.offset()).unwrap_or(0);
    let (rows, total) = db::audit::list(&state.db.pool, user.school_id, &filter, limit, offset)
        .await
        .or_internal("listing audit rows")?;
    Ok(AuditPage {
        range: PageRange::of(query.page, total),
        query,
        rows,
    })
}
