//! Backups of a single-machine deployment: the SQLite database and every stored file.
//!
//! A backup is a directory:
//!
//! ```text
//! {backups}/backup-20261205T030000/licheng.db        consistent snapshot (VACUUM INTO)
//! {backups}/backup-20261205T030000/files/objects/…   every referenced file, same layout as the store
//! {backups}/backup-20261205T030000/manifest.json     SHA-256 and size of the database and of each file
//! ```
//!
//! It is written under a `.partial` name and renamed only when everything in it is durable and
//! checked, so a directory with a manifest is always complete. A restore copies a backup into
//! an empty data directory, checking every hash, and puts the database in place last.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};
use tokio::fs;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::db::{Backend, Db};
use super::storage::{BlobStore, LocalStore};
use crate::domain::calendar::UtcMillis;

/// The name of the manifest in a backup directory.
pub const MANIFEST: &str = "manifest.json";
/// The name of the database snapshot in a backup directory and of the database in a data
/// directory.
pub const DATABASE: &str = "licheng.db";
/// The version of the manifest format this code writes and reads.
const FORMAT: u32 = 1;
/// Buffer size for copying files.
const CHUNK: usize = 256 * 1024;

/// The contents of `manifest.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    /// When the snapshot was taken, in milliseconds since the Unix epoch.
    pub created_at: i64,
    pub database: ManifestEntry,
    /// Every stored file the snapshot refers to, by SHA-256, sorted.
    pub objects: Vec<ManifestEntry>,
}

/// One file of a backup: its SHA-256 (lower-case hex) and size in bytes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestEntry {
    pub sha256: String,
    pub bytes: u64,
}

/// The failures of backups, restores and checks.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backups of this kind need the SQLite database; for PostgreSQL use pg_dump or a replica (docs/backup.md)"
    )]
    NotSqlite,
    #[error("the database snapshot failed the integrity check: {0}")]
    Integrity(String),
    #[error("stored file {sha256} is missing; run `licheng verify` to list every damaged file")]
    Missing { sha256: String },
    #[error(
        "stored file {sha256} does not match its SHA-256 or size; run `licheng verify` to list every damaged file"
    )]
    Corrupt { sha256: String },
    #[error(
        "{path} does not match the SHA-256 or size in the backup manifest; the backup is damaged"
    )]
    DamagedBackup { path: PathBuf },
    #[error(
        "the data directory {0} is not empty: restore only into a new or empty directory, or move the old one away first"
    )]
    NotEmpty(PathBuf),
    #[error("{0} is not a Licheng backup (no readable {MANIFEST}): {1}")]
    NoManifest(PathBuf, String),
    #[error("{0} uses backup format {1}, which this version cannot read")]
    Format(PathBuf, u32),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
}

/// Adds the path to an I/O error.
trait AtPath<T> {
    fn at(self, path: &Path) -> Result<T, BackupError>;
}

