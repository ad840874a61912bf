//! 身分證字號 and resident certificate numbers: validation by check digit and masking.
//!
//! Three forms exist. Citizens (國民身分證) and new resident certificates (新式居留證) are one
//! letter and nine digits; the first digit is 1/2 for citizens and 8/9 for new residents.
//! Old resident certificates (舊式居留證) are two letters and eight digits. The last digit is
//! a check digit in every form.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A valid national ID or resident certificate number, in upper case.
///
/// It is deliberately not `Display`, so that it cannot slip into a log line or a message
/// unmasked: use [`NationalId::masked`] for screens and [`NationalId::expose`] where the full
/// number is required (central rosters, encryption).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NationalId(String);

/// Why a national ID was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum NationalIdError {
    #[error(
        "not of the form A123456789 (citizens and new residents) or AB12345678 (old residents)"
    )]
    InvalidFormat,
    #[error("the check digit does not match")]
    InvalidCheckDigit,
}

/// The form of a valid number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NationalIdKind {
    Citizen,
    NewResident,
    OldResident,
}

/// The two-digit code of each first letter, as the Ministry of the Interior assigns them.
fn letter_code(letter: u8) -> Option<u32> {
    let code = match letter {
        b'A' => 10,
        b'B' => 11,
        b'C' => 12,
        b'D' => 13,
        b'E' => 14,
        b'F' => 15,
        b'G' => 16,
        b'H' => 17,
        b'I' => 34,
        b'J' => 18,
        b'K' => 19,
        b'L' => 20,
        b'M' => 21,
        b'N' => 22,
        b'O' => 35,
        b'P' => 23,
        b'Q' => 24,
        b'R' => 25,
        b'S' => 26,
        b'T' => 27,
        b'U' => 28,
        b'V' => 29,
        b'W' => 32,
        b'X' => 30,
        b'Y' => 31,
        b'Z' => 33,
        _ => return None,
    };
    Some(code)
}

/// Returns the check sum of a number whose form is already known to be right: the letter
/// code's digits weigh 1 and 9, the next eight characters 8 down to 1, and the check digit 1.
/// An old resident certificate's second letter counts as the last digit of its letter code.
fn check_sum(bytes: &[u8]) -> Option<u32> {
    let first = letter_code(bytes[0])?;
    let mut sum = first / 10 + (first % 10) * 9;
    for (index, &byte) in bytes[1..9].iter().enumerate() {
        let value = if byte.is_ascii_digit() {
            u32::from(byte - b'0')
        } else {
            letter_code(byte)? % 10
        };
        sum += value * (8 - index as u32);
    }
    sum += u32::from(bytes[9] - b'0');
    Some(sum)
}

impl NationalId {
    /// Parses a number as typed or imported: surrounding spaces are ignored and letters may
    /// be lower case.
    pub fn parse(text: &str) -> Result<Self, NationalIdError> {
        let upper = text.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() != 10
            || letter_code(bytes[0]).is_none()
            || !bytes[2..].iter().all(u8::is_ascii_digit)
        {
            return Err(NationalIdError::InvalidFormat);
        }
        // 1/2 for citizens; 8/9 and A–D on resident certificates.
        let second_ok = matches!(bytes[1], b'1' | b'2' | b'8' | b'9' | b'A'..=b'D');
        if !second_ok {
            return Err(NationalIdError::InvalidFormat);
        }
        match check_sum(bytes) {
            Some(sum) if sum % 10 == 0 => Ok(NationalId(upper)),
            _ => Err(NationalIdError::InvalidCheckDigit),
        }
    }

    pub fn kind(&self) -> NationalIdKind {
        match self.0.as_bytes()[1] {
            b'1' | b'2' => NationalIdKind::Citizen,
            b'8' | b'9' => NationalIdKind::NewResident,
            _ => NationalIdKind::OldResident,
        }
    }

    /// Returns the number with its last 4 characters hidden, for every screen and export
    /// except the central rosters: `A12345****`.
    pub fn masked(&self) -> String {
        format!("{}****", &self.0[..6])
    }

