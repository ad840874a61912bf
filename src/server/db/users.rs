//! Accounts, roles, students and staff.

use sqlx::{AnyPool, Row};

use super::Tx;
use crate::domain::calendar::UtcMillis;
use crate::domain::ids::{SchoolId, UserId};
use crate::domain::role::Role;

/// What a login attempt needs of an account.
#[derive(Clone, Debug)]
pub struct LoginRow {
    pub id: UserId,
    pub password_hash: Option<String>,
    pub is_active: bool,
    pub must_change_password: bool,
    /// When the first password stops working, if the account still has it.
    pub initial_credential_expires_at: Option<UtcMillis>,
}

/// The name and school of an account, for the navigation bar.
#[derive(Clone, Debug)]
pub struct UserSummary {
    pub id: UserId,
    pub display_name: String,
    pub school_name: String,
}

pub struct NewUser<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub password_hash: Option<&'a str>,
    pub email: Option<&'a str>,
}

pub async fn insert_user(
    tx: &mut Tx,
    school: SchoolId,
    new: &NewUser<'_>,
    now: UtcMillis,
) -> Result<UserId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (school_id, login, display_name, password_hash, email, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(school.0)
    .bind(new.login)
    .bind(new.display_name)
    .bind(new.password_hash)
    .bind(new.email)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(UserId(id))
}

pub async fn add_role(
    tx: &mut Tx,
    school: SchoolId,
    user: UserId,
    role: Role,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO user_roles (user_id, school_id, role) VALUES ($1, $2, $3)")
        .bind(user.0)
        .bind(school.0)
        .bind(role.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert_student(
    tx: &mut Tx,
    school: SchoolId,
    user: UserId,
    student_no: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO students (user_id, school_id, student_no) VALUES ($1, $2, $3)")
        .bind(user.0)
        .bind(school.0)
        .bind(student_no)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert_staff(
    tx: &mut Tx,
    school: SchoolId,
    user: UserId,
    staff_no: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO staff (user_id, school_id, staff_no) VALUES ($1, $2, $3)")
        .bind(user.0)
        .bind(school.0)
        .bind(staff_no)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn find_login(
    pool: &AnyPool,
    school: SchoolId,
    login: &str,
) -> Result<Option<LoginRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, password_hash, is_active, must_change_password, initial_credential_expires_at \
         FROM users WHERE school_id = $1 AND login = $2",
    )
    .bind(school.0)
    .bind(login)
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        Ok(LoginRow {
            id: UserId(row.try_get("id")?),
            password_hash: row.try_get("password_hash")?,
            is_active: row.try_get::<i64, _>("is_active")? == 1,
            must_change_password: row.try_get::<i64, _>("must_change_password")? == 1,
            initial_credential_expires_at: row
                .try_get::<Option<i64>, _>("initial_credential_expires_at")?
                .map(UtcMillis),
        })
    })
    .transpose()
}

pub async fn roles(
    pool: &AnyPool,
    school: SchoolId,
    user: UserId,
) -> Result<Vec<Role>, sqlx::Error> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT role FROM user_roles WHERE user_id = $1 AND school_id = $2 ORDER BY role",
    )
    .bind(user.0)
    .bind(school.0)
    .fetch_all(pool)
    .await?;
    let mut roles: Vec<Role> = names.iter().filter_map(|name| Role::parse(name)).collect();
    roles.sort();
    Ok(roles)
}

pub async fn summary(
    pool: &AnyPool,
    school: SchoolId,
    user: UserId,
) -> Result<Option<UserSummary>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, u.display_name, s.name AS school_name \
         FROM users u JOIN schools s ON s.id = u.school_id \
         WHERE u.id = $1 AND u.school_id = $2 AND u.is_active = 1",
    )
    .bind(user.0)
    .bind(school.0)
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        Ok(UserSummary {
            id: UserId(row.try_get("id")?),
            display_name: row.try_get("display_name")?,
            school_name: row.try_get("school_name")?,
        })
    })
    .transpose()
}

/// Stores a student's national ID (already encrypted, with its lookup hash) and birth date.
pub async fn set_student_identity(
    tx: &mut Tx,
    school: SchoolId,
    student: UserId,
    national_id_enc: &str,
    national_id_hash: &str,
    birth_date: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE students SET national_id_enc = $1, national_id_hash = $2, birth_date = $3 WHERE user_id = $4 AND school_id = $5",
    )
    .bind(national_id_enc)
    .bind(national_id_hash)
    .bind(birth_date)
    .bind(student.0)
    .bind(school.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Finds a student of the school by 學號.
pub async fn find_student_by_number(
    pool: &AnyPool,
    school: SchoolId,
    student_no: &str,
) -> Result<Option<UserId>, sqlx::Error> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT user_id FROM students WHERE school_id = $1 AND student_no = $2")
            .bind(school.0)
            .bind(student_no.trim())
            .fetch_optional(pool)
            .await?;
    Ok(id.map(UserId))
}

/// What a new password is checked against, and the current password's hash.
pub struct PasswordOwner {
    pub login: String,
    pub password_hash: Option<String>,
    pub student_number: Option<String>,
    pub national_id_enc: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
}

pub async fn password_owner(
    pool: &AnyPool,
    school: SchoolId,
    user: UserId,
) -> Result<Option<PasswordOwner>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.login, u.password_hash, s.student_no, s.national_id_enc, s.birth_date \
         FROM users u LEFT JOIN students s ON s.user_id = u.id AND s.school_id = u.school_id \
         WHERE u.school_id = $1 AND u.id = $2",
    )
    .bind(school.0)
    .bind(user.0)
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        Ok(PasswordOwner {
            login: row.try_get("login")?,
            password_hash: row.try_get("password_hash")?,
            student_number: row.try_get("student_no")?,
            national_id_enc: row.try_get("national_id_enc")?,
            birth_date: row.try_get("birth_date")?,
        })
    })
    .transpose()
}

/// Stores a password the user chose; the first password and its expiry are gone.
pub async fn set_chosen_password(
    tx: &mut Tx,
    school: SchoolId,
    user: UserId,
    password_hash: &str,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = 0, \
         initial_credential_expires_at = NULL, updated_at = $2 WHERE school_id = $3 AND id = $4",
    )
    .bind(password_hash)
    .bind(now.0)
    .bind(school.0)
    .bind(user.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sets the e-mail address and mobile number on record, which 忘記帳號/密碼 sends to.
pub async fn set_contact(
    tx: &mut Tx,
    school: SchoolId,
    user: UserId,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET email = $1, phone = $2 WHERE school_id = $3 AND id = $4")
        .bind(email)
        .bind(phone)
        .bind(school.0)
        .bind(user.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
