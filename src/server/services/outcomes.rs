//! The student's side of course outcomes: upload, revise, submit (送出認證), delete, and the
//! lists and history the student reads.

use crate::domain::AppError;
use crate::domain::calendar::UtcMillis;
use crate::domain::calendar::{SchoolYear, SemesterCode};
use crate::domain::files::{FileKind, FileSlot};
use crate::domain::ids::SemesterId;
use crate::domain::ids::{CourseId, FileId, OutcomeId, SchoolId, UserId};
use crate::domain::outcome::{OutcomeState, SemesterCounts, Transition};
use crate::domain::role::Role;
use crate::domain::text::Summary;
use crate::domain::views::{
    OutcomeDetail, Saved, SelectionSummary, StudentOutcome, StudentOverview, StudentSemester,
    UploadContext,
};
use crate::server::auth::CurrentUser;
use crate::server::db::audit::AuditEvent;
use crate::server::db::files::NewFile;
use crate::server::db::outcomes::{NewDraft, OutcomeCore, Token};
use crate::server::db::{self, Tx};
use crate::server::error::OrInternal;
use crate::server::state::AppState;
use crate::server::storage::StagedBlob;

use super::windows;

/// A file that passed every check and waits, durable but temporary, for its outcome's row.
pub struct UploadedFile {
    pub slot: FileSlot,
    pub kind: FileKind,
    pub original_name: String,
    pub blob: Box<dyn StagedBlob>,
}

/// A new outcome as uploaded.
pub struct NewOutcome {
    pub course_id: CourseId,
    pub summary: String,
    pub files: Vec<UploadedFile>,
}

/// A revision of a draft or a failed outcome. Slots without a new file keep their file.
pub struct Revision {
    pub outcome_id: OutcomeId,
    pub version: i64,
    pub summary: String,
    pub files: Vec<UploadedFile>,
}

/// Returns what the upload page shows before a file is chosen.
pub async fn upload_context(
    state: &AppState,
    user: &CurrentUser,
) -> Result<UploadContext, AppError> {
    user.require(Role::Student)?;
    let pool = &state.db.pool;
    let semester = db::schools::current_semester(pool, user.school_id)
        .await
        .or_internal("loading the semester")?;
    let school = db::schools::find_by_id(pool, user.school_id)
        .await
        .or_internal("loading the school")?;
    let (courses, uploaded) = match semester {
        Some(semester) => (
            db::courses::student_courses(pool, user.school_id, user.user_id, semester.id)
                .await
                .or_internal("loading courses")?,
            db::outcomes::count_in_semester_now(pool, user.school_id, user.user_id, semester.id)
                .await
                .or_internal("counting outcomes")?,
        ),
        None => (Vec::new(), 0),
    };
    let now = state.clock.now();
    let window = match semester {
        Some(semester) => {
            let mut connection = state
                .db
                .pool
                .acquire()
                .await
                .or_internal("acquiring a connection")?;
            Some(
                windows::student_window(
                    &mut connection,
                    user.school_id,
                    user.user_id,
                    semester.id,
                    now,
                )
                .await?,
            )
        }
        None => None,
    };
    Ok(UploadContext {
        semester: semester.map(|semester| semester.code),
        window,
        courses,
        rules: state.file_rules(),
        upload_limit: school
            .and_then(|school| school.max_outcomes_per_semester)
            .and_then(|max| u32::try_from(max).ok()),
        uploaded_this_semester: u64::try_from(uploaded).unwrap_or(0),
    })
}

/// Refuses an upload before its body is read: the caller must be a student and the current
/// semester's window must be open. `create` checks again once the files have arrived.
pub async fn check_can_upload(state: &AppState, user: &CurrentUser) -> Result<(), AppError> {
    user.require(Role::Student)?;
    let semester = db::schools::current_semester(&state.db.pool, user.school_id)
        .await
        .or_internal("loading the semester")?
        .ok_or(AppError::NotEnrolled)?;
    let mut connection = state
        .db
        .pool
        .acquire()
        .await
        .or_internal("acquiring a connection")?;
    windows::require_student_window(
        &mut connection,
        user.school_id,
        user.user_id,
        semester.id,
        state.clock.now(),
    )
    .await
}

