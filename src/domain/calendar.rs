//! The Taiwanese school calendar: ROC years, 學年度 and 學期, semester codes such as 1131, and
//! timestamps shown in Taiwan time (Asia/Taipei) whatever the zone of the server or browser.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// Asia/Taipei, compiled in so that the browser and a server without a tz database agree.
static TAIPEI: TimeZone = jiff::tz::get!("Asia/Taipei");

/// ROC year = Gregorian year − 1911.
pub const ROC_YEAR_OFFSET: i16 = 1911;

/// Returns the Asia/Taipei time zone.
pub fn taipei() -> &'static TimeZone {
    &TAIPEI
}

/// A point in time as UTC milliseconds since the Unix epoch: the form stored in the database and
/// sent over the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UtcMillis(pub i64);

impl UtcMillis {
    /// Returns the current time.
    pub fn now() -> Self {
        UtcMillis(Timestamp::now().as_millisecond())
    }

    /// Converts to a jiff timestamp; values outside jiff's range are clamped to it.
    pub fn to_timestamp(self) -> Timestamp {
        Timestamp::from_millisecond(self.0).unwrap_or(if self.0 < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
    }

    /// Formats as an ROC date-time in Taiwan time, such as `113/02/25 18:10:06`.
    pub fn to_roc_datetime(self) -> String {
        let zoned = self.to_timestamp().to_zoned_datetime(TAIPEI.clone());
        format!(
            "{}/{:02}/{:02} {:02}:{:02}:{:02}",
            i32::from(zoned.year()) - i32::from(ROC_YEAR_OFFSET),
            zoned.month(),
            zoned.day(),
            zoned.hour(),
            zoned.minute(),
            zoned.second()
        )
    }

    /// Formats as an ROC date in Taiwan time, such as `113/02/25`.
    pub fn to_roc_date(self) -> String {
        let date = self.taipei_date();
        format_roc_date(date)
    }

    /// Returns the calendar date in Taiwan time.
    pub fn taipei_date(self) -> Date {
        self.to_timestamp().to_zoned_datetime(TAIPEI.clone()).date()
    }
}

/// Formats a civil date as an ROC date, such as `113/02/25`.
pub fn format_roc_date(date: Date) -> String {
    format!(
        "{}/{:02}/{:02}",
        i32::from(date.year()) - i32::from(ROC_YEAR_OFFSET),
        date.month(),
        date.day()
    )
}

/// Returns the last millisecond of `date` in Taiwan time: a deadline written as "6/30" means
/// through 23:59:59 on that day.
pub fn end_of_taipei_day(date: Date) -> UtcMillis {
    let next_midnight = date
        .tomorrow()
        .ok()
        .and_then(|next| next.to_zoned_datetime(TAIPEI.clone()).ok())
        .map(|zoned| zoned.timestamp().as_millisecond())
        .unwrap_or(i64::MAX);
    UtcMillis(next_midnight - 1)
}

/// Returns the first millisecond of `date` in Taiwan time.
pub fn start_of_taipei_day(date: Date) -> UtcMillis {
    date.to_zoned_datetime(TAIPEI.clone())
        .map(|zoned| UtcMillis(zoned.timestamp().as_millisecond()))
        .unwrap_or(UtcMillis(i64::MIN))
}

/// Parses a date as school staff type it: Gregorian `2025-02-28` or `2025/02/28`, or ROC
/// `114/02/28` (a year of at most three digits is an ROC year).
pub fn parse_date_input(text: &str) -> Option<Date> {
    let text = text.trim();
    let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    if !year.bytes().all(|b| b.is_ascii_digit()) || year.is_empty() || year.len() > 4 {
        return None;
    }
    let year: i16 = year.parse().ok()?;
    let year = if year < 1000 {
        year.checked_add(ROC_YEAR_OFFSET)?
    } else {
        year
    };
    Date::new(year, month.parse().ok()?, day.parse().ok()?).ok()
}

/// A 學年度 in ROC years: year 113 runs from 1 Aug 2024 to 31 Jul 2025.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SchoolYear(pub i16);

impl SchoolYear {
    /// Returns the school year that contains `date`: August starts a new one.
    pub fn containing(date: Date) -> Self {
        let roc = date.year() - ROC_YEAR_OFFSET;
        if date.month() >= 8 {
            SchoolYear(roc)
        } else {
            SchoolYear(roc - 1)
        }
    }

    /// Returns the Gregorian year in which this school year starts (in August).
    pub fn first_gregorian_year(self) -> i16 {
        self.0 + ROC_YEAR_OFFSET
    }
}

impl fmt::Display for SchoolYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// 學期: the first runs from August to January, the second from February to July.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Semester {
    First,
    Second,
}

impl Semester {
    /// Returns 1 or 2.
    pub fn number(self) -> i16 {
        match self {
            Semester::First => 1,
            Semester::Second => 2,
        }
    }

    /// Parses 1 or 2.
    pub fn from_number(number: i64) -> Option<Self> {
        match number {
            1 => Some(Semester::First),
            2 => Some(Semester::Second),
            _ => None,
        }
    }
}

/// A semester written as four digits: 1131 is 學年度 113, 第 1 學期.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SemesterCode {
    pub school_year: SchoolYear,
    pub semester: Semester,
}

