//! Moving one school between deployments: from a single machine (SQLite and a local file
//! store) into a city deployment (PostgreSQL and an S3-compatible store) and back.
//!
//! `licheng export-school` writes a package directory:
//!
//! ```text
//! manifest.json               school, schema version, row counts, every file's SHA-256 and size
//! rows/{table}.jsonl          the school's rows, one JSON object per row, in id order
//! files/objects/{sha[0..2]}/{sha}   every file of the school, checked against its hash
//! ```
//!
//! `licheng import-school` loads a package into the configured deployment, which may already
//! serve other schools. Every file is copied into the store and checked by hash. Then every
//! row is inserted in one transaction under new ids, and foreign keys, audit entries and roster
//! batch references follow the new ids. National IDs are re-encrypted under the target's key.
//! At the end each file is read back from the target store and checked again. A failure
//! leaves no row.
//!
//! Sessions, known devices and login failure counts do not move: people log in again.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{Context, bail, ensure};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::Row;
use tokio::io::AsyncWriteExt;

use super::crypto::NationalIdCipher;
use super::db::Db;
use super::db::schema::{self, ColumnKind, Schema, Table};
use super::storage::{BlobStore, LocalStore};

/// Tables whose rows stay behind: they belong to a login or a password recovery on one
/// deployment, not to the school.
const LEFT_BEHIND: &[&str] = &["sessions", "known_devices", "password_recoveries"];

/// The package format; raised when its layout changes.
const FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub school_code: String,
    pub school_name: String,
    /// The last migration applied to the source; the target must be at the same one.
    pub schema_version: i64,
    pub exported_at: String,
    /// Rows per table, for the check after import.
    pub tables: BTreeMap<String, u64>,
    pub files: Vec<PackageFile>,
    /// Whether rows contain national IDs encrypted under the source's key file.
    pub has_national_ids: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PackageFile {
    pub sha256: String,
    pub bytes: u64,
}

/// The result of an import.
#[derive(Debug)]
pub struct ImportReport {
    pub school_id: i64,
    pub rows: u64,
    pub files: usize,
}

async fn schema_version(db: &Db) -> anyhow::Result<i64> {
    let version: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&db.pool)
        .await?;
    Ok(version)
}

/// Returns the tables that contain a school's rows, parents first. The audit log comes last
/// because its entries name rows of any table by id.
fn school_tables(schema: &Schema) -> Vec<&Table> {
    let mut tables: Vec<&Table> = schema
        .tables
        .iter()
        .filter(|table| {
            !LEFT_BEHIND.contains(&table.name.as_str())
                && (table.name == "schools" || table.column("school_id").is_some())
        })
        .collect();
    tables.sort_by_key(|table| table.name == "audit_events");
    tables
}

fn select_sql(table: &Table) -> String {
    let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let filter = if table.name == "schools" {
        "id"
    } else {
        "school_id"
    };
    let order = table.primary_key.join(", ");
    format!(
        "SELECT {} FROM {} WHERE {filter} = $1 ORDER BY {order}",
        columns.join(", "),
        table.name
    )
}

fn row_to_json(table: &Table, row: &sqlx::any::AnyRow) -> anyhow::Result<Map<String, Value>> {
    let mut object = Map::new();
    for column in &table.columns {
        let name = column.name.as_str();
        let value = match column.kind {
            ColumnKind::Integer => row.try_get::<Option<i64>, _>(name)?.map(Value::from),
            ColumnKind::Text => row.try_get::<Option<String>, _>(name)?.map(Value::from),
            ColumnKind::Real => row.try_get::<Option<f64>, _>(name)?.map(Value::from),
            ColumnKind::Bytes => row
                .try_get::<Option<Vec<u8>>, _>(name)?
                .map(|bytes| Value::from(hex::encode(bytes))),
            ColumnKind::Other(ref declared) => {
                bail!(
                    "column {}.{name} has type {declared}, which cannot be moved",
                    table.name
                )
            }
        };
        object.insert(name.to_owned(), value.unwrap_or(Value::Null));
    }
    Ok(object)
}

