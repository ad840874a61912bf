//! What a 導師 reads about the own homerooms. Every query takes the homeroom teacher and
//! repeats `h.homeroom_teacher_id` and the school in its WHERE clause, so a homeroom the
//! caller does not lead returns nothing.

use sqlx::{AnyPool, Row};

use super::schools::semester_code;
use crate::domain::calendar::{SchoolYear, UtcMillis};
use crate::domain::homeroom::{
    CoursePending, HomeroomSummary, RecordOutcome, RosterRow, StateCounts,
};
use crate::domain::ids::{HomeroomId, SchoolId, UserId};
use crate::domain::outcome::OutcomeStatus;

fn school_year(value: i64) -> Result<SchoolYear, sqlx::Error> {
    i16::try_from(value)
        .map(SchoolYear)
        .map_err(|_| sqlx::Error::Decode(format!("invalid school year {value}").into()))
}

/// Lists the homerooms that `teacher` leads, newest school year first.
pub async fn led_by(
    pool: &AnyPool,
    school: SchoolId,
    teacher: UserId,
) -> Result<Vec<HomeroomSummary>, sqlx::Error> {
    sqlx::query(
        "SELECT h.id, y.school_year, h.name, h.grade FROM homerooms h \
         JOIN school_years y ON y.id = h.school_year_id AND y.school_id = h.school_id \
         WHERE h.school_id = $1 AND h.homeroom_teacher_id = $2 \
         ORDER BY y.school_year DESC, h.name",
    )
    .bind(school.0)
    .bind(teacher.0)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        Ok(HomeroomSummary {
            id: HomeroomId(row.try_get("id")?),
            school_year: school_year(row.try_get("school_year")?)?,
            name: row.try_get("name")?,
            grade: row.try_get("grade")?,
        })
    })
    .collect()
}

/// Joins a student's outcome `o` (with its course `c` and semester `s`) to the homeroom `h`
/// the student belongs to in that school year, led by the teacher bound at `$2`, in the
/// school bound at `$1`, the homeroom bound at `$3`.
const LED_OUTCOMES: &str = "FROM course_outcomes o \
     JOIN courses c ON c.id = o.course_id AND c.school_id = o.school_id \
     JOIN semesters s ON s.id = c.semester_id \
     JOIN homeroom_members hm ON hm.student_id = o.student_id AND hm.school_year_id = s.school_year_id \
     JOIN homerooms h ON h.id = hm.homeroom_id AND h.school_id = o.school_id \
     WHERE o.school_id = $1 AND h.homeroom_teacher_id = $2 AND h.id = $3 AND o.deleted_at IS NULL";

