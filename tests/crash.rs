#![cfg(feature = "ssr")]
//! The crash test. The real `licheng` binary serves a school while students upload, submit and
//! delete, and it is killed with SIGKILL at random moments and restarted. After every kill, every
//! request that the server acknowledged with success must be fully there (row and file, hash
//! matching), nothing half-written may be visible, and the database must pass
//! `integrity_check`.
//!
//! `cargo test --features ssr --test crash` runs 20 kills. For a longer run set
//! `LICHENG_CRASH_KILLS`, for example `LICHENG_CRASH_KILLS=200` (docs/crash-test.md).

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use jiff::ToSpan;
use licheng::domain::calendar::UtcMillis;
use licheng::domain::window::{SemesterWindows, Window};
use licheng::server::db::Db;
use licheng::server::storage::LocalStore;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use tokio::process::{Child, Command};

/// Concurrent students' request loops while the server runs.
const WORKERS: usize = 4;

/// What the server acknowledged about one outcome, in order.
#[derive(Clone, Debug, Default)]
struct Acknowledged {
    /// SHA-256 and size of the document stored by the acknowledged upload.
    document: Option<(String, u64)>,
    submitted: bool,
    deleted: bool,
}

type Ledger = Arc<Mutex<BTreeMap<i64, Acknowledged>>>;

