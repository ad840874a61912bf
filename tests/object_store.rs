#![cfg(feature = "ssr")]
//! Files on an S3-compatible store (`s3s-fs` on 127.0.0.1): the same promise as on disk. An
//! object is checked by reading it back before its row is written, identical bytes are stored
//! once, a damaged object is found by `verify` and replaced by the next upload of its bytes.

mod common;

use axum::http::StatusCode;
use bytes::Bytes;
use common::*;
use futures::TryStreamExt;
use licheng::server::backup::{self, Progress};
use licheng::server::storage::BlobStore;
use licheng::server::storage::s3::S3Store;
use sha2::{Digest, Sha256};

async fn read_all(
    store: &dyn BlobStore,
    sha256: &str,
    range: Option<std::ops::Range<u64>>,
) -> Vec<u8> {
    let body = store.open(sha256, range).await.unwrap();
    let chunks: Vec<bytes::Bytes> = body.stream.try_collect().await.unwrap();
    chunks.concat()
}

async fn put(store: &dyn BlobStore, bytes: &[u8]) -> String {
    let mut writer = store.begin().await.unwrap();
    for chunk in bytes.chunks(64 * 1024) {
        writer.write(Bytes::copy_from_slice(chunk)).await.unwrap();
    }
    let staged = writer.finish().await.unwrap();
    let sha256 = staged.sha256().to_owned();
    staged.commit().await.unwrap();
    sha256
}

fn spool_files(spool: &std::path::Path) -> usize {
    std::fs::read_dir(spool).map(|dir| dir.count()).unwrap_or(0)
}

#[tokio::test]
async fn s3_store_commits_reads_ranges_and_leaves_no_spool() {
    let server = S3Server::start().await;
    let spool = tempfile::tempdir().unwrap();
    let store = S3Store::open(&server.config(), spool.path()).await.unwrap();
    let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let sha256 = put(&store, &bytes).await;
    assert_eq!(sha256, hex::encode(Sha256::digest(&bytes)));
    assert_eq!(std::fs::read(server.object_file(&sha256)).unwrap(), bytes);
    assert_eq!(read_all(&store, &sha256, None).await, bytes);
    assert_eq!(read_all(&store, &sha256, Some(10..20)).await, bytes[10..20]);
    assert_eq!(
        read_all(&store, &sha256, Some(2_999_990..4_000_000)).await,
        bytes[2_999_990..]
    );
    assert_eq!(
        spool_files(spool.path()),
        0,
        "the spool file is deleted after commit"
    );
    let missing = store.open(&"0".repeat(64), None).await.err().unwrap();
    assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
}

#[tokio::test]
async fn s3_store_puts_large_files_in_parts() {
    let server = S3Server::start().await;
    let spool = tempfile::tempdir().unwrap();
    let store = S3Store::open(&server.config(), spool.path()).await.unwrap();
    // Larger than one 8 MiB part, so the multipart upload is used.
    let bytes: Vec<u8> = (0..20_000_000u32).map(|i| (i % 253) as u8).collect();
    let sha256 = put(&store, &bytes).await;
    assert_eq!(std::fs::read(server.object_file(&sha256)).unwrap(), bytes);
}

#[tokio::test]
async fn s3_store_drops_uncommitted_uploads() {
    let server = S3Server::start().await;
    let spool = tempfile::tempdir().unwrap();
    let store = S3Store::open(&server.config(), spool.path()).await.unwrap();
    let mut writer = store.begin().await.unwrap();
    writer
        .write(Bytes::from_static(b"half an upload"))
        .await
        .unwrap();
    assert_eq!(spool_files(spool.path()), 1);
    drop(writer);
    let staged = {
        let mut writer = store.begin().await.unwrap();
        writer
            .write(Bytes::from_static(b"complete, never committed"))
            .await
            .unwrap();
        writer.finish().await.unwrap()
    };
    let sha256 = staged.sha256().to_owned();
    drop(staged);
    assert_eq!(spool_files(spool.path()), 0);
    assert!(
        !server.object_file(&sha256).exists(),
        "nothing reached the bucket"
    );
    std::fs::write(spool.path().join("left.part"), b"x").unwrap();
    assert_eq!(store.sweep_temporary().await.unwrap(), 1);
}

