#![cfg(feature = "ssr")]
//! School data imports through the real routes: CSV in UTF-8, UTF-8 with a byte order mark
//! and Big5, .xlsx with date cells, a preview that lists each bad input with a zh-TW message,
//! all-or-nothing writes, repeated imports that change nothing, homeroom changes that keep a
//! student's records, and refusals for everyone but administrators.

mod common;

use axum::http::StatusCode;
use common::*;
use licheng::domain::imports::{ImportProblem, ImportRowProblem};
use licheng::domain::national_id::NationalId;
use licheng::i18n::Locale;
use licheng::ui::admin::imports::problem_message;
use serde_json::Value;

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Completes nine characters with the check digit that makes a valid national ID.
fn valid_id(prefix: &str) -> String {
    (0..10)
        .map(|digit| format!("{prefix}{digit}"))
        .find(|candidate| NationalId::parse(candidate).is_ok())
        .expect("one check digit fits")
}

/// Changes the check digit of a valid ID so that it no longer matches.
fn bad_check_digit(id: &str) -> String {
    let last = id.as_bytes()[9] - b'0';
    format!("{}{}", &id[..9], (last + 1) % 10)
}

async fn preview(client: &mut Client, kind: &str, name: &str, bytes: Vec<u8>) -> Reply {
    let content_type = if name.ends_with(".xlsx") { XLSX } else { CSV };
    client
        .upload(
            "/imports/preview",
            &[
                Part::Text("kind", kind),
                Part::File {
                    field: "file",
                    name,
                    content_type,
                    bytes,
                },
            ],
        )
        .await
}

async fn commit(client: &mut Client, kind: &str, bytes: Vec<u8>, sha256: &str) -> Reply {
    client
        .upload(
            "/imports/commit",
            &[
                Part::Text("kind", kind),
                Part::Text("sha256", sha256),
                Part::File {
                    field: "file",
                    name: "data.csv",
                    content_type: CSV,
                    bytes,
                },
            ],
        )
        .await
}

/// Previews a file, checks that it has no problems, confirms it, and returns the preview's
/// counts and the result's counts.
async fn import(client: &mut Client, kind: &str, bytes: Vec<u8>) -> (Value, Value) {
    let reply = preview(client, kind, "data.csv", bytes.clone()).await;
    assert_eq!(reply.status, StatusCode::OK, "preview: {}", reply.text());
    let preview = reply.json();
    assert_eq!(
        preview["problem_count"], 0,
        "problems: {}",
        preview["problems"]
    );
    let sha = preview["sha256"].as_str().unwrap().to_owned();
    let reply = commit(client, kind, bytes, &sha).await;
    assert_eq!(reply.status, StatusCode::OK, "commit: {}", reply.text());
    (preview["counts"].clone(), reply.json()["counts"].clone())
}

fn counts(inserted: u32, updated: u32, unchanged: u32) -> Value {
    serde_json::json!({ "inserted": inserted, "updated": updated, "unchanged": unchanged })
}

fn problems(preview: &Value) -> Vec<ImportRowProblem> {
    serde_json::from_value(preview["problems"].clone()).expect("problems parse")
}

/// Finds the one problem reported on `line`.
fn problem_on(preview: &Value, line: u32) -> ImportRowProblem {
    let found: Vec<ImportRowProblem> = problems(preview)
        .into_iter()
        .filter(|problem| problem.line == line)
        .collect();
    assert_eq!(found.len(), 1, "line {line}: {found:?}");
    found.into_iter().next().unwrap()
}