/// An outcome as read back: status, deleted_at, current_review_id, document SHA-256 and size.
type OutcomeRow = (
    String,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

struct Server {
    child: Child,
    base: String,
}

async fn start_server(data_dir: &Path) -> Server {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_licheng"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .args(["--public-origin", &base])
        .args(["--backup-every-hours", "0"])
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start licheng");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(reply) = client.get(format!("{base}/healthz")).send().await
            && reply.status().is_success()
        {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Server { child, base }
}

/// Logs in once; the session lives in the database, so the cookie outlives restarts.
async fn login(base: &str) -> String {
    let reply = reqwest::Client::new()
        .post(format!("{base}/api/login"))
        .header("origin", base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "school_code=123456&login={STUDENT}&password=pw-{STUDENT}"
        ))
        .send()
        .await
        .expect("login");
    assert!(reply.status().is_success(), "login: {}", reply.status());
    reply
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("licheng_session="))
        .expect("session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// Builds a valid PDF of about `size` bytes whose content is unique to `seed`.
fn unique_pdf(seed: u64, size: usize) -> Vec<u8> {
    let mut bytes = format!("%PDF-1.4\n% crash test {seed}\n").into_bytes();
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    while bytes.len() < size {
        bytes.push(b'a' + rng.gen_range(0..26));
    }
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

/// Runs one student's loop: upload, then submit or delete some of the uploads, recording every
/// success in the ledger as soon as its response arrives.
async fn work(base: String, cookie: String, course: String, ledger: Ledger, seed: u64) {
    let client = reqwest::Client::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    loop {
        let size = rng.gen_range(1_000..600_000);
        let file_seed = rng.r#gen::<u64>();
        let bytes = unique_pdf(file_seed, size);
        let sha = hex::encode(Sha256::digest(&bytes));
        let length = bytes.len() as u64;
        let body = multipart(&[
            Part::Text("course_id", &course),
            Part::Text("summary", "當機測試"),
            Part::File {
                field: "document",
                name: "成果.pdf",
                content_type: "application/pdf",
                bytes,
            },
        ]);
        let Ok(reply) = client
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
        else {
            return;
        };
        if !reply.status().is_success() {
            return;
        }
        let Ok(saved) = reply.json::<serde_json::Value>().await else {
            return;
        };
        let id = saved["outcome_id"].as_i64().unwrap();
        let version = saved["version"].as_i64().unwrap();
        ledger.lock().unwrap().insert(
            id,
            Acknowledged {
                document: Some((sha, length)),
                ..Acknowledged::default()
            },
        );

        let (endpoint, submitted) = match rng.gen_range(0..3) {
            0 => ("submit_outcome", true),
            1 => ("delete_outcome", false),
            _ => continue,
        };
        let Ok(reply) = client
            .post(format!("{base}/api/{endpoint}"))
            .header("origin", &base)
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("outcome_id={id}&version={version}"))
            .send()
            .await
        else {
            return;
        };
        if reply.status().is_success() {
            let mut ledger = ledger.lock().unwrap();
            let entry = ledger.get_mut(&id).unwrap();
            if submitted {
                entry.submitted = true;
            } else {
                entry.deleted = true;
            }
        }
    }
}

/// Checks the data directory of a killed server against what it acknowledged.
async fn check(
    data_dir: &Path,
    ledger: &BTreeMap<i64, Acknowledged>,
    hashed: &mut HashSet<String>,
    round: usize,
) {
    let url = format!("sqlite://{}", data_dir.join("licheng.db").display());
    let db = Db::connect(&url, 1).await.expect("open the database");
    let pool = &db.pool;

    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(integrity, "ok", "round {round}");

    for (id, acknowledged) in ledger {
        let row: Option<OutcomeRow> = sqlx::query_as(
            "SELECT o.status, o.deleted_at, o.current_review_id, f.sha256, f.byte_size \
                 FROM course_outcomes o LEFT JOIN stored_files f ON f.id = o.document_file_id \
                 WHERE o.id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
        .unwrap();
        let (status, deleted_at, review, sha, size) =
            row.unwrap_or_else(|| panic!("round {round}: acknowledged outcome {id} is gone"));
        let (expected_sha, expected_size) = acknowledged.document.clone().unwrap();
        assert_eq!(
            sha.as_deref(),
            Some(expected_sha.as_str()),
            "round {round}: outcome {id}"
        );
        assert_eq!(
            size,
            Some(expected_size as i64),
            "round {round}: outcome {id}"
        );
        if acknowledged.submitted {
            assert_eq!(status, "pending", "round {round}: submitted outcome {id}");
            assert!(
                review.is_some(),
                "round {round}: outcome {id} has its review"
            );
        }
        if acknowledged.deleted {
            assert!(deleted_at.is_some(), "round {round}: deleted outcome {id}");
        }
    }

    // Nothing half-written: every stored file row has its object with the right size, and the
    // right hash (objects never change, so each is hashed once, in the first round that has
    // it). Every outcome has its creation in the audit log.
    let store = LocalStore::open_existing(data_dir.join("files"));
    let files: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT id, sha256, byte_size FROM stored_files")
            .fetch_all(pool)
            .await
            .unwrap();
    for (id, sha, size) in files {
        let path = store.object_path(&sha).unwrap();
        let length = std::fs::metadata(&path)
            .unwrap_or_else(|_| panic!("round {round}: file {id} has no object {sha}"))
            .len();
        assert_eq!(length as i64, size, "round {round}: file {id}");
        if !hashed.contains(&sha) {
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(
                hex::encode(Sha256::digest(&bytes)),
                sha,
                "round {round}: file {id}"
            );
            hashed.insert(sha);
        }
    }
    let unaudited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM course_outcomes o WHERE NOT EXISTS (SELECT 1 FROM audit_events a \
         WHERE a.entity = 'course_outcome' AND a.entity_id = o.id AND a.action = 'create')",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        unaudited, 0,
        "round {round}: outcomes without their audit row"
    );
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM stored_files f WHERE NOT EXISTS (SELECT 1 FROM course_outcomes o \
         WHERE o.document_file_id = f.id OR o.media_file_id = f.id) \
         AND NOT EXISTS (SELECT 1 FROM outcome_reviews r \
         WHERE r.document_file_id = f.id OR r.media_file_id = f.id)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        orphans, 0,
        "round {round}: file rows that no outcome refers to"
    );
    pool.close().await;
}

fn temporary_files(data_dir: &Path) -> usize {
    std::fs::read_dir(data_dir.join("files").join("tmp"))
        .map(|entries| entries.count())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_server_keeps_every_acknowledged_write() {
    if sqlite_only("the crash test of the embedded database") {
        return;
    }
    let kills: usize = std::env::var("LICHENG_CRASH_KILLS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(20);
    let seed: u64 = std::env::var("LICHENG_CRASH_SEED")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().r#gen());
    println!("crash test: {kills} kills, LICHENG_CRASH_SEED={seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    // The fixture's school, with open windows and no upload limit, in a directory that the
    // server processes then use alone.
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
    sqlx::query("UPDATE schools SET max_outcomes_per_semester = 1000000")
        .execute(app.pool())
        .await
        .unwrap();
    let course = app.fixture.math.0.to_string();
    let TestApp {
        state,
        data_dir: directory,
        ..
    } = app;
    state.db.pool.close().await;
    drop(state);
    let data_dir: PathBuf = directory.path().to_path_buf();

    let ledger: Ledger = Arc::default();
    let mut cookie = None;
    let mut hashed = HashSet::new();
    for round in 1..=kills {
        let mut server = start_server(&data_dir).await;
        assert_eq!(
            temporary_files(&data_dir),
            0,
            "round {round}: leftovers swept at start"
        );
        let session = match &cookie {
            Some(cookie) => String::clone(cookie),
            None => {
                let fresh = login(&server.base).await;
                cookie = Some(fresh.clone());
                fresh
            }
        };
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                tokio::spawn(work(
                    server.base.clone(),
                    session.clone(),
                    course.clone(),
                    ledger.clone(),
                    rng.r#gen(),
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.gen_range(100..900))).await;
        server.child.start_kill().expect("SIGKILL");
        server.child.wait().await.unwrap();
        for worker in workers {
            worker.abort();
            let _ = worker.await;
        }
        let snapshot = ledger.lock().unwrap().clone();
        check(&data_dir, &snapshot, &mut hashed, round).await;
    }
    let acknowledged = ledger.lock().unwrap().len();
    println!("crash test: {acknowledged} acknowledged uploads survived {kills} kills");
    assert!(acknowledged > 0, "the workers got nothing acknowledged");
    drop(directory);
}
