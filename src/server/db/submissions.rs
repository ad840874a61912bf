//! Batches of ticked outcomes sent to the central database (提交中央資料庫).

use sqlx::{AnyPool, Row};

use super::Tx;
use super::schools::semester_code;
use crate::domain::calendar::{SchoolYear, SemesterCode, UtcMillis};
use crate::domain::ids::{SchoolId, UserId};
use crate::domain::views::{SubmissionBatch, SubmissionRecord};

/// 名冊別 of the course-outcome roster.
pub const COURSE_OUTCOME_ROSTER: i64 = 26;

fn year(value: i64) -> Result<SchoolYear, sqlx::Error> {
    Ok(SchoolYear(
        i16::try_from(value).map_err(|error| sqlx::Error::Decode(Box::new(error)))?,
    ))
}

fn batch_from_row(row: &sqlx::any::AnyRow) -> Result<SubmissionBatch, sqlx::Error> {
    Ok(SubmissionBatch {
        id: row.try_get("id")?,
        school_year: year(row.try_get("school_year")?)?,
        roster_no: row.try_get("roster_no")?,
        created_at: UtcMillis(row.try_get("created_at")?),
        created_by: row.try_get("created_by")?,
        row_count: row.try_get("row_count")?,
    })
}

const BATCH_COLUMNS: &str =
    "b.id, y.school_year, b.roster_no, b.created_at, u.display_name AS created_by, b.row_count";
const BATCH_FROM: &str = "FROM central_submissions b JOIN school_years y ON y.id = b.school_year_id JOIN users u ON u.id = b.created_by";

/// Lists the school's batches, newest first.
pub async fn list(pool: &AnyPool, school: SchoolId) -> Result<Vec<SubmissionBatch>, sqlx::Error> {
    let sql = format!(
        "SELECT {BATCH_COLUMNS} {BATCH_FROM} WHERE b.school_id = $1 ORDER BY b.created_at DESC, b.id DESC"
    );
    let rows = sqlx::query(&sql).bind(school.0).fetch_all(pool).await?;
    rows.iter().map(batch_from_row).collect()
}

pub async fn find(
    executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
    school: SchoolId,
    batch: i64,
) -> Result<Option<SubmissionBatch>, sqlx::Error> {
    let sql = format!("SELECT {BATCH_COLUMNS} {BATCH_FROM} WHERE b.id = $1 AND b.school_id = $2");
    let row = sqlx::query(&sql)
        .bind(batch)
        .bind(school.0)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(batch_from_row).transpose()
}

/// Returns whether the school year's course-outcome roster was closed into a batch.
pub async fn year_submitted(
    executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
    school: SchoolId,
    school_year_id: i64,
) -> Result<bool, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM central_submissions WHERE school_id = $1 AND school_year_id = $2 AND roster_no = $3",
    )
    .bind(school.0)
    .bind(school_year_id)
    .bind(COURSE_OUTCOME_ROSTER)
    .fetch_one(executor)
    .await?;
    Ok(count > 0)
}

/// Counts the ticked outcomes of a school year.
pub async fn selected_in_year(
    pool: &AnyPool,
    school: SchoolId,
    school_year_id: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM selections WHERE school_id = $1 AND school_year_id = $2",
    )
    .bind(school.0)
    .bind(school_year_id)
    .fetch_one(pool)
    .await
}

/// Closes the school year's ticked outcomes into a batch, in roster order (學號, semester,
/// subject, outcome), with each outcome's published round and files. Returns the batch id.
pub async fn close_year(
    tx: &mut Tx,
    school: SchoolId,
    school_year_id: i64,
    by: UserId,
    now: UtcMillis,
) -> Result<i64, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM selections WHERE school_id = $1 AND school_year_id = $2",
    )
    .bind(school.0)
    .bind(school_year_id)
    .fetch_one(&mut **tx)
    .await?;
    let batch: i64 = sqlx::query_scalar(
        "INSERT INTO central_submissions (school_id, school_year_id, roster_no, created_by, created_at, row_count) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(school.0)
    .bind(school_year_id)
    .bind(COURSE_OUTCOME_ROSTER)
    .bind(by.0)
    .bind(now.0)
    .bind(count)
    .fetch_one(&mut **tx)
    .await?;
    let rows = sqlx::query(
        "SELECT x.outcome_id, x.student_id, o.current_review_id, r.document_file_id, r.media_file_id \
         FROM selections x \
         JOIN course_outcomes o ON o.id = x.outcome_id \
         JOIN outcome_reviews r ON r.id = o.current_review_id \
         JOIN students st ON st.user_id = x.student_id \
         JOIN courses c ON c.id = o.course_id \
         JOIN semesters s ON s.id = c.semester_id \
         JOIN subjects sub ON sub.id = c.subject_id \
         WHERE x.school_id = $1 AND x.school_year_id = $2 \
         ORDER BY st.student_no, s.semester, sub.name, x.outcome_id",
    )
    .bind(school.0)
    .bind(school_year_id)
    .fetch_all(&mut **tx)
    .await?;
    for (index, row) in rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO central_submission_rows (submission_id, row_no, school_id, student_id, outcome_id, review_id, \
                                                  document_file_id, media_file_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(batch)
        .bind(index as i64 + 1)
        .bind(school.0)
        .bind(row.try_get::<i64, _>("student_id")?)
        .bind(row.try_get::<i64, _>("outcome_id")?)
        .bind(row.try_get::<i64, _>("current_review_id")?)
        .bind(row.try_get::<Option<i64>, _>("document_file_id")?)
        .bind(row.try_get::<Option<i64>, _>("media_file_id")?)
        .execute(&mut **tx)
        .await?;
    }
    Ok(batch)
}

