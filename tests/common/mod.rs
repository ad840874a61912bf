//! Test harness: a fresh SQLite database and file store per test, a small school, and a client
//! that drives the real router (the same one `licheng` serves) with cookies.

#![allow(dead_code)]

pub mod smtp;

use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use licheng::domain::calendar::{SchoolYear, Semester, SemesterCode, UtcMillis};
use licheng::domain::ids::{CourseId, HomeroomId, SchoolId, SubjectId, UserId};
use licheng::domain::role::Role;
use licheng::server::config::Settings;
use licheng::server::db;
use licheng::server::db::courses::NewCourse;
use licheng::server::db::schools::NewSemester;
use licheng::server::db::users::NewUser;
use licheng::server::state::AppState;
use serde_json::Value;
use tower::ServiceExt;

pub const BOUNDARY: &str = "----licheng-test-boundary-7f3a";

/// A minimal valid PDF.
pub fn pdf_bytes(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

/// A JPEG header and end marker with `size` bytes in all.
pub fn jpeg_bytes(size: usize) -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    bytes.resize(size.max(13) - 2, 0x55);
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

/// An MP4 `ftyp` box followed by filler, `size` bytes in all.
pub fn mp4_bytes(size: usize) -> Vec<u8> {
    let mut bytes = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2mp41".to_vec();
    bytes.resize(size, 0x11);
    bytes
}

/// A Windows executable header, for type checks.
pub fn exe_bytes() -> Vec<u8> {
    let mut bytes = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0".to_vec();
    bytes.resize(2048, 0);
    bytes
}

/// An HEIC (HEIF) header, as iPhones save photos.
pub fn heic_bytes() -> Vec<u8> {
    let mut bytes = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    bytes.resize(4096, 0x22);
    bytes
}

/// One part of a multipart form.
pub enum Part<'a> {
    Text(&'a str, &'a str),
    File {
        field: &'a str,
        name: &'a str,
        content_type: &'a str,
        bytes: Vec<u8>,
    },
}

/// Encodes a multipart/form-data body as a browser does: file names in raw UTF-8 with `"`,
/// line feed and carriage return escaped as `%22`, `%0A` and `%0D`.
pub fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File {
                field,
                name,
                content_type,
                bytes,
            } => {
                let escaped = name
                    .replace('"', "%22")
                    .replace('\n', "%0A")
                    .replace('\r', "%0D");
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{field}\"; filename=\"{escaped}\"\r\nContent-Type: {content_type}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// The fixture school's ids.
#[derive(Clone, Debug)]
pub struct Fixture {
    pub school: SchoolId,
    pub other_school: SchoolId,
    /// 數學A for homeroom 201 and 物理 for homeroom 201, both taught by `teacher`.
    pub math: CourseId,
    pub physics: CourseId,
    /// 國語文 for homeroom 201, taught by `other_teacher`.
    pub chinese: CourseId,
    /// A course of an earlier semester that `student` took.
    pub old_course: CourseId,
    /// A course of the other school.
    pub foreign_course: CourseId,
    pub homeroom_201: HomeroomId,
    pub homeroom_202: HomeroomId,
    pub math_subject: SubjectId,
    pub teacher: UserId,
    pub other_teacher: UserId,
    /// Takes every course of homeroom 201.
    pub student: UserId,
    /// In homeroom 202; takes only 數學A.
    pub classmate: UserId,
    pub foreign_student: UserId,
    pub foreign_teacher: UserId,
    pub admin: UserId,
    pub semester: licheng::domain::ids::SemesterId,
    pub old_semester: licheng::domain::ids::SemesterId,
    pub school_year_id: i64,
}

/// Logins of the fixture; every password is `pw-` plus the login.
pub const TEACHER: &str = "t100";
pub const OTHER_TEACHER: &str = "t200";
pub const STUDENT: &str = "s001";
pub const CLASSMATE: &str = "s002";
pub const FOREIGN_STUDENT: &str = "x001";
pub const FOREIGN_TEACHER: &str = "x100";
/// 教務處: administrator of the main school.
pub const ADMIN: &str = "a100";
/// 提交名冊人員 of the main school.
pub const SUBMITTER: &str = "p100";
/// The national ID and birth date of the fixture's `student`.
pub const STUDENT_NATIONAL_ID: &str = "A123456789";
pub const STUDENT_BIRTH_DATE: &str = "2008-01-16";
/// The fixture school's limit of outcomes per student and semester.
pub const UPLOAD_LIMIT: i64 = 6;

/// The environment variable that picks the database of a test run: unset or `sqlite` runs
/// every test on a fresh SQLite file, `postgres` on a fresh PostgreSQL database of the server
/// at `LICHENG_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/postgres`).
pub const BACKEND_VAR: &str = "LICHENG_TEST_BACKEND";

/// Returns whether this run's tests use PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var(BACKEND_VAR).is_ok_and(|backend| backend == "postgres")
}

