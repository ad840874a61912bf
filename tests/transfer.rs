#![cfg(feature = "ssr")]
//! Moving a school from one machine (SQLite, local files) into a city deployment (PostgreSQL,
//! S3-compatible store) that already holds other schools, and back out again.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use axum::http::{Method, StatusCode};
use common::*;
use licheng::server::db::schema::{Schema, describe};
use licheng::server::db::{Backend, Db};
use licheng::server::transfer;
use serde_json::Value;

const MOVED_CODE: &str = "777777";

/// Logs in to the moved school through `app`'s router.
async fn login_moved(app: &TestApp, login: &str) -> Client {
    let mut client = app.anonymous();
    let reply = client
        .send(
            Method::POST,
            "/api/login",
            Some((
                "application/x-www-form-urlencoded",
                format!("school_code={MOVED_CODE}&login={login}&password=pw-{login}").into_bytes(),
            )),
            &[],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "login of {login}: {}",
        reply.text()
    );
    let cookie = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("licheng_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    client.cookie = Some(cookie);
    client
}

async fn sqlite_schema() -> Schema {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(
        &format!("sqlite://{}", dir.path().join("s.db").display()),
        1,
    )
    .await
    .unwrap();
    db.migrate().await.unwrap();
    describe(&db.pool, Backend::Sqlite).await.unwrap()
}

/// The table whose ids a reference to `table` holds: `students` rows are keyed by user ids.
fn id_space<'s>(schema: &'s Schema, table: &'s str) -> &'s str {
    let described = schema.table(table).unwrap();
    if described.has_generated_id() {
        return &described.name;
    }
    let key = described
        .foreign_keys
        .iter()
        .find(|key| key.columns == described.primary_key)
        .unwrap();
    id_space(schema, &key.table)
}

/// A package's rows with every id replaced by its rank in its table (rows are written in id
/// order), so that two packages of the same school from different deployments compare equal.
/// Re-encrypted national IDs and audit entity ids are left out.
fn canonical_rows(package: &Path, schema: &Schema) -> BTreeMap<String, Vec<Value>> {
    let mut tables: BTreeMap<String, Vec<serde_json::Map<String, Value>>> = BTreeMap::new();
    for table in &schema.tables {
        let path = package.join("rows").join(format!("{}.jsonl", table.name));
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let rows = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        tables.insert(table.name.clone(), rows);
    }
    let rank = |table: &str, id: i64| -> Value {
        let position = tables[table]
            .iter()
            .position(|row| row["id"].as_i64() == Some(id))
            .unwrap_or_else(|| panic!("{table} row {id} is not in the package"));
        Value::from(position)
    };
    let mut canonical = BTreeMap::new();
    for (name, rows) in &tables {
        let table = schema.table(name).unwrap();
        let mut out = Vec::new();
        for row in rows {
            let mut row = row.clone();
            if table.has_generated_id() {
                row.insert("id".into(), rank(name, row["id"].as_i64().unwrap()));
            }
            for key in &table.foreign_keys {
                let column = &key.columns[0];
                if let Some(id) = row[column.as_str()].as_i64() {
                    row.insert(column.clone(), rank(id_space(schema, &key.table), id));
                }
            }
            for dropped in ["national_id_enc", "national_id_hash", "entity_id"] {
                row.remove(dropped);
            }
            out.push(Value::Object(row));
        }
        canonical.insert(name.clone(), out);
    }
    canonical
}

#[tokio::test]
async fn school_moves_to_a_shared_city_deployment_and_back() {
    // The school on its own machine: SQLite and local files, with certified work.
    let single = TestApp::with_settings(|settings| {
        settings.database_url = Some(format!(
            "sqlite://{}",
            settings.data_dir.join("licheng.db").display()
        ))
    })
    .await;
    let mut student = single.login(STUDENT).await;
    let mut teacher = single.login(TEACHER).await;
    let (passed, version) = student
        .submitted_outcome(single.fixture.math, "數學小論文")
        .await;
    teacher.decide(&[(passed, version)], "Passed", "").await;
    teacher.publish(&[(passed, version + 1)]).await;
    student.upload_pdf(single.fixture.physics, "物理草稿").await;
    sqlx::query("UPDATE schools SET code = $1 WHERE id = $2")
        .bind(MOVED_CODE)
        .bind(single.fixture.school.0)
        .execute(single.pool())
        .await
        .unwrap();
    let packages = tempfile::tempdir().unwrap();
    let first = packages.path().join("first");
    let manifest = transfer::export_school(
        &single.state.db,
        single.state.storage.as_ref(),
        MOVED_CODE,
        &first,
    )
    .await
    .unwrap();
    assert_eq!(manifest.files.len(), 2);
    assert!(manifest.has_national_ids);

    // The city: PostgreSQL and S3, already serving two schools whose ids collide.
    let database = PostgresDatabase::create().await;
    let s3 = S3Server::start().await;
    let city = TestApp::with_settings(|settings| {
        settings.database_url = Some(database.url.clone());
        s3.configure(settings);
    })
    .await;
    let without_key = transfer::import_school(
        &city.state.db,
        city.state.storage.as_ref(),
        &first,
        None,
        None,
        &city.state.national_ids,
    )
    .await;
    assert!(
        without_key
            .unwrap_err()
            .to_string()
            .contains("--source-national-id-key"),
        "national IDs need the source key"
    );
    let single_key = single.state.settings.national_id_key_file();
    let report = transfer::import_school(
        &city.state.db,
        city.state.storage.as_ref(),
        &first,
        Some(&single_key),
        None,
        &city.state.national_ids,
    )
    .await
    .unwrap();
    assert_eq!(report.files, 2);
    assert_ne!(
        report.school_id, single.fixture.school.0,
        "a new id in the city"
    );

    // The package to move it back is written before anyone logs in to the city (a login
    // adds an audit entry).
    let second = packages.path().join("second");
    transfer::export_school(
        &city.state.db,
        city.state.storage.as_ref(),
        MOVED_CODE,
        &second,
    )
    .await
    .unwrap();

    // People of the moved school log in and find their work, files included.
    let mut moved = login_moved(&city, STUDENT).await;
    let list = moved.get("/student/outcomes").await;
    assert!(list.text().contains("數學小論文"), "{}", list.text());
    let file_id: i64 = sqlx::query_scalar(
        "SELECT o.document_file_id FROM course_outcomes o JOIN schools s ON s.id = o.school_id \
         WHERE s.code = $1 AND o.summary = $2",
    )
    .bind(MOVED_CODE)
    .bind("數學小論文")
    .fetch_one(city.pool())
    .await
    .unwrap();
    let download = moved.get(&format!("/files/{file_id}")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body, pdf_bytes("數學小論文"));
    let unread: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications n JOIN schools s ON s.id = n.school_id \
         WHERE s.code = $1 AND n.read_at IS NULL",
    )
    .bind(MOVED_CODE)
    .fetch_one(city.pool())
    .await
    .unwrap();
    assert_eq!(unread, 1, "the red bubble moved too");
    let sealed: String = sqlx::query_scalar(
        "SELECT st.national_id_enc FROM students st JOIN schools s ON s.id = st.school_id \
         JOIN users u ON u.id = st.user_id WHERE s.code = $1 AND u.login = $2",
    )
    .bind(MOVED_CODE)
    .bind(STUDENT)
    .fetch_one(city.pool())
    .await
    .unwrap();
    assert_eq!(
        city.state.national_ids.decrypt(&sealed).unwrap().expose(),
        STUDENT_NATIONAL_ID,
        "re-encrypted under the city's key"
    );
    // The city's own schools are untouched.
    let mut local = city.login(STUDENT).await;
    assert!(
        !local
            .get("/student/outcomes")
            .await
            .text()
            .contains("數學小論文")
    );

    // A second import of the same school is refused and changes nothing.
    let rows_before = city.count("SELECT COUNT(*) FROM course_outcomes").await;
    let again = transfer::import_school(
        &city.state.db,
        city.state.storage.as_ref(),
        &first,
        Some(&single_key),
        None,
        &city.state.national_ids,
    )
    .await;
    assert!(
        again
            .unwrap_err()
            .to_string()
            .contains("already has a school")
    );
    assert_eq!(
        city.count("SELECT COUNT(*) FROM course_outcomes").await,
        rows_before
    );

    // And back to a machine of its own: the rows come back as they left.
    let home = tempfile::tempdir().unwrap();
    let mut settings = licheng::server::config::Settings::for_data_dir(home.path().to_path_buf());
    settings.database_url = None;
    let options = licheng::server::load_leptos_options(Path::new("Leptos.toml")).unwrap();
    let back = licheng::server::build_state(settings, options)
        .await
        .unwrap();
    transfer::import_school(
        &back.db,
        back.storage.as_ref(),
        &second,
        Some(&city.state.settings.national_id_key_file()),
        None,
        &back.national_ids,
    )
    .await
    .unwrap();
    let third = packages.path().join("third");
    transfer::export_school(&back.db, back.storage.as_ref(), MOVED_CODE, &third)
        .await
        .unwrap();
    let schema = sqlite_schema().await;
    assert_eq!(
        canonical_rows(&third, &schema),
        canonical_rows(&first, &schema),
        "every row came back as it left"
    );
}