/// A row of the course-outcome roster with what the package needs.
#[derive(Clone, Debug)]
pub struct RosterRow {
    pub row_no: i64,
    pub student_no: String,
    pub national_id_enc: Option<String>,
    pub birth_date: Option<String>,
    pub semester: SemesterCode,
    pub subject: String,
    pub credits: i64,
    pub course_teacher: String,
    pub certifier: Option<String>,
    pub certified_at: Option<UtcMillis>,
    pub summary: String,
    pub document: Option<RosterFile>,
    pub media: Option<RosterFile>,
}

/// A file of a roster row.
#[derive(Clone, Debug)]
pub struct RosterFile {
    pub sha256: String,
    pub byte_size: u64,
    pub media_type: String,
}

pub async fn roster_rows(
    pool: &AnyPool,
    school: SchoolId,
    batch: i64,
) -> Result<Vec<RosterRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT b.row_no, st.student_no, st.national_id_enc, st.birth_date, s.school_year, s.semester, \
                sub.name AS subject, c.credits, t.display_name AS course_teacher, cu.display_name AS certifier, \
                r.published_at, r.summary, \
                df.sha256 AS doc_sha, df.byte_size AS doc_size, df.media_type AS doc_type, \
                mf.sha256 AS med_sha, mf.byte_size AS med_size, mf.media_type AS med_type \
         FROM central_submission_rows b \
         JOIN students st ON st.user_id = b.student_id \
         JOIN course_outcomes o ON o.id = b.outcome_id \
         JOIN outcome_reviews r ON r.id = b.review_id \
         JOIN courses c ON c.id = o.course_id \
         JOIN semesters s ON s.id = c.semester_id \
         JOIN subjects sub ON sub.id = c.subject_id \
         JOIN users t ON t.id = c.teacher_id \
         LEFT JOIN users cu ON cu.id = r.certifier_id \
         LEFT JOIN stored_files df ON df.id = b.document_file_id \
         LEFT JOIN stored_files mf ON mf.id = b.media_file_id \
         WHERE b.submission_id = $1 AND b.school_id = $2 ORDER BY b.row_no",
    )
    .bind(batch)
    .bind(school.0)
    .fetch_all(pool)
    .await?;
    let file = |row: &sqlx::any::AnyRow, prefix: &str| -> Result<Option<RosterFile>, sqlx::Error> {
        let sha: Option<String> = row.try_get(format!("{prefix}_sha").as_str())?;
        let Some(sha256) = sha else { return Ok(None) };
        Ok(Some(RosterFile {
            sha256,
            byte_size: u64::try_from(row.try_get::<i64, _>(format!("{prefix}_size").as_str())?)
                .unwrap_or(0),
            media_type: row.try_get(format!("{prefix}_type").as_str())?,
        }))
    };
    rows.iter()
        .map(|row| {
            Ok(RosterRow {
                row_no: row.try_get("row_no")?,
                student_no: row.try_get("student_no")?,
                national_id_enc: row.try_get("national_id_enc")?,
                birth_date: row.try_get("birth_date")?,
                semester: semester_code(row.try_get("school_year")?, row.try_get("semester")?)?,
                subject: row.try_get("subject")?,
                credits: row.try_get("credits")?,
                course_teacher: row.try_get("course_teacher")?,
                certifier: row.try_get("certifier")?,
                certified_at: row
                    .try_get::<Option<i64>, _>("published_at")?
                    .map(UtcMillis),
                summary: row.try_get("summary")?,
                document: file(row, "doc")?,
                media: file(row, "med")?,
            })
        })
        .collect()
}

/// Lists what was sent to the central database for a student.
pub async fn student_records(
    pool: &AnyPool,
    school: SchoolId,
    student: UserId,
) -> Result<Vec<SubmissionRecord>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT b.id, y.school_year, b.roster_no, b.created_at, s.school_year AS course_year, s.semester, \
                sub.name AS subject, r.summary, x.row_no \
         FROM central_submission_rows x \
         JOIN central_submissions b ON b.id = x.submission_id \
         JOIN school_years y ON y.id = b.school_year_id \
         JOIN course_outcomes o ON o.id = x.outcome_id \
         JOIN outcome_reviews r ON r.id = x.review_id \
         JOIN courses c ON c.id = o.course_id \
         JOIN semesters s ON s.id = c.semester_id \
         JOIN subjects sub ON sub.id = c.subject_id \
         WHERE x.school_id = $1 AND x.student_id = $2 \
         ORDER BY b.created_at DESC, x.row_no",
    )
    .bind(school.0)
    .bind(student.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SubmissionRecord {
                batch_id: row.try_get("id")?,
                school_year: year(row.try_get("school_year")?)?,
                roster_no: row.try_get("roster_no")?,
                submitted_at: UtcMillis(row.try_get("created_at")?),
                semester: semester_code(row.try_get("course_year")?, row.try_get("semester")?)?,
                subject: row.try_get("subject")?,
                summary: row.try_get("summary")?,
                row_no: row.try_get("row_no")?,
            })
        })
        .collect()
}

/// Returns the school's code, for package names.
pub async fn school_code(pool: &AnyPool, school: SchoolId) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT code FROM schools WHERE id = $1")
        .bind(school.0)
        .fetch_one(pool)
        .await
}
