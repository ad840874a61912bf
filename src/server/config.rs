//! Typed settings from the command line and `LICHENG_*` environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::domain::files::FileRules;

/// The `licheng` command line.
#[derive(Debug, Parser)]
#[command(name = "licheng", version, about = "學習歷程檔案 school platform")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create the demo school in an empty database and exit.
    SeedDemo,
    /// Write a backup (database snapshot, every stored file and a manifest of hashes) and
    /// exit.
    Backup {
        /// Directory to write the backup under; defaults to `--backup-dir`.
        #[arg(long)]
        to: Option<PathBuf>,
    },
    /// Restore a backup into the data directory, which must be new or empty, and exit.
    Restore {
        /// The backup directory (the one with `manifest.json`).
        #[arg(long)]
        from: PathBuf,
    },
    /// Write one school's rows and files into a package directory, to move the school to
    /// another deployment (such as from one machine to a city's PostgreSQL and S3).
    ExportSchool {
        /// The school's 學校代碼.
        #[arg(long)]
        school: String,
        /// The package directory to create; it must not exist.
        #[arg(long)]
        to: PathBuf,
    },
    /// Load a package written by `export-school` into this deployment, under new ids; the
    /// deployment may hold other schools, but not one with the same code.
    ImportSchool {
        /// The package directory.
        #[arg(long)]
        from: PathBuf,
        /// The national ID key file of the deployment that wrote the package; needed when
        /// the package contains national IDs, which are re-encrypted under this deployment's key.
        #[arg(long)]
        source_national_id_key: Option<PathBuf>,
        /// Import the school under this 學校代碼 instead of the package's, when the target
        /// already has a school with that code (a demo school, say).
        #[arg(long)]
        code: Option<String>,
    },
    /// Check every stored file against its recorded SHA-256 and list missing or damaged ones;
    /// exits with status 1 when any are found.
    Verify {
        /// Check this backup directory by restoring it into a scratch directory instead.
        #[arg(long)]
        backup: Option<PathBuf>,
    },
}

/// Settings shared by every subcommand.
#[derive(Clone, Debug, Args)]
pub struct Settings {
    /// Directory for the SQLite database and the file store.
    #[arg(long, env = "LICHENG_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://PATH` or `postgres://…`. Defaults to `licheng.db` in the data
    /// directory.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Leptos runtime configuration (site address, site root, output name).
    #[arg(long, env = "LICHENG_LEPTOS_CONFIG", default_value = "Leptos.toml")]
    pub leptos_config: PathBuf,

    /// Address to listen on; overrides `site-addr` of the Leptos configuration.
    #[arg(long, env = "LICHENG_ADDR")]
    pub addr: Option<SocketAddr>,

    /// Origin that browsers use to reach the site, such as `https://licheng.example.edu.tw`.
    /// Cross-site checks compare against it, and an `https` origin turns on `Secure` cookies.
    /// Defaults to `http://` plus the listening address.
    #[arg(long, env = "LICHENG_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,

    /// The file with the keys that encrypt national IDs; created with fresh keys (mode 0600)
    /// at first start. Defaults to `secrets/national-id.key` in the data directory. Back it up
    /// apart from the database: without it the stored national IDs cannot be read.
    #[arg(long, env = "LICHENG_NATIONAL_ID_KEY_FILE")]
    pub national_id_key_file: Option<PathBuf>,

    /// Create the demo school at start when the database has no school.
    #[arg(long, env = "LICHENG_DEMO", default_value_t = false)]
    pub demo: bool,

    /// Largest document (PDF, JPEG, PNG), in bytes.
    #[arg(long, env = "LICHENG_DOCUMENT_MAX_BYTES", default_value_t = FileRules::default().document_max_bytes)]
    pub document_max_bytes: u64,

    /// Largest media file (MP3, MP4), in bytes.
    #[arg(long, env = "LICHENG_MEDIA_MAX_BYTES", default_value_t = FileRules::default().media_max_bytes)]
    pub media_max_bytes: u64,

    /// Minutes without a request after which a session ends.
    #[arg(long, env = "LICHENG_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: i64,

    /// Hours after login at which a session ends however active it is.
    #[arg(long, env = "LICHENG_SESSION_ABSOLUTE_HOURS", default_value_t = 12)]
    pub session_absolute_hours: i64,

    /// Failed logins from one client address within 10 minutes before that address waits out
    /// the rest of the 10 minutes. A school's whole network may share one address, so keep it
    /// high (docs/security.md).
    #[arg(long, env = "LICHENG_LOGIN_ADDRESS_FAILURES", default_value_t = 300)]
    pub login_address_failures: i64,

    /// Request header that carries the client address when a reverse proxy is in front,
    /// such as `x-forwarded-for` (its last address is used, the one the proxy added). Unset,
    /// the address of the TCP connection is used. Set it only behind a proxy that sets it.
    #[arg(long, env = "LICHENG_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,

    /// Password hashes computed at once; each takes about 19 MiB of memory. Defaults to the
    /// number of CPU cores.
    #[arg(long, env = "LICHENG_HASH_CONCURRENCY")]
    pub hash_concurrency: Option<usize>,

    /// Largest number of pooled database connections.
    #[arg(long, env = "LICHENG_DB_MAX_CONNECTIONS", default_value_t = 16)]
    pub db_max_connections: u32,

    /// Directory of backups. Defaults to `backups` in the data directory; put it on another
    /// disk so that one failing disk cannot take both.
    #[arg(long, env = "LICHENG_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,

