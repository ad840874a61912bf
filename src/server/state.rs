//! The state every handler shares: the pool, the file store, settings, the password hasher and
//! the live-notification channel.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use tokio::sync::{broadcast, mpsc};

use super::auth::PasswordHasher;
use super::auth::session::SessionPolicy;
use super::config::Settings;
use super::crypto::NationalIdCipher;
use super::db::Db;
use super::storage::BlobStore;
use crate::domain::calendar::UtcMillis;
use crate::domain::files::FileRules;
use crate::domain::ids::UserId;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub storage: Arc<dyn BlobStore>,
    pub settings: Arc<Settings>,
    pub passwords: PasswordHasher,
    pub notifier: Notifier,
    pub national_ids: Arc<NationalIdCipher>,
    /// The time that windows are checked against and records are stamped with.
    pub clock: Clock,
    pub leptos_options: LeptosOptions,
    /// Backups running in this process and their progress.
    pub backups: Arc<super::services::backups::BackupJobs>,
    /// The origin browsers use, such as `http://127.0.0.1:3000`, without a trailing slash.
    pub public_origin: Arc<str>,
    /// E-mail and SMS to users.
    pub messenger: super::messaging::Messenger,
}

impl AppState {
    pub fn file_rules(&self) -> FileRules {
        self.settings.file_rules()
    }

    pub fn session_policy(&self) -> SessionPolicy {
        SessionPolicy {
            idle_millis: self.settings.session_idle_minutes * 60_000,
            absolute_millis: self.settings.session_absolute_hours * 3_600_000,
            secure: self.public_origin.starts_with("https://"),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// What an open event stream should re-read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Something of this user changed: a notification arrived or was read, the session ended.
    User(UserId),
    /// Signals may have been lost (the PostgreSQL listener reconnected): every stream re-reads.
    Everyone,
}

/// The PostgreSQL channel that carries changes between nodes; the payload is the user id.
pub const CHANGES_CHANNEL: &str = "licheng_changes";

/// Tells open event streams that something of a user changed, so each stream re-reads what it
/// shows. Rows are written before the signal; a stream that misses a signal catches up on the
/// next one or on reconnect.
///
/// On SQLite (one node) the signal goes straight to this process's streams. On PostgreSQL it
/// goes through `NOTIFY`, and every node's listener hands it to that node's streams, so a
/// teacher who publishes through one node lights the bubble of a student connected to another.
#[derive(Clone, Debug)]
pub struct Notifier {
    local: broadcast::Sender<Change>,
    /// Set on PostgreSQL: signals go to the publishing task instead of `local`.
    publisher: Option<mpsc::UnboundedSender<UserId>>,
}

impl Default for Notifier {
    fn default() -> Self {
        let (local, _) = broadcast::channel(1024);
        Notifier {
            local,
            publisher: None,
        }
    }
}

impl Notifier {
    /// A notifier for nodes that share the PostgreSQL database at `url`: it listens on
    /// [`CHANGES_CHANNEL`] before it returns, so no signal sent after this is missed.
    pub async fn postgres(url: &str, pool: sqlx::AnyPool) -> Result<Self, sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect(url).await?;
        listener.listen(CHANGES_CHANNEL).await?;
        let (local, _) = broadcast::channel(1024);
        let (publisher, mut outbox) = mpsc::unbounded_channel::<UserId>();

        let deliver = local.clone();
        tokio::spawn(async move {
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => match notification.payload().parse::<i64>() {
                        Ok(id) => {
                            let _ = deliver.send(Change::User(UserId(id)));
                        }
                        Err(_) => tracing::warn!(
                            payload = notification.payload(),
                            "ignoring a malformed change signal"
                        ),
                    },
                    // The connection was lost; the next call reconnects. Signals sent in
                    // between are lost, so every stream re-reads.
                    Ok(None) => {
                        tracing::warn!("change listener reconnecting to PostgreSQL");
                        let _ = deliver.send(Change::Everyone);
                    }
                    Err(error) => {
                        tracing::warn!(%error, "change listener failed; retrying in 1 s");
                        let _ = deliver.send(Change::Everyone);
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });

        let fallback = local.clone();
        tokio::spawn(async move {
            while let Some(user) = outbox.recv().await {
                let sent = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANGES_CHANNEL)
                    .bind(user.0.to_string())
                    .execute(&pool)
                    .await;
                if let Err(error) = sent {
                    // Other nodes miss this one; this node's streams at least hear it.
                    tracing::warn!(%error, user = user.0, "could not send a change signal");
                    let _ = fallback.send(Change::User(user));
                }
            }
        });
        Ok(Notifier {
            local,
            publisher: Some(publisher),
        })
    }

    pub fn notify(&self, user: UserId) {
        match &self.publisher {
            Some(publisher) => {
                if publisher.send(user).is_err() {
                    let _ = self.local.send(Change::User(user));
                }
            }
            // An error only means that nobody listens now.
            None => {
                let _ = self.local.send(Change::User(user));
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.local.subscribe()
    }
}

/// The current time of the services. The system clock in production; tests and the demo set
/// a fixed time to check windows to the second and to date what they create.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock { fixed: None }
    }

    pub fn fixed(at: UtcMillis) -> Self {
        Clock {
            fixed: Some(Arc::new(AtomicI64::new(at.0))),
        }
    }

    pub fn now(&self) -> UtcMillis {
        match &self.fixed {
            Some(at) => UtcMillis(at.load(Ordering::SeqCst)),
            None => UtcMillis::now(),
        }
    }

    /// Moves a fixed clock; the system clock cannot be moved.
    pub fn set(&self, at: UtcMillis) {
        match &self.fixed {
            Some(fixed) => fixed.store(at.0, Ordering::SeqCst),
            None => tracing::warn!("the system clock cannot be set"),
        }
    }
}
