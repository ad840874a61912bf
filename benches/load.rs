//! The figures of docs/benchmarks.md, each a ratio against a baseline measured in the same run
//! on the same machine. The release server runs as a child process on a fresh school; this
//! program drives it over 127.0.0.1. Run it with `scripts/bench.sh` (docs/benchmarks.md).
//!
//! `LICHENG_BENCH_OUTCOMES` sets the outcome counts of the certification-list figure
//! (default `10000,100000,1000000`).

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use jiff::ToSpan;
use licheng::domain::calendar::UtcMillis;
use licheng::domain::outcome::ReviewFilter;
use licheng::domain::paging::PageRequest;
use licheng::domain::views::ReviewQuery;
use licheng::domain::window::{SemesterWindows, Window};
use sqlx::any::AnyPoolOptions;
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

/// Size of each upload in the upload figure: 4 MB, under the 4 MiB document limit.
const UPLOAD_BYTES: usize = 4_000_000;
/// Uploads per concurrency level.
const UPLOADS_PER_LEVEL: usize = 64;

struct Server {
    child: Child,
    base: String,
    cookie: String,
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id().expect("server pid")
    }
}

fn server_binary() -> PathBuf {
    if let Ok(path) = std::env::var("LICHENG_BIN") {
        return PathBuf::from(path);
    }
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    PathBuf::from(target).join("release").join("licheng")
}

/// Prepares the fixture school in a new directory: open windows and no upload limit.
async fn prepare() -> (tempfile::TempDir, common::Fixture) {
    let app = TestApp::new().await;
    let today = UtcMillis::now().taipei_date();
    let window = Window::from_dates(
        today.checked_sub(30.days()).unwrap(),
        today.checked_add(30.days()).unwrap(),
    );
    app.set_windows(SemesterWindows {
        student: window,
        teacher: window,
    })
    .await;
    sqlx::query("UPDATE schools SET max_outcomes_per_semester = 100000000")
        .execute(app.pool())
        .await
        .unwrap();
    let TestApp {
        state,
        data_dir,
        fixture,
        ..
    } = app;
    state.db.pool.close().await;
    (data_dir, fixture)
}

async fn start(data_dir: &Path, login_as: &str) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(server_binary())
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .args(["--public-origin", &base])
        .args(["--backup-every-hours", "0"])
        .args(["--db-max-connections", "16"])
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start the release server (build it first: scripts/bench.sh)");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_ok_and(|reply| reply.status().is_success())
    {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let reply = client
        .post(format!("{base}/api/login"))
        .header("origin", &base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "school_code=123456&login={login_as}&password=pw-{login_as}"
        ))
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success(), "login {login_as}");
    let cookie = reply
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("licheng_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    Server {
        child,
        base,
        cookie,
    }
}

/// Returns the resident memory of a process in bytes, from /proc.
fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(0)
        * 1024
}

/// Builds a PDF of exactly `size` bytes whose content is unique to `seed`, so that the
/// content-addressed store cannot skip it as a duplicate.
fn unique_pdf(seed: usize, size: usize) -> Vec<u8> {
    let mut bytes = format!("%PDF-1.4\n% bench {seed}\n").into_bytes();
    let tail = b"\n%%EOF\n";
    bytes.resize(size - tail.len(), b'x');
    bytes.extend_from_slice(tail);
    bytes
}

fn upload_body(course: &str, bytes: Vec<u8>) -> Vec<u8> {
    multipart(&[
        Part::Text("course_id", course),
        Part::Text("summary", "效能測試"),
        Part::File {
            field: "document",
            name: "成果.pdf",
            content_type: "application/pdf",
            bytes,
        },
    ])
}

