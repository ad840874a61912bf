//! A small HTML page for errors of routes that a browser opens directly, such as a file link
//! opened in a new tab after the session ended: JSON there would be unreadable to a student.

use axum::http::header::{ACCEPT, COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::domain::AppError;
use crate::i18n::Locale;
use crate::server::error::ApiError;
use crate::ui::errors::error_message;

/// Returns the error as a page when the browser navigated here, and as JSON otherwise.
pub fn respond(headers: &HeaderMap, error: AppError) -> Response {
    let navigating = headers
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if !navigating {
        return ApiError(error).into_response();
    }
    let locale = chosen_locale(headers);
    let (lang, title, login, home) = match locale {
        Locale::en => ("en", "Licheng", "Log in", "Home"),
        Locale::zh_TW => ("zh-TW", "歷程", "登入", "回到首頁"),
    };
    let message = escape(&error_message(locale, &error));
    let action = if error == AppError::Unauthenticated {
        format!("<a href=\"/login\">{login}</a>")
    } else {
        format!("<a href=\"/\">{home}</a>")
    };
    let body = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"/pkg/licheng.css\"></head>\
         <body><main class=\"main\"><p class=\"notice notice-error\" role=\"alert\">{message}</p><p>{action}</p></main></body></html>"
    );
    let status =
        StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Html(body)).into_response()
}

/// Reads the language chosen with the language button; zh-TW otherwise.
fn chosen_locale(headers: &HeaderMap) -> Locale {
    let english = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .any(|pair| pair.trim() == format!("{}=en", crate::app::LOCALE_COOKIE));
    if english { Locale::en } else { Locale::zh_TW }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
