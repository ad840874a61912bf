//! 勾選: the student ticks passed outcomes for the central database, at most the school's
//! limit per school year, while the year's selection window is open.

use crate::domain::AppError;
use crate::domain::error::Resource;
use crate::domain::ids::OutcomeId;
use crate::domain::role::Role;
use crate::server::auth::CurrentUser;
use crate::server::db;
use crate::server::db::audit::AuditEvent;
use crate::server::error::OrInternal;
use crate::server::state::AppState;

use super::windows;

/// Ticks or unticks one of the student's outcomes. Two requests at once (two tabs, a double
/// click) queue on the student's row lock, so the limit holds.
pub async fn set_selected(
    state: &AppState,
    user: &CurrentUser,
    outcome: OutcomeId,
    selected: bool,
) -> Result<(), AppError> {
    user.require(Role::Student)?;
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a selection")?;
    db::outcomes::lock_student(&state.db, &mut tx, user.school_id, user.user_id)
        .await
        .or_internal("locking the student")?;
    let found = db::selections::selectable(&mut tx, user.school_id, user.user_id, outcome)
        .await
        .or_internal("loading an outcome to select")?
        .ok_or(AppError::NotFound(Resource::Outcome))?;
    let (_, window) = db::windows::school_year(&mut **tx, user.school_id, found.school_year)
        .await
        .or_internal("loading the school year")?
        .ok_or(AppError::NotSelectable)?;
    if let (_, Some(refusal)) = windows::selection_info(window, now) {
        return Err(refusal);
    }
    if db::submissions::year_submitted(&mut **tx, user.school_id, found.school_year_id)
        .await
        .or_internal("checking submissions")?
    {
        return Err(AppError::SelectionSubmitted);
    }
    if selected == found.selected {
        return Ok(());
    }
    if selected {
        if !found.passed {
            return Err(AppError::NotSelectable);
        }
        let max = db::windows::max_selections(&mut **tx, user.school_id)
            .await
            .or_internal("loading the selection limit")?;
        let count = db::selections::count_for_year(
            &mut tx,
            user.school_id,
            user.user_id,
            found.school_year_id,
        )
        .await
        .or_internal("counting selections")?;
        if count >= max {
            return Err(AppError::SelectionLimitReached {
                max: u32::try_from(max).unwrap_or(u32::MAX),
            });
        }
        db::selections::insert(
            &mut tx,
            user.school_id,
            user.user_id,
            outcome,
            found.school_year_id,
            now,
        )
        .await
        .or_internal("ticking an outcome")?;
    } else {
        db::selections::delete(&mut tx, user.school_id, user.user_id, outcome)
            .await
            .or_internal("unticking an outcome")?;
    }
    let (old, new) = if selected {
        ("unselected", "selected")
    } else {
        ("selected", "unselected")
    };
    db::audit::insert(
        &mut tx,
        &AuditEvent {
            school: user.school_id,
            actor: Some(user.user_id),
            entity: "course_outcome",
            entity_id: outcome.0,
            action: if selected { "select" } else { "unselect" },
            old_value: Some(old),
            new_value: Some(new),
            reason: None,
        },
        now,
    )
    .await
    .or_internal("writing an audit row")?;
    tx.commit().await.or_internal("committing a selection")?;
    Ok(())
}
