#![cfg(feature = "ssr")]
//! The platform under the features: configuration agreement, SQLite durability settings,
//! PostgreSQL migrations, security headers, file responses, rendered pages (also while another
//! router is built) and the demo school.

mod common;

use axum::http::StatusCode;
use common::*;

#[test]
fn leptos_toml_agrees_with_cargo_metadata() {
    let cargo: toml::Value =
        toml::from_str(&std::fs::read_to_string("Cargo.toml").unwrap()).unwrap();
    let runtime: toml::Value =
        toml::from_str(&std::fs::read_to_string("Leptos.toml").unwrap()).unwrap();
    let build = &cargo["package"]["metadata"]["leptos"];
    let runtime = &runtime["package"]["metadata"]["leptos"];
    for key in [
        "output-name",
        "site-root",
        "site-pkg-dir",
        "site-addr",
        "reload-port",
    ] {
        assert_eq!(
            runtime.get(key),
            build.get(key),
            "{key} differs between Leptos.toml and Cargo.toml"
        );
    }
}

#[tokio::test]
async fn leptos_toml_is_what_the_server_loads() {
    let options =
        licheng::server::load_leptos_options(std::path::Path::new("Leptos.toml")).unwrap();
    assert_eq!(&*options.output_name, "licheng");
    assert_eq!(&*options.site_pkg_dir, "pkg");
}

#[tokio::test]
async fn sqlite_runs_in_wal_with_full_sync_and_foreign_keys() {
    if sqlite_only("the SQLite connection setup") {
        return;
    }
    let app = TestApp::new().await;
    let mut connection = app.pool().acquire().await.unwrap();
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *connection)
        .await
        .unwrap();
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut *connection)
        .await
        .unwrap();
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *connection)
        .await
        .unwrap();
    assert_eq!(journal, "wal");
    assert_eq!(synchronous, 2, "2 is FULL");
    assert_eq!(foreign_keys, 1);
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let app = TestApp::new().await;
    let reply = app.anonymous().get("/login").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("x-content-type-options"), "nosniff");
    assert_eq!(reply.header("x-frame-options"), "SAMEORIGIN");
    assert_eq!(reply.header("referrer-policy"), "same-origin");
}

#[tokio::test]
async fn static_file_varies_by_encoding() {
    let app = TestApp::new().await;
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/page.js"), "export const page = 1;").unwrap();
    std::fs::write(site.path().join("pkg/page.js.br"), b"brotli bytes").unwrap();
    let mut state = app.state.clone();
    state.leptos_options.site_root = site.path().to_string_lossy().as_ref().into();
    let router = licheng::server::router::build(state);
    for (accepts, encoding) in [("br, gzip", Some("br")), ("identity", None)] {
        let request = axum::http::Request::get("/pkg/page.js")
            .header("accept-encoding", accepts)
            .body(axum::body::Body::empty())
            .unwrap();
        let response = tower::ServiceExt::oneshot(router.clone(), request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{accepts}");
        let headers = response.headers();
        assert_eq!(
            headers
                .get("content-encoding")
                .map(|value| value.to_str().unwrap()),
            encoding,
            "{accepts}"
        );
        let varies: Vec<_> = headers.get_all("vary").iter().collect();
        assert!(
            varies
                .iter()
                .any(|value| value.to_str().unwrap().contains("accept-encoding")),
            "{accepts}: vary is {varies:?}"
        );
    }
}

#[tokio::test]
async fn file_download_is_typed_sandboxed_and_ranged() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let course = app.fixture.math.0.to_string();
    let jpeg = jpeg_bytes(5000);
    student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "照片"),
                Part::File {
                    field: "document",
                    name: "照片.jpg",
                    content_type: "application/octet-stream",
                    bytes: jpeg.clone(),
                },
            ],
        )
        .await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM stored_files")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let reply = student.get(&format!("/files/{id}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, jpeg);
    assert_eq!(
        reply.header("content-type"),
        "image/jpeg",
        "type from content, not from the browser"
    );
    assert_eq!(reply.header("x-content-type-options"), "nosniff");
    assert!(reply.header("content-security-policy").contains("sandbox"));
    assert_eq!(
        reply.header("content-disposition"),
        "inline; filename=\"__.jpg\"; filename*=UTF-8''%E7%85%A7%E7%89%87.jpg"
    );
    let ranged = student
        .send(
            axum::http::Method::GET,
            &format!("/files/{id}"),
            None,
            &[("range", "bytes=10-19")],
        )
        .await;
    assert_eq!(ranged.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(ranged.header("content-range"), "bytes 10-19/5000");
    assert_eq!(ranged.body, jpeg[10..20]);
}

#[tokio::test]
async fn student_page_renders_summary_line_and_draft() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    student.upload_pdf(app.fixture.math, "還沒送出的草稿").await;
    let (id, version) = student
        .submitted_outcome(app.fixture.physics, "物理實驗")
        .await;
    teacher.decide(&[(id, version)], "Passed", "").await;
    teacher.publish(&[(id, version + 1)]).await;
    student
        .submitted_outcome(app.fixture.chinese, "國文心得")
        .await;
    let page = student.get("/student/outcomes").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("待認證 1 件 · 通過 1 件 · 不通過 0 件"),
        "summary line missing"
    );
    assert!(html.contains("還沒送出的草稿"));
    assert!(html.contains("outcome-draft"), "drafts are marked");
    assert!(
        html.contains("lang=\"zh-TW\""),
        "pages are zh-TW by default"
    );
}