/// Returns every row of the tables that imports write, as text, for before/after comparisons.
async fn snapshot(app: &TestApp) -> Vec<String> {
    let tables: [(&str, &[&str], &str); 10] = [
        (
            "users",
            &[
                "id",
                "login",
                "display_name",
                "email",
                "phone",
                "password_hash",
                "must_change_password",
                "updated_at",
            ],
            "id",
        ),
        (
            "students",
            &[
                "user_id",
                "student_no",
                "national_id_enc",
                "national_id_hash",
                "birth_date",
            ],
            "user_id",
        ),
        ("staff", &["user_id", "staff_no"], "user_id"),
        ("user_roles", &["user_id", "role"], "user_id, role"),
        (
            "homerooms",
            &["id", "name", "grade", "homeroom_teacher_id"],
            "id",
        ),
        (
            "homeroom_members",
            &["student_id", "school_year_id", "homeroom_id", "seat_no"],
            "student_id, school_year_id",
        ),
        ("subjects", &["id", "name"], "id"),
        (
            "courses",
            &["id", "subject_id", "group_name", "credits", "teacher_id"],
            "id",
        ),
        (
            "course_enrollments",
            &["course_id", "student_id"],
            "course_id, student_id",
        ),
        ("audit_events", &["id", "action", "new_value"], "id"),
    ];
    let mut rows = Vec::new();
    for (table, columns, order) in tables {
        let text = columns
            .iter()
            .map(|column| format!("COALESCE(CAST({column} AS TEXT), '-')"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let sql = format!("SELECT '{table}|' || {text} FROM {table} ORDER BY {order}");
        let found: Vec<String> = sqlx::query_scalar(&sql)
            .fetch_all(app.pool())
            .await
            .expect(&sql);
        rows.extend(found);
    }
    rows
}

/// Returns a students file of two new students of homeroom 201. The caller applies any
/// byte order mark and encoding.
fn two_students_text() -> String {
    let first = valid_id("C12345678");
    let second = valid_id("D22345678");
    format!(
        "班級,座號,學號,姓名,身分證字號,出生日期,電子郵件,手機\r\n\
         201,2,113101,林小明,{first},0950116,s113101@school.example.tw,0912-345-678\r\n\
         201,3,113102,陳小華,{second},95/02/28,,\r\n"
    )
}

#[tokio::test]
async fn utf8_csv_previews_then_imports() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let bytes = two_students_text().into_bytes();
    let before = snapshot(&app).await;

    let reply = preview(&mut admin, "students", "學生.csv", bytes.clone()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let shown = reply.json();
    assert_eq!(shown["counts"], counts(2, 0, 0));
    assert_eq!(shown["row_count"], 2);
    assert_eq!(shown["semester"]["school_year"], 113);
    assert_eq!(shown["rows"][0]["line"], 2);
    assert_eq!(shown["rows"][0]["change"], "Insert");
    assert_eq!(snapshot(&app).await, before, "a preview writes nothing");

    let full_id = valid_id("C12345678");
    assert!(
        !reply.text().contains(&full_id),
        "a preview never shows a whole national ID"
    );
    assert_eq!(shown["rows"][0]["cells"][4], "C12345****");

    let reply = commit(
        &mut admin,
        "students",
        bytes,
        shown["sha256"].as_str().unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["counts"], counts(2, 0, 0));

    let row = sqlx::query_as::<_, (String, String, Option<String>, Option<String>, i64)>(
        "SELECT u.login, u.display_name, u.email, u.phone, u.must_change_password \
         FROM users u JOIN students s ON s.user_id = u.id WHERE s.student_no = '113101'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            "113101".to_owned(),
            "林小明".to_owned(),
            Some("s113101@school.example.tw".to_owned()),
            Some("0912345678".to_owned()),
            1
        )
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE login IN ('113101', '113102') AND password_hash IS NULL")
            .await,
        2,
        "imported accounts have no password yet"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id \
             WHERE u.login = '113102' AND r.role = 'student'"
        )
        .await,
        1
    );

    let (encrypted, hash, birth_date): (String, String, String) = sqlx::query_as(
        "SELECT national_id_enc, national_id_hash, birth_date FROM students WHERE student_no = '113101'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert!(!encrypted.contains(&full_id[1..]), "stored encrypted");
    let id = NationalId::parse(&full_id).unwrap();
    assert_eq!(app.state.national_ids.decrypt(&encrypted).unwrap(), id);
    assert_eq!(hash, app.state.national_ids.lookup_hash(&id));
    assert_eq!(birth_date, "2006-01-16");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM homeroom_members m JOIN students s ON s.user_id = m.student_id \
             JOIN homerooms h ON h.id = m.homeroom_id \
             WHERE s.student_no = '113102' AND h.name = '201' AND m.seat_no = 3"
        )
        .await,
        1
    );

    let audit: Vec<(String, String)> =
        sqlx::query_as("SELECT action, new_value FROM audit_events WHERE action LIKE 'import_%'")
            .fetch_all(app.pool())
            .await
            .unwrap();
    assert_eq!(
        audit,
        vec![("import_students".to_owned(), "import:2:0:0".to_owned())]
    );
}

