//! Login, logout and the session summary for the navigation bar.

use crate::domain::AppError;
use crate::domain::calendar::UtcMillis;
use crate::domain::role::Role;
use crate::domain::views::SessionInfo;
use crate::server::auth::throttle::{self, ThrottleKey};
use crate::server::auth::{CurrentUser, session};
use crate::server::db;
use crate::server::db::audit::AuditEvent;
use crate::server::error::OrInternal;
use crate::server::state::AppState;

/// Longest login name or password accepted, in bytes; longer input cannot be an account and
/// would only cost hashing time.
const MAX_CREDENTIAL_BYTES: usize = 256;

/// What the login form sends.
pub struct LoginInput {
    /// 學校代碼; may be empty when the deployment has one school.
    pub school_code: String,
    pub login: String,
    pub password: String,
    /// The token of the browser's known-device cookie, if it sent one.
    pub device_token: Option<String>,
    /// Where the attempt came from (see `auth::client_address`).
    pub client_address: String,
}

/// A new session: the token for the cookie and what the page shows.
pub struct LoginOutcome {
    pub token: String,
    pub info: SessionInfo,
    /// A new known-device token for the browser to keep, when it had none for this account.
    pub new_device_token: Option<String>,
}

/// Normalises a login name as it is stored: trimmed and lower case, so `T001` and `t001` are
/// the same account.
pub fn normalise_login(login: &str) -> String {
    login.trim().to_lowercase()
}

/// Checks a login name and password and opens a session, ending the session of
/// `previous_token` if the browser still had one (a new login always gets a new token).
/// Every failure, including an unknown school or account, gives the same
/// `InvalidCredentials` after the same hashing work.
pub async fn login(
    state: &AppState,
    input: LoginInput,
    previous_token: Option<String>,
) -> Result<LoginOutcome, AppError> {
    let login = normalise_login(&input.login);
    if login.is_empty() || input.password.is_empty() {
        return Err(AppError::LoginMissing);
    }
    if login.len() > MAX_CREDENTIAL_BYTES || input.password.len() > MAX_CREDENTIAL_BYTES {
        return Err(AppError::InvalidCredentials);
    }
    let pool = &state.db.pool;
    let school_code = input.school_code.trim();
    let school = if school_code.is_empty() {
        db::schools::only_school(pool)
            .await
            .or_internal("finding the school")?
    } else {
        db::schools::find_by_code(pool, school_code)
            .await
            .or_internal("finding the school")?
    };
    let account = match &school {
        Some(school) => db::users::find_login(pool, school.id, &login)
            .await
            .or_internal("finding the account")?,
        None => None,
    };
    // Throttling (auth::throttle): a browser that logged in to this account before has its
    // own count; any other attempt counts against the login name and the client address.
    let now = state.clock.now();
    let school_key = match &school {
        Some(school) => school.id.0.to_string(),
        None => format!("code-{school_code}"),
    };
    let device_hash = input.device_token.as_deref().map(session::hash_token);
    let known_device = match (&account, &device_hash) {
        (Some(account), Some(hash)) => db::sessions::device_belongs_to(pool, hash, account.id)
            .await
            .or_internal("finding a known device")?,
        _ => false,
    };
    let account_key = ThrottleKey::Account {
        school: school_key.clone(),
        login: login.clone(),
    };
    let keys = match (&device_hash, known_device) {
        (Some(hash), true) => vec![ThrottleKey::Device {
            school: school_key,
            login: login.clone(),
            device: hash[..16].to_owned(),
        }],
        _ => vec![
            account_key.clone(),
            ThrottleKey::Address(input.client_address.clone()),
        ],
    };
    if let Some(retry_at) = throttle::blocked_until(pool, &keys, now)
        .await
        .or_internal("checking login throttles")?
    {
        tracing::info!(school.code = school_code, "login rejected: throttled");
        return Err(AppError::LoginThrottled { retry_at });
    }

    let stored_hash = account
        .as_ref()
        .filter(|account| account.is_active)
        .and_then(|a| a.password_hash.clone());
    let matches = state
        .passwords
        .verify(input.password, stored_hash)
        .await
        .or_internal("verifying a password")?;
    let (Some(school), Some(account), true) = (school, account, matches) else {
        tracing::info!(
            school.code = school_code,
            "login refused: unknown account or wrong password"
        );
        let mut tx = state
            .db
            .begin_write()
            .await
            .or_internal("starting to count a failed login")?;
        for key in &keys {
            throttle::record_failure(
                &mut tx,
                key,
                now,
                state.settings.login_address_failures,
                state.db.lock_rows(),
            )
            .await
            .or_internal("counting a failed login")?;
        }
        tx.commit()
            .await
            .or_internal("committing a failed login count")?;
        return Err(AppError::InvalidCredentials);
    };
    // The right first password after its expiry does not open the account; 資訊組 issues a
    // new one. It is not a guess, so it counts as no failure.
    if account.must_change_password
        && account
            .initial_credential_expires_at
            .is_some_and(|expires_at| now >= expires_at)
    {
        tracing::info!(user.id = %account.id, "login rejected: first password expired");
        return Err(AppError::InitialPasswordExpired);
    }
    for key in &keys {
        if !matches!(key, ThrottleKey::Address(_)) {
            throttle::clear(pool, key)
                .await
                .or_internal("clearing login failures")?;
        }
    }
    throttle::clear(pool, &account_key)
        .await
        .or_internal("clearing login failures")?;
    let new_device_token = if known_device {
        db::sessions::touch_device(pool, device_hash.as_deref().unwrap_or_default(), now)
            .await
            .or_internal("updating a known device")?;
        None
    } else {
        let (token, hash) = session::new_token();
        db::sessions::insert_device(pool, &hash, school.id, account.id, now)
            .await
            .or_internal("remembering a known device")?;
        Some(token)
    };

    let now = UtcMillis::now();
    let policy = state.session_policy();
    if let Some(previous) = previous_token {
        db::sessions::delete_by_token(pool, &session::hash_token(&previous))
            .await
            .or_internal("ending the previous session")?;
    }
    let (token, token_hash) = session::new_token();
    db::sessions::insert(
        pool,
        &token_hash,
        account.id,
        school.id,
        now,
        policy.expires_at(now),
    )
    .await
    .or_internal("creating a session")?;
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting the login audit")?;
    db::audit::insert(
        &mut tx,
        &AuditEvent {
            school: school.id,
            actor: Some(account.id),
            entity: "user",
            entity_id: account.id.0,
            action: "login",
            old_value: None,
            new_value: None,
            reason: None,
        },
        now,
    )
    .await
    .or_internal("writing the login audit")?;
    tx.commit()
        .await
        .or_internal("committing the login audit")?;
    tracing::info!(user.id = %account.id, school.id = %school.id, "login");

    let roles = db::users::roles(pool, school.id, account.id)
        .await
        .or_internal("loading roles")?;
    let user = CurrentUser {
        user_id: account.id,
        school_id: school.id,
        active_role: Role::default_of(&roles),
        roles,
        session_id: 0,
        must_change_password: account.must_change_password,
    };
    let info = session_info(state, &user).await?;
    Ok(LoginOutcome {
        token,
        info,
        new_device_token,
    })
}