/// Writes the package of the school with `school_code` into `to`, which must not exist.
pub async fn export_school(
    db: &Db,
    store: &dyn BlobStore,
    school_code: &str,
    to: &Path,
) -> anyhow::Result<Manifest> {
    ensure!(
        !to.exists(),
        "{} already exists; name a new directory for the package",
        to.display()
    );
    let school: Option<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM schools WHERE code = $1")
            .bind(school_code)
            .fetch_optional(&db.pool)
            .await?;
    let Some((school_id, school_name)) = school else {
        bail!("no school has the code {school_code} in this deployment; check the school code");
    };
    let schema = schema::describe(&db.pool, db.backend).await?;
    let partial = to.with_extension("partial");
    if partial.exists() {
        tokio::fs::remove_dir_all(&partial).await?;
    }
    tokio::fs::create_dir_all(partial.join("rows")).await?;

    let mut tables = BTreeMap::new();
    let mut has_national_ids = false;
    for table in school_tables(&schema) {
        let rows = sqlx::query(&select_sql(table))
            .bind(school_id)
            .fetch_all(&db.pool)
            .await
            .with_context(|| format!("reading {}", table.name))?;
        let mut file =
            tokio::fs::File::create(partial.join("rows").join(format!("{}.jsonl", table.name)))
                .await?;
        for row in &rows {
            let object = row_to_json(table, row)?;
            if table.name == "students" && !object["national_id_enc"].is_null() {
                has_national_ids = true;
            }
            let mut line = serde_json::to_vec(&object)?;
            line.push(b'\n');
            file.write_all(&line).await?;
        }
        file.sync_all().await?;
        tables.insert(table.name.clone(), rows.len() as u64);
    }

    let files: Vec<(String, i64)> = sqlx::query_as(
        "SELECT sha256, MAX(byte_size) FROM stored_files WHERE school_id = $1 GROUP BY sha256 ORDER BY sha256",
    )
    .bind(school_id)
    .fetch_all(&db.pool)
    .await?;
    let target = LocalStore::open(partial.join("files")).await?;
    let mut packaged = Vec::with_capacity(files.len());
    for (sha256, bytes) in files {
        let bytes = u64::try_from(bytes).unwrap_or(0);
        copy_checked(store, &target, &sha256, bytes)
            .await
            .with_context(|| format!("copying file {sha256} into the package"))?;
        packaged.push(PackageFile { sha256, bytes });
    }

    let manifest = Manifest {
        format: FORMAT,
        school_code: school_code.to_owned(),
        school_name,
        schema_version: schema_version(db).await?,
        exported_at: jiff::Timestamp::now().to_string(),
        tables,
        files: packaged,
        has_national_ids,
    };
    tokio::fs::write(
        partial.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest)?,
    )
    .await?;
    tokio::fs::rename(&partial, to).await?;
    Ok(manifest)
}

/// Copies one object from `source` to `target`, refusing bytes whose hash or size differ.
async fn copy_checked(
    source: &dyn BlobStore,
    target: &dyn BlobStore,
    sha256: &str,
    bytes: u64,
) -> anyhow::Result<()> {
    let mut body = source
        .open(sha256, None)
        .await
        .with_context(|| format!("file {sha256} is missing from the source store"))?;
    let mut writer = target.begin().await?;
    while let Some(chunk) = body.stream.next().await {
        writer.write(chunk?).await?;
    }
    let staged = writer.finish().await?;
    ensure!(
        staged.sha256() == sha256 && staged.size() == bytes,
        "file {sha256} is damaged in the source store (its bytes hash to {}); run `licheng verify` there",
        staged.sha256()
    );
    staged.commit().await?;
    Ok(())
}

/// Reads an object back and checks its hash and size.
async fn check_object(store: &dyn BlobStore, file: &PackageFile) -> anyhow::Result<()> {
    use sha2::Digest;
    let mut body = store
        .open(&file.sha256, None)
        .await
        .with_context(|| format!("file {} is missing after the import", file.sha256))?;
    let mut hasher = sha2::Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = body.stream.next().await {
        let chunk = chunk?;
        size += chunk.len() as u64;
        hasher.update(&chunk);
    }
    ensure!(
        hex::encode(hasher.finalize()) == file.sha256 && size == file.bytes,
        "file {} does not match its SHA-256 after the import",
        file.sha256
    );
    Ok(())
}