#[tokio::test]
async fn utf8_bom_csv_with_header_variants() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let new_resident = valid_id("E80000001");
    let old_resident = valid_id("FA1234567");
    let text = format!(
        "113學年度第1學期 學生名冊\r\n\
         學生學號,學生姓名,班級名稱,座號,身分證號,生日,E-mail,行動電話,備註\r\n\
         113201,黃新住,202,1,{new_resident},095/01/16,,,轉學生\r\n\
         113202,吳舊居,202,2,{old_resident},2006/1/16,,+886 987 654 321,\r\n"
    );
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(text.as_bytes());

    let reply = preview(&mut admin, "students", "名冊.csv", bytes.clone()).await;
    let shown = reply.json();
    assert_eq!(shown["problem_count"], 0, "{}", shown["problems"]);
    assert_eq!(shown["ignored_columns"], serde_json::json!(["備註"]));
    assert_eq!(shown["rows"][0]["line"], 3, "the title line is skipped");

    let (_, written) = import(&mut admin, "students", bytes).await;
    assert_eq!(written, counts(2, 0, 0));
    let stored: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT s.student_no, s.birth_date, u.phone FROM students s JOIN users u ON u.id = s.user_id \
         WHERE s.student_no IN ('113201', '113202') ORDER BY s.student_no",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert_eq!(
        stored,
        vec![
            ("113201".to_owned(), "2006-01-16".to_owned(), None),
            (
                "113202".to_owned(),
                "2006-01-16".to_owned(),
                Some("0987654321".to_owned())
            ),
        ]
    );
}

#[tokio::test]
async fn big5_csv_is_decoded() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let text = two_students_text();
    let (bytes, _, unmappable) = encoding_rs::BIG5.encode(&text);
    assert!(!unmappable);
    let bytes = bytes.into_owned();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture really is Big5, not UTF-8"
    );

    let (_, written) = import(&mut admin, "students", bytes).await;
    assert_eq!(written, counts(2, 0, 0));
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT u.display_name FROM users u JOIN students s ON s.user_id = u.id \
         WHERE s.student_no IN ('113101', '113102') ORDER BY s.student_no",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert_eq!(names, vec!["林小明", "陳小華"]);
}

/// Builds an .xlsx as an office program saves it: numbers as number cells (leading zeros
/// lost), birth dates as real date cells or as numbers.
fn students_workbook(first: &str, second: &str) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date_format = Format::new().set_num_format("yyyy/mm/dd");
    for (column, header) in [
        "班級",
        "座號",
        "學號",
        "姓名",
        "身分證字號",
        "出生日期",
        "手機",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    sheet.write_number(1, 0, 201.0).unwrap();
    sheet.write_number(1, 1, 2.0).unwrap();
    sheet.write_number(1, 2, 113301.0).unwrap();
    sheet.write_string(1, 3, "張試算").unwrap();
    sheet.write_string(1, 4, first).unwrap();
    let born = ExcelDateTime::from_ymd(2006, 1, 16).unwrap();
    sheet
        .write_datetime_with_format(1, 5, &born, &date_format)
        .unwrap();
    sheet.write_number(1, 6, 912345678.0).unwrap();

    sheet.write_number(2, 0, 202.0).unwrap();
    sheet.write_number(2, 1, 3.0).unwrap();
    sheet.write_number(2, 2, 113302.0).unwrap();
    sheet.write_string(2, 3, "趙表格").unwrap();
    sheet.write_string(2, 4, second).unwrap();
    // 0950228 typed into a number cell keeps no leading zero.
    sheet.write_number(2, 5, 950228.0).unwrap();
    workbook.save_to_buffer().unwrap()
}