/// Lists the students of a homeroom the teacher leads, by 座號, with counts of their
/// outcomes of that school year by state.
pub async fn roster(
    pool: &AnyPool,
    school: SchoolId,
    teacher: UserId,
    homeroom: HomeroomId,
) -> Result<Vec<RosterRow>, sqlx::Error> {
    let mut rows = sqlx::query(
        "SELECT hm.student_id, hm.seat_no, st.student_no, u.display_name \
         FROM homeroom_members hm \
         JOIN homerooms h ON h.id = hm.homeroom_id AND h.school_id = hm.school_id \
         JOIN students st ON st.user_id = hm.student_id \
         JOIN users u ON u.id = hm.student_id \
         WHERE hm.school_id = $1 AND h.homeroom_teacher_id = $2 AND h.id = $3 \
         ORDER BY hm.seat_no",
    )
    .bind(school.0)
    .bind(teacher.0)
    .bind(homeroom.0)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        Ok(RosterRow {
            student_id: UserId(row.try_get("student_id")?),
            seat_no: row.try_get("seat_no")?,
            student_no: row.try_get("student_no")?,
            name: row.try_get("display_name")?,
            counts: StateCounts::default(),
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;

    let counts = sqlx::query(&format!(
        "SELECT o.student_id, o.status, COUNT(*) AS n {LED_OUTCOMES} GROUP BY o.student_id, o.status"
    ))
    .bind(school.0)
    .bind(teacher.0)
    .bind(homeroom.0)
    .fetch_all(pool)
    .await?;
    for count in counts {
        let student = UserId(count.try_get("student_id")?);
        let status: String = count.try_get("status")?;
        let n: i64 = count.try_get("n")?;
        let (Some(status), Some(row)) = (
            OutcomeStatus::parse(&status),
            rows.iter_mut().find(|row| row.student_id == student),
        ) else {
            continue;
        };
        row.counts.add(status, u64::try_from(n).unwrap_or(0));
    }

    let selected = sqlx::query(&format!(
        "SELECT o.student_id, COUNT(*) AS n {LED_OUTCOMES} \
           AND EXISTS (SELECT 1 FROM selections sel WHERE sel.outcome_id = o.id) \
         GROUP BY o.student_id"
    ))
    .bind(school.0)
    .bind(teacher.0)
    .bind(homeroom.0)
    .fetch_all(pool)
    .await?;
    for count in selected {
        let student = UserId(count.try_get("student_id")?);
        let n: i64 = count.try_get("n")?;
        if let Some(row) = rows.iter_mut().find(|row| row.student_id == student) {
            row.counts.selected = u64::try_from(n).unwrap_or(0);
        }
    }
    Ok(rows)
}

/// Lists the courses with outcomes of the homeroom's students that wait for their teacher:
/// submitted and undecided, or decided and unpublished.
pub async fn pending_by_course(
    pool: &AnyPool,
    school: SchoolId,
    teacher: UserId,
    homeroom: HomeroomId,
) -> Result<Vec<CoursePending>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT s.school_year, s.semester, sub.name AS subject, c.group_name, t.display_name AS course_teacher, \
                CAST(SUM(CASE WHEN r.verdict IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS undecided, \
                CAST(SUM(CASE WHEN r.verdict IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS unpublished \
         {} \
           AND o.status = 'pending' \
         GROUP BY s.school_year, s.semester, c.id, sub.name, c.group_name, t.display_name \
         ORDER BY s.school_year DESC, s.semester DESC, sub.name, c.group_name",
        LED_OUTCOMES.replace(
            " WHERE ",
            " JOIN subjects sub ON sub.id = c.subject_id \
              JOIN users t ON t.id = c.teacher_id \
              JOIN outcome_reviews r ON r.id = o.current_review_id \
              WHERE "
        )
    ))
    .bind(school.0)
    .bind(teacher.0)
    .bind(homeroom.0)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| {
        Ok(CoursePending {
            semester: semester_code(row.try_get("school_year")?, row.try_get("semester")?)?,
            subject: row.try_get("subject")?,
            group_name: row.try_get("group_name")?,
            course_teacher: row.try_get("course_teacher")?,
            undecided: u64::try_from(row.try_get::<i64, _>("undecided")?).unwrap_or(0),
            unpublished: u64::try_from(row.try_get::<i64, _>("unpublished")?).unwrap_or(0),
        })
    })
    .collect()
}

/// A student of a homeroom the teacher leads, with what heads the 歷程確認單.
#[derive(Clone, Debug)]
pub struct MemberHead {
    pub school_name: String,
    pub school_year: SchoolYear,
    pub school_year_id: i64,
    pub homeroom: String,
    pub homeroom_teacher: String,
    pub seat_no: i64,
    pub student_no: String,
    pub name: String,
}

/// Returns a student of the homeroom if the teacher leads it.
pub async fn member(
    pool: &AnyPool,
    school: SchoolId,
    teacher: UserId,
    homeroom: HomeroomId,
    student: UserId,
) -> Result<Option<MemberHead>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT sc.name AS school_name, y.school_year, y.id AS school_year_id, h.name AS homeroom, \
                ht.display_name AS homeroom_teacher, hm.seat_no, st.student_no, u.display_name \
         FROM homeroom_members hm \
         JOIN homerooms h ON h.id = hm.homeroom_id AND h.school_id = hm.school_id \
         JOIN school_years y ON y.id = h.school_year_id \
         JOIN schools sc ON sc.id = h.school_id \
         JOIN users ht ON ht.id = h.homeroom_teacher_id \
         JOIN students st ON st.user_id = hm.student_id \
         JOIN users u ON u.id = hm.student_id \
         WHERE hm.school_id = $1 AND h.homeroom_teacher_id = $2 AND h.id = $3 AND hm.student_id = $4",
    )
    .bind(school.0)
    .bind(teacher.0)
    .bind(homeroom.0)
    .bind(student.0)
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        Ok(MemberHead {
            school_name: row.try_get("school_name")?,
            school_year: school_year(row.try_get("school_year")?)?,
            school_year_id: row.try_get("school_year_id")?,
            homeroom: row.try_get("homeroom")?,
            homeroom_teacher: row.try_get("homeroom_teacher")?,
            seat_no: row.try_get("seat_no")?,
            student_no: row.try_get("student_no")?,
            name: row.try_get("display_name")?,
        })
    })
    .transpose()
}

