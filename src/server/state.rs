//! The state every handler shares: the pool, the file store, settings, the password hasher and
//! the live-notification channel.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use tokio::sync::broadcast;

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

/// Tells open event streams that something of a user changed (a notification arrived or was
/// read, the session ended), so each stream re-reads what it shows. Rows are written before
/// the signal; a stream that misses a signal catches up on the next one or on reconnect.
#[derive(Clone, Debug)]
pub struct Notifier {
    sender: broadcast::Sender<UserId>,
}

impl Default for Notifier {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(1024);
        Notifier { sender }
    }
}

impl Notifier {
    pub fn notify(&self, user: UserId) {
        // An error only means that nobody listens now.
        let _ = self.sender.send(user);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<UserId> {
        self.sender.subscribe()
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
