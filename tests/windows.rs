#![cfg(feature = "ssr")]
//! Windows checked to the millisecond in Taiwan days whatever the server's zone: the student
//! window (and per-student unlocks), the teacher window, and an upload that outlives its
//! deadline.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use jiff::civil::date;
use licheng::domain::calendar::{UtcMillis, end_of_taipei_day, start_of_taipei_day};
use licheng::domain::window::{SemesterWindows, Window};
use serde_json::json;

/// 114/02/28 23:59:59.999 in Taiwan: the last millisecond of the student window used here.
fn student_deadline() -> UtcMillis {
    end_of_taipei_day(date(2025, 2, 28))
}

fn teacher_deadline() -> UtcMillis {
    end_of_taipei_day(date(2025, 3, 7))
}

fn windows() -> SemesterWindows {
    SemesterWindows {
        student: Window::from_dates(date(2024, 8, 1), date(2025, 2, 28)),
        teacher: Window::from_dates(date(2024, 8, 1), date(2025, 3, 7)),
    }
}

async fn app_with_windows() -> TestApp {
    let app = TestApp::new().await;
    app.set_windows(windows()).await;
    app.set_clock(UtcMillis(student_deadline().0 - 86_400_000));
    app
}

fn closed(kind: &str, at: UtcMillis) -> serde_json::Value {
    json!({ "WindowClosed": { "kind": kind, "closed_at": at.0 } })
}

#[test]
fn deadline_is_taiwan_time_whatever_the_zone() {
    // 23:59:59 on 114/02/28 in Taiwan is 15:59:59 UTC; the conversion uses the compiled-in
    // Asia/Taipei rules, never the zone the server runs in.
    assert_eq!(
        student_deadline().0,
        "2025-02-28T15:59:59.999Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond()
    );
    assert_eq!(student_deadline().to_roc_datetime(), "114/02/28 23:59:59");
}

#[tokio::test]
async fn last_second_of_student_window_is_inside() {
    let app = app_with_windows().await;
    let mut student = app.login(STUDENT).await;
    let (id, version) = student.upload_pdf(app.fixture.math, "最後一刻").await;
    // 23:59:59 on the last day, the start of the second.
    app.set_clock(UtcMillis(student_deadline().0 - 999));
    let reply = student
        .call(
            "submit_outcome",
            &format!("outcome_id={id}&version={version}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

#[tokio::test]
async fn midnight_after_student_window_is_outside() {
    let app = app_with_windows().await;
    let mut student = app.login(STUDENT).await;
    let (id, version) = student.upload_pdf(app.fixture.math, "晚了一秒").await;
    app.set_clock(UtcMillis(student_deadline().0 + 1));
    let reply = student
        .call(
            "submit_outcome",
            &format!("outcome_id={id}&version={version}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text());
    assert_eq!(reply.json(), closed("Student", student_deadline()));
    let reply = student
        .call(
            "delete_outcome",
            &format!("outcome_id={id}&version={version}"),
        )
        .await;
    assert_eq!(reply.json(), closed("Student", student_deadline()));
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
    assert_eq!(reply.json(), closed("Student", student_deadline()));
    let course = app.fixture.math.0.to_string();
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "太晚"),
                Part::File {
                    field: "document",
                    name: "a.pdf",
                    content_type: "application/pdf",
                    bytes: pdf_bytes("late"),
                },
            ],
        )
        .await;
    assert_eq!(reply.json(), closed("Student", student_deadline()));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM course_outcomes").await,
        1,
        "only the draft from before"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM outcome_reviews").await, 0);
    // The page says why the buttons are gone.
    let overview = student.call("my_outcomes", "").await.json();
    assert_eq!(
        overview["semesters"][0]["window"]["info"]["state"],
        json!({ "Closed": { "closed_at": student_deadline().0 } })
    );
}

#[tokio::test]
async fn student_window_not_yet_open_is_refused() {
    let app = app_with_windows().await;
    let mut student = app.login(STUDENT).await;
    app.set_clock(UtcMillis(start_of_taipei_day(date(2024, 8, 1)).0 - 1));
    let course = app.fixture.math.0.to_string();
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "太早"),
                Part::File {
                    field: "document",
                    name: "a.pdf",
                    content_type: "application/pdf",
                    bytes: pdf_bytes("early"),
                },
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(
        reply.json(),
        json!({ "WindowNotOpen": { "kind": "Student", "opens_at": start_of_taipei_day(date(2024, 8, 1)).0 } })
    );
}

#[tokio::test]
async fn upload_finishing_after_deadline_stores_nothing() {
    let app = app_with_windows().await;
    let student = app.login(STUDENT).await;
    app.set_clock(UtcMillis(student_deadline().0 - 5_000));
    let course = app.fixture.math.0.to_string();
    let body = multipart(&[
        Part::Text("course_id", &course),
        Part::Text("summary", "上傳到一半截止"),
        Part::File {
            field: "document",
            name: "slow.jpg",
            content_type: "image/jpeg",
            bytes: jpeg_bytes(200_000),
        },
    ]);
    // The first half arrives before the deadline, the rest after it.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(2);
    let stream = tokio_stream::wrappers::ReceiverStream::new(receiver);
    let request = Request::builder()
        .method(Method::POST)
        .uri("/upload/outcomes")
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .header(header::COOKIE, student.cookie.clone().unwrap())
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from_stream(stream))
        .unwrap();
    let clock = app.state.clock.clone();
    let half = body.len() / 2;
    let (first, second) = (
        bytes::Bytes::copy_from_slice(&body[..half]),
        bytes::Bytes::copy_from_slice(&body[half..]),
    );
    let feeder = tokio::spawn(async move {
        sender.send(Ok(first)).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        clock.set(UtcMillis(student_deadline().0 + 1));
        sender.send(Ok(second)).await.unwrap();
    });
    let reply = student.send_request(request).await;
    feeder.await.unwrap();
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text());
    assert_eq!(reply.json(), closed("Student", student_deadline()));
    assert_eq!(app.count("SELECT COUNT(*) FROM course_outcomes").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM stored_files").await, 0);
    let (temporary, _) = app.stored_objects();
    assert_eq!(temporary, 0, "no temporary upload is left");
}

