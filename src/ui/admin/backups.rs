//! 備份: the last backup and restore drill, the schedule, and a button that starts a backup,
//! with its progress while it runs.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::{StartBackup, load_backup_status};
use crate::domain::files::format_size;
use crate::domain::role::Role;
use crate::domain::views::{BackupKind, BackupOutcome, BackupRun, BackupStatus};
use crate::i18n::*;
use crate::ui::components::{DateTime, ErrorNotice};
use crate::ui::session::RequireRole;

#[component]
pub fn BackupsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, backups.title)/>
        <RequireRole role=Role::Admin>
            <Backups/>
        </RequireRole>
    }
}

#[component]
fn Backups() -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<StartBackup>::new();
    // Bumped every two seconds while a run is in progress, so the page follows it.
    let tick = RwSignal::new(0u32);
    let status = Resource::new(
        move || (start.version().get(), tick.get()),
        |_| load_backup_status(),
    );
    view! {
        <p><a class="link" href="/admin">{t!(i18n, admin.back)}</a></p>
        <h1>{t!(i18n, backups.title)}</h1>
        <p class="hint">{t!(i18n, backups.rules)}</p>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(status) => {
                        if status.running.is_some() {
                            follow(tick);
                        }
                        view! { <StatusView status=status start=start/> }.into_any()
                    }
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Asks for the status again in two seconds (in the browser only).
fn follow(tick: RwSignal<u32>) {
    #[cfg(feature = "hydrate")]
    set_timeout(
        move || tick.update(|n| *n = n.wrapping_add(1)),
        std::time::Duration::from_secs(2),
    );
    #[cfg(not(feature = "hydrate"))]
    let _ = tick;
}

#[component]
fn StatusView(status: BackupStatus, start: ServerAction<StartBackup>) -> impl IntoView {
    let i18n = use_i18n();
    let running = status.running.clone();
    let busy = running.is_some();
    let schedule = if !status.available {
        t_string!(i18n, backups.unavailable).to_string()
    } else if status.every_hours == 0 {
        t_string!(i18n, backups.schedule_off).to_string()
    } else {
        t_string!(
            i18n,
            backups.schedule,
            hours = status.every_hours,
            keep = status.keep
        )
        .to_string()
    };
    view! {
        <section class="card backup-card" aria-labelledby="backup-schedule">
            <h2 id="backup-schedule">{t!(i18n, backups.schedule_title)}</h2>
            <p>{schedule}</p>
            {status.next_at.map(|at| view! { <p>{t!(i18n, backups.next)} <DateTime at=at/></p> })}
            {running.map(|(run, done, total)| view! { <Running run=run done=done total=total/> })}
            {move || start.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error=error/> })}
            <div class="form-actions">
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || busy || !status.available || start.pending().get()
                    on:click=move |_| {
                        start.dispatch(StartBackup {});
                    }
                >
                    {t!(i18n, backups.start)}
                </button>
            </div>
        </section>
        <div class="backup-runs">
            <RunCard title=t_string!(i18n, backups.last_backup).to_string() run=status.last_backup/>
            <RunCard title=t_string!(i18n, backups.last_drill).to_string() run=status.last_drill/>
        </div>
    }
}

#[component]
fn Running(run: BackupRun, done: u64, total: u64) -> impl IntoView {
    let i18n = use_i18n();
    let label = match run.kind {
        BackupKind::Backup => t_string!(i18n, backups.running_backup, done = done, total = total),
        BackupKind::Drill => t_string!(i18n, backups.running_drill, done = done, total = total),
    }
    .to_string();
    let max = total.max(1).to_string();
    view! {
        <div class="backup-progress" role="status">
            <p>{label.clone()}</p>
            <progress max=max value=done.to_string() aria-label=label></progress>
        </div>
    }
}

#[component]
fn RunCard(title: String, run: Option<BackupRun>) -> impl IntoView {
    let i18n = use_i18n();
    let body = match run {
        None => view! { <p class="empty">{t!(i18n, backups.never)}</p> }.into_any(),
        Some(run) => {
            let (class, outcome) = match run.outcome {
                BackupOutcome::Succeeded => {
                    ("badge badge-passed", t_string!(i18n, backups.succeeded))
                }
                BackupOutcome::Failed => ("badge badge-failed", t_string!(i18n, backups.failed)),
                BackupOutcome::Running => ("badge badge-pending", t_string!(i18n, backups.running)),
            };
            let size = match (run.files, run.bytes) {
                (Some(files), Some(bytes)) => Some(
                    t_string!(i18n, backups.size, files = files, size = format_size(bytes))
                        .to_string(),
                ),
                (Some(files), None) => {
                    Some(t_string!(i18n, backups.checked, files = files).to_string())
                }
                _ => None,
            };
            view! {
                <p><span class=class>{outcome}</span></p>
                <dl class="backup-facts">
                    <dt>{t!(i18n, backups.started)}</dt>
                    <dd><DateTime at=run.started_at/></dd>
                    {run.finished_at.map(|at| view! {
                        <dt>{t!(i18n, backups.finished)}</dt>
                        <dd><DateTime at=at/></dd>
                    })}
                    {run.name.map(|name| view! {
                        <dt>{t!(i18n, backups.name)}</dt>
                        <dd><code>{name}</code></dd>
                    })}
                    {size.map(|size| view! {
                        <dt>{t!(i18n, backups.contents)}</dt>
                        <dd>{size}</dd>
                    })}
                </dl>
                {run.detail.map(|detail| view! {
                    <p class="notice notice-error" role="alert">{t!(i18n, backups.failure)} " " <code>{detail}</code></p>
                })}
            }
            .into_any()
        }
    };
    view! {
        <section class="card backup-card">
            <h2>{title}</h2>
            {body}
        </section>
    }
}
