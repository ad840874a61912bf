#![cfg(feature = "ssr")]
//! A generated corpus of more than 200 hostile and borderline files, sent through the real
//! upload route. It has renamed types, truncated and empty files, files at and one byte over
//! each limit, polyglots, and SVG and HTML posing as images. File names carry Chinese, emoji,
//! right-to-left marks, path parts, NUL and more than 255 bytes.
//!
//! The rules: the type is decided by the content alone, and each slot accepts its own types
//! (document: PDF, JPEG, PNG up to 4 MiB; media: MP3, MP4 up to 10 MiB). A PDF must end with
//! `%%EOF` and a PNG with its `IEND` chunk. A JPEG followed by other bytes is a JPEG, because
//! phones append data after the end marker, and it is served as `image/jpeg` with `nosniff`
//! and a sandboxing CSP, so trailing HTML is never run. A refusal names the file in zh-TW and
//! stores nothing.

mod common;

use axum::http::StatusCode;
use common::*;
use licheng::domain::AppError;
use licheng::i18n::Locale;
use sha2::{Digest, Sha256};

const MIB: usize = 1024 * 1024;
const DOCUMENT_MAX: usize = 4 * MIB;
const MEDIA_MAX: usize = 10 * MIB;

/// The outcome the rules expect for a file.
#[derive(Clone, Debug, PartialEq)]
enum Expect {
    /// Stored, with this media type.
    Accepted(&'static str),
    /// Refused with this `FileProblem` variant.
    Refused(&'static str),
}

use Expect::{Accepted, Refused};

struct Case {
    label: String,
    slot: &'static str,
    file_name: String,
    bytes: Vec<u8>,
    expect: Expect,
}

fn case(
    label: impl Into<String>,
    slot: &'static str,
    file_name: impl Into<String>,
    bytes: Vec<u8>,
    expect: Expect,
) -> Case {
    Case {
        label: label.into(),
        slot,
        file_name: file_name.into(),
        bytes,
        expect,
    }
}

/// Computes the CRC-32 of PNG chunks (polynomial 0xEDB88320).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let mut covered = kind.to_vec();
    covered.extend_from_slice(data);
    chunk.extend_from_slice(&crc32(&covered).to_be_bytes());
    chunk
}

/// Builds a PNG of `size` bytes: signature, IHDR, a private chunk of padding, and IEND.
fn png_bytes(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(png_chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]));
    let end = png_chunk(b"IEND", &[]);
    let overhead = bytes.len() + end.len() + 12;
    let padding = size.saturating_sub(overhead);
    bytes.extend(png_chunk(b"teXt", &vec![b'a'; padding]));
    bytes.extend(end);
    assert!(size < overhead || bytes.len() == size, "png size");
    bytes
}

/// Builds a PDF of `size` bytes, padded with a comment before `%%EOF`.
fn pdf_sized(size: usize) -> Vec<u8> {
    let head = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%";
    let tail = b"\n%%EOF\n";
    let mut bytes = head.to_vec();
    bytes.resize(size - tail.len(), b'x');
    bytes.extend_from_slice(tail);
    bytes
}

/// Builds an MP3 with an ID3v2 tag followed by MPEG layer III frames, `size` bytes in all.
fn mp3_bytes(size: usize) -> Vec<u8> {
    let mut bytes = b"ID3\x04\0\0\0\0\0\0".to_vec();
    while bytes.len() < size {
        bytes.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
    }
    bytes.truncate(size);
    bytes
}

/// Builds an MP3 without a tag: bare MPEG-1 layer III frames.
fn mp3_bare(size: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    while bytes.len() < size {
        bytes.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
    }
    bytes.truncate(size);
    bytes
}

/// Builds a ZIP archive with one empty file, as Office documents and JAR files start.
fn zip_bytes() -> Vec<u8> {
    let mut bytes = b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0a".to_vec();
    bytes.extend_from_slice(b"PK\x01\x02\x14\0\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0a");
    bytes.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0\x2f\0\0\0\x1f\0\0\0\0\0");
    bytes.resize(bytes.len() + 2000, 0);
    bytes
}

