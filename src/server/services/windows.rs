//! Checking windows: the student window of a semester (opened further by a per-student
//! unlock), the teacher window, and the selection window of a school year.

use sqlx::AnyConnection;

use crate::domain::AppError;
use crate::domain::calendar::UtcMillis;
use crate::domain::ids::{SchoolId, SemesterId, UserId};
use crate::domain::views::{StudentWindow, WindowInfo};
use crate::domain::window::{Window, WindowKind, WindowState};
use crate::server::db;
use crate::server::error::OrInternal;

/// Returns where `now` stands in `window`.
pub fn info(window: Window, now: UtcMillis) -> WindowInfo {
    WindowInfo {
        window,
        state: window.state(now),
    }
}

/// Refuses unless the window is open.
pub fn require_open(kind: WindowKind, info: &WindowInfo) -> Result<(), AppError> {
    match info.state {
        WindowState::Open { .. } => Ok(()),
        WindowState::Closed { closed_at } => Err(AppError::WindowClosed { kind, closed_at }),
        WindowState::NotYetOpen { opens_at } => Err(AppError::WindowNotOpen {
            kind,
            opens_at: Some(opens_at),
        }),
    }
}

/// Returns the student's window for a semester: the semester's own when it is open, else an
/// unlock in force, else the semester's own (closed or not yet open).
pub async fn student_window(
    connection: &mut AnyConnection,
    school: SchoolId,
    student: UserId,
    semester: SemesterId,
    now: UtcMillis,
) -> Result<StudentWindow, AppError> {
    let windows = db::windows::semester_windows(&mut *connection, school, semester)
        .await
        .or_internal("loading a semester's windows")?
        .unwrap_or_default();
    let own = info(windows.student, now);
    if own.is_open() {
        return Ok(StudentWindow {
            info: own,
            unlock_reason: None,
        });
    }
    let unlock = db::windows::active_unlock(&mut *connection, school, student, semester, now)
        .await
        .or_internal("looking up an unlock")?;
    Ok(match unlock {
        Some((window, reason)) => StudentWindow {
            info: info(window, now),
            unlock_reason: Some(reason),
        },
        None => StudentWindow {
            info: own,
            unlock_reason: None,
        },
    })
}

/// Refuses a student's upload, submission, revision or deletion outside the window.
pub async fn require_student_window(
    connection: &mut AnyConnection,
    school: SchoolId,
    student: UserId,
    semester: SemesterId,
    now: UtcMillis,
) -> Result<(), AppError> {
    let window = student_window(connection, school, student, semester, now).await?;
    require_open(WindowKind::Student, &window.info).inspect_err(|_| {
        tracing::info!(user.id = %student, semester.id = %semester, "refused: student window closed");
    })
}

/// Returns the teacher window of a semester.
pub async fn teacher_window(
    connection: &mut AnyConnection,
    school: SchoolId,
    semester: SemesterId,
    now: UtcMillis,
) -> Result<WindowInfo, AppError> {
    let windows = db::windows::semester_windows(&mut *connection, school, semester)
        .await
        .or_internal("loading a semester's windows")?
        .unwrap_or_default();
    Ok(info(windows.teacher, now))
}

/// Refuses a certifier's decision or publication outside the teacher window.
pub async fn require_teacher_window(
    connection: &mut AnyConnection,
    school: SchoolId,
    semester: SemesterId,
    now: UtcMillis,
) -> Result<(), AppError> {
    let window = teacher_window(connection, school, semester, now).await?;
    require_open(WindowKind::Teacher, &window)
}

/// Returns the selection window of a school year. A year without an opening time has not
/// announced its window: it is closed.
pub fn selection_info(window: Window, now: UtcMillis) -> (WindowInfo, Option<AppError>) {
    let info = info(window, now);
    let refusal = if window.opens_at.is_none() {
        Some(AppError::WindowNotOpen {
            kind: WindowKind::Selection,
            opens_at: None,
        })
    } else {
        require_open(WindowKind::Selection, &info).err()
    };
    (info, refusal)
}