/// Ends the session of the request's cookie, if any, and tells its open streams.
pub async fn logout(state: &AppState, headers: &axum::http::HeaderMap) -> Result<(), AppError> {
    let policy = state.session_policy();
    if let Some(token) = session::token_from_headers(headers, policy.cookie_name()) {
        let user = CurrentUser::from_headers(state, headers).await?;
        db::sessions::delete_by_token(&state.db.pool, &session::hash_token(&token))
            .await
            .or_internal("deleting a session")?;
        if let Some(user) = user {
            tracing::info!(user.id = %user.user_id, "logout");
            state.notifier.notify(user.user_id);
        }
    }
    Ok(())
}

/// Makes `role` the role the session acts in; the user must hold it. Only this session
/// changes: the same account logged in elsewhere keeps its own active role.
pub async fn switch_role(
    state: &AppState,
    user: &mut CurrentUser,
    role: Role,
) -> Result<SessionInfo, AppError> {
    if !user.roles.contains(&role) {
        tracing::info!(user.id = %user.user_id, role = role.as_str(), "refused: switch to a role not held");
        return Err(AppError::Forbidden);
    }
    db::sessions::set_active_role(
        &state.db.pool,
        user.session_id,
        user.school_id,
        role.as_str(),
    )
    .await
    .or_internal("switching the active role")?;
    tracing::info!(user.id = %user.user_id, role = role.as_str(), "active role switched");
    user.active_role = Some(role);
    session_info(state, user).await
}

/// Returns the navigation bar's view of a user.
pub async fn session_info(state: &AppState, user: &CurrentUser) -> Result<SessionInfo, AppError> {
    let pool = &state.db.pool;
    let summary = db::users::summary(pool, user.school_id, user.user_id)
        .await
        .or_internal("loading the user")?
        .ok_or(AppError::Unauthenticated)?;
    let unread = db::notifications::unread_count(pool, user.school_id, user.user_id)
        .await
        .or_internal("counting notifications")?;
    Ok(SessionInfo {
        user_id: summary.id,
        display_name: summary.display_name,
        school_name: summary.school_name,
        roles: user.roles.clone(),
        active_role: user.active_role,
        unread_notifications: unread,
        must_change_password: user.must_change_password,
    })
}
