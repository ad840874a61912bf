//! Everything that runs only on the server.

pub mod auth;
pub mod config;
pub mod crypto;
pub mod db;
pub mod error;
pub mod export;
pub mod jobs;
pub mod router;
pub mod services;
pub mod state;
pub mod storage;

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
    let store = LocalStore::open(settings.files_dir())
        .await
        .with_context(|| format!("opening file store {}", settings.files_dir().display()))?;
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
    Ok(AppState {
        db,
        storage: Arc::new(store),
        settings: Arc::new(settings),
        passwords: auth::PasswordHasher::new(concurrency),
        notifier: Notifier::default(),
        national_ids: Arc::new(national_ids),
        clock: state::Clock::system(),
        leptos_options,
        public_origin,
    })
}

/// Runs a subcommand of the command line (serving by default).
pub async fn run(cli: config::Cli) -> anyhow::Result<()> {
    init_tracing(cli.settings.log_format);
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
    let app = router::build(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;
    tracing::info!("stopped");
    Ok(())
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