    /// Hours between scheduled backups, each followed by a restore drill; 0 turns them off.
    #[arg(long, env = "LICHENG_BACKUP_EVERY_HOURS", default_value_t = 24)]
    pub backup_every_hours: u64,

    /// Number of backups to keep; older ones are deleted after a successful backup.
    #[arg(long, env = "LICHENG_BACKUP_KEEP", default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..))]
    pub backup_keep: u64,

    /// S3-compatible bucket that contains the stored files, for deployments of several nodes;
    /// unset keeps them under `files/` in the data directory. Uploads are spooled in the data
    /// directory while they arrive either way.
    #[arg(long, env = "LICHENG_S3_BUCKET")]
    pub s3_bucket: Option<String>,

    /// Endpoint of the S3-compatible server, such as `https://s3.example.edu.tw`; unset means
    /// Amazon S3 itself. Buckets are addressed by path.
    #[arg(long, env = "LICHENG_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,

    /// Region of the bucket; servers other than Amazon's mostly accept any.
    #[arg(long, env = "LICHENG_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,

    /// Access key of the bucket.
    #[arg(long, env = "LICHENG_S3_ACCESS_KEY_ID")]
    pub s3_access_key_id: Option<String>,

    /// Secret key of the bucket; set it in the environment, where other users of the machine
    /// cannot read it from the process list.
    #[arg(long, env = "LICHENG_S3_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub s3_secret_access_key: Option<String>,

    /// Prefix of every object name, such as `licheng/`, to share a bucket.
    #[arg(long, env = "LICHENG_S3_PREFIX", default_value = "")]
    pub s3_prefix: String,

    /// SMTP server for e-mail to users (password recovery links), such as
    /// `smtps://USER:PASSWORD@smtp.example.edu.tw:465` or `smtp://127.0.0.1:25`. Unset, e-mails
    /// are written as files to `outbox/mail` in the data directory instead of being sent.
    #[arg(long, env = "LICHENG_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Sender address of e-mails to users; the school's name is shown as the sender's name.
    #[arg(long, env = "LICHENG_MAIL_FROM", default_value = "licheng@localhost")]
    pub mail_from: String,

    /// HTTP gateway of the school's SMS provider (docs/deploy.md): texts are posted to it as
    /// JSON. Unset, texts are appended to `outbox/sms.jsonl` in the data directory instead.
    #[arg(long, env = "LICHENG_SMS_GATEWAY_URL")]
    pub sms_gateway_url: Option<String>,

    /// Bearer token sent to the SMS gateway.
    #[arg(long, env = "LICHENG_SMS_GATEWAY_TOKEN", hide_env_values = true)]
    pub sms_gateway_token: Option<String>,

    /// Log format: `pretty` for people, `json` for log collectors.
    #[arg(long, env = "LICHENG_LOG_FORMAT", default_value = "pretty")]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Settings {
    /// Returns the database URL, defaulting to an SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("licheng.db").display()),
        }
    }

    /// Returns the path of the national ID key file.
    pub fn national_id_key_file(&self) -> PathBuf {
        self.national_id_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("secrets").join("national-id.key"))
    }

    /// Returns the directory of export packages for the central database.
    pub fn exports_dir(&self) -> PathBuf {
        self.data_dir.join("exports")
    }

    /// Returns the directory of backups.
    pub fn backup_dir(&self) -> PathBuf {
        self.backup_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("backups"))
    }

    /// Returns the directory that e-mails are written to when no SMTP server is configured.
    pub fn mail_outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox").join("mail")
    }

    /// Returns the file that texts are appended to when no SMS gateway is configured.
    pub fn sms_outbox_file(&self) -> PathBuf {
        self.data_dir.join("outbox").join("sms.jsonl")
    }

    /// Returns the directory of the local file store.
    pub fn files_dir(&self) -> PathBuf {
        self.data_dir.join("files")
    }

    /// Returns the S3 settings when a bucket is configured; both keys are then required.
    pub fn s3_config(&self) -> anyhow::Result<Option<super::storage::s3::S3Config>> {
        let Some(bucket) = &self.s3_bucket else {
            return Ok(None);
        };
        let (Some(access_key_id), Some(secret_access_key)) =
            (&self.s3_access_key_id, &self.s3_secret_access_key)
        else {
            anyhow::bail!(
                "LICHENG_S3_BUCKET is set: set LICHENG_S3_ACCESS_KEY_ID and LICHENG_S3_SECRET_ACCESS_KEY too"
            );
        };
        Ok(Some(super::storage::s3::S3Config {
            bucket: bucket.clone(),
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            access_key_id: access_key_id.clone(),
            secret_access_key: secret_access_key.clone(),
            prefix: self.s3_prefix.clone(),
        }))
    }

    pub fn file_rules(&self) -> FileRules {
        FileRules {
            document_max_bytes: self.document_max_bytes,
            media_max_bytes: self.media_max_bytes,
        }
    }

    /// Returns the public origin without a trailing slash.
    pub fn public_origin(&self, listen: SocketAddr) -> String {
        match &self.public_origin {
            Some(origin) => origin.trim_end_matches('/').to_owned(),
            None => format!("http://{listen}"),
        }
    }

    /// Settings for tests and tools: a data directory and defaults for everything else.
    pub fn for_data_dir(data_dir: PathBuf) -> Self {
        Cli::parse_from(["licheng", "--data-dir", &data_dir.display().to_string()]).settings
    }
}
