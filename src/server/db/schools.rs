//! Schools, school years and semesters.

use sqlx::{AnyPool, Row};

use super::Tx;
use crate::domain::calendar::{SchoolYear, Semester, SemesterCode, UtcMillis};
use crate::domain::ids::{SchoolId, SemesterId};
use crate::domain::window::SemesterWindows;

/// A school row.
#[derive(Clone, Debug)]
pub struct School {
    pub id: SchoolId,
    pub code: String,
    pub name: String,
    pub max_outcomes_per_semester: Option<i64>,
}

/// A semester row.
#[derive(Clone, Copy, Debug)]
pub struct SemesterRow {
    pub id: SemesterId,
    pub code: SemesterCode,
}

pub async fn insert_school(
    tx: &mut Tx,
    code: &str,
    name: &str,
    max_outcomes_per_semester: Option<i64>,
    now: UtcMillis,
) -> Result<SchoolId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO schools (code, name, max_outcomes_per_semester, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(code)
    .bind(name)
    .bind(max_outcomes_per_semester)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(SchoolId(id))
}

/// Inserts a school year; returns its id.
pub async fn insert_school_year(
    tx: &mut Tx,
    school: SchoolId,
    year: SchoolYear,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO school_years (school_id, school_year) VALUES ($1, $2) RETURNING id",
    )
    .bind(school.0)
    .bind(i64::from(year.0))
    .fetch_one(&mut **tx)
    .await
}

/// Dates of a new semester, as `YYYY-MM-DD` in Taiwan.
pub struct NewSemester<'a> {
    pub school_year_id: i64,
    pub code: SemesterCode,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub closing_day: Option<&'a str>,
    pub is_current: bool,
    pub windows: SemesterWindows,
}

pub async fn insert_semester(
    tx: &mut Tx,
    school: SchoolId,
    new: &NewSemester<'_>,
) -> Result<SemesterId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO semesters (school_id, school_year_id, school_year, semester, starts_on, ends_on, \
                                closing_day, is_current, student_opens_at, student_closes_at, teacher_opens_at, \
                                teacher_closes_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(school.0)
    .bind(new.school_year_id)
    .bind(i64::from(new.code.school_year.0))
    .bind(i64::from(new.code.semester.number()))
    .bind(new.starts_on)
    .bind(new.ends_on)
    .bind(new.closing_day)
    .bind(i64::from(new.is_current))
    .bind(new.windows.student.opens_at.map(|at| at.0))
    .bind(new.windows.student.closes_at.map(|at| at.0))
    .bind(new.windows.teacher.opens_at.map(|at| at.0))
    .bind(new.windows.teacher.closes_at.map(|at| at.0))
    .fetch_one(&mut **tx)
    .await?;
    Ok(SemesterId(id))
}

pub async fn count_schools(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM schools")
        .fetch_one(pool)
        .await
}

pub async fn find_by_id(pool: &AnyPool, id: SchoolId) -> Result<Option<School>, sqlx::Error> {
    let row =
        sqlx::query("SELECT id, code, name, max_outcomes_per_semester FROM schools WHERE id = $1")
            .bind(id.0)
            .fetch_optional(pool)
            .await?;
    row.map(|row| school_from_row(&row)).transpose()
}

pub async fn find_by_code(pool: &AnyPool, code: &str) -> Result<Option<School>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, code, name, max_outcomes_per_semester FROM schools WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(pool)
    .await?;
    row.map(|row| school_from_row(&row)).transpose()
}

/// Returns the school when the deployment has exactly one, so its login form needs no school.
pub async fn only_school(pool: &AnyPool) -> Result<Option<School>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, code, name, max_outcomes_per_semester FROM schools ORDER BY id LIMIT 2",
    )
    .fetch_all(pool)
    .await?;
    match rows.as_slice() {
        [row] => Ok(Some(school_from_row(row)?)),
        _ => Ok(None),
    }
}

fn school_from_row(row: &sqlx::any::AnyRow) -> Result<School, sqlx::Error> {
    Ok(School {
        id: SchoolId(row.try_get("id")?),
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        max_outcomes_per_semester: row.try_get("max_outcomes_per_semester")?,
    })
}

/// Returns the school's current semester: the one students upload to now.
pub async fn current_semester(
    pool: &AnyPool,
    school: SchoolId,
) -> Result<Option<SemesterRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, school_year, semester FROM semesters WHERE school_id = $1 AND is_current = 1",
    )
    .bind(school.0)
    .fetch_optional(pool)
    .await?;
    row.map(|row| semester_from_row(&row)).transpose()
}

pub(crate) fn semester_from_row(row: &sqlx::any::AnyRow) -> Result<SemesterRow, sqlx::Error> {
    Ok(SemesterRow {
        id: SemesterId(row.try_get("id")?),
        code: semester_code(row.try_get("school_year")?, row.try_get("semester")?)?,
    })
}

/// Builds a semester code from its two stored columns.
pub(crate) fn semester_code(school_year: i64, semester: i64) -> Result<SemesterCode, sqlx::Error> {
    let semester = Semester::from_number(semester)
        .ok_or_else(|| sqlx::Error::Decode(format!("invalid semester number {semester}").into()))?;
    let school_year = i16::try_from(school_year)
        .map_err(|_| sqlx::Error::Decode(format!("invalid school year {school_year}").into()))?;
    Ok(SemesterCode::new(SchoolYear(school_year), semester))
}
