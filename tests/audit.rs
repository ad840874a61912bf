#![cfg(feature = "ssr")]
//! The audit log: one row for every state change of an outcome and for every window, unlock,
//! semester and batch change, written in the same transaction, and browsable by administrators
//! only.

mod common;

use axum::http::StatusCode;
use common::*;
use jiff::civil::date;
use licheng::domain::calendar::{UtcMillis, end_of_taipei_day};
use licheng::domain::window::Window;
use serde_json::{Value, json};

type Row = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Returns the audit rows of one entity, oldest first: (actor login, action, old, new, reason).
async fn rows_of(app: &TestApp, entity: &str, id: i64) -> Vec<Row> {
    sqlx::query_as(
        "SELECT u.login, a.action, a.old_value, a.new_value, a.reason FROM audit_events a \
         JOIN users u ON u.id = a.actor_id WHERE a.entity = $1 AND a.entity_id = $2 ORDER BY a.id",
    )
    .bind(entity)
    .bind(id)
    .fetch_all(app.pool())
    .await
    .unwrap()
}

fn row(
    actor: &str,
    action: &str,
    old: Option<&str>,
    new: Option<&str>,
    reason: Option<&str>,
) -> Row {
    (
        actor.into(),
        action.into(),
        old.map(Into::into),
        new.map(Into::into),
        reason.map(Into::into),
    )
}

fn audit_query(filter: Value) -> Value {
    let mut query = json!({ "entity": null, "entity_id": null, "action": null, "actor": null,
        "from": null, "to": null, "page": { "page": 1, "per_page": 50 } });
    for (key, value) in filter.as_object().unwrap() {
        query[key] = value.clone();
    }
    json!({ "query": query })
}

