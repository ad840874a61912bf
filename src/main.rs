//! The `licheng` binary: parses the command line and hands over to the server.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use clap::Parser;

    let cli = licheng::server::config::Cli::parse();
    match licheng::server::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "licheng stopped");
            eprintln!("licheng: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The binary is only meaningful with the `ssr` feature; the `hydrate` build uses the library.
#[cfg(not(feature = "ssr"))]
fn main() {}
