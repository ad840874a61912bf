//! Slowing down password guessing without letting a guesser lock a student out.
//!
//! - Each login name (per school) may fail 5 times freely. Every further failure makes the
//!   next attempt wait 30 s, doubling to at most 15 minutes. Unknown names are counted the
//!   same way, so the delay reveals nothing about whether an account exists.
//! - Each client address may fail a set number of times in 10 minutes (a school's whole
//!   network may share one address, so the number is large), then waits out the window.
//! - A browser that logged in to an account before carries a device cookie. Its attempts on
//!   that account skip both counts above and have a count of their own, so a classmate who
//!   knows a student's login cannot keep the student's own phone out before a deadline.
//!
//! Counts live in the database, so every node of a deployment applies the same ones.
//! docs/security.md states the policy for schools.

use crate::domain::calendar::UtcMillis;
use crate::server::db::Tx;

/// Failures of a login name before attempts are delayed.
pub const FREE_FAILURES: i64 = 5;
/// The first delay, doubled with each further failure.
const FIRST_DELAY_MILLIS: i64 = 30_000;
/// The maximum delay.
pub const MAX_DELAY_MILLIS: i64 = 15 * 60_000;
/// The window in which a client address's failures are counted.
pub const ADDRESS_WINDOW_MILLIS: i64 = 10 * 60_000;

/// Returns how long attempts wait, in milliseconds, after `failures` failures of a login name
/// or device.
pub fn delay_after(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(20) as u32;
    FIRST_DELAY_MILLIS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_DELAY_MILLIS)
}

/// One count: a login name, a known device, or a client address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ThrottleKey {
    Account {
        school: String,
        login: String,
    },
    Device {
        school: String,
        login: String,
        device: String,
    },
    Address(String),
    /// Password recovery requests from a client address, counted like failures of `Address`
    /// (each request counts, whatever it finds).
    Recovery(String),
}

impl ThrottleKey {
    fn stored(&self) -> String {
        match self {
            ThrottleKey::Account { school, login } => format!("account:{school}:{login}"),
            ThrottleKey::Device {
                school,
                login,
                device,
            } => format!("device:{school}:{login}:{device}"),
            ThrottleKey::Address(address) => format!("ip:{address}"),
            ThrottleKey::Recovery(address) => format!("recovery:{address}"),
        }
    }
}

/// Returns until when attempts under any of `keys` are refused, if that is after `now`.
pub async fn blocked_until(
    pool: &sqlx::AnyPool,
    keys: &[ThrottleKey],
    now: UtcMillis,
) -> Result<Option<UtcMillis>, sqlx::Error> {
    let mut latest: Option<i64> = None;
    for key in keys {
        let until: Option<i64> =
            sqlx::query_scalar("SELECT blocked_until FROM login_throttles WHERE throttle_key = $1")
                .bind(key.stored())
                .fetch_optional(pool)
                .await?;
        if let Some(until) = until.filter(|until| *until > now.0) {
            latest = Some(latest.map_or(until, |latest| latest.max(until)));
        }
    }
    Ok(latest.map(UtcMillis))
}

/// Counts a failed attempt under `key`. Addresses are blocked for the rest of their window
/// once they reach `address_limit` failures in it.
pub async fn record_failure(
    tx: &mut Tx,
    key: &ThrottleKey,
    now: UtcMillis,
    address_limit: i64,
    lock_rows: &str,
) -> Result<(), sqlx::Error> {
    let stored = key.stored();
    let fresh = sqlx::query(
        "INSERT INTO login_throttles (throttle_key, failures, first_failed_at, blocked_until) \
         VALUES ($1, 1, $2, 0) ON CONFLICT (throttle_key) DO NOTHING",
    )
    .bind(&stored)
    .bind(now.0)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    let (failures, first_failed_at): (i64, i64) = sqlx::query_as(&format!(
        "SELECT failures, first_failed_at FROM login_throttles WHERE throttle_key = $1{lock_rows}"
    ))
    .bind(&stored)
    .fetch_one(&mut **tx)
    .await?;
    // A row inserted just now already counts this failure, and an existing one gets one more.
    let (failures, first_failed_at) = match key {
        _ if fresh => (1, now.0),
        ThrottleKey::Address(_) | ThrottleKey::Recovery(_)
            if now.0 - first_failed_at >= ADDRESS_WINDOW_MILLIS =>
        {
            (1, now.0)
        }
        _ => (failures + 1, first_failed_at),
    };
    let blocked_until = match key {
        ThrottleKey::Address(_) | ThrottleKey::Recovery(_) if failures >= address_limit => {
            first_failed_at + ADDRESS_WINDOW_MILLIS
        }
        ThrottleKey::Address(_) | ThrottleKey::Recovery(_) => 0,
        _ => match delay_after(failures) {
            0 => 0,
            delay => now.0 + delay,
        },
    };
    sqlx::query(
        "UPDATE login_throttles SET failures = $2, first_failed_at = $3, blocked_until = $4 \
         WHERE throttle_key = $1",
    )
    .bind(&stored)
    .bind(failures)
    .bind(first_failed_at)
    .bind(blocked_until)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Forgets the failures of a login name or device after a successful login.
pub async fn clear(pool: &sqlx::AnyPool, key: &ThrottleKey) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_throttles WHERE throttle_key = $1")
        .bind(key.stored())
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes counts that block nothing any more and whose window is over.
pub async fn sweep(pool: &sqlx::AnyPool, now: UtcMillis) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM login_throttles WHERE blocked_until < $1 AND first_failed_at < $2",
    )
    .bind(now.0)
    .bind(now.0 - 24 * 3_600_000)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_after_doubles_up_to_maximum() {
        assert_eq!(delay_after(0), 0);
        assert_eq!(delay_after(4), 0);
        assert_eq!(delay_after(5), 30_000);
        assert_eq!(delay_after(6), 60_000);
        assert_eq!(delay_after(9), 480_000);
        assert_eq!(delay_after(10), MAX_DELAY_MILLIS);
        assert_eq!(delay_after(1_000), MAX_DELAY_MILLIS);
    }

    #[test]
    fn keys_are_stored_apart() {
        let account = ThrottleKey::Account {
            school: "1".into(),
            login: "112001".into(),
        };
        let device = ThrottleKey::Device {
            school: "1".into(),
            login: "112001".into(),
            device: "ab".into(),
        };
        assert_eq!(account.stored(), "account:1:112001");
        assert_eq!(device.stored(), "device:1:112001:ab");
        assert_eq!(
            ThrottleKey::Address("10.0.0.1".into()).stored(),
            "ip:10.0.0.1"
        );
    }
}
