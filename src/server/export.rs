//! The export package of a batch for the central database: the course-outcome roster (名冊
//! 26) as .xlsx, each row's files named after the row, and a manifest of SHA-256 sums, in one
//! ZIP file.
//!
//! The package is a function of the batch alone: entry order, names, timestamps (the batch's
//! creation time) and workbook properties are fixed, so building it again gives the same
//! bytes. It is written to a temporary file, made durable, and renamed into place.

use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::StreamExt;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use crate::domain::calendar::{ROC_YEAR_OFFSET, UtcMillis, taipei};
use crate::domain::files::FileKind;
use crate::domain::views::SubmissionBatch;
use crate::server::crypto::NationalIdCipher;
use crate::server::db::submissions::{RosterFile, RosterRow};
use crate::server::storage::BlobStore;

/// The roster's column headings, in order.
pub const ROSTER_HEADINGS: [&str; 14] = [
    "序號",
    "身分證號",
    "出生日期",
    "學年度",
    "學期",
    "科目名稱",
    "學分數",
    "授課教師",
    "認證教師",
    "認證日期",
    "內容簡述",
    "文件檔名",
    "影音檔名",
    "學號",
];

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("row {row} (學號 {student_no}) lacks a national ID or birth date")]
    MissingIdentity { row: i64, student_no: String },
    #[error("row {row}: national ID cannot be decrypted: {source}")]
    Decrypt {
        row: i64,
        source: crate::server::crypto::CryptoError,
    },
    #[error("stored file {sha256} does not match its recorded hash")]
    Corrupt { sha256: String },
    #[error("workbook: {0}")]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Returns the base name of the batch's files: `{school code}_{school year}_{semester}_{roster}_{time}`,
/// with semester 0 for a whole school year and the time in Taiwan as `yyyyMMddHHmmss`.
pub fn package_stem(school_code: &str, batch: &SubmissionBatch) -> String {
    let zoned = batch
        .created_at
        .to_timestamp()
        .to_zoned_datetime(taipei().clone());
    format!(
        "{school_code}_{}_0_{}_{:04}{:02}{:02}{:02}{:02}{:02}",
        batch.school_year.0,
        batch.roster_no,
        zoned.year(),
        zoned.month(),
        zoned.day(),
        zoned.hour(),
        zoned.minute(),
        zoned.second()
    )
}

/// Formats a birth date 'YYYY-MM-DD' as the 7-digit ROC form of the rosters: 0950116.
pub fn roc_birth_date(iso: &str) -> Option<String> {
    let date: jiff::civil::Date = iso.parse().ok()?;
    Some(format!(
        "{:03}{:02}{:02}",
        i32::from(date.year()) - i32::from(ROC_YEAR_OFFSET),
        date.month(),
        date.day()
    ))
}

/// Returns the package file name of a row's file, such as `files/00012_document.pdf`.
pub fn row_file_name(row: i64, slot: &str, file: &RosterFile) -> String {
    let extension = match FileKind::from_media_type(&file.media_type) {
        Some(FileKind::Pdf) => "pdf",
        Some(FileKind::Jpeg) => "jpg",
        Some(FileKind::Png) => "png",
        Some(FileKind::Mp3) => "mp3",
        Some(FileKind::Mp4) => "mp4",
        None => "bin",
    };
    format!("files/{row:05}_{slot}.{extension}")
}

