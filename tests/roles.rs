#![cfg(feature = "ssr")]
//! 代理人, 導師 and role switching through the real router: a delegate certifies a course only
//! within the period and each decision records for whom; a homeroom teacher reads only the
//! own homeroom; a user with several roles acts in one at a time.

mod common;

use axum::http::StatusCode;
use common::*;
use licheng::domain::calendar::UtcMillis;
use licheng::domain::role::Role;

const DAY: i64 = 24 * 3600 * 1000;

/// Returns the Taiwan date `days` after the app's clock as `YYYY-MM-DD`.
fn day(app: &TestApp, days: i64) -> String {
    let now = app.state.clock.now();
    UtcMillis(now.0 + days * DAY).taipei_date().to_string()
}

/// Names a delegate for a course as `caller`; returns the reply.
async fn name_delegate(
    caller: &mut Client,
    course: i64,
    login: &str,
    starts_on: &str,
    ends_on: &str,
) -> Reply {
    caller
        .call(
            "add_delegation",
            &format!(
                "course_id={course}&delegate_login={login}&starts_on={starts_on}&ends_on={ends_on}"
            ),
        )
        .await
}

/// Makes `user` the 導師 of the fixture's homeroom 201, with the role.
async fn make_homeroom_teacher(app: &TestApp, user: licheng::domain::ids::UserId) {
    sqlx::query("UPDATE homerooms SET homeroom_teacher_id = $1 WHERE id = $2")
        .bind(user.0)
        .bind(app.fixture.homeroom_201.0)
        .execute(app.pool())
        .await
        .unwrap();
    let mut tx = app.state.db.begin_write().await.unwrap();
    licheng::server::db::users::add_role(&mut tx, app.fixture.school, user, Role::HomeroomTeacher)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn switch_role(client: &mut Client, role: &str) -> Reply {
    client.call("switch_role", &format!("role={role}")).await
}

#[tokio::test]
async fn delegate_certifies_inside_period_for_course_teacher() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let reply = name_delegate(
        &mut admin,
        app.fixture.math.0,
        OTHER_TEACHER,
        &day(&app, -1),
        &day(&app, 1),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    let mut student = app.login(STUDENT).await;
    let (id, _) = student
        .submitted_outcome(app.fixture.math, "函數作業")
        .await;
    let mut delegate = app.login(OTHER_TEACHER).await;
    let page = delegate.review_page(all_query()).await;
    let row = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["outcome_id"] == id)
        .cloned()
        .expect("the delegated course's outcome is listed");
    assert_eq!(row["delegated_from"], "林老師");

    let version = row["version"].as_i64().unwrap();
    let reply = delegate.decide(&[(id, version)], "Passed", "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let (certifier, on_behalf): (i64, Option<i64>) = sqlx::query_as(
        "SELECT certifier_id, on_behalf_of FROM outcome_reviews WHERE outcome_id = $1",
    )
    .bind(id)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(
        certifier, app.fixture.other_teacher.0,
        "the delegate decided"
    );
    assert_eq!(
        on_behalf,
        Some(app.fixture.teacher.0),
        "for the course teacher"
    );

    let reply = delegate.publish(&[(id, version + 1)]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let audited = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE entity = 'course_outcome' AND entity_id = {id} \
             AND action IN ('decide', 'publish') AND actor_id = {} AND on_behalf_of = {}",
            app.fixture.other_teacher.0, app.fixture.teacher.0
        ))
        .await;
    assert_eq!(audited, 2, "decision and publication audited as 代理");

    let overview = student.call("my_outcomes", "").await.json();
    let text = overview.to_string();
    assert!(text.contains("\"certifier\":\"王老師\""), "{text}");
    assert!(text.contains("\"certifier_for\":\"林老師\""), "{text}");
}

