//! The `licheng` binary: parses the command line and hands over to the server.

#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    use clap::Parser;

    limit_malloc_arenas();
    let cli = licheng::server::config::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("licheng: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(licheng::server::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "licheng stopped");
            eprintln!("licheng: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Limits glibc's malloc to one arena per core. By default glibc gives each thread that
/// allocates under contention its own arena, up to eight per core, and freed memory stays
/// spread over them. With 500 slow uploads in flight the server then held about 18 MB more
/// (docs/benchmarks.md). `MALLOC_ARENA_MAX` in the environment still takes precedence.
/// Must run before any thread starts.
#[cfg(feature = "ssr")]
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets a malloc parameter, and no other thread exists yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

/// The binary is only meaningful with the `ssr` feature; the `hydrate` build uses the library.
#[cfg(not(feature = "ssr"))]
fn main() {}
