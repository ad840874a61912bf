//! 帳號管理 for administrators (資訊組): the school's login rule, finding an account,
//! resetting it to a first password, ending its sessions, and printing account slips.

use rand::Rng;

use crate::domain::AppError;
use crate::domain::accounts::{
    AccountRow, AccountSettings, AccountSlip, AccountsPage, FirstPassword, LoginRule,
    MAX_INITIAL_CREDENTIAL_DAYS, ResetMode, valid_login_prefix,
};
use crate::domain::calendar::UtcMillis;
use crate::domain::error::Resource;
use crate::domain::ids::{HomeroomId, UserId};
use crate::domain::national_id::NationalId;
use crate::domain::role::Role;
use crate::server::auth::CurrentUser;
use crate::server::db::audit::AuditEvent;
use crate::server::db::{self, Tx};
use crate::server::error::OrInternal;
use crate::server::state::AppState;

/// Characters of a one-time code: no 0/o, 1/l/i, which slips and handwriting confuse.
const CODE_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
/// Length of a one-time code: 31^10 ≈ 8·10^14 codes, with login throttling in front.
const CODE_CHARS: usize = 10;
/// The maximum number of accounts a search lists.
const SEARCH_LIMIT: i64 = 50;

/// Returns a random one-time code.
pub fn new_code() -> String {
    let mut random = rand::thread_rng();
    (0..CODE_CHARS)
        .map(|_| char::from(CODE_ALPHABET[random.gen_range(0..CODE_ALPHABET.len())]))
        .collect()
}

/// Returns the login of a student under the national-ID rule: the prefix and the 9
/// characters after the ID's first letter, lower case.
pub fn national_id_login(prefix: &str, id: &NationalId) -> String {
    format!("{prefix}{}", id.expose()[1..].to_lowercase())
}

pub async fn page(state: &AppState, user: &CurrentUser) -> Result<AccountsPage, AppError> {
    user.require(Role::Admin)?;
    let pool = &state.db.pool;
    Ok(AccountsPage {
        settings: db::accounts::settings(pool, user.school_id)
            .await
            .or_internal("loading account settings")?,
        homerooms: db::accounts::homerooms(pool, user.school_id)
            .await
            .or_internal("loading homerooms")?,
    })
}

pub async fn search(
    state: &AppState,
    user: &CurrentUser,
    query: String,
) -> Result<Vec<AccountRow>, AppError> {
    user.require(Role::Admin)?;
    let query = query.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    db::accounts::search(
        &state.db.pool,
        user.school_id,
        query,
        state.clock.now(),
        SEARCH_LIMIT,
    )
    .await
    .or_internal("searching accounts")
}

/// Changes the login rule, prefix or first-password lifetime. A change of rule renames every
/// student account at once, in the same transaction.
pub async fn update_settings(
    state: &AppState,
    user: &CurrentUser,
    settings: AccountSettings,
) -> Result<(), AppError> {
    user.require(Role::Admin)?;
    let prefix = settings.login_prefix.trim().to_lowercase();
    if settings.login_rule == LoginRule::NationalId && !valid_login_prefix(&prefix) {
        return Err(AppError::InvalidLoginPrefix { prefix });
    }
    if !(1..=MAX_INITIAL_CREDENTIAL_DAYS).contains(&settings.initial_credential_days) {
        return Err(AppError::InvalidCredentialDays {
            days: settings.initial_credential_days,
        });
    }
    let settings = AccountSettings {
        login_prefix: prefix,
        ..settings
    };
    let now = state.clock.now();
    let old = db::accounts::settings(&state.db.pool, user.school_id)
        .await
        .or_internal("loading account settings")?;
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting an account settings change")?;
    db::accounts::update_settings(&mut tx, user.school_id, &settings)
        .await
        .or_internal("storing account settings")?;
    let renamed = rename_students(state, &mut tx, user, &settings, now).await?;
    audit(
        &mut tx,
        user,
        "school",
        user.school_id.0,
        "account_settings",
        Some(&describe(&old)),
        Some(&format!("{} renamed:{renamed}", describe(&settings))),
        now,
    )
    .await?;
    tx.commit()
        .await
        .or_internal("committing account settings")?;
    tracing::info!(school.id = %user.school_id, rule = settings.login_rule.as_str(), renamed, "account settings changed");
    Ok(())
}

fn describe(settings: &AccountSettings) -> String {
    format!(
        "{} prefix:{} days:{}",
        settings.login_rule.as_str(),
        settings.login_prefix,
        settings.initial_credential_days
    )
}