impl<T> AtPath<T> for std::io::Result<T> {
    fn at(self, path: &Path) -> Result<T, BackupError> {
        self.map_err(|source| BackupError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// How far a running backup, restore or check has come, in files; shared with the status page.
#[derive(Debug, Default)]
pub struct Progress {
    pub done: AtomicU64,
    pub total: AtomicU64,
}

impl Progress {
    pub fn start(&self, total: u64) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }

    fn step(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// Returns (done, total).
    pub fn get(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// The result of a finished backup.
#[derive(Clone, Debug)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub objects: usize,
    /// Bytes of the database snapshot plus all files.
    pub bytes: u64,
}

/// Writes a backup of the database and of every file it refers to into a new directory under
/// `backups_dir` and returns it. Files are read through `storage` and checked against their
/// SHA-256, so a damaged store fails the backup instead of being copied.
pub async fn create(
    db: &Db,
    storage: &dyn BlobStore,
    backups_dir: &Path,
    now: UtcMillis,
    progress: &Progress,
) -> Result<BackupSummary, BackupError> {
    if db.backend != Backend::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    fs::create_dir_all(backups_dir).await.at(backups_dir)?;
    remove_partials(backups_dir).await?;
    let name = backup_name(backups_dir, now).await;
    let partial = backups_dir.join(format!(".{name}.partial"));
    fs::create_dir_all(&partial).await.at(&partial)?;
    let result = fill_backup(db, storage, &partial, now, progress).await;
    let summary = match result {
        Ok(summary) => summary,
        Err(error) => {
            let _ = fs::remove_dir_all(&partial).await;
            return Err(error);
        }
    };
    let path = backups_dir.join(&name);
    fs::rename(&partial, &path).await.at(&path)?;
    sync_dir(backups_dir).await?;
    Ok(BackupSummary { path, ..summary })
}

async fn fill_backup(
    db: &Db,
    storage: &dyn BlobStore,
    partial: &Path,
    now: UtcMillis,
    progress: &Progress,
) -> Result<BackupSummary, BackupError> {
    let snapshot = partial.join(DATABASE);
    let snapshot_text = snapshot
        .to_str()
        .ok_or_else(|| BackupError::Io {
            path: snapshot.clone(),
            source: std::io::Error::other("the backup path is not UTF-8"),
        })?
        .to_owned();
    sqlx::query("VACUUM INTO $1")
        .bind(&snapshot_text)
        .execute(&db.pool)
        .await?;
    let objects = check_snapshot(&snapshot).await?;
    let database = hash_file(&snapshot).await?;
    sync_file(&snapshot).await?;

    progress.start(objects.len() as u64);
    let target = LocalStore::open(partial.join("files"))
        .await
        .at(&partial.join("files"))?;
    let mut bytes = database.bytes;
    for object in &objects {
        let path = target.object_path(&object.sha256).at(partial)?;
        copy_object(storage, object, &path).await?;
        bytes += object.bytes;
        progress.step();
    }
    sync_object_dirs(&partial.join("files"), &objects).await?;
    // The store's temporary directory is not part of a backup.
    let _ = fs::remove_dir(partial.join("files").join("tmp")).await;

    let manifest = Manifest {
        format: FORMAT,
        created_at: now.0,
        database,
        objects: objects.clone(),
    };
    let manifest_path = partial.join(MANIFEST);
    let text = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other);
    write_durably(&manifest_path, &text.at(&manifest_path)?).await?;
    sync_dir(partial).await?;
    Ok(BackupSummary {
        path: partial.to_path_buf(),
        objects: objects.len(),
        bytes,
    })
}

/// Opens a database snapshot alone, switches it out of WAL mode so that it is one
/// self-contained file, runs `integrity_check`, and returns the files it refers to.
async fn check_snapshot(path: &Path) -> Result<Vec<ManifestEntry>, BackupError> {
    let pool = open_sqlite(path).await?;
    let result = async {
        sqlx::query("PRAGMA journal_mode = DELETE")
            .execute(&pool)
            .await?;
        integrity_check(&pool).await?;
        referenced_objects(&pool).await
    }
    .await;
    pool.close().await;
    result
}

/// Opens one SQLite file with a single connection and no other settings.
async fn open_sqlite(path: &Path) -> Result<AnyPool, BackupError> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=rw", path.display());
    Ok(AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await?)
}

async fn integrity_check(pool: &AnyPool) -> Result<(), BackupError> {
    let rows = sqlx::query("PRAGMA integrity_check")
        .fetch_all(pool)
        .await?;
    let messages: Vec<String> = rows
        .iter()
        .map(|row| row.try_get::<String, _>(0))
        .collect::<Result<_, _>>()?;
    if messages.len() == 1 && messages[0] == "ok" {
        Ok(())
    } else {
        Err(BackupError::Integrity(messages.join("; ")))
    }
}

/// Returns every distinct stored file the database refers to, sorted by SHA-256.
async fn referenced_objects(pool: &AnyPool) -> Result<Vec<ManifestEntry>, BackupError> {
    let rows = sqlx::query(
        "SELECT sha256, MAX(byte_size) AS bytes FROM stored_files GROUP BY sha256 ORDER BY sha256",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ManifestEntry {
                sha256: row.try_get("sha256")?,
                bytes: u64::try_from(row.try_get::<i64, _>("bytes")?).unwrap_or(0),
            })
        })
        .collect()
}

