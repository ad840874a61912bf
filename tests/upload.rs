#![cfg(feature = "ssr")]
//! Uploads through the streaming route: what is accepted, what is refused with which error,
//! and that a refusal stores nothing.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use futures::StreamExt;

fn course_field(id: licheng::domain::ids::CourseId) -> String {
    id.0.to_string()
}

/// Asserts that nothing of a refused upload is stored: no outcome, no file row, no object.
async fn assert_nothing_stored(app: &TestApp) {
    assert_eq!(
        app.count("SELECT COUNT(*) FROM course_outcomes").await,
        0,
        "outcome rows"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM stored_files").await,
        0,
        "file rows"
    );
    assert_eq!(
        app.stored_objects(),
        (0, 0),
        "(temporary, committed) objects in the store"
    );
}

#[tokio::test]
async fn upload_pdf_and_jpg_creates_draft() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "三角函數應用題解題紀錄"),
                Part::File {
                    field: "document",
                    name: "解題.pdf",
                    content_type: "application/pdf",
                    bytes: pdf_bytes("a"),
                },
                Part::File {
                    field: "media",
                    name: "說明.mp4",
                    content_type: "video/mp4",
                    bytes: mp4_bytes(50_000),
                },
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let saved = reply.json();
    assert_eq!(saved["version"], 1);
    let status: String = sqlx::query_scalar("SELECT status FROM course_outcomes")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(status, "draft");
    let types: Vec<String> = sqlx::query_scalar("SELECT media_type FROM stored_files ORDER BY id")
        .fetch_all(app.pool())
        .await
        .unwrap();
    assert_eq!(types, ["application/pdf", "video/mp4"]);
    assert_eq!(app.stored_objects(), (0, 2));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_events WHERE action = 'create'")
            .await,
        1
    );
}

#[tokio::test]
async fn upload_accepts_file_exactly_at_limit() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    let limit = app.state.file_rules().document_max_bytes as usize;
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "剛好 4 MB"),
                Part::File {
                    field: "document",
                    name: "photo.jpg",
                    content_type: "image/jpeg",
                    bytes: jpeg_bytes(limit),
                },
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let size: i64 = sqlx::query_scalar("SELECT byte_size FROM stored_files")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(size as usize, limit);
}

#[tokio::test]
async fn upload_refuses_one_byte_over_limit() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    let limit = app.state.file_rules().document_max_bytes as usize;
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "多一個位元組"),
                Part::File {
                    field: "document",
                    name: "photo.jpg",
                    content_type: "image/jpeg",
                    bytes: jpeg_bytes(limit + 1),
                },
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text()
    );
    let error = reply.json();
    assert_eq!(error["File"]["TooLarge"]["file_name"], "photo.jpg");
    assert_eq!(error["File"]["TooLarge"]["max_bytes"], limit as u64);
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn upload_refuses_media_one_byte_over_limit() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    let limit = app.state.file_rules().media_max_bytes as usize;
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "影片"),
                Part::File {
                    field: "media",
                    name: "v.mp4",
                    content_type: "video/mp4",
                    bytes: mp4_bytes(limit + 1),
                },
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text()
    );
    assert_eq!(reply.json()["File"]["TooLarge"]["slot"], "Media");
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn upload_refuses_exe_renamed_pdf() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "報告"),
                Part::File {
                    field: "document",
                    name: "報告.pdf",
                    content_type: "application/pdf",
                    bytes: exe_bytes(),
                },
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        reply.text()
    );
    let problem = &reply.json()["File"]["TypeNotAllowed"];
    assert_eq!(problem["file_name"], "報告.pdf");
    assert_eq!(problem["detected"], "exe");
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn upload_refuses_heic_renamed_jpg() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "照片"),
                Part::File {
                    field: "document",
                    name: "IMG_0001.jpg",
                    content_type: "image/jpeg",
                    bytes: heic_bytes(),
                },
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        reply.text()
    );
    assert_eq!(reply.json()["File"]["TypeNotAllowed"]["detected"], "heif");
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn upload_refuses_empty_file() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "空檔"),
                Part::File {
                    field: "document",
                    name: "empty.pdf",
                    content_type: "application/pdf",
                    bytes: Vec::new(),
                },
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    assert_eq!(reply.json()["File"]["Empty"]["file_name"], "empty.pdf");
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn upload_refuses_missing_summary() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    for summary in ["", "   "] {
        let reply = student
            .upload(
                "/upload/outcomes",
                &[
                    Part::Text("course_id", &course),
                    Part::Text("summary", summary),
                    Part::File {
                        field: "document",
                        name: "a.pdf",
                        content_type: "application/pdf",
                        bytes: pdf_bytes("x"),
                    },
                ],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.text()
        );
        assert_eq!(reply.json(), serde_json::json!({ "Summary": "Missing" }));
    }
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn upload_refuses_101_character_summary() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    let summary = "字".repeat(101);
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", &summary),
                Part::File {
                    field: "document",
                    name: "a.pdf",
                    content_type: "application/pdf",
                    bytes: pdf_bytes("x"),
                },
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    assert_eq!(
        reply.json(),
        serde_json::json!({ "Summary": { "TooLong": { "length": 101, "max": 100 } } })
    );
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn upload_accepts_100_character_summary() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let summary = "字".repeat(100);
    student.upload_pdf(app.fixture.math, &summary).await;
    let stored: String = sqlx::query_scalar("SELECT summary FROM course_outcomes")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(stored.chars().count(), 100);
}

