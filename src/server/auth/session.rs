//! Server-side sessions. The cookie carries a random 128-bit token; the database keeps only
//! its SHA-256, so a leaked database does not leak usable sessions.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::domain::calendar::UtcMillis;

/// Cookie name over plain HTTP (development, loopback).
pub const COOKIE_NAME: &str = "licheng_session";
/// Cookie name over HTTPS: the `__Host-` prefix makes browsers insist on Secure, Path=/ and
/// no Domain, so a sibling subdomain cannot plant or read it.
pub const SECURE_COOKIE_NAME: &str = "__Host-licheng_session";
/// The cookie of a browser that logged in before (see `throttle`), over HTTP and HTTPS.
pub const DEVICE_COOKIE_NAME: &str = "licheng_device";
pub const SECURE_DEVICE_COOKIE_NAME: &str = "__Host-licheng_device";

/// Session lifetimes.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle_millis: i64,
    pub absolute_millis: i64,
    /// Whether the site is served over HTTPS.
    pub secure: bool,
}

impl SessionPolicy {
    pub fn cookie_name(&self) -> &'static str {
        if self.secure {
            SECURE_COOKIE_NAME
        } else {
            COOKIE_NAME
        }
    }

    /// Returns the `Set-Cookie` value that stores `token`.
    pub fn set_cookie(&self, token: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            self.cookie_name(),
            self.absolute_millis / 1000
        )
    }

    /// Returns the name of the known-device cookie (`__Host-` prefixed over HTTPS).
    pub fn device_cookie_name(&self) -> &'static str {
        if self.secure {
            SECURE_DEVICE_COOKIE_NAME
        } else {
            DEVICE_COOKIE_NAME
        }
    }

    /// Returns the `Set-Cookie` value that marks this browser as a device that logged in; it
    /// lasts 400 days, the longest that browsers keep a cookie.
    pub fn set_device_cookie(&self, token: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            self.device_cookie_name(),
            400 * 24 * 3600
        )
    }

    /// Returns the `Set-Cookie` value that removes the session cookie.
    pub fn clear_cookie(&self) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
            self.cookie_name()
        )
    }

    /// Returns the earliest `last_seen_at` of a session still alive at `now`.
    pub fn idle_cutoff(&self, now: UtcMillis) -> UtcMillis {
        UtcMillis(now.0 - self.idle_millis)
    }

    /// Returns when a session that starts at `now` ends however active it is.
    pub fn expires_at(&self, now: UtcMillis) -> UtcMillis {
        UtcMillis(now.0 + self.absolute_millis)
    }
}

/// Returns a new random token for the cookie and the hash to store.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// Returns the stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Reads the session token from the request's cookies.
pub fn token_from_headers(headers: &HeaderMap, cookie_name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == cookie_name)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|token| token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn token_is_128_bits_and_stored_hashed() {
        let (token, hash) = new_token();
        assert_eq!(token.len(), 32);
        assert_eq!(hash, hash_token(&token));
        assert_ne!(token, hash);
        assert_ne!(new_token().0, token);
    }

    #[test]
    fn token_from_headers_finds_its_cookie() {
        let mut headers = HeaderMap::new();
        let token = "0123456789abcdef0123456789abcdef";
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("a=1; licheng_session={token}; b=2")).unwrap(),
        );
        assert_eq!(
            token_from_headers(&headers, COOKIE_NAME).as_deref(),
            Some(token)
        );
        assert_eq!(token_from_headers(&headers, SECURE_COOKIE_NAME), None);
    }

    #[test]
    fn token_from_headers_ignores_malformed_tokens() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("licheng_session=../../etc"),
        );
        assert_eq!(token_from_headers(&headers, COOKIE_NAME), None);
    }

    #[test]
    fn secure_policy_uses_host_prefix() {
        let policy = SessionPolicy {
            idle_millis: 1,
            absolute_millis: 3_600_000,
            secure: true,
        };
        let cookie = policy.set_cookie("abc");
        assert!(cookie.starts_with("__Host-licheng_session=abc; Path=/; HttpOnly; SameSite=Lax"));
        assert!(cookie.ends_with("; Secure"));
        let plain = SessionPolicy {
            secure: false,
            ..policy
        };
        assert!(!plain.set_cookie("abc").contains("Secure"));
    }
}
