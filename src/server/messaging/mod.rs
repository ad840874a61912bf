//! Messages to users outside the web pages: e-mail over SMTP and SMS through a provider.
//!
//! Without an SMTP server configured, e-mails are written as `.eml` files to an outbox
//! directory, and without an SMS gateway, texts are appended to an outbox file, so that a
//! school trying the platform (and the demo) can read what would have been sent.

pub mod mail;
pub mod sms;

use std::sync::Arc;

use anyhow::Context;

pub use mail::{Mailer, OutgoingMail};
pub use sms::{HttpGateway, OutboxFile, SmsSender};

use super::config::Settings;

/// The ways the platform reaches a user.
#[derive(Clone)]
pub struct Messenger {
    pub mail: Arc<Mailer>,
    pub sms: Arc<dyn SmsSender>,
}

impl std::fmt::Debug for Messenger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messenger")
            .field("mail", &self.mail)
            .field("sms", &self.sms.describe())
            .finish()
    }
}

impl Messenger {
    /// Builds the mailer and the SMS sender that the settings name.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let mail = match &settings.smtp_url {
            Some(url) => {
                Mailer::smtp(url, &settings.mail_from).context("reading LICHENG_SMTP_URL")?
            }
            None => Mailer::outbox(&settings.mail_outbox_dir(), &settings.mail_from)?,
        };
        let sms: Arc<dyn SmsSender> = match &settings.sms_gateway_url {
            Some(url) => Arc::new(
                HttpGateway::new(url, settings.sms_gateway_token.clone())
                    .context("reading LICHENG_SMS_GATEWAY_URL")?,
            ),
            None => Arc::new(OutboxFile::new(settings.sms_outbox_file())),
        };
        tracing::info!(mail = ?mail, sms = %sms.describe(), "messages to users go out this way");
        Ok(Messenger {
            mail: Arc::new(mail),
            sms,
        })
    }
}