/// Returns the table whose generated ids `table.column` holds: the table itself for its `id`,
/// or, for a key that is itself a reference (`students.user_id`), the table it refers to.
fn id_table<'s>(schema: &'s Schema, table: &'s str, column: &str) -> anyhow::Result<&'s str> {
    let described = schema
        .table(table)
        .with_context(|| format!("table {table} is not in the schema"))?;
    if column == "id" && described.has_generated_id() {
        return Ok(&described.name);
    }
    let key = described
        .foreign_keys
        .iter()
        .find(|key| key.columns.len() == 1 && key.columns[0] == column)
        .with_context(|| format!("{table}.{column} is neither a generated id nor a reference"))?;
    id_table(schema, &key.table, &key.references[0])
}

/// Returns the table that an audit entry's `entity` names, for mapping its `entity_id`.
fn audit_entity_table(entity: &str) -> Option<&'static str> {
    match entity {
        "school" => Some("schools"),
        "school_year" => Some("school_years"),
        "semester" => Some("semesters"),
        "user" | "student" => Some("users"),
        "course_outcome" => Some("course_outcomes"),
        "course" => Some("courses"),
        "homeroom" => Some("homerooms"),
        _ => None,
    }
}

/// Old id → new id, per table with generated ids.
#[derive(Default)]
struct IdMap(HashMap<String, HashMap<i64, i64>>);

impl IdMap {
    fn get(&self, table: &str, old: i64) -> anyhow::Result<i64> {
        self.0
            .get(table)
            .and_then(|ids| ids.get(&old))
            .copied()
            .with_context(|| {
                format!("the package refers to {table} row {old}, which it does not hold")
            })
    }
}

