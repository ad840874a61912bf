//! E-mail: over SMTP when a server is configured (`LICHENG_SMTP_URL`), otherwise as `.eml`
//! files in an outbox directory.

use std::path::Path;

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{Address, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// One plain-text e-mail to one person.
#[derive(Clone, Debug)]
pub struct OutgoingMail {
    /// Shown as the sender's name, such as the school's name.
    pub sender_name: String,
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>),
}

pub struct Mailer {
    transport: Transport,
    from: Address,
    /// The mail destination without credentials, for the log.
    description: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl Mailer {
    /// Sends through the SMTP server of `url`: `smtp://host:25` (no encryption),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtps://…:465`.
    pub fn smtp(url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .context("the SMTP URL is not smtp://HOST:PORT or smtps://USER:PASSWORD@HOST:PORT")?
            .build();
        let host = url
            .split_once("://")
            .map(|(_, rest)| rest.rsplit('@').next().unwrap_or(rest))
            .unwrap_or(url);
        Ok(Mailer {
            transport: Transport::Smtp(transport),
            from: parse_from(from)?,
            description: format!("SMTP server {host}"),
        })
    }

    /// Writes each e-mail as an `.eml` file into `dir`.
    pub fn outbox(dir: &Path, from: &str) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the mail outbox {}", dir.display()))?;
        Ok(Mailer {
            transport: Transport::Outbox(AsyncFileTransport::new(dir)),
            from: parse_from(from)?,
            description: format!("mail outbox directory {}", dir.display()),
        })
    }

    /// Sends one e-mail; returns when the server has accepted it or the file is written.
    pub async fn send(&self, mail: &OutgoingMail) -> anyhow::Result<()> {
        let to: Address = mail
            .to_address
            .parse()
            .with_context(|| "the recipient's address is not an e-mail address".to_owned())?;
        let message = Message::builder()
            .from(Mailbox::new(
                Some(mail.sender_name.clone()),
                self.from.clone(),
            ))
            .to(Mailbox::new(Some(mail.to_name.clone()), to))
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .context("building an e-mail")?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .context("sending an e-mail over SMTP")?;
            }
            Transport::Outbox(outbox) => {
                outbox
                    .send(message)
                    .await
                    .context("writing an e-mail to the outbox")?;
            }
        }
        Ok(())
    }
}

fn parse_from(from: &str) -> anyhow::Result<Address> {
    from.parse()
        .with_context(|| format!("LICHENG_MAIL_FROM {from:?} is not an e-mail address"))
}