/// Runs `total` jobs with at most `concurrency` at once; returns the wall time.
async fn run_concurrently<F, Fut>(total: usize, concurrency: usize, job: F) -> Duration
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let next = next.clone();
            let job = job.clone();
            tokio::spawn(async move {
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if index >= total {
                        break;
                    }
                    job(index).await;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    started.elapsed()
}

/// Writes `bytes` durably the way the store does: write, fsync, rename, fsync the directory.
fn durable_write(dir: &Path, index: usize, bytes: &[u8]) {
    use std::io::Write;
    let temporary = dir.join(format!("{index}.part"));
    let target = dir.join(format!("{index}.bin"));
    let mut file = std::fs::File::create(&temporary).unwrap();
    file.write_all(bytes).unwrap();
    file.sync_all().unwrap();
    std::fs::rename(&temporary, &target).unwrap();
    std::fs::File::open(dir).unwrap().sync_all().unwrap();
}

async fn uploads(data_dir: &Path, fixture: &common::Fixture, report: &mut Vec<String>) {
    let server = start(data_dir, STUDENT).await;
    let course = fixture.math.0.to_string();
    report.push(
        "| concurrent 4 MB uploads | route MB/s | raw durable writes MB/s | ratio (target ≥ 0.8) |"
            .into(),
    );
    report.push("|---|---|---|---|".into());
    let mut seed = 0usize;
    for concurrency in [1usize, 16, 64] {
        let raw_dir = data_dir.join(format!("raw-{concurrency}"));
        std::fs::create_dir_all(&raw_dir).unwrap();
        let raw_base = seed;
        let raw_dir_for_jobs = raw_dir.clone();
        let raw = run_concurrently(UPLOADS_PER_LEVEL, concurrency, move |index| {
            let dir = raw_dir_for_jobs.clone();
            async move {
                tokio::task::spawn_blocking(move || {
                    durable_write(&dir, index, &unique_pdf(raw_base + index, UPLOAD_BYTES))
                })
                .await
                .unwrap();
            }
        })
        .await;
        std::fs::remove_dir_all(&raw_dir).unwrap();
        seed += UPLOADS_PER_LEVEL;

        let client = reqwest::Client::new();
        let (base, cookie, course) = (server.base.clone(), server.cookie.clone(), course.clone());
        let route_base = seed;
        let route = run_concurrently(UPLOADS_PER_LEVEL, concurrency, move |index| {
            let (client, base, cookie, course) =
                (client.clone(), base.clone(), cookie.clone(), course.clone());
            async move {
                let body = upload_body(&course, unique_pdf(route_base + index, UPLOAD_BYTES));
                let reply = client
                    .post(format!("{base}/upload/outcomes"))
                    .header("origin", &base)
                    .header("cookie", &cookie)
                    .header("accept", "application/json")
                    .header(
                        "content-type",
                        format!("multipart/form-data; boundary={BOUNDARY}"),
                    )
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert!(reply.status().is_success(), "upload: {}", reply.status());
            }
        })
        .await;
        seed += UPLOADS_PER_LEVEL;

        let megabytes = (UPLOADS_PER_LEVEL * UPLOAD_BYTES) as f64 / 1e6;
        let (route_rate, raw_rate) = (
            megabytes / route.as_secs_f64(),
            megabytes / raw.as_secs_f64(),
        );
        report.push(format!(
            "| {concurrency} | {route_rate:.1} | {raw_rate:.1} | {:.2} |",
            route_rate / raw_rate
        ));
    }
    drop(server);
}

/// Measures requests per second of GET `path` over `seconds` with `connections` loops.
async fn throughput(server: &Server, path: &str, connections: usize, seconds: u64) -> f64 {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let loops: Vec<_> = (0..connections)
        .map(|_| {
            let (client, url, cookie) = (
                client.clone(),
                format!("{}{path}", server.base),
                server.cookie.clone(),
            );
            tokio::spawn(async move {
                let mut count = 0u64;
                while Instant::now() < deadline {
                    let reply = client
                        .get(&url)
                        .header("cookie", &cookie)
                        .header("accept", "text/html")
                        .send()
                        .await
                        .unwrap();
                    assert!(reply.status().is_success(), "{url}: {}", reply.status());
                    reply.bytes().await.unwrap();
                    count += 1;
                }
                count
            })
        })
        .collect();
    let mut total = 0;
    for handle in loops {
        total += handle.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

async fn ssr(data_dir: &Path, report: &mut Vec<String>) {
    let server = start(data_dir, STUDENT).await;
    report.push("| SSR throughput, 32 connections, 10 s each | requests/s |".into());
    report.push("|---|---|".into());
    let hello = throughput(&server, "/healthz", 32, 10).await;
    let page = throughput(&server, "/student/outcomes", 32, 10).await;
    let login = throughput(&server, "/login", 32, 10).await;
    report.push(format!(
        "| baseline: `/healthz` (hello world through the same middleware) | {hello:.0} |"
    ));
    report.push(format!("| `/student/outcomes` (session, database, full SSR) | {page:.0} ({:.3}×, target ≥ 0.15×) |", page / hello));
    report.push(format!(
        "| `/login` (SSR without database) | {login:.0} ({:.3}×) |",
        login / hello
    ));
    drop(server);
}

/// Adds `count` submitted outcomes: `mine` in the teacher's 數學A course and the rest in
/// another teacher's course, written set-wise with foreign keys off for speed.
async fn seed_outcomes(data_dir: &Path, fixture: &common::Fixture, count: i64, mine: i64) {
    let url = format!("sqlite://{}", data_dir.join("licheng.db").display());
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&pool)
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    let file: i64 = sqlx::query_scalar(
        "INSERT INTO stored_files (school_id, sha256, byte_size, media_type, original_name, uploaded_by, created_at) \
         VALUES ($1, $2, 100, 'application/pdf', 'bench.pdf', $3, 0) RETURNING id",
    )
    .bind(fixture.school.0)
    .bind("0".repeat(64))
    .bind(fixture.student.0)
    .fetch_one(&mut *tx)
    .await
    .unwrap();

    let base: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1000000000 FROM course_outcomes")
            .fetch_one(&mut *tx)
            .await
            .unwrap();

    let now = UtcMillis::now().0;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1) \
         INSERT INTO course_outcomes (id, school_id, student_id, course_id, status, summary, document_file_id, \
           current_review_id, version, created_at, updated_at) \
         SELECT $2 + i, $3, $4, CASE WHEN i < $5 THEN $6 ELSE $7 END, 'pending', 'bench', $8, $2 + i, 2, $9, $9 FROM n",
    )
    .bind(count)
    .bind(base)
    .bind(fixture.school.0)
    .bind(fixture.student.0)
    .bind(mine)
    .bind(fixture.math.0)
    .bind(fixture.chinese.0)
    .bind(file)
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();

    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1) \
         INSERT INTO outcome_reviews (id, school_id, outcome_id, round, summary, document_file_id, submitted_by, submitted_at) \
         SELECT $2 + i, $3, $2 + i, 1, 'bench', $4, $5, $6 + i FROM n",
    )
    .bind(count)
    .bind(base)
    .bind(fixture.school.0)
    .bind(file)
    .bind(fixture.student.0)
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();

    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    pool.close().await;
}