/// Copies one stored object to `path`, checking its SHA-256 and size, and syncs it.
async fn copy_object(
    storage: &dyn BlobStore,
    object: &ManifestEntry,
    path: &Path,
) -> Result<(), BackupError> {
    let missing = || BackupError::Missing {
        sha256: object.sha256.clone(),
    };
    let mut body = match storage.open(&object.sha256, None).await {
        Ok(body) => body,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(error) => return Err(error).at(path),
    };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).await.at(parent)?;
    }
    let mut file = fs::File::create(path).await.at(path)?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = body.stream.next().await {
        let chunk = chunk.at(path)?;
        hasher.update(&chunk);
        size += chunk.len() as u64;
        file.write_all(&chunk).await.at(path)?;
    }
    file.sync_all().await.at(path)?;
    if hex::encode(hasher.finalize()) != object.sha256 || size != object.bytes {
        return Err(BackupError::Corrupt {
            sha256: object.sha256.clone(),
        });
    }
    Ok(())
}

/// Restores the backup in `backup` into `data_dir`, which must be missing or empty apart from
/// `secrets` and `backups`. Every file is checked
/// against the manifest; the database is moved into place last, so an interrupted restore
/// leaves no database behind.
pub async fn restore(
    backup: &Path,
    data_dir: &Path,
    progress: &Progress,
) -> Result<Manifest, BackupError> {
    let manifest = read_manifest(backup).await?;
    ensure_empty(data_dir).await?;
    fs::create_dir_all(data_dir).await.at(data_dir)?;

    progress.start(manifest.objects.len() as u64);
    let store = LocalStore::open(data_dir.join("files"))
        .await
        .at(&data_dir.join("files"))?;
    let source = LocalStore::open_existing(backup.join("files"));
    for object in &manifest.objects {
        let from = source.object_path(&object.sha256).at(backup)?;
        let to = store.object_path(&object.sha256).at(data_dir)?;
        copy_checked(&from, &to, object).await?;
        progress.step();
    }
    sync_object_dirs(&data_dir.join("files"), &manifest.objects).await?;

    let temporary = data_dir.join(format!(".{DATABASE}.restoring"));
    copy_checked(&backup.join(DATABASE), &temporary, &manifest.database).await?;
    let target = data_dir.join(DATABASE);
    fs::rename(&temporary, &target).await.at(&target)?;
    sync_dir(data_dir).await?;
    Ok(manifest)
}

/// Fails unless `data_dir` is missing or contains nothing but the `secrets` directory with the
/// national ID key and the default `backups` directory.
async fn ensure_empty(data_dir: &Path) -> Result<(), BackupError> {
    let mut entries = match fs::read_dir(data_dir).await {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error).at(data_dir),
    };
    while let Some(entry) = entries.next_entry().await.at(data_dir)? {
        if entry.file_name() != "secrets" && entry.file_name() != "backups" {
            return Err(BackupError::NotEmpty(data_dir.to_path_buf()));
        }
    }
    Ok(())
}

/// Copies a file of a backup to `to`, checking it against its manifest entry, and syncs it.
async fn copy_checked(from: &Path, to: &Path, entry: &ManifestEntry) -> Result<(), BackupError> {
    let damaged = || BackupError::DamagedBackup {
        path: from.to_path_buf(),
    };
    let mut source = match fs::File::open(from).await {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(damaged()),
        Err(error) => return Err(error).at(from),
    };
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).await.at(parent)?;
    }
    let mut target = fs::File::create(to).await.at(to)?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let read = source.read(&mut buffer).await.at(from)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
        target.write_all(&buffer[..read]).await.at(to)?;
    }
    target.sync_all().await.at(to)?;
    if hex::encode(hasher.finalize()) != entry.sha256 || size != entry.bytes {
        drop(target);
        let _ = fs::remove_file(to).await;
        return Err(damaged());
    }
    Ok(())
}

/// Reads and checks the manifest of a backup directory.
pub async fn read_manifest(backup: &Path) -> Result<Manifest, BackupError> {
    let path = backup.join(MANIFEST);
    let text = fs::read(&path)
        .await
        .map_err(|error| BackupError::NoManifest(backup.to_path_buf(), error.to_string()))?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|error| BackupError::NoManifest(backup.to_path_buf(), error.to_string()))?;
    if manifest.format != FORMAT {
        return Err(BackupError::Format(backup.to_path_buf(), manifest.format));
    }
    Ok(manifest)
}