#[tokio::test]
async fn delegate_refused_before_and_after_period() {
    let app = TestApp::new().await;
    let mut teacher = app.login(TEACHER).await;
    let reply = name_delegate(
        &mut teacher,
        app.fixture.math.0,
        OTHER_TEACHER,
        &day(&app, 2),
        &day(&app, 4),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let mut student = app.login(STUDENT).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "幾何").await;
    let mut delegate = app.login(OTHER_TEACHER).await;

    let page = delegate.review_page(all_query()).await;
    assert!(
        !page.to_string().contains("幾何"),
        "not listed before the period"
    );
    let reply = delegate.decide(&[(id, version)], "Passed", "").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());

    let now = app.state.clock.now();
    app.set_clock(UtcMillis(now.0 + 3 * DAY));
    let reply = delegate.decide(&[(id, version)], "Passed", "").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "inside the period: {}",
        reply.text()
    );

    app.set_clock(UtcMillis(now.0 + 6 * DAY));
    let reply = delegate.publish(&[(id, version + 1)]).await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "after the period: {}",
        reply.text()
    );
    let reply = teacher.publish(&[(id, version + 1)]).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the course teacher still can: {}",
        reply.text()
    );
}

#[tokio::test]
async fn course_teacher_decision_records_no_delegate() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "統計").await;
    let mut teacher = app.login(TEACHER).await;
    let reply = teacher.decide(&[(id, version)], "Passed", "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let (certifier, on_behalf): (i64, Option<i64>) = sqlx::query_as(
        "SELECT certifier_id, on_behalf_of FROM outcome_reviews WHERE outcome_id = $1",
    )
    .bind(id)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(certifier, app.fixture.teacher.0);
    assert_eq!(on_behalf, None);
}

#[tokio::test]
async fn delegation_rejects_invalid_delegates_and_periods() {
    let app = TestApp::new().await;
    let mut teacher = app.login(TEACHER).await;
    let math = app.fixture.math.0;
    let (today, later) = (day(&app, 0), day(&app, 5));
    let cases = [
        (
            FOREIGN_TEACHER,
            today.clone(),
            later.clone(),
            "UnknownPerson",
        ),
        ("nobody", today.clone(), later.clone(), "UnknownPerson"),
        ("", today.clone(), later.clone(), "DelegateMissing"),
        (STUDENT, today.clone(), later.clone(), "IsStudent"),
        (SUBMITTER, today.clone(), later.clone(), "NotTeacher"),
        (TEACHER, today.clone(), later.clone(), "SelfDelegation"),
        (
            OTHER_TEACHER,
            later.clone(),
            today.clone(),
            "EndsBeforeStarts",
        ),
        (OTHER_TEACHER, day(&app, -5), day(&app, -1), "EndsInPast"),
    ];
    for (login, starts_on, ends_on, expected) in cases {
        let reply = name_delegate(&mut teacher, math, login, &starts_on, &ends_on).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{login} {starts_on}..{ends_on}: {}",
            reply.text()
        );
        assert!(
            reply.text().contains(expected),
            "{login}: expected {expected}, got {}",
            reply.text()
        );
    }

    let reply = name_delegate(&mut teacher, math, OTHER_TEACHER, &today, &later).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let mut admin = app.login(ADMIN).await;
    let overlapping = name_delegate(&mut admin, math, OTHER_TEACHER, &later, &day(&app, 9)).await;
    assert_eq!(overlapping.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        overlapping.text().contains("Overlapping"),
        "{}",
        overlapping.text()
    );
    assert_eq!(
        overlapping.json()["Delegation"]["Overlapping"]["name"],
        serde_json::json!(display_name_of(&app, OTHER_TEACHER).await),
        "the overlap names the delegate as the page does"
    );

    let bad_date = name_delegate(&mut teacher, math, OTHER_TEACHER, "113/13/40", &later).await;
    assert_eq!(bad_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_date.text().contains("InvalidDate"),
        "{}",
        bad_date.text()
    );
}