/// Pages rendered while another router is built still finish. leptos_router stops every
/// resource of the process from loading while it generates page routes, so a build must not
/// generate them again.
#[tokio::test]
async fn page_renders_during_router_build() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    student.upload_pdf(app.fixture.math, "函數圖形報告").await;

    let building = Arc::new(AtomicBool::new(true));
    let builder = {
        let building = building.clone();
        let state = app.state.clone();
        let runtime = tokio::runtime::Handle::current();
        std::thread::spawn(move || {
            let _runtime = runtime.enter();
            let mut built = 0u32;
            while building.load(Ordering::Relaxed) {
                drop(licheng::server::router::build(state.clone()));
                built += 1;
            }
            built
        })
    };
    for round in 0..100 {
        let page =
            tokio::time::timeout(Duration::from_secs(10), student.get("/student/outcomes")).await;
        let Ok(page) = page else {
            building.store(false, Ordering::Relaxed);
            panic!("page {round} timed out after 10 s while routers were being built");
        };
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("函數圖形報告"));
    }
    building.store(false, Ordering::Relaxed);
    assert!(builder.join().unwrap() > 0, "routers were built meanwhile");
}

#[tokio::test]
async fn teacher_page_renders_range_text() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    for index in 0..3 {
        student
            .submitted_outcome(app.fixture.math, &format!("作品 {index}"))
            .await;
    }
    let html = teacher.get("/teacher/certify?per_page=20").await.text();
    assert!(html.contains("顯示 1–3 / 共 3 筆"), "range text missing");
    assert!(html.contains("認證只確認這是學生本人在本課程完成的作品"));
}

#[tokio::test]
async fn demo_school_has_outcomes_in_every_state() {
    let data_dir = tempfile::tempdir().unwrap();
    let mut settings =
        licheng::server::config::Settings::for_data_dir(data_dir.path().to_path_buf());
    settings.database_url = None;
    let options =
        licheng::server::load_leptos_options(std::path::Path::new("Leptos.toml")).unwrap();
    let state = licheng::server::build_state(settings, options)
        .await
        .unwrap();
    assert!(
        licheng::server::services::demo::seed_if_empty(&state)
            .await
            .unwrap()
    );
    assert!(
        !licheng::server::services::demo::seed_if_empty(&state)
            .await
            .unwrap(),
        "only into an empty database"
    );
    let pool = &state.db.pool;
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    assert_eq!(count("SELECT COUNT(*) FROM students").await, 70);
    assert_eq!(
        count("SELECT COUNT(*) FROM staff").await,
        9,
        "8 teachers and the administrator"
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM user_roles WHERE role = 'teacher'").await,
        8
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM user_roles WHERE role = 'admin'").await,
        1
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM students WHERE national_id_enc IS NULL OR birth_date IS NULL")
            .await,
        0
    );
    assert!(
        count("SELECT COUNT(*) FROM selections").await > 0,
        "some outcomes are ticked"
    );
    // Outcomes are dated inside semester 1131 (2024-08-01 to 2025-01-31, Taiwan time).
    assert_eq!(
        count("SELECT COUNT(*) FROM outcome_reviews WHERE submitted_at < 1722441600000 OR submitted_at > 1738339200000").await,
        0
    );
    // Everything happens in school hours, 08:00 to 17:00 Taiwan time (UTC+8).
    assert_eq!(
        count("SELECT COUNT(*) FROM audit_events WHERE ((occurred_at / 3600000) + 8) % 24 NOT BETWEEN 8 AND 16 AND action <> 'login'").await,
        0
    );
    assert_eq!(count("SELECT COUNT(*) FROM homerooms").await, 2);
    assert!(count("SELECT COUNT(*) FROM course_outcomes WHERE status = 'draft'").await > 0);
    assert!(
        count("SELECT COUNT(*) FROM course_outcomes o JOIN outcome_reviews r ON r.id = o.current_review_id WHERE o.status = 'pending' AND r.verdict IS NULL").await > 0
    );
    assert!(
        count("SELECT COUNT(*) FROM course_outcomes o JOIN outcome_reviews r ON r.id = o.current_review_id WHERE o.status = 'pending' AND r.verdict = 'passed'").await > 0
    );
    assert!(
        count("SELECT COUNT(*) FROM course_outcomes o JOIN outcome_reviews r ON r.id = o.current_review_id WHERE o.status = 'pending' AND r.verdict = 'failed'").await > 0
    );
    assert!(count("SELECT COUNT(*) FROM course_outcomes WHERE status = 'passed'").await > 0);
    assert!(count("SELECT COUNT(*) FROM course_outcomes WHERE status = 'failed'").await > 0);
    assert!(
        count("SELECT COUNT(*) FROM outcome_reviews WHERE round = 2").await > 0,
        "a resubmitted outcome"
    );
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT media_type FROM stored_files ORDER BY media_type")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(
        kinds,
        [
            "application/pdf",
            "audio/mpeg",
            "image/jpeg",
            "image/png",
            "video/mp4"
        ]
    );
}
