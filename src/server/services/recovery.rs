//! 忘記帳號/密碼: a user who forgot the login name or the password enters the e-mail
//! address or mobile number the school has on record. Each matching account gets its login
//! name with a one-time link (e-mail, 30 minutes) or code (SMS, 10 minutes) to set a new
//! password.
//!
//! The answer to a request is the same whether an account was found or not, and messages are
//! sent after the answer, so neither the words nor the time tell a stranger who has an account.
//! Each account gets at most 3 messages an hour; each client address may ask 30 times in 10
//! minutes; each code stops after 5 wrong tries.

use rand::Rng;

use crate::domain::AppError;
use crate::domain::calendar::UtcMillis;
use crate::domain::ids::{SchoolId, UserId};
use crate::domain::password::{PersonalData, check_new_password};
use crate::domain::recovery::{
    CODE_DIGITS, CODE_VALID_MINUTES, Contact, LINK_VALID_MINUTES, MAX_MESSAGES_PER_HOUR,
    RecoveryChannel, RecoveryLinkInfo, RecoveryRequested, parse_code, parse_contact,
};
use crate::server::auth::session;
use crate::server::auth::throttle::{self, ThrottleKey};
use crate::server::db;
use crate::server::db::audit::AuditEvent;
use crate::server::db::schools::School;
use crate::server::error::OrInternal;
use crate::server::messaging::{Messenger, OutgoingMail};
use crate::server::services::auth::normalise_login;
use crate::server::state::AppState;

/// Requests one client address may make in the throttle window (10 minutes). A school's whole
/// network may share one address, so this is generous; the per-account cap stops floods.
const ADDRESS_REQUESTS: i64 = 30;
const HOUR_MILLIS: i64 = 3_600_000;

/// Finds the accounts that have `contact_text` on record and sends each a link or code.
pub async fn request(
    state: &AppState,
    school_code: Option<String>,
    contact_text: &str,
    client_address: &str,
) -> Result<RecoveryRequested, AppError> {
    let contact = parse_contact(contact_text).map_err(AppError::RecoveryContact)?;
    let school = find_school(state, school_code.as_deref()).await?;
    let pool = &state.db.pool;
    let now = state.clock.now();
    let address_key = ThrottleKey::Recovery(client_address.to_owned());
    if let Some(retry_at) = throttle::blocked_until(pool, std::slice::from_ref(&address_key), now)
        .await
        .or_internal("checking recovery throttles")?
    {
        tracing::info!("password recovery rejected: too many requests from the client address");
        return Err(AppError::RecoveryThrottled { retry_at });
    }
    let targets = db::recoveries::targets(pool, school.id, &contact)
        .await
        .or_internal("finding accounts by contact")?;
    let channel = contact.channel();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a password recovery")?;
    throttle::record_failure(
        &mut tx,
        &address_key,
        now,
        ADDRESS_REQUESTS,
        state.db.lock_rows(),
    )
    .await
    .or_internal("counting a recovery request")?;
    let mut messages = Vec::new();
    for target in targets {
        let recent =
            db::recoveries::sent_since(&mut tx, target.user_id, UtcMillis(now.0 - HOUR_MILLIS))
                .await
                .or_internal("counting recent recoveries")?;
        if recent >= MAX_MESSAGES_PER_HOUR {
            tracing::info!(user.id = %target.user_id, "password recovery not sent: hourly cap reached");
            continue;
        }
        let (secret, secret_hash, minutes) = match channel {
            RecoveryChannel::Email => {
                let (token, hash) = session::new_token();
                (token, hash, LINK_VALID_MINUTES)
            }
            RecoveryChannel::Sms => {
                let code = new_code();
                let hash = code_hash(target.user_id, &code);
                (code, hash, CODE_VALID_MINUTES)
            }
        };
        db::recoveries::insert(
            &mut tx,
            school.id,
            target.user_id,
            channel,
            &secret_hash,
            now,
            UtcMillis(now.0 + minutes * 60_000),
        )
        .await
        .or_internal("storing a password recovery")?;
        write_audit(
            &mut tx,
            school.id,
            target.user_id,
            "recovery_request",
            channel,
            now,
        )
        .await?;
        messages.push(message(state, &school, &contact, &target, &secret));
    }
    tx.commit()
        .await
        .or_internal("committing a password recovery")?;
    tracing::info!(
        channel = channel.as_str(),
        sent = messages.len(),
        "password recovery requested"
    );
    // Sending takes as long as the mail server or gateway needs, so it happens after the
    // response, whose timing then does not depend on whether an account was found.
    let messenger = state.messenger.clone();
    tokio::spawn(deliver(messenger, messages));
    Ok(RecoveryRequested {
        channel,
        contact: match contact {
            Contact::Email(address) => address,
            Contact::Mobile(number) => number,
        },
    })
}