fn percentile(samples: &mut [Duration], fraction: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * fraction).round() as usize;
    samples[index]
}

async fn pending_list(report: &mut Vec<String>) {
    let counts: Vec<i64> = std::env::var("LICHENG_BENCH_OUTCOMES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .filter_map(|value| value.trim().parse().ok())
        .collect();
    report.push("| outcomes in the database | server function p50 / p99 | raw SQL p50 / p99 | ratio of p50 (target ≤ 2× at 1M; p99 ≤ 20 ms) |".into());
    report.push("|---|---|---|---|".into());
    for count in counts {
        // A fresh school per size; the teacher has 300 pending outcomes, as on a deadline day.
        let (directory, fixture_here) = prepare().await;
        let data_dir = directory.path();
        seed_outcomes(data_dir, &fixture_here, count, 300).await;
        let server = start(data_dir, TEACHER).await;
        let client = reqwest::Client::new();
        let body = serde_json::json!({ "query": { "semester": null, "state": "Undecided", "homeroom": null, "subject": null, "page": { "page": 1, "per_page": 50 } } });
        let mut function = Vec::new();
        for round in 0..220 {
            let started = Instant::now();
            let reply = client
                .post(format!("{}/api/review_page", server.base))
                .header("origin", &server.base)
                .header("cookie", &server.cookie)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(
                reply.status().is_success(),
                "review_page: {}",
                reply.status()
            );
            reply.bytes().await.unwrap();
            if round >= 20 {
                function.push(started.elapsed());
            }
        }
        let url = format!("sqlite://{}?mode=ro", data_dir.join("licheng.db").display());
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap();
        let query = ReviewQuery {
            semester: None,
            state: ReviewFilter::Undecided,
            homeroom: None,
            subject: None,
            page: PageRequest::new(1, 50),
        };
        let today = licheng::domain::calendar::UtcMillis::now()
            .taipei_date()
            .to_string();
        let mut raw = Vec::new();
        for round in 0..220 {
            let started = Instant::now();
            let rows = licheng::server::db::outcomes::review_page(
                &pool,
                fixture_here.school,
                fixture_here.teacher,
                &today,
                &query,
            )
            .await
            .unwrap();
            assert!(!rows.is_empty(), "the teacher's page is empty");
            if round >= 20 {
                raw.push(started.elapsed());
            }
        }
        pool.close().await;
        drop(server);
        let (f50, f99) = (
            percentile(&mut function, 0.5),
            percentile(&mut function, 0.99),
        );
        let (r50, r99) = (percentile(&mut raw, 0.5), percentile(&mut raw, 0.99));
        report.push(format!(
            "| {count} | {:.2} ms / {:.2} ms | {:.2} ms / {:.2} ms | {:.1}× |",
            f50.as_secs_f64() * 1e3,
            f99.as_secs_f64() * 1e3,
            r50.as_secs_f64() * 1e3,
            r99.as_secs_f64() * 1e3,
            f50.as_secs_f64() / r50.as_secs_f64()
        ));
    }
}

/// Starts `count` uploads that send their first bytes and then trickle, and returns the peak
/// resident memory of the server while they are all in flight.
async fn slow_uploads(data_dir: &Path, fixture: &common::Fixture, report: &mut Vec<String>) {
    let server = start(data_dir, STUDENT).await;
    let pid = server.pid();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = rss_bytes(pid);

    let course = fixture.math.0.to_string();
    let address = server.base.trim_start_matches("http://").to_owned();
    let count = 500;
    // The uploads never finish, so they can all send the same bytes.
    let body = upload_body(&course, unique_pdf(900_000, UPLOAD_BYTES));
    let mut streams = Vec::new();
    for _ in 0..count {
        let head = format!(
            "POST /upload/outcomes HTTP/1.1\r\nHost: {address}\r\nOrigin: {}\r\nCookie: {}\r\n\
             Accept: application/json\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
             Content-Length: {}\r\n\r\n",
            server.base,
            server.cookie,
            body.len()
        );
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&body[..64 * 1024]).await.unwrap();
        streams.push(stream);
    }

    let mut peak = rss_bytes(pid);
    // Ten seconds of trickling: 16 KB per upload every 200 ms.
    for step in 0..50 {
        for stream in &mut streams {
            let from = 64 * 1024 + step * 16 * 1024;
            let _ = stream.write_all(&body[from..from + 16 * 1024]).await;
        }
        peak = peak.max(rss_bytes(pid));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(streams);

    report.push("| memory | resident |".into());
    report.push("|---|---|".into());
    report.push(format!(
        "| baseline: idle server | {:.1} MB |",
        idle as f64 / 1e6
    ));
    report.push(format!(
        "| peak with {count} slow 4 MB uploads in flight | {:.1} MB (+{:.1} MB; target ≤ 150 MB) |",
        peak as f64 / 1e6,
        (peak - idle.min(peak)) as f64 / 1e6
    ));
    drop(server);
}

fn compressed_size(path: &Path, tool: &[&str]) -> Option<u64> {
    let output = std::process::Command::new(tool[0])
        .args(&tool[1..])
        .arg(path)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then_some(output.stdout.len() as u64)
}

/// Sizes of one file or a set of files, in bytes: raw, `gzip -9` and `brotli -q 11`.
#[derive(Clone, Copy, Default)]
struct Sizes {
    files: usize,
    raw: u64,
    gzip: Option<u64>,
    brotli: Option<u64>,
}

impl Sizes {
    fn of(path: &Path) -> Option<Sizes> {
        let metadata = std::fs::metadata(path).ok()?;
        Some(Sizes {
            files: 1,
            raw: metadata.len(),
            gzip: compressed_size(path, &["gzip", "-9", "-c"]),
            brotli: compressed_size(path, &["brotli", "-q", "11", "-c"]),
        })
    }

    fn add(self, other: Sizes) -> Sizes {
        let sum = |a: Option<u64>, b: Option<u64>| Some(a? + b?);
        Sizes {
            files: self.files + other.files,
            raw: self.raw + other.raw,
            gzip: if self.files == 0 {
                other.gzip
            } else {
                sum(self.gzip, other.gzip)
            },
            brotli: if self.files == 0 {
                other.brotli
            } else {
                sum(self.brotli, other.brotli)
            },
        }
    }

    fn row(&self, name: &str) -> String {
        let kib = |bytes: Option<u64>| {
            bytes.map_or("–".into(), |bytes| {
                format!("{:.1} KiB", bytes as f64 / 1024.0)
            })
        };
        format!(
            "| {name} | {} | {} | {} | {} |",
            self.files,
            kib(Some(self.raw)),
            kib(self.gzip),
            kib(self.brotli)
        )
    }
}

/// Reports the sizes of the bundle built with `cargo leptos build --split`. First comes what
/// every page loads, then each page's first load with the chunks its split manifest lists.
fn wasm_sizes(report: &mut Vec<String>) {
    let pkg = Path::new("target/site/pkg");
    report.push("| release bundle | files | raw | gzip -9 | brotli -q 11 |".into());
    report.push("|---|---|---|---|---|".into());
    let mut main = Sizes::default();
    for name in [
        "licheng.wasm",
        "licheng.js",
        "__wasm_split.______________________.js",
    ] {
        match Sizes::of(&pkg.join(name)) {
            Some(sizes) => {
                report.push(sizes.row(name));
                main = main.add(sizes);
            }
            None => report.push(format!(
                "| {name} | missing: build the release first | | | |"
            )),
        }
    }
    report.push(main.row("**every page: the main module and its scripts**"));
    if let Some(css) = Sizes::of(&pkg.join("licheng.css")) {
        report.push(css.row("licheng.css"));
    }

    let manifest: std::collections::BTreeMap<String, Vec<String>> =
        match std::fs::read_to_string(pkg.join("__wasm_split_manifest.json")) {
            Ok(text) => serde_json::from_str(&text)
                .expect("invalid __wasm_split_manifest.json: rebuild with --split"),
            Err(_) => {
                report.push("| split manifest | missing: build with `--split` | | | |".into());
                Default::default()
            }
        };
    let mut measured: std::collections::HashMap<String, Sizes> = Default::default();
    let mut every_chunk = Sizes::default();
    let mut pages = Vec::new();
    for (split, chunks) in &manifest {
        // The split `__login_route_view_<hash>` is the view of `LoginRoute`, shown as `login`.
        let page = split
            .trim_start_matches("__")
            .split("_route_view_")
            .next()
            .unwrap_or(split);
        let mut page_sizes = main;
        for chunk in chunks {
            let sizes = *measured.entry(chunk.clone()).or_insert_with(|| {
                let sizes = Sizes::of(&pkg.join(format!("{chunk}.wasm"))).unwrap_or_default();
                every_chunk = every_chunk.add(sizes);
                sizes
            });
            page_sizes = page_sizes.add(sizes);
        }
        pages.push((page.to_owned(), page_sizes));
    }
    pages.sort_by_key(|(_, sizes)| sizes.brotli.unwrap_or(sizes.raw));
    for (page, sizes) in &pages {
        report.push(sizes.row(&format!(
            "first load of the page `{page}`: main and its chunks"
        )));
    }
    if !pages.is_empty() {
        report.push(every_chunk.row("all chunks of all pages, without the main module"));
    }

    // The baseline, built by scripts/bench.sh from tools/hello-wasm with the same profile.
    if let Ok(dir) = std::env::var("LICHENG_HELLO_PKG") {
        let mut hello = Sizes::default();
        for name in ["hello.wasm", "hello.js"] {
            if let Some(sizes) = Sizes::of(&Path::new(&dir).join(name)) {
                report.push(sizes.row(&format!("baseline: Leptos hello world, {name}")));
                hello = hello.add(sizes);
            }
        }
        report.push(hello.row("baseline: Leptos hello world, WASM and JS"));
    }
}

/// Adds `count` students who share the fixture student's password, as `bench0001` ….
async fn seed_students(data_dir: &Path, fixture: &common::Fixture, count: i64) {
    let url = format!("sqlite://{}", data_dir.join("licheng.db").display());
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    let now = UtcMillis::now().0;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         INSERT INTO users (school_id, login, display_name, password_hash, created_at, updated_at) \
         SELECT $2, 'bench' || substr('0000' || i, -4, 4), '測試學生' || i, \
           (SELECT password_hash FROM users WHERE login = $3 AND school_id = $2), $4, $4 FROM n",
    )
    .bind(count)
    .bind(fixture.school.0)
    .bind(STUDENT)
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();

    sqlx::query(
        "INSERT INTO students (user_id, school_id, student_no) \
         SELECT id, school_id, login FROM users WHERE login LIKE 'bench%'",
    )
    .execute(&mut *tx)
    .await
    .unwrap();

    sqlx::query(
        "INSERT INTO user_roles (user_id, school_id, role) \
         SELECT id, school_id, 'student' FROM users WHERE login LIKE 'bench%'",
    )
    .execute(&mut *tx)
    .await
    .unwrap();

    tx.commit().await.unwrap();
    pool.close().await;
}