#[tokio::test]
async fn xlsx_with_date_cells_imports() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let bytes = students_workbook(&valid_id("G12345678"), &valid_id("H22345678"));

    let reply = preview(&mut admin, "students", "學生.xlsx", bytes.clone()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let shown = reply.json();
    assert_eq!(shown["problem_count"], 0, "{}", shown["problems"]);
    assert_eq!(shown["rows"][0]["cells"][5], "2006-01-16");

    let (_, written) = import(&mut admin, "students", bytes).await;
    assert_eq!(written, counts(2, 0, 0));
    let stored: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT s.student_no, s.birth_date, u.phone FROM students s JOIN users u ON u.id = s.user_id \
         WHERE s.student_no IN ('113301', '113302') ORDER BY s.student_no",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert_eq!(
        stored,
        vec![
            (
                "113301".to_owned(),
                "2006-01-16".to_owned(),
                Some("0912345678".to_owned())
            ),
            ("113302".to_owned(), "2006-02-28".to_owned(), None),
        ]
    );
}

#[tokio::test]
async fn preview_lists_each_bad_input() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let good = valid_id("J12345678");
    let bad_digit = bad_check_digit(&valid_id("K12345678"));
    let repeated = valid_id("L12345678");
    let other = valid_id("M12345678");
    let text = format!(
        "班級,座號,學號,姓名,身分證字號,出生日期,電子郵件,手機\n\
         201,2,113401,好學生,{good},0950116,,\n\
         201,3,113402,錯檢查碼,{bad_digit},0950116,,\n\
         201,4,113403,重複一,{repeated},0950116,,\n\
         201,5,113403,重複二,{other},0950116,,\n\
         201,6,113001,冒名者,{},0950116,,\n\
         209,7,113404,無此班,{},0950116,,\n\
         201,8,113405,壞日期,{},0951301,,\n\
         201,9,113406,壞信箱,{},0950116,not-an-email,\n\
         201,10,113407,壞手機,{},0950116,,02-2345-6789\n\
         201,11,113408,重複證號,{},0950116,,\n",
        valid_id("N12345678"),
        valid_id("P12345678"),
        valid_id("Q12345678"),
        valid_id("R12345678"),
        valid_id("S12345678"),
        STUDENT_NATIONAL_ID,
    );
    let before = snapshot(&app).await;
    let reply = preview(&mut admin, "students", "bad.csv", text.clone().into_bytes()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let shown = reply.json();
    assert_eq!(snapshot(&app).await, before, "a preview writes nothing");
    assert!(
        !reply.text().contains(&bad_digit) && !reply.text().contains(STUDENT_NATIONAL_ID),
        "national IDs are masked in problems"
    );
    assert_eq!(shown["problem_count"], 8, "{}", shown["problems"]);
    assert_eq!(
        shown["counts"],
        counts(2, 0, 0),
        "only lines 2 and 4 are valid"
    );
    let message = |problem: &ImportRowProblem| problem_message(Locale::zh_TW, problem);

    let check_digit = problem_on(&shown, 3);
    assert_eq!(check_digit.problem, ImportProblem::NationalIdCheckDigit);
    assert_eq!(check_digit.column, "身分證字號");
    assert_eq!(check_digit.value, format!("{}****", &bad_digit[..6]));
    assert!(message(&check_digit).contains(&check_digit.value));
    assert!(message(&check_digit).contains("檢查碼"));

    let repeat = problem_on(&shown, 5);
    assert_eq!(
        repeat.problem,
        ImportProblem::StudentNoRepeated { first_line: 4 }
    );
    assert_eq!(repeat.value, "113403");
    assert!(message(&repeat).contains("113403"));
    assert!(message(&repeat).contains("第 4 列"));

    let taken = problem_on(&shown, 6);
    assert_eq!(
        taken.problem,
        ImportProblem::StudentNoTaken {
            name: "陳同學".into()
        }
    );
    assert_eq!(taken.column, "學號");
    assert!(message(&taken).contains("113001"));
    assert!(message(&taken).contains("陳同學"));

    let homeroom = problem_on(&shown, 7);
    assert_eq!(
        homeroom.problem,
        ImportProblem::UnknownHomeroom { school_year: 113 }
    );
    assert_eq!(homeroom.value, "209");
    assert!(message(&homeroom).contains("209"));
    assert!(message(&homeroom).contains("請先匯入班級"));

    let date = problem_on(&shown, 8);
    assert_eq!(date.problem, ImportProblem::DateUnreadable);
    assert_eq!(date.column, "出生日期");
    assert!(message(&date).contains("0951301"));
    assert!(message(&date).contains("0950116"));

    let email = problem_on(&shown, 9);
    assert_eq!(email.problem, ImportProblem::Email);
    assert!(message(&email).contains("not-an-email"));

    let mobile = problem_on(&shown, 10);
    assert_eq!(mobile.problem, ImportProblem::Mobile);
    assert_eq!(mobile.column, "手機");
    assert!(message(&mobile).contains("02-2345-6789"));
    assert!(message(&mobile).contains("09"));

    let id_taken = problem_on(&shown, 11);
    assert_eq!(
        id_taken.problem,
        ImportProblem::NationalIdTaken {
            student_no: "113001".into()
        }
    );
    assert_eq!(id_taken.value, "A12345****");

    let reply = commit(
        &mut admin,
        "students",
        text.into_bytes(),
        shown["sha256"].as_str().unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json(),
        serde_json::json!({ "ImportHasProblems": { "count": 8 } })
    );
    assert_eq!(
        snapshot(&app).await,
        before,
        "a file with any problem writes nothing, not even its good line"
    );
}

