//! What an import reads before it decides anything, and the writes it makes. Each loader
//! reads a whole table of the school in one query, so checking a file of 2,000 rows costs a
//! handful of queries, not one per row.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, Row};

use super::Tx;
use crate::domain::calendar::UtcMillis;
use crate::domain::ids::{CourseId, HomeroomId, SchoolId, SemesterId, SubjectId, UserId};
use crate::domain::role::Role;

/// The semester an import writes into, and its school year.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub semester: SemesterId,
    pub school_year: i64,
    pub semester_number: i64,
    pub school_year_id: i64,
}

/// Returns the school's current semester, the one imports write into.
pub async fn target(
    conn: &mut AnyConnection,
    school: SchoolId,
) -> Result<Option<Target>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, school_year, semester, school_year_id FROM semesters \
         WHERE school_id = $1 AND is_current = 1",
    )
    .bind(school.0)
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok(Target {
            semester: SemesterId(row.try_get("id")?),
            school_year: row.try_get("school_year")?,
            semester_number: row.try_get("semester")?,
            school_year_id: row.try_get("school_year_id")?,
        })
    })
    .transpose()
}

/// A stored student, with the homeroom and seat of the import's school year.
#[derive(Clone, Debug)]
pub struct StoredStudent {
    pub user: UserId,
    pub student_no: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub national_id_hash: Option<String>,
    pub birth_date: Option<String>,
    pub homeroom: Option<HomeroomId>,
    pub seat_no: Option<i64>,
}

pub async fn students(
    conn: &mut AnyConnection,
    school: SchoolId,
    school_year_id: i64,
) -> Result<Vec<StoredStudent>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT s.user_id, s.student_no, u.display_name, u.email, u.phone, s.national_id_hash, \
                s.birth_date, m.homeroom_id, m.seat_no \
         FROM students s \
         JOIN users u ON u.id = s.user_id AND u.school_id = s.school_id \
         LEFT JOIN homeroom_members m ON m.student_id = s.user_id AND m.school_year_id = $2 \
         WHERE s.school_id = $1",
    )
    .bind(school.0)
    .bind(school_year_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(StoredStudent {
                user: UserId(row.try_get("user_id")?),
                student_no: row.try_get("student_no")?,
                name: row.try_get("display_name")?,
                email: row.try_get("email")?,
                phone: row.try_get("phone")?,
                national_id_hash: row.try_get("national_id_hash")?,
                birth_date: row.try_get("birth_date")?,
                homeroom: row
                    .try_get::<Option<i64>, _>("homeroom_id")?
                    .map(HomeroomId),
                seat_no: row.try_get("seat_no")?,
            })
        })
        .collect()
}

/// A stored staff member with the roles held.
#[derive(Clone, Debug)]
pub struct StoredStaff {
    pub user: UserId,
    pub staff_no: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub roles: Vec<Role>,
}

pub async fn staff(
    conn: &mut AnyConnection,
    school: SchoolId,
) -> Result<Vec<StoredStaff>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT st.user_id, st.staff_no, u.display_name, u.email, u.phone \
         FROM staff st JOIN users u ON u.id = st.user_id AND u.school_id = st.school_id \
         WHERE st.school_id = $1",
    )
    .bind(school.0)
    .fetch_all(&mut *conn)
    .await?;
    let role_rows = sqlx::query("SELECT user_id, role FROM user_roles WHERE school_id = $1")
        .bind(school.0)
        .fetch_all(&mut *conn)
        .await?;
    let mut roles: HashMap<i64, Vec<Role>> = HashMap::new();
    for row in &role_rows {
        let name: String = row.try_get("role")?;
        if let Some(role) = Role::parse(&name) {
            roles.entry(row.try_get("user_id")?).or_default().push(role);
        }
    }
    rows.iter()
        .map(|row| {
            let user: i64 = row.try_get("user_id")?;
            Ok(StoredStaff {
                user: UserId(user),
                staff_no: row.try_get("staff_no")?,
                name: row.try_get("display_name")?,
                email: row.try_get("email")?,
                phone: row.try_get("phone")?,
                roles: roles.remove(&user).unwrap_or_default(),
            })
        })
        .collect()
}

/// Returns every login name of the school, with its account.
pub async fn logins(
    conn: &mut AnyConnection,
    school: SchoolId,
) -> Result<HashMap<String, UserId>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, login FROM users WHERE school_id = $1")
        .bind(school.0)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("login")?, UserId(row.try_get("id")?))))
        .collect()
}

/// A stored homeroom of the import's school year.
#[derive(Clone, Debug)]
pub struct StoredHomeroom {
    pub id: HomeroomId,
    pub name: String,
    pub grade: i64,
    pub teacher: Option<UserId>,
}

