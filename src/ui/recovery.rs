//! 忘記帳號或密碼 (`/account/recover`) and 重設密碼 from an e-mailed link (`/account/reset`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::components::ErrorNotice;
use crate::api::auth::load_login_form;
use crate::api::recovery::{
    RequestRecovery, ResetPasswordByCode, ResetPasswordByLink, recovery_link,
};
use crate::domain::password::MIN_PASSWORD_CHARS;
use crate::domain::recovery::{CODE_DIGITS, RecoveryChannel};
use crate::i18n::*;

#[component]
pub fn RecoverPage() -> impl IntoView {
    let i18n = use_i18n();
    let request = ServerAction::<RequestRecovery>::new();
    let reset = ServerAction::<ResetPasswordByCode>::new();
    let form_info = Resource::new(|| (), |_| load_login_form());
    // The school code typed into the request, sent again with the code.
    let school_code = RwSignal::new(String::new());
    let request_error = move || request.value().get().and_then(Result::err);
    let reset_error = move || reset.value().get().and_then(Result::err);
    let reset_done = move || matches!(reset.value().get(), Some(Ok(())));
    view! {
        <Title text=move || t_string!(i18n, recovery.title)/>
        <section class="card login-card">
            <h1>{t!(i18n, recovery.title)}</h1>
            <Show
                when=reset_done
                fallback=move || view! {
                    <p>{t!(i18n, recovery.intro)}</p>
                    <ActionForm action=request attr:class="stack" attr:novalidate=true>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                match form_info.await {
                                    Ok(info) => match info.school_name {
                                        Some(name) => view! { <p class="school-name">{name}</p> }.into_any(),
                                        None => view! {
                                            <label class="field">
                                                <span>{t!(i18n, login.school_code)}</span>
                                                <input name="school_code" inputmode="numeric" autocomplete="organization" required
                                                    on:input=move |event| school_code.set(event_target_value(&event))/>
                                            </label>
                                        }
                                        .into_any(),
                                    },
                                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                                }
                            })}
                        </Suspense>
                        <label class="field">
                            <span>{t!(i18n, recovery.contact)}</span>
                            <input name="contact" autocomplete="email" autocapitalize="none" required/>
                        </label>
                        {move || request_error().map(|error| view! { <ErrorNotice error=error/> })}
                        <button type="submit" class="button button-primary" disabled=move || request.pending().get()>
                            {t!(i18n, recovery.send)}
                        </button>
                    </ActionForm>
                    {move || match request.value().get() {
                        Some(Ok(sent)) => {
                            let contact = sent.contact.clone();
                            match sent.channel {
                                RecoveryChannel::Email => view! {
                                    <p class="notice notice-success" role="status">
                                        {t!(i18n, recovery.sent_email, contact = contact)}
                                    </p>
                                }
                                .into_any(),
                                RecoveryChannel::Sms => view! {
                                    <p class="notice notice-success" role="status">
                                        {t!(i18n, recovery.sent_sms, contact = contact.clone())}
                                    </p>
                                    <ActionForm action=reset attr:class="stack" attr:novalidate=true>
                                        <input type="hidden" name="school_code" value=school_code.get_untracked() prop:value=move || school_code.get()/>
                                        <input type="hidden" name="phone" value=contact/>
                                        <label class="field">
                                            <span>{t!(i18n, recovery.code)}</span>
                                            <input name="code" inputmode="numeric" autocomplete="one-time-code"
                                                maxlength=CODE_DIGITS required/>
                                        </label>
                                        <NewPasswordFields/>
                                        {move || reset_error().map(|error| view! { <ErrorNotice error=error/> })}
                                        <button type="submit" class="button button-primary" disabled=move || reset.pending().get()>
                                            {t!(i18n, recovery.reset)}
                                        </button>
                                    </ActionForm>
                                }
                                .into_any(),
                            }
                        }
                        _ => view! { <p class="hint">{t!(i18n, recovery.no_contact)}</p> }.into_any(),
                    }}
                    <p><a href="/login">{t!(i18n, recovery.to_login)}</a></p>
                }
            >
                <Done/>
            </Show>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let account = Resource::new(token, recovery_link);
    let reset = ServerAction::<ResetPasswordByLink>::new();
    let reset_error = move || reset.value().get().and_then(Result::err);
    let reset_done = move || matches!(reset.value().get(), Some(Ok(())));
    view! {
        <Title text=move || t_string!(i18n, recovery.reset_title)/>
        <section class="card login-card">
            <h1>{t!(i18n, recovery.reset_title)}</h1>
            <Show when=move || !reset_done() fallback=|| view! { <Done/> }>
                <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match account.await {
                            Ok(info) => view! {
                                <p class="school-name">{info.school_name}</p>
                                <dl class="account-facts">
                                    <dt>{t!(i18n, recovery.your_account)}</dt>
                                    <dd><strong class="login-name">{info.login}</strong>" "{info.display_name}</dd>
                                </dl>
                                <ActionForm action=reset attr:class="stack" attr:novalidate=true>
                                    <input type="hidden" name="token" value=token prop:value=token/>
                                    <NewPasswordFields/>
                                    {move || reset_error().map(|error| view! { <ErrorNotice error=error/> })}
                                    <button type="submit" class="button button-primary" disabled=move || reset.pending().get()>
                                        {t!(i18n, recovery.reset)}
                                    </button>
                                </ActionForm>
                            }
                            .into_any(),
                            Err(error) => view! {
                                <ErrorNotice error=error/>
                                <p><a href="/account/recover">{t!(i18n, recovery.again)}</a></p>
                            }
                            .into_any(),
                        }
                    })}
                </Suspense>
            </Show>
        </section>
    }
}

/// Renders the new-password and confirmation fields with the password rules.
#[component]
fn NewPasswordFields() -> impl IntoView {
    let i18n = use_i18n();
    view! {
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
    }
}

#[component]
fn Done() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="notice notice-success" role="status">{t!(i18n, recovery.done)}</p>
        <a class="button button-primary" href="/login">{t!(i18n, recovery.to_login)}</a>
    }
}
