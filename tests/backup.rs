//! Backups, restores, restore drills and the check of every stored file, on real SQLite files
//! and a real file store, and the administrator's backup page.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use licheng::server::backup::{self, BackupError, Progress};
use licheng::server::db::Db;
use licheng::server::storage::LocalStore;

/// Uploads three outcomes of the fixture's student, each with its own PDF.
async fn three_files(app: &TestApp) {
    let mut student = app.login(STUDENT).await;
    student.upload_pdf(app.fixture.math, "第一份").await;
    student.upload_pdf(app.fixture.physics, "第二份").await;
    student.upload_pdf(app.fixture.chinese, "第三份").await;
}

async fn make_backup(app: &TestApp, dir: &Path) -> PathBuf {
    let summary = backup::create(
        &app.state.db,
        app.state.storage.as_ref(),
        dir,
        app.state.clock.now(),
        &Progress::default(),
    )
    .await
    .expect("backup");
    summary.path
}

/// Returns the path of a committed object in the fixture's store.
fn object_path(app: &TestApp, sha256: &str) -> PathBuf {
    LocalStore::open_existing(app.data_dir.path().join("files"))
        .object_path(sha256)
        .unwrap()
}

async fn stored_hashes(pool: &sqlx::AnyPool) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT id, sha256 FROM stored_files ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn backup_and_restore_round_trip() {
    if sqlite_only("the file backup") {
        return;
    }
    let app = TestApp::new().await;
    three_files(&app).await;
    let backups = tempfile::tempdir().unwrap();
    let path = make_backup(&app, backups.path()).await;

    let manifest = backup::read_manifest(&path).await.unwrap();
    let hashes = stored_hashes(app.pool()).await;
    let mut distinct: Vec<String> = hashes.iter().map(|(_, sha)| sha.clone()).collect();
    distinct.sort();
    distinct.dedup();
    let listed: Vec<String> = manifest.objects.iter().map(|o| o.sha256.clone()).collect();
    assert_eq!(
        listed, distinct,
        "the manifest lists every stored file once"
    );
    assert_eq!(listed.len(), 3);
    assert_eq!(
        entries(backups.path()),
        [path.file_name().unwrap().to_string_lossy().into_owned()],
        "only the finished backup remains, no .partial directory"
    );

    let target = tempfile::tempdir().unwrap();
    let data_dir = target.path().join("data");
    let restored = backup::restore(&path, &data_dir, &Progress::default())
        .await
        .expect("restore");
    assert_eq!(restored, manifest);

    let url = format!("sqlite://{}", data_dir.join("licheng.db").display());
    let db = Db::connect(&url, 1).await.unwrap();
    assert_eq!(stored_hashes(&db.pool).await, hashes, "the same rows");
    let outcomes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM course_outcomes")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(outcomes, 3);
    let store = LocalStore::open_existing(data_dir.join("files"));
    let report = backup::verify(&db.pool, &store, &Progress::default())
        .await
        .unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.checked, 3);
    for sha in &distinct {
        let original = std::fs::read(object_path(&app, sha)).unwrap();
        let copy = std::fs::read(store.object_path(sha).unwrap()).unwrap();
        assert_eq!(original, copy, "file {sha}");
    }
}

#[tokio::test]
async fn verify_lists_missing_and_damaged_files() {
    if sqlite_only("the file backup") {
        return;
    }
    let app = TestApp::new().await;
    three_files(&app).await;
    let hashes = stored_hashes(app.pool()).await;
    let progress = Progress::default();
    let report = backup::verify(app.pool(), app.state.storage.as_ref(), &progress)
        .await
        .unwrap();
    assert!(report.is_clean());
    assert_eq!(progress.get(), (3, 3));

    let (missing_id, missing) = &hashes[0];
    let (damaged_id, damaged) = &hashes[1];
    std::fs::remove_file(object_path(&app, missing)).unwrap();
    let mut bytes = std::fs::read(object_path(&app, damaged)).unwrap();
    bytes[10] ^= 0xff;
    std::fs::write(object_path(&app, damaged), bytes).unwrap();

    let report = backup::verify(app.pool(), app.state.storage.as_ref(), &progress)
        .await
        .unwrap();
    assert_eq!(report.checked, 3);
    assert_eq!(report.missing.len(), 1);
    assert_eq!(&report.missing[0].sha256, missing);
    assert_eq!(report.missing[0].file_ids, [*missing_id]);
    assert_eq!(report.corrupt.len(), 1);
    assert_eq!(&report.corrupt[0].sha256, damaged);
    assert_eq!(report.corrupt[0].file_ids, [*damaged_id]);
}