#[tokio::test]
async fn missing_columns_and_unreadable_files() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let reply = preview(
        &mut admin,
        "students",
        "x.csv",
        "學號,姓名\n113501,缺欄位\n".as_bytes().to_vec(),
    )
    .await;
    let shown = reply.json();
    let missing: Vec<String> = problems(&shown)
        .into_iter()
        .filter(|problem| problem.problem == ImportProblem::MissingColumn)
        .map(|problem| problem.column)
        .collect();
    assert_eq!(missing, vec!["班級", "座號", "身分證字號", "出生日期"]);

    let reply = preview(
        &mut admin,
        "students",
        "old.xls",
        vec![0xD0, 0xCF, 0x11, 0xE0, 0, 0],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json(),
        serde_json::json!({ "ImportFile": "LegacyExcel" })
    );

    let reply = preview(&mut admin, "students", "empty.csv", Vec::new()).await;
    assert_eq!(reply.json(), serde_json::json!({ "ImportFile": "Empty" }));

    let reply = preview(&mut admin, "pets", "x.csv", b"a,b\n".to_vec()).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn database_failure_mid_import_writes_nothing() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    // A trigger that fails the insertion of one student, after the rows before it were
    // written in the same transaction: the checks pass, the database refuses.
    let statements: &[&str] = if on_postgres() {
        &[
            "CREATE FUNCTION refuse_113102() RETURNS trigger AS $$ BEGIN \
             IF NEW.student_no = '113102' THEN RAISE EXCEPTION 'refused for the test'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_113102 BEFORE INSERT ON students \
             FOR EACH ROW EXECUTE FUNCTION refuse_113102()",
        ]
    } else {
        &["CREATE TRIGGER refuse_113102 BEFORE INSERT ON students \
           WHEN NEW.student_no = '113102' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"]
    };
    for statement in statements {
        sqlx::query(statement).execute(app.pool()).await.unwrap();
    }

    let before = snapshot(&app).await;
    let bytes = two_students_text().into_bytes();
    let shown = preview(&mut admin, "students", "x.csv", bytes.clone())
        .await
        .json();
    assert_eq!(shown["problem_count"], 0);

    let reply = commit(
        &mut admin,
        "students",
        bytes,
        shown["sha256"].as_str().unwrap(),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        reply.text()
    );
    assert_eq!(
        snapshot(&app).await,
        before,
        "113101 was inserted before 113102 failed, and is rolled back with it"
    );
}

#[tokio::test]
async fn commit_needs_the_previewed_file() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let bytes = two_students_text().into_bytes();
    let shown = preview(&mut admin, "students", "x.csv", bytes.clone())
        .await
        .json();
    let mut changed = bytes.clone();
    changed.extend_from_slice(b"201,4,113103,Third,,,,\r\n");
    let before = snapshot(&app).await;
    let reply = commit(
        &mut admin,
        "students",
        changed,
        shown["sha256"].as_str().unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.json(), serde_json::json!("ImportChanged"));
    assert_eq!(snapshot(&app).await, before);
}