/// Logs in 3,000 different students within 60 seconds, 50 a second, as at the start of a
/// class period in a computer room. The baseline is one Argon2id hash on this machine.
async fn logins(report: &mut Vec<String>) {
    let count = 3000usize;
    let (directory, fixture) = prepare().await;
    seed_students(directory.path(), &fixture, count as i64).await;

    let hasher = licheng::server::auth::PasswordHasher::new(1);
    let started = Instant::now();
    for _ in 0..10 {
        hasher.hash("pw-bench".into()).await.unwrap();
    }
    let hash_time = started.elapsed() / 10;

    let server = start(directory.path(), STUDENT).await;
    let pid = server.pid();
    let idle = rss_bytes(pid);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut peak = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                peak = rss_bytes(pid).max(peak);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            peak
        })
    };
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut handles = Vec::new();
    for index in 1..=count {
        let due = started + Duration::from_millis((index as u64 - 1) * 20);
        tokio::time::sleep_until(due.into()).await;
        let (client, base) = (client.clone(), server.base.clone());
        handles.push(tokio::spawn(async move {
            let begun = Instant::now();
            let reply = client
                .post(format!("{base}/api/login"))
                .header("origin", &base)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!(
                    "school_code=123456&login=bench{index:04}&password=pw-{STUDENT}"
                ))
                .send()
                .await;
            let ok = reply.is_ok_and(|reply| reply.status().is_success());
            (ok, begun.elapsed())
        }));
    }
    let mut latencies = Vec::new();
    let mut succeeded = 0;
    for handle in handles {
        let (ok, latency) = handle.await.unwrap();
        succeeded += usize::from(ok);
        latencies.push(latency);
    }
    let elapsed = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let peak = sampler.await.unwrap();
    let (p50, p99) = (
        percentile(&mut latencies, 0.5),
        percentile(&mut latencies, 0.99),
    );
    report.push("| logins | value |".into());
    report.push("|---|---|".into());
    report.push(format!(
        "| baseline: one Argon2id hash | {:.1} ms |",
        hash_time.as_secs_f64() * 1e3
    ));
    report.push(format!(
        "| {count} logins sent 50 a second | {succeeded} succeeded ({:.1} %) in {:.1} s |",
        succeeded as f64 * 100.0 / count as f64,
        elapsed.as_secs_f64()
    ));
    report.push(format!(
        "| login latency p50 / p99 | {:.0} ms / {:.0} ms ({:.1}× / {:.1}× the hash) |",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        p50.as_secs_f64() / hash_time.as_secs_f64(),
        p99.as_secs_f64() / hash_time.as_secs_f64()
    ));
    report.push(format!(
        "| server memory idle / peak | {:.1} MB / {:.1} MB |",
        idle as f64 / 1e6,
        peak as f64 / 1e6
    ));
    drop(server);
}