/// Lists a student's outcomes of the homeroom's school year as the student sees them: a
/// decision, its date and certifier only once published.
pub async fn student_outcomes(
    pool: &AnyPool,
    school: SchoolId,
    teacher: UserId,
    homeroom: HomeroomId,
    student: UserId,
) -> Result<Vec<RecordOutcome>, sqlx::Error> {
    let sql = format!(
        "SELECT s.school_year, s.semester, sub.name AS subject, c.credits, t.display_name AS course_teacher, \
                o.summary, o.status, r.submitted_at, \
                CASE WHEN r.published_at IS NOT NULL THEN r.published_at END AS certified_at, \
                CASE WHEN r.published_at IS NOT NULL THEN cu.display_name END AS certifier, \
                CASE WHEN r.published_at IS NOT NULL THEN cf.display_name END AS certifier_for, \
                CASE WHEN EXISTS (SELECT 1 FROM selections sel WHERE sel.outcome_id = o.id) THEN 1 ELSE 0 END AS selected \
         {} AND o.student_id = $4 \
         ORDER BY s.semester, sub.name, o.id",
        LED_OUTCOMES.replace(
            " WHERE ",
            " JOIN subjects sub ON sub.id = c.subject_id \
              JOIN users t ON t.id = c.teacher_id \
              LEFT JOIN outcome_reviews r ON r.id = o.current_review_id \
              LEFT JOIN users cu ON cu.id = r.certifier_id \
              LEFT JOIN users cf ON cf.id = r.on_behalf_of \
              WHERE "
        )
    );
    sqlx::query(&sql)
        .bind(school.0)
        .bind(teacher.0)
        .bind(homeroom.0)
        .bind(student.0)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            let status: String = row.try_get("status")?;
            let status = OutcomeStatus::parse(&status).ok_or_else(|| {
                sqlx::Error::Decode(format!("unknown outcome status {status:?}").into())
            })?;
            // A revised outcome is a draft again while its last round stays current: show the
            // round's dates only while the outcome still carries them.
            let decided = matches!(status, OutcomeStatus::Passed | OutcomeStatus::Failed);
            let submitted = status != OutcomeStatus::Draft;
            Ok(RecordOutcome {
                semester: semester_code(row.try_get("school_year")?, row.try_get("semester")?)?,
                subject: row.try_get("subject")?,
                credits: row.try_get("credits")?,
                course_teacher: row.try_get("course_teacher")?,
                summary: row.try_get("summary")?,
                status,
                submitted_at: row
                    .try_get::<Option<i64>, _>("submitted_at")?
                    .filter(|_| submitted)
                    .map(UtcMillis),
                certified_at: row
                    .try_get::<Option<i64>, _>("certified_at")?
                    .filter(|_| decided)
                    .map(UtcMillis),
                certifier: row
                    .try_get::<Option<String>, _>("certifier")?
                    .filter(|_| decided),
                certifier_for: row
                    .try_get::<Option<String>, _>("certifier_for")?
                    .filter(|_| decided),
                selected: row.try_get::<i64, _>("selected")? == 1,
            })
        })
        .collect()
}
