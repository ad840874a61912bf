//! All SQL of the application, one module per aggregate. Queries are written once in the
//! dialect subset that SQLite and PostgreSQL share through sqlx's `Any` driver (`$1`
//! placeholders, `RETURNING`, BIGINT times); the few differences go through [`Backend`].

pub mod accounts;
pub mod audit;
pub mod backups;
pub mod courses;
pub mod delegations;
pub mod files;
pub mod homerooms;
pub mod imports;
pub mod notifications;
pub mod outcomes;
pub mod recoveries;
pub mod schema;
pub mod schools;
pub mod selections;
pub mod sessions;
pub mod submissions;
pub mod users;
pub mod windows;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

/// A transaction on the application's pool.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Which database the pool talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The connection pool plus the backend it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// On SQLite, the queue in which the writers of this process wait, in order, before they
    /// take the database's write lock. SQLite's own wait (`busy_timeout`) retries after sleeps
    /// of up to 100 ms, so under many writers the lock can sit free while the next one sleeps.
    write_turn: Arc<tokio::sync::Mutex<()>>,
}

/// How long a writer waits for its turn, as long as `busy_timeout`. A writer that gets no turn
/// in time waits on SQLite's lock and fails after `busy_timeout`, instead of waiting for ever.
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(10);

/// A transaction from [`Db::begin_write`]. It keeps the writer's turn until it is committed,
/// rolled back or dropped, and can be used wherever a [`Tx`] is expected.
pub struct WriteTx {
    tx: Tx,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let WriteTx { tx, _turn } = self;
        tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        let WriteTx { tx, _turn } = self;
        tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = Tx;

    fn deref(&self) -> &Tx {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Tx {
        &mut self.tx
    }
}

impl Db {
    /// Connects to `url` and, for SQLite, creates the file and turns on WAL, `synchronous=FULL`
    /// and foreign keys on every connection.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(sqlx::Error::Configuration(
                format!(
                    "unsupported database URL scheme in {:?}: use sqlite:// or postgres://",
                    redact_url(url)
                )
                .into(),
            ));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |connection, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the one writer; FULL syncs the WAL on every
                        // commit, so an acknowledged write survives a power cut.
                        connection
                            .execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Db {
            pool,
            backend,
            write_turn: Arc::default(),
        })
    }

    /// Applies the migrations of the backend.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.pool).await,
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.pool)
                    .await
            }
        }
    }

    /// Starts a transaction that will write. On SQLite the writer first waits for its turn in
    /// this process, then takes the write lock at once (`BEGIN IMMEDIATE`), so that no writer
    /// fails with SQLITE_BUSY when it upgrades a read lock.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let turn =
                    tokio::time::timeout(WRITE_TURN_TIMEOUT, self.write_turn.clone().lock_owned())
                        .await
                        .ok();
                if turn.is_none() {
                    tracing::warn!(
                        timeout = ?WRITE_TURN_TIMEOUT,
                        "waiting for the write turn timed out; waiting on SQLite's lock instead"
                    );
                }
                let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(WriteTx { tx, _turn: turn })
            }
            Backend::Postgres => Ok(WriteTx {
                tx: self.pool.begin().await?,
                _turn: None,
            }),
        }
    }

    /// Returns the clause that locks selected rows until the transaction ends: `FOR UPDATE` on
    /// PostgreSQL; nothing on SQLite, where [`Db::begin_write`] already holds the only write lock.
    pub fn lock_rows(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }
}

/// Hides the password of a database URL for logs and messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Returns whether an error is the violation of the named constraint.
pub fn is_constraint(error: &sqlx::Error, name: &str) -> bool {
    match error {
        sqlx::Error::Database(db_error) => {
            db_error.constraint() == Some(name) || db_error.message().contains(name)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_url_hides_password() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/licheng"),
            "postgres://app:***@db:5432/licheng"
        );
        assert_eq!(
            redact_url("postgres://app@db/licheng"),
            "postgres://app@db/licheng"
        );
        assert_eq!(
            redact_url("sqlite://data/licheng.db"),
            "sqlite://data/licheng.db"
        );
    }
}
