#![cfg(feature = "ssr")]
//! The red bubble: counts, reading, and the live event stream.

mod common;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::*;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

/// Reads the next `unread` event of an event stream body.
async fn next_unread(body: &mut axum::body::Body) -> u64 {
    let mut text = String::new();
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), body.frame())
            .await
            .expect("an event within 10 s")
            .expect("the stream stays open")
            .expect("a frame");
        if let Some(data) = frame.data_ref() {
            text.push_str(&String::from_utf8_lossy(data));
        }
        if let Some(event) = text
            .split("\n\n")
            .find(|event| event.contains("event: unread"))
        {
            let data = event
                .lines()
                .find_map(|line| line.strip_prefix("data: "))
                .expect("data line");
            return serde_json::from_str::<serde_json::Value>(data).unwrap()["unread"]
                .as_u64()
                .unwrap();
        }
    }
}

#[tokio::test]
async fn event_stream_announces_publication_and_reading() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "作品").await;

    // Two tabs of the student listen.
    let mut tabs = Vec::new();
    for _ in 0..2 {
        let request = student.request(Method::GET, "/events", None, &[]);
        let response = app.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let mut body = response.into_body();
        assert_eq!(next_unread(&mut body).await, 0);
        tabs.push(body);
    }

    teacher.decide(&[(id, version)], "Passed", "").await;
    teacher.publish(&[(id, version + 1)]).await;
    for tab in &mut tabs {
        assert_eq!(next_unread(tab).await, 1);
    }

    let reply = student.call("mark_notifications_read", "").await;
    assert_eq!(reply.json(), json!(1));
    for tab in &mut tabs {
        assert_eq!(next_unread(tab).await, 0, "every tab clears");
    }
}

#[tokio::test]
async fn notification_text_comes_from_the_published_review() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let (id, version) = student.submitted_outcome(app.fixture.physics, "實驗").await;
    teacher
        .decide(&[(id, version)], "Failed", "不是本課程的作品")
        .await;
    teacher.publish(&[(id, version + 1)]).await;
    let list = student.call("notifications", "").await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["subject"], "物理");
    assert_eq!(list[0]["verdict"], "Failed");
    assert_eq!(list[0]["read"], false);
    assert_eq!(list[0]["outcome_id"], id);
    student.call("mark_notifications_read", "").await;
    let list = student.call("notifications", "").await.json();
    assert_eq!(list[0]["read"], true);
    assert_eq!(
        student.call("session", "").await.json()["unread_notifications"],
        0
    );
    // The teacher has no notifications of the student's.
    assert_eq!(teacher.call("notifications", "").await.json(), json!([]));
}