#[tokio::test]
async fn delegation_limited_to_own_courses_and_staff() {
    let app = TestApp::new().await;
    let (today, later) = (day(&app, 0), day(&app, 5));
    let mut other = app.login(OTHER_TEACHER).await;
    let reply = name_delegate(&mut other, app.fixture.math.0, ADMIN, &today, &later).await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "another teacher's course"
    );
    let mut student = app.login(STUDENT).await;
    let reply = name_delegate(
        &mut student,
        app.fixture.math.0,
        OTHER_TEACHER,
        &today,
        &later,
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "a student");
    let mut foreign = app.login(FOREIGN_TEACHER).await;
    let reply = name_delegate(
        &mut foreign,
        app.fixture.math.0,
        OTHER_TEACHER,
        &today,
        &later,
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "another school's teacher"
    );
    let reply = foreign.call("delegation_page", "").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        !reply.text().contains("林老師"),
        "no course of the other school: {}",
        reply.text()
    );
}

#[tokio::test]
async fn delegation_removal_is_audited_and_ends_access() {
    let app = TestApp::new().await;
    let mut teacher = app.login(TEACHER).await;
    let reply = name_delegate(
        &mut teacher,
        app.fixture.math.0,
        OTHER_TEACHER,
        &day(&app, 0),
        &day(&app, 3),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let delegation = reply.json().as_i64().unwrap();
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_events WHERE entity = 'course' AND action = 'delegate_add'"
        )
        .await,
        1
    );
    let page = teacher.call("delegation_page", "").await;
    assert!(page.text().contains("王老師"), "{}", page.text());

    let mut student = app.login(STUDENT).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "向量").await;
    let mut other = app.login(OTHER_TEACHER).await;
    let reply = other
        .call("remove_delegation", &format!("delegation_id={delegation}"))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "the delegate cannot remove it: {}",
        reply.text()
    );

    let reply = teacher
        .call("remove_delegation", &format!("delegation_id={delegation}"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE entity = 'course' AND action = 'delegate_remove'")
            .await,
        1
    );
    let reply = other.decide(&[(id, version)], "Passed", "").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
}

