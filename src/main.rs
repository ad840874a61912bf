//! The `licheng` binary: parses the command line and hands over to the server.

#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    use clap::Parser;

    tune_malloc();
    let cli = licheng::server::config::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!(
                "licheng: failed to start the async runtime: {error}; check the limits on threads and memory of the process"
            );
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

/// Tunes glibc's malloc for a server of many connections and large password hashes, unless
/// `MALLOC_ARENA_MAX` or `MALLOC_MMAP_THRESHOLD_` in the environment sets the parameter.
/// Must run before any thread starts. The figures are in docs/benchmarks.md.
///
/// - One arena per core. By default glibc gives each thread that allocates under contention
///   its own arena, up to eight per core, and freed memory stays spread over them. With 500
///   slow uploads in flight the server then held about 18 MB more.
/// - Blocks of 1 MiB and more always come from `mmap`, so they return to the system when
///   freed. Each Argon2id hash allocates 19 MiB. glibc otherwise raises this threshold after
///   the first such block and serves later ones from the arenas, where they fragment: 3,000
///   logins then peaked at 354 to 732 MB instead of 75 MB.
#[cfg(feature = "ssr")]
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
            // SAFETY: mallopt only sets a malloc parameter, and no other thread exists yet.
            unsafe {
                libc::mallopt(libc::M_ARENA_MAX, arenas);
            }
        }
        if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
            // SAFETY: as above.
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
            }
        }
    }
}

/// The binary is only meaningful with the `ssr` feature; the `hydrate` build uses the library.
#[cfg(not(feature = "ssr"))]
fn main() {}
