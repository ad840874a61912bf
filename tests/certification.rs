#![cfg(feature = "ssr")]
//! The certification loop through the real router: 送出認證, 通過 / 不通過, 發佈, the
//! notifications it writes, resubmission, conflicts, and what the student may see when.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

#[tokio::test]
async fn submit_makes_draft_pending_and_visible_to_teacher() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let (id, version) = student.upload_pdf(app.fixture.math, "草稿").await;

    let page = teacher.review_page(all_query()).await;
    assert_eq!(
        page["rows"].as_array().unwrap().len(),
        0,
        "drafts are invisible to teachers"
    );

    let reply = student
        .call(
            "submit_outcome",
            &format!("outcome_id={id}&version={version}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["version"], version + 1);
    let page = teacher.review_page(all_query()).await;
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["state"], "Undecided");
    assert_eq!(rows[0]["student_name"], "陳同學");
    assert_eq!(rows[0]["homeroom"], "201");
    assert_eq!(app.count("SELECT COUNT(*) FROM outcome_reviews").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'submit'")
            .await,
        1
    );
}

#[tokio::test]
async fn double_submit_leaves_exactly_one_pending_review() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (id, version) = student.upload_pdf(app.fixture.math, "按兩下").await;
    let form = format!("outcome_id={id}&version={version}");
    let mut first = student.clone();
    let mut second = student.clone();
    let (a, b) = tokio::join!(
        first.call("submit_outcome", &form),
        second.call("submit_outcome", &form)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} / {}",
        a.text(),
        b.text()
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM outcome_reviews").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM course_outcomes WHERE status = 'pending'")
            .await,
        1
    );
    // A third click after the page refreshed is refused as already submitted.
    let reply = student
        .call(
            "submit_outcome",
            &format!("outcome_id={id}&version={}", version + 1),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.json()["Transition"]["transition"], "Submit");
}

#[tokio::test]
async fn pending_outcome_cannot_be_deleted_or_revised() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "已送出").await;
    let reply = student
        .call(
            "delete_outcome",
            &format!("outcome_id={id}&version={version}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.json()["Transition"]["transition"], "Delete");
    let version_text = version.to_string();
    let reply = student
        .upload(
            &format!("/upload/outcomes/{id}"),
            &[
                Part::Text("version", &version_text),
                Part::Text("summary", "偷偷修改"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text());
    assert_eq!(reply.json()["Transition"]["transition"], "Revise");
    let summary: String = sqlx::query_scalar("SELECT summary FROM course_outcomes")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(summary, "已送出");
}

#[tokio::test]
async fn draft_can_be_deleted() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (id, version) = student.upload_pdf(app.fixture.math, "不要了").await;
    let reply = student
        .call(
            "delete_outcome",
            &format!("outcome_id={id}&version={version}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let overview = student.call("my_outcomes", "").await.json();
    assert_eq!(
        overview["semesters"][0]["outcomes"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM course_outcomes WHERE deleted_at IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'delete'")
            .await,
        1
    );
}

#[tokio::test]
async fn fail_requires_reason() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "作品").await;
    let reply = teacher.decide(&[(id, version)], "Failed", "  ").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json(), json!({ "FailReason": "Missing" }));
    let verdicts = app
        .count("SELECT COUNT(*) FROM outcome_reviews WHERE verdict IS NOT NULL")
        .await;
    assert_eq!(verdicts, 0);
}

#[tokio::test]
async fn decision_changes_until_published_then_freezes() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "作品").await;
    let reply = teacher
        .decide(&[(id, version)], "Failed", "不是本課程作品")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let version = reply.json()[0]["version"].as_i64().unwrap();
    let reply = teacher.decide(&[(id, version)], "Passed", "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let version = reply.json()[0]["version"].as_i64().unwrap();
    let page = teacher.review_page(all_query()).await;
    assert_eq!(page["rows"][0]["state"], json!({ "Unpublished": "Passed" }));

    let reply = teacher.publish(&[(id, version)]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json(), json!({ "published": 1, "skipped": 0 }));
    let reply = teacher
        .decide(&[(id, version + 1)], "Failed", "改主意")
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(
        reply.json()["Transition"]["transition"],
        json!({ "Decide": "Failed" })
    );
    let status: String = sqlx::query_scalar("SELECT status FROM course_outcomes")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(status, "passed");
    let decisions = app
        .count("SELECT COUNT(*) FROM audit_events WHERE action = 'decide'")
        .await;
    assert_eq!(decisions, 2);
}

#[tokio::test]
async fn stale_decision_is_refused_as_conflict() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let mut other_tab = teacher.clone();
    let (id, version) = student.submitted_outcome(app.fixture.math, "作品").await;
    let first = teacher.decide(&[(id, version)], "Passed", "").await;
    assert_eq!(first.status, StatusCode::OK);
    // The second tab still shows the old version.
    let second = other_tab
        .decide(&[(id, version)], "Failed", "我覺得不行")
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.text());
    assert_eq!(second.json(), json!("Conflict"));
    let verdict: String = sqlx::query_scalar("SELECT verdict FROM outcome_reviews")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(verdict, "passed");
}

