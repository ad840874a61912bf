//! A user's own account: changing the password, which a first password requires before
//! anything else works.

use crate::domain::AppError;
use crate::domain::password::{PersonalData, check_new_password};
use crate::server::auth::CurrentUser;
use crate::server::db;
use crate::server::db::audit::AuditEvent;
use crate::server::error::OrInternal;
use crate::server::state::AppState;

/// Replaces the user's password after checking the current one and the password rules, and
/// ends the user's other sessions.
pub async fn change_password(
    state: &AppState,
    user: &CurrentUser,
    current: String,
    new: String,
    confirmation: String,
) -> Result<(), AppError> {
    let pool = &state.db.pool;
    let owner = db::users::password_owner(pool, user.school_id, user.user_id)
        .await
        .or_internal("loading the account")?
        .ok_or(AppError::Unauthenticated)?;
    let national_id = stored_national_id(state, &owner)?;
    let personal = PersonalData {
        login: &owner.login,
        student_number: owner.student_number.as_deref(),
        national_id: national_id.as_ref().map(|id| id.expose()),
        birth_date: owner.birth_date.as_deref(),
    };
    let current_matches = state
        .passwords
        .verify(current.clone(), owner.password_hash.clone())
        .await
        .or_internal("verifying a password")?;
    if !current_matches {
        tracing::info!(user.id = %user.user_id, "password change rejected: current password wrong");
        return Err(AppError::CurrentPasswordWrong);
    }
    check_new_password(&new, &confirmation, Some(&current), &personal)
        .map_err(AppError::Password)?;
    let hash = state
        .passwords
        .hash(new)
        .await
        .or_internal("hashing a password")?;
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a password change")?;
    db::users::set_chosen_password(&mut tx, user.school_id, user.user_id, &hash, now)
        .await
        .or_internal("storing a password")?;
    db::sessions::delete_for_user(&mut tx, user.school_id, user.user_id, user.session_id)
        .await
        .or_internal("ending other sessions")?;
    db::audit::insert(
        &mut tx,
        &AuditEvent {
            school: user.school_id,
            actor: Some(user.user_id),
            entity: "user",
            entity_id: user.user_id.0,
            action: "password_change",
            old_value: None,
            new_value: None,
            reason: None,
        },
        now,
    )
    .await
    .or_internal("writing the password change audit")?;
    tx.commit()
        .await
        .or_internal("committing a password change")?;
    tracing::info!(user.id = %user.user_id, "password changed");
    Ok(())
}

/// Decrypts the account's national ID, if it has one, for the password rules.
pub(crate) fn stored_national_id(
    state: &AppState,
    owner: &db::users::PasswordOwner,
) -> Result<Option<crate::domain::national_id::NationalId>, AppError> {
    owner
        .national_id_enc
        .as_deref()
        .map(|sealed| {
            state
                .national_ids
                .decrypt(sealed)
                .or_internal("decrypting a national ID")
        })
        .transpose()
}
