//! Account administration: the school's login rule, account search, first passwords.

use sqlx::{AnyPool, Row};

use super::Tx;
use crate::domain::accounts::{AccountRow, AccountSettings, HomeroomChoice, LoginRule};
use crate::domain::calendar::UtcMillis;
use crate::domain::ids::{HomeroomId, SchoolId, UserId};

/// The school year of the current semester, as a subquery bound to `$1` = school id.
const CURRENT_YEAR: &str =
    "(SELECT school_year_id FROM semesters WHERE school_id = $1 AND is_current = 1)";

pub async fn settings(pool: &AnyPool, school: SchoolId) -> Result<AccountSettings, sqlx::Error> {
    let row = sqlx::query(
        "SELECT login_rule, login_prefix, initial_credential_days FROM schools WHERE id = $1",
    )
    .bind(school.0)
    .fetch_one(pool)
    .await?;
    let rule: String = row.try_get("login_rule")?;
    Ok(AccountSettings {
        login_rule: LoginRule::parse(&rule).unwrap_or(LoginRule::StudentNumber),
        login_prefix: row.try_get("login_prefix")?,
        initial_credential_days: row.try_get("initial_credential_days")?,
    })
}

pub async fn update_settings(
    tx: &mut Tx,
    school: SchoolId,
    settings: &AccountSettings,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE schools SET login_rule = $1, login_prefix = $2, initial_credential_days = $3 WHERE id = $4",
    )
    .bind(settings.login_rule.as_str())
    .bind(&settings.login_prefix)
    .bind(settings.initial_credential_days)
    .bind(school.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn homerooms(
    pool: &AnyPool,
    school: SchoolId,
) -> Result<Vec<HomeroomChoice>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT id, name FROM homerooms WHERE school_id = $1 AND school_year_id = {CURRENT_YEAR} ORDER BY name"
    ))
    .bind(school.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(HomeroomChoice {
                id: HomeroomId(row.try_get("id")?),
                name: row.try_get("name")?,
            })
        })
        .collect()
}

const ACCOUNT_COLUMNS: &str = "u.id, u.login, u.display_name, u.is_active, u.password_hash, \
     u.must_change_password, u.initial_credential_expires_at, s.student_no, f.staff_no, \
     h.name AS homeroom, m.seat_no, \
     (SELECT COUNT(*) FROM sessions x WHERE x.user_id = u.id AND x.expires_at > $2) AS sessions";

fn account_joins() -> String {
    format!(
        "FROM users u \
         LEFT JOIN students s ON s.user_id = u.id AND s.school_id = u.school_id \
         LEFT JOIN staff f ON f.user_id = u.id AND f.school_id = u.school_id \
         LEFT JOIN homeroom_members m ON m.student_id = u.id AND m.school_year_id = {CURRENT_YEAR} \
         LEFT JOIN homerooms h ON h.id = m.homeroom_id"
    )
}

fn account_from_row(row: &sqlx::any::AnyRow) -> Result<AccountRow, sqlx::Error> {
    let hash: Option<String> = row.try_get("password_hash")?;
    Ok(AccountRow {
        user_id: UserId(row.try_get("id")?),
        login: row.try_get("login")?,
        display_name: row.try_get("display_name")?,
        student_number: row.try_get("student_no")?,
        staff_number: row.try_get("staff_no")?,
        homeroom: row.try_get("homeroom")?,
        seat_no: row.try_get("seat_no")?,
        first_password: hash.is_none() || row.try_get::<i64, _>("must_change_password")? == 1,
        first_password_expires_at: row
            .try_get::<Option<i64>, _>("initial_credential_expires_at")?
            .map(UtcMillis),
        sessions: row.try_get("sessions")?,
        is_active: row.try_get::<i64, _>("is_active")? == 1,
    })
}