/// Refuses a revision before its body is read: the outcome must be the student's, revisable,
/// and in an open window. `revise` checks again once the files have arrived.
pub async fn check_can_revise(
    state: &AppState,
    user: &CurrentUser,
    outcome: OutcomeId,
) -> Result<(), AppError> {
    user.require(Role::Student)?;
    let mut tx = state
        .db
        .pool
        .begin()
        .await
        .or_internal("starting a revision check")?;
    let core = load_own(&mut tx, user, outcome).await?;
    core.state.apply(Transition::Revise)?;
    windows::require_student_window(
        &mut tx,
        user.school_id,
        user.user_id,
        core.semester_id,
        state.clock.now(),
    )
    .await?;
    tx.rollback().await.or_internal("ending a revision check")?;
    Ok(())
}

/// Creates a draft from an upload. The files are made durable before the row that points at
/// them is written, and the answer goes out only after that row is committed.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    new: NewOutcome,
) -> Result<Saved, AppError> {
    user.require(Role::Student)?;
    let summary = Summary::parse(&new.summary).map_err(AppError::Summary)?;
    if new.files.is_empty() {
        return Err(AppError::NoFile);
    }
    let pool = &state.db.pool;
    let semester = db::schools::current_semester(pool, user.school_id)
        .await
        .or_internal("loading the semester")?
        .ok_or(AppError::NotEnrolled)?;
    let school = db::schools::find_by_id(pool, user.school_id)
        .await
        .or_internal("loading the school")?
        .ok_or(AppError::Unauthenticated)?;

    // Check what can be checked before the files are committed, so a refused upload leaves
    // nothing behind. A read transaction is enough: the checks are repeated under the write
    // lock below, and this one then does not queue behind other uploads' commits.
    let mut tx = state
        .db
        .pool
        .begin()
        .await
        .or_internal("starting the upload")?;
    check_can_create(
        state,
        &mut tx,
        user,
        new.course_id,
        semester.id,
        school.max_outcomes_per_semester,
    )
    .await?;
    tx.rollback().await.or_internal("ending the upload check")?;

    let staged = commit_files(new.files).await?;

    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting the upload")?;
    // On PostgreSQL, a second upload of the same student waits here, so its limit check
    // counts the first upload's outcome.
    db::outcomes::lock_student(&state.db, &mut tx, user.school_id, user.user_id)
        .await
        .or_internal("locking the student")?;
    check_can_create(
        state,
        &mut tx,
        user,
        new.course_id,
        semester.id,
        school.max_outcomes_per_semester,
    )
    .await?;
    let (document, media) = insert_files(&mut tx, user, &staged, now).await?;
    let outcome_id = db::outcomes::insert_draft(
        &mut tx,
        user.school_id,
        &NewDraft {
            student: user.user_id,
            course: new.course_id,
            summary: summary.as_str(),
            document,
            media,
        },
        now,
    )
    .await
    .or_internal("inserting an outcome")?;
    audit(
        &mut tx,
        user,
        outcome_id,
        "create",
        None,
        Some("draft"),
        None,
        now,
    )
    .await?;
    tx.commit().await.or_internal("committing an upload")?;
    tracing::debug!(user.id = %user.user_id, outcome.id = %outcome_id, files = staged.len(), "outcome uploaded");
    Ok(Saved {
        outcome_id,
        version: 1,
    })
}

async fn check_can_create(
    state: &AppState,
    tx: &mut Tx,
    user: &CurrentUser,
    course: CourseId,
    semester: crate::domain::ids::SemesterId,
    limit: Option<i64>,
) -> Result<(), AppError> {
    // Checked under the lock, just before the row is written: an upload that began inside the
    // window but finished after it is refused here.
    windows::require_student_window(
        tx,
        user.school_id,
        user.user_id,
        semester,
        state.clock.now(),
    )
    .await?;
    let enrolled = db::courses::is_enrolled(tx, user.school_id, user.user_id, course, semester)
        .await
        .or_internal("checking enrolment")?;
    if !enrolled {
        tracing::info!(user.id = %user.user_id, course.id = %course, "upload refused: not enrolled");
        return Err(AppError::NotEnrolled);
    }
    if let Some(max) = limit {
        let count = db::outcomes::count_in_semester(tx, user.school_id, user.user_id, semester)
            .await
            .or_internal("counting outcomes")?;
        if count >= max {
            return Err(AppError::UploadLimitReached {
                max: u32::try_from(max).unwrap_or(u32::MAX),
            });
        }
    }
    Ok(())
}