#[tokio::test]
async fn concurrent_decisions_let_exactly_one_win() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let teacher = app.login(TEACHER).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "作品").await;
    let (mut a, mut b) = (teacher.clone(), teacher.clone());
    let items = [(id, version)];
    let (first, second) = tokio::join!(
        a.decide(&items, "Passed", ""),
        b.decide(&items, "Failed", "不是本人作品")
    );
    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let stored: i64 = sqlx::query_scalar("SELECT version FROM course_outcomes")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(stored, version + 1);
}

#[tokio::test]
async fn publish_writes_one_notification_per_item() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let (math, v1) = student
        .submitted_outcome(app.fixture.math, "數學作品")
        .await;
    let (physics, v2) = student
        .submitted_outcome(app.fixture.physics, "物理作品")
        .await;
    let decided = teacher
        .decide(&[(math, v1), (physics, v2)], "Passed", "")
        .await
        .json();
    let items: Vec<(i64, i64)> = decided
        .as_array()
        .unwrap()
        .iter()
        .map(|saved| {
            (
                saved["outcome_id"].as_i64().unwrap(),
                saved["version"].as_i64().unwrap(),
            )
        })
        .collect();
    let reply = teacher.publish(&items).await;
    assert_eq!(reply.json(), json!({ "published": 2, "skipped": 0 }));
    assert_eq!(app.count("SELECT COUNT(*) FROM notifications").await, 2);
    let session = student.call("session", "").await.json();
    assert_eq!(session["unread_notifications"], 2);
    // Publishing again changes nothing and adds no notification.
    let again: Vec<(i64, i64)> = items
        .iter()
        .map(|(id, version)| (*id, version + 1))
        .collect();
    let reply = teacher.publish(&again).await;
    assert_eq!(reply.json(), json!({ "published": 0, "skipped": 2 }));
    assert_eq!(app.count("SELECT COUNT(*) FROM notifications").await, 2);
}

#[tokio::test]
async fn publishing_undecided_outcome_is_refused() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "作品").await;
    let reply = teacher.publish(&[(id, version)]).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.json()["Transition"]["transition"], "Publish");
    assert_eq!(app.count("SELECT COUNT(*) FROM notifications").await, 0);
}

