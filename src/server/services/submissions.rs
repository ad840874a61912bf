//! 提交中央資料庫: closing a school year's ticked outcomes into a batch, its export package,
//! and the record each student can read of what was sent.

use std::path::PathBuf;

use crate::domain::AppError;
use crate::domain::calendar::SchoolYear;
use crate::domain::role::Role;
use crate::domain::views::{SubmissionBatch, SubmissionRecord, SubmissionYear};
use crate::domain::window::WindowState;
use crate::server::auth::CurrentUser;
use crate::server::db;
use crate::server::db::audit::AuditEvent;
use crate::server::error::{OrInternal, internal};
use crate::server::export::{self, ExportError};
use crate::server::state::AppState;

use super::windows;

const STAFF: [Role; 2] = [Role::SubmissionStaff, Role::Admin];

/// Lists the school years with their selection window, how many outcomes are ticked, and
/// their batch if one was made.
pub async fn overview(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<SubmissionYear>, AppError> {
    user.require_any(&STAFF)?;
    let pool = &state.db.pool;
    let now = state.clock.now();
    let years = db::windows::list_school_years(pool, user.school_id)
        .await
        .or_internal("listing school years")?;
    let batches = db::submissions::list(pool, user.school_id)
        .await
        .or_internal("listing batches")?;
    let mut result = Vec::with_capacity(years.len());
    for year in years {
        let selected = db::submissions::selected_in_year(pool, user.school_id, year.id)
            .await
            .or_internal("counting selections")?;
        result.push(SubmissionYear {
            school_year: year.school_year,
            selection: windows::selection_info(year.selection, now).0,
            selected: u64::try_from(selected).unwrap_or(0),
            batch: batches
                .iter()
                .find(|batch| batch.school_year == year.school_year)
                .cloned(),
        });
    }
    Ok(result)
}

/// Closes a school year's selection into a batch. The selection window must be over, every
/// ticked outcome's student must have a national ID and birth date, and a year has one batch.
pub async fn close_year(
    state: &AppState,
    user: &CurrentUser,
    year: SchoolYear,
) -> Result<SubmissionBatch, AppError> {
    user.require_any(&STAFF)?;
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a batch")?;
    let (year_id, window) = db::windows::school_year(&mut **tx, user.school_id, year)
        .await
        .or_internal("loading the school year")?
        .ok_or(AppError::NotFound(crate::domain::error::Resource::Page))?;
    if !matches!(windows::info(window, now).state, WindowState::Closed { .. }) {
        return Err(AppError::SelectionStillOpen {
            closes_at: window.closes_at,
        });
    }
    if db::submissions::year_submitted(&mut **tx, user.school_id, year_id)
        .await
        .or_internal("checking batches")?
    {
        return Err(AppError::SelectionSubmitted);
    }
    let missing: Option<String> = sqlx::query_scalar(
        "SELECT st.student_no FROM selections x JOIN students st ON st.user_id = x.student_id \
         WHERE x.school_id = $1 AND x.school_year_id = $2 AND (st.national_id_enc IS NULL OR st.birth_date IS NULL) \
         ORDER BY st.student_no LIMIT 1",
    )
    .bind(user.school_id.0)
    .bind(year_id)
    .fetch_optional(&mut **tx)
    .await
    .or_internal("checking student identities")?;
    if let Some(student_no) = missing {
        return Err(AppError::StudentIdentityMissing { student_no });
    }
    let batch_id = db::submissions::close_year(&mut tx, user.school_id, year_id, user.user_id, now)
        .await
        .or_internal("closing the selection into a batch")?;
    let batch = db::submissions::find(&mut **tx, user.school_id, batch_id)
        .await
        .or_internal("loading the batch")?
        .ok_or_else(|| internal("loading the batch", "batch missing after insert"))?;
    // Shown by the audit page as 第 1 批，共 8 列.
    let batch_text = format!("batch:{batch_id}:{}", batch.row_count);
    db::audit::insert(
        &mut tx,
        &AuditEvent {
            school: user.school_id,
            actor: Some(user.user_id),
            entity: "school_year",
            entity_id: year_id,
            action: "submit_roster_26",
            old_value: None,
            new_value: Some(&batch_text),
            reason: None,
        },
        now,
    )
    .await
    .or_internal("writing an audit row")?;
    tx.commit().await.or_internal("committing a batch")?;
    tracing::info!(user.id = %user.user_id, batch.id = batch_id, rows = batch.row_count, "selection closed into a batch");
    Ok(batch)
}

/// Returns the path of a batch's package and its download name, building it on first use.
pub async fn package(
    state: &AppState,
    user: &CurrentUser,
    batch_id: i64,
) -> Result<(PathBuf, String), AppError> {
    user.require_any(&STAFF)?;
    let batch = db::submissions::find(&state.db.pool, user.school_id, batch_id)
        .await
        .or_internal("loading the batch")?
        .ok_or(AppError::NotFound(crate::domain::error::Resource::File))?;
    let code = db::submissions::school_code(&state.db.pool, user.school_id)
        .await
        .or_internal("loading the school code")?;
    let stem = export::package_stem(&code, &batch);
    let path = state.settings.exports_dir().join(format!("{stem}.zip"));
    if !tokio::fs::try_exists(&path)
        .await
        .or_internal("checking a package")?
    {
        build_package(state, user.school_id, &batch, &stem, &path).await?;
    }
    Ok((path, format!("{stem}.zip")))
}

/// Builds a batch's package at `path`, whether or not it exists already.
pub async fn build_package(
    state: &AppState,
    school: crate::domain::ids::SchoolId,
    batch: &SubmissionBatch,
    stem: &str,
    path: &std::path::Path,
) -> Result<(), AppError> {
    let rows = db::submissions::roster_rows(&state.db.pool, school, batch.id)
        .await
        .or_internal("loading roster rows")?;
    export::write_package(
        path,
        stem,
        batch,
        &rows,
        &state.national_ids,
        state.storage.clone(),
    )
    .await
    .map_err(|error| match error {
        ExportError::MissingIdentity { student_no, .. } => {
            AppError::StudentIdentityMissing { student_no }
        }
        other => internal("building an export package", other),
    })
}

/// Lists what was sent to the central database for the student (查詢學習成果提交中央資料庫紀錄).
pub async fn student_records(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<SubmissionRecord>, AppError> {
    user.require(Role::Student)?;
    db::submissions::student_records(&state.db.pool, user.school_id, user.user_id)
        .await
        .or_internal("listing submission records")
}
