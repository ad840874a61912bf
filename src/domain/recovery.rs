//! 忘記帳號/密碼: what a user types to get a one-time link (e-mail) or code (SMS), and the
//! rules that bound them. The answer to a request is the same whether or not an account uses
//! the address, so it never tells a stranger who has an account.

use serde::{Deserialize, Serialize};

use super::imports::{is_valid_email, normalise_mobile};

/// Minutes an e-mailed link works.
pub const LINK_VALID_MINUTES: i64 = 30;
/// Minutes an SMS code works.
pub const CODE_VALID_MINUTES: i64 = 10;
/// Digits of an SMS code.
pub const CODE_DIGITS: usize = 6;
/// Wrong codes after which a code stops working.
pub const MAX_CODE_ATTEMPTS: i64 = 5;
/// Messages one account is sent per hour at most; further requests send nothing, so that
/// nobody can flood a student's phone or mailbox.
pub const MAX_MESSAGES_PER_HOUR: i64 = 3;

/// The channel that carries the one-time secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecoveryChannel {
    Email,
    Sms,
}

impl RecoveryChannel {
    /// Returns the value stored in `password_recoveries.channel`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecoveryChannel::Email => "email",
            RecoveryChannel::Sms => "sms",
        }
    }
}

/// An e-mail address or a mobile number, as the account records store them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Contact {
    /// Lower-cased and trimmed.
    Email(String),
    /// `09xxxxxxxx`.
    Mobile(String),
}

impl Contact {
    pub fn channel(&self) -> RecoveryChannel {
        match self {
            Contact::Email(_) => RecoveryChannel::Email,
            Contact::Mobile(_) => RecoveryChannel::Sms,
        }
    }
}

/// The reason a typed contact was rejected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactProblem {
    Missing,
    /// Neither an e-mail address nor a Taiwanese mobile number.
    Unreadable {
        value: String,
    },
}

/// Reads what the user typed: anything with `@` must be an e-mail address, anything else a
/// mobile number (`0912-345-678`, `+886 912 345 678`).
pub fn parse_contact(text: &str) -> Result<Contact, ContactProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ContactProblem::Missing);
    }
    let unreadable = || ContactProblem::Unreadable {
        value: text.chars().take(80).collect(),
    };
    if text.contains('@') {
        if is_valid_email(text) {
            Ok(Contact::Email(text.to_lowercase()))
        } else {
            Err(unreadable())
        }
    } else {
        normalise_mobile(text)
            .map(Contact::Mobile)
            .ok_or_else(unreadable)
    }
}

/// Reads an SMS code as typed: digits, allowing spaces and full-width digits that phone
/// keyboards produce.
pub fn parse_code(text: &str) -> Option<String> {
    let digits: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            other => other,
        })
        .collect();
    (digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// The recovery page's confirmation after a request, the same whatever was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryRequested {
    pub channel: RecoveryChannel,
    /// The address or number as normalised, to show the user what was used.
    pub contact: String,
}

/// The account behind an e-mailed link, for the page that sets the new password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryLinkInfo {
    pub school_name: String,
    /// The account's login name: a user who forgot it reads it here.
    pub login: String,
    pub display_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_contact_reads_email_addresses_in_lower_case() {
        assert_eq!(
            parse_contact("  Lin.Student@School.Example.TW "),
            Ok(Contact::Email("lin.student@school.example.tw".to_owned()))
        );
    }

    #[test]
    fn parse_contact_reads_mobile_numbers_in_every_common_form() {
        for typed in [
            "0912345678",
            "0912-345-678",
            "+886 912 345 678",
            "912345678",
        ] {
            assert_eq!(
                parse_contact(typed),
                Ok(Contact::Mobile("0912345678".to_owned())),
                "{typed}"
            );
        }
    }

    #[test]
    fn parse_contact_refuses_what_is_neither() {
        assert_eq!(parse_contact("   "), Err(ContactProblem::Missing));
        for typed in ["lin@", "02-2345-6789", "abc", "@school.tw"] {
            assert_eq!(
                parse_contact(typed),
                Err(ContactProblem::Unreadable {
                    value: typed.to_owned()
                }),
                "{typed}"
            );
        }
    }

    #[test]
    fn parse_code_takes_six_digits_with_spaces_or_full_width() {
        assert_eq!(parse_code("123456"), Some("123456".to_owned()));
        assert_eq!(parse_code(" 123 456 "), Some("123456".to_owned()));
        assert_eq!(parse_code("１２３４５６"), Some("123456".to_owned()));
        assert_eq!(parse_code("12345"), None);
        assert_eq!(parse_code("12345a"), None);
        assert_eq!(parse_code("1234567"), None);
    }
}
