//! The top bar: the links of the active role, the role switcher for a user who holds several
//! roles, the red bubble, logout and the language.

use leptos::prelude::*;

use super::browser;
use super::session::use_session;
use crate::api::auth::{Logout, SwitchRole};
use crate::domain::role::Role;
use crate::i18n::*;

#[component]
pub fn TopBar() -> impl IntoView {
    let i18n = use_i18n();
    let context = use_session();
    let logout = ServerAction::<Logout>::new();
    let switch = ServerAction::<SwitchRole>::new();
    // A full load of the new role's start page, so every page and the bar show that role.
    Effect::new(move |_| {
        if let Some(Ok(info)) = switch.value().get() {
            browser::go_to(info.home_path());
        }
    });
    Effect::new(move |_| {
        if logout.value().get().is_some() {
            browser::go_to("/login");
        }
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"歷"</span>
                <span>{t!(i18n, app.name)}</span>
            </a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let info = context.session.await.ok().flatten()?;
                    // With a first password only the password page works, so no links lead away.
                    let open = !info.must_change_password;
                    let student = open && info.has_role(Role::Student);
                    let teacher = open && info.has_role(Role::Teacher);
                    let admin = open && info.has_role(Role::Admin);
                    let homeroom = open && info.has_role(Role::HomeroomTeacher);
                    let several_roles = open && info.roles.len() > 1;
                    let active = info.active_role;
                    let held = info.roles.clone();
                    let submission_staff = admin || (open && info.has_role(Role::SubmissionStaff));
                    let unread = context.unread;
                    let bell_label = move || {
                        let count = unread.get();
                        if count > 0 {
                            t_string!(i18n, nav.notifications_unread, count = count).to_string()
                        } else {
                            t_string!(i18n, nav.notifications).to_string()
                        }
                    };
                    Some(view! {
                        <nav class="nav" aria-label=move || t_string!(i18n, nav.label)>
                            <Show when=move || student>
                                <a href="/student/outcomes">{t!(i18n, nav.my_outcomes)}</a>
                                <a href="/student/outcomes/new">{t!(i18n, nav.upload)}</a>
                            </Show>
                            <Show when=move || teacher>
                                <a href="/teacher/certify">{t!(i18n, nav.certify)}</a>
                                <a href="/delegations">{t!(i18n, nav.delegations)}</a>
                            </Show>
                            <Show when=move || homeroom>
                                <a href="/homeroom">{t!(i18n, nav.homeroom)}</a>
                            </Show>
                            <Show when=move || admin>
                                <a href="/admin">{t!(i18n, nav.admin)}</a>
                                <a href="/delegations">{t!(i18n, nav.delegations)}</a>
                            </Show>
                            <Show when=move || submission_staff>
                                <a href="/submissions">{t!(i18n, nav.submissions)}</a>
                            </Show>
                            <a href="/notifications" class="bell" aria-label=bell_label>
                                {t!(i18n, nav.notifications)}
                                <Show when=move || { unread.get() > 0 }>
                                    <span class="bubble" aria-hidden="true">{move || unread.get()}</span>
                                </Show>
                            </a>
                        </nav>
                        {several_roles.then(|| view! {
                            <ActionForm action=switch attr:class="inline-form role-switch">
                                <label for="role-switch">{t!(i18n, roles.switch_label)}</label>
                                <select id="role-switch" name="role">
                                    {Role::PRECEDENCE
                                        .into_iter()
                                        .filter(|role| held.contains(role))
                                        .map(|role| {
                                            let value = format!("{role:?}");
                                            view! { <option value=value selected=active == Some(role)>{role_name(i18n.get_locale_untracked(), role)}</option> }
                                        })
                                        .collect_view()}
                                </select>
                                <button type="submit" class="link-button">{t!(i18n, roles.switch)}</button>
                            </ActionForm>
                        })}
                        <div class="account">
                            <span class="who">
                                <a class="user" href="/account/password" title=move || t_string!(i18n, account.change_title)>
                                    {info.display_name.clone()}
                                </a>
                                // The school, for people who work at several schools of a city.
                                <span class="school">{info.school_name.clone()}</span>
                            </span>
                            <ActionForm action=logout attr:class="inline-form">
                                <button type="submit" class="link-button">{t!(i18n, nav.logout)}</button>
                            </ActionForm>
                        </div>
                    })
                })}
            </Suspense>
            <LanguageSwitch/>
        </header>
    }
}

/// Returns the name of a role as the role switcher shows it.
pub fn role_name(locale: Locale, role: Role) -> String {
    match role {
        Role::Student => td_string!(locale, roles.student),
        Role::Teacher => td_string!(locale, roles.teacher),
        Role::HomeroomTeacher => td_string!(locale, roles.homeroom_teacher),
        Role::Counsellor => td_string!(locale, roles.counsellor),
        Role::SubmissionStaff => td_string!(locale, roles.submission_staff),
        Role::Admin => td_string!(locale, roles.admin),
    }
    .to_string()
}

/// Switches between 中文 and English. The choice is kept in a cookie, and the page reloads so
/// that everything on it, including text built once, is in the new language.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let toggle = move |_| {
        let next = match i18n.get_locale_untracked() {
            Locale::zh_TW => Locale::en,
            Locale::en => Locale::zh_TW,
        };
        // The cookie is written here rather than by the i18n context, whose write would come
        // after the reload has begun.
        browser::set_cookie(crate::app::LOCALE_COOKIE, next.as_str());
        browser::reload();
    };
    view! {
        <button type="button" class="link-button lang" on:click=toggle lang=move || t_string!(i18n, nav.other_language_tag)>
            {t!(i18n, nav.other_language)}
        </button>
    }
}