/// Loads the package in `from` into the deployment of `db` and `store`. `source_key` is the
/// national-ID key file of the deployment that exported it (needed when the package contains
/// national IDs); `target_key` is this deployment's.
pub async fn import_school(
    db: &Db,
    store: &dyn BlobStore,
    from: &Path,
    source_key: Option<&Path>,
    new_code: Option<&str>,
    target_key: &NationalIdCipher,
) -> anyhow::Result<ImportReport> {
    let manifest: Manifest = serde_json::from_slice(
        &tokio::fs::read(from.join("manifest.json"))
            .await
            .with_context(|| {
                format!("{} is not a package: manifest.json missing", from.display())
            })?,
    )
    .context("manifest.json is damaged")?;
    ensure!(
        manifest.format == FORMAT,
        "package format {} is not {FORMAT}",
        manifest.format
    );
    let version = schema_version(db).await?;
    ensure!(
        manifest.schema_version == version,
        "the package was written at schema version {} but this deployment is at {version}; \
         run the same licheng version on both sides",
        manifest.schema_version
    );
    let code = new_code
        .map(str::trim)
        .unwrap_or(&manifest.school_code)
        .to_owned();
    ensure!(
        code.len() == 6 && code.chars().all(|c| c.is_ascii_alphanumeric()),
        "the school code {code:?} is not 6 letters or digits"
    );
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM schools WHERE code = $1")
        .bind(&code)
        .fetch_optional(&db.pool)
        .await?;
    ensure!(
        taken.is_none(),
        "this deployment already has a school with code {code}; nothing was imported. \
         Import it under another code with --code"
    );
    let source_cipher = match (manifest.has_national_ids, source_key) {
        (false, _) => None,
        (true, Some(path)) => Some(NationalIdCipher::load(path).with_context(|| {
            format!(
                "reading the source deployment's national ID key file {}",
                path.display()
            )
        })?),
        (true, None) => bail!(
            "the package contains national IDs: pass the exporting deployment's key file with --source-national-id-key"
        ),
    };

    // Files come first. An object without a row is harmless, and the next upload of the same
    // bytes finds it again. A row without its object would be a lost file.
    let package_store = LocalStore::open_existing(from.join("files"));
    for file in &manifest.files {
        copy_checked(&package_store, store, &file.sha256, file.bytes)
            .await
            .with_context(|| format!("copying file {} into this deployment", file.sha256))?;
    }

    let schema = schema::describe(&db.pool, db.backend).await?;
    let mut tx = db.begin_write().await?;
    let mut ids = IdMap::default();
    let mut rows_written = 0u64;
    // Foreign keys to tables later in the order (an outcome's current review) are set after
    // those rows exist: (table, new id, column, old referenced id, referenced table).
    let mut deferred: Vec<(String, i64, String, i64, String)> = Vec::new();
    // Outcomes are inserted as drafts until their current review exists (a CHECK wants one);
    // (new id, status) to restore.
    let mut deferred_status: Vec<(i64, String)> = Vec::new();
    let mut school_id = 0;
    let mut placed: Vec<&str> = Vec::new();
    for table in school_tables(&schema) {
        let path = from.join("rows").join(format!("{}.jsonl", table.name));
        let text = tokio::fs::read_to_string(&path)
            .await
            .with_context(|| format!("{} is missing from the package", path.display()))?;
        let generated = table.has_generated_id();
        let columns: Vec<&str> = table
            .columns
            .iter()
            .map(|column| column.name.as_str())
            .filter(|name| !(generated && *name == "id"))
            .collect();
        let placeholders: Vec<String> = (1..=columns.len()).map(|n| format!("${n}")).collect();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            table.name,
            columns.join(", "),
            placeholders.join(", ")
        );
        if generated {
            sql.push_str(" RETURNING id");
        }
        for line in text.lines().filter(|line| !line.trim().is_empty()) {
            let mut row: Map<String, Value> = serde_json::from_str(line)
                .with_context(|| format!("a row of {} is damaged", table.name))?;
            let old_id = row.get("id").and_then(Value::as_i64);
            let mut late = Vec::new();
            for key in &table.foreign_keys {
                let [column] = key.columns.as_slice() else {
                    continue;
                };
                let Some(old) = row.get(column.as_str()).and_then(Value::as_i64) else {
                    continue;
                };
                let id_space = id_table(&schema, &key.table, &key.references[0])?;
                if key.table == table.name || !placed.contains(&key.table.as_str()) {
                    late.push((column.clone(), old, id_space.to_owned()));
                    row.insert(column.clone(), Value::Null);
                } else {
                    row.insert(column.clone(), Value::from(ids.get(id_space, old)?));
                }
            }
            let status_to_restore = if table.name == "course_outcomes" && !late.is_empty() {
                row.insert("status".into(), Value::from("draft"))
                    .and_then(|status| status.as_str().map(str::to_owned))
            } else {
                None
            };
            if table.name == "students" {
                reencrypt(&mut row, source_cipher.as_ref(), target_key)?;
            }
            if table.name == "schools" {
                row.insert("code".into(), Value::from(code.clone()));
            }
            if table.name == "audit_events" {
                remap_audit(&mut row, &ids)?;
            }
            let mut query = sqlx::query(&sql);
            for name in &columns {
                let column = table.column(name).expect("column of the table");
                query = bind_json(query, &column.kind, row.get(*name).unwrap_or(&Value::Null));
            }
            let new_id = if generated {
                let inserted = query
                    .fetch_one(&mut **tx)
                    .await
                    .with_context(|| format!("inserting into {}", table.name))?;
                let new_id: i64 = inserted.try_get(0)?;
                if let Some(old_id) = old_id {
                    ids.0
                        .entry(table.name.clone())
                        .or_default()
                        .insert(old_id, new_id);
                }
                new_id
            } else {
                query
                    .execute(&mut **tx)
                    .await
                    .with_context(|| format!("inserting into {}", table.name))?;
                0
            };
            if table.name == "schools" {
                school_id = new_id;
            }
            if let Some(status) = status_to_restore {
                deferred_status.push((new_id, status));
            }
            for (column, old, target) in late {
                ensure!(
                    generated,
                    "{}.{column} refers ahead but the table has no id",
                    table.name
                );
                deferred.push((table.name.clone(), new_id, column, old, target));
            }
            rows_written += 1;
        }
        placed.push(&table.name);
    }
    for (table, id, column, old, target) in deferred {
        let new = ids.get(&target, old)?;
        sqlx::query(&format!("UPDATE {table} SET {column} = $1 WHERE id = $2"))
            .bind(new)
            .bind(id)
            .execute(&mut **tx)
            .await
            .with_context(|| format!("linking {table}.{column}"))?;
    }
    for (id, status) in deferred_status {
        sqlx::query("UPDATE course_outcomes SET status = $1 WHERE id = $2")
            .bind(status)
            .bind(id)
            .execute(&mut **tx)
            .await
            .context("restoring outcome states")?;
    }
    for (table, expected) in &manifest.tables {
        let filter = if table == "schools" {
            "id"
        } else {
            "school_id"
        };
        let count: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE {filter} = $1"))
                .bind(school_id)
                .fetch_one(&mut **tx)
                .await?;
        ensure!(
            count as u64 == *expected,
            "{table} contains {count} rows of the school after the import, not {expected}; nothing was imported"
        );
    }
    tx.commit().await?;
    for file in &manifest.files {
        check_object(store, file).await?;
    }
    Ok(ImportReport {
        school_id,
        rows: rows_written,
        files: manifest.files.len(),
    })
}

