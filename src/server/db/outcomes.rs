//! Course outcomes and their review rounds.
//!
//! Every change first claims the outcome with [`claim_version`], an optimistic lock: a write
//! that names a version other than the stored one changes nothing and is reported as a
//! conflict. Students and certifiers hold different tokens (see [`Token`]). Queries for
//! students select a decision only once it is published.

use sqlx::{AnyPool, Row};

use super::files::{FILE_COLUMNS, file_info};
use super::schools::semester_code;
use super::{Db, Tx};
use crate::domain::calendar::{SemesterCode, UtcMillis};
use crate::domain::ids::{
    CourseId, FileId, HomeroomId, OutcomeId, ReviewId, SchoolId, SemesterId, SubjectId, UserId,
};
use crate::domain::outcome::{OutcomeState, OutcomeStatus, ReviewCounts, ReviewFilter, Verdict};
use crate::domain::views::{FilterOption, ReviewQuery, ReviewRound, ReviewRow, StudentOutcome};
use crate::domain::window::Window;

/// The stored state of an outcome, as the services check it before a change.
#[derive(Clone, Debug)]
pub struct OutcomeCore {
    pub id: OutcomeId,
    pub student_id: UserId,
    pub course_id: CourseId,
    pub semester_id: SemesterId,
    pub state: OutcomeState,
    /// The certifier's token: changes with every write.
    pub version: i64,
    /// The student's token: changes with the student's writes and with publication only.
    pub student_version: i64,
    pub summary: String,
    pub document_file_id: Option<FileId>,
    pub media_file_id: Option<FileId>,
    pub current_review_id: Option<ReviewId>,
    pub round: i64,
    /// The course's 任課教師; a decision by anyone else is recorded as made for them.
    pub course_teacher_id: UserId,
}

const CORE_COLUMNS: &str = "o.id, o.student_id, o.course_id, c.semester_id, o.status, o.version, o.student_version, o.summary, \
     o.document_file_id, o.media_file_id, o.current_review_id, r.round, c.teacher_id AS course_teacher_id, \
     CASE WHEN o.status = 'pending' THEN r.verdict END AS decision";

const CORE_FROM: &str = "FROM course_outcomes o \
     JOIN courses c ON c.id = o.course_id AND c.school_id = o.school_id \
     LEFT JOIN outcome_reviews r ON r.id = o.current_review_id";

fn core_from_row(row: &sqlx::any::AnyRow) -> Result<OutcomeCore, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let status = OutcomeStatus::parse(&status)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown outcome status {status:?}").into()))?;
    let decision: Option<String> = row.try_get("decision")?;
    Ok(OutcomeCore {
        id: OutcomeId(row.try_get("id")?),
        student_id: UserId(row.try_get("student_id")?),
        course_id: CourseId(row.try_get("course_id")?),
        semester_id: SemesterId(row.try_get("semester_id")?),
        state: OutcomeState::new(status, decision.as_deref().and_then(Verdict::parse)),
        version: row.try_get("version")?,
        student_version: row.try_get("student_version")?,
        summary: row.try_get("summary")?,
        document_file_id: row
            .try_get::<Option<i64>, _>("document_file_id")?
            .map(FileId),
        media_file_id: row.try_get::<Option<i64>, _>("media_file_id")?.map(FileId),
        current_review_id: row
            .try_get::<Option<i64>, _>("current_review_id")?
            .map(ReviewId),
        round: row.try_get::<Option<i64>, _>("round")?.unwrap_or(0),
        course_teacher_id: UserId(row.try_get("course_teacher_id")?),
    })
}

/// The SQL condition that the user bound at `$user` certifies the course `c` on the day bound
/// at `$day` ('YYYY-MM-DD' in Taiwan): as its course teacher, or as a delegate whose period
/// contains that day.
pub fn certifies_course(user: usize, day: usize) -> String {
    format!(
        "(c.teacher_id = ${user} OR EXISTS (SELECT 1 FROM course_delegations d \
           WHERE d.course_id = c.id AND d.school_id = c.school_id AND d.delegate_id = ${user} \
             AND d.starts_on <= ${day} AND d.ends_on >= ${day}))"
    )
}