/// Sets every student's login by the rule; returns how many changed. Students without a
/// national ID keep their 學號 under the national-ID rule.
async fn rename_students(
    state: &AppState,
    tx: &mut Tx,
    user: &CurrentUser,
    settings: &AccountSettings,
    now: UtcMillis,
) -> Result<u64, AppError> {
    let students = db::accounts::students_for_login_rule(tx, user.school_id)
        .await
        .or_internal("loading students")?;
    let mut renamed = 0;
    for student in students {
        let login = match (settings.login_rule, &student.national_id_enc) {
            (LoginRule::NationalId, Some(sealed)) => {
                let id = state
                    .national_ids
                    .decrypt(sealed)
                    .or_internal("decrypting a national ID")?;
                national_id_login(&settings.login_prefix, &id)
            }
            _ => student.student_number.trim().to_lowercase(),
        };
        let result =
            db::accounts::set_login(tx, user.school_id, student.user_id, &login, now).await;
        match result {
            Ok(()) => renamed += 1,
            Err(error) if db::is_constraint(&error, "users_login_key") => {
                return Err(AppError::LoginTaken {
                    student_no: student.student_number,
                });
            }
            Err(error) => return Err(error).or_internal("renaming an account"),
        }
    }
    Ok(renamed)
}

/// Gives one account a first password under `mode`, ends all its sessions, and returns the
/// slip to hand over.
pub async fn reset(
    state: &AppState,
    user: &CurrentUser,
    account: UserId,
    mode: ResetMode,
) -> Result<AccountSlip, AppError> {
    user.require(Role::Admin)?;
    let now = state.clock.now();
    let row = db::accounts::find(&state.db.pool, user.school_id, account, now)
        .await
        .or_internal("loading the account")?
        .ok_or(AppError::NotFound(Resource::Account))?;
    let settings = db::accounts::settings(&state.db.pool, user.school_id)
        .await
        .or_internal("loading account settings")?;
    let prepared = prepare_slip(state, user, &settings, &row, mode, now).await?;
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting an account reset")?;
    let slip = store_slip(&mut tx, user, prepared, now).await?;
    let ended = db::sessions::delete_for_user(&mut tx, user.school_id, account, 0)
        .await
        .or_internal("ending the account's sessions")?;
    let action = match mode {
        ResetMode::SchoolRule => "account_reset",
        ResetMode::NewCode => "account_new_code",
    };
    audit(
        &mut tx,
        user,
        "user",
        account.0,
        action,
        None,
        Some(&format!("sessions_ended:{ended}")),
        now,
    )
    .await?;
    tx.commit()
        .await
        .or_internal("committing an account reset")?;
    // Open pages of the account re-check their session and close.
    state.notifier.notify(account);
    tracing::info!(user.id = %account, by = %user.user_id, action, "account reset");
    Ok(slip)
}

/// Ends every session of one account.
pub async fn end_sessions(
    state: &AppState,
    user: &CurrentUser,
    account: UserId,
) -> Result<u64, AppError> {
    user.require(Role::Admin)?;
    let now = state.clock.now();
    db::accounts::find(&state.db.pool, user.school_id, account, now)
        .await
        .or_internal("loading the account")?
        .ok_or(AppError::NotFound(Resource::Account))?;
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting to end sessions")?;
    let ended = db::sessions::delete_for_user(&mut tx, user.school_id, account, 0)
        .await
        .or_internal("ending sessions")?;
    audit(
        &mut tx,
        user,
        "user",
        account.0,
        "sessions_end",
        None,
        Some(&ended.to_string()),
        now,
    )
    .await?;
    tx.commit().await.or_internal("committing ended sessions")?;
    state.notifier.notify(account);
    Ok(ended)
}