/// A stored file that failed a check, with the rows that refer to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DamagedFile {
    pub sha256: String,
    pub bytes: u64,
    /// Ids of the `stored_files` rows with this content.
    pub file_ids: Vec<i64>,
}

/// The result of checking every stored file against its recorded SHA-256.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// How many distinct files were checked.
    pub checked: usize,
    pub missing: Vec<DamagedFile>,
    pub corrupt: Vec<DamagedFile>,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.corrupt.is_empty()
    }
}

/// Reads every file the database refers to and compares its SHA-256 and size with the record.
pub async fn verify(
    pool: &AnyPool,
    storage: &dyn BlobStore,
    progress: &Progress,
) -> Result<VerifyReport, BackupError> {
    let rows = sqlx::query("SELECT id, sha256, byte_size FROM stored_files ORDER BY sha256, id")
        .fetch_all(pool)
        .await?;
    let mut files: Vec<DamagedFile> = Vec::new();
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let sha256: String = row.try_get("sha256")?;
        let bytes = u64::try_from(row.try_get::<i64, _>("byte_size")?).unwrap_or(0);
        match files.last_mut() {
            Some(last) if last.sha256 == sha256 => last.file_ids.push(id),
            _ => files.push(DamagedFile {
                sha256,
                bytes,
                file_ids: vec![id],
            }),
        }
    }
    progress.start(files.len() as u64);
    let mut report = VerifyReport {
        checked: files.len(),
        ..VerifyReport::default()
    };
    for file in files {
        match check_object(storage, &file.sha256, file.bytes).await {
            ObjectState::Sound => {}
            ObjectState::Missing => report.missing.push(file),
            ObjectState::Corrupt => report.corrupt.push(file),
        }
        progress.step();
    }
    Ok(report)
}

enum ObjectState {
    Sound,
    Missing,
    Corrupt,
}

async fn check_object(storage: &dyn BlobStore, sha256: &str, bytes: u64) -> ObjectState {
    let mut body = match storage.open(sha256, None).await {
        Ok(body) => body,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return ObjectState::Missing,
        Err(error) => {
            tracing::warn!(%error, sha256, "cannot open a stored file");
            return ObjectState::Corrupt;
        }
    };
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = body.stream.next().await {
        match chunk {
            Ok(chunk) => {
                hasher.update(&chunk);
                size += chunk.len() as u64;
            }
            Err(error) => {
                tracing::warn!(%error, sha256, "cannot read a stored file");
                return ObjectState::Corrupt;
            }
        }
    }
    if size == bytes && hex::encode(hasher.finalize()) == sha256 {
        ObjectState::Sound
    } else {
        ObjectState::Corrupt
    }
}

/// The result of a restore drill.
#[derive(Clone, Debug)]
pub struct DrillSummary {
    pub backup: PathBuf,
    pub objects: usize,
}

