//! The logged-in user, shared by the navigation bar and the pages, and the live unread count.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use super::browser;
use super::components::ErrorNotice;
use crate::api::auth::current_session;
use crate::domain::AppError;
use crate::domain::role::Role;
use crate::domain::views::SessionInfo;
use crate::i18n::*;

/// The session of the page and the unread count shown in the red bubble.
#[derive(Clone, Copy)]
pub struct SessionContext {
    pub session: Resource<Result<Option<SessionInfo>, AppError>>,
    /// Starts at the count the page was rendered with; the event stream keeps it current.
    pub unread: RwSignal<u64>,
}

/// Loads the session and, in the browser, keeps the unread count live.
pub fn provide_session() -> SessionContext {
    // Blocking: the server waits for the session before it sends the page, so that the
    // response can still be a redirect to the login page.
    let session = Resource::new_blocking(|| (), |_| current_session());
    let unread = RwSignal::new(0);
    Effect::new(move |_| {
        if let Some(Ok(Some(info))) = session.get() {
            unread.set(info.unread_notifications);
            browser::open_event_stream(move |count| unread.set(count));
        }
    });
    let context = SessionContext { session, unread };
    provide_context(context);
    context
}

pub fn use_session() -> SessionContext {
    expect_context::<SessionContext>()
}

/// Renders `children` for any logged-in user; sends anyone else to the login page.
#[component]
pub fn RequireLogin(children: ChildrenFn) -> impl IntoView {
    view! { <RequireRole role=None children=children/> }
}

/// Renders `children` for a user holding `role` (any user when `None`); sends anyone not
/// logged in to the login page.
#[component]
pub fn RequireRole(#[prop(into)] role: Option<Role>, children: ChildrenFn) -> impl IntoView {
    let session = use_session().session;
    let i18n = use_i18n();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match session.await {
                    // A first password must be changed before any other page opens.
                    Ok(Some(info)) if info.must_change_password => {
                        view! { <Redirect path="/account/password"/> }.into_any()
                    }
                    Ok(Some(info)) if role.is_none_or(|role| info.has_role(role)) => {
                        children.with_value(|children| children()).into_any()
                    }
                    Ok(Some(_)) => view! { <ErrorNotice error=AppError::Forbidden/> }.into_any(),
                    Ok(None) | Err(AppError::Unauthenticated) => view! { <Redirect path="/login"/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