/// Returns a student's own outcome, unless deleted.
pub async fn find_for_student(
    tx: &mut Tx,
    school: SchoolId,
    student: UserId,
    outcome: OutcomeId,
) -> Result<Option<OutcomeCore>, sqlx::Error> {
    let sql = format!(
        "SELECT {CORE_COLUMNS} {CORE_FROM} \
         WHERE o.id = $1 AND o.school_id = $2 AND o.student_id = $3 AND o.deleted_at IS NULL"
    );
    let row = sqlx::query(&sql)
        .bind(outcome.0)
        .bind(school.0)
        .bind(student.0)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|row| core_from_row(&row)).transpose()
}

/// Returns a submitted outcome of a course the teacher certifies on `day` (own, or delegated
/// for a period containing the day). Drafts are not returned: a teacher cannot see them.
pub async fn find_for_certifier(
    tx: &mut Tx,
    school: SchoolId,
    teacher: UserId,
    day: &str,
    outcome: OutcomeId,
) -> Result<Option<OutcomeCore>, sqlx::Error> {
    let sql = format!(
        "SELECT {CORE_COLUMNS} {CORE_FROM} \
         WHERE o.id = $1 AND o.school_id = $2 AND {} \
           AND o.status <> 'draft' AND o.deleted_at IS NULL",
        certifies_course(3, 4)
    );
    let row = sqlx::query(&sql)
        .bind(outcome.0)
        .bind(school.0)
        .bind(teacher.0)
        .bind(day)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|row| core_from_row(&row)).transpose()
}

/// Takes the row lock of a student on PostgreSQL, so that two uploads of one student count
/// their outcomes one after the other. On SQLite the write transaction already serialises them.
pub async fn lock_student(
    db: &Db,
    tx: &mut Tx,
    school: SchoolId,
    student: UserId,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "SELECT user_id FROM students WHERE user_id = $1 AND school_id = $2{}",
        db.lock_rows()
    );
    sqlx::query(&sql)
        .bind(student.0)
        .bind(school.0)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(())
}

/// Counts a student's outcomes in a semester, drafts included and deleted ones not.
pub async fn count_in_semester(
    tx: &mut Tx,
    school: SchoolId,
    student: UserId,
    semester: SemesterId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM course_outcomes o JOIN courses c ON c.id = o.course_id \
         WHERE o.school_id = $1 AND o.student_id = $2 AND c.semester_id = $3 AND o.deleted_at IS NULL",
    )
    .bind(school.0)
    .bind(student.0)
    .bind(semester.0)
    .fetch_one(&mut **tx)
    .await
}

/// [`count_in_semester`] outside a transaction, for the upload page.
pub async fn count_in_semester_now(
    pool: &AnyPool,
    school: SchoolId,
    student: UserId,
    semester: SemesterId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM course_outcomes o JOIN courses c ON c.id = o.course_id \
         WHERE o.school_id = $1 AND o.student_id = $2 AND c.semester_id = $3 AND o.deleted_at IS NULL",
    )
    .bind(school.0)
    .bind(student.0)
    .bind(semester.0)
    .fetch_one(pool)
    .await
}

pub struct NewDraft<'a> {
    pub student: UserId,
    pub course: CourseId,
    pub summary: &'a str,
    pub document: Option<FileId>,
    pub media: Option<FileId>,
}

pub async fn insert_draft(
    tx: &mut Tx,
    school: SchoolId,
    new: &NewDraft<'_>,
    now: UtcMillis,
) -> Result<OutcomeId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO course_outcomes (school_id, student_id, course_id, status, summary, document_file_id, \
                                      media_file_id, version, created_at, updated_at) \
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, 1, $7, $7) RETURNING id",
    )
    .bind(school.0)
    .bind(new.student.0)
    .bind(new.course.0)
    .bind(new.summary)
    .bind(new.document.map(|file| file.0))
    .bind(new.media.map(|file| file.0))
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(OutcomeId(id))
}