/// Returns true, after saying why, when a test of SQLite-only behaviour (file backups, the
/// crash test of the embedded database, pragmas) runs in a PostgreSQL run; the test then
/// returns at once. cargo test has no "skipped" outcome, so it passes.
pub fn sqlite_only(what: &str) -> bool {
    let skip = on_postgres();
    if skip {
        eprintln!("skipped on PostgreSQL: {what} is for the SQLite deployment");
    }
    skip
}

/// The URL of the PostgreSQL server's maintenance database, from which test databases are
/// created and dropped.
pub fn postgres_admin_url() -> String {
    std::env::var("LICHENG_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A PostgreSQL database made for one test and dropped when the test ends, pass or fail.
pub struct PostgresDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PostgresDatabase {
    pub async fn create() -> Self {
        sqlx::any::install_default_drivers();
        let admin_url = postgres_admin_url();
        let name = format!("licheng_test_{}", random_suffix());
        let admin = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&admin_url)
            .await
            .unwrap_or_else(|error| panic!("{BACKEND_VAR}=postgres needs {admin_url}: {error}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .expect("create the test database");
        admin.close().await;
        let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
        PostgresDatabase {
            admin_url,
            name,
            url,
        }
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot block; a thread with its own
        // runtime can. FORCE ends the connections that the test's pool still holds.
        let dropping = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let admin = sqlx::any::AnyPoolOptions::new()
                    .max_connections(1)
                    .connect(&admin_url)
                    .await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&admin)
                    .await?;
                admin.close().await;
                Ok::<(), sqlx::Error>(())
            })
        });
        match dropping.join() {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("could not drop test database {}: {error}", self.name),
            Err(_) => eprintln!("dropping test database {} panicked", self.name),
        }
    }
}

/// The access and secret key of the test S3 server.
pub const S3_ACCESS_KEY: &str = "licheng-test-key";
pub const S3_SECRET_KEY: &str = "licheng-test-secret";
pub const S3_BUCKET: &str = "licheng-test";

/// An S3-compatible server (`s3s-fs`, installed by scripts/setup.sh) listening on 127.0.0.1
/// with its own directory; stopped when dropped. Found through `LICHENG_S3S_FS`, then the
/// tools directory of setup.sh, then `PATH`.
pub struct S3Server {
    child: std::process::Child,
    pub endpoint: String,
    /// The server's directory: `{root}/{bucket}/{key}` for each object.
    pub root: tempfile::TempDir,
}

impl S3Server {
    pub async fn start() -> Self {
        let binary = std::env::var_os("LICHENG_S3S_FS")
            .map(PathBuf::from)
            .or_else(|| {
                let home = std::env::var_os("HOME")?;
                let path = PathBuf::from(home).join(".cache/licheng/tools/s3s/bin/s3s-fs");
                path.exists().then_some(path)
            })
            .unwrap_or_else(|| PathBuf::from("s3s-fs"));
        let root = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir(root.path().join(S3_BUCKET)).unwrap();
        let port = free_port();
        let mut child = std::process::Command::new(&binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", S3_ACCESS_KEY, "--secret-key", S3_SECRET_KEY])
            .arg(root.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start {}: {error}; run scripts/setup.sh or set LICHENG_S3S_FS",
                    binary.display()
                )
            });
        let address = format!("127.0.0.1:{port}");
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(&address).await.is_ok() {
                return S3Server {
                    child,
                    endpoint: format!("http://{address}"),
                    root,
                };
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("s3s-fs did not listen on {address} within 10 s");
    }

    pub fn config(&self) -> licheng::server::storage::s3::S3Config {
        licheng::server::storage::s3::S3Config {
            bucket: S3_BUCKET.to_owned(),
            endpoint: Some(self.endpoint.clone()),
            region: "us-east-1".to_owned(),
            access_key_id: S3_ACCESS_KEY.to_owned(),
            secret_access_key: S3_SECRET_KEY.to_owned(),
            prefix: String::new(),
        }
    }

