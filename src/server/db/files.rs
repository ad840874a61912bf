//! Rows of uploaded files. The bytes are in the content-addressed store.

use sqlx::{AnyPool, Row};

use super::Tx;
use crate::domain::calendar::UtcMillis;
use crate::domain::files::FileKind;
use crate::domain::ids::{FileId, SchoolId, UserId};
use crate::domain::views::FileInfo;

/// A stored file as the download route needs it.
#[derive(Clone, Debug)]
pub struct FileRow {
    pub id: FileId,
    pub sha256: String,
    pub byte_size: u64,
    pub media_type: String,
    pub original_name: String,
}

pub struct NewFile<'a> {
    pub sha256: &'a str,
    pub byte_size: u64,
    pub kind: FileKind,
    pub original_name: &'a str,
    pub uploaded_by: UserId,
}

pub async fn insert(
    tx: &mut Tx,
    school: SchoolId,
    new: &NewFile<'_>,
    now: UtcMillis,
) -> Result<FileId, sqlx::Error> {
    let byte_size =
        i64::try_from(new.byte_size).map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO stored_files (school_id, sha256, byte_size, media_type, original_name, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(school.0)
    .bind(new.sha256)
    .bind(byte_size)
    .bind(new.kind.media_type())
    .bind(new.original_name)
    .bind(new.uploaded_by.0)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(FileId(id))
}

/// Returns the file if `user` may read it: its uploader, or for an outcome that was submitted
/// with it, the course teacher, a delegate of the course on `day` ('YYYY-MM-DD' in Taiwan), or
/// the 導師 of the student's homeroom. Drafts stay invisible to everyone but the uploader.
pub async fn find_readable(
    pool: &AnyPool,
    school: SchoolId,
    user: UserId,
    file: FileId,
    day: &str,
) -> Result<Option<FileRow>, sqlx::Error> {
    let certifies = super::outcomes::certifies_course(3, 4);
    let row = sqlx::query(&format!(
        "SELECT f.id, f.sha256, f.byte_size, f.media_type, f.original_name FROM stored_files f \
         WHERE f.id = $1 AND f.school_id = $2 AND ( \
           f.uploaded_by = $3 \
           OR EXISTS ( \
             SELECT 1 FROM outcome_reviews r \
             JOIN course_outcomes o ON o.id = r.outcome_id AND o.school_id = r.school_id \
             JOIN courses c ON c.id = o.course_id AND c.school_id = o.school_id \
             WHERE r.school_id = $2 \
               AND (r.document_file_id = f.id OR r.media_file_id = f.id) \
               AND ({certifies} OR EXISTS ( \
                 SELECT 1 FROM homeroom_members m \
                 JOIN homerooms h ON h.id = m.homeroom_id AND h.school_id = m.school_id \
                 WHERE m.student_id = o.student_id AND m.school_id = $2 \
                   AND h.homeroom_teacher_id = $3))))"
    ))
    .bind(file.0)
    .bind(school.0)
    .bind(user.0)
    .bind(day)
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        Ok(FileRow {
            id: FileId(row.try_get("id")?),
            sha256: row.try_get("sha256")?,
            byte_size: u64::try_from(row.try_get::<i64, _>("byte_size")?).unwrap_or(0),
            media_type: row.try_get("media_type")?,
            original_name: row.try_get("original_name")?,
        })
    })
    .transpose()
}

/// Builds a [`FileInfo`] from the `{prefix}_id`, `{prefix}_name`, `{prefix}_size` and
/// `{prefix}_type` columns of a joined row; `None` when the id is NULL.
pub(crate) fn file_info(
    row: &sqlx::any::AnyRow,
    prefix: &str,
) -> Result<Option<FileInfo>, sqlx::Error> {
    let id: Option<i64> = row.try_get(format!("{prefix}_id").as_str())?;
    let Some(id) = id else { return Ok(None) };
    let media_type: String = row.try_get(format!("{prefix}_type").as_str())?;
    let kind = FileKind::from_media_type(&media_type).ok_or_else(|| {
        sqlx::Error::Decode(format!("unknown media type {media_type:?} of file {id}").into())
    })?;
    Ok(Some(FileInfo {
        id: FileId(id),
        name: row.try_get(format!("{prefix}_name").as_str())?,
        size: u64::try_from(row.try_get::<i64, _>(format!("{prefix}_size").as_str())?).unwrap_or(0),
        kind,
    }))
}

/// The columns [`file_info`] reads, for file aliases `doc` and `med` joined as `df` and `mf`.
pub(crate) const FILE_COLUMNS: &str = "df.id AS doc_id, df.original_name AS doc_name, df.byte_size AS doc_size, \
     df.media_type AS doc_type, mf.id AS med_id, mf.original_name AS med_name, mf.byte_size AS med_size, \
     mf.media_type AS med_type";