/// Logs in as a seeded student and returns the session cookie.
async fn student_cookie(client: &reqwest::Client, base: &str, index: usize) -> String {
    let reply = client
        .post(format!("{base}/api/login"))
        .header("origin", base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "school_code=123456&login=bench{index:04}&password=pw-{STUDENT}"
        ))
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success(), "login bench{index:04}");
    reply
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("licheng_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// Students open their outcome pages from `connections` loops for `seconds`; returns the
/// latencies and the number of failed requests.
async fn browse(
    base: &str,
    cookies: &[String],
    connections: usize,
    seconds: u64,
) -> (Vec<Duration>, usize) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let loops: Vec<_> = (0..connections)
        .map(|worker| {
            let (client, base, cookies) = (client.clone(), base.to_owned(), cookies.to_vec());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut turn = worker;
                while Instant::now() < deadline {
                    let cookie = &cookies[turn % cookies.len()];
                    let path = if turn % 3 == 0 {
                        "/notifications"
                    } else {
                        "/student/outcomes"
                    };
                    turn += connections;
                    let started = Instant::now();
                    let reply = client
                        .get(format!("{base}{path}"))
                        .header("cookie", cookie)
                        .header("accept", "text/html")
                        .send()
                        .await;
                    match reply {
                        Ok(reply) if reply.status().is_success() => {
                            let _ = reply.bytes().await;
                        }
                        _ => errors += 1,
                    }
                    latencies.push(started.elapsed());
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for handle in loops {
        let (mine, failed) = handle.await.unwrap();
        latencies.extend(mine);
        errors += failed;
    }
    (latencies, errors)
}

/// Measures deadline day in a school of 3,000 students: 300 phones upload 4 MB slowly while
/// 200 other students browse their pages. The baseline is the same browsing on an idle server.
async fn deadline_day(report: &mut Vec<String>) {
    let (directory, fixture) = prepare().await;
    seed_students(directory.path(), &fixture, 3000).await;
    let server = start(directory.path(), STUDENT).await;
    let client = reqwest::Client::new();
    let mut cookies = Vec::new();
    for index in 1..=200 {
        cookies.push(student_cookie(&client, &server.base, index).await);
    }
    let (mut idle, idle_errors) = browse(&server.base, &cookies, 16, 15).await;

    let course = fixture.math.0.to_string();
    let address = server.base.trim_start_matches("http://").to_owned();
    let body = std::sync::Arc::new(upload_body(&course, unique_pdf(700_000, UPLOAD_BYTES)));
    let uploads = 300;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut senders = Vec::new();
    for index in 0..uploads {
        let (body, stop, base, cookie, address) = (
            body.clone(),
            stop.clone(),
            server.base.clone(),
            server.cookie.clone(),
            address.clone(),
        );
        senders.push(tokio::spawn(async move {
            // A phone on a weak connection: about 80 KB a second, started at staggered times.
            tokio::time::sleep(Duration::from_millis(index as u64 * 10)).await;
            let head = format!(
                "POST /upload/outcomes HTTP/1.1\r\nHost: {address}\r\nOrigin: {base}\r\nCookie: {cookie}\r\n\
                 Accept: application/json\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
                 Content-Length: {}\r\n\r\n",
                body.len()
            );
            let Ok(mut stream) = tokio::net::TcpStream::connect(&address).await else {
                return;
            };
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let mut sent = 0;
            while sent < body.len() && !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let end = (sent + 8 * 1024).min(body.len());
                if stream.write_all(&body[sent..end]).await.is_err() {
                    return;
                }
                sent = end;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (mut busy, busy_errors) = browse(&server.base, &cookies, 16, 15).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for sender in senders {
        let _ = sender.await;
    }
    drop(server);

    let (i50, i99) = (percentile(&mut idle, 0.5), percentile(&mut idle, 0.99));
    let (b50, b99) = (percentile(&mut busy, 0.5), percentile(&mut busy, 0.99));
    report.push("| deadline day, 3,000 students, 16 browsing connections for 15 s | pages | errors | p50 | p99 |".into());
    report.push("|---|---|---|---|---|".into());
    report.push(format!(
        "| baseline: idle | {} | {idle_errors} | {:.1} ms | {:.1} ms |",
        idle.len(),
        i50.as_secs_f64() * 1e3,
        i99.as_secs_f64() * 1e3
    ));
    report.push(format!(
        "| during {uploads} slow 4 MB uploads (target: 0 errors, p99 ≤ 300 ms) | {} | {busy_errors} | {:.1} ms | {:.1} ms ({:.1}× idle) |",
        busy.len(),
        b50.as_secs_f64() * 1e3,
        b99.as_secs_f64() * 1e3,
        b99.as_secs_f64() / i99.as_secs_f64()
    ));
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let selected = |name: &str| only.is_empty() || only.iter().any(|arg| arg == name);
    let mut report = Vec::new();
    if selected("wasm") {
        wasm_sizes(&mut report);
        report.push(String::new());
    }
    if selected("uploads") {
        let (directory, fixture) = prepare().await;
        uploads(directory.path(), &fixture, &mut report).await;
        report.push(String::new());
    }
    if selected("memory") {
        let (directory, fixture) = prepare().await;
        slow_uploads(directory.path(), &fixture, &mut report).await;
        report.push(String::new());
    }
    if selected("ssr") {
        let (directory, _) = prepare().await;
        ssr(directory.path(), &mut report).await;
        report.push(String::new());
    }
    if selected("logins") {
        logins(&mut report).await;
        report.push(String::new());
    }
    if selected("deadline") {
        deadline_day(&mut report).await;
        report.push(String::new());
    }
    if selected("pending") {
        pending_list(&mut report).await;
        report.push(String::new());
    }
    println!("{}", report.join("\n"));
}
