#![cfg(feature = "ssr")]
//! Two nodes on two ports against one PostgreSQL database and one S3-compatible store, as a
//! city deployment runs them behind a reverse proxy: a user's requests may land on either node.
//! Needs PostgreSQL on 127.0.0.1:5432 (scripts/test.sh starts it) and s3s-fs.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;
use futures::StreamExt;
use licheng::server::config::Settings;
use licheng::server::state::AppState;

/// A node: its own process state (pool, notifier, spool) served on its own port.
struct Node {
    state: AppState,
    router: axum::Router,
    base: String,
    _data_dir: tempfile::TempDir,
}

async fn start_node(database_url: &str, s3: &S3Server, key_file: &Path) -> Node {
    let data_dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_data_dir(data_dir.path().to_path_buf());
    settings.database_url = Some(database_url.to_owned());
    settings.national_id_key_file = Some(key_file.to_path_buf());
    settings.hash_concurrency = Some(2);
    s3.configure(&mut settings);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    settings.public_origin = Some(base.clone());
    settings.addr = Some(format!("127.0.0.1:{port}").parse().unwrap());
    let options = licheng::server::load_leptos_options(Path::new("Leptos.toml")).unwrap();
    let state = licheng::server::build_state(settings, options)
        .await
        .unwrap();
    let router = licheng::server::router::build(state.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(axum::serve(listener, router.clone()).into_future());
    Node {
        state,
        router,
        base,
        _data_dir: data_dir,
    }
}

/// Logs in over HTTP and returns the session cookie (`name=value`).
async fn http_login(node: &Node, login: &str) -> String {
    let reply = reqwest::Client::new()
        .post(format!("{}/api/login", node.base))
        .header("origin", &node.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "school_code=123456&login={login}&password=pw-{login}"
        ))
        .send()
        .await
        .unwrap();
    assert!(
        reply.status().is_success(),
        "login of {login} on {}",
        node.base
    );
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

/// Sends the login form without cookies; returns the status.
async fn http_attempt(node: &Node, login: &str, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api/login", node.base))
        .header("origin", &node.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "school_code=123456&login={login}&password={password}"
        ))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Reads server-sent events until an `unread` event with `count`; panics after 20 s.
async fn wait_for_unread(
    events: &mut (impl futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    buffer: &mut String,
    count: u64,
) {
    let expected = format!("data:{{\"unread\":{count}}}");
    let waited = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Some(at) = buffer.find(&expected) {
                buffer.drain(..at + expected.len());
                return;
            }
            let chunk = events.next().await.expect("stream open").unwrap();
            buffer.push_str(&String::from_utf8_lossy(&chunk).replace("data: ", "data:"));
        }
    })
    .await;
    assert!(
        waited.is_ok(),
        "no unread={count} event; received so far: {buffer:?}"
    );
}

#[tokio::test]
async fn two_nodes_share_sessions_throttles_files_and_live_notifications() {
    let database = PostgresDatabase::create().await;
    let s3 = S3Server::start().await;
    let secrets = tempfile::tempdir().unwrap();
    let key_file = secrets.path().join("national-id.key");
    let a = start_node(&database.url, &s3, &key_file).await;
    let b = start_node(&database.url, &s3, &key_file).await;
    let fixture = seed(&a.state).await;

    // A session made on node A is valid on node B.
    let student_cookie = http_login(&a, STUDENT).await;
    let session = reqwest::Client::new()
        .post(format!("{}/api/session", b.base))
        .header("origin", &b.base)
        .header("cookie", &student_cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        session.contains("陳同學"),
        "node B knows the session of node A: {session}"
    );

    // Failed logins counted on node A delay the next attempt on node B.
    for guess in 1..=5 {
        let status = http_attempt(&a, CLASSMATE, &format!("guess-{guess}")).await;
        assert_eq!(status, 401, "guess {guess} on node A");
    }
    assert_eq!(
        http_attempt(&b, CLASSMATE, "guess-6").await,
        429,
        "node B applies node A's count"
    );

    // The student's browser listens on node B.
    let mut events = reqwest::Client::new()
        .get(format!("{}/events", b.base))
        .header("cookie", &student_cookie)
        .send()
        .await
        .unwrap()
        .bytes_stream()
        .boxed();
    let mut buffer = String::new();
    wait_for_unread(&mut events, &mut buffer, 0).await;

    // The student uploads and submits through node A; the teacher certifies and publishes
    // through node A too.
    let mut student = Client {
        router: a.router.clone(),
        cookie: Some(student_cookie.clone()),
    };
    let (id, version) = student.submitted_outcome(fixture.math, "跨節點").await;
    let mut teacher = Client {
        router: a.router.clone(),
        cookie: Some(http_login(&a, TEACHER).await),
    };
    teacher.decide(&[(id, version)], "Passed", "").await;
    teacher.publish(&[(id, version + 1)]).await;

    // The bubble on node B lights up live.
    wait_for_unread(&mut events, &mut buffer, 1).await;

    // The file uploaded through node A downloads through node B.
    let file_id: i64 =
        sqlx::query_scalar("SELECT document_file_id FROM course_outcomes WHERE id = $1")
            .bind(id)
            .fetch_one(&b.state.db.pool)
            .await
            .unwrap();
    let download = reqwest::Client::new()
        .get(format!("{}/files/{file_id}", b.base))
        .header("cookie", &student_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(
        download.bytes().await.unwrap().as_ref(),
        pdf_bytes("跨節點")
    );

    // Logging out through node B ends the session on node A as well.
    let logout = reqwest::Client::new()
        .post(format!("{}/api/logout", b.base))
        .header("origin", &b.base)
        .header("cookie", &student_cookie)
        .send()
        .await
        .unwrap();
    assert!(logout.status().is_success());
    let after = reqwest::Client::new()
        .post(format!("{}/api/session", a.base))
        .header("origin", &a.base)
        .header("cookie", &student_cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !after.contains("陳同學"),
        "node A no longer knows the session: {after}"
    );
}