#[tokio::test]
async fn s3_store_replaces_a_damaged_object_on_the_next_upload() {
    let server = S3Server::start().await;
    let spool = tempfile::tempdir().unwrap();
    let store = S3Store::open(&server.config(), spool.path()).await.unwrap();
    let sha256 = put(&store, b"the same bytes twice").await;
    std::fs::write(server.object_file(&sha256), b"the same bytes twicX").unwrap();
    put(&store, b"the same bytes twice").await;
    assert_eq!(
        std::fs::read(server.object_file(&sha256)).unwrap(),
        b"the same bytes twice",
        "the read-back found the damage and put the object again"
    );
}

#[tokio::test]
async fn upload_route_on_s3_stores_the_object_before_the_row() {
    let server = S3Server::start().await;
    let app = TestApp::with_settings(|settings| server.configure(settings)).await;
    let mut student = app.login(STUDENT).await;
    let (id, _) = student.upload_pdf(app.fixture.math, "存在物件儲存").await;
    let (file_id, sha256): (i64, String) = sqlx::query_as(
        "SELECT f.id, f.sha256 FROM stored_files f \
         JOIN course_outcomes o ON o.document_file_id = f.id WHERE o.id = $1",
    )
    .bind(id)
    .fetch_one(app.pool())
    .await
    .unwrap();
    let expected = pdf_bytes("存在物件儲存");
    assert_eq!(
        std::fs::read(server.object_file(&sha256)).unwrap(),
        expected
    );
    let download = student.get(&format!("/files/{file_id}")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body, expected);
    assert_eq!(
        app.stored_objects(),
        (0, 0),
        "nothing is kept in the local file store"
    );
}

#[tokio::test]
async fn upload_route_on_unreachable_s3_stores_no_row() {
    let server = S3Server::start().await;
    let app = TestApp::with_settings(|settings| server.configure(settings)).await;
    let mut student = app.login(STUDENT).await;
    drop(server);
    let course = app.fixture.math.0.to_string();
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "存不進去"),
                Part::File {
                    field: "document",
                    name: "成果.pdf",
                    content_type: "application/pdf",
                    bytes: pdf_bytes("存不進去"),
                },
            ],
        )
        .await;
    assert!(
        reply.status.is_server_error(),
        "a store that cannot keep the file fails the upload: {}",
        reply.status
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM stored_files").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM course_outcomes").await, 0);
}

#[tokio::test]
async fn verify_on_s3_lists_missing_and_damaged_objects() {
    let server = S3Server::start().await;
    let app = TestApp::with_settings(|settings| server.configure(settings)).await;
    let mut student = app.login(STUDENT).await;
    student.upload_pdf(app.fixture.math, "第一份").await;
    student.upload_pdf(app.fixture.physics, "第二份").await;
    let hashes: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM stored_files ORDER BY id")
        .fetch_all(app.pool())
        .await
        .unwrap();
    let report = backup::verify(app.pool(), app.state.storage.as_ref(), &Progress::default())
        .await
        .unwrap();
    assert!(report.is_clean());
    assert_eq!(report.checked, 2);
    std::fs::remove_file(server.object_file(&hashes[0])).unwrap();
    std::fs::write(server.object_file(&hashes[1]), b"%PDF-1.4 damaged").unwrap();
    let report = backup::verify(app.pool(), app.state.storage.as_ref(), &Progress::default())
        .await
        .unwrap();
    assert_eq!(report.missing.len(), 1);
    assert_eq!(report.corrupt.len(), 1);
    assert_eq!(report.missing[0].sha256, hashes[0]);
    assert_eq!(report.corrupt[0].sha256, hashes[1]);
}
