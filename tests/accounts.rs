#![cfg(feature = "ssr")]
//! First passwords, the forced change, the password rules and 帳號管理: resets that end
//! sessions, one-time codes, the national-ID login rule, expiry and account slips.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use licheng::domain::calendar::UtcMillis;
use serde_json::{Value, json};

/// Sends the login form of the fixture school; returns the reply and the session cookie.
async fn login_with(app: &TestApp, login: &str, password: &str) -> (Reply, Option<Client>) {
    let mut client = app.anonymous();
    let reply = client
        .send(
            Method::POST,
            "/api/login",
            Some((
                "application/x-www-form-urlencoded",
                format!("school_code=123456&login={login}&password={password}").into_bytes(),
            )),
            &[],
        )
        .await;
    let cookie = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("licheng_session="))
        .map(|value| value.split(';').next().unwrap().to_owned());
    let client = cookie.map(|cookie| Client {
        router: app.router.clone(),
        cookie: Some(cookie),
    });
    (reply, client)
}

/// Resets `account` as the fixture's administrator; returns the slip.
async fn reset(app: &TestApp, account: i64, mode: &str) -> Value {
    let mut admin = app.login(ADMIN).await;
    let reply = admin
        .call_json("reset_account", json!({ "account": account, "mode": mode }))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

async fn change(client: &mut Client, current: &str, new: &str, again: &str) -> Reply {
    client
        .call(
            "change_password",
            &format!("current_password={current}&new_password={new}&confirm_password={again}"),
        )
        .await
}

#[tokio::test]
async fn first_password_must_be_changed_before_anything_else() {
    let app = TestApp::new().await;
    let slip = reset(&app, app.fixture.student.0, "SchoolRule").await;
    let code = slip["first_password"]["Code"]
        .as_str()
        .expect("a one-time code")
        .to_owned();
    assert_eq!(slip["login"], STUDENT);

    let (reply, student) = login_with(&app, STUDENT, &code).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["must_change_password"], true);
    let mut student = student.unwrap();
    let blocked = student.call("my_outcomes", "").await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    assert_eq!(blocked.json(), json!("PasswordChangeRequired"));
    let page = student.get("/student/outcomes").await;
    assert!(
        page.header("location") == "/account/password" || page.text().contains("/account/password"),
        "pages lead to the password change: {} {}",
        page.status,
        page.header("location")
    );

    let too_short = change(&mut student, &code, "short", "short").await;
    assert_eq!(
        too_short.json(),
        json!({ "Password": { "TooShort": { "length": 5 } } })
    );
    let wrong_current = change(
        &mut student,
        "not-the-code",
        "blue-kite-river",
        "blue-kite-river",
    )
    .await;
    assert_eq!(wrong_current.json(), json!("CurrentPasswordWrong"));
    let with_login = change(&mut student, &code, "my-s001-pass", "my-s001-pass").await;
    assert_eq!(with_login.json(), json!({ "Password": "ContainsLogin" }));
    let with_id = change(&mut student, &code, "kite-456789", "kite-456789").await;
    assert_eq!(with_id.json(), json!({ "Password": "ContainsNationalId" }));
    let with_birth = change(&mut student, &code, "kite-20080116", "kite-20080116").await;
    assert_eq!(
        with_birth.json(),
        json!({ "Password": "ContainsBirthDate" })
    );
    let mismatch = change(&mut student, &code, "blue-kite-river", "blue-kite-rivet").await;
    assert_eq!(mismatch.json(), json!({ "Password": "Mismatch" }));

    let changed = change(&mut student, &code, "blue-kite-river", "blue-kite-river").await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    assert_eq!(student.call("my_outcomes", "").await.status, StatusCode::OK);
    let (old_code, _) = login_with(&app, STUDENT, &code).await;
    assert_eq!(
        old_code.status,
        StatusCode::UNAUTHORIZED,
        "the code works once"
    );
    let (new_password, _) = login_with(&app, STUDENT, "blue-kite-river").await;
    assert_eq!(new_password.status, StatusCode::OK);
}

#[tokio::test]
async fn first_password_expires_after_the_school_setting() {
    let app = TestApp::new().await;
    let slip = reset(&app, app.fixture.student.0, "NewCode").await;
    let code = slip["first_password"]["Code"].as_str().unwrap().to_owned();
    let expires_at = slip["expires_at"].as_i64().unwrap();
    assert_eq!(
        expires_at - app.state.clock.now().0,
        14 * 86_400_000,
        "14 days by default"
    );
    app.set_clock(UtcMillis(expires_at));
    let (reply, _) = login_with(&app, STUDENT, &code).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json(), json!("InitialPasswordExpired"));
    app.set_clock(UtcMillis(expires_at - 1));
    let (reply, _) = login_with(&app, STUDENT, &code).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "valid until the last millisecond"
    );
}

