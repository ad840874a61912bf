#![cfg(feature = "ssr")]
//! Password guessing is slowed per login name and per client address, while a browser that
//! logged in to the account before keeps getting in (docs/security.md).

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use licheng::domain::calendar::UtcMillis;

/// Sends the login form from a browser holding `cookies` (may be empty); returns the reply.
async fn attempt(app: &TestApp, cookies: &str, login: &str, password: &str) -> Reply {
    let mut client = app.anonymous();
    if !cookies.is_empty() {
        client.cookie = Some(cookies.to_owned());
    }
    client
        .send(
            Method::POST,
            "/api/login",
            Some((
                "application/x-www-form-urlencoded",
                format!("school_code=123456&login={login}&password={password}").into_bytes(),
            )),
            &[],
        )
        .await
}

/// Returns the `name=value` of a cookie that a reply sets.
fn set_cookie(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(|value| value.split(';').next().unwrap().to_owned())
}

#[tokio::test]
async fn login_throttle_delays_the_guesser_but_not_the_students_own_phone() {
    let app = TestApp::new().await;
    // The student's phone logged in earlier and keeps its device cookie.
    let first = attempt(&app, "", STUDENT, &format!("pw-{STUDENT}")).await;
    assert_eq!(first.status, StatusCode::OK);
    let device = set_cookie(&first, "licheng_device").expect("a device cookie");

    // A classmate who has the login guesses from another browser.
    for guess in 1..=5 {
        let reply = attempt(&app, "", STUDENT, &format!("guess-{guess}")).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "guess {guess}");
    }
    let delayed = attempt(&app, "", STUDENT, "guess-6").await;
    assert_eq!(delayed.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        delayed.text().contains("LoginThrottled"),
        "{}",
        delayed.text()
    );
    // Even the right password waits on the guesser's browser: the delay is not an oracle.
    let right_but_delayed = attempt(&app, "", STUDENT, &format!("pw-{STUDENT}")).await;
    assert_eq!(right_but_delayed.status, StatusCode::TOO_MANY_REQUESTS);

    // The student's own phone still gets in, and gets no second device cookie.
    let phone = attempt(&app, &device, STUDENT, &format!("pw-{STUDENT}")).await;
    assert_eq!(phone.status, StatusCode::OK, "{}", phone.text());
    assert!(set_cookie(&phone, "licheng_device").is_none());
}

#[tokio::test]
async fn login_throttle_doubles_the_delay_and_lets_it_expire() {
    let app = TestApp::new().await;
    let start = app.state.clock.now();
    for guess in 1..=5 {
        attempt(&app, "", CLASSMATE, &format!("guess-{guess}")).await;
    }
    assert_eq!(
        attempt(&app, "", CLASSMATE, "again").await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "30 seconds after the 5th failure"
    );
    app.set_clock(UtcMillis(start.0 + 31_000));
    assert_eq!(
        attempt(&app, "", CLASSMATE, "guess-6").await.status,
        StatusCode::UNAUTHORIZED,
        "the delay is over"
    );
    app.set_clock(UtcMillis(start.0 + 31_000 + 59_000));
    assert_eq!(
        attempt(&app, "", CLASSMATE, &format!("pw-{CLASSMATE}"))
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS,
        "the 6th failure delays by 60 seconds"
    );
    app.set_clock(UtcMillis(start.0 + 31_000 + 61_000));
    assert_eq!(
        attempt(&app, "", CLASSMATE, &format!("pw-{CLASSMATE}"))
            .await
            .status,
        StatusCode::OK
    );
    // The success forgot the failures: five more are free again.
    for guess in 1..=5 {
        assert_eq!(
            attempt(&app, "", CLASSMATE, &format!("guess-{guess}"))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn login_throttle_counts_unknown_logins_the_same_way() {
    let app = TestApp::new().await;
    for guess in 1..=5 {
        assert_eq!(
            attempt(&app, "", "nobody", &format!("guess-{guess}"))
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt(&app, "", "nobody", "guess-6").await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "an unknown login is delayed like a real one, so the delay reveals nothing"
    );
}

#[tokio::test]
async fn login_throttle_blocks_an_address_that_tries_many_logins() {
    let app = TestApp::with_settings(|settings| settings.login_address_failures = 4).await;
    let first = attempt(&app, "", TEACHER, &format!("pw-{TEACHER}")).await;
    let device = set_cookie(&first, "licheng_device").unwrap();
    // Requests in tests have no TCP peer, so they share the address `unknown`.
    for (n, login) in ["s101", "s102", "s103", "s104"].iter().enumerate() {
        assert_eq!(
            attempt(&app, "", login, "guess").await.status,
            StatusCode::UNAUTHORIZED,
            "failure {n}"
        );
    }
    assert_eq!(
        attempt(&app, "", STUDENT, &format!("pw-{STUDENT}"))
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS,
        "the address has used up its failures"
    );
    assert_eq!(
        attempt(&app, &device, TEACHER, &format!("pw-{TEACHER}"))
            .await
            .status,
        StatusCode::OK,
        "a known device is not held up by its network's address"
    );
    let later = UtcMillis(app.state.clock.now().0 + 10 * 60_000);
    app.set_clock(later);
    assert_eq!(
        attempt(&app, "", STUDENT, &format!("pw-{STUDENT}"))
            .await
            .status,
        StatusCode::OK,
        "the address window is over"
    );
}
