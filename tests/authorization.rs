#![cfg(feature = "ssr")]
//! Who may call what. The authorization matrix calls every server function and every plain
//! axum route as every kind of caller and asserts exactly the allowed set: allowed callers
//! get past the guard, refused callers get the intended refusal and change nothing. The
//! cross-site tests send every POST endpoint as another site would and expect a refusal that
//! changes nothing. Completeness tests fail when a server function or a route is missing from
//! the matrix.
//!
//! Adding a server function or route: add one line to the table of its area below (such as
//! `student_rows`): the endpoint, the request built from the [`Scene`], and one expectation per
//! caller in the column order of [`CALLERS`]. A new area gets its own `*_rows` function, an
//! entry in `all_rows`, and a `matrix_*` and a `cross_site_*` test calling `check_matrix` and
//! `check_cross_site` with it. If a new role needs its own column, add a [`Caller`], log it in
//! in `Scene::build`, and add the column to every row.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{HeaderMap, Method, StatusCode, header};
use common::*;
use http_body_util::BodyExt;
use licheng::domain::calendar::UtcMillis;
use licheng::domain::ids::{SchoolId, UserId};
use licheng::domain::role::Role;
use licheng::domain::window::Window;
use licheng::server::db;
use licheng::server::db::users::NewUser;
use serde_json::{Value, json};
use sqlx::{Column, Row as _};
use tower::ServiceExt;

// ---------------------------------------------------------------------------------------------
// Callers
// ---------------------------------------------------------------------------------------------

/// The kinds of caller, one column of the matrix each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Caller {
    /// No session cookie.
    Anonymous,
    /// Holds every role of the main school but still has the first password.
    FirstPassword,
    /// The student who owns the scene's outcomes and files.
    Owner,
    /// Another student of the same school, enrolled in the same math course.
    NonOwner,
    /// Teaches the courses of the scene's outcomes.
    CourseTeacher,
    /// Teaches another course of the same school.
    OtherTeacher,
    /// 提交名冊人員 of the main school.
    Staff,
    /// 管理者 of the main school.
    Admin,
    ForeignStudent,
    ForeignTeacher,
    ForeignStaff,
    ForeignAdmin,
    /// 導師 of the owner's homeroom, holding no other role.
    Homeroom,
    /// A teacher of no course, named 代理人 of the scene's math course for today.
    Delegate,
}

/// The matrix's columns, in order.
const CALLERS: [Caller; 14] = [
    Caller::Anonymous,
    Caller::FirstPassword,
    Caller::Owner,
    Caller::NonOwner,
    Caller::CourseTeacher,
    Caller::OtherTeacher,
    Caller::Staff,
    Caller::Admin,
    Caller::ForeignStudent,
    Caller::ForeignTeacher,
    Caller::ForeignStaff,
    Caller::ForeignAdmin,
    Caller::Homeroom,
    Caller::Delegate,
];

/// Logins added by this test to the fixture: a user of the main school who still has the
/// first password, a 導師 and a 代理人 of the main school, and the staff and administrator of
/// the other school. Logins starting with `x` belong to the other school.
const FIRST_PASSWORD_USER: &str = "f100";
const FOREIGN_STAFF: &str = "x300";
const FOREIGN_ADMIN: &str = "x200";
const HOMEROOM_TEACHER: &str = "h100";
const DELEGATE: &str = "d100";

impl Caller {
    fn login(self) -> Option<&'static str> {
        match self {
            Caller::Anonymous => None,
            Caller::FirstPassword => Some(FIRST_PASSWORD_USER),
            Caller::Owner => Some(STUDENT),
            Caller::NonOwner => Some(CLASSMATE),
            Caller::CourseTeacher => Some(TEACHER),
            Caller::OtherTeacher => Some(OTHER_TEACHER),
            Caller::Staff => Some(SUBMITTER),
            Caller::Admin => Some(ADMIN),
            Caller::ForeignStudent => Some(FOREIGN_STUDENT),
            Caller::ForeignTeacher => Some(FOREIGN_TEACHER),
            Caller::ForeignStaff => Some(FOREIGN_STAFF),
            Caller::ForeignAdmin => Some(FOREIGN_ADMIN),
            Caller::Homeroom => Some(HOMEROOM_TEACHER),
            Caller::Delegate => Some(DELEGATE),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------------

/// What one caller gets from one endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Gets past the guard: a success, or an error that only a caller past the guard can get
    /// (a validation error, a closed window, a wrong current password).
    Allowed,
    /// 401 `Unauthenticated`.
    Unauthenticated,
    /// 403 `PasswordChangeRequired`.
    PasswordChange,
    /// 403 `Forbidden`: a role is missing.
    Forbidden,
    /// 404: the object is not the caller's or not in the caller's school.
    NotFound,
    /// 422 `NotEnrolled`: the course is not one the student takes.
    NotEnrolled,
}

/// Short names for the table's cells.
const Y: Expect = Expect::Allowed;
const U: Expect = Expect::Unauthenticated;
const P: Expect = Expect::PasswordChange;
const F: Expect = Expect::Forbidden;
const N: Expect = Expect::NotFound;
const E: Expect = Expect::NotEnrolled;

impl Expect {
    fn is_refusal(self) -> bool {
        self != Expect::Allowed
    }