#[tokio::test]
async fn backup_of_damaged_store_fails_leaving_nothing() {
    if sqlite_only("the file backup") {
        return;
    }
    let app = TestApp::new().await;
    three_files(&app).await;
    let hashes = stored_hashes(app.pool()).await;
    std::fs::write(object_path(&app, &hashes[2].1), b"not the file").unwrap();

    let backups = tempfile::tempdir().unwrap();
    let result = backup::create(
        &app.state.db,
        app.state.storage.as_ref(),
        backups.path(),
        app.state.clock.now(),
        &Progress::default(),
    )
    .await;
    assert!(
        matches!(&result, Err(BackupError::Corrupt { sha256 }) if *sha256 == hashes[2].1),
        "{result:?}"
    );
    assert!(
        entries(backups.path()).is_empty(),
        "no backup and no .partial directory"
    );
}

#[tokio::test]
async fn restore_refuses_a_used_directory() {
    if sqlite_only("the file backup") {
        return;
    }
    let app = TestApp::new().await;
    three_files(&app).await;
    let backups = tempfile::tempdir().unwrap();
    let path = make_backup(&app, backups.path()).await;

    let target = tempfile::tempdir().unwrap();
    std::fs::write(target.path().join("licheng.db"), b"an older database").unwrap();
    let result = backup::restore(&path, target.path(), &Progress::default()).await;
    assert!(
        matches!(result, Err(BackupError::NotEmpty(_))),
        "{result:?}"
    );
    assert_eq!(entries(target.path()), ["licheng.db"], "nothing written");
    assert_eq!(
        std::fs::read(target.path().join("licheng.db")).unwrap(),
        b"an older database"
    );

    // The national ID key and the default backup directory may already be there.
    let target = tempfile::tempdir().unwrap();
    std::fs::create_dir(target.path().join("secrets")).unwrap();
    std::fs::create_dir(target.path().join("backups")).unwrap();
    backup::restore(&path, target.path(), &Progress::default())
        .await
        .expect("restore beside secrets and backups");
}

#[tokio::test]
async fn restore_of_damaged_backup_leaves_no_database() {
    if sqlite_only("the file backup") {
        return;
    }
    let app = TestApp::new().await;
    three_files(&app).await;
    let backups = tempfile::tempdir().unwrap();
    let path = make_backup(&app, backups.path()).await;
    let manifest = backup::read_manifest(&path).await.unwrap();
    let victim = LocalStore::open_existing(path.join("files"))
        .object_path(&manifest.objects[1].sha256)
        .unwrap();
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes.push(b'!');
    std::fs::write(&victim, bytes).unwrap();

    let target = tempfile::tempdir().unwrap();
    let result = backup::restore(&path, target.path(), &Progress::default()).await;
    assert!(
        matches!(&result, Err(BackupError::DamagedBackup { path }) if *path == victim),
        "{result:?}"
    );
    assert!(!target.path().join("licheng.db").exists());

    let drill = backup::drill(&path, backups.path(), &Progress::default()).await;
    assert!(
        matches!(drill, Err(BackupError::DamagedBackup { .. })),
        "{drill:?}"
    );
    assert_eq!(
        entries(backups.path()),
        [path.file_name().unwrap().to_string_lossy().into_owned()],
        "the drill's scratch directory is gone"
    );
}

#[tokio::test]
async fn drill_passes_on_a_sound_backup() {
    if sqlite_only("the file backup") {
        return;
    }
    let app = TestApp::new().await;
    three_files(&app).await;
    let backups = tempfile::tempdir().unwrap();
    let path = make_backup(&app, backups.path()).await;
    let summary = backup::drill(&path, backups.path(), &Progress::default())
        .await
        .expect("drill");
    assert_eq!(summary.objects, 3);
    assert_eq!(
        entries(backups.path()).len(),
        1,
        "scratch directory removed"
    );
}