/// Restores `backup` into a fresh scratch directory under `scratch_parent`, checks the
/// restored database with `integrity_check` and every restored file by hash, and deletes the
/// scratch directory again.
pub async fn drill(
    backup: &Path,
    scratch_parent: &Path,
    progress: &Progress,
) -> Result<DrillSummary, BackupError> {
    let scratch = scratch_parent.join(format!(".drill-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch).await;
    let result = async {
        let manifest = restore(backup, &scratch, progress).await?;
        let pool = open_sqlite(&scratch.join(DATABASE)).await?;
        let checked = async {
            integrity_check(&pool).await?;
            let store = LocalStore::open_existing(scratch.join("files"));
            let report = verify(&pool, &store, progress).await?;
            if let Some(file) = report.missing.first() {
                return Err(BackupError::Missing {
                    sha256: file.sha256.clone(),
                });
            }
            if let Some(file) = report.corrupt.first() {
                return Err(BackupError::Corrupt {
                    sha256: file.sha256.clone(),
                });
            }
            Ok(report.checked)
        }
        .await;
        pool.close().await;
        let checked = checked?;
        debug_assert_eq!(checked, manifest.objects.len());
        Ok(DrillSummary {
            backup: backup.to_path_buf(),
            objects: checked,
        })
    }
    .await;
    let _ = fs::remove_dir_all(&scratch).await;
    result
}

/// Returns the complete backups under `backups_dir`, oldest first.
pub async fn list(backups_dir: &Path) -> Result<Vec<PathBuf>, BackupError> {
    let mut entries = match fs::read_dir(backups_dir).await {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error).at(backups_dir),
    };
    let mut backups = Vec::new();
    while let Some(entry) = entries.next_entry().await.at(backups_dir)? {
        let name = entry.file_name();
        let is_backup = name
            .to_str()
            .is_some_and(|name| name.starts_with("backup-"));
        if is_backup
            && fs::try_exists(entry.path().join(MANIFEST))
                .await
                .unwrap_or(false)
        {
            backups.push(entry.path());
        }
    }
    backups.sort();
    Ok(backups)
}

/// Deletes the oldest complete backups so that at most `keep` remain; returns how many went.
pub async fn prune(backups_dir: &Path, keep: usize) -> Result<usize, BackupError> {
    let backups = list(backups_dir).await?;
    let surplus = backups.len().saturating_sub(keep);
    for path in &backups[..surplus] {
        fs::remove_dir_all(path).await.at(path)?;
    }
    Ok(surplus)
}

/// Deletes `.partial` directories that an interrupted backup left. Only those older than a
/// day go, because another process (`licheng backup` beside the server) may be writing one.
async fn remove_partials(backups_dir: &Path) -> Result<(), BackupError> {
    let day = std::time::Duration::from_secs(24 * 3600);
    let mut entries = fs::read_dir(backups_dir).await.at(backups_dir)?;
    while let Some(entry) = entries.next_entry().await.at(backups_dir)? {
        let name = entry.file_name();
        let old = entry
            .metadata()
            .await
            .ok()
            .and_then(|metadata| metadata.modified().ok())
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > day);
        if old && name.to_str().is_some_and(|name| name.ends_with(".partial")) {
            let path = entry.path();
            tracing::info!(path = %path.display(), "deleting an interrupted backup");
            fs::remove_dir_all(&path).await.at(&path)?;
        }
    }
    Ok(())
}

/// Returns a new directory name such as `backup-20261205T030000` (Taiwan time), with a
/// suffix when a backup of that second exists.
async fn backup_name(backups_dir: &Path, now: UtcMillis) -> String {
    let zoned = now
        .to_timestamp()
        .to_zoned_datetime(crate::domain::calendar::taipei().clone());
    let base = format!("backup-{}", zoned.strftime("%Y%m%dT%H%M%S"));
    let mut name = base.clone();
    let mut suffix = 2;
    while fs::try_exists(backups_dir.join(&name))
        .await
        .unwrap_or(false)
    {
        name = format!("{base}-{suffix}");
        suffix += 1;
    }
    name
}

async fn hash_file(path: &Path) -> Result<ManifestEntry, BackupError> {
    let mut file = fs::File::open(path).await.at(path)?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let read = file.read(&mut buffer).await.at(path)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    Ok(ManifestEntry {
        sha256: hex::encode(hasher.finalize()),
        bytes: size,
    })
}

async fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    let mut file = fs::File::create(path).await.at(path)?;
    file.write_all(bytes).await.at(path)?;
    file.sync_all().await.at(path)
}

async fn sync_file(path: &Path) -> Result<(), BackupError> {
    fs::File::open(path)
        .await
        .at(path)?
        .sync_all()
        .await
        .at(path)
}

async fn sync_dir(path: &Path) -> Result<(), BackupError> {
    sync_file(path).await
}

/// Syncs the directories that new objects were written into, so their names are durable.
async fn sync_object_dirs(files: &Path, objects: &[ManifestEntry]) -> Result<(), BackupError> {
    let mut prefixes: Vec<&str> = objects.iter().map(|object| &object.sha256[..2]).collect();
    prefixes.dedup();
    for prefix in prefixes {
        sync_dir(&files.join("objects").join(prefix)).await?;
    }
    sync_dir(&files.join("objects")).await?;
    sync_dir(files).await
}
