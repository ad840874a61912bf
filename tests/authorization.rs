#![cfg(feature = "ssr")]
//! Who may call what: every server function and route without a login, as the wrong role, as
//! owner and non-owner, and from another school. Also the cross-site request check.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;

/// A server function call: endpoint, and its arguments as JSON or a form.
enum Call {
    Form(&'static str, String),
    Json(&'static str, serde_json::Value),
}

impl Call {
    async fn send(&self, client: &mut Client) -> Reply {
        match self {
            Call::Form(endpoint, form) => client.call(endpoint, form).await,
            Call::Json(endpoint, arguments) => client.call_json(endpoint, arguments.clone()).await,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Call::Form(endpoint, _) | Call::Json(endpoint, _) => endpoint,
        }
    }
}

/// Every server function that needs a login, with arguments naming `outcome`.
fn guarded_calls(outcome: (i64, i64)) -> Vec<Call> {
    let (id, version) = outcome;
    vec![
        Call::Form("my_outcomes", String::new()),
        Call::Form("upload_context", String::new()),
        Call::Form("outcome_detail", format!("outcome_id={id}")),
        Call::Form(
            "submit_outcome",
            format!("outcome_id={id}&version={version}"),
        ),
        Call::Form(
            "delete_outcome",
            format!("outcome_id={id}&version={version}"),
        ),
        Call::Json("review_page", json!({ "query": all_query() })),
        Call::Json(
            "decide_outcomes",
            json!({ "items": [[id, version]], "verdict": "Passed", "reason": "" }),
        ),
        Call::Json("publish_outcomes", json!({ "items": [[id, version]] })),
        Call::Json("publish_all", json!({ "query": all_query() })),
        Call::Form("notifications", String::new()),
        Call::Form("mark_notifications_read", String::new()),
    ]
}

#[tokio::test]
async fn anonymous_calls_are_refused() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let outcome = student.submitted_outcome(app.fixture.math, "作品").await;
    let mut anonymous = app.anonymous();
    for call in guarded_calls(outcome) {
        let reply = call.send(&mut anonymous).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{}: {}",
            call.name(),
            reply.text()
        );
        assert_eq!(reply.json(), json!("Unauthenticated"), "{}", call.name());
    }
    let file_id: i64 = sqlx::query_scalar("SELECT id FROM stored_files")
        .fetch_one(app.pool())
        .await
        .unwrap();
    for path in [format!("/files/{file_id}"), "/events".to_owned()] {
        let reply = anonymous.get(&path).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    // A file link opened in a browser tab gets a readable page, not JSON.
    let page = anonymous.get(&format!("/files/{file_id}")).await;
    assert!(
        page.header("content-type").starts_with("text/html"),
        "{}",
        page.header("content-type")
    );
    assert!(page.text().contains("請先登入"), "{}", page.text());
    assert!(page.text().contains("href=\"/login\""));
    let reply = anonymous
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &app.fixture.math.0.to_string()),
                Part::Text("summary", "x"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = anonymous
        .upload(
            &format!("/upload/outcomes/{}", outcome.0),
            &[Part::Text("version", "1")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // Pages send an anonymous visitor to the login page.
    for page in [
        "/student/outcomes",
        "/teacher/certify",
        "/notifications",
        "/student/outcomes/new",
    ] {
        let reply = anonymous.get(page).await;
        assert!(reply.status.is_redirection(), "{page}: {}", reply.status);
        assert_eq!(reply.header("location"), "/login", "{page}");
    }
    // Open to everyone: the session check and the login form.
    assert_eq!(
        anonymous.call("session", "").await.json(),
        serde_json::Value::Null
    );
    assert_eq!(
        anonymous.call("login_form_info", "").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn teacher_cannot_use_student_functions() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (id, version) = student.upload_pdf(app.fixture.math, "草稿").await;
    let mut teacher = app.login(TEACHER).await;
    for call in [
        Call::Form("my_outcomes", String::new()),
        Call::Form("upload_context", String::new()),
        Call::Form("outcome_detail", format!("outcome_id={id}")),
        Call::Form(
            "submit_outcome",
            format!("outcome_id={id}&version={version}"),
        ),
        Call::Form(
            "delete_outcome",
            format!("outcome_id={id}&version={version}"),
        ),
    ] {
        let reply = call.send(&mut teacher).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{}: {}",
            call.name(),
            reply.text()
        );
    }
    let course = app.fixture.math.0.to_string();
    let reply = teacher
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "老師上傳"),
                Part::File {
                    field: "document",
                    name: "a.pdf",
                    content_type: "application/pdf",
                    bytes: pdf_bytes("t"),
                },
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text());
    assert_eq!(
        app.stored_objects(),
        (0, 1),
        "only the student's file is stored"
    );
    let status: String = sqlx::query_scalar("SELECT status FROM course_outcomes")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(status, "draft");
}

#[tokio::test]
async fn student_cannot_use_teacher_functions() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let outcome = student.submitted_outcome(app.fixture.math, "作品").await;
    for call in guarded_calls(outcome).into_iter().filter(|call| {
        matches!(
            call.name(),
            "review_page" | "decide_outcomes" | "publish_outcomes" | "publish_all"
        )
    }) {
        let reply = call.send(&mut student).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{}: {}",
            call.name(),
            reply.text()
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outcome_reviews WHERE verdict IS NOT NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn student_cannot_touch_another_students_outcome() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (id, version) = student.upload_pdf(app.fixture.math, "我的草稿").await;
    let mut classmate = app.login(CLASSMATE).await;
    for call in [
        Call::Form("outcome_detail", format!("outcome_id={id}")),
        Call::Form(
            "submit_outcome",
            format!("outcome_id={id}&version={version}"),
        ),
        Call::Form(
            "delete_outcome",
            format!("outcome_id={id}&version={version}"),
        ),
    ] {
        let reply = call.send(&mut classmate).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{}: {}",
            call.name(),
            reply.text()
        );
        assert_eq!(reply.json(), json!({ "NotFound": "Outcome" }));
    }
    let version_text = version.to_string();
    let reply = classmate
        .upload(
            &format!("/upload/outcomes/{id}"),
            &[
                Part::Text("version", &version_text),
                Part::Text("summary", "改別人的"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
    let file_id: i64 = sqlx::query_scalar("SELECT id FROM stored_files")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(
        classmate.get(&format!("/files/{file_id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let overview = classmate.call("my_outcomes", "").await.json();
    assert_eq!(overview["semesters"][0]["outcomes"], json!([]));
    let summary: String = sqlx::query_scalar("SELECT summary FROM course_outcomes")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(summary, "我的草稿");
}

#[tokio::test]
async fn teacher_sees_and_certifies_only_own_courses() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (chinese, version) = student
        .submitted_outcome(app.fixture.chinese, "國文作品")
        .await;
    let (math, _) = student
        .submitted_outcome(app.fixture.math, "數學作品")
        .await;
    let mut teacher = app.login(TEACHER).await;
    let page = teacher.review_page(all_query()).await;
    let ids: Vec<i64> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["outcome_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [math]);
    let reply = teacher.decide(&[(chinese, version)], "Passed", "").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
    let reply = teacher.publish(&[(chinese, version)]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
    let chinese_file: i64 =
        sqlx::query_scalar("SELECT document_file_id FROM course_outcomes WHERE id = $1")
            .bind(chinese)
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(
        teacher.get(&format!("/files/{chinese_file}")).await.status,
        StatusCode::NOT_FOUND
    );
    let mut other_teacher = app.login(OTHER_TEACHER).await;
    assert_eq!(
        other_teacher
            .get(&format!("/files/{chinese_file}"))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn teacher_cannot_open_draft_files() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    student.upload_pdf(app.fixture.math, "草稿").await;
    let file_id: i64 = sqlx::query_scalar("SELECT id FROM stored_files")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let mut teacher = app.login(TEACHER).await;
    assert_eq!(
        teacher.get(&format!("/files/{file_id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        student.get(&format!("/files/{file_id}")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn other_school_sees_nothing() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "作品").await;
    let file_id: i64 = sqlx::query_scalar("SELECT id FROM stored_files")
        .fetch_one(app.pool())
        .await
        .unwrap();
    // Logins are per school: the other school's accounts log in with its code.
    let mut foreign_teacher = app.anonymous();
    let reply = foreign_teacher
        .call(
            "login",
            &format!("school_code=654321&login={FOREIGN_TEACHER}&password=pw-{FOREIGN_TEACHER}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let cookie = reply.header("set-cookie");
    foreign_teacher.cookie = Some(cookie.split(';').next().unwrap().to_owned());
    let page = foreign_teacher.review_page(all_query()).await;
    assert_eq!(page["rows"], json!([]));
    let reply = foreign_teacher.decide(&[(id, version)], "Passed", "").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        foreign_teacher
            .get(&format!("/files/{file_id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn login_needs_school_code_when_several_schools_exist() {
    let app = TestApp::new().await;
    let mut anonymous = app.anonymous();
    let reply = anonymous
        .call("login", &format!("login={STUDENT}&password=pw-{STUDENT}"))
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json(), json!("InvalidCredentials"));
    let reply = anonymous
        .call(
            "login",
            &format!("school_code=123456&login={STUDENT}&password=wrong"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json(), json!("InvalidCredentials"));
    let reply = anonymous
        .call(
            "login",
            &format!("school_code=123456&login={STUDENT}&password=pw-{STUDENT}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["display_name"], "陳同學");
    assert!(
        reply
            .header("set-cookie")
            .contains("HttpOnly; SameSite=Lax")
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    assert_eq!(student.call("my_outcomes", "").await.status, StatusCode::OK);
    let reply = student.call("logout", "").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("set-cookie").contains("Max-Age=0"));
    assert_eq!(
        student.call("my_outcomes", "").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = TestApp::new().await;
    let student = app.login(STUDENT).await;
    let cookie = student.cookie.clone().unwrap();
    let form = ("application/x-www-form-urlencoded", b"".to_vec());
    for headers in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "https://evil.example")],
        vec![],
    ] {
        let mut request = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/api/my_outcomes")
            .header("cookie", &cookie);
        for (name, value) in &headers {
            request = request.header(*name, *value);
        }
        let request = request
            .header("content-type", form.0)
            .body(axum::body::Body::from(form.1.clone()))
            .unwrap();
        let reply = student.send_request(request).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{headers:?}");
    }
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/my_outcomes")
        .header("cookie", &cookie)
        .header("origin", "http://127.0.0.1:3000")
        .header("content-type", form.0)
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(
        student.send_request(request).await.status,
        StatusCode::OK,
        "same origin without Sec-Fetch-Site"
    );
}

#[tokio::test]
async fn login_replaces_the_previous_session() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let old_cookie = student.cookie.clone().unwrap();
    let reply = student
        .call(
            "login",
            &format!("school_code=123456&login={STUDENT}&password=pw-{STUDENT}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let new_cookie = reply
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(new_cookie, old_cookie, "a login gets a new token");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions").await,
        1,
        "the old session is gone"
    );
    assert_eq!(
        student.call("my_outcomes", "").await.status,
        StatusCode::UNAUTHORIZED,
        "the old cookie no longer works"
    );
    student.cookie = Some(new_cookie);
    assert_eq!(student.call("my_outcomes", "").await.status, StatusCode::OK);
}

#[tokio::test]
async fn idle_session_expires() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let idle = app.state.settings.session_idle_minutes * 60_000 + 1;
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - $1")
        .bind(idle)
        .execute(app.pool())
        .await
        .unwrap();
    assert_eq!(
        student.call("my_outcomes", "").await.status,
        StatusCode::UNAUTHORIZED
    );
}