#[tokio::test]
async fn teacher_certifies_until_own_window_closes() {
    let app = app_with_windows().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let (first, v1) = student
        .submitted_outcome(app.fixture.math, "準時送出一")
        .await;
    let (second, v2) = student
        .submitted_outcome(app.fixture.physics, "準時送出二")
        .await;
    // After the student window, the teacher still certifies what arrived in time.
    app.set_clock(UtcMillis(student_deadline().0 + 1));
    let reply = teacher.decide(&[(first, v1)], "Passed", "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let page = teacher.review_page(all_query()).await;
    assert_eq!(page["deadlines"][0]["undecided"], 1);
    assert_eq!(page["deadlines"][0]["unpublished"], 1);
    assert_eq!(
        page["deadlines"][0]["window"]["window"]["closes_at"],
        teacher_deadline().0
    );
    // The last millisecond of the teacher window is inside.
    app.set_clock(teacher_deadline());
    let reply = teacher.publish(&[(first, v1 + 1)]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    // One millisecond later nothing more can be certified or published.
    app.set_clock(UtcMillis(teacher_deadline().0 + 1));
    let reply = teacher.decide(&[(second, v2)], "Passed", "").await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.json(), closed("Teacher", teacher_deadline()));
    // 全部發佈 of a decided item after the window returns the closed-window error.
    let reply = teacher
        .call_json("publish_all", json!({ "query": all_query() }))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    app.set_clock(teacher_deadline());
    let reply = teacher.decide(&[(second, v2)], "Passed", "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    app.set_clock(UtcMillis(teacher_deadline().0 + 1));
    let reply = teacher
        .call_json("publish_all", json!({ "query": all_query() }))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text());
    assert_eq!(reply.json(), closed("Teacher", teacher_deadline()));
    let page = teacher.review_page(all_query()).await;
    assert!(
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["editable"] == false)
    );
    assert_eq!(page["closed"][0]["undecided"], 0);
    assert_eq!(page["closed"][0]["unpublished"], 1);
    assert_eq!(page["deadlines"], json!([]));
}