fn padded(mut bytes: Vec<u8>, size: usize) -> Vec<u8> {
    bytes.resize(size.max(bytes.len()), 0x20);
    bytes
}

/// Files of types that no slot accepts, each with the short name the refusal may carry.
fn foreign_files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("exe", exe_bytes()),
        ("heic", heic_bytes()),
        ("zip", zip_bytes()),
        ("gif", padded(b"GIF89a\x01\0\x01\0\x80\0\0".to_vec(), 600)),
        ("webp", padded(b"RIFF\x24\0\0\0WEBPVP8 ".to_vec(), 600)),
        ("bmp", padded(b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0".to_vec(), 600)),
        ("tiff", padded(b"II*\0\x08\0\0\0".to_vec(), 600)),
        ("wav", padded(b"RIFF\x24\0\0\0WAVEfmt ".to_vec(), 600)),
        ("avi", padded(b"RIFF\x24\0\0\0AVI LIST".to_vec(), 600)),
        ("ogg", padded(b"OggS\0\x02\0\0\0\0\0\0\0\0".to_vec(), 600)),
        ("flac", padded(b"fLaC\0\0\0\x22".to_vec(), 600)),
        ("mkv", padded(b"\x1a\x45\xdf\xa3\x93\x42\x82\x88matroska".to_vec(), 600)),
        ("gz", padded(b"\x1f\x8b\x08\0\0\0\0\0\0\x03".to_vec(), 600)),
        ("7z", padded(b"7z\xbc\xaf\x27\x1c\0\x04".to_vec(), 600)),
        ("rar", padded(b"Rar!\x1a\x07\x01\0".to_vec(), 600)),
        ("elf", padded(b"\x7fELF\x02\x01\x01\0".to_vec(), 600)),
        ("doc", padded(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec(), 1200)),
        ("rtf", padded(b"{\\rtf1\\ansi ".to_vec(), 600)),
        ("svg", br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>"#.to_vec()),
        ("svg-bare", br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec()),
        ("html", b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>".to_vec()),
        ("html-lower", b"<html><img src=x onerror=alert(1)></html>".to_vec()),
        ("text", "這是一段純文字，不是圖片。".as_bytes().to_vec()),
        ("json", br#"{"student":"112001"}"#.to_vec()),
        ("php", b"<?php echo 'x'; ?>".to_vec()),
    ]
}

/// Builds the corpus. Each case states the outcome the rules expect, written apart from the code.
fn corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    let pdf = pdf_bytes("corpus");
    let jpeg = jpeg_bytes(3000);
    let png = png_bytes(800);
    let mp3 = mp3_bytes(4000);
    let mp4 = mp4_bytes(5000);
    let kinds: [(&str, &Vec<u8>, &'static str, &'static str); 5] = [
        ("pdf", &pdf, "application/pdf", "document"),
        ("jpeg", &jpeg, "image/jpeg", "document"),
        ("png", &png, "image/png", "document"),
        ("mp3", &mp3, "audio/mpeg", "media"),
        ("mp4", &mp4, "video/mp4", "media"),
    ];

    // Every accepted type under every name, in both slots: the content decides.
    let names = [
        "作品.pdf",
        "作品.jpg",
        "作品.png",
        "作品.mp3",
        "作品.mp4",
        "作品.docx",
        "作品.exe",
        "作品",
    ];
    for (kind, bytes, media_type, home) in kinds {
        for name in names {
            for slot in ["document", "media"] {
                let expect = if slot == home {
                    Accepted(media_type)
                } else {
                    Refused("WrongSlot")
                };
                cases.push(case(
                    format!("{kind} named {name} in {slot}"),
                    slot,
                    name,
                    bytes.clone(),
                    expect,
                ));
            }
        }
    }

    // Types no slot accepts, named as accepted ones.
    for (kind, bytes) in foreign_files() {
        for (name, slot) in [
            ("照片.jpg", "document"),
            ("報告.pdf", "document"),
            ("影片.mp4", "media"),
        ] {
            cases.push(case(
                format!("{kind} named {name}"),
                slot,
                name,
                bytes.clone(),
                Refused("TypeNotAllowed"),
            ));
        }
    }

    // Empty files under every slot and a few names.
    for name in ["empty.pdf", "空白.jpg", "empty.mp4", "empty"] {
        for slot in ["document", "media"] {
            cases.push(case(
                format!("0 bytes named {name} in {slot}"),
                slot,
                name,
                Vec::new(),
                Refused("Empty"),
            ));
        }
    }

    // Truncated files.
    for keep in [pdf.len() / 2, pdf.len() - 7, pdf.len() - 3, 40, 20] {
        cases.push(case(
            format!("pdf cut to {keep} bytes"),
            "document",
            "cut.pdf",
            pdf[..keep].to_vec(),
            Refused("Incomplete"),
        ));
    }
    cases.push(case(
        "pdf cut to 4 bytes",
        "document",
        "cut.pdf",
        pdf[..4].to_vec(),
        Refused("Incomplete"),
    ));
    cases.push(case(
        "pdf cut to 2 bytes",
        "document",
        "cut.pdf",
        pdf[..2].to_vec(),
        Refused("TypeNotAllowed"),
    ));
    for keep in [png.len() - 1, png.len() - 12, png.len() / 2, 40] {
        cases.push(case(
            format!("png cut to {keep} bytes"),
            "document",
            "cut.png",
            png[..keep].to_vec(),
            Refused("Incomplete"),
        ));
    }
    cases.push(case(
        "png cut to 3 bytes",
        "document",
        "cut.png",
        png[..3].to_vec(),
        Refused("TypeNotAllowed"),
    ));
    // JPEG, MP3 and MP4 have no trailer to check, so a cut file is still its type.
    for keep in [jpeg.len() / 2, 100, 20] {
        cases.push(case(
            format!("jpeg cut to {keep} bytes"),
            "document",
            "cut.jpg",
            jpeg[..keep].to_vec(),
            Accepted("image/jpeg"),
        ));
    }
    cases.push(case(
        "jpeg cut to 2 bytes",
        "document",
        "cut.jpg",
        jpeg[..2].to_vec(),
        Refused("TypeNotAllowed"),
    ));
    for keep in [mp4.len() / 2, 100, 24] {
        cases.push(case(
            format!("mp4 cut to {keep} bytes"),
            "media",
            "cut.mp4",
            mp4[..keep].to_vec(),
            Accepted("video/mp4"),
        ));
    }
    cases.push(case(
        "mp4 cut to 6 bytes",
        "media",
        "cut.mp4",
        mp4[..6].to_vec(),
        Refused("TypeNotAllowed"),
    ));
    for keep in [mp3.len() / 2, 100] {
        cases.push(case(
            format!("mp3 cut to {keep} bytes"),
            "media",
            "cut.mp3",
            mp3[..keep].to_vec(),
            Accepted("audio/mpeg"),
        ));
    }
    cases.push(case(
        "bare mp3 frames",
        "media",
        "錄音.mp3",
        mp3_bare(5000),
        Accepted("audio/mpeg"),
    ));

    // Exactly at and one byte over each limit.
    for (kind, at, over, slot, media_type) in [
        (
            "pdf",
            pdf_sized(DOCUMENT_MAX),
            pdf_sized(DOCUMENT_MAX + 1),
            "document",
            "application/pdf",
        ),
        (
            "jpeg",
            jpeg_bytes(DOCUMENT_MAX),
            jpeg_bytes(DOCUMENT_MAX + 1),
            "document",
            "image/jpeg",
        ),
        (
            "png",
            png_bytes(DOCUMENT_MAX),
            png_bytes(DOCUMENT_MAX + 1),
            "document",
            "image/png",
        ),
        (
            "mp3",
            mp3_bytes(MEDIA_MAX),
            mp3_bytes(MEDIA_MAX + 1),
            "media",
            "audio/mpeg",
        ),
        (
            "mp4",
            mp4_bytes(MEDIA_MAX),
            mp4_bytes(MEDIA_MAX + 1),
            "media",
            "video/mp4",
        ),
    ] {
        assert_eq!(at.len() + 1, over.len(), "{kind} sizes");
        cases.push(case(
            format!("{kind} at the limit"),
            slot,
            format!("limit.{kind}"),
            at,
            Accepted(media_type),
        ));
        cases.push(case(
            format!("{kind} one byte over"),
            slot,
            format!("over.{kind}"),
            over,
            Refused("TooLarge"),
        ));
    }
    // A media-sized file in the document slot is too large before its type matters.
    cases.push(case(
        "mp4 of 5 MiB as document",
        "document",
        "big.mp4",
        mp4_bytes(5 * MIB),
        Refused("TooLarge"),
    ));

    // Polyglots.
    let mut pdf_zip = pdf.clone();
    pdf_zip.extend(zip_bytes());
    cases.push(case(
        "pdf followed by a zip",
        "document",
        "poly.pdf",
        pdf_zip,
        Refused("Incomplete"),
    ));
    let mut zip_pdf = zip_bytes();
    zip_pdf.extend(&pdf);
    cases.push(case(
        "zip followed by a pdf",
        "document",
        "poly.pdf",
        zip_pdf,
        Refused("TypeNotAllowed"),
    ));
    let mut pdf_small_zip = pdf.clone();
    pdf_small_zip.extend(&zip_bytes()[..100]);
    pdf_small_zip.extend(b"\n%%EOF\n");
    cases.push(case(
        "pdf with zip bytes before its last %%EOF",
        "document",
        "poly2.pdf",
        pdf_small_zip,
        Accepted("application/pdf"),
    ));
    let html = b"<html><body><script>alert(document.cookie)</script></body></html>".to_vec();
    let mut jpeg_html = jpeg.clone();
    jpeg_html.extend(&html);
    cases.push(case(
        "jpeg followed by html",
        "document",
        "poly.jpg",
        jpeg_html.clone(),
        Accepted("image/jpeg"),
    ));
    cases.push(case(
        "jpeg followed by html named .html",
        "document",
        "poly.html",
        jpeg_html,
        Accepted("image/jpeg"),
    ));
    let mut html_jpeg = html.clone();
    html_jpeg.extend(&jpeg);
    cases.push(case(
        "html followed by a jpeg",
        "document",
        "poly.jpg",
        html_jpeg,
        Refused("TypeNotAllowed"),
    ));
    let mut png_zip = png.clone();
    png_zip.extend(zip_bytes());
    cases.push(case(
        "png followed by a zip",
        "document",
        "poly.png",
        png_zip,
        Refused("Incomplete"),
    ));
    let mut gif_js = b"GIF89a/*\x01\0\x01\0\x80\0\0".to_vec();
    gif_js.extend(b"*/=1;alert(1);");
    cases.push(case(
        "gif that is also javascript",
        "document",
        "poly.jpg",
        gif_js,
        Refused("TypeNotAllowed"),
    ));
    let mut mp4_html = mp4.clone();
    mp4_html.extend(&html);
    cases.push(case(
        "mp4 followed by html",
        "media",
        "poly.mp4",
        mp4_html,
        Accepted("video/mp4"),
    ));
    let mut pdf_js = pdf_bytes("x");
    pdf_js.splice(
        9..9,
        b"1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n"
            .iter()
            .copied(),
    );
    cases.push(case(
        "pdf with javascript inside",
        "document",
        "js.pdf",
        pdf_js,
        Accepted("application/pdf"),
    ));
    cases.push(case(
        "pdf with a BOM before its header",
        "document",
        "bom.pdf",
        [b"\xEF\xBB\xBF".as_slice(), &pdf].concat(),
        Refused("TypeNotAllowed"),
    ));

    cases
}

/// File names from phones and hostile clients, each with a valid PDF: (label, name sent,
/// name stored). Path parts, control characters and direction marks are dropped, and names
/// longer than 255 characters are shortened in the middle, keeping the extension. A name
/// that a multipart header cannot carry (NUL, most control characters) is refused with its
/// own message: the stored name is `None`, written as "" in the table.
fn name_cases() -> Vec<(&'static str, String, Option<String>)> {
    let long_chinese = "學".repeat(100) + ".pdf";
    let very_long = "a".repeat(300) + ".pdf";
    let shortened = "a".repeat(250) + "….pdf";
    vec![
        (
            "Chinese",
            "學習成果_物理實驗.pdf".into(),
            "學習成果_物理實驗.pdf".into(),
        ),
        (
            "emoji",
            "📚我的作品🎉.pdf".into(),
            "📚我的作品🎉.pdf".into(),
        ),
        (
            "right-to-left override",
            "報告\u{202E}fdp.exe".into(),
            "報告fdp.exe".into(),
        ),
        (
            "right-to-left mark",
            "\u{200F}report.pdf".into(),
            "report.pdf".into(),
        ),
        (
            "isolate marks",
            "a\u{2066}b\u{2069}.pdf".into(),
            "ab.pdf".into(),
        ),
        (
            "parent directories",
            "../../etc/passwd.pdf".into(),
            "passwd.pdf".into(),
        ),
        (
            "Windows path",
            "..\\..\\Windows\\win.pdf".into(),
            "win.pdf".into(),
        ),
        (
            "absolute path",
            "/var/lib/licheng/data.pdf".into(),
            "data.pdf".into(),
        ),
        ("NUL", "a\0b.pdf".into(), "".into()),
        ("tab", "a\tb.pdf".into(), "ab.pdf".into()),
        ("bell", "a\x07b.pdf".into(), "".into()),
        ("only dots", "..".into(), "document.pdf".into()),
        (
            "only spaces and dots",
            " . . ".into(),
            "document.pdf".into(),
        ),
        ("hidden", ".hidden.pdf".into(), "hidden.pdf".into()),
        (
            "spaces",
            "   期末報告 .pdf  ".into(),
            "期末報告 .pdf".into(),
        ),
        ("quotes", "\"引號\".pdf".into(), "\"引號\".pdf".into()),
        ("percent", "100%完成.pdf".into(), "100%完成.pdf".into()),
        (
            "line feed",
            "第一行\n第二行.pdf".into(),
            "第一行第二行.pdf".into(),
        ),
        (
            "over 255 bytes, 104 characters",
            long_chinese.clone(),
            long_chinese,
        ),
        ("over 255 characters", very_long, shortened),
        (
            "html in the name",
            "<img src=x onerror=alert(1)>.pdf".into(),
            "<img src=x onerror=alert(1)>.pdf".into(),
        ),
        (
            "semicolon and equals",
            "a;filename=evil.exe.pdf".into(),
            "a;filename=evil.exe.pdf".into(),
        ),
        (
            "full-width",
            "ＡＢＣ報告．ｐｄｆ".into(),
            "ＡＢＣ報告．ｐｄｆ".into(),
        ),
    ]
    .into_iter()
    .map(|(label, sent, stored): (&str, String, String)| {
        (label, sent, (!stored.is_empty()).then_some(stored))
    })
    .collect()
}

/// Sends one file as a new outcome; returns the reply.
async fn send(student: &mut Client, course: &str, slot: &str, name: &str, bytes: Vec<u8>) -> Reply {
    student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", course),
                Part::Text("summary", "檔案測試"),
                Part::File {
                    field: slot,
                    name,
                    content_type: "application/octet-stream",
                    bytes,
                },
            ],
        )
        .await
}

