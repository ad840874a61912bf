//! The 導師's pages: the own homerooms' students and their outcomes, read only.

use crate::domain::AppError;
use crate::domain::error::Resource;
use crate::domain::homeroom::{HomeroomPage, StateCounts, StudentRecord};
use crate::domain::ids::{HomeroomId, UserId};
use crate::domain::role::Role;
use crate::server::auth::CurrentUser;
use crate::server::db;
use crate::server::error::OrInternal;
use crate::server::state::AppState;

/// Returns the homeroom page for `homeroom`, or for the caller's newest homeroom when `None`.
/// A homeroom the caller does not lead is reported as not found.
pub async fn page(
    state: &AppState,
    user: &CurrentUser,
    homeroom: Option<HomeroomId>,
) -> Result<HomeroomPage, AppError> {
    user.require(Role::HomeroomTeacher)?;
    let pool = &state.db.pool;
    let homerooms = db::homerooms::led_by(pool, user.school_id, user.user_id)
        .await
        .or_internal("listing the teacher's homerooms")?;
    let shown = match homeroom {
        Some(wanted) => Some(
            homerooms
                .iter()
                .find(|led| led.id == wanted)
                .cloned()
                .ok_or(AppError::NotFound(Resource::Homeroom))?,
        ),
        None => homerooms.first().cloned(),
    };
    let Some(shown) = shown else {
        return Ok(HomeroomPage {
            homerooms,
            homeroom: None,
            students: Vec::new(),
            totals: StateCounts::default(),
            courses: Vec::new(),
        });
    };
    let students = db::homerooms::roster(pool, user.school_id, user.user_id, shown.id)
        .await
        .or_internal("listing the homeroom's students")?;
    let courses = db::homerooms::pending_by_course(pool, user.school_id, user.user_id, shown.id)
        .await
        .or_internal("counting pending outcomes per course")?;
    let mut totals = StateCounts::default();
    for student in &students {
        totals.draft += student.counts.draft;
        totals.pending += student.counts.pending;
        totals.passed += student.counts.passed;
        totals.failed += student.counts.failed;
        totals.selected += student.counts.selected;
    }
    Ok(HomeroomPage {
        homerooms,
        homeroom: Some(shown),
        students,
        totals,
        courses,
    })
}

/// Returns one student's outcomes of the homeroom's school year, which is also the content
/// of the printable 歷程確認單. Only a student of a homeroom the caller leads is found.
pub async fn student_record(
    state: &AppState,
    user: &CurrentUser,
    homeroom: HomeroomId,
    student: UserId,
) -> Result<StudentRecord, AppError> {
    user.require(Role::HomeroomTeacher)?;
    let pool = &state.db.pool;
    let head = db::homerooms::member(pool, user.school_id, user.user_id, homeroom, student)
        .await
        .or_internal("loading a homeroom member")?
        .ok_or(AppError::NotFound(Resource::Student))?;
    let outcomes =
        db::homerooms::student_outcomes(pool, user.school_id, user.user_id, homeroom, student)
            .await
            .or_internal("listing a student's outcomes for the homeroom teacher")?;
    let mut counts = StateCounts::default();
    for outcome in &outcomes {
        counts.add(outcome.status, 1);
        if outcome.selected {
            counts.selected += 1;
        }
    }
    tracing::debug!(user.id = %user.user_id, student.id = %student, "homeroom record read");
    Ok(StudentRecord {
        school_name: head.school_name,
        school_year: head.school_year,
        homeroom: head.homeroom,
        homeroom_teacher: head.homeroom_teacher,
        seat_no: head.seat_no,
        student_no: head.student_no,
        name: head.name,
        outcomes,
        counts,
        printed_at: state.clock.now(),
    })
}