#[tokio::test]
async fn upload_refuses_course_not_taken() {
    let app = TestApp::new().await;
    let classmate = app.login(CLASSMATE).await;
    let student = app.login(STUDENT).await;
    // The classmate does not take 物理; the student's old course is of an earlier semester;
    // the foreign course belongs to another school.
    for (client, course) in [
        (classmate.clone(), app.fixture.physics),
        (student.clone(), app.fixture.old_course),
        (student.clone(), app.fixture.foreign_course),
        (student.clone(), licheng::domain::ids::CourseId(999_999)),
    ] {
        let mut client = client;
        let course = course_field(course);
        let reply = client
            .upload(
                "/upload/outcomes",
                &[
                    Part::Text("course_id", &course),
                    Part::Text("summary", "不是我的課"),
                    Part::File {
                        field: "document",
                        name: "a.pdf",
                        content_type: "application/pdf",
                        bytes: pdf_bytes("x"),
                    },
                ],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "course {course}: {}",
            reply.text()
        );
        assert_eq!(reply.json(), serde_json::json!("NotEnrolled"));
    }
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn upload_refuses_request_without_file() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    // A file input left empty arrives as a part with no name and no bytes.
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "忘了選檔案"),
                Part::File {
                    field: "document",
                    name: "",
                    content_type: "application/octet-stream",
                    bytes: Vec::new(),
                },
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    assert_eq!(reply.json(), serde_json::json!("NoFile"));
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn upload_refuses_pdf_in_media_slot() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "放錯欄位"),
                Part::File {
                    field: "media",
                    name: "a.pdf",
                    content_type: "application/pdf",
                    bytes: pdf_bytes("x"),
                },
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        reply.text()
    );
    assert_eq!(reply.json()["File"]["WrongSlot"]["kind"], "Pdf");
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn upload_aborted_halfway_stores_nothing() {
    let app = TestApp::new().await;
    let student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    let body = multipart(&[
        Part::Text("course_id", &course),
        Part::Text("summary", "斷線"),
        Part::File {
            field: "document",
            name: "big.jpg",
            content_type: "image/jpeg",
            bytes: jpeg_bytes(1_000_000),
        },
    ]);
    // The browser sends half of the body, then the connection breaks.
    let half = body[..body.len() / 2].to_vec();
    let stream = futures::stream::iter(vec![
        Ok::<_, std::io::Error>(bytes::Bytes::from(half)),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "client went away",
        )),
    ]);
    let request = Request::builder()
        .method(Method::POST)
        .uri("/upload/outcomes")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, student.cookie.clone().unwrap())
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from_stream(stream))
        .unwrap();
    let reply = student.send_request(request).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
    assert_eq!(reply.json(), serde_json::json!("UploadAborted"));
    assert_nothing_stored(&app).await;
}