    /// Returns the full number. Only central rosters and the encryption at rest need it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Returns the 9 digits after the letter, used by the common login rule
    /// (prefix + digits); `None` for old resident certificates, which have 8.
    pub fn digits(&self) -> Option<&str> {
        match self.kind() {
            NationalIdKind::OldResident => None,
            _ => Some(&self.0[1..]),
        }
    }
}

impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NationalId({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Completes nine characters with the check digit that makes them valid.
    fn with_check_digit(prefix: &str) -> String {
        let probe = format!("{prefix}0");
        let sum = check_sum(probe.as_bytes()).unwrap();
        format!("{prefix}{}", (10 - sum % 10) % 10)
    }

    #[test]
    fn parse_accepts_known_valid_number() {
        let id = NationalId::parse("A123456789").unwrap();
        assert_eq!(id.kind(), NationalIdKind::Citizen);
        assert_eq!(id.expose(), "A123456789");
    }

    #[test]
    fn parse_normalises_case_and_spaces() {
        assert_eq!(
            NationalId::parse(" a123456789 ").unwrap().expose(),
            "A123456789"
        );
    }

    #[test]
    fn parse_rejects_wrong_check_digit() {
        assert_eq!(
            NationalId::parse("A123456788"),
            Err(NationalIdError::InvalidCheckDigit)
        );
    }

    #[test]
    fn parse_rejects_malformed_numbers() {
        for bad in [
            "",
            "A12345678",
            "A1234567890",
            "1123456789",
            "A323456789",
            "A12345678X",
            "A12345 789",
        ] {
            assert_eq!(
                NationalId::parse(bad),
                Err(NationalIdError::InvalidFormat),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn new_and_old_resident_forms() {
        let new = with_check_digit("A80000001");
        assert_eq!(
            NationalId::parse(&new).unwrap().kind(),
            NationalIdKind::NewResident
        );
        let old = with_check_digit("AB1234567");
        assert_eq!(
            NationalId::parse(&old).unwrap().kind(),
            NationalIdKind::OldResident
        );
        assert_eq!(NationalId::parse(&old).unwrap().digits(), None);
    }

    #[test]
    fn masked_hides_last_four() {
        let id = NationalId::parse("A123456789").unwrap();
        assert_eq!(id.masked(), "A12345****");
        assert_eq!(format!("{id:?}"), "NationalId(A12345****)");
    }

    fn letter() -> impl Strategy<Value = char> {
        proptest::sample::select(('A'..='Z').collect::<Vec<_>>())
    }

    proptest! {
        #[test]
        fn completed_citizen_numbers_are_valid(letter in letter(), sex in prop_oneof![Just('1'), Just('2')], digits in "[0-9]{7}") {
            let id = with_check_digit(&format!("{letter}{sex}{digits}"));
            prop_assert!(NationalId::parse(&id).is_ok(), "{}", id);
        }

        /// A changed digit is caught unless its weight times the change is a multiple of 10
        /// (weight 5 with an even change, or an even weight with a change of 5): a known
        /// blind spot of this check digit.
        #[test]
        fn changing_one_digit_breaks_the_check(letter in letter(), digits in "[0-9]{7}", position in 2usize..10, delta in 1u8..10) {
            let weight = if position == 9 { 1 } else { 9 - position as u32 };
            prop_assume!((weight * u32::from(delta)) % 10 != 0);
            let id = with_check_digit(&format!("{letter}1{digits}"));
            let mut bytes = id.into_bytes();
            bytes[position] = b'0' + (bytes[position] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(NationalId::parse(&changed), Err(NationalIdError::InvalidCheckDigit));
        }

        #[test]
        fn completed_old_resident_numbers_are_valid(first in letter(), second in proptest::sample::select(vec!['A', 'B', 'C', 'D']), digits in "[0-9]{7}") {
            let id = with_check_digit(&format!("{first}{second}{digits}"));
            prop_assert_eq!(NationalId::parse(&id).map(|id| id.kind()), Ok(NationalIdKind::OldResident));
        }
    }
}