#[tokio::test]
async fn prune_keeps_the_newest_backups() {
    if sqlite_only("the file backup") {
        return;
    }
    let app = TestApp::new().await;
    three_files(&app).await;
    let backups = tempfile::tempdir().unwrap();
    let mut written = Vec::new();
    for _ in 0..3 {
        written.push(make_backup(&app, backups.path()).await);
    }
    assert_eq!(backup::list(backups.path()).await.unwrap(), written);
    assert_eq!(backup::prune(backups.path(), 2).await.unwrap(), 1);
    assert_eq!(backup::list(backups.path()).await.unwrap(), written[1..]);
}

#[tokio::test]
async fn backup_page_is_for_administrators() {
    if sqlite_only("the file backup") {
        return;
    }
    let app = TestApp::new().await;
    three_files(&app).await;
    for login in [STUDENT, TEACHER, SUBMITTER] {
        let mut client = app.login(login).await;
        assert_eq!(
            client.call("backup_status", "").await.status,
            StatusCode::FORBIDDEN,
            "{login}"
        );
        assert_eq!(
            client.call("start_backup", "").await.status,
            StatusCode::FORBIDDEN,
            "{login}"
        );
    }

    let mut admin = app.login(ADMIN).await;
    let status = admin.call("backup_status", "").await.json();
    assert_eq!(status["available"], true);
    assert!(status["last_backup"].is_null());
    assert_eq!(admin.call("start_backup", "").await.status, StatusCode::OK);

    // The run goes on in the background: wait until both the backup and its drill are done.
    let mut status = serde_json::Value::Null;
    for _ in 0..200 {
        status = admin.call("backup_status", "").await.json();
        if status["running"].is_null() && status["last_drill"]["outcome"] == "Succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status["last_backup"]["outcome"], "Succeeded", "{status}");
    assert_eq!(status["last_backup"]["files"], 3);
    assert_eq!(status["last_drill"]["outcome"], "Succeeded", "{status}");
    assert_eq!(status["last_drill"]["files"], 3);
    let name = status["last_backup"]["name"].as_str().unwrap();
    assert!(name.starts_with("backup-"), "{name}");
    let written = app.data_dir.path().join("backups").join(name);
    assert!(written.join("manifest.json").exists());
}

/// Runs the `licheng` binary on the fixture's data directory; returns (success, stdout, stderr).
fn licheng(data_dir: &Path, args: &[&str]) -> (bool, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_licheng"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run licheng");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn command_line_backs_up_verifies_and_restores() {
    if sqlite_only("the file backup") {
        return;
    }
    let app = TestApp::new().await;
    three_files(&app).await;
    let data_dir = app.data_dir.path();
    let backups = tempfile::tempdir().unwrap();
    let to = backups.path().to_str().unwrap();

    let (ok, out, err) = licheng(data_dir, &["verify"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("All 3 stored files match"), "{out}");

    let (ok, out, err) = licheng(data_dir, &["backup", "--to", to]);
    assert!(ok, "{out}{err}");
    let listed = backup::list(backups.path()).await.unwrap();
    assert_eq!(listed.len(), 1);
    let written = listed[0].to_str().unwrap().to_owned();
    assert!(out.contains(&written), "{out}");

    let (ok, out, err) = licheng(data_dir, &["verify", "--backup", &written]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("all 3 files match"), "{out}");

    let target = tempfile::tempdir().unwrap();
    let restored = target.path().join("data");
    let (ok, out, err) = licheng(&restored, &["restore", "--from", &written]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("Restored 3 files"), "{out}");
    let (ok, out, err) = licheng(&restored, &["verify"]);
    assert!(ok, "{out}{err}");
    let (ok, _, err) = licheng(&restored, &["restore", "--from", &written]);
    assert!(!ok);
    assert!(err.contains("is not empty"), "{err}");

    let hashes = stored_hashes(app.pool()).await;
    std::fs::remove_file(object_path(&app, &hashes[0].1)).unwrap();
    let (ok, out, err) = licheng(data_dir, &["verify"]);
    assert!(!ok, "a missing file fails the check");
    assert!(out.contains(&format!("missing: {}", hashes[0].1)), "{out}");
    assert!(err.contains("1 of 3 stored files are missing"), "{err}");
}