#[tokio::test]
async fn unlock_opens_one_student_for_its_period() {
    let app = app_with_windows().await;
    let mut student = app.login(STUDENT).await;
    let mut classmate = app.login(CLASSMATE).await;
    let mut admin = app.login(ADMIN).await;
    let unlock_start = UtcMillis(student_deadline().0 + 3 * 86_400_000);
    app.set_clock(unlock_start);
    let reply = admin
        .call_json(
            "create_unlock",
            json!({ "input": { "student_no": "113001", "semester": app.fixture.semester.0, "closes_on": "114/03/10", "reason": "生病住院，補交作品" } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let unlock_end = end_of_taipei_day(date(2025, 3, 10));

    // Inside the unlock, the student may upload and submit; the classmate may not.
    let (id, version) = student.upload_pdf(app.fixture.math, "補交").await;
    let overview = student.call("my_outcomes", "").await.json();
    assert_eq!(
        overview["semesters"][0]["window"]["unlock_reason"],
        "生病住院，補交作品"
    );
    let course = app.fixture.math.0.to_string();
    let reply = classmate
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "我也想補交"),
                Part::File {
                    field: "document",
                    name: "a.pdf",
                    content_type: "application/pdf",
                    bytes: pdf_bytes("x"),
                },
            ],
        )
        .await;
    assert_eq!(reply.json(), closed("Student", student_deadline()));
    // The last millisecond of the unlock is inside; the next is outside.
    app.set_clock(unlock_end);
    let reply = student
        .call(
            "submit_outcome",
            &format!("outcome_id={id}&version={version}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    app.set_clock(UtcMillis(unlock_end.0 + 1));
    let later = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "太晚"),
                Part::File {
                    field: "document",
                    name: "b.pdf",
                    content_type: "application/pdf",
                    bytes: pdf_bytes("y"),
                },
            ],
        )
        .await;
    assert_eq!(later.json(), closed("Student", student_deadline()));
    // Before the unlock began, it did not apply either.
    app.set_clock(UtcMillis(unlock_start.0 - 1));
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "太早"),
                Part::File {
                    field: "document",
                    name: "c.pdf",
                    content_type: "application/pdf",
                    bytes: pdf_bytes("z"),
                },
            ],
        )
        .await;
    assert_eq!(reply.json(), closed("Student", student_deadline()));
    // The unlock is recorded, with its reason.
    let reason: String =
        sqlx::query_scalar("SELECT reason FROM audit_events WHERE action = 'unlock'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(reason, "生病住院，補交作品");
    let list = admin.call("unlocks", "").await.json();
    assert_eq!(list[0]["student_no"], "113001");
}

