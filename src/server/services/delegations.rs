//! Naming and removing 代理人 (delegates). The course teacher manages the delegates of their
//! own courses; an administrator those of every course of the school. Each change writes an
//! audit row on the course in the same transaction.

use crate::domain::AppError;
use crate::domain::calendar::{UtcMillis, parse_date_input};
use crate::domain::delegation::{DelegationPage, DelegationProblem, NewDelegation};
use crate::domain::error::Resource;
use crate::domain::role::Role;
use crate::server::auth::CurrentUser;
use crate::server::db;
use crate::server::db::audit::AuditEvent;
use crate::server::db::delegations::{CourseHead, NewDelegationRow, roc_day};
use crate::server::error::OrInternal;
use crate::server::services::certification::taipei_day;
use crate::server::state::AppState;

/// The roles that manage delegates: 任課教師 for own courses, 管理者 for all.
const MANAGERS: [Role; 2] = [Role::Teacher, Role::Admin];

/// Returns the delegation page: the courses the caller manages with their delegates, the
/// teachers who can be named, and the courses the caller covers for others.
pub async fn page(state: &AppState, user: &CurrentUser) -> Result<DelegationPage, AppError> {
    user.require_any(&MANAGERS)?;
    let pool = &state.db.pool;
    let now = state.clock.now();
    let day = taipei_day(now);
    let all_courses = user.acts_as(Role::Admin);
    let managed_by = (!all_courses).then_some(user.user_id);
    let courses = db::delegations::list_courses(pool, user.school_id, managed_by, &day)
        .await
        .or_internal("listing courses and delegates")?;
    let teachers = db::delegations::teachers(pool, user.school_id)
        .await
        .or_internal("listing teachers")?;
    let covering = db::delegations::covering(pool, user.school_id, user.user_id, &day)
        .await
        .or_internal("listing covered courses")?;
    Ok(DelegationPage {
        all_courses,
        courses,
        teachers,
        covering,
        today: now.to_roc_date(),
    })
}

/// Names a delegate for a course and a period of days.
pub async fn add(
    state: &AppState,
    user: &CurrentUser,
    input: NewDelegation,
) -> Result<i64, AppError> {
    user.require_any(&MANAGERS)?;
    let starts_on = parse_day("代理開始日", &input.starts_on)?;
    let ends_on = parse_day("代理結束日", &input.ends_on)?;
    if ends_on < starts_on {
        return Err(AppError::Delegation(DelegationProblem::EndsBeforeStarts));
    }
    let now = state.clock.now();
    if ends_on < now.taipei_date() {
        return Err(AppError::Delegation(DelegationProblem::EndsInPast));
    }
    let (starts_on, ends_on) = (starts_on.to_string(), ends_on.to_string());
    let login = crate::server::services::auth::normalise_login(&input.delegate_login);
    if login.is_empty() {
        return Err(AppError::Delegation(DelegationProblem::DelegateMissing));
    }

    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a delegation")?;
    let course = managed_course(state, &mut tx, user, input.course_id).await?;
    let candidate = db::delegations::find_candidate(&mut tx, user.school_id, &login)
        .await
        .or_internal("looking up the delegate")?
        .filter(|candidate| candidate.is_active)
        .ok_or_else(|| {
            AppError::Delegation(DelegationProblem::UnknownPerson {
                login: input.delegate_login.trim().to_owned(),
            })
        })?;
    if candidate.id == course.teacher_id {
        return Err(AppError::Delegation(DelegationProblem::SelfDelegation));
    }
    if candidate.roles.contains(&Role::Student) {
        return Err(AppError::Delegation(DelegationProblem::IsStudent {
            login: candidate.login,
        }));
    }
    if !candidate.roles.contains(&Role::Teacher) {
        return Err(AppError::Delegation(DelegationProblem::NotTeacher {
            login: candidate.login,
        }));
    }
    let overlapping =
        db::delegations::find_overlapping(&mut tx, user.school_id, course.id, &starts_on, &ends_on)
            .await
            .or_internal("checking overlapping delegations")?;
    if let Some(existing) = overlapping {
        return Err(AppError::Delegation(DelegationProblem::Overlapping {
            login: existing.delegate_login,
            name: existing.delegate_name,
            starts_on: roc_day(&existing.starts_on),
            ends_on: roc_day(&existing.ends_on),
        }));
    }
    let id = db::delegations::insert(
        &mut tx,
        user.school_id,
        &NewDelegationRow {
            course: course.id,
            delegate: candidate.id,
            starts_on: &starts_on,
            ends_on: &ends_on,
            created_by: user.user_id,
        },
        now,
    )
    .await
    .or_internal("storing a delegation")?;
    let described = describe(&candidate.login, &starts_on, &ends_on);
    audit(
        &mut tx,
        user,
        course,
        "delegate_add",
        None,
        Some(&described),
        now,
    )
    .await?;
    tx.commit().await.or_internal("committing a delegation")?;
    tracing::info!(user.id = %user.user_id, course.id = %course.id, delegation.id = id, "delegate named");
    Ok(id)
}