fn bind_json<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    kind: &ColumnKind,
    value: &Value,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    match (kind, value) {
        (ColumnKind::Integer, Value::Number(n)) => query.bind(n.as_i64()),
        (ColumnKind::Real, Value::Number(n)) => query.bind(n.as_f64()),
        (ColumnKind::Text, Value::String(s)) => query.bind(s.clone()),
        (ColumnKind::Bytes, Value::String(s)) => query.bind(hex::decode(s).ok()),
        (ColumnKind::Integer, _) => query.bind(None::<i64>),
        (ColumnKind::Real, _) => query.bind(None::<f64>),
        (ColumnKind::Bytes, _) => query.bind(None::<Vec<u8>>),
        _ => query.bind(None::<String>),
    }
}

/// Re-encrypts a student's national ID from the source key to the target key and recomputes
/// its lookup hash.
fn reencrypt(
    row: &mut Map<String, Value>,
    source: Option<&NationalIdCipher>,
    target: &NationalIdCipher,
) -> anyhow::Result<()> {
    let Some(Value::String(sealed)) = row.get("national_id_enc") else {
        return Ok(());
    };
    let source =
        source.context("the package contains national IDs but no source key file was given")?;
    let id = source.decrypt(sealed).map_err(|_| {
        anyhow::anyhow!(
            "a national ID of the package does not open with the given source key file; pass the exporting deployment's key"
        )
    })?;
    row.insert("national_id_enc".into(), Value::from(target.encrypt(&id)));
    row.insert(
        "national_id_hash".into(),
        Value::from(target.lookup_hash(&id)),
    );
    Ok(())
}

/// Points an audit entry's entity id, and a roster batch named in its values, at new ids.
fn remap_audit(row: &mut Map<String, Value>, ids: &IdMap) -> anyhow::Result<()> {
    let entity = row
        .get("entity")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if let (Some(table), Some(old)) = (
        audit_entity_table(&entity),
        row.get("entity_id").and_then(Value::as_i64),
    ) && let Ok(new) = ids.get(table, old)
    {
        row.insert("entity_id".into(), Value::from(new));
    }
    for column in ["old_value", "new_value"] {
        if let Some(Value::String(text)) = row.get(column)
            && let Some(rest) = text.strip_prefix("batch:")
            && let Some((batch, rows)) = rest.split_once(':')
            && let Ok(old) = batch.parse::<i64>()
        {
            let new = ids.get("central_submissions", old)?;
            row.insert(column.into(), Value::from(format!("batch:{new}:{rows}")));
        }
    }
    Ok(())
}