#[tokio::test]
async fn publish_all_publishes_decided_items_of_the_filter() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut classmate = app.login(CLASSMATE).await;
    let mut teacher = app.login(TEACHER).await;
    let (math, v1) = student.submitted_outcome(app.fixture.math, "數學").await;
    let (physics, v2) = student.submitted_outcome(app.fixture.physics, "物理").await;
    let (classmate_math, v3) = classmate
        .submitted_outcome(app.fixture.math, "數學 202")
        .await;
    let (_undecided, _) = student.submitted_outcome(app.fixture.math, "還沒看").await;
    teacher
        .decide(&[(math, v1), (classmate_math, v3)], "Passed", "")
        .await;
    teacher
        .decide(&[(physics, v2)], "Failed", "這是化學作品")
        .await;

    // 全部發佈 under the 數學A filter leaves 物理 alone.
    let math_only = json!({ "semester": null, "state": "All", "homeroom": null,
        "subject": app.fixture.math_subject.0, "page": { "page": 1, "per_page": 10 } });
    let reply = teacher
        .call_json("publish_all", json!({ "query": math_only }))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json(), json!({ "published": 2, "skipped": 0 }));
    let statuses: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, status FROM course_outcomes ORDER BY id")
            .fetch_all(app.pool())
            .await
            .unwrap();
    assert_eq!(
        statuses,
        vec![
            (math, "passed".to_owned()),
            (physics, "pending".to_owned()),
            (classmate_math, "passed".to_owned()),
            (_undecided, "pending".to_owned())
        ]
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM notifications").await, 2);
}

#[tokio::test]
async fn student_sees_nothing_of_an_unpublished_decision() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "作品").await;
    let before = (
        student.call("my_outcomes", "").await.body,
        student
            .call("outcome_detail", &format!("outcome_id={id}"))
            .await
            .body,
        student.call("notifications", "").await.body,
        student.call("session", "").await.body,
    );
    let secret = "秘密的不通過原因XYZ";
    teacher.decide(&[(id, version)], "Failed", secret).await;
    let after = (
        student.call("my_outcomes", "").await.body,
        student
            .call("outcome_detail", &format!("outcome_id={id}"))
            .await
            .body,
        student.call("notifications", "").await.body,
        student.call("session", "").await.body,
    );
    assert!(
        before == after,
        "a decision must not change anything the student's calls return"
    );

    let overview = student.call("my_outcomes", "").await;
    let detail = student
        .call("outcome_detail", &format!("outcome_id={id}"))
        .await;
    let notifications = student.call("notifications", "").await;
    let page = student.get("/student/outcomes").await;
    let detail_page = student.get(&format!("/student/outcomes/{id}")).await;
    for (what, text) in [
        ("my_outcomes", overview.text()),
        ("outcome_detail", detail.text()),
        ("notifications", notifications.text()),
        ("outcome list page", page.text()),
        ("detail page", detail_page.text()),
    ] {
        assert!(!text.contains(secret), "{what} leaks the reason");
        assert!(
            !text.contains("\"Failed\""),
            "{what} leaks the verdict: {text}"
        );
        assert!(
            !text.contains("badge-failed"),
            "{what} shows a 不通過 badge"
        );
    }
    let outcome = &overview.json()["semesters"][0]["outcomes"][0];
    assert_eq!(outcome["status"], "Pending");
    assert_eq!(outcome["certifier"], serde_json::Value::Null);
    assert_eq!(outcome["certified_at"], serde_json::Value::Null);
    assert_eq!(outcome["fail_reason"], serde_json::Value::Null);
    assert_eq!(
        detail.json()["history"][0]["verdict"],
        serde_json::Value::Null
    );
    assert_eq!(notifications.json(), json!([]));
    assert_eq!(
        student.call("session", "").await.json()["unread_notifications"],
        0
    );

    // Once published, the verdict, reason, certifier and date are visible.
    teacher.publish(&[(id, version + 1)]).await;
    let overview = student.call("my_outcomes", "").await.json();
    let outcome = &overview["semesters"][0]["outcomes"][0];
    assert_eq!(outcome["status"], "Failed");
    assert_eq!(outcome["fail_reason"], secret);
    assert_eq!(outcome["certifier"], "林老師");
    assert!(outcome["certified_at"].is_i64());
}

