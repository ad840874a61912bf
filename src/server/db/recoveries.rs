//! One-time links and codes of 忘記帳號/密碼 (table `password_recoveries`).

use sqlx::{AnyPool, Row};

use super::Tx;
use crate::domain::calendar::UtcMillis;
use crate::domain::ids::{SchoolId, UserId};
use crate::domain::recovery::{Contact, MAX_CODE_ATTEMPTS, RecoveryChannel};

/// An active account that a recovery request reaches.
#[derive(Clone, Debug)]
pub struct RecoveryTarget {
    pub user_id: UserId,
    pub login: String,
    pub display_name: String,
}

/// Returns the active accounts of `school` that have `contact` on record. Several accounts
/// may share one (siblings with a parent's phone).
pub async fn targets(
    pool: &AnyPool,
    school: SchoolId,
    contact: &Contact,
) -> Result<Vec<RecoveryTarget>, sqlx::Error> {
    let (column, value) = match contact {
        Contact::Email(address) => ("lower(email)", address),
        Contact::Mobile(number) => ("phone", number),
    };
    let rows = sqlx::query(&format!(
        "SELECT id, login, display_name FROM users \
         WHERE school_id = $1 AND is_active = 1 AND {column} = $2 ORDER BY id"
    ))
    .bind(school.0)
    .bind(value)
    .fetch_all(pool)
    .await?;
    rows.iter().map(target_from_row).collect()
}

/// Returns the account `user` of `school` if it is active.
pub async fn account(
    pool: &AnyPool,
    school: SchoolId,
    user: UserId,
) -> Result<Option<RecoveryTarget>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, login, display_name FROM users WHERE school_id = $1 AND id = $2 AND is_active = 1",
    )
    .bind(school.0)
    .bind(user.0)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(target_from_row).transpose()
}

fn target_from_row(row: &sqlx::any::AnyRow) -> Result<RecoveryTarget, sqlx::Error> {
    Ok(RecoveryTarget {
        user_id: UserId(row.try_get("id")?),
        login: row.try_get("login")?,
        display_name: row.try_get("display_name")?,
    })
}

/// Counts the recoveries sent to `user` since `since`.
pub async fn sent_since(tx: &mut Tx, user: UserId, since: UtcMillis) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM password_recoveries WHERE user_id = $1 AND created_at >= $2",
    )
    .bind(user.0)
    .bind(since.0)
    .fetch_one(&mut **tx)
    .await
}

pub async fn insert(
    tx: &mut Tx,
    school: SchoolId,
    user: UserId,
    channel: RecoveryChannel,
    secret_hash: &str,
    now: UtcMillis,
    expires_at: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO password_recoveries \
         (school_id, user_id, channel, secret_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(school.0)
    .bind(user.0)
    .bind(channel.as_str())
    .bind(secret_hash)
    .bind(now.0)
    .bind(expires_at.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An unused, unexpired recovery and its account.
#[derive(Clone, Debug)]
pub struct OpenRecovery {
    pub id: i64,
    pub school_id: SchoolId,
    pub user_id: UserId,
    pub secret_hash: String,
}

const OPEN: &str = "r.used_at IS NULL AND r.expires_at > $2 AND u.is_active = 1";

fn open_from_row(row: &sqlx::any::AnyRow) -> Result<OpenRecovery, sqlx::Error> {
    Ok(OpenRecovery {
        id: row.try_get("id")?,
        school_id: SchoolId(row.try_get("school_id")?),
        user_id: UserId(row.try_get("user_id")?),
        secret_hash: row.try_get("secret_hash")?,
    })
}

/// Returns the open e-mail recovery whose token hashes to `token_hash`.
pub async fn open_link(
    pool: &AnyPool,
    token_hash: &str,
    now: UtcMillis,
) -> Result<Option<OpenRecovery>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT r.id, r.school_id, r.user_id, r.secret_hash FROM password_recoveries r \
         JOIN users u ON u.id = r.user_id AND u.school_id = r.school_id \
         WHERE r.secret_hash = $1 AND r.channel = 'email' AND {OPEN}"
    ))
    .bind(token_hash)
    .bind(now.0)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(open_from_row).transpose()
}

/// Returns the open SMS codes of the accounts of `school` with mobile number `phone` that may
/// still be tried.
pub async fn open_codes(
    pool: &AnyPool,
    school: SchoolId,
    phone: &str,
    now: UtcMillis,
) -> Result<Vec<OpenRecovery>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT r.id, r.school_id, r.user_id, r.secret_hash FROM password_recoveries r \
         JOIN users u ON u.id = r.user_id AND u.school_id = r.school_id \
         WHERE r.school_id = $1 AND u.phone = $3 AND r.channel = 'sms' AND {OPEN} \
         AND r.failed_attempts < $4 ORDER BY r.id"
    ))
    .bind(school.0)
    .bind(now.0)
    .bind(phone)
    .bind(MAX_CODE_ATTEMPTS)
    .fetch_all(pool)
    .await?;
    rows.iter().map(open_from_row).collect()
}

/// Counts one wrong code against each of `ids`.
pub async fn count_wrong_code(pool: &AnyPool, ids: &[i64]) -> Result<(), sqlx::Error> {
    for id in ids {
        sqlx::query(
            "UPDATE password_recoveries SET failed_attempts = failed_attempts + 1 WHERE id = $1",
        )
        .bind(id)
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// Marks every open recovery of `user` used: one was used, and a new password voids the rest.
/// Returns whether the recovery `used` was still open, so that two requests racing with the
/// same secret cannot both set a password.
pub async fn close_for_user(
    tx: &mut Tx,
    school: SchoolId,
    user: UserId,
    used: i64,
    now: UtcMillis,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE password_recoveries SET used_at = $1 \
         WHERE id = $2 AND school_id = $3 AND user_id = $4 AND used_at IS NULL",
    )
    .bind(now.0)
    .bind(used)
    .bind(school.0)
    .bind(user.0)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    sqlx::query(
        "UPDATE password_recoveries SET used_at = $1 \
         WHERE school_id = $2 AND user_id = $3 AND used_at IS NULL",
    )
    .bind(now.0)
    .bind(school.0)
    .bind(user.0)
    .execute(&mut **tx)
    .await?;
    Ok(claimed)
}

/// Deletes recoveries that ended more than a day ago.
pub async fn sweep(pool: &AnyPool, now: UtcMillis) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM password_recoveries WHERE expires_at < $1")
        .bind(now.0 - 24 * 3_600_000)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}
