//! The HTTP surface: Leptos pages and server functions, plus the plain axum routes for
//! streaming uploads, file downloads, live events and health.

mod error_page;
mod events;
mod exports;
mod files;
mod imports;
mod security;
mod upload;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::VARY;
use axum::http::{HeaderName, HeaderValue, Request, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use leptos::prelude::provide_context;
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, file_and_error_handler, generate_route_list,
    handle_server_fns_with_context,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use super::state::AppState;
use crate::app::{App, shell};

/// Room for the multipart framing and text fields around the two files of an upload.
const UPLOAD_OVERHEAD_BYTES: u64 = 1024 * 1024;

/// The page routes, generated once per process. While leptos_router generates them, a
/// process-wide flag (`SuppressResourceLoad`) keeps any resource first polled then from ever
/// loading, so generating them again while pages render (as the tests do) can hang a page.
static PAGE_ROUTES: std::sync::LazyLock<Vec<AxumRouteListing>> =
    std::sync::LazyLock::new(|| generate_route_list(App));

/// Builds the application's router.
pub fn build(state: AppState) -> Router {
    let routes = PAGE_ROUTES.clone();
    let rules = state.file_rules();
    let upload_limit =
        usize::try_from(rules.document_max_bytes + rules.media_max_bytes + UPLOAD_OVERHEAD_BYTES)
            .unwrap_or(usize::MAX);
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();

    let mut router = Router::new()
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .route(
            "/upload/outcomes",
            post(upload::create).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/upload/outcomes/{id}",
            post(upload::revise).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/imports/preview",
            post(imports::preview).layer(DefaultBodyLimit::max(imports::BODY_LIMIT_BYTES)),
        )
        .route(
            "/imports/commit",
            post(imports::commit).layer(DefaultBodyLimit::max(imports::BODY_LIMIT_BYTES)),
        )
        .route("/imports/templates/{name}", get(imports::template))
        .route("/files/{id}", get(files::download))
        .route("/exports/{id}", get(exports::download))
        .route("/events", get(events::stream))
        .route("/healthz", get(|| async { "ok" }))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(context_state.clone());
                provide_context(crate::api::guard::RequestCaller::default());
            },
            move || shell(shell_options.clone()),
        )
        .fallback(static_files)
        .layer(axum::middleware::from_fn_with_state(
            state.public_origin.clone(),
            security::reject_cross_site,
        ));
    for (name, value) in security::default_headers() {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            value,
        ));
    }
    router.layer(TraceLayer::new_for_http()).with_state(state)
}

/// Serves the files of the site, or the not-found page. The browser code is sent as its
/// brotli or gzip copy when the browser accepts one, so the response depends on
/// `Accept-Encoding`, and `Vary` names it. A shared cache then does not send a brotli copy to
/// a browser that cannot read it.
async fn static_files(uri: Uri, state: State<AppState>, request: Request<Body>) -> Response {
    let mut response = file_and_error_handler::<AppState, _>(shell)(uri, state, request).await;
    response
        .headers_mut()
        .append(VARY, HeaderValue::from_static("accept-encoding"));
    response
}

async fn server_fn_handler(
    State(state): State<AppState>,
    request: Request<Body>,
) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), request).await
}
