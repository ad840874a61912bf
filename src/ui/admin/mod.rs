//! The administrator's pages (管理者: 教務處 / 資訊組) and the submission staff's page.

pub mod accounts;
pub mod audit;
pub mod backups;
pub mod imports;
pub mod submissions;
pub mod unlocks;
pub mod windows;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::calendar::{UtcMillis, format_roc_date, parse_date_input};
use crate::domain::role::Role;
use crate::domain::window::{Window, WindowState};
use crate::i18n::*;
use crate::ui::session::RequireRole;

/// Returns the Taiwan date of a moment in ROC form (`113/08/01`), the value of a date field.
pub(crate) fn date_value(at: Option<UtcMillis>) -> String {
    at.map(UtcMillis::to_roc_date).unwrap_or_default()
}

/// Turns a stored `YYYY-MM-DD` date into ROC form for display; other text is shown as is.
pub(crate) fn roc_text(iso: &str) -> String {
    parse_date_input(iso)
        .map(format_roc_date)
        .unwrap_or_else(|| iso.to_owned())
}

/// Renders a date field for school staff that takes ROC (`114/02/28`) or Gregorian
/// (`2025-02-28`) dates as text, because browsers' date pickers show Western dates only.
#[component]
pub(crate) fn DateInput(
    id: String,
    value: RwSignal<String>,
    #[prop(optional)] described_by: Option<String>,
) -> impl IntoView {
    view! {
        <input
            id=id
            type="text"
            class="date-input"
            autocomplete="off"
            maxlength="10"
            placeholder="114/02/28"
            aria-describedby=described_by
            value=value.get_untracked()
            prop:value=move || value.get()
            on:input=move |event| value.set(event_target_value(&event))
        />
    }
}

/// Renders the state of a window at `now`, such as 目前開放中，截止時間 114/02/28 23:59:59。
#[component]
pub(crate) fn WindowStatus(window: Window, now: UtcMillis) -> impl IntoView {
    let i18n = use_i18n();
    let (class, text) = match window.state(now) {
        WindowState::Open {
            closes_at: Some(at),
        } => (
            "window-status window-open",
            t_string!(i18n, admin.status_open_until, at = at.to_roc_datetime()).to_string(),
        ),
        WindowState::Open { closes_at: None } => (
            "window-status window-open",
            t_string!(i18n, admin.status_open_forever).to_string(),
        ),
        WindowState::NotYetOpen { opens_at } => (
            "window-status window-waiting",
            t_string!(i18n, admin.status_not_open, at = opens_at.to_roc_datetime()).to_string(),
        ),
        WindowState::Closed { closed_at } => (
            "window-status window-closed",
            t_string!(i18n, admin.status_closed, at = closed_at.to_roc_datetime()).to_string(),
        ),
    };
    view! { <p class=class>{text}</p> }
}

#[component]
pub fn AdminHomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, admin.title)/>
        <RequireRole role=Role::Admin>
            <h1>{t!(i18n, admin.title)}</h1>
            <ul class="admin-links">
                <li><a class="card" href="/admin/accounts"><strong>{t!(i18n, admin.accounts)}</strong><span>{t!(i18n, admin.accounts_hint)}</span></a></li>
                <li><a class="card" href="/admin/windows"><strong>{t!(i18n, admin.windows)}</strong><span>{t!(i18n, admin.windows_hint)}</span></a></li>
                <li><a class="card" href="/admin/unlocks"><strong>{t!(i18n, admin.unlocks)}</strong><span>{t!(i18n, admin.unlocks_hint)}</span></a></li>
                <li><a class="card" href="/admin/imports"><strong>{t!(i18n, imports.title)}</strong><span>{t!(i18n, imports.hint)}</span></a></li>
                <li><a class="card" href="/admin/audit"><strong>{t!(i18n, admin.audit)}</strong><span>{t!(i18n, admin.audit_hint)}</span></a></li>
                <li><a class="card" href="/admin/backups"><strong>{t!(i18n, admin.backups)}</strong><span>{t!(i18n, admin.backups_hint)}</span></a></li>
                <li><a class="card" href="/submissions"><strong>{t!(i18n, admin.submissions)}</strong><span>{t!(i18n, admin.submissions_hint)}</span></a></li>
            </ul>
        </RequireRole>
    }
}