pub async fn homerooms(
    conn: &mut AnyConnection,
    school: SchoolId,
    school_year_id: i64,
) -> Result<Vec<StoredHomeroom>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, name, grade, homeroom_teacher_id FROM homerooms \
         WHERE school_id = $1 AND school_year_id = $2",
    )
    .bind(school.0)
    .bind(school_year_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(StoredHomeroom {
                id: HomeroomId(row.try_get("id")?),
                name: row.try_get("name")?,
                grade: row.try_get("grade")?,
                teacher: row
                    .try_get::<Option<i64>, _>("homeroom_teacher_id")?
                    .map(UserId),
            })
        })
        .collect()
}

/// A stored course of the import's semester.
#[derive(Clone, Debug)]
pub struct StoredCourse {
    pub id: CourseId,
    pub subject: String,
    pub group_name: String,
    pub credits: i64,
    pub teacher: UserId,
}

pub async fn courses(
    conn: &mut AnyConnection,
    school: SchoolId,
    semester: SemesterId,
) -> Result<Vec<StoredCourse>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id, s.name AS subject, c.group_name, c.credits, c.teacher_id \
         FROM courses c JOIN subjects s ON s.id = c.subject_id AND s.school_id = c.school_id \
         WHERE c.school_id = $1 AND c.semester_id = $2",
    )
    .bind(school.0)
    .bind(semester.0)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(StoredCourse {
                id: CourseId(row.try_get("id")?),
                subject: row.try_get("subject")?,
                group_name: row.try_get("group_name")?,
                credits: row.try_get("credits")?,
                teacher: UserId(row.try_get("teacher_id")?),
            })
        })
        .collect()
}

pub async fn subjects(
    conn: &mut AnyConnection,
    school: SchoolId,
) -> Result<HashMap<String, SubjectId>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, name FROM subjects WHERE school_id = $1")
        .bind(school.0)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("name")?, SubjectId(row.try_get("id")?))))
        .collect()
}

/// Returns the (course, student) pairs enrolled in the semester's courses.
pub async fn enrolments(
    conn: &mut AnyConnection,
    school: SchoolId,
    semester: SemesterId,
) -> Result<HashSet<(CourseId, UserId)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT e.course_id, e.student_id FROM course_enrollments e \
         JOIN courses c ON c.id = e.course_id \
         WHERE e.school_id = $1 AND c.semester_id = $2",
    )
    .bind(school.0)
    .bind(semester.0)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                CourseId(row.try_get("course_id")?),
                UserId(row.try_get("student_id")?),
            ))
        })
        .collect()
}

/// The account data an import writes.
pub struct Account<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
}

/// Inserts an imported account with no password. The account cannot log in until 帳號管理
/// gives it a first password (a reset or a homeroom's account slips).
pub async fn insert_account(
    tx: &mut Tx,
    school: SchoolId,
    account: &Account<'_>,
    now: UtcMillis,
) -> Result<UserId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (school_id, login, display_name, password_hash, must_change_password, \
                            email, phone, created_at, updated_at) \
         VALUES ($1, $2, $3, NULL, 1, $4, $5, $6, $6) RETURNING id",
    )
    .bind(school.0)
    .bind(account.login)
    .bind(account.name)
    .bind(account.email)
    .bind(account.phone)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(UserId(id))
}

/// Updates the name and contact data of an account; the login stays.
pub async fn update_account(
    tx: &mut Tx,
    school: SchoolId,
    user: UserId,
    account: &Account<'_>,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET display_name = $1, email = $2, phone = $3, updated_at = $4 \
         WHERE id = $5 AND school_id = $6",
    )
    .bind(account.name)
    .bind(account.email)
    .bind(account.phone)
    .bind(now.0)
    .bind(user.0)
    .bind(school.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes a student's homeroom and seat of a school year, so that seats can be exchanged
/// before the new ones are inserted.
pub async fn remove_membership(
    tx: &mut Tx,
    school: SchoolId,
    school_year_id: i64,
    student: UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM homeroom_members WHERE school_id = $1 AND school_year_id = $2 AND student_id = $3",
    )
    .bind(school.0)
    .bind(school_year_id)
    .bind(student.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn update_homeroom(
    tx: &mut Tx,
    school: SchoolId,
    homeroom: HomeroomId,
    grade: i64,
    teacher: Option<UserId>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE homerooms SET grade = $1, homeroom_teacher_id = $2 WHERE id = $3 AND school_id = $4",
    )
    .bind(grade)
    .bind(teacher.map(|user| user.0))
    .bind(homeroom.0)
    .bind(school.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn update_course(
    tx: &mut Tx,
    school: SchoolId,
    course: CourseId,
    teacher: UserId,
    credits: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE courses SET teacher_id = $1, credits = $2 WHERE id = $3 AND school_id = $4",
    )
    .bind(teacher.0)
    .bind(credits)
    .bind(course.0)
    .bind(school.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