    /// Returns why `reply` does not meet the expectation, or `None` when it does.
    fn mismatch(self, reply: &Reply) -> Option<String> {
        let error = error_of(reply);
        let (status, wanted): (StatusCode, fn(&Value) -> bool) = match self {
            Expect::Allowed => {
                return (!passed_guard(reply))
                    .then(|| format!("expected to pass the guard, got {}", describe(reply)));
            }
            Expect::Unauthenticated => {
                (StatusCode::UNAUTHORIZED, |error| error == "Unauthenticated")
            }
            Expect::PasswordChange => (StatusCode::FORBIDDEN, |error| {
                error == "PasswordChangeRequired"
            }),
            Expect::Forbidden => (StatusCode::FORBIDDEN, |error| error == "Forbidden"),
            Expect::NotFound => (StatusCode::NOT_FOUND, |error| {
                error.get("NotFound").is_some() || error.get("StudentNotFound").is_some()
            }),
            Expect::NotEnrolled => (StatusCode::UNPROCESSABLE_ENTITY, |error| {
                error == "NotEnrolled"
            }),
        };
        (reply.status != status || !wanted(&error))
            .then(|| format!("expected {self:?}, got {}", describe(reply)))
    }
}

/// Parses the body of a reply as JSON, or returns `Null` when it is not JSON.
fn error_of(reply: &Reply) -> Value {
    serde_json::from_slice(&reply.body).unwrap_or(Value::Null)
}

fn describe(reply: &Reply) -> String {
    let text = reply.text();
    let excerpt: String = text.chars().take(300).collect();
    format!("{} {excerpt}", reply.status)
}

/// Returns whether a reply shows that the caller got past the guard: a success or redirect,
/// or an error that no guard returns. A 400 does not count, because malformed arguments are
/// rejected before the guard runs, and neither does a server error.
fn passed_guard(reply: &Reply) -> bool {
    if reply.status.is_success() || reply.status.is_redirection() {
        return true;
    }
    let error = error_of(reply);
    let refusal = error == "Unauthenticated"
        || error == "Forbidden"
        || error == "PasswordChangeRequired"
        || error.get("NotFound").is_some()
        || error.get("StudentNotFound").is_some();
    let broken = matches!(
        reply.status,
        StatusCode::BAD_REQUEST | StatusCode::INTERNAL_SERVER_ERROR | StatusCode::BAD_GATEWAY
    );
    !refusal && !broken && !error.is_null()
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// What the matrix calls: a server function (always POST under `/api/`) or a plain route, by
/// its pattern as written in the router.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Endpoint {
    ServerFn(&'static str),
    Route(&'static str, &'static str),
}

use Endpoint::{Route, ServerFn};

const GET: &str = "GET";
const POST: &str = "POST";

impl Endpoint {
    fn method(self) -> Method {
        match self {
            ServerFn(_) => Method::POST,
            Route(method, _) => Method::from_bytes(method.as_bytes()).expect("HTTP method"),
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServerFn(name) => write!(formatter, "server function {name}"),
            Route(method, pattern) => write!(formatter, "{method} {pattern}"),
        }
    }
}

/// The body of a request.
#[derive(Clone, Debug)]
enum Payload {
    Empty,
    /// `application/x-www-form-urlencoded`, as an HTML form posts.
    Form(String),
    /// `application/json`, as the pages' `fetch` sends.
    Json(Value),
    /// `multipart/form-data` with the test boundary.
    Multipart(Vec<u8>),
}

impl Payload {
    fn content_type(&self) -> Option<String> {
        match self {
            Payload::Empty => None,
            Payload::Form(_) => Some("application/x-www-form-urlencoded".into()),
            Payload::Json(_) => Some("application/json".into()),
            Payload::Multipart(_) => Some(format!("multipart/form-data; boundary={BOUNDARY}")),
        }
    }

    fn bytes(&self) -> Vec<u8> {
        match self {
            Payload::Empty => Vec::new(),
            Payload::Form(text) => text.clone().into_bytes(),
            Payload::Json(value) => serde_json::to_vec(value).unwrap(),
            Payload::Multipart(bytes) => bytes.clone(),
        }
    }
}

/// One call of an endpoint: the concrete path (the endpoint's own when `None`) and the body.
struct Call {
    path: Option<String>,
    payload: Payload,
}

fn empty() -> Call {
    Call {
        path: None,
        payload: Payload::Empty,
    }
}

fn form(text: String) -> Call {
    Call {
        path: None,
        payload: Payload::Form(text),
    }
}

fn json(value: Value) -> Call {
    Call {
        path: None,
        payload: Payload::Json(value),
    }
}

fn at(path: String) -> Call {
    Call {
        path: Some(path),
        payload: Payload::Empty,
    }
}

fn multipart_at(path: Option<String>, parts: &[Part<'_>]) -> Call {
    Call {
        path,
        payload: Payload::Multipart(multipart(parts)),
    }
}

/// The origin headers of a request.
#[derive(Clone, Copy, Debug)]
enum Site {
    /// `Sec-Fetch-Site: same-origin`, as a browser sends from the site's own pages.
    SameOrigin,
    /// No `Sec-Fetch-Site`, and `Origin` equal to the public origin.
    SameOriginByOrigin,
    /// Any other set of headers, such as `Sec-Fetch-Site: cross-site`.
    Other(&'static [(&'static str, &'static str)]),
}

impl Call {
    fn request(
        &self,
        app: &TestApp,
        endpoint: Endpoint,
        cookie: Option<&str>,
        site: Site,
        content_type: Option<&str>,
    ) -> axum::http::Request<Body> {
        let path = match (&self.path, endpoint) {
            (Some(path), _) => path.clone(),
            (None, ServerFn(name)) => format!("/api/{name}"),
            (None, Route(_, pattern)) => pattern.to_owned(),
        };
        let mut builder = axum::http::Request::builder()
            .method(endpoint.method())
            .uri(path)
            .header(header::ACCEPT, "application/json");
        match site {
            Site::SameOrigin => builder = builder.header("sec-fetch-site", "same-origin"),
            Site::SameOriginByOrigin => {
                builder = builder.header(header::ORIGIN, &*app.state.public_origin);
            }
            Site::Other(headers) => {
                for (name, value) in headers {
                    builder = builder.header(*name, *value);
                }
            }
        }
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        let content_type = content_type
            .map(str::to_owned)
            .or_else(|| self.payload.content_type());
        if let Some(content_type) = content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        builder.body(Body::from(self.payload.bytes())).unwrap()
    }
}

/// Sends a request through the router. The body of an event stream is not read, because it
/// does not end while the session lives.
async fn deliver(app: &TestApp, request: axum::http::Request<Body>) -> Reply {
    let response = app
        .router
        .clone()
        .oneshot(request)
        .await
        .expect("router never fails");
    let status = response.status();
    let headers: HeaderMap = response.headers().clone();
    let streaming = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/event-stream"));
    let body = if streaming {
        Vec::new()
    } else {
        response
            .into_body()
            .collect()
            .await
            .map(|body| body.to_bytes().to_vec())
            .unwrap_or_default()
    };
    Reply {
        status,
        headers,
        body,
    }
}

// ---------------------------------------------------------------------------------------------
// The scene: what the rows' requests name
// ---------------------------------------------------------------------------------------------

/// The objects the calls name, made afresh for every row, and the callers' session cookies.
struct Scene {
    /// The owner's draft in 物理: (id, version).
    draft: (i64, i64),
    draft_file: i64,
    /// The owner's submitted outcome in 數學A: (id, version).
    submitted: (i64, i64),
    submitted_file: i64,
    /// A batch of school year 112, closed by the staff.
    batch: i64,
    classmate: UserId,
    homeroom_202: i64,
    semester: i64,
    old_semester: i64,
    math: i64,
    homeroom_201: i64,
    owner: i64,
    /// The delegate's 代理人 period of the math course.
    delegation: i64,
    cookies: BTreeMap<Caller, String>,
}

impl Scene {
    async fn build(app: &TestApp) -> Scene {
        add_users(app).await;
        let mut cookies = BTreeMap::new();
        for caller in CALLERS {
            if let Some(login) = caller.login() {
                let client = app.login(login).await;
                cookies.insert(caller, client.cookie.expect("session cookie"));
            }
        }
        let mut owner = client_for(app, &cookies, Caller::Owner);
        let draft = owner.upload_pdf(app.fixture.physics, "物理草稿").await;
        let submitted = owner.submitted_outcome(app.fixture.math, "數學作品").await;

        // Both school years' selection windows are over, so the staff can close 112 into a
        // batch now and 113 during the matrix.
        let past = Window::from_dates(
            jiff::civil::date(2000, 1, 1),
            jiff::civil::date(2000, 12, 31),
        );
        let mut tx = app.state.db.begin_write().await.unwrap();
        for year in [112, 113] {
            let year_id: i64 = sqlx::query_scalar(
                "SELECT id FROM school_years WHERE school_id = $1 AND school_year = $2",
            )
            .bind(app.fixture.school.0)
            .bind(year)
            .fetch_one(&mut **tx)
            .await
            .unwrap();
            db::windows::update_selection_window(&mut tx, app.fixture.school, year_id, &past)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let mut staff = client_for(app, &cookies, Caller::Staff);
        let reply = staff
            .call_json("close_selection", json!({ "school_year": 112 }))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "batch: {}", reply.text());

        Scene {
            draft,
            draft_file: document_of(app, draft.0).await,
            submitted,
            submitted_file: document_of(app, submitted.0).await,
            batch: reply.json()["id"].as_i64().unwrap(),
            classmate: app.fixture.classmate,
            homeroom_202: app.fixture.homeroom_202.0,
            semester: app.fixture.semester.0,
            old_semester: app.fixture.old_semester.0,
            math: app.fixture.math.0,
            homeroom_201: app.fixture.homeroom_201.0,
            owner: app.fixture.student.0,
            delegation: sqlx::query_scalar("SELECT id FROM course_delegations")
                .fetch_one(app.pool())
                .await
                .unwrap(),
            cookies,
        }
    }
}

fn client_for(app: &TestApp, cookies: &BTreeMap<Caller, String>, caller: Caller) -> Client {
    let mut client = app.anonymous();
    client.cookie = cookies.get(&caller).cloned();
    client
}

async fn document_of(app: &TestApp, outcome: i64) -> i64 {
    sqlx::query_scalar("SELECT document_file_id FROM course_outcomes WHERE id = $1")
        .bind(outcome)
        .fetch_one(app.pool())
        .await
        .unwrap()
}

/// Adds the callers the shared fixture lacks: a user of the main school with every role but
/// still the first password, the 導師 of homeroom 201, the math course's 代理人 for today,
/// and the staff and administrator of the other school.
async fn add_users(app: &TestApp) {
    let mut hashes = Vec::new();
    for login in [
        FIRST_PASSWORD_USER,
        FOREIGN_STAFF,
        FOREIGN_ADMIN,
        HOMEROOM_TEACHER,
        DELEGATE,
    ] {
        hashes.push(
            app.state
                .passwords
                .hash(format!("pw-{login}"))
                .await
                .unwrap(),
        );
    }
    let fixture = &app.fixture;
    let all_roles = [
        Role::Student,
        Role::Teacher,
        Role::SubmissionStaff,
        Role::Admin,
    ];
    let users: [(SchoolId, &str, &[Role]); 5] = [
        (fixture.school, FIRST_PASSWORD_USER, &all_roles),
        (
            fixture.other_school,
            FOREIGN_STAFF,
            &[Role::SubmissionStaff],
        ),
        (fixture.other_school, FOREIGN_ADMIN, &[Role::Admin]),
        (fixture.school, HOMEROOM_TEACHER, &[Role::HomeroomTeacher]),
        (fixture.school, DELEGATE, &[Role::Teacher]),
    ];
    let mut tx = app.state.db.begin_write().await.unwrap();
    for ((school, login, roles), hash) in users.into_iter().zip(&hashes) {
        let new = NewUser {
            login,
            display_name: login,
            password_hash: Some(hash),
            email: None,
        };
        let user = db::users::insert_user(&mut tx, school, &new, UtcMillis::now())
            .await
            .unwrap();
        for role in roles {
            db::users::add_role(&mut tx, school, user, *role)
                .await
                .unwrap();
        }
        if login == HOMEROOM_TEACHER {
            sqlx::query("UPDATE homerooms SET homeroom_teacher_id = $1 WHERE id = $2")
                .bind(user.0)
                .bind(fixture.homeroom_201.0)
                .execute(&mut **tx)
                .await
                .unwrap();
        }
        if login == DELEGATE {
            // 代理人 of the math course from yesterday through tomorrow (Taiwan days).
            let today = app.state.clock.now().taipei_date();
            sqlx::query(
                "INSERT INTO course_delegations \
                 (school_id, course_id, delegate_id, starts_on, ends_on, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $3, $6)",
            )
            .bind(school.0)
            .bind(fixture.math.0)
            .bind(user.0)
            .bind(today.yesterday().unwrap().to_string())
            .bind(today.tomorrow().unwrap().to_string())
            .bind(UtcMillis::now().0)
            .execute(&mut **tx)
            .await
            .unwrap();
        }
        if login == FIRST_PASSWORD_USER {
            db::users::insert_student(&mut tx, school, user, "113099")
                .await
                .unwrap();
            sqlx::query("UPDATE users SET must_change_password = 1 WHERE id = $1")
                .bind(user.0)
                .execute(&mut **tx)
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------------

/// One endpoint called one way, with the expectation of each caller in the order of
/// [`CALLERS`].
struct Row {
    endpoint: Endpoint,
    call: fn(&Scene) -> Call,
    expected: [Expect; 14],
    /// The call works once (a removal): each allowed caller gets a fresh app and scene.
    one_shot: bool,
}

fn row(endpoint: Endpoint, call: fn(&Scene) -> Call, expected: [Expect; 14]) -> Row {
    Row {
        endpoint,
        call,
        expected,
        one_shot: false,
    }
}

/// Returns a row whose call changes what a second allowed caller would find.
fn row_once(endpoint: Endpoint, call: fn(&Scene) -> Call, expected: [Expect; 14]) -> Row {
    Row {
        one_shot: true,
        ..row(endpoint, call, expected)
    }
}

/// Returns the `PageRequest` of the first 20 rows.
fn first_page() -> Value {
    json!({ "page": 1, "per_page": 20 })
}

// The columns of every table:
//   anon  = Caller::Anonymous        first = Caller::FirstPassword
//   own   = Caller::Owner            other = Caller::NonOwner
//   cteach = Caller::CourseTeacher   oteach = Caller::OtherTeacher
//   staff = Caller::Staff            admin = Caller::Admin
//   x…    = the same roles in the other school
//   hroom = Caller::Homeroom         deleg = Caller::Delegate
// and the cells: Y allowed, U 401 Unauthenticated, P 403 PasswordChangeRequired,
// F 403 Forbidden, N 404 not found, E 422 NotEnrolled.

/// Returns the rows of logging in and out, the session, the password, notifications and health.
#[rustfmt::skip]
fn session_rows() -> Vec<Row> {
    vec![
        //                                                                                    anon first own other cteach oteach staff admin xstu xteach xstaff xadmin hroom deleg
        row(ServerFn("login_form_info"), |_| empty(),                                          [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y]),
        // A wrong password: anyone may try, and nothing logs in.
        row(ServerFn("login"), |_| form(format!("school_code=123456&login={STUDENT}&password=wrong")), [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y]),
        row(ServerFn("logout"), |_| empty(),                                                   [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y]),
        row(ServerFn("session"), |_| empty(),                                                  [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y]),
        // A wrong current password: each caller past the guard gets CurrentPasswordWrong.
        row(ServerFn("change_password"), |_| form("current_password=wrong&new_password=Another-pass-7391&confirm_password=Another-pass-7391".into()),
                                                                                               [U, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y]),
        row(ServerFn("notifications"), |_| empty(),                                            [U, P, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y]),
        row(ServerFn("mark_notifications_read"), |_| empty(),                                  [U, P, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y]),
        // The unread count is open with a first password, as `session` returns it too.
        row(Route(GET, "/events"), |_| empty(),                                                [U, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y]),
        row(Route(GET, "/healthz"), |_| empty(),                                               [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y]),
    ]
}

/// Returns the rows of the student's server functions, uploads and files.
#[rustfmt::skip]
fn student_rows() -> Vec<Row> {
    vec![
        //                                                                                    anon first own other cteach oteach staff admin xstu xteach xstaff xadmin hroom deleg
        row(ServerFn("upload_context"), |_| empty(),                                           [U, P, Y, Y, F, F, F, F, Y, F, F, F, F, F]),
        row(ServerFn("my_outcomes"), |_| empty(),                                              [U, P, Y, Y, F, F, F, F, Y, F, F, F, F, F]),
        row(ServerFn("submission_records"), |_| empty(),                                       [U, P, Y, Y, F, F, F, F, Y, F, F, F, F, F]),
        row(ServerFn("outcome_detail"), |s| form(format!("outcome_id={}", s.draft.0)),         [U, P, Y, N, F, F, F, F, N, F, F, F, F, F]),
        row(ServerFn("submit_outcome"), |s| form(format!("outcome_id={}&version={}", s.draft.0, s.draft.1)),
                                                                                               [U, P, Y, N, F, F, F, F, N, F, F, F, F, F]),
        row(ServerFn("delete_outcome"), |s| form(format!("outcome_id={}&version={}", s.draft.0, s.draft.1)),
                                                                                               [U, P, Y, N, F, F, F, F, N, F, F, F, F, F]),
        row(ServerFn("set_selection"), |s| form(format!("outcome_id={}&selected=true", s.submitted.0)),
                                                                                               [U, P, Y, N, F, F, F, F, N, F, F, F, F, F]),
        row(Route(POST, "/upload/outcomes"), |s| multipart_at(None, &[
                Part::Text("course_id", &s.math.to_string()),
                Part::Text("summary", "新作品"),
                Part::File { field: "document", name: "a.pdf", content_type: "application/pdf", bytes: pdf_bytes("new") },
            ]),                                                                                [U, P, Y, Y, F, F, F, F, E, F, F, F, F, F]),
        row(Route(POST, "/upload/outcomes/{id}"), |s| multipart_at(Some(format!("/upload/outcomes/{}", s.draft.0)), &[
                Part::Text("version", &s.draft.1.to_string()),
                Part::Text("summary", "改過的草稿"),
                Part::File { field: "document", name: "b.pdf", content_type: "application/pdf", bytes: pdf_bytes("revised") },
            ]),                                                                                [U, P, Y, N, F, F, F, F, N, F, F, F, F, F]),
        // A submitted outcome's file: its owner, the course teacher, the course's delegate
        // today and the 導師 of the owner's homeroom.
        row(Route(GET, "/files/{id}"), |s| at(format!("/files/{}", s.submitted_file)),         [U, P, Y, N, Y, N, N, N, N, N, N, N, Y, Y]),
        // A draft's file: only its owner.
        row(Route(GET, "/files/{id}"), |s| at(format!("/files/{}", s.draft_file)),             [U, P, Y, N, N, N, N, N, N, N, N, N, N, N]),
    ]
}

/// Returns the rows of the course teacher's server functions.
#[rustfmt::skip]
fn teacher_rows() -> Vec<Row> {
    vec![
        //                                                                                    anon first own other cteach oteach staff admin xstu xteach xstaff xadmin hroom deleg
        row(ServerFn("review_page"), |_| json(json!({ "query": all_query() })),               [U, P, F, F, Y, Y, F, F, F, Y, F, F, F, Y]),
        row(ServerFn("decide_outcomes"), |s| json(json!({ "items": [[s.submitted.0, s.submitted.1]], "verdict": "Passed", "reason": "" })),
                                                                                               [U, P, F, F, Y, N, F, F, F, N, F, F, F, Y]),
        row(ServerFn("publish_outcomes"), |s| json(json!({ "items": [[s.submitted.0, s.submitted.1]] })),
                                                                                               [U, P, F, F, Y, N, F, F, F, N, F, F, F, Y]),
        row(ServerFn("publish_all"), |_| json(json!({ "query": all_query() })),               [U, P, F, F, Y, Y, F, F, F, Y, F, F, F, Y]),
    ]
}

/// Returns the rows of 提交中央資料庫, for the submission staff and administrators.
#[rustfmt::skip]
fn submission_rows() -> Vec<Row> {
    vec![
        //                                                                                    anon first own other cteach oteach staff admin xstu xteach xstaff xadmin hroom deleg
        row(ServerFn("submission_years"), |_| empty(),                                         [U, P, F, F, F, F, Y, Y, F, F, Y, Y, F, F]),
        row(ServerFn("close_selection"), |_| json(json!({ "school_year": 113 })),             [U, P, F, F, F, F, Y, Y, F, F, Y, Y, F, F]),
        row(Route(GET, "/exports/{id}"), |s| at(format!("/exports/{}", s.batch)),              [U, P, F, F, F, F, Y, Y, F, F, N, N, F, F]),
    ]
}

/// Returns the rows of the administrator's server functions and imports.
#[rustfmt::skip]
fn admin_rows() -> Vec<Row> {
    vec![
        //                                                                                    anon first own other cteach oteach staff admin xstu xteach xstaff xadmin hroom deleg
        row(ServerFn("admin_windows"), |_| empty(),                                            [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
        row(ServerFn("update_semester_windows"), |s| json(json!({ "input": { "semester": s.semester,
                "student_opens_on": "113/08/01", "student_closes_on": "114/02/28", "teacher_opens_on": "113/08/01",
                "teacher_closes_on": "114/03/07", "reason": "校務會議決議" } })),              [U, P, F, F, F, F, F, Y, F, F, F, N, F, F]),
        row(ServerFn("update_selection_window"), |_| json(json!({ "input": { "school_year": 113,
                "opens_on": "114/06/01", "closes_on": "114/07/15", "max_selections": "6" } })), [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
        row(ServerFn("create_semester"), |_| json(json!({ "input": { "school_year": "114", "semester": 1,
                "starts_on": "2025-08-01", "ends_on": "2026-01-31", "closing_day": "2026-01-20", "make_current": false } })),
                                                                                               [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
        row(ServerFn("make_current_semester"), |s| form(format!("semester={}", s.old_semester)), [U, P, F, F, F, F, F, Y, F, F, F, N, F, F]),
        row(ServerFn("unlocks"), |_| empty(),                                                  [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
        row(ServerFn("create_unlock"), |s| json(json!({ "input": { "student_no": "113001", "semester": s.semester,
                "closes_on": "199/12/31", "reason": "生病住院，補交作品" } })),                 [U, P, F, F, F, F, F, Y, F, F, F, N, F, F]),
        row(ServerFn("audit"), |_| json(json!({ "query": { "entity": null, "entity_id": null, "action": null,
                "actor": null, "from": null, "to": null, "page": first_page() } })),          [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
        row(ServerFn("import_target"), |_| empty(),                                            [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
        row(ServerFn("backup_status"), |_| empty(),                                            [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
        row(ServerFn("start_backup"), |_| empty(),                                             [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
        row(Route(POST, "/imports/preview"), |_| multipart_at(None, &[
                Part::Text("kind", "students"),
                Part::File { field: "file", name: "s.csv", content_type: "text/csv", bytes: b"x\n".to_vec() },
            ]),                                                                                [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
        // A checksum that matches no preview: an administrator gets ImportChanged.
        row(Route(POST, "/imports/commit"), |_| multipart_at(None, &[
                Part::Text("kind", "students"),
                Part::Text("sha256", "0000000000000000000000000000000000000000000000000000000000000000"),
                Part::File { field: "file", name: "s.csv", content_type: "text/csv", bytes: b"x\n".to_vec() },
            ]),                                                                                [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
        row(Route(GET, "/imports/templates/{name}"), |_| at("/imports/templates/students.csv".into()),
                                                                                               [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
    ]
}

/// Returns the rows of 帳號管理, for administrators.
#[rustfmt::skip]
fn account_rows() -> Vec<Row> {
    vec![
        //                                                                                    anon first own other cteach oteach staff admin xstu xteach xstaff xadmin hroom deleg
        row(ServerFn("accounts_page"), |_| empty(),                                            [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
        row(ServerFn("search_accounts"), |_| form("query=s00".into()),                         [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
        row(ServerFn("update_account_settings"), |_| json(json!({ "settings": {
                "login_rule": "StudentNumber", "login_prefix": "fg", "initial_credential_days": 7 } })),
                                                                                               [U, P, F, F, F, F, F, Y, F, F, F, Y, F, F]),
        row(ServerFn("reset_account"), |s| json(json!({ "account": s.classmate.0, "mode": "NewCode" })),
                                                                                               [U, P, F, F, F, F, F, Y, F, F, F, N, F, F]),
        row(ServerFn("end_account_sessions"), |s| json(json!({ "account": s.classmate.0 })),  [U, P, F, F, F, F, F, Y, F, F, F, N, F, F]),
        row(ServerFn("homeroom_slips"), |s| json(json!({ "homeroom": s.homeroom_202 })),      [U, P, F, F, F, F, F, Y, F, F, F, N, F, F]),
    ]
}

/// Returns the rows of 忘記帳號/密碼, which work without a login: a wrong token or code gets
/// its own error, which only a call past the guard can get.
#[rustfmt::skip]
fn recovery_rows() -> Vec<Row> {
    vec![
        //                                                                                    anon first own other cteach oteach staff admin xstu xteach xstaff xadmin hroom deleg
        row(ServerFn("request_recovery"), |_| form("school_code=123456&contact=nobody%40school.example.tw".into()),
                                                                                               [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y]),
        row(ServerFn("recovery_link"), |_| form("token=0123456789abcdef0123456789abcdef".into()),
                                                                                               [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y]),
        row(ServerFn("reset_password_by_link"), |_| form("token=0123456789abcdef0123456789abcdef&new_password=Another-pass-7391&confirm_password=Another-pass-7391".into()),
                                                                                               [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y]),
        row(ServerFn("reset_password_by_code"), |_| form("school_code=123456&phone=0912345678&code=000000&new_password=Another-pass-7391&confirm_password=Another-pass-7391".into()),
                                                                                               [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y]),
    ]
}

/// Returns the rows of switching roles, 代理人 and the 導師's pages.
#[rustfmt::skip]
fn role_rows() -> Vec<Row> {
    vec![
        //                                                                                    anon first own other cteach oteach staff admin xstu xteach xstaff xadmin hroom deleg
        // Switching to a role the caller does not hold is refused.
        row(ServerFn("switch_role"), |_| form("role=Teacher".into()),                          [U, P, F, F, Y, Y, F, F, F, Y, F, F, F, Y]),
        row(ServerFn("delegation_page"), |_| empty(),                                          [U, P, F, F, Y, Y, F, Y, F, Y, F, Y, F, Y]),
        row(ServerFn("add_delegation"), |s| form(format!(
                "course_id={}&delegate_login={OTHER_TEACHER}&starts_on=2099-01-04&ends_on=2099-01-08", s.math)),
                                                                                               [U, P, F, F, Y, N, F, Y, F, N, F, N, F, N]),
        row_once(ServerFn("remove_delegation"), |s| form(format!("delegation_id={}", s.delegation)),
                                                                                               [U, P, F, F, Y, N, F, Y, F, N, F, N, F, N]),
        row(ServerFn("homeroom_page"), |_| empty(),                                            [U, P, F, F, F, F, F, F, F, F, F, F, Y, F]),
        row(ServerFn("homeroom_student"), |s| form(format!("homeroom={}&student={}", s.homeroom_201, s.owner)),
                                                                                               [U, P, F, F, F, F, F, F, F, F, F, F, Y, F]),
    ]
}

fn all_rows() -> Vec<Row> {
    [
        session_rows(),
        student_rows(),
        teacher_rows(),
        submission_rows(),
        admin_rows(),
        account_rows(),
        recovery_rows(),
        role_rows(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Calls each row as every caller on a fresh app and scene: the refused callers first, each
/// followed by a check that nothing changed, then the allowed ones. Collects every mismatch
/// before failing, so one run shows the whole difference from the table.
async fn check_matrix(rows: Vec<Row>) {
    let mut failures = Vec::new();
    for row in rows {
        let mut app = TestApp::new().await;
        let mut scene = Scene::build(&app).await;
        let mut call = (row.call)(&scene);
        let mut before = snapshot(&app).await;
        let mut order: Vec<(Caller, Expect)> = CALLERS.into_iter().zip(row.expected).collect();
        order.sort_by_key(|(_, expect)| !expect.is_refusal());
        let mut allowed_calls = 0;
        for (caller, expect) in order {
            if row.one_shot && !expect.is_refusal() {
                if allowed_calls > 0 {
                    app = TestApp::new().await;
                    scene = Scene::build(&app).await;
                    call = (row.call)(&scene);
                }
                allowed_calls += 1;
            }
            let cookie = scene.cookies.get(&caller).map(String::as_str);
            let request = call.request(&app, row.endpoint, cookie, Site::SameOrigin, None);
            let path = request.uri().path().to_owned();
            let reply = deliver(&app, request).await;
            if let Some(mismatch) = expect.mismatch(&reply) {
                failures.push(format!(
                    "{} ({path}) as {caller:?}: {mismatch}",
                    row.endpoint
                ));
            }
            if expect.is_refusal() {
                let after = snapshot(&app).await;
                if let Some(change) = first_difference(&before, &after) {
                    failures.push(format!(
                        "{} ({path}) as {caller:?} was refused but changed {change}",
                        row.endpoint
                    ));
                }
                // Compare the next caller with this state, so each change is reported once.
                before = after;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches with the matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn matrix_recovery_functions() {
    check_matrix(recovery_rows()).await;
}

#[tokio::test]
async fn matrix_role_functions() {
    check_matrix(role_rows()).await;
}

#[tokio::test]
async fn matrix_session_functions_and_health() {
    check_matrix(session_rows()).await;
}

#[tokio::test]
async fn matrix_student_functions_and_files() {
    check_matrix(student_rows()).await;
}

#[tokio::test]
async fn matrix_teacher_functions() {
    check_matrix(teacher_rows()).await;
}

#[tokio::test]
async fn matrix_submission_functions_and_exports() {
    check_matrix(submission_rows()).await;
}

#[tokio::test]
async fn matrix_admin_functions_and_imports() {
    check_matrix(admin_rows()).await;
}

#[tokio::test]
async fn matrix_account_functions() {
    check_matrix(account_rows()).await;
}

// ---------------------------------------------------------------------------------------------
// Nothing changes: a snapshot of the database and the file store
// ---------------------------------------------------------------------------------------------

/// Reads every row of every table as text, sorted, plus the file store's object counts.
/// Session `last_seen_at` is left out, because reading a session may refresh it.
async fn snapshot(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    let tables: Vec<String> = if on_postgres() {
        sqlx::query_scalar(
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
        .fetch_all(app.pool())
        .await
        .unwrap()
    } else {
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(app.pool())
            .await
            .unwrap()
    };
    let mut snapshot = BTreeMap::new();
    for table in tables {
        if table.starts_with("_sqlx") || table.starts_with("sqlite_") {
            continue;
        }
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(app.pool())
            .await
            .unwrap();
        let mut texts: Vec<String> = rows.iter().map(row_text).collect();
        texts.sort();
        snapshot.insert(table, texts);
    }
    let (temporary, committed) = app.stored_objects();
    snapshot.insert(
        "(file store)".into(),
        vec![format!("{temporary} temporary, {committed} committed")],
    );
    snapshot
}

fn row_text(row: &sqlx::any::AnyRow) -> String {
    let mut fields = Vec::new();
    for (index, column) in row.columns().iter().enumerate() {
        if column.name() == "last_seen_at" {
            continue;
        }
        let value = if let Ok(value) = row.try_get::<Option<i64>, _>(index) {
            format!("{value:?}")
        } else if let Ok(value) = row.try_get::<Option<String>, _>(index) {
            format!("{value:?}")
        } else if let Ok(value) = row.try_get::<Option<Vec<u8>>, _>(index) {
            format!("{value:?}")
        } else if let Ok(value) = row.try_get::<Option<f64>, _>(index) {
            format!("{value:?}")
        } else {
            format!("{:?}", row.try_get::<Option<bool>, _>(index))
        };
        fields.push(format!("{}={value}", column.name()));
    }
    fields.join(", ")
}

/// Names the first table that differs, with a row only in `before` or only in `after`.
fn first_difference(
    before: &BTreeMap<String, Vec<String>>,
    after: &BTreeMap<String, Vec<String>>,
) -> Option<String> {
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for name in names {
        let old = before.get(name).cloned().unwrap_or_default();
        let new = after.get(name).cloned().unwrap_or_default();
        if old != new {
            let removed = old.iter().find(|row| !new.contains(row));
            let added = new.iter().find(|row| !old.contains(row));
            return Some(format!("{name}: removed {removed:?}, added {added:?}"));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Cross-site requests
// ---------------------------------------------------------------------------------------------

/// Header sets of requests that another site's page makes a browser send, and of tools that
/// send neither header. The middleware must refuse all of them.
const CROSS_SITE: [&[(&str, &str)]; 6] = [
    &[("sec-fetch-site", "cross-site")],
    &[("sec-fetch-site", "same-site")],
    &[
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ],
    &[("origin", "https://evil.example")],
    &[("origin", "null")],
    &[],
];

/// The content types another site can post: the three an HTML form can send, and JSON
/// through `fetch`. The body stays the row's own, because the refusal must come before the
/// body is read.
const CONTENT_TYPES: [Option<&str>; 4] = [
    None,
    Some("application/x-www-form-urlencoded"),
    Some("text/plain"),
    Some("application/json"),
];

/// Sends every POST row of `rows` as another site would, as the first caller the row allows
/// (a logged-in one when there is one), and expects 403 `Forbidden` with nothing changed.
/// Then the same request from the site's own origin, by `Origin` alone, must pass.
async fn check_cross_site(rows: Vec<Row>) {
    let mut failures = Vec::new();
    for row in rows
        .into_iter()
        .filter(|row| row.endpoint.method() == Method::POST)
    {
        let app = TestApp::new().await;
        let scene = Scene::build(&app).await;
        let call = (row.call)(&scene);
        let allowed: Vec<Caller> = CALLERS
            .into_iter()
            .zip(row.expected)
            .filter(|(_, expect)| !expect.is_refusal())
            .map(|(caller, _)| caller)
            .collect();
        let caller = allowed
            .iter()
            .copied()
            .find(|caller| *caller != Caller::Anonymous)
            .or(allowed.first().copied())
            .expect("a row allows some caller");
        let cookie = scene.cookies.get(&caller).map(String::as_str);
        let mut before = snapshot(&app).await;
        for headers in CROSS_SITE {
            for content_type in CONTENT_TYPES {
                let request = call.request(
                    &app,
                    row.endpoint,
                    cookie,
                    Site::Other(headers),
                    content_type,
                );
                let reply = deliver(&app, request).await;
                let case = format!(
                    "{} as {caller:?} with {headers:?}, {}",
                    row.endpoint,
                    content_type.unwrap_or("its own content type")
                );
                if let Some(mismatch) = Expect::Forbidden.mismatch(&reply) {
                    failures.push(format!("{case}: {mismatch}"));
                }
                let after = snapshot(&app).await;
                if let Some(change) = first_difference(&before, &after) {
                    failures.push(format!("{case}: changed {change}"));
                }
                before = after;
            }
        }
        let request = call.request(&app, row.endpoint, cookie, Site::SameOriginByOrigin, None);
        let reply = deliver(&app, request).await;
        if let Some(mismatch) = Expect::Allowed.mismatch(&reply) {
            failures.push(format!(
                "{} as {caller:?} from the site's own Origin: {mismatch}",
                row.endpoint
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cross-site failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn cross_site_recovery_functions() {
    check_cross_site(recovery_rows()).await;
}

#[tokio::test]
async fn cross_site_role_functions() {
    check_cross_site(role_rows()).await;
}

#[tokio::test]
async fn cross_site_session_functions() {
    check_cross_site(session_rows()).await;
}

#[tokio::test]
async fn cross_site_student_functions_and_uploads() {
    check_cross_site(student_rows()).await;
}

#[tokio::test]
async fn cross_site_teacher_functions() {
    check_cross_site(teacher_rows()).await;
}

#[tokio::test]
async fn cross_site_submission_functions() {
    check_cross_site(submission_rows()).await;
}

#[tokio::test]
async fn cross_site_admin_functions_and_imports() {
    check_cross_site(admin_rows()).await;
}

#[tokio::test]
async fn cross_site_account_functions() {
    check_cross_site(account_rows()).await;
}

// ---------------------------------------------------------------------------------------------
// Completeness
// ---------------------------------------------------------------------------------------------

#[test]
fn matrix_lists_every_server_function() {
    let registered: BTreeSet<(String, String)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path.to_owned(), method.to_string()))
        .collect();
    assert!(
        !registered.is_empty(),
        "no server function is registered; the registry did not link"
    );
    let in_matrix: BTreeSet<(String, String)> = all_rows()
        .iter()
        .filter_map(|row| match row.endpoint {
            ServerFn(name) => Some((format!("/api/{name}"), "POST".to_owned())),
            Route(..) => None,
        })
        .collect();
    let missing: Vec<_> = registered.difference(&in_matrix).collect();
    assert!(
        missing.is_empty(),
        "server functions missing from the authorization matrix: {missing:?}"
    );
    let unknown: Vec<_> = in_matrix.difference(&registered).collect();
    assert!(
        unknown.is_empty(),
        "matrix rows for server functions that do not exist: {unknown:?}"
    );
}

/// The router has no runtime list of its routes, so they are read from the source of
/// `src/server/router/`: each `.route("PATH", get(…).post(…))` with its methods. The server
/// function route `/api/{*fn_name}` is covered by the server function check.
#[test]
fn matrix_lists_every_route() {
    let mut in_source = BTreeSet::new();
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server/router");
    for entry in std::fs::read_dir(&directory).expect("router directory") {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        for other in [".nest(", ".merge(", ".route_service(", ".nest_service("] {
            assert!(
                !source.contains(other),
                "{} adds routes with {other}; teach matrix_lists_every_route to read them",
                path.display()
            );
        }
        for chunk in source.split(".route(").skip(1) {
            let route = chunk.split('"').nth(1).expect("route path literal");
            let handlers = chunk.split(".route(").next().unwrap_or_default();
            let handlers = handlers.split(".leptos_routes").next().unwrap_or_default();
            for method in ["get", "post", "put", "delete", "patch"] {
                if calls_function(handlers, method) {
                    in_source.insert((method.to_uppercase(), route.to_owned()));
                }
            }
        }
    }
    in_source.retain(|(_, route)| route != "/api/{*fn_name}");
    assert!(
        !in_source.is_empty(),
        "no route found in {}",
        directory.display()
    );
    let in_matrix: BTreeSet<(String, String)> = all_rows()
        .iter()
        .filter_map(|row| match row.endpoint {
            Route(method, pattern) => Some((method.to_owned(), pattern.to_owned())),
            ServerFn(_) => None,
        })
        .collect();
    let missing: Vec<_> = in_source.difference(&in_matrix).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the authorization matrix: {missing:?}"
    );
    let unknown: Vec<_> = in_matrix.difference(&in_source).collect();
    assert!(
        unknown.is_empty(),
        "matrix rows for routes the router does not have: {unknown:?}"
    );
}

/// Returns whether `source` calls `name(` as a whole word, so `get(` does not match `target(`.
fn calls_function(source: &str, name: &str) -> bool {
    let call = format!("{name}(");
    source.match_indices(&call).any(|(index, _)| {
        source[..index]
            .chars()
            .next_back()
            .is_none_or(|before| !(before.is_alphanumeric() || before == '_'))
    })
}

// ---------------------------------------------------------------------------------------------
// What the matrix does not show: error pages, page redirects, list contents, sessions
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn file_link_without_session_gets_login_page() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    student.upload_pdf(app.fixture.math, "作品").await;
    let file_id: i64 = sqlx::query_scalar("SELECT id FROM stored_files")
        .fetch_one(app.pool())
        .await
        .unwrap();
    let mut anonymous = app.anonymous();
    // A file link opened in a browser tab gets a readable page, not JSON.
    let page = anonymous.get(&format!("/files/{file_id}")).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(
        page.header("content-type").starts_with("text/html"),
        "{}",
        page.header("content-type")
    );
    assert!(page.text().contains("請先登入"), "{}", page.text());
    assert!(page.text().contains("href=\"/login\""));
}

#[tokio::test]
async fn pages_send_anonymous_visitors_to_login() {
    let app = TestApp::new().await;
    let mut anonymous = app.anonymous();
    for page in [
        "/student/outcomes",
        "/teacher/certify",
        "/notifications",
        "/student/outcomes/new",
    ] {
        let reply = anonymous.get(page).await;
        assert!(reply.status.is_redirection(), "{page}: {}", reply.status);
        assert_eq!(reply.header("location"), "/login", "{page}");
    }
}

#[tokio::test]
async fn teacher_sees_and_certifies_only_own_courses() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (chinese, version) = student
        .submitted_outcome(app.fixture.chinese, "國文作品")
        .await;
    let (math, _) = student
        .submitted_outcome(app.fixture.math, "數學作品")
        .await;
    let mut teacher = app.login(TEACHER).await;
    let page = teacher.review_page(all_query()).await;
    let ids: Vec<i64> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["outcome_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [math]);
    let reply = teacher.decide(&[(chinese, version)], "Passed", "").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
    let reply = teacher.publish(&[(chinese, version)]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
    let chinese_file: i64 =
        sqlx::query_scalar("SELECT document_file_id FROM course_outcomes WHERE id = $1")
            .bind(chinese)
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(
        teacher.get(&format!("/files/{chinese_file}")).await.status,
        StatusCode::NOT_FOUND
    );
    let mut other_teacher = app.login(OTHER_TEACHER).await;
    assert_eq!(
        other_teacher
            .get(&format!("/files/{chinese_file}"))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn other_school_lists_show_nothing_of_this_school() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    student.submitted_outcome(app.fixture.math, "作品").await;
    let mut foreign_teacher = app.login(FOREIGN_TEACHER).await;
    let page = foreign_teacher.review_page(all_query()).await;
    assert_eq!(page["rows"], json!([]));
    let mut foreign_student = app.login(FOREIGN_STUDENT).await;
    let overview = foreign_student.call("my_outcomes", "").await.json();
    assert_eq!(overview["semesters"][0]["outcomes"], json!([]));
}

#[tokio::test]
async fn login_needs_school_code_when_several_schools_exist() {
    let app = TestApp::new().await;
    let mut anonymous = app.anonymous();
    let reply = anonymous
        .call("login", &format!("login={STUDENT}&password=pw-{STUDENT}"))
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json(), json!("InvalidCredentials"));
    let reply = anonymous
        .call(
            "login",
            &format!("school_code=123456&login={STUDENT}&password=wrong"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json(), json!("InvalidCredentials"));
    let reply = anonymous
        .call(
            "login",
            &format!("school_code=123456&login={STUDENT}&password=pw-{STUDENT}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["display_name"], "陳同學");
    assert!(
        reply
            .header("set-cookie")
            .contains("HttpOnly; SameSite=Lax")
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    assert_eq!(student.call("my_outcomes", "").await.status, StatusCode::OK);
    let reply = student.call("logout", "").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("set-cookie").contains("Max-Age=0"));
    assert_eq!(
        student.call("my_outcomes", "").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn login_replaces_the_previous_session() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let old_cookie = student.cookie.clone().unwrap();
    let reply = student
        .call(
            "login",
            &format!("school_code=123456&login={STUDENT}&password=pw-{STUDENT}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let new_cookie = reply
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(new_cookie, old_cookie, "a login gets a new token");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions").await,
        1,
        "the old session is gone"
    );
    assert_eq!(
        student.call("my_outcomes", "").await.status,
        StatusCode::UNAUTHORIZED,
        "the old cookie no longer works"
    );
    student.cookie = Some(new_cookie);
    assert_eq!(student.call("my_outcomes", "").await.status, StatusCode::OK);
}

#[tokio::test]
async fn idle_session_expires() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let idle = app.state.settings.session_idle_minutes * 60_000 + 1;
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - $1")
        .bind(idle)
        .execute(app.pool())
        .await
        .unwrap();
    assert_eq!(
        student.call("my_outcomes", "").await.status,
        StatusCode::UNAUTHORIZED
    );
}
