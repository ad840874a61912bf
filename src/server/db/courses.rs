//! Homerooms, subjects, courses and enrolments.

use sqlx::{AnyPool, Row};

use super::Tx;
use crate::domain::calendar::UtcMillis;
use crate::domain::ids::{CourseId, HomeroomId, SchoolId, SemesterId, SubjectId, UserId};
use crate::domain::views::CourseOption;

pub async fn insert_homeroom(
    tx: &mut Tx,
    school: SchoolId,
    school_year_id: i64,
    grade: i64,
    name: &str,
    homeroom_teacher: Option<UserId>,
) -> Result<HomeroomId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO homerooms (school_id, school_year_id, grade, name, homeroom_teacher_id) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(school.0)
    .bind(school_year_id)
    .bind(grade)
    .bind(name)
    .bind(homeroom_teacher.map(|user| user.0))
    .fetch_one(&mut **tx)
    .await?;
    Ok(HomeroomId(id))
}

pub async fn add_homeroom_member(
    tx: &mut Tx,
    school: SchoolId,
    school_year_id: i64,
    homeroom: HomeroomId,
    student: UserId,
    seat_no: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO homeroom_members (school_id, school_year_id, student_id, homeroom_id, seat_no) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(school.0)
    .bind(school_year_id)
    .bind(student.0)
    .bind(homeroom.0)
    .bind(seat_no)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_subject(
    tx: &mut Tx,
    school: SchoolId,
    name: &str,
) -> Result<SubjectId, sqlx::Error> {
    let id: i64 =
        sqlx::query_scalar("INSERT INTO subjects (school_id, name) VALUES ($1, $2) RETURNING id")
            .bind(school.0)
            .bind(name)
            .fetch_one(&mut **tx)
            .await?;
    Ok(SubjectId(id))
}

pub struct NewCourse<'a> {
    pub semester: SemesterId,
    pub subject: SubjectId,
    pub teacher: UserId,
    pub group_name: &'a str,
    pub credits: i64,
}

pub async fn insert_course(
    tx: &mut Tx,
    school: SchoolId,
    new: &NewCourse<'_>,
    now: UtcMillis,
) -> Result<CourseId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO courses (school_id, semester_id, subject_id, teacher_id, group_name, credits, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(school.0)
    .bind(new.semester.0)
    .bind(new.subject.0)
    .bind(new.teacher.0)
    .bind(new.group_name)
    .bind(new.credits)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(CourseId(id))
}

pub async fn enroll(
    tx: &mut Tx,
    school: SchoolId,
    course: CourseId,
    student: UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO course_enrollments (course_id, student_id, school_id) VALUES ($1, $2, $3)",
    )
    .bind(course.0)
    .bind(student.0)
    .bind(school.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Lists the courses a student takes in a semester.
pub async fn student_courses(
    pool: &AnyPool,
    school: SchoolId,
    student: UserId,
    semester: SemesterId,
) -> Result<Vec<CourseOption>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id, sub.name AS subject, c.group_name, c.credits, t.display_name AS teacher_name \
         FROM course_enrollments e \
         JOIN courses c ON c.id = e.course_id AND c.school_id = e.school_id \
         JOIN subjects sub ON sub.id = c.subject_id \
         JOIN users t ON t.id = c.teacher_id \
         WHERE e.student_id = $1 AND e.school_id = $2 AND c.semester_id = $3 \
         ORDER BY c.id",
    )
    .bind(student.0)
    .bind(school.0)
    .bind(semester.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(CourseOption {
                course_id: CourseId(row.try_get("id")?),
                subject: row.try_get("subject")?,
                group_name: row.try_get("group_name")?,
                credits: row.try_get("credits")?,
                teacher_name: row.try_get("teacher_name")?,
            })
        })
        .collect()
}

/// Returns whether the student takes the course in the given semester.
pub async fn is_enrolled(
    tx: &mut Tx,
    school: SchoolId,
    student: UserId,
    course: CourseId,
    semester: SemesterId,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT c.id FROM course_enrollments e \
         JOIN courses c ON c.id = e.course_id AND c.school_id = e.school_id \
         WHERE e.student_id = $1 AND e.school_id = $2 AND e.course_id = $3 AND c.semester_id = $4",
    )
    .bind(student.0)
    .bind(school.0)
    .bind(course.0)
    .bind(semester.0)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}
