//! The rules for a new password. The browser and the server run the same checks, and the
//! server checks again whatever the browser sent.

use serde::{Deserialize, Serialize};

/// The minimum length of a new password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The maximum length, in characters; longer input only costs hashing time.
pub const MAX_PASSWORD_CHARS: usize = 128;
/// A password may not contain this many consecutive digits of the national ID.
const ID_DIGIT_RUN: usize = 4;

/// The reason a new password is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordProblem {
    TooShort {
        length: usize,
    },
    TooLong {
        length: usize,
    },
    /// The two entries differ.
    Mismatch,
    /// The new password is the current one.
    Unchanged,
    ContainsLogin,
    ContainsStudentNumber,
    /// The national ID, or 4 or more consecutive digits of it.
    ContainsNationalId,
    ContainsBirthDate,
}

/// The account's personal data, which a password must not contain.
#[derive(Clone, Debug, Default)]
pub struct PersonalData<'a> {
    pub login: &'a str,
    pub student_number: Option<&'a str>,
    /// The full national ID, such as `A123456789`.
    pub national_id: Option<&'a str>,
    /// The birth date as `YYYY-MM-DD`.
    pub birth_date: Option<&'a str>,
}

/// Checks a new password and its confirmation against the rules.
pub fn check_new_password(
    password: &str,
    confirmation: &str,
    current: Option<&str>,
    personal: &PersonalData<'_>,
) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort { length });
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong { length });
    }
    if password != confirmation {
        return Err(PasswordProblem::Mismatch);
    }
    if current == Some(password) {
        return Err(PasswordProblem::Unchanged);
    }
    let lower = password.to_lowercase();
    let contains = |part: &str| !part.is_empty() && lower.contains(&part.to_lowercase());
    if contains(personal.login.trim()) {
        return Err(PasswordProblem::ContainsLogin);
    }
    if personal
        .student_number
        .is_some_and(|number| contains(number.trim()))
    {
        return Err(PasswordProblem::ContainsStudentNumber);
    }
    if let Some(id) = personal.national_id {
        let digits: String = id.chars().filter(char::is_ascii_digit).collect();
        let has_run = digits
            .as_bytes()
            .windows(ID_DIGIT_RUN)
            .any(|run| lower.contains(std::str::from_utf8(run).unwrap_or_default()));
        if contains(id) || has_run {
            return Err(PasswordProblem::ContainsNationalId);
        }
    }
    if let Some(date) = personal.birth_date
        && birth_date_forms(date).iter().any(|form| contains(form))
    {
        return Err(PasswordProblem::ContainsBirthDate);
    }
    Ok(())
}

/// Returns the ways people write a birth date `YYYY-MM-DD` into a password: 20080116,
/// 080116, and the ROC forms 0970116 and 970116.
fn birth_date_forms(date: &str) -> Vec<String> {
    let parts: Vec<&str> = date.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return Vec::new();
    };
    let Ok(gregorian) = year.parse::<i32>() else {
        return Vec::new();
    };
    let roc = gregorian - 1911;
    vec![
        format!("{year}{month}{day}"),
        format!("{:02}{month}{day}", gregorian % 100),
        format!("{roc:03}{month}{day}"),
        format!("{roc}{month}{day}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn student() -> PersonalData<'static> {
        PersonalData {
            login: "fg123456789",
            student_number: Some("112001"),
            national_id: Some("A123456789"),
            birth_date: Some("2008-01-16"),
        }
    }

    fn check(password: &str) -> Result<(), PasswordProblem> {
        check_new_password(password, password, Some("456789"), &student())
    }

    #[test]
    fn check_new_password_accepts_an_unrelated_password() {
        assert_eq!(check("blue-kite-river"), Ok(()));
    }

    #[test]
    fn check_new_password_rejects_each_personal_datum() {
        assert_eq!(
            check("short1"),
            Err(PasswordProblem::TooShort { length: 6 })
        );
        assert_eq!(check("xxFG123456789"), Err(PasswordProblem::ContainsLogin));
        assert_eq!(
            check("me112001!!"),
            Err(PasswordProblem::ContainsStudentNumber)
        );
        assert_eq!(
            check("a123456789xx"),
            Err(PasswordProblem::ContainsNationalId)
        );
        assert_eq!(
            check("pass6789word"),
            Err(PasswordProblem::ContainsNationalId)
        );
        assert_eq!(
            check("born20080116"),
            Err(PasswordProblem::ContainsBirthDate)
        );
        assert_eq!(
            check("roc0970116!"),
            Err(PasswordProblem::ContainsBirthDate)
        );
        assert_eq!(
            check("roc970116!!"),
            Err(PasswordProblem::ContainsBirthDate)
        );
        assert_eq!(
            check(&"x".repeat(129)),
            Err(PasswordProblem::TooLong { length: 129 })
        );
        assert_eq!(
            check_new_password("blue-kite-river", "blue-kite-rivet", None, &student()),
            Err(PasswordProblem::Mismatch)
        );
        assert_eq!(
            check_new_password(
                "blue-kite-river",
                "blue-kite-river",
                Some("blue-kite-river"),
                &student()
            ),
            Err(PasswordProblem::Unchanged)
        );
    }

    proptest! {
        #[test]
        fn check_new_password_rejects_any_four_id_digits(start in 1usize..7, pad in "[a-z]{8}") {
            let run = &"A123456789"[start..start + 4];
            let password = format!("{pad}{run}");
            prop_assert_eq!(check(&password), Err(PasswordProblem::ContainsNationalId));
        }
    }
}