/// Staff, homerooms, students, courses and enrolments, each imported and then imported
/// again, which must change nothing at all.
#[tokio::test]
async fn every_kind_imports_once_and_reimports_unchanged() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let files: Vec<(&str, String, Value)> = vec![
        (
            "staff",
            "教職員編號,姓名,職務,電子郵件,手機\n\
             T901,周導師,教師、導師,t901@school.example.tw,0911222333\n\
             T902,鄭老師,,,\n"
                .to_owned(),
            counts(2, 0, 0),
        ),
        (
            "homerooms",
            "班級,年級,導師教職員編號\n203,高二,T901\n101,10,\n".to_owned(),
            counts(2, 0, 0),
        ),
        ("students", two_students_text(), counts(2, 0, 0)),
        (
            "courses",
            "科目名稱,開課班級,學分,授課教師編號\n數學A,201,4,T902\n地理,203,2,T901\n".to_owned(),
            counts(1, 1, 0),
        ),
        (
            "enrolments",
            "學號,姓名,科目名稱,開課班級\n113101,林小明,數學A,201\n113102,陳小華,地理,203\n113001,陳同學,數學A,201\n"
                .to_owned(),
            counts(2, 0, 1),
        ),
    ];
    for (kind, text, expected) in &files {
        let (_, written) = import(&mut admin, kind, text.clone().into_bytes()).await;
        assert_eq!(&written, expected, "{kind}");
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM homerooms h JOIN users u ON u.id = h.homeroom_teacher_id \
             WHERE h.name = '203' AND u.login = 'T901'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM courses c JOIN users u ON u.id = c.teacher_id \
             WHERE c.id = {} AND u.login = 'T902'",
            app.fixture.math.0
        ))
        .await,
        1,
        "the course 數學A 201 now has the imported teacher"
    );

    let before = snapshot(&app).await;
    for (kind, text, _) in &files {
        let rows = text.lines().count() as u32 - 1;
        let (shown, written) = import(&mut admin, kind, text.clone().into_bytes()).await;
        assert_eq!(shown, counts(0, 0, rows), "{kind} preview");
        assert_eq!(written, counts(0, 0, rows), "{kind}");
    }
    let after = snapshot(&app).await;
    let changed: Vec<&String> = after
        .iter()
        .filter(|row| !before.contains(row))
        .filter(|row| !row.starts_with("audit_events|"))
        .collect();
    assert!(changed.is_empty(), "re-import changed rows: {changed:?}");
    assert_eq!(
        after.len() - before.len(),
        files.len(),
        "only one audit row per import"
    );
}

#[tokio::test]
async fn homeroom_change_keeps_records() {
    let app = TestApp::new().await;
    let mut student = app.login(STUDENT).await;
    let (outcome, _) = student.upload_pdf(app.fixture.math, "函數圖形報告").await;
    let mut admin = app.login(ADMIN).await;
    // 陳同學 moves from 201 seat 1 to 202 seat 8, and 李同學 (202 seat 7) takes seat 1 of
    // 201 in the same file.
    let text = format!(
        "班級,座號,學號,姓名,身分證字號,出生日期\n\
         202,8,113001,陳同學,{STUDENT_NATIONAL_ID},0970116\n\
         201,1,113002,李同學,B223456782,96/12/31\n"
    );
    let (shown, written) = import(&mut admin, "students", text.into_bytes()).await;
    assert_eq!(shown, counts(0, 2, 0));
    assert_eq!(written, counts(0, 2, 0));

    let seats: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT s.student_no, h.name, m.seat_no FROM homeroom_members m \
         JOIN students s ON s.user_id = m.student_id JOIN homerooms h ON h.id = m.homeroom_id \
         ORDER BY s.student_no",
    )
    .fetch_all(app.pool())
    .await
    .unwrap();
    assert_eq!(
        seats,
        vec![
            ("113001".to_owned(), "202".to_owned(), 8),
            ("113002".to_owned(), "201".to_owned(), 1),
        ]
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM course_outcomes WHERE id = {outcome} AND student_id = {}",
            app.fixture.student.0
        ))
        .await,
        1,
        "the outcome still belongs to the student"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM course_enrollments WHERE student_id = {}",
            app.fixture.student.0
        ))
        .await,
        4,
        "enrolments are kept"
    );
    let reply = student.get(&format!("/student/outcomes/{outcome}")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.text().contains("函數圖形報告"));
}

