//! Everything that runs only on the server.

pub mod auth;
pub mod backup;
pub mod config;
pub mod crypto;
pub mod db;
pub mod error;
pub mod export;
pub mod jobs;
pub mod messaging;
pub mod router;
pub mod services;
pub mod state;
pub mod storage;
pub mod transfer;

use std::sync::Arc;

use anyhow::Context;
use leptos::config::LeptosOptions;

use self::config::Settings;
use self::db::Db;
use self::state::{AppState, Notifier};
use self::storage::{BlobStore, LocalStore};

/// Opens the database (migrating it) and the file store, and builds the shared state.
pub async fn build_state(
    settings: Settings,
    leptos_options: LeptosOptions,
) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating data directory {}", settings.data_dir.display()))?;
    let url = settings.database_url();
    let db = Db::connect(&url, settings.db_max_connections)
        .await
        .with_context(|| format!("connecting to {}", db::redact_url(&url)))?;
    db.migrate().await.context("applying database migrations")?;
    let store = open_store(&settings).await?;
    let swept = store
        .sweep_temporary()
        .await
        .context("deleting leftover temporary uploads")?;
    if swept > 0 {
        tracing::info!(
            count = swept,
            "deleted temporary uploads left by an earlier run"
        );
    }
    let key_file = settings.national_id_key_file();
    let national_ids = crypto::NationalIdCipher::load_or_create(&key_file)
        .with_context(|| format!("opening the national ID key file {}", key_file.display()))?;
    let listen = settings.addr.unwrap_or(leptos_options.site_addr);
    let public_origin: Arc<str> = settings.public_origin(listen).into();
    let concurrency = settings.hash_concurrency.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let notifier = match db.backend {
        db::Backend::Sqlite => Notifier::default(),
        db::Backend::Postgres => Notifier::postgres(&url, db.pool.clone())
            .await
            .context("listening for changes on PostgreSQL")?,
    };
    let messenger = messaging::Messenger::from_settings(&settings)?;
    Ok(AppState {
        db,
        storage: store,
        messenger,
        settings: Arc::new(settings),
        passwords: auth::PasswordHasher::new(concurrency),
        notifier,
        national_ids: Arc::new(national_ids),
        clock: state::Clock::system(),
        leptos_options,
        public_origin,
        backups: Arc::default(),
    })
}

/// Opens the file store of the settings: an S3-compatible bucket when one is configured,
/// otherwise `files/` in the data directory.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn BlobStore>> {
    match settings.s3_config()? {
        Some(config) => {
            tracing::info!(
                bucket = %config.bucket,
                endpoint = config.endpoint.as_deref().unwrap_or("Amazon S3"),
                prefix = %config.prefix,
                "storing files in an S3-compatible bucket"
            );
            let spool = settings.files_dir().join("spool");
            let store = storage::s3::S3Store::open(&config, &spool)
                .await
                .with_context(|| format!("opening bucket {}", config.bucket))?;
            Ok(Arc::new(store))
        }
        None => {
            tracing::info!(directory = %settings.files_dir().display(), "storing files on local disk");
            let store = LocalStore::open(settings.files_dir())
                .await
                .with_context(|| {
                    format!("opening file store {}", settings.files_dir().display())
                })?;
            Ok(Arc::new(store))
        }
    }
}

/// Runs a subcommand of the command line (serving by default).
pub async fn run(cli: config::Cli) -> anyhow::Result<()> {
    init_tracing(cli.settings.log_format);
    // These two work on directories alone and must not create a database first.
    match &cli.command {
        Some(config::Command::Restore { from }) => return restore(&cli.settings, from).await,
        Some(config::Command::Verify {
            backup: Some(directory),
        }) => return verify_backup(&cli.settings, directory).await,
        _ => {}
    }
    let leptos_options = load_leptos_options(&cli.settings.leptos_config)?;
    let state = build_state(cli.settings, leptos_options).await?;
    match cli.command.unwrap_or(config::Command::Serve) {
        config::Command::Migrate => {
            tracing::info!("migrations applied");
            Ok(())
        }
        config::Command::SeedDemo => {
            if services::demo::seed_if_empty(&state).await? {
                println!("{}", services::demo::login_help(&state.public_origin));
            } else {
                println!("The database already has a school; the demo school was not created.");
            }
            Ok(())
        }
        config::Command::Serve => serve(state).await,
        config::Command::Backup { to } => {
            let directory = to.unwrap_or_else(|| state.settings.backup_dir());
            if services::backups::run_now(&state, &directory).await {
                let latest = backup::list(&directory).await?.pop();
                let path = latest
                    .map(|path| path.display().to_string())
                    .unwrap_or_default();
                println!("備份完成並通過還原演練 Backup written and restore drill passed: {path}");
                Ok(())
            } else {
                anyhow::bail!("備份失敗 Backup failed; the log above gives the reason")
            }
        }
        config::Command::Verify { .. } => verify_store(&state).await,
        config::Command::ExportSchool { school, to } => {
            let manifest =
                transfer::export_school(&state.db, state.storage.as_ref(), &school, &to).await?;
            let rows: u64 = manifest.tables.values().sum();
            println!(
                "已匯出 {}（{}）Exported: {rows} rows and {} files checked by SHA-256 into {}",
                manifest.school_name,
                manifest.school_code,
                manifest.files.len(),
                to.display()
            );
            Ok(())
        }
        config::Command::ImportSchool {
            from,
            source_national_id_key,
            code,
        } => {
            let report = transfer::import_school(
                &state.db,
                state.storage.as_ref(),
                &from,
                source_national_id_key.as_deref(),
                code.as_deref(),
                &state.national_ids,
            )
            .await?;
            println!(
                "已匯入 Imported: {} rows and {} files, each read back and checked by SHA-256 (school id {})",
                report.rows, report.files, report.school_id
            );
            Ok(())
        }
        config::Command::Restore { .. } => unreachable!("handled before the state is built"),
    }
}

