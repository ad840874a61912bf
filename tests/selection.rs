#![cfg(feature = "ssr")]
//! 勾選 and 提交中央資料庫: the per-year limit under concurrency, the selection window, closing
//! a year into a batch, and the export package read back from its .xlsx, row by row and hash
//! by hash.

mod common;

use std::io::Read;

use axum::http::StatusCode;
use calamine::Reader;
use common::*;
use jiff::civil::date;
use licheng::domain::calendar::{UtcMillis, end_of_taipei_day};
use licheng::domain::window::Window;
use serde_json::json;
use sha2::Digest;

/// Submits, passes and publishes `count` outcomes of the fixture's student; returns their ids.
async fn passed_outcomes(app: &TestApp, count: usize) -> Vec<i64> {
    let mut student = app.login(STUDENT).await;
    let mut teacher = app.login(TEACHER).await;
    let mut ids = Vec::new();
    for index in 0..count {
        let course = if index % 2 == 0 {
            app.fixture.math
        } else {
            app.fixture.physics
        };
        let (id, version) = student
            .submitted_outcome(course, &format!("通過的作品 {index}"))
            .await;
        teacher.decide(&[(id, version)], "Passed", "").await;
        let reply = teacher.publish(&[(id, version + 1)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        ids.push(id);
    }
    ids
}

fn selection_open() -> Window {
    Window::from_dates(date(2000, 1, 1), date(2099, 12, 31))
}

/// Returns each outcome of the student's overview as (id, value of `flag`).
async fn overview_flags(student: &mut Client, flag: &str) -> Vec<(i64, bool)> {
    let overview = student.call("my_outcomes", "").await.json();
    overview["semesters"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|semester| semester["outcomes"].as_array().unwrap().clone())
        .map(|outcome| {
            (
                outcome["id"].as_i64().unwrap(),
                outcome[flag].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn tick(client: &mut Client, outcome: i64, selected: bool) -> Reply {
    client
        .call(
            "set_selection",
            &format!("outcome_id={outcome}&selected={selected}"),
        )
        .await
}

#[tokio::test]
async fn seventh_selection_is_refused() {
    let app = TestApp::new().await;
    // The fixture school allows 6 uploads per semester; 7 passed outcomes need a higher limit.
    sqlx::query("UPDATE schools SET max_outcomes_per_semester = NULL")
        .execute(app.pool())
        .await
        .unwrap();
    let ids = passed_outcomes(&app, 7).await;
    app.set_selection_window(selection_open()).await;
    let mut student = app.login(STUDENT).await;
    for &id in &ids[..6] {
        let reply = tick(&mut student, id, true).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    }
    let reply = tick(&mut student, ids[6], true).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json(),
        json!({ "SelectionLimitReached": { "max": 6 } })
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM selections").await, 6);
    let overview = student.call("my_outcomes", "").await.json();
    assert_eq!(overview["selections"][0]["selected"], 6);
    assert_eq!(overview["selections"][0]["max"], 6);
    let mut flags = overview_flags(&mut student, "selected").await;
    flags.sort();
    let expected: Vec<(i64, bool)> = ids.iter().map(|&id| (id, id != ids[6])).collect();
    assert_eq!(flags, expected);
    // Unticking one makes room again.
    assert_eq!(
        tick(&mut student, ids[0], false).await.status,
        StatusCode::OK
    );
    assert_eq!(
        tick(&mut student, ids[6], true).await.status,
        StatusCode::OK
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM selections").await, 6);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'select'")
            .await,
        7
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'unselect'")
            .await,
        1
    );
}

#[tokio::test]
async fn concurrent_ticks_never_exceed_the_limit() {
    let app = TestApp::new().await;
    sqlx::query("UPDATE schools SET max_outcomes_per_semester = NULL")
        .execute(app.pool())
        .await
        .unwrap();
    let ids = passed_outcomes(&app, 8).await;
    app.set_selection_window(selection_open()).await;
    let student = app.login(STUDENT).await;
    let mut first_tab = student.clone();
    for &id in &ids[..5] {
        assert_eq!(tick(&mut first_tab, id, true).await.status, StatusCode::OK);
    }
    // Two tabs tick the 6th and 7th at the same moment, plus a double click on the 8th.
    let (mut a, mut b, mut c, mut d) = (
        student.clone(),
        student.clone(),
        student.clone(),
        student.clone(),
    );
    let (one, two, three, four) = tokio::join!(
        tick(&mut a, ids[5], true),
        tick(&mut b, ids[6], true),
        tick(&mut c, ids[7], true),
        tick(&mut d, ids[7], true)
    );
    let succeeded = [&one, &two, &three, &four]
        .iter()
        .filter(|reply| reply.status == StatusCode::OK)
        .count();
    assert!(succeeded >= 1, "one tick fits");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM selections").await,
        6,
        "never 7"
    );
}

#[tokio::test]
async fn only_passed_outcomes_can_be_ticked() {
    let app = TestApp::new().await;
    app.set_selection_window(selection_open()).await;
    let mut student = app.login(STUDENT).await;
    let (draft, _) = student.upload_pdf(app.fixture.math, "草稿").await;
    let (pending, _) = student
        .submitted_outcome(app.fixture.physics, "待認證")
        .await;
    for id in [draft, pending] {
        let reply = tick(&mut student, id, true).await;
        assert_eq!(reply.json(), json!("NotSelectable"));
    }
    let mut classmate = app.login(CLASSMATE).await;
    let ids = passed_outcomes(&app, 1).await;
    assert_eq!(
        tick(&mut classmate, ids[0], true).await.json(),
        json!({ "NotFound": "Outcome" })
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM selections").await, 0);
}

#[tokio::test]
async fn ticks_change_only_inside_the_window() {
    let app = TestApp::new().await;
    let ids = passed_outcomes(&app, 2).await;
    let mut student = app.login(STUDENT).await;
    // No window announced yet.
    assert_eq!(
        tick(&mut student, ids[0], true).await.json(),
        json!({ "WindowNotOpen": { "kind": "Selection", "opens_at": null } })
    );
    let closes = end_of_taipei_day(date(2025, 7, 15));
    app.set_selection_window(Window::from_dates(date(2025, 6, 1), date(2025, 7, 15)))
        .await;
    app.set_clock(closes);
    assert_eq!(
        tick(&mut student, ids[0], true).await.status,
        StatusCode::OK,
        "23:59:59 on the last day"
    );
    app.set_clock(UtcMillis(closes.0 + 1));
    assert_eq!(
        tick(&mut student, ids[1], true).await.json(),
        json!({ "WindowClosed": { "kind": "Selection", "closed_at": closes.0 } })
    );
    assert_eq!(
        tick(&mut student, ids[0], false).await.json(),
        json!({ "WindowClosed": { "kind": "Selection", "closed_at": closes.0 } })
    );
}

/// Reads a ZIP file into (name → bytes), in the order of its entries.
fn read_zip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|index| {
            let mut entry = archive.by_index(index).unwrap();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            (entry.name().unwrap().into_owned(), content)
        })
        .collect()
}

#[tokio::test]
async fn batch_package_reads_back_row_by_row() {
    let app = TestApp::new().await;
    let ids = passed_outcomes(&app, 3).await;
    app.set_clock(end_of_taipei_day(date(2025, 6, 10)));
    app.set_selection_window(Window::from_dates(date(2025, 6, 1), date(2025, 7, 15)))
        .await;
    let mut student = app.login(STUDENT).await;
    for &id in &ids[..2] {
        assert_eq!(tick(&mut student, id, true).await.status, StatusCode::OK);
    }
    let mut submitter = app.login(SUBMITTER).await;
    // Not before the selection window has closed.
    let reply = submitter
        .call_json("close_selection", json!({ "school_year": 113 }))
        .await;
    assert_eq!(
        reply.json(),
        json!({ "SelectionStillOpen": { "closes_at": end_of_taipei_day(date(2025, 7, 15)).0 } })
    );
    app.set_clock(UtcMillis(end_of_taipei_day(date(2025, 7, 15)).0 + 1));
    let reply = submitter
        .call_json("close_selection", json!({ "school_year": 113 }))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let batch = reply.json();
    assert_eq!(batch["row_count"], 2);
    let mut flags = overview_flags(&mut student, "submitted").await;
    flags.sort();
    assert_eq!(flags, vec![(ids[0], true), (ids[1], true), (ids[2], false)]);
    let batch_id = batch["id"].as_i64().unwrap();
    let audited: String =
        sqlx::query_scalar("SELECT new_value FROM audit_events WHERE action = 'submit_roster_26'")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(audited, format!("batch:{batch_id}:2"));
    // Once closed, ticks are frozen, a second batch is refused, and the window stays shut.
    let mut admin = app.login(ADMIN).await;
    let reopen = admin
        .call_json(
            "update_selection_window",
            json!({ "input": { "school_year": 113, "opens_on": "114/06/01", "closes_on": "115/12/31", "max_selections": "6" } }),
        )
        .await;
    assert_eq!(reopen.status, StatusCode::CONFLICT, "{}", reopen.text());
    assert_eq!(reopen.json(), json!("SelectionSubmitted"));
    assert_eq!(
        submitter
            .call_json("close_selection", json!({ "school_year": 113 }))
            .await
            .json(),
        json!("SelectionSubmitted")
    );

    let download = submitter.get(&format!("/exports/{batch_id}")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.header("content-type"), "application/zip");
    assert_eq!(download.header("cache-control"), "no-store");
    let entries = read_zip(&download.body);
    let names: Vec<&str> = entries.iter().map(|(name, _)| name.as_str()).collect();
    let stem = "123456_113_0_26_20250716000000";
    assert_eq!(
        names,
        [
            &format!("{stem}.xlsx") as &str,
            "files/00001_document.pdf",
            "files/00002_document.pdf",
            "manifest.csv"
        ]
    );
    // The workbook's creation time is stored in UTC: 114/07/16 00:00 in Taiwan.
    let workbook = read_zip(&entries[0].1);
    let (_, core) = workbook
        .iter()
        .find(|(name, _)| name == "docProps/core.xml")
        .unwrap();
    let core = String::from_utf8(core.clone()).unwrap();
    assert!(core.contains(">2025-07-15T16:00:00Z<"), "{core}");

    // The manifest names every file with its SHA-256, and each file matches it.
    let manifest = String::from_utf8(entries.last().unwrap().1.clone()).unwrap();
    let mut lines = manifest.lines();
    assert_eq!(lines.next(), Some("path,sha256,bytes"));
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        let (_, content) = entries.iter().find(|(name, _)| name == fields[0]).unwrap();
        assert_eq!(
            hex::encode(sha2::Sha256::digest(content)),
            fields[1],
            "{}",
            fields[0]
        );
        assert_eq!(content.len().to_string(), fields[2]);
    }

    // The roster, read back: one row per ticked outcome, keyed by national ID and ROC birth date.
    let (_, workbook) = &entries[0];
    let mut xlsx: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(workbook.clone())).unwrap();
    let sheet = xlsx.worksheet_range("名冊26").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|row| row.iter().map(|cell| cell.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][1], "身分證號");
    let summaries: Vec<String> = sqlx::query_scalar(
        "SELECT r.summary FROM central_submission_rows x JOIN outcome_reviews r ON r.id = x.review_id ORDER BY x.row_no",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    for (index, row) in rows[1..].iter().enumerate() {
        assert_eq!(row[0], (index + 1).to_string());
        assert_eq!(
            row[1], STUDENT_NATIONAL_ID,
            "central rosters carry the full national ID"
        );
        assert_eq!(row[2], "0970116");
        assert_eq!(row[3], "113");
        assert_eq!(row[4], "1");
        assert_eq!(row[7], "林老師");
        assert_eq!(row[8], "林老師");
        assert_eq!(row[10], summaries[index]);
        assert_eq!(row[11], format!("files/{:05}_document.pdf", index + 1));
        assert_eq!(row[13], "113001");
    }

    // Building the package again gives the same bytes.
    let stored = app
        .data_dir
        .path()
        .join("exports")
        .join(format!("{stem}.zip"));
    let first = std::fs::read(&stored).unwrap();
    assert_eq!(first, download.body);
    std::fs::remove_file(&stored).unwrap();
    // A second later, so anything stamped with the wall clock would differ.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let again = submitter.get(&format!("/exports/{batch_id}")).await;
    assert_eq!(again.body, first, "a rebuilt package is identical");

    // The student sees what went in which batch, and the ticks are frozen.
    let records = student.call("submission_records", "").await.json();
    assert_eq!(records.as_array().unwrap().len(), 2);
    assert_eq!(records[0]["batch_id"], batch_id);
    app.set_selection_window(Window::from_dates(date(2025, 6, 1), date(2099, 12, 31)))
        .await;
    assert_eq!(
        tick(&mut student, ids[2], true).await.json(),
        json!("SelectionSubmitted")
    );
}

#[tokio::test]
async fn roster_needs_national_ids() {
    let app = TestApp::new().await;
    let ids = passed_outcomes(&app, 1).await;
    app.set_selection_window(Window::from_dates(date(2025, 6, 1), date(2025, 7, 15)))
        .await;
    app.set_clock(end_of_taipei_day(date(2025, 6, 10)));
    let mut student = app.login(STUDENT).await;
    assert_eq!(
        tick(&mut student, ids[0], true).await.status,
        StatusCode::OK
    );
    sqlx::query("UPDATE students SET national_id_enc = NULL")
        .execute(app.pool())
        .await
        .unwrap();
    app.set_clock(UtcMillis(end_of_taipei_day(date(2025, 7, 15)).0 + 1));
    let mut submitter = app.login(SUBMITTER).await;
    let reply = submitter
        .call_json("close_selection", json!({ "school_year": 113 }))
        .await;
    assert_eq!(
        reply.json(),
        json!({ "StudentIdentityMissing": { "student_no": "113001" } })
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM central_submissions").await,
        0
    );
}

#[tokio::test]
async fn exports_are_for_submission_staff_only() {
    let app = TestApp::new().await;
    let ids = passed_outcomes(&app, 1).await;
    app.set_selection_window(Window::from_dates(date(2025, 6, 1), date(2025, 7, 15)))
        .await;
    app.set_clock(end_of_taipei_day(date(2025, 6, 10)));
    let mut student = app.login(STUDENT).await;
    tick(&mut student, ids[0], true).await;
    app.set_clock(UtcMillis(end_of_taipei_day(date(2025, 7, 15)).0 + 1));
    for login in [STUDENT, TEACHER] {
        let mut client = app.login(login).await;
        assert_eq!(
            client
                .call_json("close_selection", json!({ "school_year": 113 }))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            client.call("submission_years", "").await.status,
            StatusCode::FORBIDDEN
        );
    }
    let mut admin = app.login(ADMIN).await;
    let batch = admin
        .call_json("close_selection", json!({ "school_year": 113 }))
        .await
        .json();
    let path = format!("/exports/{}", batch["id"]);
    for login in [STUDENT, TEACHER] {
        let mut client = app.login(login).await;
        assert_eq!(
            client.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "{login}"
        );
    }
    let mut foreign = app.login(FOREIGN_TEACHER).await;
    assert_eq!(foreign.get(&path).await.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.get(&path).await.status, StatusCode::OK);
}