/// Removes a delegate. The decisions the delegate made stay, with who made them for whom.
pub async fn remove(state: &AppState, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    user.require_any(&MANAGERS)?;
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a delegation removal")?;
    let stored = db::delegations::find(&mut tx, user.school_id, id)
        .await
        .or_internal("loading a delegation")?
        .ok_or(AppError::NotFound(Resource::Delegation))?;
    let course = managed_course(state, &mut tx, user, stored.course.id)
        .await
        .map_err(|_| AppError::NotFound(Resource::Delegation))?;
    db::delegations::delete(&mut tx, user.school_id, id)
        .await
        .or_internal("deleting a delegation")?;
    let described = describe(&stored.delegate_login, &stored.starts_on, &stored.ends_on);
    audit(
        &mut tx,
        user,
        course,
        "delegate_remove",
        Some(&described),
        None,
        now,
    )
    .await?;
    tx.commit()
        .await
        .or_internal("committing a delegation removal")?;
    tracing::info!(user.id = %user.user_id, course.id = %course.id, delegation.id = id, "delegate removed");
    Ok(())
}

/// Loads a course the caller manages: any course of the school for an administrator, own
/// courses for a course teacher. Any other course is reported as not found.
async fn managed_course(
    state: &AppState,
    tx: &mut db::Tx,
    user: &CurrentUser,
    course: crate::domain::ids::CourseId,
) -> Result<CourseHead, AppError> {
    let found = db::delegations::lock_course(&state.db, tx, user.school_id, course)
        .await
        .or_internal("loading a course")?
        .filter(|course| user.acts_as(Role::Admin) || course.teacher_id == user.user_id);
    found.ok_or(AppError::NotFound(Resource::Course))
}

fn parse_day(field: &str, value: &str) -> Result<jiff::civil::Date, AppError> {
    parse_date_input(value).ok_or_else(|| AppError::InvalidDate {
        field: field.to_owned(),
        value: value.to_owned(),
    })
}

/// Describes a delegation in the audit log, such as `t002 113/09/01 ~ 113/09/30`.
fn describe(login: &str, starts_on: &str, ends_on: &str) -> String {
    format!("{login} {} ~ {}", roc_day(starts_on), roc_day(ends_on))
}

async fn audit(
    tx: &mut db::Tx,
    user: &CurrentUser,
    course: CourseHead,
    action: &str,
    old_value: Option<&str>,
    new_value: Option<&str>,
    now: UtcMillis,
) -> Result<(), AppError> {
    db::audit::insert(
        tx,
        &AuditEvent {
            school: user.school_id,
            actor: Some(user.user_id),
            entity: "course",
            entity_id: course.id.0,
            action,
            old_value,
            new_value,
            reason: None,
        },
        now,
    )
    .await
    .or_internal("writing the delegation audit")
}
