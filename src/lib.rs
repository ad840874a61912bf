//! Licheng (歷程): the school-side learning-portfolio platform of Taiwanese senior high schools.
//!
//! One crate serves both sides: with the `ssr` feature it is the server, with `hydrate` it is
//! the WebAssembly that makes the server-rendered pages interactive. Dependencies run
//! `ui → api → server → db`; `domain` is used by all and uses none of them.

#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod domain;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

// Messages in zh-TW (default) and English, generated from `locales/*.json` by `build.rs` as
// the module `i18n`.
include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

/// Entry point of the WebAssembly bundle: attaches the interactive app to the server's HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // As `leptos::mount::hydrate_lazy`: the code chunks of the page's route load before the
    // page is hydrated. The page is marked interactive only once all of it is hydrated.
    wasm_bindgen_futures::spawn_local(async {
        let app = leptos::mount::hydrate_from_async(leptos::tachys::dom::body(), app::App).await;
        app.forget();
        ui::browser::mark_hydrated();
    });
}
