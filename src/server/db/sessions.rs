//! Login sessions, looked up by the SHA-256 of the cookie token.

use sqlx::{AnyPool, Row};

use crate::domain::calendar::UtcMillis;
use crate::domain::ids::{SchoolId, UserId};
use crate::domain::role::Role;

#[derive(Clone, Debug)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: UserId,
    pub school_id: SchoolId,
    pub last_seen_at: UtcMillis,
    /// The account still has its first password, which must be changed before anything else.
    pub must_change_password: bool,
    /// `sessions.active_role` as stored; the guard checks that the user still holds it.
    pub active_role: Option<String>,
}

pub async fn insert(
    pool: &AnyPool,
    token_hash: &str,
    user: UserId,
    school: SchoolId,
    now: UtcMillis,
    expires_at: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, school_id, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(token_hash)
    .bind(user.0)
    .bind(school.0)
    .bind(now.0)
    .bind(expires_at.0)
    .execute(pool)
    .await?;
    Ok(())
}

/// Returns the session if it has neither expired nor been idle since `idle_cutoff`, and its
/// account is still active, with the account's roles. Every request of a logged-in user runs
/// this, so it is one query, which returns one row per role.
pub async fn find_live(
    pool: &AnyPool,
    token_hash: &str,
    now: UtcMillis,
    idle_cutoff: UtcMillis,
) -> Result<Option<(SessionRow, Vec<Role>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT s.id, s.user_id, s.school_id, s.last_seen_at, s.active_role, u.must_change_password, r.role \
         FROM sessions s \
         JOIN users u ON u.id = s.user_id AND u.school_id = s.school_id \
         LEFT JOIN user_roles r ON r.user_id = s.user_id AND r.school_id = s.school_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.is_active = 1",
    )
    .bind(token_hash)
    .bind(now.0)
    .bind(idle_cutoff.0)
    .fetch_all(pool)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let session = SessionRow {
        id: first.try_get("id")?,
        user_id: UserId(first.try_get("user_id")?),
        school_id: SchoolId(first.try_get("school_id")?),
        last_seen_at: UtcMillis(first.try_get("last_seen_at")?),
        must_change_password: first.try_get::<i64, _>("must_change_password")? == 1,
        active_role: first.try_get("active_role")?,
    };
    let mut roles = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(role) = row
            .try_get::<Option<String>, _>("role")?
            .as_deref()
            .and_then(Role::parse)
        {
            roles.push(role);
        }
    }
    roles.sort();
    roles.dedup();
    Ok(Some((session, roles)))
}

/// Sets the role the session acts in.
pub async fn set_active_role(
    pool: &AnyPool,
    id: i64,
    school: SchoolId,
    role: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET active_role = $1 WHERE id = $2 AND school_id = $3")
        .bind(role)
        .bind(id)
        .bind(school.0)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn touch(pool: &AnyPool, id: i64, now: UtcMillis) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(now.0)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn delete_by_token(pool: &AnyPool, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes sessions that can no longer be used.
pub async fn delete_expired(
    pool: &AnyPool,
    now: UtcMillis,
    idle_cutoff: UtcMillis,
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now.0)
        .bind(idle_cutoff.0)
        .execute(pool)
        .await?;
    Ok(result.rows_affected())
}

/// Returns whether the device token hash belongs to a browser that logged in to `user` before.
pub async fn device_belongs_to(
    pool: &AnyPool,
    token_hash: &str,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT user_id FROM known_devices WHERE token_hash = $1 AND user_id = $2",
    )
    .bind(token_hash)
    .bind(user.0)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

pub async fn insert_device(
    pool: &AnyPool,
    token_hash: &str,
    school: SchoolId,
    user: UserId,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO known_devices (token_hash, school_id, user_id, created_at, last_login_at) \
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(token_hash)
    .bind(school.0)
    .bind(user.0)
    .bind(now.0)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn touch_device(
    pool: &AnyPool,
    token_hash: &str,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE known_devices SET last_login_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(now.0)
        .execute(pool)
        .await?;
    Ok(())
}

/// Ends every session of `user` except `keep` (0 keeps none); returns how many ended.
pub async fn delete_for_user(
    tx: &mut super::Tx,
    school: SchoolId,
    user: UserId,
    keep: i64,
) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM sessions WHERE school_id = $1 AND user_id = $2 AND id <> $3")
            .bind(school.0)
            .bind(user.0)
            .bind(keep)
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected())
}
