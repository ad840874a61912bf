//! A Leptos hello world that hydrates one paragraph: the smallest bundle Leptos makes with
//! Licheng's profile.

use leptos::prelude::*;

#[component]
fn App() -> impl IntoView {
    view! { <p>"Hello, world"</p> }
}

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_body(App);
}