/// The version a writer saw, by who writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    /// The student's `student_version`.
    Student(i64),
    /// The certifier's `version`. `visible` is set for publication, which the student sees,
    /// so it changes the student's token too.
    Certifier { expected: i64, visible: bool },
}

/// Claims the outcome for a write if the writer's token is still current, and moves the
/// tokens on. Returns whether this request won; a `false` means someone else changed the
/// outcome first.
pub async fn claim_version(
    tx: &mut Tx,
    school: SchoolId,
    outcome: OutcomeId,
    token: Token,
    now: UtcMillis,
) -> Result<bool, sqlx::Error> {
    let (token_column, expected, student_step) = match token {
        Token::Student(expected) => ("student_version", expected, 1),
        Token::Certifier { expected, visible } => ("version", expected, i64::from(visible)),
    };
    let sql = format!(
        "UPDATE course_outcomes SET version = version + 1, student_version = student_version + $1, updated_at = $2 \
         WHERE id = $3 AND school_id = $4 AND {token_column} = $5"
    );
    let result = sqlx::query(&sql)
        .bind(student_step)
        .bind(now.0)
        .bind(outcome.0)
        .bind(school.0)
        .bind(expected)
        .execute(&mut **tx)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Stores a revision: the new 簡述 and files, back to draft.
pub async fn revise(
    tx: &mut Tx,
    school: SchoolId,
    outcome: OutcomeId,
    summary: &str,
    document: Option<FileId>,
    media: Option<FileId>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE course_outcomes SET status = 'draft', summary = $1, document_file_id = $2, media_file_id = $3 \
         WHERE id = $4 AND school_id = $5",
    )
    .bind(summary)
    .bind(document.map(|file| file.0))
    .bind(media.map(|file| file.0))
    .bind(outcome.0)
    .bind(school.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Opens a new review round with a copy of what is submitted, and makes it current.
pub async fn open_review(
    tx: &mut Tx,
    school: SchoolId,
    core: &OutcomeCore,
    submitted_by: UserId,
    now: UtcMillis,
) -> Result<ReviewId, sqlx::Error> {
    let review_id: i64 = sqlx::query_scalar(
        "INSERT INTO outcome_reviews (school_id, outcome_id, round, summary, document_file_id, media_file_id, \
                                      submitted_by, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(school.0)
    .bind(core.id.0)
    .bind(core.round + 1)
    .bind(&core.summary)
    .bind(core.document_file_id.map(|file| file.0))
    .bind(core.media_file_id.map(|file| file.0))
    .bind(submitted_by.0)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE course_outcomes SET status = 'pending', current_review_id = $1 WHERE id = $2 AND school_id = $3")
        .bind(review_id)
        .bind(core.id.0)
        .bind(school.0)
        .execute(&mut **tx)
        .await?;
    Ok(ReviewId(review_id))
}

pub async fn soft_delete(
    tx: &mut Tx,
    school: SchoolId,
    outcome: OutcomeId,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE course_outcomes SET deleted_at = $1 WHERE id = $2 AND school_id = $3")
        .bind(now.0)
        .bind(outcome.0)
        .bind(school.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records or changes the unpublished decision of a review round. `on_behalf_of` is the
/// course teacher when a delegate decides, `None` when the course teacher does.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    tx: &mut Tx,
    school: SchoolId,
    review: ReviewId,
    verdict: Verdict,
    reason: Option<&str>,
    certifier: UserId,
    on_behalf_of: Option<UserId>,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outcome_reviews SET verdict = $1, reason = $2, certifier_id = $3, decided_at = $4, on_behalf_of = $7 \
         WHERE id = $5 AND school_id = $6 AND published_at IS NULL",
    )
    .bind(verdict.as_str())
    .bind(reason)
    .bind(certifier.0)
    .bind(now.0)
    .bind(review.0)
    .bind(school.0)
    .bind(on_behalf_of.map(|user| user.0))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Publishes the decision of the current round: the outcome takes the verdict as its status.
pub async fn publish(
    tx: &mut Tx,
    school: SchoolId,
    outcome: OutcomeId,
    review: ReviewId,
    status: OutcomeStatus,
    publisher: UserId,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outcome_reviews SET published_by = $1, published_at = $2 WHERE id = $3 AND school_id = $4")
        .bind(publisher.0)
        .bind(now.0)
        .bind(review.0)
        .bind(school.0)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE course_outcomes SET status = $1 WHERE id = $2 AND school_id = $3")
        .bind(status.as_str())
        .bind(outcome.0)
        .bind(school.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Lists a student's outcomes, newest semester first. Certifier, date and reason are selected
/// only from a published round.
pub async fn list_for_student(
    pool: &AnyPool,
    school: SchoolId,
    student: UserId,
) -> Result<Vec<StudentOutcome>, sqlx::Error> {
    let sql = format!(
        "SELECT o.id, o.student_version, o.status, o.summary, o.course_id, c.semester_id, \
                s.school_year, s.semester, sub.name AS subject, c.credits, t.display_name AS course_teacher, \
                r.round, r.submitted_at, \
                CASE WHEN r.published_at IS NOT NULL THEN r.published_at END AS certified_at, \
                CASE WHEN r.published_at IS NOT NULL THEN r.reason END AS published_reason, \
                CASE WHEN r.published_at IS NOT NULL THEN cu.display_name END AS certifier, \
                CASE WHEN r.published_at IS NOT NULL THEN cf.display_name END AS certifier_for, \
                CASE WHEN EXISTS (SELECT 1 FROM selections sel \
                    WHERE sel.outcome_id = o.id AND sel.school_id = o.school_id) THEN 1 ELSE 0 END AS selected, \
                CASE WHEN EXISTS (SELECT 1 FROM central_submission_rows csr \
                    WHERE csr.school_id = o.school_id AND csr.student_id = o.student_id \
                    AND csr.outcome_id = o.id) THEN 1 ELSE 0 END AS submitted, \
                {FILE_COLUMNS} \
         FROM course_outcomes o \
         JOIN courses c ON c.id = o.course_id AND c.school_id = o.school_id \
         JOIN semesters s ON s.id = c.semester_id \
         JOIN subjects sub ON sub.id = c.subject_id \
         JOIN users t ON t.id = c.teacher_id \
         LEFT JOIN outcome_reviews r ON r.id = o.current_review_id \
         LEFT JOIN users cu ON cu.id = r.certifier_id \
         LEFT JOIN users cf ON cf.id = r.on_behalf_of \
         LEFT JOIN stored_files df ON df.id = o.document_file_id \
         LEFT JOIN stored_files mf ON mf.id = o.media_file_id \
         WHERE o.student_id = $1 AND o.school_id = $2 AND o.deleted_at IS NULL \
         ORDER BY s.school_year DESC, s.semester DESC, o.id DESC"
    );
    let rows = sqlx::query(&sql)
        .bind(student.0)
        .bind(school.0)
        .fetch_all(pool)
        .await?;
    rows.iter().map(student_outcome_from_row).collect()
}

/// Returns one of a student's outcomes with the same rules as [`list_for_student`].
pub async fn find_student_view(
    pool: &AnyPool,
    school: SchoolId,
    student: UserId,
    outcome: OutcomeId,
) -> Result<Option<StudentOutcome>, sqlx::Error> {
    let all = list_for_student(pool, school, student).await?;
    Ok(all.into_iter().find(|item| item.id == outcome))
}

fn student_outcome_from_row(row: &sqlx::any::AnyRow) -> Result<StudentOutcome, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let status = OutcomeStatus::parse(&status)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown outcome status {status:?}").into()))?;
    // A published round stays current while a revised outcome is a draft again; show its
    // decision only while the outcome still carries it.
    let shows_decision = matches!(status, OutcomeStatus::Passed | OutcomeStatus::Failed);
    let certified_at: Option<i64> = row.try_get("certified_at")?;
    let reason: Option<String> = row.try_get("published_reason")?;
    let certifier: Option<String> = row.try_get("certifier")?;
    let certifier_for: Option<String> = row.try_get("certifier_for")?;
    Ok(StudentOutcome {
        id: OutcomeId(row.try_get("id")?),
        version: row.try_get("student_version")?,
        semester: semester_code(row.try_get("school_year")?, row.try_get("semester")?)?,
        semester_id: SemesterId(row.try_get("semester_id")?),
        course_id: CourseId(row.try_get("course_id")?),
        subject: row.try_get("subject")?,
        credits: row.try_get("credits")?,
        course_teacher: row.try_get("course_teacher")?,
        status,
        summary: row.try_get("summary")?,
        document: file_info(row, "doc")?,
        media: file_info(row, "med")?,
        submitted_at: if status == OutcomeStatus::Draft {
            None
        } else {
            row.try_get::<Option<i64>, _>("submitted_at")?
                .map(UtcMillis)
        },
        certifier: certifier.filter(|_| shows_decision),
        certifier_for: certifier_for.filter(|_| shows_decision),
        certified_at: certified_at.filter(|_| shows_decision).map(UtcMillis),
        fail_reason: reason.filter(|_| status == OutcomeStatus::Failed),
        rounds: row.try_get::<Option<i64>, _>("round")?.unwrap_or(0),
        selected: row.try_get::<i64, _>("selected")? == 1,
        submitted: row.try_get::<i64, _>("submitted")? == 1,
    })
}

/// Lists the review rounds of a student's outcome, oldest first, with decisions only where
/// they were published.
pub async fn history_for_student(
    pool: &AnyPool,
    school: SchoolId,
    student: UserId,
    outcome: OutcomeId,
) -> Result<Vec<ReviewRound>, sqlx::Error> {
    let sql = format!(
        "SELECT r.round, r.summary, r.submitted_at, r.published_at, \
                CASE WHEN r.published_at IS NOT NULL THEN r.verdict END AS verdict, \
                CASE WHEN r.published_at IS NOT NULL THEN r.reason END AS reason, \
                CASE WHEN r.published_at IS NOT NULL THEN cu.display_name END AS certifier, \
                CASE WHEN r.published_at IS NOT NULL THEN cf.display_name END AS certifier_for, \
                {FILE_COLUMNS} \
         FROM outcome_reviews r \
         JOIN course_outcomes o ON o.id = r.outcome_id AND o.school_id = r.school_id \
         LEFT JOIN users cu ON cu.id = r.certifier_id \
         LEFT JOIN users cf ON cf.id = r.on_behalf_of \
         LEFT JOIN stored_files df ON df.id = r.document_file_id \
         LEFT JOIN stored_files mf ON mf.id = r.media_file_id \
         WHERE r.outcome_id = $1 AND r.school_id = $2 AND o.student_id = $3 AND o.deleted_at IS NULL \
         ORDER BY r.round"
    );
    let rows = sqlx::query(&sql)
        .bind(outcome.0)
        .bind(school.0)
        .bind(student.0)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            let verdict: Option<String> = row.try_get("verdict")?;
            Ok(ReviewRound {
                round: row.try_get("round")?,
                summary: row.try_get("summary")?,
                document: file_info(row, "doc")?,
                media: file_info(row, "med")?,
                submitted_at: UtcMillis(row.try_get("submitted_at")?),
                verdict: verdict.as_deref().and_then(Verdict::parse),
                reason: row.try_get("reason")?,
                certifier: row.try_get("certifier")?,
                certifier_for: row.try_get("certifier_for")?,
                published_at: row
                    .try_get::<Option<i64>, _>("published_at")?
                    .map(UtcMillis),
            })
        })
        .collect()
}

/// A value bound to a dynamically built query.
enum Bind {
    Int(i64),
    Text(String),
}

/// The WHERE clause of the certification list, without the state filter, with its binds.
struct ReviewWhere {
    sql: String,
    binds: Vec<Bind>,
}

impl ReviewWhere {
    fn new(school: SchoolId, teacher: UserId, day: &str, query: &ReviewQuery) -> Self {
        let mut clause = ReviewWhere {
            sql: format!(
                "WHERE o.school_id = $1 AND {} AND o.status <> 'draft' AND o.deleted_at IS NULL",
                certifies_course(2, 3)
            ),
            binds: vec![
                Bind::Int(school.0),
                Bind::Int(teacher.0),
                Bind::Text(day.to_owned()),
            ],
        };
        if let Some(code) = query.semester {
            clause.push("s.school_year", i64::from(code.school_year.0));
            clause.push("s.semester", i64::from(code.semester.number()));
        }
        if let Some(HomeroomId(homeroom)) = query.homeroom {
            clause.push("h.id", homeroom);
        }
        if let Some(SubjectId(subject)) = query.subject {
            clause.push("c.subject_id", subject);
        }
        clause
    }

    fn push(&mut self, column: &str, value: i64) {
        self.binds.push(Bind::Int(value));
        self.sql
            .push_str(&format!(" AND {column} = ${}", self.binds.len()));
    }

    fn next_placeholder(&self) -> usize {
        self.binds.len() + 1
    }
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &[Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for bind in binds {
        query = match bind {
            Bind::Int(value) => query.bind(*value),
            Bind::Text(value) => query.bind(value.clone()),
        };
    }
    query
}

/// The SQL condition of a state filter, on `o` (outcome) and `r` (current review).
fn state_condition(filter: ReviewFilter) -> &'static str {
    match filter {
        ReviewFilter::All => "",
        ReviewFilter::Undecided => " AND o.status = 'pending' AND r.verdict IS NULL",
        ReviewFilter::PassedUnpublished => " AND o.status = 'pending' AND r.verdict = 'passed'",
        ReviewFilter::FailedUnpublished => " AND o.status = 'pending' AND r.verdict = 'failed'",
        ReviewFilter::Unfinished => " AND o.status = 'pending'",
        ReviewFilter::Published => " AND o.status IN ('passed', 'failed')",
    }
}

const REVIEW_FROM: &str = "FROM course_outcomes o \
     JOIN courses c ON c.id = o.course_id AND c.school_id = o.school_id \
     JOIN semesters s ON s.id = c.semester_id \
     JOIN subjects sub ON sub.id = c.subject_id \
     JOIN users su ON su.id = o.student_id \
     JOIN students st ON st.user_id = o.student_id \
     JOIN outcome_reviews r ON r.id = o.current_review_id \
     LEFT JOIN homeroom_members hm ON hm.student_id = o.student_id AND hm.school_year_id = s.school_year_id \
     LEFT JOIN homerooms h ON h.id = hm.homeroom_id";

/// Counts the teacher's submitted outcomes per semester and state under every filter but the
/// state, newest semester first.
pub async fn review_counts_by_semester(
    pool: &AnyPool,
    school: SchoolId,
    teacher: UserId,
    day: &str,
    query: &ReviewQuery,
) -> Result<Vec<(SemesterCode, ReviewCounts)>, sqlx::Error> {
    let clause = ReviewWhere::new(school, teacher, day, query);
    let decision = "CASE WHEN o.status = 'pending' THEN r.verdict END";
    let sql = format!(
        "SELECT s.school_year, s.semester, o.status, {decision} AS decision, COUNT(*) AS n \
         {REVIEW_FROM} {} GROUP BY s.school_year, s.semester, o.status, {decision} \
         ORDER BY s.school_year DESC, s.semester DESC",
        clause.sql
    );
    let rows = bind_all(sqlx::query(&sql), &clause.binds)
        .fetch_all(pool)
        .await?;
    let mut semesters: Vec<(SemesterCode, ReviewCounts)> = Vec::new();
    for row in rows {
        let code = semester_code(row.try_get("school_year")?, row.try_get("semester")?)?;
        let status: String = row.try_get("status")?;
        let decision: Option<String> = row.try_get("decision")?;
        let count: i64 = row.try_get("n")?;
        let state = OutcomeStatus::parse(&status)
            .map(|status| OutcomeState::new(status, decision.as_deref().and_then(Verdict::parse)))
            .and_then(OutcomeState::review_state);
        if semesters.last().is_none_or(|(last, _)| *last != code) {
            semesters.push((code, ReviewCounts::default()));
        }
        if let (Some(state), Some((_, counts))) = (state, semesters.last_mut()) {
            counts.add(state, u64::try_from(count).unwrap_or(0));
        }
    }
    Ok(semesters)
}

/// Counts the teacher's submitted outcomes per state under every filter but the state.
pub async fn review_counts(
    pool: &AnyPool,
    school: SchoolId,
    teacher: UserId,
    day: &str,
    query: &ReviewQuery,
) -> Result<ReviewCounts, sqlx::Error> {
    let semesters = review_counts_by_semester(pool, school, teacher, day, query).await?;
    Ok(ReviewCounts::sum(
        semesters.iter().map(|(_, counts)| counts),
    ))
}

/// Lists one page of the teacher's submitted outcomes, by homeroom, seat and subject. The
/// files are those of the submitted round.
pub async fn review_page(
    pool: &AnyPool,
    school: SchoolId,
    teacher: UserId,
    day: &str,
    query: &ReviewQuery,
) -> Result<Vec<ReviewRow>, sqlx::Error> {
    let clause = ReviewWhere::new(school, teacher, day, query);
    let limit = clause.next_placeholder();
    let sql = format!(
        "SELECT o.id, o.version, o.status, s.school_year, s.semester, h.name AS homeroom, hm.seat_no, \
                st.student_no, su.display_name AS student_name, sub.name AS subject, c.group_name, \
                r.summary, r.round, r.submitted_at, r.verdict, r.reason, r.decided_at, r.published_at, \
                cu.display_name AS certifier, cf.display_name AS certifier_for, \
                CASE WHEN c.teacher_id <> $2 THEN ct.display_name END AS delegated_from, {FILE_COLUMNS} \
         {REVIEW_FROM} \
         JOIN users ct ON ct.id = c.teacher_id \
         LEFT JOIN users cu ON cu.id = r.certifier_id \
         LEFT JOIN users cf ON cf.id = r.on_behalf_of \
         LEFT JOIN stored_files df ON df.id = r.document_file_id \
         LEFT JOIN stored_files mf ON mf.id = r.media_file_id \
         {}{} \
         ORDER BY h.name, hm.seat_no, st.student_no, sub.name, o.id \
         LIMIT ${limit} OFFSET ${}",
        clause.sql,
        state_condition(query.state),
        limit + 1
    );
    let offset = i64::try_from(query.page.offset()).unwrap_or(i64::MAX);
    let rows = bind_all(sqlx::query(&sql), &clause.binds)
        .bind(i64::from(query.page.per_page))
        .bind(offset)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            let status: String = row.try_get("status")?;
            let verdict: Option<String> = row.try_get("verdict")?;
            let status = OutcomeStatus::parse(&status).ok_or_else(|| {
                sqlx::Error::Decode(format!("unknown outcome status {status:?}").into())
            })?;
            let decision = if status == OutcomeStatus::Pending {
                verdict.as_deref().and_then(Verdict::parse)
            } else {
                None
            };
            let state = OutcomeState::new(status, decision)
                .review_state()
                .ok_or_else(|| sqlx::Error::Decode("draft in the certification list".into()))?;
            Ok(ReviewRow {
                outcome_id: OutcomeId(row.try_get("id")?),
                version: row.try_get("version")?,
                semester: semester_code(row.try_get("school_year")?, row.try_get("semester")?)?,
                homeroom: row.try_get("homeroom")?,
                seat_no: row.try_get("seat_no")?,
                student_no: row.try_get("student_no")?,
                student_name: row.try_get("student_name")?,
                subject: row.try_get("subject")?,
                group_name: row.try_get("group_name")?,
                summary: row.try_get("summary")?,
                document: file_info(row, "doc")?,
                media: file_info(row, "med")?,
                round: row.try_get("round")?,
                submitted_at: UtcMillis(row.try_get("submitted_at")?),
                state,
                reason: row.try_get("reason")?,
                certifier: row.try_get("certifier")?,
                certifier_for: row.try_get("certifier_for")?,
                delegated_from: row.try_get("delegated_from")?,
                decided_at: row.try_get::<Option<i64>, _>("decided_at")?.map(UtcMillis),
                published_at: row
                    .try_get::<Option<i64>, _>("published_at")?
                    .map(UtcMillis),
                editable: true,
            })
        })
        .collect()
}

/// Returns the ids and versions of the decided, unpublished outcomes under the filters: what
/// 全部發佈 publishes.
pub async fn decided_unpublished(
    tx: &mut Tx,
    school: SchoolId,
    teacher: UserId,
    day: &str,
    query: &ReviewQuery,
) -> Result<Vec<(OutcomeId, i64)>, sqlx::Error> {
    let clause = ReviewWhere::new(school, teacher, day, query);
    let sql = format!(
        "SELECT o.id, o.version {REVIEW_FROM} {}{} AND o.status = 'pending' AND r.verdict IS NOT NULL \
         ORDER BY o.id",
        clause.sql,
        state_condition(query.state),
    );
    let rows = bind_all(sqlx::query(&sql), &clause.binds)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|row| Ok((OutcomeId(row.try_get("id")?), row.try_get("version")?)))
        .collect()
}