#[tokio::test]
async fn reset_ends_sessions_and_is_audited() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    assert_eq!(student.call("my_outcomes", "").await.status, StatusCode::OK);
    reset(&app, app.fixture.student.0, "NewCode").await;
    assert_eq!(
        student.call("my_outcomes", "").await.status,
        StatusCode::UNAUTHORIZED,
        "the reset ended the session"
    );
    let (old_password, _) = login_with(&app, STUDENT, &format!("pw-{STUDENT}")).await;
    assert_eq!(old_password.status, StatusCode::UNAUTHORIZED);
    let audited = app
        .count("SELECT COUNT(*) FROM audit_events WHERE action = 'account_new_code'")
        .await;
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn end_sessions_signs_the_account_out_everywhere() {
    let app = TestApp::new().await;
    let mut phone = app.login(TEACHER).await;
    let mut laptop = app.login(TEACHER).await;
    let mut admin = app.login(ADMIN).await;
    let reply = admin
        .call_json(
            "end_account_sessions",
            json!({ "account": app.fixture.teacher.0 }),
        )
        .await;
    assert_eq!(reply.json(), json!(2));
    for client in [&mut phone, &mut laptop] {
        assert_eq!(
            client.call("my_outcomes", "").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let (again, _) = login_with(&app, TEACHER, &format!("pw-{TEACHER}")).await;
    assert_eq!(again.status, StatusCode::OK, "the password still works");
}

#[tokio::test]
async fn national_id_rule_renames_and_uses_id_digits() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let saved = admin
        .call_json(
            "update_account_settings",
            json!({ "settings": { "login_rule": "NationalId", "login_prefix": "FG", "initial_credential_days": 7 } }),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let login: String = sqlx::query_scalar("SELECT login FROM users WHERE id = $1")
        .bind(app.fixture.student.0)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(
        login, "fg123456789",
        "prefix lower-cased, ID without its letter"
    );

    let slip = reset(&app, app.fixture.student.0, "SchoolRule").await;
    assert_eq!(slip["first_password"], json!("NationalIdDigits"));
    let (reply, student) = login_with(&app, "FG123456789", "456789").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let mut student = student.unwrap();
    let weak = change(&mut student, "456789", "river-3456-kite", "river-3456-kite").await;
    assert_eq!(weak.json(), json!({ "Password": "ContainsNationalId" }));

    let back = admin
        .call_json(
            "update_account_settings",
            json!({ "settings": { "login_rule": "StudentNumber", "login_prefix": "fg", "initial_credential_days": 7 } }),
        )
        .await;
    assert_eq!(back.status, StatusCode::OK);
    let student_number: String =
        sqlx::query_scalar("SELECT student_no FROM students WHERE user_id = $1")
            .bind(app.fixture.student.0)
            .fetch_one(app.pool())
            .await
            .unwrap();
    let (by_number, _) = login_with(&app, &student_number, "456789").await;
    assert_eq!(
        by_number.status,
        StatusCode::OK,
        "the 學號 is the login again"
    );
}

#[tokio::test]
async fn account_settings_reject_bad_prefix_and_days() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let prefix = admin
        .call_json(
            "update_account_settings",
            json!({ "settings": { "login_rule": "NationalId", "login_prefix": "f-g", "initial_credential_days": 7 } }),
        )
        .await;
    assert_eq!(prefix.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        prefix.json(),
        json!({ "InvalidLoginPrefix": { "prefix": "f-g" } })
    );
    let days = admin
        .call_json(
            "update_account_settings",
            json!({ "settings": { "login_rule": "StudentNumber", "login_prefix": "", "initial_credential_days": 0 } }),
        )
        .await;
    assert_eq!(
        days.json(),
        json!({ "InvalidCredentialDays": { "days": 0 } })
    );
    let rule: String = sqlx::query_scalar("SELECT login_rule FROM schools WHERE id = $1")
        .bind(app.fixture.school.0)
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(rule, "student_number", "nothing was stored");
}

#[tokio::test]
async fn homeroom_slips_cover_students_without_their_own_password() {
    let app = TestApp::new().await;
    sqlx::query("UPDATE users SET password_hash = NULL, must_change_password = 1 WHERE id = $1")
        .bind(app.fixture.student.0)
        .execute(app.pool())
        .await
        .unwrap();
    let mut admin = app.login(ADMIN).await;
    let reply = admin
        .call_json(
            "homeroom_slips",
            json!({ "homeroom": app.fixture.homeroom_201.0 }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let slips = reply.json();
    let slips = slips.as_array().unwrap();
    assert_eq!(
        slips.len(),
        1,
        "only the student without a password: {slips:?}"
    );
    let code = slips[0]["first_password"]["Code"].as_str().unwrap();
    let (reply, _) = login_with(&app, STUDENT, code).await;
    assert_eq!(reply.status, StatusCode::OK);
    let foreign = admin
        .call_json("homeroom_slips", json!({ "homeroom": 999_999 }))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn account_administration_is_for_administrators_only() {
    let app = TestApp::new().await;
    let account = app.fixture.classmate.0;
    for login in [STUDENT, TEACHER, SUBMITTER, FOREIGN_TEACHER] {
        let mut client = app.login(login).await;
        let calls = [
            client.call("accounts_page", "").await,
            client.call("search_accounts", "query=s00").await,
            client
                .call_json(
                    "reset_account",
                    json!({ "account": account, "mode": "NewCode" }),
                )
                .await,
            client
                .call_json("end_account_sessions", json!({ "account": account }))
                .await,
            client
                .call_json(
                    "homeroom_slips",
                    json!({ "homeroom": app.fixture.homeroom_201.0 }),
                )
                .await,
        ];
        for reply in calls {
            assert!(
                reply.status == StatusCode::FORBIDDEN || reply.status == StatusCode::NOT_FOUND,
                "{login}: {} {}",
                reply.status,
                reply.text()
            );
        }
    }
    let mut foreign_admin_target = app.login(ADMIN).await;
    let other_school = foreign_admin_target
        .call_json(
            "reset_account",
            json!({ "account": app.fixture.foreign_student.0, "mode": "NewCode" }),
        )
        .await;
    assert_eq!(
        other_school.status,
        StatusCode::NOT_FOUND,
        "another school's account"
    );
}
