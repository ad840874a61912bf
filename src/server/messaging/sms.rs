//! SMS: the provider interface, the outbox file that ships as the default, and an HTTP
//! gateway for a real provider.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Context;
use tokio::io::AsyncWriteExt;

/// A boxed future, so that senders can be chosen at start.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// Sends one text message to a Taiwanese mobile number (`09xxxxxxxx`).
pub trait SmsSender: Send + Sync {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a>;
    /// Describes where texts go, without secrets, for the log.
    fn describe(&self) -> String;
}

/// Appends each text as one JSON line (`{"at":…,"to":…,"text":…}`) to a file: for trying the
/// platform without a provider, and for reading what was sent.
pub struct OutboxFile {
    path: PathBuf,
    lock: tokio::sync::Mutex<()>,
}

impl OutboxFile {
    pub fn new(path: PathBuf) -> Self {
        OutboxFile {
            path,
            lock: tokio::sync::Mutex::new(()),
        }
    }
}

impl SmsSender for OutboxFile {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let line = serde_json::json!({
                "at": jiff::Timestamp::now().to_string(),
                "to": to,
                "text": text,
            });
            let _one_writer = self.lock.lock().await;
            if let Some(dir) = self.path.parent() {
                tokio::fs::create_dir_all(dir)
                    .await
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let mut file = tokio::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .await
                .with_context(|| format!("opening the SMS outbox {}", self.path.display()))?;
            file.write_all(format!("{line}\n").as_bytes())
                .await
                .context("writing to the SMS outbox")?;
            file.sync_data().await.context("syncing the SMS outbox")?;
            Ok(())
        })
    }

    fn describe(&self) -> String {
        format!("SMS outbox file {}", self.path.display())
    }
}

/// Posts each text to an HTTP gateway as JSON `{"to": "09xxxxxxxx", "text": "…"}`, with
/// `Authorization: Bearer TOKEN` when a token is set. Any 2xx status counts as sent. A small
/// adapter in front of the school's SMS provider translates this into the provider's API.
pub struct HttpGateway {
    url: reqwest::Url,
    token: Option<String>,
    client: reqwest::Client,
}

impl HttpGateway {
    pub fn new(url: &str, token: Option<String>) -> anyhow::Result<Self> {
        let url = reqwest::Url::parse(url).context("the SMS gateway URL is not a URL")?;
        anyhow::ensure!(
            matches!(url.scheme(), "http" | "https"),
            "the SMS gateway URL must start with http:// or https://"
        );
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .context("building the HTTP client")?;
        Ok(HttpGateway { url, token, client })
    }
}

impl SmsSender for HttpGateway {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let mut request = self
                .client
                .post(self.url.clone())
                .json(&serde_json::json!({ "to": to, "text": text }));
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.context("reaching the SMS gateway")?;
            let status = response.status();
            anyhow::ensure!(status.is_success(), "the SMS gateway answered {status}");
            Ok(())
        })
    }

    fn describe(&self) -> String {
        format!(
            "SMS gateway {}://{}{}",
            self.url.scheme(),
            self.url.host_str().unwrap_or(""),
            self.url.path()
        )
    }
}
