//! Windows of semesters and school years, and per-student unlocks.

use sqlx::{AnyPool, Row};

use super::Tx;
use super::schools::semester_code;
use crate::domain::calendar::{SchoolYear, SemesterCode, UtcMillis};
use crate::domain::ids::{SchoolId, SemesterId, UserId};
use crate::domain::views::{AdminSchoolYear, AdminSemester, UnlockRow};
use crate::domain::window::{SemesterWindows, Window};

pub(super) fn window(
    row: &sqlx::any::AnyRow,
    opens: &str,
    closes: &str,
) -> Result<Window, sqlx::Error> {
    Ok(Window {
        opens_at: row.try_get::<Option<i64>, _>(opens)?.map(UtcMillis),
        closes_at: row.try_get::<Option<i64>, _>(closes)?.map(UtcMillis),
    })
}

/// Returns the windows of a semester of the school.
pub async fn semester_windows(
    executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
    school: SchoolId,
    semester: SemesterId,
) -> Result<Option<SemesterWindows>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT student_opens_at, student_closes_at, teacher_opens_at, teacher_closes_at FROM semesters \
         WHERE id = $1 AND school_id = $2",
    )
    .bind(semester.0)
    .bind(school.0)
    .fetch_optional(executor)
    .await?;
    row.map(|row| {
        Ok(SemesterWindows {
            student: window(&row, "student_opens_at", "student_closes_at")?,
            teacher: window(&row, "teacher_opens_at", "teacher_closes_at")?,
        })
    })
    .transpose()
}

pub async fn update_semester_windows(
    tx: &mut Tx,
    school: SchoolId,
    semester: SemesterId,
    windows: &SemesterWindows,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE semesters SET student_opens_at = $1, student_closes_at = $2, teacher_opens_at = $3, \
                              teacher_closes_at = $4 WHERE id = $5 AND school_id = $6",
    )
    .bind(windows.student.opens_at.map(|at| at.0))
    .bind(windows.student.closes_at.map(|at| at.0))
    .bind(windows.teacher.opens_at.map(|at| at.0))
    .bind(windows.teacher.closes_at.map(|at| at.0))
    .bind(semester.0)
    .bind(school.0)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Returns the code (such as 1131) of one of the school's semesters, or `None`.
pub async fn find_semester_code(
    executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
    school: SchoolId,
    semester: SemesterId,
) -> Result<Option<SemesterCode>, sqlx::Error> {
    let row =
        sqlx::query("SELECT school_year, semester FROM semesters WHERE id = $1 AND school_id = $2")
            .bind(semester.0)
            .bind(school.0)
            .fetch_optional(executor)
            .await?;
    row.map(|row| semester_code(row.try_get("school_year")?, row.try_get("semester")?))
        .transpose()
}

/// Lists the school's semesters, newest first, with their windows.
pub async fn list_semesters(
    pool: &AnyPool,
    school: SchoolId,
) -> Result<Vec<AdminSemester>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, school_year, semester, starts_on, ends_on, closing_day, is_current, student_opens_at, \
                student_closes_at, teacher_opens_at, teacher_closes_at \
         FROM semesters WHERE school_id = $1 ORDER BY school_year DESC, semester DESC",
    )
    .bind(school.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(AdminSemester {
                id: SemesterId(row.try_get("id")?),
                code: semester_code(row.try_get("school_year")?, row.try_get("semester")?)?,
                starts_on: row.try_get("starts_on")?,
                ends_on: row.try_get("ends_on")?,
                closing_day: row.try_get("closing_day")?,
                is_current: row.try_get::<i64, _>("is_current")? == 1,
                windows: SemesterWindows {
                    student: window(row, "student_opens_at", "student_closes_at")?,
                    teacher: window(row, "teacher_opens_at", "teacher_closes_at")?,
                },
            })
        })
        .collect()
}

/// Makes `semester` the school's current semester.
pub async fn set_current_semester(
    tx: &mut Tx,
    school: SchoolId,
    semester: SemesterId,
) -> Result<bool, sqlx::Error> {
    sqlx::query("UPDATE semesters SET is_current = 0 WHERE school_id = $1 AND is_current = 1")
        .bind(school.0)
        .execute(&mut **tx)
        .await?;
    let result =
        sqlx::query("UPDATE semesters SET is_current = 1 WHERE id = $1 AND school_id = $2")
            .bind(semester.0)
            .bind(school.0)
            .execute(&mut **tx)
            .await?;
    Ok(result.rows_affected() == 1)
}

/// Returns the school year's id and selection window.
pub async fn school_year(
    executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
    school: SchoolId,
    year: SchoolYear,
) -> Result<Option<(i64, Window)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, selection_opens_at, selection_closes_at FROM school_years WHERE school_id = $1 AND school_year = $2",
    )
    .bind(school.0)
    .bind(i64::from(year.0))
    .fetch_optional(executor)
    .await?;
    row.map(|row| {
        Ok((
            row.try_get("id")?,
            window(&row, "selection_opens_at", "selection_closes_at")?,
        ))
    })
    .transpose()
}

