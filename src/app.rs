//! The HTML shell, the router and the layout. No business logic here.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};

use crate::i18n::*;
use crate::ui::account::ChangePasswordPage;
use crate::ui::admin::AdminHomePage;
use crate::ui::admin::accounts::AccountsPage;
use crate::ui::admin::audit::AuditPage;
use crate::ui::admin::backups::BackupsPage;
use crate::ui::admin::imports::ImportsPage;
use crate::ui::admin::submissions::SubmissionsPage;
use crate::ui::admin::unlocks::UnlocksPage;
use crate::ui::admin::windows::WindowsPage;
use crate::ui::homeroom::{ConfirmationSheetPage, HomeroomListPage, StudentRecordPage};
use crate::ui::login::LoginPage;
use crate::ui::nav::TopBar;
use crate::ui::notifications::NotificationsPage;
use crate::ui::recovery::{RecoverPage, ResetPasswordPage};
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
                    <Route path=path!("login") view={Lazy::<LoginRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("account/password") view={Lazy::<ChangePasswordRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("account/recover") view={Lazy::<RecoverRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("account/reset") view={Lazy::<ResetPasswordRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("student/outcomes") view={Lazy::<MyOutcomesRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("student/outcomes/new") view={Lazy::<UploadRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("student/outcomes/:id") view={Lazy::<OutcomeDetailRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("student/outcomes/:id/revise") view={Lazy::<ReviseRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("teacher/certify") view={Lazy::<CertifyRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("delegations") view={Lazy::<DelegationsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("homeroom") view={Lazy::<HomeroomListRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("homeroom/:homeroom/students/:student") view={Lazy::<StudentRecordRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("homeroom/:homeroom/students/:student/sheet") view={Lazy::<ConfirmationSheetRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("notifications") view={Lazy::<NotificationsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("student/submissions") view={Lazy::<SubmissionRecordsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("admin") view={Lazy::<AdminHomeRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("admin/accounts") view={Lazy::<AccountsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("admin/windows") view={Lazy::<WindowsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("admin/unlocks") view={Lazy::<UnlocksRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("admin/audit") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("admin/backups") view={Lazy::<BackupsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("admin/imports") view={Lazy::<ImportsRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("submissions") view={Lazy::<SubmissionsRoute>::new()} ssr=SsrMode::InOrder/>
                </Routes>
            </main>
        </Router>
    }
}

/// Declares the route type of each page. `cargo leptos build --split` puts each page's code
/// in its own WebAssembly chunks, which the browser loads when it first opens the page. The
/// server names the chunks of the page it renders, so they load before hydration.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                untrack($page).into_any()
            }
        }
    )*};
}

lazy_pages! {
    LoginRoute => LoginPage,
    ChangePasswordRoute => ChangePasswordPage,
    RecoverRoute => RecoverPage,
    ResetPasswordRoute => ResetPasswordPage,
    MyOutcomesRoute => MyOutcomesPage,
    UploadRoute => UploadPage,
    OutcomeDetailRoute => OutcomeDetailPage,
    ReviseRoute => RevisePage,
    CertifyRoute => CertifyPage,
    DelegationsRoute => DelegationsPage,
    HomeroomListRoute => HomeroomListPage,
    StudentRecordRoute => StudentRecordPage,
    ConfirmationSheetRoute => ConfirmationSheetPage,
    NotificationsRoute => NotificationsPage,
    SubmissionRecordsRoute => SubmissionRecordsPage,
    AdminHomeRoute => AdminHomePage,
    AccountsRoute => AccountsPage,
    WindowsRoute => WindowsPage,
    UnlocksRoute => UnlocksPage,
    AuditRoute => AuditPage,
    BackupsRoute => BackupsPage,
    ImportsRoute => ImportsPage,
    SubmissionsRoute => SubmissionsPage,
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