async fn totals(app: &TestApp) -> (i64, i64, (usize, usize)) {
    (
        app.count("SELECT COUNT(*) FROM course_outcomes").await,
        app.count("SELECT COUNT(*) FROM stored_files").await,
        app.stored_objects(),
    )
}

/// Returns the newest stored file: (id, original name, sha256, media type).
async fn newest_file(app: &TestApp) -> (i64, String, String, String) {
    sqlx::query_as(
        "SELECT id, original_name, sha256, media_type FROM stored_files ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.pool())
    .await
    .unwrap()
}

async fn app_without_upload_limit() -> TestApp {
    let app = TestApp::new().await;
    sqlx::query("UPDATE schools SET max_outcomes_per_semester = 100000")
        .execute(app.pool())
        .await
        .unwrap();
    app
}

#[tokio::test]
async fn hostile_corpus_follows_the_file_rules() {
    let cases = corpus();
    assert!(cases.len() >= 200, "the corpus has {} files", cases.len());
    let app = app_without_upload_limit().await;
    let mut student = app.login(STUDENT).await;
    let course = app.fixture.math.0.to_string();

    let mut failures = Vec::new();
    for case in cases {
        let before = totals(&app).await;
        let sha = hex::encode(Sha256::digest(&case.bytes));
        let reply = send(
            &mut student,
            &course,
            case.slot,
            &case.file_name,
            case.bytes,
        )
        .await;
        let after = totals(&app).await;
        let label = &case.label;
        match case.expect {
            Accepted(media_type) => {
                if reply.status != StatusCode::OK {
                    failures.push(format!(
                        "{label}: expected stored, got {} {}",
                        reply.status,
                        reply.text()
                    ));
                    continue;
                }
                let (_, _, stored_sha, stored_type) = newest_file(&app).await;
                if stored_type != media_type || stored_sha != sha {
                    failures.push(format!("{label}: stored as {stored_type} {stored_sha}"));
                }
                if after.0 != before.0 + 1 || after.2.0 != 0 {
                    failures.push(format!("{label}: totals {before:?} -> {after:?}"));
                }
            }
            Refused(variant) => {
                let json = reply.json();
                let problem = &json["File"][variant];
                if problem.is_null() {
                    failures.push(format!(
                        "{label}: expected {variant}, got {} {json}",
                        reply.status
                    ));
                    continue;
                }
                if problem["file_name"] != case.file_name.as_str() {
                    failures.push(format!("{label}: the error names {}", problem["file_name"]));
                }
                let error: AppError = serde_json::from_value(json.clone()).unwrap();
                let message = licheng::ui::errors::error_message(Locale::zh_TW, &error);
                if !message.contains(case.file_name.trim())
                    || !message
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                {
                    failures.push(format!("{label}: message {message:?}"));
                }
                if after != before {
                    failures.push(format!(
                        "{label}: something was stored: {before:?} -> {after:?}"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases broke the rules:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn hostile_file_names_are_cleaned_and_served_safely() {
    let app = app_without_upload_limit().await;
    let mut student = app.login(STUDENT).await;
    let course = app.fixture.math.0.to_string();
    for (label, sent, stored) in name_cases() {
        let before = totals(&app).await;
        let reply = send(&mut student, &course, "document", &sent, pdf_bytes(label)).await;
        let Some(stored) = stored else {
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{label} {}",
                reply.text()
            );
            assert_eq!(reply.json(), "UnreadableFileName", "{label}");
            assert_eq!(totals(&app).await, before, "{label}: nothing stored");
            continue;
        };
        assert_eq!(reply.status, StatusCode::OK, "{label}: {}", reply.text());
        let (id, name, _, _) = newest_file(&app).await;
        assert_eq!(name, stored, "{label}");
        assert!(name.chars().count() <= 255, "{label}");

        let reply = student
            .send(
                axum::http::Method::GET,
                &format!("/files/{id}?download=1"),
                None,
                &[],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{label}");
        assert_eq!(reply.header("x-content-type-options"), "nosniff", "{label}");
        assert!(
            reply
                .header("content-security-policy")
                .starts_with("default-src 'none'"),
            "{label}"
        );
        let disposition = reply.header("content-disposition");
        assert!(
            disposition.starts_with("attachment; filename=\""),
            "{label}: {disposition}"
        );
        assert!(
            disposition.contains("filename*=UTF-8''"),
            "{label}: {disposition}"
        );
        assert!(disposition.is_ascii(), "{label}: {disposition}");
        let quoted = disposition
            .trim_start_matches("attachment; filename=\"")
            .split("\"; filename*=")
            .next()
            .unwrap();
        assert!(
            !quoted.contains(['"', '\\', '/', '\0', '\r', '\n']),
            "{label}: {disposition}"
        );
    }
}