/// A file whose bytes are committed to the store.
struct CommittedFile {
    slot: FileSlot,
    kind: FileKind,
    original_name: String,
    sha256: String,
    size: u64,
}

async fn commit_files(files: Vec<UploadedFile>) -> Result<Vec<CommittedFile>, AppError> {
    let mut committed = Vec::with_capacity(files.len());
    for file in files {
        let sha256 = file.blob.sha256().to_owned();
        let size = file.blob.size();
        file.blob
            .commit()
            .await
            .or_internal("committing an uploaded file")?;
        committed.push(CommittedFile {
            slot: file.slot,
            kind: file.kind,
            original_name: file.original_name,
            sha256,
            size,
        });
    }
    Ok(committed)
}

async fn insert_files(
    tx: &mut Tx,
    user: &CurrentUser,
    files: &[CommittedFile],
    now: UtcMillis,
) -> Result<(Option<FileId>, Option<FileId>), AppError> {
    let mut document = None;
    let mut media = None;
    for file in files {
        let id = db::files::insert(
            tx,
            user.school_id,
            &NewFile {
                sha256: &file.sha256,
                byte_size: file.size,
                kind: file.kind,
                original_name: &file.original_name,
                uploaded_by: user.user_id,
            },
            now,
        )
        .await
        .or_internal("inserting a file row")?;
        match file.slot {
            FileSlot::Document => document = Some(id),
            FileSlot::Media => media = Some(id),
        }
    }
    Ok((document, media))
}

/// Replaces the 簡述 and, where given, the files of a draft or failed outcome. A failed
/// outcome becomes a draft again; its failed round stays in the history.
pub async fn revise(
    state: &AppState,
    user: &CurrentUser,
    revision: Revision,
) -> Result<Saved, AppError> {
    user.require(Role::Student)?;
    let summary = Summary::parse(&revision.summary).map_err(AppError::Summary)?;

    // A read transaction, as in `create`: the check is repeated under the write lock below.
    let mut tx = state
        .db
        .pool
        .begin()
        .await
        .or_internal("starting a revision")?;
    let core = load_own(&mut tx, user, revision.outcome_id).await?;
    core.state.apply(Transition::Revise)?;
    tx.rollback()
        .await
        .or_internal("ending the revision check")?;

    let staged = commit_files(revision.files).await?;

    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a revision")?;
    let core = load_own(&mut tx, user, revision.outcome_id).await?;
    let next = apply(core.state, Transition::Revise)?;
    windows::require_student_window(&mut tx, user.school_id, user.user_id, core.semester_id, now)
        .await?;
    claim(
        &mut tx,
        user.school_id,
        &core,
        Token::Student(revision.version),
        now,
    )
    .await?;
    let (new_document, new_media) = insert_files(&mut tx, user, &staged, now).await?;
    db::outcomes::revise(
        &mut tx,
        user.school_id,
        core.id,
        summary.as_str(),
        new_document.or(core.document_file_id),
        new_media.or(core.media_file_id),
    )
    .await
    .or_internal("storing a revision")?;
    audit(
        &mut tx,
        user,
        core.id,
        "revise",
        Some(core.state.status.as_str()),
        Some(next.status.as_str()),
        None,
        now,
    )
    .await?;
    tx.commit().await.or_internal("committing a revision")?;
    tracing::debug!(user.id = %user.user_id, outcome.id = %core.id, "outcome revised");
    Ok(Saved {
        outcome_id: core.id,
        version: revision.version + 1,
    })
}