/// Builds the roster workbook in memory.
fn roster_workbook(
    rows: &[RosterRow],
    cipher: &NationalIdCipher,
    created_at: UtcMillis,
) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    // The document properties store the creation time as UTC (with a Z), so it is given in UTC.
    let zoned = created_at
        .to_timestamp()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC);
    let created =
        ExcelDateTime::from_ymd(zoned.year() as u16, zoned.month() as u8, zoned.day() as u8)?
            .and_hms(
                zoned.hour() as u16,
                zoned.minute() as u8,
                zoned.second() as f64,
            )?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title("課程學習成果名冊")
            .set_creation_datetime(&created),
    );
    let sheet = workbook.add_worksheet();
    sheet.set_name("名冊26")?;
    let text = Format::new().set_num_format("@");
    for (column, heading) in ROSTER_HEADINGS.iter().enumerate() {
        sheet.write_string(0, column as u16, *heading)?;
    }
    for (index, row) in rows.iter().enumerate() {
        let line = index as u32 + 1;
        let (Some(encrypted), Some(birth)) = (
            &row.national_id_enc,
            row.birth_date.as_deref().and_then(roc_birth_date),
        ) else {
            return Err(ExportError::MissingIdentity {
                row: row.row_no,
                student_no: row.student_no.clone(),
            });
        };
        let national_id = cipher
            .decrypt(encrypted)
            .map_err(|source| ExportError::Decrypt {
                row: row.row_no,
                source,
            })?;
        let cells: [String; 14] = [
            row.row_no.to_string(),
            national_id.expose().to_owned(),
            birth,
            row.semester.school_year.0.to_string(),
            row.semester.semester.number().to_string(),
            row.subject.clone(),
            row.credits.to_string(),
            row.course_teacher.clone(),
            row.certifier.clone().unwrap_or_default(),
            row.certified_at
                .map(|at| at.to_roc_date())
                .unwrap_or_default(),
            row.summary.clone(),
            row.document
                .as_ref()
                .map(|file| row_file_name(row.row_no, "document", file))
                .unwrap_or_default(),
            row.media
                .as_ref()
                .map(|file| row_file_name(row.row_no, "media", file))
                .unwrap_or_default(),
            row.student_no.clone(),
        ];
        for (column, value) in cells.iter().enumerate() {
            // Text format keeps leading zeros (出生日期 0950116) and long digit strings.
            sheet.write_string_with_format(line, column as u16, value, &text)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// Builds the package of a batch into `target`, replacing it atomically.
pub async fn write_package(
    target: &Path,
    stem: &str,
    batch: &SubmissionBatch,
    rows: &[RosterRow],
    cipher: &NationalIdCipher,
    storage: Arc<dyn BlobStore>,
) -> Result<(), ExportError> {
    let workbook = roster_workbook(rows, cipher, batch.created_at)?;
    let directory = target
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    tokio::fs::create_dir_all(&directory).await?;
    let temporary = directory.join(format!(".{stem}.{}.part", std::process::id()));
    // Writing the ZIP is blocking file work, so it runs on the blocking pool and reads the
    // stored files through the runtime handle.
    let result = {
        let (temporary, stem, batch, rows) = (
            temporary.clone(),
            stem.to_owned(),
            batch.clone(),
            rows.to_vec(),
        );
        tokio::task::spawn_blocking(move || {
            let handle = tokio::runtime::Handle::current();
            build_zip(
                &temporary,
                &stem,
                &batch,
                &rows,
                workbook,
                storage.as_ref(),
                &handle,
            )
        })
        .await
        .map_err(io::Error::other)?
    };
    if let Err(error) = result {
        let _ = tokio::fs::remove_file(&temporary).await;
        return Err(error);
    }
    tokio::fs::rename(&temporary, target).await?;
    let directory_for_sync = directory.clone();
    tokio::task::spawn_blocking(move || std::fs::File::open(&directory_for_sync)?.sync_all())
        .await
        .map_err(io::Error::other)??;
    Ok(())
}

fn build_zip(
    path: &Path,
    stem: &str,
    batch: &SubmissionBatch,
    rows: &[RosterRow],
    workbook: Vec<u8>,
    storage: &dyn BlobStore,
    handle: &tokio::runtime::Handle,
) -> Result<(), ExportError> {
    let zoned = batch
        .created_at
        .to_timestamp()
        .to_zoned_datetime(taipei().clone());
    let modified = zip::DateTime::from_date_and_time(
        zoned.year() as u16,
        zoned.month() as u8,
        zoned.day() as u8,
        zoned.hour() as u8,
        zoned.minute() as u8,
        zoned.second() as u8,
    )
    .unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(modified)
        .unix_permissions(0o644);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    let mut zip = zip::ZipWriter::new(file);
    let mut manifest = String::from("path,sha256,bytes\n");

    let workbook_name = format!("{stem}.xlsx");
    zip.start_file(workbook_name.as_str(), options)?;
    zip.write_all(&workbook)?;
    manifest.push_str(&format!(
        "{workbook_name},{},{}\n",
        hex::encode(Sha256::digest(&workbook)),
        workbook.len()
    ));

    for row in rows {
        for (slot, file) in [("document", &row.document), ("media", &row.media)] {
            let Some(file) = file else { continue };
            let name = row_file_name(row.row_no, slot, file);
            zip.start_file(name.as_str(), options)?;
            copy_verified(storage, file, &mut zip, handle)?;
            manifest.push_str(&format!("{name},{},{}\n", file.sha256, file.byte_size));
        }
    }
    zip.start_file("manifest.csv", options)?;
    zip.write_all(manifest.as_bytes())?;
    let mut file = zip.finish()?;
    file.flush()?;
    file.seek(io::SeekFrom::Start(0))?;
    file.sync_all()?;
    Ok(())
}

/// Copies a stored file into the package while checking its SHA-256 against the record.
fn copy_verified(
    storage: &dyn BlobStore,
    file: &RosterFile,
    out: &mut impl Write,
    handle: &tokio::runtime::Handle,
) -> Result<(), ExportError> {
    let mut body = handle.block_on(storage.open(&file.sha256, None))?;
    let mut hasher = Sha256::new();
    while let Some(chunk) = handle.block_on(body.stream.next()) {
        let chunk = chunk?;
        hasher.update(&chunk);
        out.write_all(&chunk)?;
    }
    if hex::encode(hasher.finalize()) != file.sha256 {
        return Err(ExportError::Corrupt {
            sha256: file.sha256.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_date_in_roc_digits() {
        assert_eq!(roc_birth_date("2006-01-16").as_deref(), Some("0950116"));
        assert_eq!(roc_birth_date("2011-12-31").as_deref(), Some("1001231"));
        assert_eq!(roc_birth_date("not a date"), None);
    }

    #[test]
    fn file_names_follow_rows() {
        let file = RosterFile {
            sha256: "a".repeat(64),
            byte_size: 3,
            media_type: "application/pdf".into(),
        };
        assert_eq!(
            row_file_name(12, "document", &file),
            "files/00012_document.pdf"
        );
    }
}
