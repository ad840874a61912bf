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

    /// Returns the directory of the local file store.
    pub fn files_dir(&self) -> PathBuf {
        self.data_dir.join("files")
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