/// Returns the account behind an e-mailed link, for the page that sets the new password.
pub async fn link_info(state: &AppState, token: &str) -> Result<RecoveryLinkInfo, AppError> {
    let pool = &state.db.pool;
    let open = open_link(state, token).await?;
    let account = db::recoveries::account(pool, open.school_id, open.user_id)
        .await
        .or_internal("loading the account")?
        .ok_or(AppError::RecoveryLinkInvalid)?;
    let school = db::schools::find_by_id(pool, open.school_id)
        .await
        .or_internal("loading the school")?
        .ok_or(AppError::RecoveryLinkInvalid)?;
    Ok(RecoveryLinkInfo {
        school_name: school.name,
        login: account.login,
        display_name: account.display_name,
    })
}

/// Sets a new password with an e-mailed link.
pub async fn reset_with_link(
    state: &AppState,
    token: &str,
    new: String,
    confirmation: String,
) -> Result<(), AppError> {
    let open = open_link(state, token).await?;
    set_password(
        state,
        open.school_id,
        open.user_id,
        open.id,
        RecoveryChannel::Email,
        new,
        confirmation,
    )
    .await
}

/// Sets a new password with an SMS code sent to `phone`.
#[allow(clippy::too_many_arguments)]
pub async fn reset_with_code(
    state: &AppState,
    school_code: Option<String>,
    phone: &str,
    code: &str,
    new: String,
    confirmation: String,
    client_address: &str,
) -> Result<(), AppError> {
    let Ok(Contact::Mobile(phone)) = parse_contact(phone) else {
        return Err(AppError::RecoveryCodeWrong);
    };
    let school = find_school(state, school_code.as_deref()).await?;
    let pool = &state.db.pool;
    let now = state.clock.now();
    let address_key = ThrottleKey::Address(client_address.to_owned());
    if let Some(retry_at) = throttle::blocked_until(pool, std::slice::from_ref(&address_key), now)
        .await
        .or_internal("checking login throttles")?
    {
        return Err(AppError::RecoveryThrottled { retry_at });
    }
    let candidates = db::recoveries::open_codes(pool, school.id, &phone, now)
        .await
        .or_internal("finding recovery codes")?;
    let found = parse_code(code).and_then(|code| {
        candidates
            .iter()
            .find(|open| open.secret_hash == code_hash(open.user_id, &code))
            .cloned()
    });
    let Some(open) = found else {
        // A wrong guess counts against every code of the number and against the address, as
        // a failed login does.
        let ids: Vec<i64> = candidates.iter().map(|open| open.id).collect();
        db::recoveries::count_wrong_code(pool, &ids)
            .await
            .or_internal("counting a wrong recovery code")?;
        let mut tx = state
            .db
            .begin_write()
            .await
            .or_internal("starting to count a wrong code")?;
        throttle::record_failure(
            &mut tx,
            &address_key,
            now,
            state.settings.login_address_failures,
            state.db.lock_rows(),
        )
        .await
        .or_internal("counting a wrong recovery code")?;
        tx.commit()
            .await
            .or_internal("committing a wrong code count")?;
        tracing::info!("password recovery rejected: wrong or expired code");
        return Err(AppError::RecoveryCodeWrong);
    };
    set_password(
        state,
        open.school_id,
        open.user_id,
        open.id,
        RecoveryChannel::Sms,
        new,
        confirmation,
    )
    .await
}

async fn find_school(state: &AppState, code: Option<&str>) -> Result<School, AppError> {
    let pool = &state.db.pool;
    let code = code.map(str::trim).unwrap_or_default();
    if code.is_empty() {
        db::schools::only_school(pool)
            .await
            .or_internal("finding the school")?
            .ok_or(AppError::SchoolCodeMissing)
    } else {
        db::schools::find_by_code(pool, code)
            .await
            .or_internal("finding the school")?
            .ok_or_else(|| AppError::SchoolCodeUnknown {
                code: code.chars().take(20).collect(),
            })
    }
}

async fn open_link(
    state: &AppState,
    token: &str,
) -> Result<db::recoveries::OpenRecovery, AppError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 64 {
        return Err(AppError::RecoveryLinkInvalid);
    }
    db::recoveries::open_link(
        &state.db.pool,
        &session::hash_token(token),
        state.clock.now(),
    )
    .await
    .or_internal("finding a recovery link")?
    .ok_or(AppError::RecoveryLinkInvalid)
}