/// Finds up to `limit` accounts whose login, name, 學號 or staff number contains `query`.
pub async fn search(
    pool: &AnyPool,
    school: SchoolId,
    query: &str,
    now: UtcMillis,
    limit: i64,
) -> Result<Vec<AccountRow>, sqlx::Error> {
    let pattern = format!(
        "%{}%",
        query
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let rows = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS} {} WHERE u.school_id = $1 AND (u.login LIKE $3 ESCAPE '\\' \
         OR u.display_name LIKE $3 ESCAPE '\\' OR s.student_no LIKE $3 ESCAPE '\\' \
         OR f.staff_no LIKE $3 ESCAPE '\\') \
         ORDER BY h.name, m.seat_no, u.login LIMIT $4",
        account_joins()
    ))
    .bind(school.0)
    .bind(now.0)
    .bind(pattern)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(account_from_row).collect()
}

pub async fn find(
    pool: &AnyPool,
    school: SchoolId,
    user: UserId,
    now: UtcMillis,
) -> Result<Option<AccountRow>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS} {} WHERE u.school_id = $1 AND u.id = $3",
        account_joins()
    ))
    .bind(school.0)
    .bind(now.0)
    .bind(user.0)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(account_from_row).transpose()
}

/// Returns the students of a homeroom in the current school year who still have a first
/// password (or none), by 座號.
pub async fn homeroom_without_chosen_password(
    pool: &AnyPool,
    school: SchoolId,
    homeroom: HomeroomId,
    now: UtcMillis,
) -> Result<Vec<AccountRow>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS} {} WHERE u.school_id = $1 AND m.homeroom_id = $3 \
         AND u.is_active = 1 AND (u.password_hash IS NULL OR u.must_change_password = 1) \
         ORDER BY m.seat_no",
        account_joins()
    ))
    .bind(school.0)
    .bind(now.0)
    .bind(homeroom.0)
    .fetch_all(pool)
    .await?;
    rows.iter().map(account_from_row).collect()
}

/// Gives an account a first password: it must be changed at the next login and stops working
/// at `expires_at`.
pub async fn set_first_password(
    tx: &mut Tx,
    school: SchoolId,
    user: UserId,
    password_hash: &str,
    expires_at: UtcMillis,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = 1, \
         initial_credential_expires_at = $2, updated_at = $3 WHERE school_id = $4 AND id = $5",
    )
    .bind(password_hash)
    .bind(expires_at.0)
    .bind(now.0)
    .bind(school.0)
    .bind(user.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A student's login inputs: 學號 and the encrypted national ID.
pub struct StudentLoginSource {
    pub user_id: UserId,
    pub student_number: String,
    pub national_id_enc: Option<String>,
}

pub async fn students_for_login_rule(
    tx: &mut Tx,
    school: SchoolId,
) -> Result<Vec<StudentLoginSource>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT user_id, student_no, national_id_enc FROM students WHERE school_id = $1 ORDER BY user_id",
    )
    .bind(school.0)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(StudentLoginSource {
                user_id: UserId(row.try_get("user_id")?),
                student_number: row.try_get("student_no")?,
                national_id_enc: row.try_get("national_id_enc")?,
            })
        })
        .collect()
}

pub async fn set_login(
    tx: &mut Tx,
    school: SchoolId,
    user: UserId,
    login: &str,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET login = $1, updated_at = $2 WHERE school_id = $3 AND id = $4")
        .bind(login)
        .bind(now.0)
        .bind(school.0)
        .bind(user.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn national_id_of(
    pool: &AnyPool,
    school: SchoolId,
    user: UserId,
) -> Result<Option<String>, sqlx::Error> {
    let sealed: Option<Option<String>> = sqlx::query_scalar(
        "SELECT national_id_enc FROM students WHERE school_id = $1 AND user_id = $2",
    )
    .bind(school.0)
    .bind(user.0)
    .fetch_optional(pool)
    .await?;
    Ok(sealed.flatten())
}
