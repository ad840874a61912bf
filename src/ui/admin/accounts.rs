//! 帳號管理: the school's login rule, finding an account to reset or sign out, and printing
//! account slips (帳號單) for a homeroom.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::accounts::{
    EndAccountSessions, HomeroomSlips, ResetAccount, UpdateAccountSettings, load_accounts_page,
    search_accounts,
};
use crate::domain::accounts::{
    AccountRow, AccountSettings, AccountSlip, FirstPassword, LoginRule, ResetMode,
};
use crate::domain::ids::HomeroomId;
use crate::domain::role::Role;
use crate::i18n::*;
use crate::ui::browser;
use crate::ui::components::{DateTime, ErrorNotice};
use crate::ui::session::RequireRole;

#[component]
pub fn AccountsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, accounts.title)/>
        <RequireRole role=Role::Admin>
            <Accounts/>
        </RequireRole>
    }
}

#[component]
fn Accounts() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<UpdateAccountSettings>::new();
    let page = Resource::new(move || save.version().get(), |_| load_accounts_page());
    view! {
        <p class="no-print"><a class="link" href="/admin">{t!(i18n, admin.back)}</a></p>
        <h1 class="no-print">{t!(i18n, accounts.title)}</h1>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! {
                        <SettingsForm settings=page.settings save=save/>
                        <AccountSearch/>
                        <SlipPrinter homerooms=page.homerooms/>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SettingsForm(
    settings: AccountSettings,
    save: ServerAction<UpdateAccountSettings>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rule = RwSignal::new(settings.login_rule);
    let prefix = RwSignal::new(settings.login_prefix.clone());
    let days = RwSignal::new(settings.initial_credential_days.to_string());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        save.dispatch(UpdateAccountSettings {
            settings: AccountSettings {
                login_rule: rule.get_untracked(),
                login_prefix: prefix.get_untracked(),
                // An unparsable number reaches the server as 0 and gets its message there.
                initial_credential_days: days.get_untracked().trim().parse().unwrap_or(0),
            },
        });
    };
    view! {
        <form class="card window-form no-print" on:submit=submit novalidate=true aria-labelledby="account-rule-title">
            <h2 id="account-rule-title">{t!(i18n, accounts.rule_title)}</h2>
            <fieldset class="choices">
                <legend>{t!(i18n, accounts.rule_legend)}</legend>
                <label class="choice">
                    <input type="radio" name="login_rule" value="student_number"
                        prop:checked=move || rule.get() == LoginRule::StudentNumber
                        on:change=move |_| rule.set(LoginRule::StudentNumber)/>
                    <span>
                        <strong>{t!(i18n, accounts.rule_student_number)}</strong>
                        <small>{t!(i18n, accounts.rule_student_number_hint)}</small>
                    </span>
                </label>
                <label class="choice">
                    <input type="radio" name="login_rule" value="national_id"
                        prop:checked=move || rule.get() == LoginRule::NationalId
                        on:change=move |_| rule.set(LoginRule::NationalId)/>
                    <span>
                        <strong>{t!(i18n, accounts.rule_national_id)}</strong>
                        <small>{t!(i18n, accounts.rule_national_id_hint)}</small>
                    </span>
                </label>
            </fieldset>
            <div class="window-grid">
                <div class="field">
                    <label for="account-prefix">{t!(i18n, accounts.prefix)}</label>
                    <input id="account-prefix" autocomplete="off" autocapitalize="none"
                        disabled=move || rule.get() != LoginRule::NationalId
                        prop:value=move || prefix.get()
                        on:input=move |event| prefix.set(event_target_value(&event))/>
                </div>
                <div class="field">
                    <label for="account-days">{t!(i18n, accounts.days)}</label>
                    <input id="account-days" inputmode="numeric"
                        prop:value=move || days.get()
                        on:input=move |event| days.set(event_target_value(&event))/>
                </div>
            </div>
            <p class="hint">{t!(i18n, accounts.rule_warning)}</p>
            {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error=error/> })}
            {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! {
                <p class="notice notice-success" role="status">{t!(i18n, accounts.saved)}</p>
            })}
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    {t!(i18n, accounts.save)}
                </button>
            </div>
        </form>
    }
}