#[tokio::test]
async fn failed_outcome_is_revised_resubmitted_and_reviewed_afresh() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "第一版").await;
    teacher
        .decide(&[(id, version)], "Failed", "沒有姓名，無法確認是本人作品")
        .await;
    teacher.publish(&[(id, version + 1)]).await;
    // The student's token moved with the submission and the publication, not the decision.
    let version = version + 1;

    // Replace the file and the 簡述: the outcome becomes a draft again.
    let version_text = version.to_string();
    let reply = student
        .upload(
            &format!("/upload/outcomes/{id}"),
            &[
                Part::Text("version", &version_text),
                Part::Text("summary", "第二版，已補上姓名"),
                Part::File {
                    field: "document",
                    name: "第二版.pdf",
                    content_type: "application/pdf",
                    bytes: pdf_bytes("v2"),
                },
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let version = reply.json()["version"].as_i64().unwrap();
    let overview = student.call("my_outcomes", "").await.json();
    assert_eq!(overview["semesters"][0]["outcomes"][0]["status"], "Draft");
    assert_eq!(
        overview["semesters"][0]["outcomes"][0]["document"]["name"],
        "第二版.pdf"
    );

    let reply = student
        .call(
            "submit_outcome",
            &format!("outcome_id={id}&version={version}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let version = teacher.version_in_review(id).await;

    let page = teacher.review_page(all_query()).await;
    let row = &page["rows"][0];
    assert_eq!(row["state"], "Undecided");
    assert_eq!(row["round"], 2);
    assert_eq!(row["summary"], "第二版，已補上姓名");
    assert_eq!(row["document"]["name"], "第二版.pdf");
    assert_eq!(row["reason"], serde_json::Value::Null);

    teacher.decide(&[(id, version)], "Passed", "").await;
    teacher.publish(&[(id, version + 1)]).await;

    let detail = student
        .call("outcome_detail", &format!("outcome_id={id}"))
        .await
        .json();
    let history = detail["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["verdict"], "Failed");
    assert_eq!(history[0]["reason"], "沒有姓名，無法確認是本人作品");
    assert_eq!(history[0]["document"]["name"], "成果.pdf");
    assert_eq!(history[1]["verdict"], "Passed");
    assert_eq!(detail["outcome"]["status"], "Passed");
    assert_eq!(app.count("SELECT COUNT(*) FROM notifications").await, 2);
}

#[tokio::test]
async fn passed_outcome_is_frozen_for_the_student() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "作品").await;
    teacher.decide(&[(id, version)], "Passed", "").await;
    teacher.publish(&[(id, version + 1)]).await;
    let version = version + 2;
    let reply = student
        .call(
            "delete_outcome",
            &format!("outcome_id={id}&version={version}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    let reply = student
        .call(
            "submit_outcome",
            &format!("outcome_id={id}&version={version}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    let version_text = version.to_string();
    let reply = student
        .upload(
            &format!("/upload/outcomes/{id}"),
            &[
                Part::Text("version", &version_text),
                Part::Text("summary", "改"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn review_page_filters_counts_and_pages() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut classmate = app.login(CLASSMATE).await;
    let mut teacher = app.login(TEACHER).await;
    let mut submitted = Vec::new();
    for index in 0..4 {
        submitted.push(
            student
                .submitted_outcome(app.fixture.math, &format!("數學 {index}"))
                .await,
        );
    }
    submitted.push(student.submitted_outcome(app.fixture.physics, "物理").await);
    submitted.push(
        classmate
            .submitted_outcome(app.fixture.math, "數學 202")
            .await,
    );
    // Another teacher's course never shows up.
    student.submitted_outcome(app.fixture.chinese, "國文").await;
    teacher.decide(&[submitted[0]], "Passed", "").await;
    teacher
        .decide(&[submitted[1]], "Failed", "非本人作品")
        .await;
    let (id, version) = submitted[2];
    teacher.decide(&[(id, version)], "Passed", "").await;
    teacher.publish(&[(id, version + 1)]).await;

    let query = |state: &str,
                 homeroom: Option<i64>,
                 subject: Option<i64>,
                 page: u32,
                 per_page: u32| {
        json!({ "semester": { "school_year": 113, "semester": "First" }, "state": state, "homeroom": homeroom,
                "subject": subject, "page": { "page": page, "per_page": per_page } })
    };
    let page = teacher.review_page(query("All", None, None, 1, 10)).await;
    assert_eq!(
        page["counts"],
        json!({ "undecided": 3, "passed_unpublished": 1, "failed_unpublished": 1, "published_passed": 1, "published_failed": 0 })
    );
    assert_eq!(page["range"], json!({ "first": 1, "last": 6, "total": 6 }));

    let undecided = teacher
        .review_page(query("Undecided", None, None, 1, 10))
        .await;
    assert_eq!(undecided["rows"].as_array().unwrap().len(), 3);
    assert!(
        undecided["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["state"] == "Undecided")
    );
    assert_eq!(
        teacher
            .review_page(query("PassedUnpublished", None, None, 1, 10))
            .await["range"]["total"],
        1
    );
    assert_eq!(
        teacher
            .review_page(query("FailedUnpublished", None, None, 1, 10))
            .await["range"]["total"],
        1
    );
    assert_eq!(
        teacher
            .review_page(query("Unfinished", None, None, 1, 10))
            .await["range"]["total"],
        5
    );
    assert_eq!(
        teacher
            .review_page(query("Published", None, None, 1, 10))
            .await["range"]["total"],
        1
    );

    let homeroom_202 = teacher
        .review_page(query("All", Some(app.fixture.homeroom_202.0), None, 1, 10))
        .await;
    assert_eq!(homeroom_202["range"]["total"], 1);
    assert_eq!(homeroom_202["rows"][0]["student_name"], "李同學");
    assert_eq!(
        homeroom_202["counts"]["undecided"], 1,
        "counts follow the other filters"
    );
    let math = teacher
        .review_page(query("All", None, Some(app.fixture.math_subject.0), 1, 10))
        .await;
    assert_eq!(math["range"]["total"], 5);
    let old_semester = json!({ "semester": { "school_year": 112, "semester": "Second" }, "state": "All",
        "homeroom": null, "subject": null, "page": { "page": 1, "per_page": 10 } });
    assert_eq!(teacher.review_page(old_semester).await["range"]["total"], 0);

    // Page 2 of 10 per page does not exist for 6 rows: the last page is shown instead.
    let past_end = teacher.review_page(query("All", None, None, 2, 10)).await;
    assert_eq!(past_end["query"]["page"]["page"], 1);
    assert_eq!(
        past_end["range"],
        json!({ "first": 1, "last": 6, "total": 6 })
    );
    // An unknown page size falls back to 10.
    let odd_size = teacher.review_page(query("All", None, None, 1, 7)).await;
    assert_eq!(odd_size["query"]["page"]["per_page"], 10);
    let options = &page["subjects"];
    assert_eq!(options.as_array().unwrap().len(), 2, "{options}");
}

#[tokio::test]
async fn review_range_stays_right_when_rows_leave_the_filter() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let mut submitted = Vec::new();
    for index in 0..5 {
        submitted.push(
            student
                .submitted_outcome(app.fixture.math, &format!("作品 {index}"))
                .await,
        );
    }
    let undecided = |page: u32| {
        json!({ "semester": null, "state": "Undecided", "homeroom": null, "subject": null,
                "page": { "page": page, "per_page": 10 } })
    };
    let first = teacher.review_page(undecided(1)).await;
    assert_eq!(first["range"], json!({ "first": 1, "last": 5, "total": 5 }));
    // Deciding two takes them out of 待認證.
    teacher.decide(&submitted[..2], "Passed", "").await;
    let after = teacher.review_page(undecided(1)).await;
    assert_eq!(after["range"], json!({ "first": 1, "last": 3, "total": 3 }));
    assert_eq!(after["rows"].as_array().unwrap().len(), 3);
}
