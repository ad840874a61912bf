//! 變更密碼: required after a first password, open to every user at any time.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use super::browser;
use super::components::ErrorNotice;
use super::session::use_session;
use crate::api::auth::ChangePassword;
use crate::domain::AppError;
use crate::domain::password::MIN_PASSWORD_CHARS;
use crate::i18n::*;

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session().session;
    let change = ServerAction::<ChangePassword>::new();
    Effect::new(move |_| {
        if let Some(Ok(info)) = change.value().get() {
            browser::go_to(info.home_path());
        }
    });
    let error = move || change.value().get().and_then(Result::err);
    view! {
        <Title text=move || t_string!(i18n, account.change_title)/>
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                let info = match session.await {
                    Ok(Some(info)) => info,
                    Ok(None) | Err(AppError::Unauthenticated) => {
                        return view! { <Redirect path="/login"/> }.into_any();
                    }
                    Err(error) => return view! { <ErrorNotice error=error/> }.into_any(),
                };
                let first = info.must_change_password;
                view! {
                    <section class="card login-card">
                        <h1>{t!(i18n, account.change_title)}</h1>
                        <Show when=move || first>
                            <p class="notice">{t!(i18n, account.first_password)}</p>
                        </Show>
                        <ActionForm action=change attr:class="stack" attr:novalidate=true>
                            <label class="field">
                                <span>{move || if first {
                                    t_string!(i18n, account.current_first)
                                } else {
                                    t_string!(i18n, account.current)
                                }}</span>
                                <input type="password" name="current_password" autocomplete="current-password" required/>
                            </label>
                            <label class="field">
                                <span>{t!(i18n, account.new_password)}</span>
                                <input type="password" name="new_password" autocomplete="new-password"
                                    minlength=MIN_PASSWORD_CHARS required/>
                            </label>
                            <label class="field">
                                <span>{t!(i18n, account.confirm)}</span>
                                <input type="password" name="confirm_password" autocomplete="new-password" required/>
                            </label>
                            <div class="hint">
                                <p>{t!(i18n, account.rules_heading)}</p>
                                <ul>
                                    <li>{t!(i18n, account.rule_length, min = MIN_PASSWORD_CHARS)}</li>
                                    <li>{t!(i18n, account.rule_personal)}</li>
                                </ul>
                            </div>
                            {move || error().map(|error| view! { <ErrorNotice error=error/> })}
                            <button type="submit" class="button button-primary" disabled=move || change.pending().get()>
                                {t!(i18n, account.submit)}
                            </button>
                        </ActionForm>
                    </section>
                }
                .into_any()
            })}
        </Suspense>
    }
}
