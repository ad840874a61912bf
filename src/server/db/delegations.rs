//! 代理人: who certifies a course for its course teacher, and when. Periods are whole days,
//! stored as 'YYYY-MM-DD' in Taiwan time, first and last day included.

use sqlx::{AnyPool, Row};

use super::schools::semester_code;
use super::{Db, Tx};
use crate::domain::calendar::{UtcMillis, format_roc_date};
use crate::domain::delegation::{CoveredCourse, DelegateOption, DelegatedCourse, DelegationRow};
use crate::domain::ids::{CourseId, SchoolId, UserId};
use crate::domain::role::Role;

/// A course as the delegation rules need it.
#[derive(Clone, Copy, Debug)]
pub struct CourseHead {
    pub id: CourseId,
    pub teacher_id: UserId,
}

/// A person named in the form, with what decides whether they may be a delegate.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub id: UserId,
    pub login: String,
    pub is_active: bool,
    pub roles: Vec<Role>,
}

/// A stored delegation with its course.
#[derive(Clone, Debug)]
pub struct StoredDelegation {
    pub id: i64,
    pub course: CourseHead,
    pub delegate_login: String,
    pub delegate_name: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// Returns a course of the school, locked against concurrent delegation changes on PostgreSQL
/// (SQLite's write transaction already serialises them).
pub async fn lock_course(
    db: &Db,
    tx: &mut Tx,
    school: SchoolId,
    course: CourseId,
) -> Result<Option<CourseHead>, sqlx::Error> {
    let sql = format!(
        "SELECT id, teacher_id FROM courses WHERE id = $1 AND school_id = $2{}",
        db.lock_rows()
    );
    let row = sqlx::query(&sql)
        .bind(course.0)
        .bind(school.0)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|row| {
        Ok(CourseHead {
            id: CourseId(row.try_get("id")?),
            teacher_id: UserId(row.try_get("teacher_id")?),
        })
    })
    .transpose()
}

/// Returns the account of the school with this login, with its roles.
pub async fn find_candidate(
    tx: &mut Tx,
    school: SchoolId,
    login: &str,
) -> Result<Option<Candidate>, sqlx::Error> {
    let row =
        sqlx::query("SELECT id, login, is_active FROM users WHERE school_id = $1 AND login = $2")
            .bind(school.0)
            .bind(login)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("id")?;
    let roles = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1 AND school_id = $2")
        .bind(id)
        .bind(school.0)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|row| row.try_get::<String, _>("role"))
        .collect::<Result<Vec<_>, _>>()?
        .iter()
        .filter_map(|role| Role::parse(role))
        .collect();
    Ok(Some(Candidate {
        id: UserId(id),
        login: row.try_get("login")?,
        is_active: row.try_get::<i64, _>("is_active")? == 1,
        roles,
    }))
}

/// Returns a delegation of the course whose period shares a day with `starts_on..=ends_on`.
pub async fn find_overlapping(
    tx: &mut Tx,
    school: SchoolId,
    course: CourseId,
    starts_on: &str,
    ends_on: &str,
) -> Result<Option<StoredDelegation>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "{STORED_SELECT} WHERE d.school_id = $1 AND d.course_id = $2 AND d.starts_on <= $3 AND d.ends_on >= $4 \
         ORDER BY d.starts_on LIMIT 1"
    ))
    .bind(school.0)
    .bind(course.0)
    .bind(ends_on)
    .bind(starts_on)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| stored_from_row(&row)).transpose()
}

const STORED_SELECT: &str = "SELECT d.id, d.course_id, c.teacher_id, u.login, u.display_name, d.starts_on, d.ends_on \
     FROM course_delegations d \
     JOIN courses c ON c.id = d.course_id AND c.school_id = d.school_id \
     JOIN users u ON u.id = d.delegate_id";

fn stored_from_row(row: &sqlx::any::AnyRow) -> Result<StoredDelegation, sqlx::Error> {
    Ok(StoredDelegation {
        id: row.try_get("id")?,
        course: CourseHead {
            id: CourseId(row.try_get("course_id")?),
            teacher_id: UserId(row.try_get("teacher_id")?),
        },
        delegate_login: row.try_get("login")?,
        delegate_name: row.try_get("display_name")?,
        starts_on: row.try_get("starts_on")?,
        ends_on: row.try_get("ends_on")?,
    })
}

/// Returns a delegation of the school.
pub async fn find(
    tx: &mut Tx,
    school: SchoolId,
    id: i64,
) -> Result<Option<StoredDelegation>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "{STORED_SELECT} WHERE d.id = $1 AND d.school_id = $2"
    ))
    .bind(id)
    .bind(school.0)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| stored_from_row(&row)).transpose()
}

/// The columns of a new delegation.
pub struct NewDelegationRow<'a> {
    pub course: CourseId,
    pub delegate: UserId,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub created_by: UserId,
}