/// Issues first passwords to the students of a homeroom who have not chosen a password yet,
/// and returns their slips by 座號. Slips printed earlier for them stop working.
pub async fn homeroom_slips(
    state: &AppState,
    user: &CurrentUser,
    homeroom: HomeroomId,
) -> Result<Vec<AccountSlip>, AppError> {
    user.require(Role::Admin)?;
    let now = state.clock.now();
    let pool = &state.db.pool;
    let homerooms = db::accounts::homerooms(pool, user.school_id)
        .await
        .or_internal("loading homerooms")?;
    let Some(chosen) = homerooms.iter().find(|choice| choice.id == homeroom) else {
        return Err(AppError::NotFound(Resource::Homeroom));
    };
    let settings = db::accounts::settings(pool, user.school_id)
        .await
        .or_internal("loading account settings")?;
    let rows = db::accounts::homeroom_without_chosen_password(pool, user.school_id, homeroom, now)
        .await
        .or_internal("loading the homeroom's accounts")?;
    let mut prepared = Vec::with_capacity(rows.len());
    for row in &rows {
        prepared.push(prepare_slip(state, user, &settings, row, ResetMode::SchoolRule, now).await?);
    }
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting to print slips")?;
    let mut slips = Vec::with_capacity(prepared.len());
    for slip in prepared {
        slips.push(store_slip(&mut tx, user, slip, now).await?);
    }
    audit(
        &mut tx,
        user,
        "homeroom",
        homeroom.0,
        "account_slips",
        None,
        Some(&format!("{}:{}", chosen.name, slips.len())),
        now,
    )
    .await?;
    tx.commit().await.or_internal("committing printed slips")?;
    Ok(slips)
}

/// A first password that is ready to store, with the slip that hands it over.
struct PreparedSlip {
    slip: AccountSlip,
    hash: String,
}

/// Chooses and hashes one account's first password. This runs before the write transaction:
/// a hash takes tens of milliseconds, and on SQLite every other writer of the school waits
/// while a write transaction is open.
async fn prepare_slip(
    state: &AppState,
    user: &CurrentUser,
    settings: &AccountSettings,
    row: &AccountRow,
    mode: ResetMode,
    now: UtcMillis,
) -> Result<PreparedSlip, AppError> {
    let national_id = match (mode, settings.login_rule) {
        (ResetMode::SchoolRule, LoginRule::NationalId) => {
            match db::accounts::national_id_of(&state.db.pool, user.school_id, row.user_id)
                .await
                .or_internal("loading a national ID")?
            {
                Some(sealed) => Some(
                    state
                        .national_ids
                        .decrypt(&sealed)
                        .or_internal("decrypting a national ID")?,
                ),
                None => None,
            }
        }
        _ => None,
    };
    let (password, first_password) = match &national_id {
        Some(id) => {
            let digits = id.expose();
            (
                digits[digits.len() - 6..].to_owned(),
                FirstPassword::NationalIdDigits,
            )
        }
        None => {
            let code = new_code();
            (code.clone(), FirstPassword::Code(code))
        }
    };
    let hash = state
        .passwords
        .hash(password)
        .await
        .or_internal("hashing a first password")?;
    Ok(PreparedSlip {
        slip: AccountSlip {
            user_id: row.user_id,
            display_name: row.display_name.clone(),
            login: row.login.clone(),
            homeroom: row.homeroom.clone(),
            seat_no: row.seat_no,
            first_password,
            expires_at: UtcMillis(now.0 + settings.initial_credential_days * 86_400_000),
        },
        hash,
    })
}

/// Stores a prepared first password and returns its slip.
async fn store_slip(
    tx: &mut Tx,
    user: &CurrentUser,
    prepared: PreparedSlip,
    now: UtcMillis,
) -> Result<AccountSlip, AppError> {
    let PreparedSlip { slip, hash } = prepared;
    db::accounts::set_first_password(
        tx,
        user.school_id,
        slip.user_id,
        &hash,
        slip.expires_at,
        now,
    )
    .await
    .or_internal("storing a first password")?;
    Ok(slip)
}

#[allow(clippy::too_many_arguments)]
async fn audit(
    tx: &mut Tx,
    user: &CurrentUser,
    entity: &str,
    entity_id: i64,
    action: &str,
    old_value: Option<&str>,
    new_value: Option<&str>,
    now: UtcMillis,
) -> Result<(), AppError> {
    db::audit::insert(
        tx,
        &AuditEvent {
            school: user.school_id,
            actor: Some(user.user_id),
            entity,
            entity_id,
            action,
            old_value,
            new_value,
            reason: None,
        },
        now,
    )
    .await
    .or_internal("writing the account audit")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_code_uses_the_unambiguous_alphabet() {
        let code = new_code();
        assert_eq!(code.len(), CODE_CHARS);
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert_ne!(new_code(), code, "codes are random");
    }

    #[test]
    fn national_id_login_is_prefix_and_nine_characters() {
        let id = NationalId::parse("A123456789").unwrap();
        assert_eq!(national_id_login("fg", &id), "fg123456789");
    }
}
