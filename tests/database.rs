#![cfg(feature = "ssr")]
//! Guarantees that the SQL itself gives, tested below the services: on PostgreSQL two
//! transactions can both pass a check made in Rust, so the statements must hold on their own.

mod common;

use common::*;
use licheng::domain::calendar::UtcMillis;
use licheng::domain::ids::OutcomeId;
use licheng::server::db::outcomes::Token;

#[tokio::test]
async fn claim_version_lets_one_writer_win() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (id, version) = student.upload_pdf(app.fixture.math, "作品").await;
    let db = &app.state.db;
    let school = app.fixture.school;
    let mut tx = db.begin_write().await.unwrap();
    let first = licheng::server::db::outcomes::claim_version(
        &mut tx,
        school,
        OutcomeId(id),
        Token::Student(version),
        UtcMillis::now(),
    )
    .await
    .unwrap();
    let second = licheng::server::db::outcomes::claim_version(
        &mut tx,
        school,
        OutcomeId(id),
        Token::Student(version),
        UtcMillis::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(first, "the first claim at the stored version wins");
    assert!(
        !second,
        "a second claim at the same, now stale, version loses"
    );
    let stored: i64 = sqlx::query_scalar("SELECT version FROM course_outcomes")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(stored, version + 1);
}

#[tokio::test]
async fn claim_version_is_scoped_to_the_school() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (id, version) = student.upload_pdf(app.fixture.math, "作品").await;
    let mut tx = app.state.db.begin_write().await.unwrap();
    let won = licheng::server::db::outcomes::claim_version(
        &mut tx,
        app.fixture.other_school,
        OutcomeId(id),
        Token::Student(version),
        UtcMillis::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(!won, "another school cannot claim the outcome");
}

#[tokio::test]
async fn second_notification_for_a_review_is_rejected() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "作品").await;
    teacher.decide(&[(id, version)], "Passed", "").await;
    teacher.publish(&[(id, version + 1)]).await;
    let review: i64 = sqlx::query_scalar("SELECT id FROM outcome_reviews")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let mut tx = app.state.db.begin_write().await.unwrap();
    let again = licheng::server::db::notifications::insert_published(
        &mut tx,
        app.fixture.school,
        app.fixture.student,
        OutcomeId(id),
        licheng::domain::ids::ReviewId(review),
        UtcMillis::now(),
    )
    .await;
    assert!(
        again.is_err(),
        "the unique key keeps one notification per published review"
    );
}

#[tokio::test]
async fn unpublished_decision_leaves_student_token_alone() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (id, version) = student.submitted_outcome(app.fixture.math, "作品").await;
    let tokens = || async {
        sqlx::query_as::<_, (i64, i64)>("SELECT version, student_version FROM course_outcomes")
            .fetch_one(app.pool())
            .await
            .unwrap()
    };
    let mut tx = app.state.db.begin_write().await.unwrap();
    let decided = Token::Certifier {
        expected: version,
        visible: false,
    };
    assert!(
        licheng::server::db::outcomes::claim_version(
            &mut tx,
            app.fixture.school,
            OutcomeId(id),
            decided,
            UtcMillis::now()
        )
        .await
        .unwrap()
    );
    tx.commit().await.unwrap();
    assert_eq!(
        tokens().await,
        (version + 1, version),
        "a decision moves only the certifier's token"
    );

    let mut tx = app.state.db.begin_write().await.unwrap();
    let published = Token::Certifier {
        expected: version + 1,
        visible: true,
    };
    assert!(
        licheng::server::db::outcomes::claim_version(
            &mut tx,
            app.fixture.school,
            OutcomeId(id),
            published,
            UtcMillis::now()
        )
        .await
        .unwrap()
    );
    tx.commit().await.unwrap();
    assert_eq!(
        tokens().await,
        (version + 2, version + 1),
        "publication moves both"
    );
}

/// Writers of one process queue for their turn before they take a pooled connection, so a
/// writer waiting for SQLite's write lock keeps no connection that readers need.
#[tokio::test]
async fn waiting_writer_takes_no_connection() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("turns.db").display());
    let db = licheng::server::db::Db::connect(&url, 8).await.unwrap();
    sqlx::query("CREATE TABLE counter (n INTEGER NOT NULL)")
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO counter (n) VALUES (0)")
        .execute(&db.pool)
        .await
        .unwrap();

    let first = db.begin_write().await.unwrap();
    let waiting: Vec<_> = (0..5)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tx = db.begin_write().await.unwrap();
                sqlx::query("UPDATE counter SET n = n + 1")
                    .execute(&mut **tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let in_use = db.pool.size() as usize - db.pool.num_idle();
    assert_eq!(
        in_use, 1,
        "only the writer whose turn it is holds a connection"
    );

    first.commit().await.unwrap();
    for writer in waiting {
        writer.await.unwrap();
    }
    let n: i64 = sqlx::query_scalar("SELECT n FROM counter")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(n, 5);
}
