//! 登入.

use leptos::prelude::*;
use leptos_meta::Title;

use super::browser;
use super::components::ErrorNotice;
use crate::api::auth::{Login, load_login_form};
use crate::i18n::*;

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let login = ServerAction::<Login>::new();
    let form_info = Resource::new(|| (), |_| load_login_form());
    Effect::new(move |_| {
        if let Some(Ok(info)) = login.value().get() {
            browser::go_to(info.home_path());
        }
    });
    let error = move || login.value().get().and_then(Result::err);
    view! {
        <Title text=move || t_string!(i18n, login.title)/>
        <section class="card login-card">
            <h1>{t!(i18n, login.title)}</h1>
            <ActionForm action=login attr:class="stack" attr:novalidate=true>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match form_info.await {
                            Ok(info) => match info.school_name {
                                Some(name) => view! { <p class="school-name">{name}</p> }.into_any(),
                                None => view! {
                                    <label class="field">
                                        <span>{t!(i18n, login.school_code)}</span>
                                        <input name="school_code" inputmode="numeric" autocomplete="organization" required/>
                                    </label>
                                }
                                .into_any(),
                            },
                            Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                        }
                    })}
                </Suspense>
                <label class="field">
                    <span>{t!(i18n, login.account)}</span>
                    <input name="login" autocomplete="username" autocapitalize="none" required/>
                </label>
                <label class="field">
                    <span>{t!(i18n, login.password)}</span>
                    <input type="password" name="password" autocomplete="current-password" required/>
                </label>
                {move || error().map(|error| view! { <ErrorNotice error=error/> })}
                <button type="submit" class="button button-primary" disabled=move || login.pending().get()>
                    {t!(i18n, login.submit)}
                </button>
            </ActionForm>
            <p class="login-help"><a href="/account/recover">{t!(i18n, recovery.forgot_link)}</a></p>
        </section>
    }
}