/// Checks the new password against the account's rules and stores it: the first password
/// and every open link or code are void, every session of the account ends, and its login
/// failures are forgotten.
async fn set_password(
    state: &AppState,
    school: SchoolId,
    user: UserId,
    recovery: i64,
    channel: RecoveryChannel,
    new: String,
    confirmation: String,
) -> Result<(), AppError> {
    let pool = &state.db.pool;
    let owner = db::users::password_owner(pool, school, user)
        .await
        .or_internal("loading the account")?
        .ok_or(AppError::RecoveryLinkInvalid)?;
    let national_id = crate::server::services::account::stored_national_id(state, &owner)?;
    let personal = PersonalData {
        login: &owner.login,
        student_number: owner.student_number.as_deref(),
        national_id: national_id.as_ref().map(|id| id.expose()),
        birth_date: owner.birth_date.as_deref(),
    };
    check_new_password(&new, &confirmation, None, &personal).map_err(AppError::Password)?;
    let hash = state
        .passwords
        .hash(new)
        .await
        .or_internal("hashing a password")?;
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a password reset")?;
    let claimed = db::recoveries::close_for_user(&mut tx, school, user, recovery, now)
        .await
        .or_internal("closing password recoveries")?;
    if !claimed {
        return Err(match channel {
            RecoveryChannel::Email => AppError::RecoveryLinkInvalid,
            RecoveryChannel::Sms => AppError::RecoveryCodeWrong,
        });
    }
    db::users::set_chosen_password(&mut tx, school, user, &hash, now)
        .await
        .or_internal("storing a password")?;
    db::sessions::delete_for_user(&mut tx, school, user, 0)
        .await
        .or_internal("ending the account's sessions")?;
    write_audit(&mut tx, school, user, "password_recover", channel, now).await?;
    tx.commit()
        .await
        .or_internal("committing a password reset")?;
    throttle::clear(
        pool,
        &ThrottleKey::Account {
            school: school.0.to_string(),
            login: normalise_login(&owner.login),
        },
    )
    .await
    .or_internal("clearing login failures")?;
    // Open pages of the account's ended sessions learn that they are logged out.
    state.notifier.notify(user);
    tracing::info!(user.id = %user, channel = channel.as_str(), "password set through recovery");
    Ok(())
}

async fn write_audit(
    tx: &mut db::Tx,
    school: SchoolId,
    user: UserId,
    action: &'static str,
    channel: RecoveryChannel,
    now: UtcMillis,
) -> Result<(), AppError> {
    db::audit::insert(
        tx,
        &AuditEvent {
            school,
            actor: None,
            entity: "user",
            entity_id: user.0,
            action,
            old_value: None,
            new_value: Some(channel.as_str()),
            reason: None,
        },
        now,
    )
    .await
    .or_internal("writing the recovery audit")
}

/// Draws a 6-digit code from the operating system's random source.
fn new_code() -> String {
    let code: u32 = rand::rngs::OsRng.gen_range(0..10u32.pow(CODE_DIGITS as u32));
    format!("{code:0width$}", width = CODE_DIGITS)
}

/// Hashes an SMS code together with the account, so equal codes of two accounts differ.
fn code_hash(user: UserId, code: &str) -> String {
    session::hash_token(&format!("{}:{code}", user.0))
}

/// A message sent after the response.
enum Outgoing {
    Mail(OutgoingMail),
    Sms { to: String, text: String },
}

fn message(
    state: &AppState,
    school: &School,
    contact: &Contact,
    target: &db::recoveries::RecoveryTarget,
    secret: &str,
) -> Outgoing {
    match contact {
        Contact::Email(address) => {
            let link = format!("{}/account/reset?token={secret}", state.public_origin);
            let body = format!(
                "{name} 你好：\n\n\
                 有人（希望是你）在{school}學習歷程平台申請重設密碼。\n\n\
                 你的帳號：{login}\n\n\
                 要設定新密碼，請在 {LINK_VALID_MINUTES} 分鐘內打開下面的連結。連結只能用一次：\n\
                 {link}\n\n\
                 如果不是你申請的，不必理會這封信，你的密碼不會改變。\n\n\
                 {school} 學習歷程平台（系統寄出的信，請不要直接回覆）\n",
                name = target.display_name,
                school = school.name,
                login = target.login,
            );
            Outgoing::Mail(OutgoingMail {
                sender_name: format!("{} 學習歷程", school.name),
                to_name: target.display_name.clone(),
                to_address: address.clone(),
                subject: format!("【{}】學習歷程帳號與重設密碼", school.name),
                body,
            })
        }
        Contact::Mobile(number) => Outgoing::Sms {
            to: number.clone(),
            text: format!(
                "【{}】學習歷程帳號 {} 的驗證碼 {secret}，{CODE_VALID_MINUTES} 分鐘內有效。不是你申請的請忽略。",
                school.name, target.login
            ),
        },
    }
}

async fn deliver(messenger: Messenger, messages: Vec<Outgoing>) {
    for message in messages {
        let result = match &message {
            Outgoing::Mail(mail) => messenger.mail.send(mail).await,
            Outgoing::Sms { to, text } => messenger.sms.send(to, text).await,
        };
        if let Err(error) = result {
            tracing::warn!(error = %format!("{error:#}"), "a password recovery message was not sent");
        }
    }
}
