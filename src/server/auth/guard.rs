//! The guard at the start of every server function and route: resolves the session cookie to a
//! user of one school with its roles, and refuses what the active role does not allow.
//!
//! Least privilege: a user who holds several roles acts in one of them at a time (the active
//! role, kept on the session and changed with the role switcher), and `require` checks that
//! role only. A teacher who is also an administrator must switch to 管理者 before using the
//! administration pages, so a click in the teacher's pages can never do an administrator's
//! work.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;

use super::session;
use crate::domain::AppError;
use crate::domain::calendar::UtcMillis;
use crate::domain::ids::{SchoolId, UserId};
use crate::domain::role::Role;
use crate::server::db;
use crate::server::error::{ApiError, OrInternal};
use crate::server::state::AppState;

/// A session's `last_seen_at` is rewritten at most this often, to spare the database a write
/// on every request.
const TOUCH_INTERVAL_MILLIS: i64 = 60_000;

/// The user behind a request.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user_id: UserId,
    pub school_id: SchoolId,
    /// Every role the user holds.
    pub roles: Vec<Role>,
    /// The role the session acts in: one of `roles`, `None` only for a user without roles.
    pub active_role: Option<Role>,
    pub session_id: i64,
    /// The account still has its first password: only changing it and logging out work.
    pub must_change_password: bool,
}

impl CurrentUser {
    /// Refuses unless the session acts in `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.active_role == Some(role) {
            Ok(())
        } else {
            tracing::info!(
                user.id = %self.user_id,
                role = role.as_str(),
                active_role = self.active_role.map(Role::as_str),
                "refused: not acting in the required role"
            );
            Err(self.refusal(&[role]))
        }
    }

    /// Refuses unless the session acts in one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), AppError> {
        if self
            .active_role
            .is_some_and(|active| roles.contains(&active))
        {
            Ok(())
        } else {
            tracing::info!(
                user.id = %self.user_id,
                active_role = self.active_role.map(Role::as_str),
                "refused: not acting in any of the required roles"
            );
            Err(self.refusal(roles))
        }
    }

    /// Returns the refusal for a session that does not act in any of `required`: a hint to
    /// switch when the user holds one of them, otherwise `Forbidden`.
    fn refusal(&self, required: &[Role]) -> AppError {
        match required.iter().find(|role| self.roles.contains(role)) {
            Some(&role) => AppError::RoleNotActive { role },
            None => AppError::Forbidden,
        }
    }

    /// Returns whether the session acts in `role`.
    pub fn acts_as(&self, role: Role) -> bool {
        self.active_role == Some(role)
    }

    /// Returns the user of the request, if its session is alive.
    pub async fn from_headers(
        state: &AppState,
        headers: &HeaderMap,
    ) -> Result<Option<CurrentUser>, AppError> {
        let policy = state.session_policy();
        let Some(token) = session::token_from_headers(headers, policy.cookie_name()) else {
            return Ok(None);
        };
        let now = UtcMillis::now();
        let pool = &state.db.pool;
        let found = db::sessions::find_live(
            pool,
            &session::hash_token(&token),
            now,
            policy.idle_cutoff(now),
        )
        .await
        .or_internal("looking up session")?;
        let Some((found, roles)) = found else {
            return Ok(None);
        };
        if now.0 - found.last_seen_at.0 > TOUCH_INTERVAL_MILLIS {
            db::sessions::touch(pool, found.id, now)
                .await
                .or_internal("refreshing session")?;
        }
        // A stored role the user no longer holds (an administrator removed it) falls back to
        // the default, so a removed role stops working at the next request.
        let active_role = found
            .active_role
            .as_deref()
            .and_then(Role::parse)
            .filter(|role| roles.contains(role))
            .or_else(|| Role::default_of(&roles));
        Ok(Some(CurrentUser {
            user_id: found.user_id,
            school_id: found.school_id,
            roles,
            active_role,
            session_id: found.id,
            must_change_password: found.must_change_password,
        }))
    }

    /// Rejects a user who must still change the first password.
    pub fn require_password_changed(&self) -> Result<(), AppError> {
        if self.must_change_password {
            Err(AppError::PasswordChangeRequired)
        } else {
            Ok(())
        }
    }

    /// Returns the user of the request, or `Unauthenticated`, or `PasswordChangeRequired`
    /// while the account still has its first password: the guard of the plain routes.
    pub async fn require_from_headers(
        state: &AppState,
        headers: &HeaderMap,
    ) -> Result<CurrentUser, AppError> {
        let user = Self::require_with_first_password(state, headers).await?;
        user.require_password_changed()?;
        Ok(user)
    }

    /// Returns the user of the request even while the account still has its first password,
    /// or `Unauthenticated`.
    pub async fn require_with_first_password(
        state: &AppState,
        headers: &HeaderMap,
    ) -> Result<CurrentUser, AppError> {
        Self::from_headers(state, headers)
            .await?
            .ok_or(AppError::Unauthenticated)
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(CurrentUser::require_from_headers(state, &parts.headers).await?)
    }
}
