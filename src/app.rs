//! The HTML shell, the router and the layout. No business logic here.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::i18n::*;
use crate::ui::account::ChangePasswordPage;
use crate::ui::recovery::{RecoverPage, ResetPasswordPage};
use crate::ui::admin::AdminHomePage;
use crate::ui::admin::accounts::AccountsPage;
use crate::ui::admin::audit::AuditPage;
use crate::ui::admin::backups::BackupsPage;
use crate::ui::admin::imports::ImportsPage;
use crate::ui::admin::submissions::SubmissionsPage;
use crate::ui::admin::unlocks::UnlocksPage;
use crate::ui::admin::windows::WindowsPage;
use crate::ui::browser;
use crate::ui::homeroom::{ConfirmationSheetPage, HomeroomListPage, StudentRecordPage};
use crate::ui::login::LoginPage;
use crate::ui::nav::TopBar;
use crate::ui::notifications::NotificationsPage;
use crate::ui::session::{provide_session, use_session};
use crate::ui::student::detail::OutcomeDetailPage;
use crate::ui::student::outcomes::MyOutcomesPage;
use crate::ui::student::submissions::SubmissionRecordsPage;
use crate::ui::student::upload::{RevisePage, UploadPage};
use crate::ui::teacher::certify::CertifyPage;
use crate::ui::teacher::delegations::DelegationsPage;

/// The cookie that keeps the language chosen with the language button.
pub const LOCALE_COOKIE: &str = "licheng_locale";

/// Renders the HTML document around the app on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#1f5f8b"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Pages are in zh-TW unless the user picks English with the language button (a cookie):
    // the browser's Accept-Language is not consulted, because school computers often run
    // English systems.
    let no_accept_language =
        leptos_i18n::context::UseLocalesOptions::default().ssr_lang_header_getter(|| None);
    view! {
        <I18nContextProvider ssr_lang_header_getter=no_accept_language cookie_name=LOCALE_COOKIE>
            <Stylesheet id="licheng" href="/pkg/licheng.css"/>
            <Layout/>
        </I18nContextProvider>
    }
}

#[component]
fn Layout() -> impl IntoView {
    let i18n = use_i18n();
    provide_session();
    Effect::new(move |_| browser::mark_hydrated());
    view! {
        <Title formatter=move |page: String| {
            let app = t_string!(i18n, app.name).to_string();
            if page.is_empty() { app } else { format!("{page} · {app}") }
        }/>
        <Router>
            <TopBar/>
            <main class="main">
                // In-order streaming sends each page's data in place, so pages read without the
                // script too (a phone with scripts blocked, a slow connection before hydration).
                <Routes fallback=move || view! { <p class="notice notice-error">{t!(i18n, errors.page_not_found)}</p> }>
                    <Route path=path!("") view=Home ssr=SsrMode::InOrder/>
                    <Route path=path!("login") view=LoginPage ssr=SsrMode::InOrder/>
                    <Route path=path!("account/password") view=ChangePasswordPage ssr=SsrMode::InOrder/>
                    <Route path=path!("account/recover") view=RecoverPage ssr=SsrMode::InOrder/>
                    <Route path=path!("account/reset") view=ResetPasswordPage ssr=SsrMode::InOrder/>
                    <Route path=path!("student/outcomes") view=MyOutcomesPage ssr=SsrMode::InOrder/>
                    <Route path=path!("student/outcomes/new") view=UploadPage ssr=SsrMode::InOrder/>
                    <Route path=path!("student/outcomes/:id") view=OutcomeDetailPage ssr=SsrMode::InOrder/>
                    <Route path=path!("student/outcomes/:id/revise") view=RevisePage ssr=SsrMode::InOrder/>
                    <Route path=path!("teacher/certify") view=CertifyPage ssr=SsrMode::InOrder/>
                    <Route path=path!("delegations") view=DelegationsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("homeroom") view=HomeroomListPage ssr=SsrMode::InOrder/>
                    <Route path=path!("homeroom/:homeroom/students/:student") view=StudentRecordPage ssr=SsrMode::InOrder/>
                    <Route path=path!("homeroom/:homeroom/students/:student/sheet") view=ConfirmationSheetPage ssr=SsrMode::InOrder/>
                    <Route path=path!("notifications") view=NotificationsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("student/submissions") view=SubmissionRecordsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("admin") view=AdminHomePage ssr=SsrMode::InOrder/>
                    <Route path=path!("admin/accounts") view=AccountsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("admin/windows") view=WindowsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("admin/unlocks") view=UnlocksPage ssr=SsrMode::InOrder/>
                    <Route path=path!("admin/audit") view=AuditPage ssr=SsrMode::InOrder/>
                    <Route path=path!("admin/backups") view=BackupsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("admin/imports") view=ImportsPage ssr=SsrMode::InOrder/>
                    <Route path=path!("submissions") view=SubmissionsPage ssr=SsrMode::InOrder/>
                </Routes>
            </main>
        </Router>
    }
}

/// Sends each user to the start page of their role, and everyone else to the login page.
#[component]
fn Home() -> impl IntoView {
    let session = use_session().session;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let path = match session.await {
                    Ok(Some(info)) => info.home_path(),
                    _ => "/login",
                };
                view! { <Redirect path=path/> }
            })}
        </Suspense>
    }
}