/// Lists the semesters in which the teacher has courses, newest first, with each one's
/// teacher window.
pub async fn teacher_semesters(
    pool: &AnyPool,
    school: SchoolId,
    teacher: UserId,
    day: &str,
) -> Result<Vec<(SemesterId, SemesterCode, Window)>, sqlx::Error> {
    let sql = format!(
        "SELECT DISTINCT s.id, s.school_year, s.semester, s.teacher_opens_at, s.teacher_closes_at \
         FROM courses c JOIN semesters s ON s.id = c.semester_id \
         WHERE c.school_id = $1 AND {} ORDER BY s.school_year DESC, s.semester DESC",
        certifies_course(2, 3)
    );
    let rows = sqlx::query(&sql)
        .bind(school.0)
        .bind(teacher.0)
        .bind(day)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                SemesterId(row.try_get("id")?),
                semester_code(row.try_get("school_year")?, row.try_get("semester")?)?,
                super::windows::window(row, "teacher_opens_at", "teacher_closes_at")?,
            ))
        })
        .collect()
}

/// Lists the homerooms and subjects of the teacher's students and courses in a semester (all
/// semesters when `None`), for the filter drop-downs.
pub async fn teacher_filter_options(
    pool: &AnyPool,
    school: SchoolId,
    teacher: UserId,
    day: &str,
    semester: Option<SemesterCode>,
) -> Result<(Vec<FilterOption<HomeroomId>>, Vec<FilterOption<SubjectId>>), sqlx::Error> {
    let semester_clause = if semester.is_some() {
        " AND s.school_year = $4 AND s.semester = $5"
    } else {
        ""
    };
    let certifies = certifies_course(2, 3);
    let homeroom_sql = format!(
        "SELECT DISTINCT h.id, h.name FROM courses c \
         JOIN semesters s ON s.id = c.semester_id \
         JOIN course_enrollments e ON e.course_id = c.id \
         JOIN homeroom_members hm ON hm.student_id = e.student_id AND hm.school_year_id = s.school_year_id \
         JOIN homerooms h ON h.id = hm.homeroom_id \
         WHERE c.school_id = $1 AND {certifies}{semester_clause} ORDER BY h.name"
    );
    let subject_sql = format!(
        "SELECT DISTINCT sub.id, sub.name FROM courses c \
         JOIN semesters s ON s.id = c.semester_id \
         JOIN subjects sub ON sub.id = c.subject_id \
         WHERE c.school_id = $1 AND {certifies}{semester_clause} ORDER BY sub.name"
    );
    let mut binds = vec![
        Bind::Int(school.0),
        Bind::Int(teacher.0),
        Bind::Text(day.to_owned()),
    ];
    if let Some(code) = semester {
        binds.push(Bind::Int(i64::from(code.school_year.0)));
        binds.push(Bind::Int(i64::from(code.semester.number())));
    }
    let homerooms = bind_all(sqlx::query(&homeroom_sql), &binds)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            Ok(FilterOption {
                value: HomeroomId(row.try_get("id")?),
                label: row.try_get("name")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let subjects = bind_all(sqlx::query(&subject_sql), &binds)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            Ok(FilterOption {
                value: SubjectId(row.try_get("id")?),
                label: row.try_get("name")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((homerooms, subjects))
}