impl SemesterCode {
    pub fn new(school_year: SchoolYear, semester: Semester) -> Self {
        SemesterCode {
            school_year,
            semester,
        }
    }

    /// Returns the semester that contains `date`: August–January is the first.
    pub fn containing(date: Date) -> Self {
        let semester = if (2..=7).contains(&date.month()) {
            Semester::Second
        } else {
            Semester::First
        };
        SemesterCode {
            school_year: SchoolYear::containing(date),
            semester,
        }
    }
}

impl fmt::Display for SemesterCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}{}", self.school_year.0, self.semester.number())
    }
}

/// The reason a semester code did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid semester code {0:?}: expected the ROC school year and 1 or 2, such as 1131")]
pub struct SemesterCodeError(pub String);

impl std::str::FromStr for SemesterCode {
    type Err = SemesterCodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let invalid = || SemesterCodeError(text.to_owned());
        if !(4..=5).contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let (year, semester) = text.split_at(text.len() - 1);
        let school_year: i16 = year.parse().map_err(|_| invalid())?;
        let semester =
            Semester::from_number(semester.parse().map_err(|_| invalid())?).ok_or_else(invalid)?;
        if school_year < 1 {
            return Err(invalid());
        }
        Ok(SemesterCode {
            school_year: SchoolYear(school_year),
            semester,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn millis(text: &str) -> UtcMillis {
        UtcMillis(text.parse::<Timestamp>().unwrap().as_millisecond())
    }

    #[test]
    fn roc_datetime_is_taipei_time() {
        assert_eq!(
            millis("2024-02-25T10:10:06Z").to_roc_datetime(),
            "113/02/25 18:10:06"
        );
    }

    #[test]
    fn roc_datetime_crosses_midnight_into_next_taipei_day() {
        assert_eq!(
            millis("2024-02-29T16:00:00Z").to_roc_datetime(),
            "113/03/01 00:00:00"
        );
        assert_eq!(millis("2024-02-29T15:59:59Z").to_roc_date(), "113/02/29");
    }

    #[test]
    fn roc_date_pads_month_and_day() {
        assert_eq!(format_roc_date(date(2025, 1, 5)), "114/01/05");
        assert_eq!(format_roc_date(date(2011, 12, 31)), "100/12/31");
    }

    #[test]
    fn end_of_taipei_day_is_last_millisecond() {
        let end = end_of_taipei_day(date(2024, 6, 30));
        assert_eq!(end, millis("2024-06-30T15:59:59.999Z"));
        assert_eq!(end.to_roc_datetime(), "113/06/30 23:59:59");
        assert_eq!(UtcMillis(end.0 + 1).to_roc_datetime(), "113/07/01 00:00:00");
    }

    #[test]
    fn start_of_taipei_day_is_midnight_plus_eight() {
        assert_eq!(
            start_of_taipei_day(date(2024, 8, 1)),
            millis("2024-07-31T16:00:00Z")
        );
    }

    #[test]
    fn school_year_turns_in_august() {
        assert_eq!(SchoolYear::containing(date(2024, 7, 31)), SchoolYear(112));
        assert_eq!(SchoolYear::containing(date(2024, 8, 1)), SchoolYear(113));
        assert_eq!(SchoolYear::containing(date(2025, 7, 31)), SchoolYear(113));
    }

    #[test]
    fn semester_code_of_date() {
        assert_eq!(
            SemesterCode::containing(date(2024, 8, 1)).to_string(),
            "1131"
        );
        assert_eq!(
            SemesterCode::containing(date(2025, 1, 31)).to_string(),
            "1131"
        );
        assert_eq!(
            SemesterCode::containing(date(2025, 2, 1)).to_string(),
            "1132"
        );
        assert_eq!(
            SemesterCode::containing(date(2025, 7, 31)).to_string(),
            "1132"
        );
    }

    #[test]
    fn date_input_in_gregorian_and_roc_forms() {
        assert_eq!(parse_date_input("2025-02-28"), Some(date(2025, 2, 28)));
        assert_eq!(parse_date_input(" 2025/2/28 "), Some(date(2025, 2, 28)));
        assert_eq!(parse_date_input("114/02/28"), Some(date(2025, 2, 28)));
        assert_eq!(parse_date_input("99/1/5"), Some(date(2010, 1, 5)));
        for bad in [
            "",
            "2025-02-30",
            "2025-13-01",
            "abc",
            "2025-02",
            "12345/01/01",
        ] {
            assert_eq!(parse_date_input(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn semester_code_parses_and_prints() {
        let code: SemesterCode = "1131".parse().unwrap();
        assert_eq!(code.school_year, SchoolYear(113));
        assert_eq!(code.semester, Semester::First);
        assert_eq!(code.to_string(), "1131");
        assert_eq!("0992".parse::<SemesterCode>().unwrap().to_string(), "0992");
    }

    #[test]
    fn semester_code_rejects_bad_text() {
        for bad in ["", "113", "1133", "1130", "11a1", "-131", "113 1"] {
            assert!(
                bad.parse::<SemesterCode>().is_err(),
                "{bad:?} should be rejected"
            );
        }
    }
}