#[tokio::test]
async fn every_outcome_transition_leaves_one_row() {
    let app = TestApp::new().await;
    app.set_selection_window(Window::from_dates(date(2000, 1, 1), date(2099, 12, 31)))
        .await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;

    // create → submit → 不通過 → changed to 通過 → back to 不通過 → publish.
    let (id, version) = student.submitted_outcome(app.fixture.math, "第一版").await;
    assert_eq!(
        teacher
            .decide(&[(id, version)], "Failed", "檔案不是本課程的作品")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        teacher
            .decide(&[(id, version + 1)], "Passed", "")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        teacher
            .decide(&[(id, version + 2)], "Failed", "仍缺少實驗數據")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        teacher.publish(&[(id, version + 3)]).await.status,
        StatusCode::OK
    );

    // revise the failed item → submit again → 通過 → publish → tick → untick.
    let student_version = student
        .call("outcome_detail", &format!("outcome_id={id}"))
        .await
        .json()["outcome"]["version"]
        .as_i64()
        .unwrap();
    let reply = student
        .upload(
            &format!("/upload/outcomes/{id}"),
            &[
                Part::Text("version", &student_version.to_string()),
                Part::Text("summary", "第二版，補上實驗數據"),
                Part::File {
                    field: "document",
                    name: "第二版.pdf",
                    content_type: "application/pdf",
                    bytes: pdf_bytes("第二版"),
                },
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let version = reply.json()["version"].as_i64().unwrap();
    let reply = student
        .call(
            "submit_outcome",
            &format!("outcome_id={id}&version={version}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let review_version = teacher.version_in_review(id).await;
    assert_eq!(
        teacher
            .decide(&[(id, review_version)], "Passed", "")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        teacher.publish(&[(id, review_version + 1)]).await.status,
        StatusCode::OK
    );
    for selected in [true, false] {
        let reply = student
            .call(
                "set_selection",
                &format!("outcome_id={id}&selected={selected}"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    }

    // A second item: create, then delete the draft.
    let (draft, draft_version) = student.upload_pdf(app.fixture.physics, "草稿").await;
    let reply = student
        .call(
            "delete_outcome",
            &format!("outcome_id={draft}&version={draft_version}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    assert_eq!(
        rows_of(&app, "course_outcome", id).await,
        [
            row(STUDENT, "create", None, Some("draft"), None),
            row(STUDENT, "submit", Some("draft"), Some("pending"), None),
            row(
                TEACHER,
                "decide",
                Some("undecided"),
                Some("failed"),
                Some("檔案不是本課程的作品")
            ),
            row(TEACHER, "decide", Some("failed"), Some("passed"), None),
            row(
                TEACHER,
                "decide",
                Some("passed"),
                Some("failed"),
                Some("仍缺少實驗數據")
            ),
            row(TEACHER, "publish", Some("pending"), Some("failed"), None),
            row(STUDENT, "revise", Some("failed"), Some("draft"), None),
            row(STUDENT, "submit", Some("draft"), Some("pending"), None),
            row(TEACHER, "decide", Some("undecided"), Some("passed"), None),
            row(TEACHER, "publish", Some("pending"), Some("passed"), None),
            row(
                STUDENT,
                "select",
                Some("unselected"),
                Some("selected"),
                None
            ),
            row(
                STUDENT,
                "unselect",
                Some("selected"),
                Some("unselected"),
                None
            ),
        ]
    );
    assert_eq!(
        rows_of(&app, "course_outcome", draft).await,
        [
            row(STUDENT, "create", None, Some("draft"), None),
            row(STUDENT, "delete", Some("draft"), None, None)
        ]
    );
}

#[tokio::test]
async fn refused_changes_leave_no_row() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "已送出").await;
    let before = app
        .count("SELECT COUNT(*) FROM audit_events WHERE entity = 'course_outcome'")
        .await;
    // A stale version, a failure without a reason and a second submit all change nothing.
    assert_eq!(
        teacher
            .decide(&[(id, version + 5)], "Passed", "")
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        teacher.decide(&[(id, version)], "Failed", "").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        student
            .call(
                "submit_outcome",
                &format!("outcome_id={id}&version={version}")
            )
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'course_outcome'")
            .await,
        before
    );
}

#[tokio::test]
async fn administrative_changes_leave_rows() {
    let app = TestApp::new().await;
    app.set_clock(end_of_taipei_day(date(2025, 1, 10)));
    let mut admin = app.login(ADMIN).await;
    let semester = app.fixture.semester.0;

    let reply = admin
        .call_json(
            "update_semester_windows",
            json!({ "input": { "semester": semester, "student_opens_on": "113/08/01", "student_closes_on": "114/02/28",
                "teacher_opens_on": "113/08/01", "teacher_closes_on": "114/03/07", "reason": "校務會議決議延後" } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let reply = admin
        .call_json(
            "update_selection_window",
            json!({ "input": { "school_year": 113, "opens_on": "114/06/01", "closes_on": "114/07/15", "max_selections": "5" } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let reply = admin
        .call_json(
            "create_unlock",
            json!({ "input": { "student_no": "113001", "semester": semester, "closes_on": "114/03/10", "reason": "生病住院，補交作品" } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let reply = admin
        .call_json(
            "create_semester",
            json!({ "input": { "school_year": "113", "semester": 2, "starts_on": "2025-02-05", "ends_on": "2025-07-31",
                "closing_day": "2025-06-30", "make_current": true } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    let actions: Vec<Row> = sqlx::query_as(
        "SELECT a.entity, a.action, a.old_value, a.new_value, a.reason FROM audit_events a \
         WHERE a.action <> 'login' ORDER BY a.id",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    let summary: Vec<(&str, &str)> = actions
        .iter()
        .map(|(entity, action, ..)| (entity.as_str(), action.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("semester", "student_window"),
            ("semester", "teacher_window"),
            ("school_year", "selection_window"),
            ("school", "max_selections"),
            ("student", "unlock"),
            ("semester", "create"),
            ("semester", "make_current"),
        ]
    );
    assert_eq!(actions[0].4.as_deref(), Some("校務會議決議延後"));
    assert_eq!(actions[1].4.as_deref(), Some("校務會議決議延後"));
    assert_eq!(actions[2].4, None, "no reason given");
    let unlock = &actions[4];
    assert_eq!(
        unlock.3.as_deref(),
        Some("1131 114/01/10 23:59:59 ~ 114/03/10 23:59:59")
    );
    assert_eq!(unlock.4.as_deref(), Some("生病住院，補交作品"));
    let limit = &actions[3];
    assert_eq!(
        (limit.2.as_deref(), limit.3.as_deref()),
        (Some("6"), Some("5"))
    );
}

#[tokio::test]
async fn audit_log_filters_for_administrators_only() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (id, _) = student.submitted_outcome(app.fixture.math, "送出").await;
    student.upload_pdf(app.fixture.physics, "草稿").await;

    for login in [STUDENT, TEACHER, SUBMITTER] {
        let mut client = app.login(login).await;
        assert_eq!(
            client
                .call_json("audit", audit_query(json!({})))
                .await
                .status,
            StatusCode::FORBIDDEN,
            "{login}"
        );
    }
    let mut admin = app.login(ADMIN).await;
    let page = admin
        .call_json(
            "audit",
            audit_query(json!({ "entity": "course_outcome", "entity_id": id })),
        )
        .await
        .json();
    let actions: Vec<&str> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["submit", "create"], "newest first");
    let name = page["rows"][0]["entity_name"].as_str().unwrap();
    assert!(
        name.starts_with("113001 ") && name.ends_with(" 數學A"),
        "the outcome is named by 學號, name and subject: {name}"
    );
    let page = admin
        .call_json(
            "audit",
            audit_query(json!({ "action": "create", "actor": STUDENT })),
        )
        .await
        .json();
    assert_eq!(page["range"]["total"], 2);
    let page = admin
        .call_json(
            "audit",
            audit_query(json!({ "action": "create", "actor": TEACHER })),
        )
        .await
        .json();
    assert_eq!(page["range"]["total"], 0);

    // Dates are whole Taiwan days: the fixture's clock day holds every row, the day before none.
    let today = UtcMillis::now().to_roc_date();
    let page = admin
        .call_json(
            "audit",
            audit_query(json!({ "from": today, "to": today, "action": "create" })),
        )
        .await
        .json();
    assert_eq!(page["range"]["total"], 2, "{page}");
    let reply = admin
        .call_json("audit", audit_query(json!({ "from": "114/13/01" })))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.text().contains("114/13/01"), "{}", reply.text());
}
