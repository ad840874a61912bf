//! The outcomes students tick (勾選) for the central database.

use sqlx::{AnyPool, Row};

use super::Tx;
use crate::domain::calendar::{SchoolYear, UtcMillis};
use crate::domain::ids::{OutcomeId, SchoolId, UserId};

/// What ticking an outcome needs to know about it.
#[derive(Clone, Copy, Debug)]
pub struct Selectable {
    pub school_year_id: i64,
    pub school_year: SchoolYear,
    /// Passed and published.
    pub passed: bool,
    pub selected: bool,
}

/// Returns the student's own outcome with its school year, or `None`.
pub async fn selectable(
    tx: &mut Tx,
    school: SchoolId,
    student: UserId,
    outcome: OutcomeId,
) -> Result<Option<Selectable>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT s.school_year_id, s.school_year, o.status, \
                (SELECT COUNT(*) FROM selections x WHERE x.outcome_id = o.id) AS selected \
         FROM course_outcomes o \
         JOIN courses c ON c.id = o.course_id AND c.school_id = o.school_id \
         JOIN semesters s ON s.id = c.semester_id \
         WHERE o.id = $1 AND o.school_id = $2 AND o.student_id = $3 AND o.deleted_at IS NULL",
    )
    .bind(outcome.0)
    .bind(school.0)
    .bind(student.0)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| {
        let year: i64 = row.try_get("school_year")?;
        let status: String = row.try_get("status")?;
        Ok(Selectable {
            school_year_id: row.try_get("school_year_id")?,
            school_year: SchoolYear(
                i16::try_from(year).map_err(|error| sqlx::Error::Decode(Box::new(error)))?,
            ),
            passed: status == "passed",
            selected: row.try_get::<i64, _>("selected")? > 0,
        })
    })
    .transpose()
}

pub async fn count_for_year(
    tx: &mut Tx,
    school: SchoolId,
    student: UserId,
    school_year_id: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM selections WHERE school_id = $1 AND student_id = $2 AND school_year_id = $3")
        .bind(school.0)
        .bind(student.0)
        .bind(school_year_id)
        .fetch_one(&mut **tx)
        .await
}

pub async fn insert(
    tx: &mut Tx,
    school: SchoolId,
    student: UserId,
    outcome: OutcomeId,
    school_year_id: i64,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO selections (outcome_id, school_id, student_id, school_year_id, selected_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(outcome.0)
    .bind(school.0)
    .bind(student.0)
    .bind(school_year_id)
    .bind(now.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete(
    tx: &mut Tx,
    school: SchoolId,
    student: UserId,
    outcome: OutcomeId,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "DELETE FROM selections WHERE outcome_id = $1 AND school_id = $2 AND student_id = $3",
    )
    .bind(outcome.0)
    .bind(school.0)
    .bind(student.0)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Counts the student's ticks per school year.
pub async fn counts_by_year(
    pool: &AnyPool,
    school: SchoolId,
    student: UserId,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT school_year_id, COUNT(*) AS n FROM selections WHERE school_id = $1 AND student_id = $2 GROUP BY school_year_id",
    )
    .bind(school.0)
    .bind(student.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("school_year_id")?, row.try_get("n")?)))
        .collect()
}
