//! 通知: what was published. Opening the page marks everything read, which clears the red
//! bubble in every open tab.

use leptos::prelude::*;
use leptos_meta::Title;

use super::components::ErrorNotice;
use super::format::use_semester_label;
use super::session::{RequireLogin, use_session};
use crate::api::notifications::{mark_notifications_read, notifications};
use crate::domain::outcome::Verdict;
use crate::i18n::*;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let items = Resource::new(|| (), |_| notifications());
    let semester_label = use_semester_label();
    // Mark read once the list is on screen, in the browser only.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        if let Some(Ok(list)) = items.get() {
            if list.iter().any(|item| !item.read) {
                leptos::task::spawn_local(async move {
                    if mark_notifications_read().await.is_ok() {
                        session.unread.set(0);
                    }
                });
            }
            return true;
        }
        false
    });
    view! {
        <Title text=move || t_string!(i18n, notifications.title)/>
        <h1>{t!(i18n, notifications.title)}</h1>
        <RequireLogin>
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match items.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, notifications.empty)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="notification-list">
                            {list
                                .into_iter()
                                .map(|item| {
                                    let semester = semester_label(item.semester);
                                    let subject = item.subject.clone();
                                    let text = match item.verdict {
                                        Verdict::Passed => t_string!(i18n, notifications.published_passed, subject = subject, semester = semester).to_string(),
                                        Verdict::Failed => t_string!(i18n, notifications.published_failed, subject = subject, semester = semester).to_string(),
                                    };
                                    let summary = item.summary.clone();
                                    let class = if item.read { "notification" } else { "notification unread" };
                                    view! {
                                        <li class=class>
                                            <Show when=move || !item.read>
                                                <span class="badge badge-new">{t!(i18n, notifications.unread)}</span>
                                            </Show>
                                            <a href=format!("/student/outcomes/{}", item.outcome_id)>{text}</a>
                                            <span class="notification-summary">{summary}</span>
                                            <time>{item.created_at.to_roc_datetime()}</time>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Suspense>
        </RequireLogin>
    }
}
