//! Who is asking: password hashing, sessions, and the guards that every server function and
//! route starts with.

pub mod guard;
pub mod password;
pub mod session;
pub mod throttle;

pub use guard::CurrentUser;
pub use password::PasswordHasher;

/// Returns the client address of a request: the last address of `header` when a reverse
/// proxy is configured to set it, otherwise the TCP peer, otherwise `unknown` (requests that
/// did not come over TCP, as in tests).
pub fn client_address(
    headers: &axum::http::HeaderMap,
    peer: Option<std::net::SocketAddr>,
    header: Option<&str>,
) -> String {
    if let Some(name) = header {
        let forwarded = headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .rfind(|address| !address.is_empty());
        if let Some(address) = forwarded {
            return address.to_owned();
        }
    }
    match peer {
        Some(peer) => peer.ip().to_string(),
        None => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_address_takes_the_proxy_added_address_only_when_configured() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.9, 10.1.2.3".parse().unwrap());
        let peer = Some("127.0.0.1:5000".parse().unwrap());
        assert_eq!(
            client_address(&headers, peer, Some("x-forwarded-for")),
            "10.1.2.3"
        );
        assert_eq!(client_address(&headers, peer, None), "127.0.0.1");
        assert_eq!(client_address(&headers, None, None), "unknown");
    }
}
