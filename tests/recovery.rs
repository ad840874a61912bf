#![cfg(feature = "ssr")]
//! 忘記帳號/密碼: recovery e-mails over real SMTP (read from a local sink), SMS codes through
//! the outbox file and the HTTP gateway, and what must not leak or last.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::smtp::SmtpSink;
use common::*;
use licheng::domain::calendar::UtcMillis;

const NEW_PASSWORD: &str = "Kite-river-2718";

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| {
            format!(
                "{key}={}",
                percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn set_contact(app: &TestApp, login: &str, email: Option<&str>, phone: Option<&str>) {
    sqlx::query("UPDATE users SET email = $1, phone = $2 WHERE login = $3")
        .bind(email)
        .bind(phone)
        .bind(login)
        .execute(app.pool())
        .await
        .unwrap();
}

async fn request(app: &TestApp, school_code: &str, contact: &str) -> Reply {
    app.anonymous()
        .call(
            "request_recovery",
            &form(&[("school_code", school_code), ("contact", contact)]),
        )
        .await
}

/// Logs in with a password and returns the reply.
async fn login_with(app: &TestApp, login: &str, password: &str) -> Reply {
    app.anonymous()
        .call(
            "login",
            &form(&[
                ("school_code", "123456"),
                ("login", login),
                ("password", password),
            ]),
        )
        .await
}

/// Returns the token of the reset link in an e-mail's text.
fn link_token(text: &str) -> String {
    let marker = "/account/reset?token=";
    let start = text.find(marker).expect("reset link") + marker.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect()
}

async fn reset_by_link(app: &TestApp, token: &str, password: &str) -> Reply {
    app.anonymous()
        .call(
            "reset_password_by_link",
            &form(&[
                ("token", token),
                ("new_password", password),
                ("confirm_password", password),
            ]),
        )
        .await
}

async fn app_with_sink() -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::with_settings(|settings| settings.smtp_url = Some(url)).await;
    (app, sink)
}

#[tokio::test]
async fn email_recovery_link_sets_password() {
    let (app, sink) = app_with_sink().await;
    set_contact(&app, "s001", Some("lin.s001@school.example.tw"), None).await;
    let mut old_session = app.login("s001").await;

    let reply = request(&app, "123456", "  Lin.S001@School.Example.TW ").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["channel"], "Email");
    let mail = sink.wait_for(1).await.remove(0);
    assert_eq!(mail.to, vec!["<lin.s001@school.example.tw>".to_owned()]);
    let text = mail.text();
    assert!(text.contains("你的帳號：s001"), "{text}");
    assert!(text.contains("30 分鐘"), "{text}");
    let token = link_token(&text);
    assert_eq!(token.len(), 32, "a 128-bit token: {text}");

    let info = app
        .anonymous()
        .call("recovery_link", &form(&[("token", &token)]))
        .await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.text());
    assert_eq!(info.json()["login"], "s001");

    let reset = reset_by_link(&app, &token, NEW_PASSWORD).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text());
    assert_eq!(
        login_with(&app, "s001", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
    assert_eq!(
        login_with(&app, "s001", "pw-s001").await.status,
        StatusCode::UNAUTHORIZED,
        "the old password no longer works"
    );
    let session = old_session.call("session", "").await;
    assert_eq!(session.json(), serde_json::Value::Null, "sessions ended");

    let again = reset_by_link(&app, &token, "Another-pass-99").await;
    assert_eq!(again.status, StatusCode::GONE, "a link works once");
    assert_eq!(again.json(), serde_json::json!("RecoveryLinkInvalid"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'password_recover'")
            .await,
        1
    );
}

#[tokio::test]
async fn reset_page_holds_token_without_script() {
    let (app, sink) = app_with_sink().await;
    set_contact(&app, "s001", Some("lin.s001@school.example.tw"), None).await;
    request(&app, "123456", "lin.s001@school.example.tw").await;
    let token = link_token(&sink.wait_for(1).await[0].text());

    let page = app
        .anonymous()
        .get(&format!("/account/reset?token={token}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    // The form's hidden field carries the token in the HTML, so the form also works
    // before the script has loaded, or without it.
    let field = format!(r#"name="token" value="{token}""#);
    assert!(page.text().contains(&field), "{}", page.text());
}

#[tokio::test]
async fn recovery_reply_hides_unknown_addresses() {
    let (app, sink) = app_with_sink().await;
    set_contact(&app, "s001", Some("known@school.example.tw"), None).await;
    // The other school's account with the same address is not reached from this school.
    set_contact(&app, "x001", Some("known@school.example.tw"), None).await;

    let unknown = request(&app, "123456", "nobody@school.example.tw").await;
    let known = request(&app, "123456", "known@school.example.tw").await;
    assert_eq!(unknown.status, known.status);
    assert_eq!(unknown.json()["channel"], known.json()["channel"]);
    assert_eq!(unknown.json()["contact"], "nobody@school.example.tw");

    let received = sink.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = if sink.received().len() > received.len() {
        sink.received()
    } else {
        received
    };
    assert_eq!(
        received.len(),
        1,
        "only the known address of this school got mail"
    );
    assert!(received[0].text().contains("s001"));
}

#[tokio::test]
async fn recovery_link_expires_after_30_minutes() {
    let (app, sink) = app_with_sink().await;
    set_contact(&app, "s001", Some("lin@school.example.tw"), None).await;
    request(&app, "123456", "lin@school.example.tw").await;
    let token = link_token(&sink.wait_for(1).await[0].text());
    app.set_clock(UtcMillis(app.state.clock.now().0 + 31 * 60_000));
    let reply = reset_by_link(&app, &token, NEW_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::GONE);
    assert_eq!(
        login_with(&app, "s001", "pw-s001").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn recovery_caps_messages_per_hour() {
    let (app, sink) = app_with_sink().await;
    set_contact(&app, "s001", Some("lin@school.example.tw"), None).await;
    for _ in 0..5 {
        let reply = request(&app, "123456", "lin@school.example.tw").await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    sink.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 3);
    app.set_clock(UtcMillis(app.state.clock.now().0 + 61 * 60_000));
    request(&app, "123456", "lin@school.example.tw").await;
    sink.wait_for(4).await;
}

#[tokio::test]
async fn recovery_unblocks_throttled_victim() {
    let (app, sink) = app_with_sink().await;
    set_contact(&app, "s001", Some("lin@school.example.tw"), None).await;
    for _ in 0..6 {
        login_with(&app, "s001", "guess-123456").await;
    }
    assert_eq!(
        login_with(&app, "s001", "pw-s001").await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a guesser delayed the account"
    );
    request(&app, "123456", "lin@school.example.tw").await;
    let token = link_token(&sink.wait_for(1).await[0].text());
    assert_eq!(
        reset_by_link(&app, &token, NEW_PASSWORD).await.status,
        StatusCode::OK
    );
    assert_eq!(
        login_with(&app, "s001", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn recovery_rejects_unreadable_contact() {
    let app = TestApp::new().await;
    let reply = request(&app, "123456", "02-2345-6789").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json(),
        serde_json::json!({ "RecoveryContact": { "Unreadable": { "value": "02-2345-6789" } } })
    );
    let missing = request(&app, "123456", " ").await;
    assert_eq!(
        missing.json(),
        serde_json::json!({ "RecoveryContact": "Missing" })
    );
}

#[tokio::test]
async fn recovery_rejects_unknown_school_code() {
    let app = TestApp::new().await;
    let unknown = request(&app, "999999", "lin@school.example.tw").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unknown.json(),
        serde_json::json!({ "SchoolCodeUnknown": { "code": "999999" } })
    );
    // The fixture has two schools, so the code is needed.
    let missing = request(&app, "", "lin@school.example.tw").await;
    assert_eq!(missing.json(), serde_json::json!("SchoolCodeMissing"));
}

/// Reads the SMS outbox file and returns the code of the last text to `to`.
async fn outbox_code(app: &TestApp, to: &str) -> String {
    let path = app.data_dir.path().join("outbox").join("sms.jsonl");
    for _ in 0..200 {
        if let Ok(text) = tokio::fs::read_to_string(&path).await
            && let Some(line) = text.lines().rev().find(|line| line.contains(to))
        {
            let message: serde_json::Value = serde_json::from_str(line).unwrap();
            return code_in(message["text"].as_str().unwrap());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no text to {to} in {}", path.display());
}

fn code_in(text: &str) -> String {
    let start = text.find("驗證碼 ").expect("code in text") + "驗證碼 ".len();
    text[start..].chars().take(6).collect()
}

async fn reset_by_code(app: &TestApp, phone: &str, code: &str, password: &str) -> Reply {
    app.anonymous()
        .call(
            "reset_password_by_code",
            &form(&[
                ("school_code", "123456"),
                ("phone", phone),
                ("code", code),
                ("new_password", password),
                ("confirm_password", password),
            ]),
        )
        .await
}

fn other_code(code: &str) -> String {
    let last = code.as_bytes()[5] - b'0';
    format!("{}{}", &code[..5], (last + 1) % 10)
}

#[tokio::test]
async fn sms_outbox_code_sets_password() {
    let app = TestApp::new().await;
    set_contact(&app, "s001", None, Some("0912345678")).await;
    let reply = request(&app, "123456", "+886 912-345-678").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["channel"], "Sms");
    assert_eq!(reply.json()["contact"], "0912345678");
    let code = outbox_code(&app, "0912345678").await;

    let wrong = reset_by_code(&app, "0912345678", &other_code(&code), NEW_PASSWORD).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json(), serde_json::json!("RecoveryCodeWrong"));
    let weak = reset_by_code(&app, "0912345678", &code, "s001-password").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        weak.json(),
        serde_json::json!({ "Password": "ContainsLogin" })
    );
    assert_eq!(
        login_with(&app, "s001", "pw-s001").await.status,
        StatusCode::OK,
        "a refused password changes nothing"
    );

    let done = reset_by_code(&app, "0912-345-678", &code, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    assert_eq!(
        login_with(&app, "s001", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
    let reused = reset_by_code(&app, "0912345678", &code, "Another-pass-99").await;
    assert_eq!(reused.json(), serde_json::json!("RecoveryCodeWrong"));
}

#[tokio::test]
async fn sms_code_expires_after_five_wrong_tries() {
    let app = TestApp::new().await;
    set_contact(&app, "s001", None, Some("0912345678")).await;
    request(&app, "123456", "0912345678").await;
    let code = outbox_code(&app, "0912345678").await;
    for _ in 0..5 {
        let wrong = reset_by_code(&app, "0912345678", &other_code(&code), NEW_PASSWORD).await;
        assert_eq!(wrong.json(), serde_json::json!("RecoveryCodeWrong"));
    }
    let right = reset_by_code(&app, "0912345678", &code, NEW_PASSWORD).await;
    assert_eq!(right.json(), serde_json::json!("RecoveryCodeWrong"));
    assert_eq!(
        login_with(&app, "s001", "pw-s001").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn sms_gateway_receives_text_and_token() {
    type Seen = Arc<Mutex<Vec<(Option<String>, serde_json::Value)>>>;
    let seen: Seen = Arc::default();
    let record = seen.clone();
    let gateway = axum::Router::new().route(
        "/send",
        axum::routing::post(
            move |headers: axum::http::HeaderMap,
                  axum::Json(body): axum::Json<serde_json::Value>| {
                let record = record.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|value| value.to_str().ok())
                        .map(str::to_owned);
                    record.lock().unwrap().push((auth, body));
                    StatusCode::ACCEPTED
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move { axum::serve(listener, gateway).await });
    let app = TestApp::with_settings(|settings| {
        settings.sms_gateway_url = Some(format!("http://127.0.0.1:{port}/send"));
        settings.sms_gateway_token = Some("gateway-secret".to_owned());
    })
    .await;
    set_contact(&app, "s001", None, Some("0912345678")).await;
    request(&app, "123456", "0912345678").await;
    let mut posted = Vec::new();
    for _ in 0..200 {
        posted = seen.lock().unwrap().clone();
        if !posted.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.abort();
    assert_eq!(posted.len(), 1, "one text posted");
    let (auth, body) = &posted[0];
    assert_eq!(auth.as_deref(), Some("Bearer gateway-secret"));
    assert_eq!(body["to"], "0912345678");
    let text = body["text"].as_str().unwrap();
    assert!(text.contains("s001"), "{text}");
    let code = code_in(text);
    assert_eq!(
        reset_by_code(&app, "0912345678", &code, NEW_PASSWORD)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn recovery_rejects_cross_site_requests() {
    let (app, sink) = app_with_sink().await;
    set_contact(&app, "s001", Some("lin@school.example.tw"), None).await;
    let client = app.anonymous();
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ] {
        let request = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/api/request_recovery")
            .header(name, value)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(
                "school_code=123456&contact=lin%40school.example.tw",
            ))
            .unwrap();
        let reply = client.send_request(request).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name}: {value}");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sink.received().is_empty(), "nothing was sent");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM password_recoveries").await,
        0
    );
}