/// 送出認證: opens a review round with what the outcome holds now. A second click after the
/// first succeeded is refused because the outcome is already pending.
pub async fn submit(
    state: &AppState,
    user: &CurrentUser,
    outcome: OutcomeId,
    version: i64,
) -> Result<Saved, AppError> {
    user.require(Role::Student)?;
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a submission")?;
    let core = load_own(&mut tx, user, outcome).await?;
    let next = apply(core.state, Transition::Submit)?;
    windows::require_student_window(&mut tx, user.school_id, user.user_id, core.semester_id, now)
        .await?;
    claim(&mut tx, user.school_id, &core, Token::Student(version), now).await?;
    db::outcomes::open_review(&mut tx, user.school_id, &core, user.user_id, now)
        .await
        .or_internal("opening a review round")?;
    audit(
        &mut tx,
        user,
        core.id,
        "submit",
        Some(core.state.status.as_str()),
        Some(next.status.as_str()),
        None,
        now,
    )
    .await?;
    tx.commit().await.or_internal("committing a submission")?;
    tracing::debug!(user.id = %user.user_id, outcome.id = %core.id, round = core.round + 1, "outcome submitted");
    Ok(Saved {
        outcome_id: core.id,
        version: version + 1,
    })
}

/// Deletes a draft or failed outcome. The row stays, marked deleted, for the audit trail.
pub async fn delete(
    state: &AppState,
    user: &CurrentUser,
    outcome: OutcomeId,
    version: i64,
) -> Result<(), AppError> {
    user.require(Role::Student)?;
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a deletion")?;
    let core = load_own(&mut tx, user, outcome).await?;
    apply_delete(core.state)?;
    windows::require_student_window(&mut tx, user.school_id, user.user_id, core.semester_id, now)
        .await?;
    claim(&mut tx, user.school_id, &core, Token::Student(version), now).await?;
    db::outcomes::soft_delete(&mut tx, user.school_id, core.id, now)
        .await
        .or_internal("deleting an outcome")?;
    audit(
        &mut tx,
        user,
        core.id,
        "delete",
        Some(core.state.status.as_str()),
        None,
        None,
        now,
    )
    .await?;
    tx.commit().await.or_internal("committing a deletion")?;
    tracing::debug!(user.id = %user.user_id, outcome.id = %core.id, "outcome deleted");
    Ok(())
}

/// Lists the student's outcomes by semester with the summary line and window of each, and
/// the selection (勾選) of each school year.
pub async fn overview(state: &AppState, user: &CurrentUser) -> Result<StudentOverview, AppError> {
    user.require(Role::Student)?;
    let pool = &state.db.pool;
    let now = state.clock.now();
    let current = db::schools::current_semester(pool, user.school_id)
        .await
        .or_internal("loading the semester")?;
    let outcomes = db::outcomes::list_for_student(pool, user.school_id, user.user_id)
        .await
        .or_internal("listing outcomes")?;

    let mut groups: Vec<(SemesterId, SemesterCode, Vec<StudentOutcome>)> = Vec::new();
    for outcome in outcomes {
        match groups.last_mut() {
            Some((id, _, list)) if *id == outcome.semester_id => list.push(outcome),
            _ => groups.push((outcome.semester_id, outcome.semester, vec![outcome])),
        }
    }
    // The current semester is listed even before the first upload.
    if let Some(current) = current
        && !groups.iter().any(|(id, ..)| *id == current.id)
    {
        groups.insert(0, (current.id, current.code, Vec::new()));
    }

    // Counted before the connection below is acquired. A request that keeps one pooled
    // connection while it waits for another can exhaust the pool under load.
    let counts = db::selections::counts_by_year(pool, user.school_id, user.user_id)
        .await
        .or_internal("counting selections")?;
    let mut connection = pool.acquire().await.or_internal("acquiring a connection")?;
    let mut semesters = Vec::with_capacity(groups.len());
    for (semester_id, code, outcomes) in groups {
        let window = windows::student_window(
            &mut connection,
            user.school_id,
            user.user_id,
            semester_id,
            now,
        )
        .await?;
        let counts = SemesterCounts::tally(code, outcomes.iter().map(|outcome| outcome.status));
        semesters.push(StudentSemester {
            counts,
            outcomes,
            window,
        });
    }

    let mut years: Vec<SchoolYear> = semesters
        .iter()
        .filter_map(|group| group.counts.semester.map(|code| code.school_year))
        .collect();
    years.dedup();
    let max = db::windows::max_selections(&mut *connection, user.school_id)
        .await
        .or_internal("loading the selection limit")?;
    let mut selections = Vec::with_capacity(years.len());
    for year in years {
        let Some((year_id, window)) =
            db::windows::school_year(&mut *connection, user.school_id, year)
                .await
                .or_internal("loading a school year")?
        else {
            continue;
        };
        let submitted = db::submissions::year_submitted(&mut *connection, user.school_id, year_id)
            .await
            .or_internal("loading submissions")?;
        let selected = counts
            .iter()
            .find(|(id, _)| *id == year_id)
            .map(|(_, count)| *count)
            .unwrap_or(0);
        selections.push(SelectionSummary {
            school_year: year,
            selected: u32::try_from(selected).unwrap_or(u32::MAX),
            max: u32::try_from(max).unwrap_or(0),
            window: windows::selection_info(window, now).0,
            submitted,
        });
    }
    Ok(StudentOverview {
        current_semester: current.map(|semester| semester.code),
        semesters,
        selections,
    })
}