#[component]
fn AccountSearch() -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let reset = ServerAction::<ResetAccount>::new();
    let end = ServerAction::<EndAccountSessions>::new();
    let results = Resource::new(
        move || (query.get(), reset.version().get(), end.version().get()),
        |(query, _, _)| search_accounts(query),
    );
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        query.set(typed.get_untracked());
    };
    // Only the result of the latest action shows, so a reset's notice does not sit above an
    // older sign-out's.
    let latest = RwSignal::new(None::<bool>);
    Effect::new(move |_| {
        if reset.value().get().is_some() {
            latest.set(Some(true));
        }
    });
    Effect::new(move |_| {
        if end.value().get().is_some() {
            latest.set(Some(false));
        }
    });
    view! {
        <section class="card no-print" aria-labelledby="account-search-title">
            <h2 id="account-search-title">{t!(i18n, accounts.search_title)}</h2>
            <form class="search-form" on:submit=submit role="search">
                <label class="field">
                    <span>{t!(i18n, accounts.search_label)}</span>
                    <input type="search" autocomplete="off"
                        prop:value=move || typed.get()
                        on:input=move |event| typed.set(event_target_value(&event))/>
                </label>
                <button type="submit" class="button">{t!(i18n, accounts.search)}</button>
            </form>
            {move || reset.value().get().filter(|_| latest.get() == Some(true)).map(|result| match result {
                Ok(slip) => view! { <IssuedSlip slip=slip/> }.into_any(),
                Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
            })}
            {move || end.value().get().filter(|_| latest.get() == Some(false)).map(|result| match result {
                Ok(count) => view! {
                    <p class="notice notice-success" role="status">{t!(i18n, accounts.sessions_ended, count = count)}</p>
                }
                .into_any(),
                Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
            })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(rows) if rows.is_empty() && !query.get_untracked().trim().is_empty() => {
                            view! { <p class="empty">{t!(i18n, accounts.no_results)}</p> }.into_any()
                        }
                        Ok(rows) if rows.is_empty() => ().into_any(),
                        Ok(rows) => view! { <AccountTable rows=rows reset=reset end=end/> }.into_any(),
                        Err(error) => view! { <ErrorNotice error=error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AccountTable(
    rows: Vec<AccountRow>,
    reset: ServerAction<ResetAccount>,
    end: ServerAction<EndAccountSessions>,
) -> impl IntoView {
    let i18n = use_i18n();
    let busy = move || reset.pending().get() || end.pending().get();
    view! {
        <div class="table-scroll">
            <table class="responsive">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, accounts.person)}</th>
                        <th scope="col">{t!(i18n, accounts.login)}</th>
                        <th scope="col">{t!(i18n, accounts.status)}</th>
                        <th scope="col">{t!(i18n, accounts.actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let account = row.user_id;
                            let person = match (&row.homeroom, row.seat_no) {
                                (Some(homeroom), Some(seat)) => format!(
                                    "{} {}",
                                    row.display_name,
                                    t_string!(i18n, accounts.homeroom_seat, homeroom = homeroom.clone(), seat = seat)
                                ),
                                _ => row.display_name.clone(),
                            };
                            let number = row.student_number.clone().or(row.staff_number.clone()).unwrap_or_default();
                            let status = if !row.is_active {
                                t_string!(i18n, accounts.inactive).to_string()
                            } else if row.first_password {
                                t_string!(i18n, accounts.first_password_pending).to_string()
                            } else {
                                t_string!(i18n, accounts.password_chosen).to_string()
                            };
                            let sessions = row.sessions;
                            view! {
                                <tr>
                                    <td data-label=move || t_string!(i18n, accounts.person)>
                                        <span>{person} <small class="muted">{number}</small></span>
                                    </td>
                                    <td data-label=move || t_string!(i18n, accounts.login)><code>{row.login.clone()}</code></td>
                                    <td data-label=move || t_string!(i18n, accounts.status)>
                                        <span>
                                            {status}
                                            {row.first_password_expires_at.filter(|_| row.first_password).map(|at| view! {
                                                " " {t!(i18n, accounts.expires)} " " <DateTime at=at/>
                                            })}
                                            " · " {t!(i18n, accounts.sessions, count = sessions)}
                                        </span>
                                    </td>
                                    <td data-label=move || t_string!(i18n, accounts.actions)>
                                        <span class="row-actions">
                                            <button type="button" class="button button-small" disabled=busy
                                                on:click=move |_| { reset.dispatch(ResetAccount { account, mode: ResetMode::SchoolRule }); }>
                                                {t!(i18n, accounts.reset_rule)}
                                            </button>
                                            <button type="button" class="button button-small" disabled=busy
                                                on:click=move |_| { reset.dispatch(ResetAccount { account, mode: ResetMode::NewCode }); }>
                                                {t!(i18n, accounts.reset_code)}
                                            </button>
                                            <button type="button" class="button button-small" disabled=move || busy() || sessions == 0
                                                on:click=move |_| { end.dispatch(EndAccountSessions { account }); }>
                                                {t!(i18n, accounts.end_sessions)}
                                            </button>
                                        </span>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Shows the first password just issued to one account, once.
#[component]
fn IssuedSlip(slip: AccountSlip) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="notice notice-success issued" role="status">
            <p>{t!(i18n, accounts.issued, name = slip.display_name.clone())}</p>
            <p>
                {t!(i18n, accounts.login)} " " <code>{slip.login.clone()}</code> " · "
                {t!(i18n, accounts.first_password)} " " <FirstPasswordText password=slip.first_password.clone()/>
            </p>
            <p class="hint">{t!(i18n, accounts.issued_hint)} " " <DateTime at=slip.expires_at/></p>
        </div>
    }
}

#[component]
fn FirstPasswordText(password: FirstPassword) -> impl IntoView {
    let i18n = use_i18n();
    match password {
        FirstPassword::Code(code) => view! { <code class="code">{code}</code> }.into_any(),
        FirstPassword::NationalIdDigits => {
            view! { <span>{t!(i18n, accounts.id_digits)}</span> }.into_any()
        }
    }
}

#[component]
fn SlipPrinter(homerooms: Vec<crate::domain::accounts::HomeroomChoice>) -> impl IntoView {
    let i18n = use_i18n();
    let print = ServerAction::<HomeroomSlips>::new();
    let chosen = RwSignal::new(
        homerooms
            .first()
            .map(|choice| choice.id.0.to_string())
            .unwrap_or_default(),
    );
    let empty = homerooms.is_empty();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if let Ok(id) = chosen.get_untracked().parse::<i64>() {
            print.dispatch(HomeroomSlips {
                homeroom: HomeroomId(id),
            });
        }
    };
    view! {
        <form class="card window-form no-print" on:submit=submit aria-labelledby="slips-title">
            <h2 id="slips-title">{t!(i18n, accounts.slips_title)}</h2>
            <p class="hint">{t!(i18n, accounts.slips_hint)}</p>
            <div class="field">
                <label for="slips-homeroom">{t!(i18n, accounts.homeroom)}</label>
                <select id="slips-homeroom" disabled=empty on:change=move |event| chosen.set(event_target_value(&event))>
                    {homerooms
                        .into_iter()
                        .map(|choice| view! { <option value=choice.id.0.to_string()>{choice.name}</option> })
                        .collect_view()}
                </select>
            </div>
            {move || print.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error=error/> })}
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || empty || print.pending().get()>
                    {t!(i18n, accounts.slips_make)}
                </button>
            </div>
        </form>
        {move || print.value().get().and_then(Result::ok).map(|slips| view! { <Slips slips=slips/> })}
    }
}

#[component]
fn Slips(slips: Vec<AccountSlip>) -> impl IntoView {
    let i18n = use_i18n();
    if slips.is_empty() {
        return view! { <p class="empty no-print">{t!(i18n, accounts.slips_none)}</p> }.into_any();
    }
    view! {
        <div class="form-actions no-print">
            <button type="button" class="button" on:click=move |_| browser::print()>{t!(i18n, accounts.print)}</button>
        </div>
        <ol class="slips">
            {slips
                .into_iter()
                .map(|slip| view! {
                    <li class="slip">
                        <p class="slip-title">{t!(i18n, accounts.slip_heading)}</p>
                        <p>
                            {slip.homeroom.clone().unwrap_or_default()} " "
                            {slip.seat_no.map(|seat| seat.to_string()).unwrap_or_default()} " "
                            <strong>{slip.display_name.clone()}</strong>
                        </p>
                        <p>{t!(i18n, accounts.login)} " " <code>{slip.login.clone()}</code></p>
                        <p>{t!(i18n, accounts.first_password)} " " <FirstPasswordText password=slip.first_password.clone()/></p>
                        <p class="hint">{t!(i18n, accounts.slip_note)} " " <DateTime at=slip.expires_at/></p>
                    </li>
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}
