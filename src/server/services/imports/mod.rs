//! School data imports (匯入) by administrators: staff, homerooms, students, courses and
//! enrolments from CSV or .xlsx. A preview checks every row and writes nothing. The
//! confirmation sends the same file again, and the server checks it again inside one
//! transaction and writes all rows or none. Rows are keyed (學號, 教職員編號, homeroom name, subject and group), so
//! importing the same file twice changes nothing the second time.

mod check;
pub mod read;
pub mod templates;

use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use self::check::{Context, Plan, Stored, Writes};
use crate::domain::AppError;
use crate::domain::calendar::{SchoolYear, Semester, SemesterCode};
use crate::domain::imports::{
    ImportCounts, ImportKind, ImportPreview, ImportResult, PREVIEW_MAX_PROBLEMS, PREVIEW_MAX_ROWS,
};
use crate::domain::role::Role;
use crate::server::auth::CurrentUser;
use crate::server::db;
use crate::server::db::audit::AuditEvent;
use crate::server::db::courses::NewCourse;
use crate::server::db::imports::{Account, Target};
use crate::server::error::OrInternal;
use crate::server::state::AppState;

/// The largest file accepted: a school of 3,000 students exports well under 1 MiB.
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;

/// Returns the semester that imports write into, for the import page.
pub async fn target_semester(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Option<SemesterCode>, AppError> {
    user.require(Role::Admin)?;
    let mut conn = state
        .db
        .pool
        .acquire()
        .await
        .or_internal("opening a connection")?;
    let target = db::imports::target(&mut conn, user.school_id)
        .await
        .or_internal("loading the current semester")?;
    Ok(target.map(semester_code))
}

/// Checks a file and reports what importing it would do, writing nothing.
pub async fn preview(
    state: &AppState,
    user: &CurrentUser,
    kind: ImportKind,
    bytes: &[u8],
) -> Result<ImportPreview, AppError> {
    user.require(Role::Admin)?;
    let lines = read::read_lines(bytes).map_err(AppError::ImportFile)?;

    let mut conn = state
        .db
        .pool
        .acquire()
        .await
        .or_internal("opening a connection")?;
    let (target, plan) = plan(state, user, kind, &lines, &mut conn).await?;

    let problem_count = plan.problems.len() as u32;
    let row_count = plan.rows.len() as u32;
    let mut problems = plan.problems;
    problems.truncate(PREVIEW_MAX_PROBLEMS);
    let mut rows = plan.rows;
    rows.truncate(PREVIEW_MAX_ROWS);

    tracing::info!(
        user.id = %user.user_id,
        import.kind = kind.as_str(),
        rows = row_count,
        problems = problem_count,
        "import previewed"
    );
    Ok(ImportPreview {
        kind,
        sha256: sha256_hex(bytes),
        semester: semester_code(target),
        row_count,
        counts: plan.counts,
        columns: plan.columns,
        rows,
        problem_count,
        problems,
        ignored_columns: plan.ignored_columns,
    })
}

/// Imports a file that was previewed: `sha256` must be the preview's, so that what is
/// written is what the administrator saw. Every row is checked again in the transaction,
/// and any problem writes nothing.
pub async fn commit(
    state: &AppState,
    user: &CurrentUser,
    kind: ImportKind,
    bytes: &[u8],
    sha256: &str,
) -> Result<ImportResult, AppError> {
    user.require(Role::Admin)?;
    if !sha256.trim().eq_ignore_ascii_case(&sha256_hex(bytes)) {
        return Err(AppError::ImportChanged);
    }
    let lines = read::read_lines(bytes).map_err(AppError::ImportFile)?;

    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting an import")?;
    let (target, plan) = plan(state, user, kind, &lines, &mut tx).await?;
    if !plan.problems.is_empty() {
        return Err(AppError::ImportHasProblems {
            count: plan.problems.len() as u32,
        });
    }

    write(state, user, target, plan.writes, &mut tx, now).await?;
    let counts = plan.counts;
    db::audit::insert(
        &mut tx,
        &AuditEvent {
            school: user.school_id,
            actor: Some(user.user_id),
            entity: "school",
            entity_id: user.school_id.0,
            action: &format!("import_{}", kind.as_str()),
            old_value: None,
            new_value: Some(&describe_counts(counts)),
            reason: None,
        },
        now,
    )
    .await
    .or_internal("writing an audit row")?;
    tx.commit().await.or_internal("committing an import")?;

    tracing::info!(
        user.id = %user.user_id,
        import.kind = kind.as_str(),
        inserted = counts.inserted,
        updated = counts.updated,
        unchanged = counts.unchanged,
        "import written"
    );
    Ok(ImportResult { kind, counts })
}

/// Formats the counts for the audit log as `import:{inserted}:{updated}:{unchanged}`, which
/// the audit page puts into words.
fn describe_counts(counts: ImportCounts) -> String {
    format!(
        "import:{}:{}:{}",
        counts.inserted, counts.updated, counts.unchanged
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn semester_code(target: Target) -> SemesterCode {
    let semester = Semester::from_number(target.semester_number).unwrap_or(Semester::First);
    SemesterCode::new(SchoolYear(target.school_year as i16), semester)
}

/// Loads what the kind is checked against and checks every line.
async fn plan(
    state: &AppState,
    user: &CurrentUser,
    kind: ImportKind,
    lines: &[read::Line],
    conn: &mut AnyConnection,
) -> Result<(Target, Plan), AppError> {
    let school = user.school_id;
    let target = db::imports::target(&mut *conn, school)
        .await
        .or_internal("loading the current semester")?
        .ok_or(AppError::NoCurrentSemester)?;
    let loading = "loading stored data for an import";
    let stored = match kind {
        ImportKind::Staff => Stored::Staff {
            staff: db::imports::staff(&mut *conn, school)
                .await
                .or_internal(loading)?,
            logins: db::imports::logins(&mut *conn, school)
                .await
                .or_internal(loading)?,
        },
        ImportKind::Homerooms => Stored::Homerooms {
            homerooms: db::imports::homerooms(&mut *conn, school, target.school_year_id)
                .await
                .or_internal(loading)?,
            staff: db::imports::staff(&mut *conn, school)
                .await
                .or_internal(loading)?,
        },
        ImportKind::Students => Stored::Students {
            students: db::imports::students(&mut *conn, school, target.school_year_id)
                .await
                .or_internal(loading)?,
            homerooms: db::imports::homerooms(&mut *conn, school, target.school_year_id)
                .await
                .or_internal(loading)?,
            logins: db::imports::logins(&mut *conn, school)
                .await
                .or_internal(loading)?,
        },
        ImportKind::Courses => Stored::Courses {
            courses: db::imports::courses(&mut *conn, school, target.semester)
                .await
                .or_internal(loading)?,
            staff: db::imports::staff(&mut *conn, school)
                .await
                .or_internal(loading)?,
        },
        ImportKind::Enrolments => Stored::Enrolments {
            courses: db::imports::courses(&mut *conn, school, target.semester)
                .await
                .or_internal(loading)?,
            students: db::imports::students(&mut *conn, school, target.school_year_id)
                .await
                .or_internal(loading)?,
            enrolled: db::imports::enrolments(&mut *conn, school, target.semester)
                .await
                .or_internal(loading)?,
        },
    };
    let context = Context {
        kind,
        semester: semester_code(target),
        today: state.clock.now().taipei_date(),
        cipher: &state.national_ids,
    };
    Ok((target, check::check(&context, lines, stored)))
}

/// Writes the changing rows of a checked file inside the import's transaction.
async fn write(
    state: &AppState,
    user: &CurrentUser,
    target: Target,
    writes: Writes,
    tx: &mut db::Tx,
    now: crate::domain::calendar::UtcMillis,
) -> Result<(), AppError> {
    let school = user.school_id;
    let failed = "writing an import";
    match writes {
        Writes::Staff(rows) => {
            for row in rows {
                let account = Account {
                    login: &row.staff_no,
                    name: &row.name,
                    email: row.email.as_deref(),
                    phone: row.phone.as_deref(),
                };
                let user_id = match row.existing {
                    Some(user_id) => {
                        if row.account_changed {
                            db::imports::update_account(tx, school, user_id, &account, now)
                                .await
                                .or_internal(failed)?;
                        }
                        user_id
                    }
                    None => {
                        let user_id = db::imports::insert_account(tx, school, &account, now)
                            .await
                            .or_internal(failed)?;
                        db::users::insert_staff(tx, school, user_id, &row.staff_no)
                            .await
                            .or_internal(failed)?;
                        user_id
                    }
                };
                for role in row.roles_to_add {
                    db::users::add_role(tx, school, user_id, role)
                        .await
                        .or_internal(failed)?;
                }
            }
        }
        Writes::Homerooms(rows) => {
            let mut given_role = std::collections::HashSet::new();
            for row in rows {
                match row.existing {
                    Some(id) => {
                        db::imports::update_homeroom(tx, school, id, row.grade, row.teacher)
                            .await
                            .or_internal(failed)?
                    }
                    None => {
                        db::courses::insert_homeroom(
                            tx,
                            school,
                            target.school_year_id,
                            row.grade,
                            &row.name,
                            row.teacher,
                        )
                        .await
                        .or_internal(failed)?;
                    }
                }
                if let Some(teacher) = row.teacher
                    && row.teacher_lacks_role
                    && given_role.insert(teacher)
                {
                    db::users::add_role(tx, school, teacher, Role::HomeroomTeacher)
                        .await
                        .or_internal(failed)?;
                }
            }
        }
        Writes::Students(rows) => write_students(state, school, target, rows, tx, now).await?,
        Writes::Courses(rows) => {
            let mut subjects = db::imports::subjects(tx, school)
                .await
                .or_internal(failed)?;
            let mut given_role = std::collections::HashSet::new();
            for row in rows {
                match row.existing {
                    Some(id) => {
                        db::imports::update_course(tx, school, id, row.teacher, row.credits)
                            .await
                            .or_internal(failed)?;
                    }
                    None => {
                        let subject = match subjects.get(&row.subject) {
                            Some(subject) => *subject,
                            None => {
                                let subject = db::courses::insert_subject(tx, school, &row.subject)
                                    .await
                                    .or_internal(failed)?;
                                subjects.insert(row.subject.clone(), subject);
                                subject
                            }
                        };
                        let course = NewCourse {
                            semester: target.semester,
                            subject,
                            teacher: row.teacher,
                            group_name: &row.group_name,
                            credits: row.credits,
                        };
                        db::courses::insert_course(tx, school, &course, now)
                            .await
                            .or_internal(failed)?;
                    }
                }
                if row.teacher_lacks_role && given_role.insert(row.teacher) {
                    db::users::add_role(tx, school, row.teacher, Role::Teacher)
                        .await
                        .or_internal(failed)?;
                }
            }
        }
        Writes::Enrolments(rows) => {
            for row in rows {
                db::courses::enroll(tx, school, row.course, row.student)
                    .await
                    .or_internal(failed)?;
            }
        }
    }
    Ok(())
}

/// Writes student rows. Seats are moved in two steps, all removals before any insertion,
/// so that two students may exchange seats or homerooms in one file.
async fn write_students(
    state: &AppState,
    school: crate::domain::ids::SchoolId,
    target: Target,
    rows: Vec<check::StudentWrite>,
    tx: &mut db::Tx,
    now: crate::domain::calendar::UtcMillis,
) -> Result<(), AppError> {
    let failed = "writing imported students";
    let mut seats = Vec::new();
    for row in &rows {
        let account = Account {
            login: &row.student_no,
            name: &row.name,
            email: row.email.as_deref(),
            phone: row.phone.as_deref(),
        };
        let user_id = match row.existing {
            Some(user_id) => {
                if row.account_changed {
                    db::imports::update_account(tx, school, user_id, &account, now)
                        .await
                        .or_internal(failed)?;
                }
                if row.membership_changed {
                    db::imports::remove_membership(tx, school, target.school_year_id, user_id)
                        .await
                        .or_internal(failed)?;
                }
                user_id
            }
            None => {
                let user_id = db::imports::insert_account(tx, school, &account, now)
                    .await
                    .or_internal(failed)?;
                db::users::add_role(tx, school, user_id, Role::Student)
                    .await
                    .or_internal(failed)?;
                db::users::insert_student(tx, school, user_id, &row.student_no)
                    .await
                    .or_internal(failed)?;
                user_id
            }
        };
        if row.identity_changed {
            let encrypted = state.national_ids.encrypt(&row.national_id);
            db::users::set_student_identity(
                tx,
                school,
                user_id,
                &encrypted,
                &row.national_id_hash,
                &row.birth_date,
            )
            .await
            .or_internal(failed)?;
        }
        if row.membership_changed {
            seats.push((user_id, row.homeroom, row.seat_no));
        }
    }
    for (user_id, homeroom, seat_no) in seats {
        db::courses::add_homeroom_member(
            tx,
            school,
            target.school_year_id,
            homeroom,
            user_id,
            seat_no,
        )
        .await
        .or_internal(failed)?;
    }
    Ok(())
}