/// Returns one of the student's outcomes with its review history.
pub async fn detail(
    state: &AppState,
    user: &CurrentUser,
    outcome: OutcomeId,
) -> Result<OutcomeDetail, AppError> {
    user.require(Role::Student)?;
    let pool = &state.db.pool;
    let view = db::outcomes::find_student_view(pool, user.school_id, user.user_id, outcome)
        .await
        .or_internal("loading an outcome")?
        .ok_or(AppError::NotFound(crate::domain::error::Resource::Outcome))?;
    let history = db::outcomes::history_for_student(pool, user.school_id, user.user_id, outcome)
        .await
        .or_internal("loading an outcome's history")?;
    Ok(OutcomeDetail {
        outcome: view,
        history,
    })
}

async fn load_own(
    tx: &mut Tx,
    user: &CurrentUser,
    outcome: OutcomeId,
) -> Result<OutcomeCore, AppError> {
    db::outcomes::find_for_student(tx, user.school_id, user.user_id, outcome)
        .await
        .or_internal("loading an outcome")?
        .ok_or(AppError::NotFound(crate::domain::error::Resource::Outcome))
}

fn apply(state: OutcomeState, transition: Transition) -> Result<OutcomeState, AppError> {
    state
        .apply(transition)?
        .ok_or_else(|| AppError::BadRequest("transition deletes the outcome".into()))
}

fn apply_delete(state: OutcomeState) -> Result<(), AppError> {
    match state.apply(Transition::Delete)? {
        None => Ok(()),
        Some(_) => Err(AppError::BadRequest("delete did not delete".into())),
    }
}

/// Claims the outcome at the version the caller saw, or reports a conflict.
pub(crate) async fn claim(
    tx: &mut Tx,
    school: SchoolId,
    core: &OutcomeCore,
    token: Token,
    now: UtcMillis,
) -> Result<(), AppError> {
    let current = match token {
        Token::Student(expected) => expected == core.student_version,
        Token::Certifier { expected, .. } => expected == core.version,
    };
    if !current {
        return Err(AppError::Conflict);
    }
    let won = db::outcomes::claim_version(tx, school, core.id, token, now)
        .await
        .or_internal("claiming an outcome")?;
    if won { Ok(()) } else { Err(AppError::Conflict) }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn audit(
    tx: &mut Tx,
    user: &CurrentUser,
    outcome: OutcomeId,
    action: &str,
    old_value: Option<&str>,
    new_value: Option<&str>,
    reason: Option<&str>,
    now: UtcMillis,
) -> Result<(), AppError> {
    db::audit::insert(
        tx,
        &AuditEvent {
            school: user.school_id,
            actor: Some(user.user_id),
            entity: "course_outcome",
            entity_id: outcome.0,
            action,
            old_value,
            new_value,
            reason,
        },
        now,
    )
    .await
    .or_internal("writing an audit row")
}

/// Returns the owner of an outcome, for notifications.
pub(crate) fn owner(core: &OutcomeCore) -> UserId {
    core.student_id
}