    /// Points `settings` at this server's bucket.
    pub fn configure(&self, settings: &mut Settings) {
        settings.s3_bucket = Some(S3_BUCKET.to_owned());
        settings.s3_endpoint = Some(self.endpoint.clone());
        settings.s3_access_key_id = Some(S3_ACCESS_KEY.to_owned());
        settings.s3_secret_access_key = Some(S3_SECRET_KEY.to_owned());
    }

    /// Returns the file in the server's directory that contains a committed object.
    pub fn object_file(&self, sha256: &str) -> PathBuf {
        self.root
            .path()
            .join(S3_BUCKET)
            .join("objects")
            .join(&sha256[..2])
            .join(sha256)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Returns a TCP port that is free now on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// 16 random hex digits, for names that parallel tests must not share.
pub fn random_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    format!("{:016x}", hasher.finish())
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub fixture: Fixture,
    pub data_dir: tempfile::TempDir,
    /// The test's PostgreSQL database when the run uses PostgreSQL; declared last so that it
    /// is dropped after the state.
    pub postgres: Option<PostgresDatabase>,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_settings(|_| {}).await
    }

    /// A test app whose settings `adjust` changes after the defaults and the database are set.
    pub async fn with_settings(adjust: impl FnOnce(&mut Settings)) -> Self {
        let data_dir = tempfile::tempdir().expect("temporary directory");
        let mut settings = Settings::for_data_dir(data_dir.path().to_path_buf());
        let postgres = if on_postgres() {
            Some(PostgresDatabase::create().await)
        } else {
            None
        };
        settings.database_url = postgres.as_ref().map(|database| database.url.clone());
        settings.hash_concurrency = Some(4);
        adjust(&mut settings);
        let options = licheng::server::load_leptos_options(&PathBuf::from("Leptos.toml"))
            .expect("Leptos.toml");
        let mut state = licheng::server::build_state(settings, options)
            .await
            .expect("state");
        // A clock the tests can move, starting at the real time.
        state.clock = licheng::server::state::Clock::fixed(UtcMillis::now());
        let fixture = seed(&state).await;
        let router = licheng::server::router::build(state.clone());
        TestApp {
            state,
            router,
            fixture,
            data_dir,
            postgres,
        }
    }