/// Restores the backup in `from` into the configured data directory.
async fn restore(settings: &Settings, from: &std::path::Path) -> anyhow::Result<()> {
    if settings.database_url.is_some() {
        anyhow::bail!(
            "restore writes the SQLite database of --data-dir; unset DATABASE_URL and --database-url"
        );
    }
    let progress = backup::Progress::default();
    let manifest = backup::restore(from, &settings.data_dir, &progress).await?;
    println!(
        "還原完成 Restored {} files and the database into {}",
        manifest.objects.len(),
        settings.data_dir.display()
    );
    let key_file = settings.national_id_key_file();
    if !key_file.exists() {
        println!(
            "注意 Note: there is no national ID key at {}. Copy the key file of the old server there before starting; a new key cannot read the stored national IDs.",
            key_file.display()
        );
    }
    Ok(())
}

/// Checks a backup by restoring it into a scratch directory beside it.
async fn verify_backup(settings: &Settings, directory: &std::path::Path) -> anyhow::Result<()> {
    let scratch = directory
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| settings.data_dir.clone());
    let progress = backup::Progress::default();
    let summary = backup::drill(directory, &scratch, &progress).await?;
    println!(
        "備份完好 Backup is sound: the database passed integrity_check and all {} files match their SHA-256",
        summary.objects
    );
    Ok(())
}

/// Checks every stored file against its SHA-256 and lists the missing and damaged ones.
async fn verify_store(state: &AppState) -> anyhow::Result<()> {
    let progress = backup::Progress::default();
    let report = backup::verify(&state.db.pool, state.storage.as_ref(), &progress).await?;
    for (label, files) in [
        ("遺失 missing", &report.missing),
        ("損毀 damaged", &report.corrupt),
    ] {
        for file in files {
            let ids: Vec<String> = file.file_ids.iter().map(i64::to_string).collect();
            println!(
                "{label}: {} ({} bytes), stored_files id {}",
                file.sha256,
                file.bytes,
                ids.join(", ")
            );
        }
    }
    if report.is_clean() {
        println!(
            "檔案完好 All {} stored files match their SHA-256",
            report.checked
        );
        Ok(())
    } else {
        anyhow::bail!(
            "{} of {} stored files are missing and {} are damaged; restore them from the latest backup",
            report.missing.len(),
            report.checked,
            report.corrupt.len()
        )
    }
}

async fn serve(state: AppState) -> anyhow::Result<()> {
    if state.settings.demo && services::demo::seed_if_empty(&state).await? {
        tracing::info!("demo school created");
    }
    if state.settings.demo {
        println!("{}", services::demo::login_help(&state.public_origin));
    }
    let addr = state
        .settings
        .addr
        .unwrap_or(state.leptos_options.site_addr);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    tracing::info!(%addr, origin = %state.public_origin, database = db::redact_url(&state.settings.database_url()), "serving");
    jobs::spawn_session_sweeper(state.clone());
    services::backups::spawn_scheduler(state.clone());
    let app = router::build(state);
    serve_http(listener, app).await;
    tracing::info!("stopped");
    Ok(())
}

/// The largest read buffer of one HTTP/1 connection. hyper lets it grow to about 400 KiB per
/// connection. With 500 slow uploads a 64 KiB cap saved about 60 MB (docs/benchmarks.md), and
/// uploads are streamed, so the smaller buffer does not slow them.
const MAX_CONNECTION_BUFFER: usize = 64 * 1024;

/// How long a shutdown waits for open requests (and event streams) to end.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves `app` on `listener` until SIGINT or SIGTERM, then lets open connections finish.
/// This is `axum::serve` with a bounded per-connection read buffer.
async fn serve_http(listener: tokio::net::TcpListener, app: axum::Router) {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;

    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().max_buf_size(MAX_CONNECTION_BUFFER);
    let graceful = GracefulShutdown::new();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // For example out of file descriptors: wait a little instead of spinning.
                        tracing::warn!(%error, "cannot accept a connection");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        continue;
                    }
                };
                if let Err(error) = stream.set_nodelay(true) {
                    tracing::debug!(%error, "cannot set TCP_NODELAY");
                }
                // The peer address, for login throttling (`axum::extract::ConnectInfo`).
                let service = TowerToHyperService::new(tower::ServiceExt::map_request(
                    app.clone(),
                    move |mut request: axum::http::Request<hyper::body::Incoming>| {
                        request
                            .extensions_mut()
                            .insert(axum::extract::ConnectInfo(peer));
                        request
                    },
                ));
                let connection = builder
                    .serve_connection_with_upgrades(TokioIo::new(stream), service)
                    .into_owned();
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("open connections did not end within 30 seconds; stopping anyway");
        }
    }
}

/// Loads the Leptos runtime options from `path` (`LEPTOS_*` variables, as set by
/// cargo-leptos, override it).
pub fn load_leptos_options(path: &std::path::Path) -> anyhow::Result<LeptosOptions> {
    let path_text = path
        .to_str()
        .context("the Leptos configuration path is not UTF-8")?;
    let configuration = leptos::config::get_configuration(Some(path_text))
        .with_context(|| format!("reading the Leptos configuration {}", path.display()))?;
    Ok(configuration.leptos_options)
}

async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

fn init_tracing(format: config::LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = match format {
        config::LogFormat::Pretty => builder.try_init(),
        config::LogFormat::Json => builder.json().try_init(),
    };
    // A second initialisation (tests build several servers) keeps the first subscriber.
    let _ = result;
}