#[tokio::test]
async fn homeroom_teacher_reads_own_homeroom() {
    let app = TestApp::new().await;
    make_homeroom_teacher(&app, app.fixture.other_teacher).await;
    let mut student = app.login(STUDENT).await;
    student
        .submitted_outcome(app.fixture.math, "送出的作品")
        .await;
    student.upload_pdf(app.fixture.physics, "草稿作品").await;

    let mut homeroom = app.login(OTHER_TEACHER).await;
    let reply = switch_role(&mut homeroom, "HomeroomTeacher").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let reply = homeroom.call("homeroom_page", "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let page = reply.json();
    let students = page["students"].as_array().unwrap();
    assert_eq!(students.len(), 1, "only homeroom 201's student");
    assert_eq!(students[0]["student_no"], "113001");
    assert_eq!(students[0]["seat_no"], 1);
    assert_eq!(students[0]["counts"]["pending"], 1);
    assert_eq!(students[0]["counts"]["draft"], 1);
    let courses = page["courses"].as_array().unwrap();
    assert_eq!(courses.len(), 1);
    assert_eq!(courses[0]["subject"], "數學A");
    assert_eq!(courses[0]["undecided"], 1);

    let reply = homeroom
        .call(
            "homeroom_student",
            &format!(
                "homeroom={}&student={}",
                app.fixture.homeroom_201.0, app.fixture.student.0
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let record = reply.json();
    assert_eq!(record["outcomes"].as_array().unwrap().len(), 2);
    assert_eq!(record["school_name"], "測試高中");
    assert!(
        !reply.text().contains("A123") && !reply.text().contains("6789"),
        "no national ID: {}",
        reply.text()
    );

    let sheet = homeroom
        .get(&format!(
            "/homeroom/{}/students/{}/sheet",
            app.fixture.homeroom_201.0, app.fixture.student.0
        ))
        .await;
    assert_eq!(sheet.status, StatusCode::OK);
    let html = sheet.text();
    assert!(
        html.contains("陳同學") && html.contains("學生簽名"),
        "{html}"
    );
    assert!(!html.contains("A123456789"), "no national ID on the sheet");
}

#[tokio::test]
async fn homeroom_teacher_refused_other_homerooms_and_schools() {
    let app = TestApp::new().await;
    make_homeroom_teacher(&app, app.fixture.other_teacher).await;
    // Homeroom 202 has a 導師 of its own, so "led by someone" is not enough.
    sqlx::query("UPDATE homerooms SET homeroom_teacher_id = $1 WHERE id = $2")
        .bind(app.fixture.teacher.0)
        .bind(app.fixture.homeroom_202.0)
        .execute(app.pool())
        .await
        .unwrap();
    let mut homeroom = app.login(OTHER_TEACHER).await;
    switch_role(&mut homeroom, "HomeroomTeacher").await;

    let reply = homeroom
        .call(
            "homeroom_page",
            &format!("homeroom={}", app.fixture.homeroom_202.0),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "homeroom 202: {}",
        reply.text()
    );
    for (room, student) in [
        (app.fixture.homeroom_202.0, app.fixture.classmate.0),
        (app.fixture.homeroom_201.0, app.fixture.classmate.0),
        (app.fixture.homeroom_201.0, app.fixture.foreign_student.0),
    ] {
        let reply = homeroom
            .call(
                "homeroom_student",
                &format!("homeroom={room}&student={student}"),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{room}/{student}: {}",
            reply.text()
        );
    }

    // A homeroom teacher of another school reads nothing of this one.
    let mut tx = app.state.db.begin_write().await.unwrap();
    licheng::server::db::users::add_role(
        &mut tx,
        app.fixture.other_school,
        app.fixture.foreign_teacher,
        Role::HomeroomTeacher,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut foreign = app.login(FOREIGN_TEACHER).await;
    switch_role(&mut foreign, "HomeroomTeacher").await;
    let reply = foreign
        .call(
            "homeroom_page",
            &format!("homeroom={}", app.fixture.homeroom_201.0),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
    let reply = foreign
        .call(
            "homeroom_student",
            &format!(
                "homeroom={}&student={}",
                app.fixture.homeroom_201.0, app.fixture.student.0
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());

    let mut teacher = app.login(TEACHER).await;
    let reply = teacher.call("homeroom_page", "").await;
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "a course teacher who is no 導師"
    );
}

async fn display_name_of(app: &TestApp, login: &str) -> String {
    sqlx::query_scalar("SELECT display_name FROM users WHERE login = $1")
        .bind(login)
        .fetch_one(app.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn role_switch_changes_active_role_only() {
    let app = TestApp::new().await;
    make_homeroom_teacher(&app, app.fixture.other_teacher).await;
    let mut user = app.login(OTHER_TEACHER).await;
    let session = user.call("session", "").await.json();
    assert_eq!(session["active_role"], "Teacher", "teacher first");
    assert_eq!(session["roles"].as_array().unwrap().len(), 2);

    let reply = user.call("homeroom_page", "").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "acting as teacher");
    assert_eq!(
        reply.json(),
        serde_json::json!({ "RoleNotActive": { "role": "HomeroomTeacher" } }),
        "a held role that is not active gets a hint to switch"
    );
    let reply = user
        .call_json("review_page", serde_json::json!({ "query": all_query() }))
        .await;
    assert_eq!(reply.status, StatusCode::OK);

    let reply = switch_role(&mut user, "Admin").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "a role not held");

    let reply = switch_role(&mut user, "HomeroomTeacher").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["active_role"], "HomeroomTeacher");
    let reply = user.call("homeroom_page", "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let reply = user
        .call_json("review_page", serde_json::json!({ "query": all_query() }))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "least privilege");

    // Another login of the same account keeps its own active role.
    let mut second = app.login(OTHER_TEACHER).await;
    let session = second.call("session", "").await.json();
    assert_eq!(session["active_role"], "Teacher");

    let reply = switch_role(&mut user, "Teacher").await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = user
        .call_json("review_page", serde_json::json!({ "query": all_query() }))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}