#[tokio::test]
async fn upload_over_school_limit_is_refused() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    for index in 0..UPLOAD_LIMIT {
        student
            .upload_pdf(app.fixture.math, &format!("第 {index} 件"))
            .await;
    }
    let course = course_field(app.fixture.physics);
    let reply = student
        .upload(
            "/upload/outcomes",
            &[
                Part::Text("course_id", &course),
                Part::Text("summary", "超過上限"),
                Part::File {
                    field: "document",
                    name: "a.pdf",
                    content_type: "application/pdf",
                    bytes: pdf_bytes("over"),
                },
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    assert_eq!(
        reply.json(),
        serde_json::json!({ "UploadLimitReached": { "max": UPLOAD_LIMIT } })
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM course_outcomes").await,
        UPLOAD_LIMIT
    );
}

#[tokio::test]
async fn unusual_file_names_survive_round_trip() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let long_name = format!("{}.pdf", "長檔名".repeat(70));
    let names = [
        "期末報告 🎉.pdf",
        "O'Brien's #1 作品.pdf",
        long_name.as_str(),
    ];
    for name in names {
        let course = course_field(app.fixture.math);
        let reply = student
            .upload(
                "/upload/outcomes",
                &[
                    Part::Text("course_id", &course),
                    Part::Text("summary", "檔名測試"),
                    Part::File {
                        field: "document",
                        name,
                        content_type: "application/pdf",
                        bytes: pdf_bytes(name),
                    },
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
    }
    let overview = student.call("my_outcomes", "").await.json();
    let listed: Vec<String> = overview["semesters"][0]["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|outcome| outcome["document"]["name"].as_str().unwrap().to_owned())
        .collect();
    for name in names {
        assert!(
            listed.iter().any(|listed| listed == name),
            "{name} not in {listed:?}"
        );
    }
    assert!(long_name.chars().count() > 200);

    let id: i64 = sqlx::query_scalar("SELECT id FROM stored_files WHERE original_name = $1")
        .bind(names[1])
        .fetch_one(app.pool())
        .await
        .unwrap();
    let download = student.get(&format!("/files/{id}?download=1")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(
        download.header("content-disposition"),
        "attachment; filename=\"O'Brien's #1 __.pdf\"; filename*=UTF-8''O%27Brien%27s%20#1%20%E4%BD%9C%E5%93%81.pdf"
    );
}

#[tokio::test]
async fn plain_form_post_redirects_with_result() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let ok = multipart(&[
        Part::Text("course_id", &course),
        Part::Text("summary", "沒有程式也能上傳"),
        Part::File {
            field: "document",
            name: "a.pdf",
            content_type: "application/pdf",
            bytes: pdf_bytes("x"),
        },
    ]);
    let reply = student
        .send(
            Method::POST,
            "/upload/outcomes",
            Some((&content_type, ok)),
            &[("accept", "text/html")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(
        reply
            .header("location")
            .starts_with("/student/outcomes?uploaded="),
        "{}",
        reply.header("location")
    );

    let refused = multipart(&[
        Part::Text("course_id", &course),
        Part::Text("summary", ""),
        Part::File {
            field: "document",
            name: "a.pdf",
            content_type: "application/pdf",
            bytes: pdf_bytes("x"),
        },
    ]);
    let reply = student
        .send(
            Method::POST,
            "/upload/outcomes",
            Some((&content_type, refused)),
            &[("accept", "text/html")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let location = reply.header("location");
    assert!(
        location.starts_with("/student/outcomes/new?error="),
        "{location}"
    );
    let encoded = location.split_once("error=").unwrap().1;
    let decoded = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .unwrap();
    assert_eq!(decoded, r#"{"Summary":"Missing"}"#);
}

#[tokio::test]
async fn upload_stops_reading_one_byte_past_limit() {
    let app = TestApp::new().await;
    let student = app.login(STUDENT).await;
    let course = course_field(app.fixture.math);
    let limit = app.state.file_rules().document_max_bytes as usize;
    // The form up to the file's first limit + 1 bytes; then the sender stalls forever. A server
    // that stops at the limit responds at once; one that keeps reading never does.
    let mut head = multipart(&[
        Part::Text("course_id", &course),
        Part::Text("summary", "很大的檔案"),
    ]);
    head.truncate(head.len() - format!("--{BOUNDARY}--\r\n").len());
    head.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"document\"; filename=\"huge.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    head.extend_from_slice(&jpeg_bytes(limit + 1)[..limit + 1]);
    let stream = futures::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from(head))])
        .chain(futures::stream::pending());
    let request = Request::builder()
        .method(Method::POST)
        .uri("/upload/outcomes")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, student.cookie.clone().unwrap())
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from_stream(stream))
        .unwrap();
    let reply = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        student.send_request(request),
    )
    .await
    .expect("the server responds without waiting for the rest of the file");
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text()
    );
    assert_nothing_stored(&app).await;
}