/// Lists the school's years, newest first, with their selection windows and the limit.
pub async fn list_school_years(
    pool: &AnyPool,
    school: SchoolId,
) -> Result<Vec<AdminSchoolYear>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT y.id, y.school_year, y.selection_opens_at, y.selection_closes_at, s.max_selections_per_year, \
           (SELECT COUNT(*) FROM central_submissions c WHERE c.school_year_id = y.id AND c.roster_no = 26) AS submitted \
         FROM school_years y JOIN schools s ON s.id = y.school_id \
         WHERE y.school_id = $1 ORDER BY y.school_year DESC",
    )
    .bind(school.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let year: i64 = row.try_get("school_year")?;
            Ok(AdminSchoolYear {
                id: row.try_get("id")?,
                school_year: SchoolYear(
                    i16::try_from(year).map_err(|error| sqlx::Error::Decode(Box::new(error)))?,
                ),
                selection: window(row, "selection_opens_at", "selection_closes_at")?,
                max_selections: u32::try_from(row.try_get::<i64, _>("max_selections_per_year")?)
                    .unwrap_or(0),
                submitted: row.try_get::<i64, _>("submitted")? != 0,
            })
        })
        .collect()
}

pub async fn update_selection_window(
    tx: &mut Tx,
    school: SchoolId,
    school_year_id: i64,
    window: &Window,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE school_years SET selection_opens_at = $1, selection_closes_at = $2 WHERE id = $3 AND school_id = $4",
    )
    .bind(window.opens_at.map(|at| at.0))
    .bind(window.closes_at.map(|at| at.0))
    .bind(school_year_id)
    .bind(school.0)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn max_selections(
    executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
    school: SchoolId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT max_selections_per_year FROM schools WHERE id = $1")
        .bind(school.0)
        .fetch_one(executor)
        .await
}

pub async fn update_max_selections(
    tx: &mut Tx,
    school: SchoolId,
    max: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE schools SET max_selections_per_year = $1 WHERE id = $2")
        .bind(max)
        .bind(school.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub struct NewUnlock<'a> {
    pub student: UserId,
    pub semester: SemesterId,
    pub window: Window,
    pub reason: &'a str,
    pub created_by: UserId,
}

pub async fn insert_unlock(
    tx: &mut Tx,
    school: SchoolId,
    new: &NewUnlock<'_>,
    now: UtcMillis,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO student_unlocks (school_id, student_id, semester_id, opens_at, closes_at, reason, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(school.0)
    .bind(new.student.0)
    .bind(new.semester.0)
    .bind(new.window.opens_at.map(|at| at.0).unwrap_or(now.0))
    .bind(new.window.closes_at.map(|at| at.0).unwrap_or(now.0))
    .bind(new.reason)
    .bind(new.created_by.0)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await
}

/// Returns the unlock of a student's semester that covers `now`, the latest ending first.
pub async fn active_unlock(
    executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
    school: SchoolId,
    student: UserId,
    semester: SemesterId,
    now: UtcMillis,
) -> Result<Option<(Window, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT opens_at, closes_at, reason FROM student_unlocks \
         WHERE school_id = $1 AND student_id = $2 AND semester_id = $3 AND opens_at <= $4 AND closes_at >= $4 \
         ORDER BY closes_at DESC LIMIT 1",
    )
    .bind(school.0)
    .bind(student.0)
    .bind(semester.0)
    .bind(now.0)
    .fetch_optional(executor)
    .await?;
    row.map(|row| {
        Ok((
            window(&row, "opens_at", "closes_at")?,
            row.try_get("reason")?,
        ))
    })
    .transpose()
}

/// Lists the school's unlocks, newest first.
pub async fn list_unlocks(
    pool: &AnyPool,
    school: SchoolId,
    now: UtcMillis,
) -> Result<Vec<UnlockRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT u.id, st.student_no, su.display_name AS student_name, s.school_year, s.semester, u.opens_at, \
                u.closes_at, u.reason, cu.display_name AS created_by, u.created_at \
         FROM student_unlocks u \
         JOIN students st ON st.user_id = u.student_id \
         JOIN users su ON su.id = u.student_id \
         JOIN semesters s ON s.id = u.semester_id \
         JOIN users cu ON cu.id = u.created_by \
         WHERE u.school_id = $1 ORDER BY u.created_at DESC, u.id DESC LIMIT 200",
    )
    .bind(school.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let window = window(row, "opens_at", "closes_at")?;
            Ok(UnlockRow {
                id: row.try_get("id")?,
                student_no: row.try_get("student_no")?,
                student_name: row.try_get("student_name")?,
                semester: semester_code(row.try_get("school_year")?, row.try_get("semester")?)?,
                window,
                reason: row.try_get("reason")?,
                created_by: row.try_get("created_by")?,
                created_at: UtcMillis(row.try_get("created_at")?),
                active: window.contains(now),
            })
        })
        .collect()
}
