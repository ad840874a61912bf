//! Account administration: how a school names accounts and hands out first passwords, and
//! what the 資訊組 page shows and sends.

use serde::{Deserialize, Serialize};

use super::calendar::UtcMillis;
use super::ids::{HomeroomId, UserId};

/// The school's rule for student login names and first passwords.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginRule {
    /// Login = 學號 (staff: staff number); the first password is a random one-time code
    /// printed on an account slip.
    StudentNumber,
    /// Login = a school prefix plus the 9 characters after the national ID's first letter;
    /// the first password is the ID's last 6 digits. Staff keep the staff number and a code.
    NationalId,
}

impl LoginRule {
    pub fn as_str(self) -> &'static str {
        match self {
            LoginRule::StudentNumber => "student_number",
            LoginRule::NationalId => "national_id",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "student_number" => Some(LoginRule::StudentNumber),
            "national_id" => Some(LoginRule::NationalId),
            _ => None,
        }
    }
}

/// The maximum length of a login prefix, in characters.
pub const MAX_LOGIN_PREFIX_CHARS: usize = 10;
/// The maximum lifetime of an unused first password, in days.
pub const MAX_INITIAL_CREDENTIAL_DAYS: i64 = 365;

/// The school's account settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub login_rule: LoginRule,
    /// Lower-case letters and digits, such as `fg`; used by [`LoginRule::NationalId`].
    pub login_prefix: String,
    /// Days after which an unused first password stops working.
    pub initial_credential_days: i64,
}

/// Checks a login prefix: 1 to 10 lower-case ASCII letters or digits.
pub fn valid_login_prefix(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix.chars().count() <= MAX_LOGIN_PREFIX_CHARS
        && prefix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// A homeroom to print account slips for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeroomChoice {
    pub id: HomeroomId,
    pub name: String,
}

/// The 帳號管理 page: the settings and the homerooms of the current school year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsPage {
    pub settings: AccountSettings,
    pub homerooms: Vec<HomeroomChoice>,
}

/// One account in the search results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRow {
    pub user_id: UserId,
    pub login: String,
    pub display_name: String,
    pub student_number: Option<String>,
    pub staff_number: Option<String>,
    /// 班級 and 座號 in the current school year.
    pub homeroom: Option<String>,
    pub seat_no: Option<i64>,
    /// The account still has its first password (or none yet).
    pub first_password: bool,
    pub first_password_expires_at: Option<UtcMillis>,
    /// Sessions alive now.
    pub sessions: i64,
    pub is_active: bool,
}

/// The kind of first password a reset gives the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetMode {
    /// The school's rule: the ID's last 6 digits under [`LoginRule::NationalId`], otherwise a
    /// new one-time code.
    SchoolRule,
    /// A new one-time code, whatever the rule.
    NewCode,
}

/// The first password handed out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FirstPassword {
    /// A random code, shown only now: print it or tell it to the person.
    Code(String),
    /// The last 6 digits of the person's national ID (not shown).
    NationalIdDigits,
}

/// An account slip (帳號單): who, the login, the first password and when it expires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSlip {
    pub user_id: UserId,
    pub display_name: String,
    pub login: String,
    pub homeroom: Option<String>,
    pub seat_no: Option<i64>,
    pub first_password: FirstPassword,
    pub expires_at: UtcMillis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_prefix_is_lowercase_letters_and_digits() {
        assert!(valid_login_prefix("fg"));
        assert!(valid_login_prefix("tp01"));
        assert!(!valid_login_prefix(""));
        assert!(!valid_login_prefix("FG"));
        assert!(!valid_login_prefix("f-g"));
        assert!(!valid_login_prefix("abcdefghijk"));
    }

    #[test]
    fn login_rule_round_trips_through_text() {
        for rule in [LoginRule::StudentNumber, LoginRule::NationalId] {
            assert_eq!(LoginRule::parse(rule.as_str()), Some(rule));
        }
        assert_eq!(LoginRule::parse("other"), None);
    }
}