#[tokio::test]
async fn seat_conflicts_are_reported() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let text = format!(
        "班級,座號,學號,姓名,身分證字號,出生日期\n\
         202,7,113601,搶座位,{},0950116\n\
         201,5,113602,同座一,{},0950116\n\
         201,5,113603,同座二,{},0950116\n",
        valid_id("T12345678"),
        valid_id("U12345678"),
        valid_id("V12345678"),
    );
    let shown = preview(&mut admin, "students", "x.csv", text.into_bytes())
        .await
        .json();
    assert_eq!(
        problem_on(&shown, 2).problem,
        ImportProblem::SeatTaken {
            first_line: None,
            student_no: Some("113002".into())
        }
    );
    assert_eq!(
        problem_on(&shown, 4).problem,
        ImportProblem::SeatTaken {
            first_line: Some(3),
            student_no: None
        }
    );
}

#[tokio::test]
async fn other_kinds_report_unknown_references() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    let shown = preview(
        &mut admin,
        "courses",
        "x.csv",
        "科目名稱,開課班級,學分,授課教師編號\n數學A,201,40,T999\n"
            .as_bytes()
            .to_vec(),
    )
    .await
    .json();
    let found: Vec<ImportProblem> = problems(&shown).into_iter().map(|p| p.problem).collect();
    assert_eq!(
        found,
        vec![ImportProblem::Credits, ImportProblem::UnknownStaff]
    );

    let shown = preview(
        &mut admin,
        "enrolments",
        "x.csv",
        "學號,科目名稱,開課班級\n119999,數學A,201\n113001,音樂,201\n"
            .as_bytes()
            .to_vec(),
    )
    .await
    .json();
    assert_eq!(problem_on(&shown, 2).problem, ImportProblem::UnknownStudent);
    let course = problem_on(&shown, 3);
    assert!(matches!(
        course.problem,
        ImportProblem::UnknownCourse { .. }
    ));
    assert!(problem_message(Locale::zh_TW, &course).contains("113學年度第1學期"));

    let shown = preview(
        &mut admin,
        "staff",
        "x.csv",
        "教職員編號,姓名,職務\na100,撞帳號,教師\nT903,怪職務,校長\n"
            .as_bytes()
            .to_vec(),
    )
    .await
    .json();
    assert_eq!(problem_on(&shown, 2).problem, ImportProblem::LoginTaken);
    let role = problem_on(&shown, 3);
    assert_eq!(role.problem, ImportProblem::UnknownRole);
    assert_eq!(role.value, "校長");
}

#[tokio::test]
async fn templates_download_for_admins() {
    let app = TestApp::new().await;
    let mut admin = app.login(ADMIN).await;
    for kind in ["staff", "homerooms", "students", "courses", "enrolments"] {
        for extension in ["csv", "xlsx"] {
            let reply = admin
                .get(&format!("/imports/templates/{kind}.{extension}"))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{kind}.{extension}");
            assert!(reply.header("content-disposition").contains("attachment"));
            let shown = preview(&mut admin, kind, &format!("t.{extension}"), reply.body)
                .await
                .json();
            assert!(
                !problems(&shown)
                    .iter()
                    .any(|problem| problem.problem == ImportProblem::MissingColumn),
                "{kind}.{extension}: {}",
                shown["problems"]
            );
        }
    }
    let reply = admin.get("/imports/templates/students.exe").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn non_admins_are_refused() {
    let app = TestApp::new().await;
    let bytes = two_students_text().into_bytes();
    for login in [TEACHER, STUDENT, SUBMITTER] {
        let mut client = app.login(login).await;
        let reply = preview(&mut client, "students", "x.csv", bytes.clone()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{login} preview");
        let reply = commit(&mut client, "students", bytes.clone(), "00").await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{login} commit");
        let reply = client.get("/imports/templates/students.csv").await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{login} template");
        let reply = client.call("import_target", "").await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{login} import_target");
    }
    let mut anonymous = app.anonymous();
    let reply = preview(&mut anonymous, "students", "x.csv", bytes.clone()).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let mut foreign_teacher = app.login(FOREIGN_TEACHER).await;
    let reply = commit(&mut foreign_teacher, "students", bytes, "00").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM students WHERE student_no = '113101'")
            .await,
        0
    );
}