#[tokio::test]
async fn unlock_input_errors_name_the_value() {
    let app = app_with_windows().await;
    let mut admin = app.login(ADMIN).await;
    let semester = app.fixture.semester.0;
    let cases = [
        (
            json!({ "student_no": "999999", "semester": semester, "closes_on": "2099-01-01", "reason": "r" }),
            json!({ "StudentNotFound": { "student_no": "999999" } }),
        ),
        (
            json!({ "student_no": "113001", "semester": semester, "closes_on": "明天", "reason": "r" }),
            json!({ "InvalidDate": { "field": "開放至", "value": "明天" } }),
        ),
        (
            json!({ "student_no": "113001", "semester": semester, "closes_on": "2099-01-01", "reason": " " }),
            json!({ "UnlockReason": "Missing" }),
        ),
    ];
    for (input, expected) in cases {
        let reply = admin
            .call_json("create_unlock", json!({ "input": input }))
            .await;
        assert_eq!(reply.json(), expected);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM student_unlocks").await, 0);
}

#[tokio::test]
async fn semester_and_limit_errors_name_the_value() {
    let app = app_with_windows().await;
    let mut admin = app.login(ADMIN).await;
    let semester = |year: &str| {
        json!({ "input": { "school_year": year, "semester": 2, "starts_on": "114/02/05",
            "ends_on": "114/07/31", "closing_day": "", "make_current": false } })
    };
    let invalid = |field: &str, value: &str, min: i64, max: i64| json!({ "InvalidNumber": { "field": field, "value": value, "min": min, "max": max } });
    let cases = [
        (semester("abc"), invalid("學年度", "abc", 100, 200)),
        (semester(""), invalid("學年度", "", 100, 200)),
        (semester("2025"), invalid("學年度", "2025", 100, 200)),
        (
            semester("113"),
            json!({ "SemesterExists": { "semester": { "school_year": 113, "semester": "First" } } }),
        ),
    ];
    // The fixture's semester is 1131; make the duplicate case hit it.
    let mut cases = cases.to_vec();
    cases[3].0["input"]["semester"] = json!(1);
    let before = app.count("SELECT COUNT(*) FROM semesters").await;
    for (input, expected) in cases {
        let reply = admin.call_json("create_semester", input).await;
        assert_eq!(reply.json(), expected);
        assert_ne!(reply.status, StatusCode::OK);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM semesters").await, before);
    // Full-width digits, as a Chinese input method types them, are read.
    let reply = admin.call_json("create_semester", semester("１１３")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    let limit = |max: &str| json!({ "input": { "school_year": 113, "opens_on": "114/06/01", "closes_on": "114/07/15", "max_selections": max } });
    for (value, expected) in [("0", "0"), ("七", "七"), (" 51 ", "51")] {
        let reply = admin
            .call_json("update_selection_window", limit(value))
            .await;
        assert_eq!(reply.json(), invalid("每學年勾選上限", expected, 1, 50));
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_events WHERE action IN ('selection_window', 'max_selections')").await, 0,
        "a refused form changes nothing, not even the valid window");
    assert_eq!(
        admin
            .call_json("update_selection_window", limit("6"))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn window_changes_are_audited() {
    let app = app_with_windows().await;
    let mut admin = app.login(ADMIN).await;
    let input = json!({ "input": {
        "semester": app.fixture.semester.0,
        "student_opens_on": "2024-08-01", "student_closes_on": "114/03/01",
        "teacher_opens_on": "2024-08-01", "teacher_closes_on": "2025-03-07",
    } });
    let reply = admin.call_json("update_semester_windows", input).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let (old, new): (String, String) = sqlx::query_as(
        "SELECT old_value, new_value FROM audit_events WHERE action = 'student_window'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(old, "113/08/01 00:00:00 ~ 114/02/28 23:59:59");
    assert_eq!(new, "113/08/01 00:00:00 ~ 114/03/01 23:59:59");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'teacher_window'")
            .await,
        0,
        "unchanged window, no row"
    );
    let reversed = json!({ "input": {
        "semester": app.fixture.semester.0,
        "student_opens_on": "2025-03-01", "student_closes_on": "2025-02-01",
        "teacher_opens_on": "2024-08-01", "teacher_closes_on": "2025-03-07",
    } });
    assert_eq!(
        admin
            .call_json("update_semester_windows", reversed)
            .await
            .json(),
        json!({ "WindowReversed": { "field": "學生上傳期間" } })
    );
    let page = admin.call_json("audit", json!({ "query": { "entity": "semester", "entity_id": null, "action": null, "actor": "a100",
        "from": null, "to": null, "page": { "page": 1, "per_page": 20 } } })).await.json();
    assert_eq!(page["range"]["total"], 1);
}

#[tokio::test]
async fn new_semester_gets_default_windows() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let reply = admin
        .call_json(
            "create_semester",
            json!({ "input": { "school_year": "113", "semester": 2, "starts_on": "2025-02-05",
            "ends_on": "2025-07-31", "closing_day": "2025-06-30", "make_current": true } }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let page = admin.call("admin_windows", "").await.json();
    let created = page["semesters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["code"]["semester"] == "Second" && row["code"]["school_year"] == 113)
        .unwrap()
        .clone();
    assert_eq!(created["is_current"], true);
    assert_eq!(
        created["windows"]["student"]["closes_at"],
        end_of_taipei_day(date(2025, 7, 14)).0,
        "closing ceremony + 14 days"
    );
    assert_eq!(
        created["windows"]["teacher"]["closes_at"],
        end_of_taipei_day(date(2025, 7, 21)).0,
        "7 days more"
    );
    let current: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM semesters WHERE is_current = 1 AND school_id = $1",
    )
    .bind(app.fixture.school.0)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(current, 1, "one current semester per school");
}

#[tokio::test]
async fn only_administrators_change_windows() {
    let app = TestApp::new().await;
    for login in [STUDENT, TEACHER, SUBMITTER] {
        let mut client = app.login(login).await;
        for (endpoint, arguments) in [
            (
                "update_semester_windows",
                json!({ "input": { "semester": app.fixture.semester.0, "student_opens_on": "2024-08-01",
                "student_closes_on": "2024-08-02", "teacher_opens_on": "2024-08-01", "teacher_closes_on": "2024-08-02" } }),
            ),
            (
                "create_unlock",
                json!({ "input": { "student_no": "113001", "semester": app.fixture.semester.0, "closes_on": "2099-01-01", "reason": "r" } }),
            ),
            (
                "audit",
                json!({ "query": { "entity": null, "entity_id": null, "action": null, "actor": null, "from": null, "to": null,
                "page": { "page": 1, "per_page": 20 } } }),
            ),
        ] {
            let reply = client.call_json(endpoint, arguments).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{login} {endpoint}");
        }
        assert_eq!(
            client.call("admin_windows", "").await.status,
            StatusCode::FORBIDDEN,
            "{login}"
        );
    }
}