    pub fn anonymous(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookie: None,
        }
    }

    /// Logs in through the login server function and returns a client with the cookie. The
    /// fixture has two schools, so the login names the school by its code.
    pub async fn login(&self, login: &str) -> Client {
        let school_code = if login.starts_with('x') {
            "654321"
        } else {
            "123456"
        };
        let mut client = self.anonymous();
        let response = client
            .send(
                Method::POST,
                "/api/login",
                Some((
                    "application/x-www-form-urlencoded",
                    format!("school_code={school_code}&login={login}&password=pw-{login}")
                        .into_bytes(),
                )),
                &[],
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "login of {login}: {}",
            response.text()
        );
        let cookie = response
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|value| value.starts_with("licheng_session="))
            .expect("session cookie")
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        client.cookie = Some(cookie);
        client
    }

    /// Moves the services' clock.
    pub fn set_clock(&self, at: UtcMillis) {
        self.state.clock.set(at);
    }

    /// Sets the student and teacher windows of the fixture's current semester.
    pub async fn set_windows(&self, windows: licheng::domain::window::SemesterWindows) {
        let mut tx = self.state.db.begin_write().await.unwrap();
        db::windows::update_semester_windows(
            &mut tx,
            self.fixture.school,
            self.fixture.semester,
            &windows,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    /// Sets the selection window of school year 113.
    pub async fn set_selection_window(&self, window: licheng::domain::window::Window) {
        let mut tx = self.state.db.begin_write().await.unwrap();
        db::windows::update_selection_window(
            &mut tx,
            self.fixture.school,
            self.fixture.school_year_id,
            &window,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    pub fn pool(&self) -> &sqlx::AnyPool {
        &self.state.db.pool
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.pool())
            .await
            .expect(sql)
    }

    /// Returns how many temporary and committed objects the file store holds.
    pub fn stored_objects(&self) -> (usize, usize) {
        let files = self.data_dir.path().join("files");
        let temporary = std::fs::read_dir(files.join("tmp"))
            .map(|dir| dir.count())
            .unwrap_or(0);
        let committed = walk_files(&files.join("objects"));
        (temporary, committed)
    }
}

fn walk_files(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| {
            if entry.path().is_dir() {
                walk_files(&entry.path())
            } else {
                1
            }
        })
        .sum()
}

/// A response with its body read.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

/// A browser stand-in: sends requests through the router with its session cookie and, like
/// a browser on the same site, `Sec-Fetch-Site: same-origin`.
#[derive(Clone)]
pub struct Client {
    pub router: Router,
    pub cookie: Option<String>,
}

impl Client {
    pub fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
        extra: &[(&str, &str)],
    ) -> Request<Body> {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header("sec-fetch-site", "same-origin");
        if let Some(cookie) = &self.cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        for (name, value) in extra {
            builder = builder.header(*name, *value);
        }
        match body {
            Some((content_type, bytes)) => builder
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(bytes))
                .unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        }
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
        extra: &[(&str, &str)],
    ) -> Reply {
        let request = self.request(method, path, body, extra);
        self.send_request(request).await
    }

    pub async fn send_request(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .map(|body| body.to_bytes().to_vec())
            .unwrap_or_default();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Sends a GET as a browser's navigation does, accepting HTML.
    pub async fn get(&mut self, path: &str) -> Reply {
        self.send(Method::GET, path, None, &[("accept", "text/html,*/*")])
            .await
    }

    /// Calls a server function that takes form-encoded arguments.
    pub async fn call(&mut self, endpoint: &str, form: &str) -> Reply {
        let path = format!("/api/{endpoint}");
        self.send(
            Method::POST,
            &path,
            Some((
                "application/x-www-form-urlencoded",
                form.as_bytes().to_vec(),
            )),
            &[],
        )
        .await
    }

    /// Calls a server function that takes JSON arguments.
    pub async fn call_json(&mut self, endpoint: &str, arguments: Value) -> Reply {
        let path = format!("/api/{endpoint}");
        let body = serde_json::to_vec(&arguments).unwrap();
        self.send(Method::POST, &path, Some(("application/json", body)), &[])
            .await
    }

    /// Posts a multipart upload to `path`.
    pub async fn upload(&mut self, path: &str, parts: &[Part<'_>]) -> Reply {
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.send(
            Method::POST,
            path,
            Some((&content_type, multipart(parts))),
            &[("accept", "application/json")],
        )
        .await
    }

    /// Uploads a new outcome with one PDF; returns (id, version).
    pub async fn upload_pdf(&mut self, course: CourseId, summary: &str) -> (i64, i64) {
        let course = course.0.to_string();
        let reply = self
            .upload(
                "/upload/outcomes",
                &[
                    Part::Text("course_id", &course),
                    Part::Text("summary", summary),
                    Part::File {
                        field: "document",
                        name: "成果.pdf",
                        content_type: "application/pdf",
                        bytes: pdf_bytes(summary),
                    },
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "upload: {}", reply.text());
        let json = reply.json();
        (
            json["outcome_id"].as_i64().unwrap(),
            json["version"].as_i64().unwrap(),
        )
    }

    /// Uploads and submits an outcome; returns (id, version).
    pub async fn submitted_outcome(&mut self, course: CourseId, summary: &str) -> (i64, i64) {
        let (id, version) = self.upload_pdf(course, summary).await;
        let reply = self
            .call(
                "submit_outcome",
                &format!("outcome_id={id}&version={version}"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "submit: {}", reply.text());
        (id, reply.json()["version"].as_i64().unwrap())
    }

    /// Sets 通過 or 不通過 on outcomes; returns the reply.
    pub async fn decide(&mut self, items: &[(i64, i64)], verdict: &str, reason: &str) -> Reply {
        self.call_json(
            "decide_outcomes",
            serde_json::json!({ "items": items, "verdict": verdict, "reason": reason }),
        )
        .await
    }

    pub async fn publish(&mut self, items: &[(i64, i64)]) -> Reply {
        self.call_json("publish_outcomes", serde_json::json!({ "items": items }))
            .await
    }

    /// The certification list under `query` (a `ReviewQuery` as JSON).
    pub async fn review_page(&mut self, query: Value) -> Value {
        let reply = self
            .call_json("review_page", serde_json::json!({ "query": query }))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "review_page: {}",
            reply.text()
        );
        reply.json()
    }

    /// The version of an outcome as the teacher's list shows it.
    pub async fn version_in_review(&mut self, outcome: i64) -> i64 {
        let page = self.review_page(all_query()).await;
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["outcome_id"].as_i64() == Some(outcome))
            .and_then(|row| row["version"].as_i64())
            .expect("outcome in the teacher's list")
    }
}

/// A `ReviewQuery` for everything, 100 per page.
pub fn all_query() -> Value {
    serde_json::json!({ "semester": null, "state": "All", "homeroom": null, "subject": null, "page": { "page": 1, "per_page": 100 } })
}

pub async fn seed(state: &AppState) -> Fixture {
    let now = UtcMillis::now();
    let mut hashes = Vec::new();
    for login in [
        TEACHER,
        OTHER_TEACHER,
        STUDENT,
        CLASSMATE,
        FOREIGN_STUDENT,
        FOREIGN_TEACHER,
        ADMIN,
        SUBMITTER,
    ] {
        hashes.push(state.passwords.hash(format!("pw-{login}")).await.unwrap());
    }
    let mut tx = state.db.begin_write().await.unwrap();
    let school = db::schools::insert_school(&mut tx, "123456", "測試高中", Some(UPLOAD_LIMIT), now)
        .await
        .unwrap();
    let other_school = db::schools::insert_school(&mut tx, "654321", "另一所高中", None, now)
        .await
        .unwrap();
    let year = db::schools::insert_school_year(&mut tx, school, SchoolYear(113))
        .await
        .unwrap();
    let old_year = db::schools::insert_school_year(&mut tx, school, SchoolYear(112))
        .await
        .unwrap();
    let foreign_year = db::schools::insert_school_year(&mut tx, other_school, SchoolYear(113))
        .await
        .unwrap();
    let semester = insert_semester(
        &mut tx,
        school,
        year,
        SchoolYear(113),
        Semester::First,
        "2024-08-01",
        "2025-01-31",
        true,
    )
    .await;
    let old_semester = insert_semester(
        &mut tx,
        school,
        old_year,
        SchoolYear(112),
        Semester::Second,
        "2024-02-01",
        "2024-07-31",
        false,
    )
    .await;
    let foreign_semester = insert_semester(
        &mut tx,
        other_school,
        foreign_year,
        SchoolYear(113),
        Semester::First,
        "2024-08-01",
        "2025-01-31",
        true,
    )
    .await;

    let mut hashes = hashes.into_iter();
    let teacher = user(
        &mut tx,
        school,
        TEACHER,
        "林老師",
        &hashes.next().unwrap(),
        Role::Teacher,
    )
    .await;
    let other_teacher = user(
        &mut tx,
        school,
        OTHER_TEACHER,
        "王老師",
        &hashes.next().unwrap(),
        Role::Teacher,
    )
    .await;
    let student = user(
        &mut tx,
        school,
        STUDENT,
        "陳同學",
        &hashes.next().unwrap(),
        Role::Student,
    )
    .await;
    let classmate = user(
        &mut tx,
        school,
        CLASSMATE,
        "李同學",
        &hashes.next().unwrap(),
        Role::Student,
    )
    .await;
    let foreign_student = user(
        &mut tx,
        other_school,
        FOREIGN_STUDENT,
        "外校生",
        &hashes.next().unwrap(),
        Role::Student,
    )
    .await;
    let foreign_teacher = user(
        &mut tx,
        other_school,
        FOREIGN_TEACHER,
        "外校師",
        &hashes.next().unwrap(),
        Role::Teacher,
    )
    .await;
    let admin = user(
        &mut tx,
        school,
        ADMIN,
        "教務主任",
        &hashes.next().unwrap(),
        Role::Admin,
    )
    .await;
    user(
        &mut tx,
        school,
        SUBMITTER,
        "註冊組長",
        &hashes.next().unwrap(),
        Role::SubmissionStaff,
    )
    .await;
    for (school, user, number) in [
        (school, student, "113001"),
        (school, classmate, "113002"),
        (other_school, foreign_student, "113001"),
    ] {
        db::users::insert_student(&mut tx, school, user, number)
            .await
            .unwrap();
    }
    let identities = [
        (student, STUDENT_NATIONAL_ID, STUDENT_BIRTH_DATE),
        (classmate, "B223456782", "2007-12-31"),
    ];
    for (user, national_id, birth_date) in identities {
        let id = licheng::domain::national_id::NationalId::parse(national_id).unwrap();
        let (encrypted, hash) = (
            state.national_ids.encrypt(&id),
            state.national_ids.lookup_hash(&id),
        );
        db::users::set_student_identity(&mut tx, school, user, &encrypted, &hash, birth_date)
            .await
            .unwrap();
    }

    let homeroom_201 = db::courses::insert_homeroom(&mut tx, school, year, 11, "201", None)
        .await
        .unwrap();
    let homeroom_202 = db::courses::insert_homeroom(&mut tx, school, year, 11, "202", None)
        .await
        .unwrap();
    db::courses::add_homeroom_member(&mut tx, school, year, homeroom_201, student, 1)
        .await
        .unwrap();
    db::courses::add_homeroom_member(&mut tx, school, year, homeroom_202, classmate, 7)
        .await
        .unwrap();

    let math_subject = db::courses::insert_subject(&mut tx, school, "數學A")
        .await
        .unwrap();
    let physics_subject = db::courses::insert_subject(&mut tx, school, "物理")
        .await
        .unwrap();
    let chinese_subject = db::courses::insert_subject(&mut tx, school, "國語文")
        .await
        .unwrap();
    let foreign_subject = db::courses::insert_subject(&mut tx, other_school, "數學A")
        .await
        .unwrap();
    let course = |semester, subject, teacher, group| NewCourse {
        semester,
        subject,
        teacher,
        group_name: group,
        credits: 4,
    };
    let math = db::courses::insert_course(
        &mut tx,
        school,
        &course(semester, math_subject, teacher, "201"),
        now,
    )
    .await
    .unwrap();
    let physics = db::courses::insert_course(
        &mut tx,
        school,
        &course(semester, physics_subject, teacher, "201"),
        now,
    )
    .await
    .unwrap();
    let chinese = db::courses::insert_course(
        &mut tx,
        school,
        &course(semester, chinese_subject, other_teacher, "201"),
        now,
    )
    .await
    .unwrap();
    let old_course = db::courses::insert_course(
        &mut tx,
        school,
        &course(old_semester, math_subject, teacher, "101"),
        now,
    )
    .await
    .unwrap();
    let foreign_course = db::courses::insert_course(
        &mut tx,
        other_school,
        &course(foreign_semester, foreign_subject, foreign_teacher, "201"),
        now,
    )
    .await
    .unwrap();
    for course in [math, physics, chinese, old_course] {
        db::courses::enroll(&mut tx, school, course, student)
            .await
            .unwrap();
    }
    db::courses::enroll(&mut tx, school, math, classmate)
        .await
        .unwrap();
    db::courses::enroll(&mut tx, other_school, foreign_course, foreign_student)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Fixture {
        school,
        other_school,
        math,
        physics,
        chinese,
        old_course,
        foreign_course,
        homeroom_201,
        homeroom_202,
        math_subject,
        teacher,
        other_teacher,
        student,
        classmate,
        foreign_student,
        foreign_teacher,
        admin,
        semester,
        old_semester,
        school_year_id: year,
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_semester(
    tx: &mut db::Tx,
    school: SchoolId,
    year_id: i64,
    year: SchoolYear,
    semester: Semester,
    starts_on: &str,
    ends_on: &str,
    is_current: bool,
) -> licheng::domain::ids::SemesterId {
    let new = NewSemester {
        school_year_id: year_id,
        code: SemesterCode::new(year, semester),
        starts_on,
        ends_on,
        closing_day: None,
        is_current,
        // Open-ended: tests that need a window set one.
        windows: licheng::domain::window::SemesterWindows::default(),
    };
    db::schools::insert_semester(tx, school, &new)
        .await
        .unwrap()
}

async fn user(
    tx: &mut db::Tx,
    school: SchoolId,
    login: &str,
    name: &str,
    hash: &str,
    role: Role,
) -> UserId {
    let new = NewUser {
        login,
        display_name: name,
        password_hash: Some(hash),
        email: None,
    };
    let user = db::users::insert_user(tx, school, &new, UtcMillis::now())
        .await
        .unwrap();
    db::users::add_role(tx, school, user, role).await.unwrap();
    user
}