pub async fn insert(
    tx: &mut Tx,
    school: SchoolId,
    new: &NewDelegationRow<'_>,
    now: UtcMillis,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO course_delegations (school_id, course_id, delegate_id, starts_on, ends_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(school.0)
    .bind(new.course.0)
    .bind(new.delegate.0)
    .bind(new.starts_on)
    .bind(new.ends_on)
    .bind(new.created_by.0)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await
}

pub async fn delete(tx: &mut Tx, school: SchoolId, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM course_delegations WHERE id = $1 AND school_id = $2")
        .bind(id)
        .bind(school.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Formats a stored day such as `2024-09-01` as an ROC date such as `113/09/01`; a value
/// that is not a date is shown as stored.
pub fn roc_day(day: &str) -> String {
    day.parse::<jiff::civil::Date>()
        .map(format_roc_date)
        .unwrap_or_else(|_| day.to_owned())
}

/// Lists the courses whose delegates `teacher` manages (every course of the school when
/// `None`) in semesters that have not ended by `day`, or that are current, with their
/// delegations.
pub async fn list_courses(
    pool: &AnyPool,
    school: SchoolId,
    teacher: Option<UserId>,
    day: &str,
) -> Result<Vec<DelegatedCourse>, sqlx::Error> {
    let teacher_clause = if teacher.is_some() {
        " AND c.teacher_id = $3"
    } else {
        ""
    };
    let course_sql = format!(
        "SELECT c.id, c.teacher_id, c.group_name, s.school_year, s.semester, sub.name AS subject, \
                t.display_name AS teacher_name \
         FROM courses c \
         JOIN semesters s ON s.id = c.semester_id \
         JOIN subjects sub ON sub.id = c.subject_id \
         JOIN users t ON t.id = c.teacher_id \
         WHERE c.school_id = $1 AND (s.is_current = 1 OR s.ends_on >= $2){teacher_clause} \
         ORDER BY s.school_year DESC, s.semester DESC, t.display_name, sub.name, c.group_name"
    );
    let mut query = sqlx::query(&course_sql).bind(school.0).bind(day);
    if let Some(teacher) = teacher {
        query = query.bind(teacher.0);
    }
    let mut courses = query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            Ok(DelegatedCourse {
                course_id: CourseId(row.try_get("id")?),
                semester: semester_code(row.try_get("school_year")?, row.try_get("semester")?)?,
                subject: row.try_get("subject")?,
                group_name: row.try_get("group_name")?,
                course_teacher: row.try_get("teacher_name")?,
                course_teacher_id: UserId(row.try_get("teacher_id")?),
                delegations: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;

    let delegation_sql = format!(
        "SELECT d.id, d.course_id, u.login, u.display_name, d.starts_on, d.ends_on, b.display_name AS created_by, \
                d.created_at \
         FROM course_delegations d \
         JOIN courses c ON c.id = d.course_id AND c.school_id = d.school_id \
         JOIN semesters s ON s.id = c.semester_id \
         JOIN users u ON u.id = d.delegate_id \
         JOIN users b ON b.id = d.created_by \
         WHERE d.school_id = $1 AND (s.is_current = 1 OR s.ends_on >= $2){teacher_clause} \
         ORDER BY d.starts_on, d.id"
    );
    let mut query = sqlx::query(&delegation_sql).bind(school.0).bind(day);
    if let Some(teacher) = teacher {
        query = query.bind(teacher.0);
    }
    for row in query.fetch_all(pool).await? {
        let course = CourseId(row.try_get("course_id")?);
        let starts_on: String = row.try_get("starts_on")?;
        let ends_on: String = row.try_get("ends_on")?;
        let delegation = DelegationRow {
            id: row.try_get("id")?,
            delegate_login: row.try_get("login")?,
            delegate_name: row.try_get("display_name")?,
            active: starts_on.as_str() <= day && day <= ends_on.as_str(),
            starts_on: roc_day(&starts_on),
            ends_on: roc_day(&ends_on),
            created_by: row.try_get("created_by")?,
            created_at: UtcMillis(row.try_get("created_at")?),
        };
        if let Some(entry) = courses.iter_mut().find(|entry| entry.course_id == course) {
            entry.delegations.push(delegation);
        }
    }
    Ok(courses)
}

/// Lists the active teachers of the school, who can be named as delegates.
pub async fn teachers(
    pool: &AnyPool,
    school: SchoolId,
) -> Result<Vec<DelegateOption>, sqlx::Error> {
    sqlx::query(
        "SELECT u.login, u.display_name FROM users u \
         JOIN user_roles r ON r.user_id = u.id AND r.school_id = u.school_id AND r.role = 'teacher' \
         WHERE u.school_id = $1 AND u.is_active = 1 ORDER BY u.display_name, u.login",
    )
    .bind(school.0)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        Ok(DelegateOption {
            login: row.try_get("login")?,
            display_name: row.try_get("display_name")?,
        })
    })
    .collect()
}

/// Lists the courses that `delegate` certifies for someone else on `day` or later.
pub async fn covering(
    pool: &AnyPool,
    school: SchoolId,
    delegate: UserId,
    day: &str,
) -> Result<Vec<CoveredCourse>, sqlx::Error> {
    sqlx::query(
        "SELECT s.school_year, s.semester, sub.name AS subject, c.group_name, t.display_name AS teacher_name, \
                d.starts_on, d.ends_on \
         FROM course_delegations d \
         JOIN courses c ON c.id = d.course_id AND c.school_id = d.school_id \
         JOIN semesters s ON s.id = c.semester_id \
         JOIN subjects sub ON sub.id = c.subject_id \
         JOIN users t ON t.id = c.teacher_id \
         WHERE d.school_id = $1 AND d.delegate_id = $2 AND d.ends_on >= $3 \
         ORDER BY d.starts_on, sub.name",
    )
    .bind(school.0)
    .bind(delegate.0)
    .bind(day)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        let starts_on: String = row.try_get("starts_on")?;
        let ends_on: String = row.try_get("ends_on")?;
        Ok(CoveredCourse {
            semester: semester_code(row.try_get("school_year")?, row.try_get("semester")?)?,
            subject: row.try_get("subject")?,
            group_name: row.try_get("group_name")?,
            course_teacher: row.try_get("teacher_name")?,
            active: starts_on.as_str() <= day,
            starts_on: roc_day(&starts_on),
            ends_on: roc_day(&ends_on),
        })
    })
    .collect()
}
