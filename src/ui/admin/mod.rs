//! The administrator's pages (管理者: 教務處 / 資訊組) and the submission staff's page.

pub mod audit;
pub mod submissions;
pub mod unlocks;
pub mod windows;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::calendar::UtcMillis;
use crate::domain::role::Role;
use crate::i18n::*;
use crate::ui::session::RequireRole;

/// Returns the Taiwan date of a moment as `YYYY-MM-DD`, the value of a date input.
pub(crate) fn date_value(at: Option<UtcMillis>) -> String {
    at.map(|at| at.taipei_date().to_string())
        .unwrap_or_default()
}

#[component]
pub fn AdminHomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, admin.title)/>
        <RequireRole role=Role::Admin>
            <h1>{t!(i18n, admin.title)}</h1>
            <ul class="admin-links">
                <li><a class="card" href="/admin/windows"><strong>{t!(i18n, admin.windows)}</strong><span>{t!(i18n, admin.windows_hint)}</span></a></li>
                <li><a class="card" href="/admin/unlocks"><strong>{t!(i18n, admin.unlocks)}</strong><span>{t!(i18n, admin.unlocks_hint)}</span></a></li>
                <li><a class="card" href="/admin/audit"><strong>{t!(i18n, admin.audit)}</strong><span>{t!(i18n, admin.audit_hint)}</span></a></li>
                <li><a class="card" href="/submissions"><strong>{t!(i18n, admin.submissions)}</strong><span>{t!(i18n, admin.submissions_hint)}</span></a></li>
            </ul>
        </RequireRole>
    }
}
