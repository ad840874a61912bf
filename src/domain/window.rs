//! Windows: when students may upload and submit, when teachers may certify, and when students
//! may tick outcomes for the central database. All comparisons are to the millisecond in UTC;
//! dates entered by people mean whole days in Taiwan time.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::calendar::{UtcMillis, end_of_taipei_day, start_of_taipei_day};

/// Days the student window stays open after the closing ceremony (休業式), by default.
pub const STUDENT_DAYS_AFTER_CLOSING: i64 = 14;
/// Days the teacher window stays open after the student window, by default.
pub const TEACHER_EXTRA_DAYS: i64 = 7;

/// A period from the first to the last millisecond inside it. `None` bounds are open, so a
/// window with neither is always open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub opens_at: Option<UtcMillis>,
    pub closes_at: Option<UtcMillis>,
}

/// Where a moment falls against a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WindowState {
    NotYetOpen { opens_at: UtcMillis },
    Open { closes_at: Option<UtcMillis> },
    Closed { closed_at: UtcMillis },
}

impl Window {
    /// The window from the start of `first` to the end of `last`, both Taiwan dates.
    pub fn from_dates(first: Date, last: Date) -> Self {
        Window {
            opens_at: Some(start_of_taipei_day(first)),
            closes_at: Some(end_of_taipei_day(last)),
        }
    }

    pub fn state(&self, now: UtcMillis) -> WindowState {
        match (self.opens_at, self.closes_at) {
            (Some(opens_at), _) if now < opens_at => WindowState::NotYetOpen { opens_at },
            (_, Some(closes_at)) if now > closes_at => WindowState::Closed {
                closed_at: closes_at,
            },
            (_, closes_at) => WindowState::Open { closes_at },
        }
    }

    pub fn contains(&self, now: UtcMillis) -> bool {
        matches!(self.state(now), WindowState::Open { .. })
    }

    /// Returns whether the window closes before `other` does (an open end is latest).
    pub fn closes_later_than(&self, other: &Window) -> bool {
        match (self.closes_at, other.closes_at) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(mine), Some(theirs)) => mine > theirs,
        }
    }
}

/// The student and teacher windows of a semester.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SemesterWindows {
    pub student: Window,
    pub teacher: Window,
}

impl SemesterWindows {
    /// Returns the default windows of a semester: students from its first day until
    /// [`STUDENT_DAYS_AFTER_CLOSING`] days after the closing ceremony (or after its last day
    /// when the ceremony is not known), teachers until [`TEACHER_EXTRA_DAYS`] days later.
    pub fn defaults(starts_on: Date, ends_on: Date, closing_day: Option<Date>) -> Self {
        let base = closing_day.unwrap_or(ends_on);
        let student_last = base
            .checked_add(STUDENT_DAYS_AFTER_CLOSING.days())
            .unwrap_or(base);
        let teacher_last = student_last
            .checked_add(TEACHER_EXTRA_DAYS.days())
            .unwrap_or(student_last);
        SemesterWindows {
            student: Window::from_dates(starts_on, student_last),
            teacher: Window::from_dates(starts_on, teacher_last),
        }
    }
}

/// Which window refused something, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WindowKind {
    /// Uploading, submitting, revising and deleting outcomes.
    Student,
    /// Certifying and publishing.
    Teacher,
    /// Ticking outcomes for the central database.
    Selection,
}

impl WindowKind {
    pub const ALL: [WindowKind; 3] = [
        WindowKind::Student,
        WindowKind::Teacher,
        WindowKind::Selection,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn millis(text: &str) -> UtcMillis {
        UtcMillis(text.parse::<jiff::Timestamp>().unwrap().as_millisecond())
    }

    #[test]
    fn last_second_of_last_day_is_inside() {
        let window = Window::from_dates(date(2024, 8, 1), date(2025, 2, 28));
        // 113/02/28 23:59:59 in Taiwan is 15:59:59 UTC.
        assert!(window.contains(millis("2025-02-28T15:59:59Z")));
        assert!(window.contains(millis("2025-02-28T15:59:59.999Z")));
    }

    #[test]
    fn midnight_after_last_day_is_outside() {
        let window = Window::from_dates(date(2024, 8, 1), date(2025, 2, 28));
        assert_eq!(
            window.state(millis("2025-02-28T16:00:00Z")),
            WindowState::Closed {
                closed_at: millis("2025-02-28T15:59:59.999Z")
            }
        );
    }

    #[test]
    fn first_midnight_of_first_day_is_inside() {
        let window = Window::from_dates(date(2024, 8, 1), date(2025, 2, 28));
        assert!(window.contains(millis("2024-07-31T16:00:00Z")));
        assert_eq!(
            window.state(millis("2024-07-31T15:59:59.999Z")),
            WindowState::NotYetOpen {
                opens_at: millis("2024-07-31T16:00:00Z")
            }
        );
    }

    #[test]
    fn open_bounds_never_close() {
        assert!(Window::default().contains(UtcMillis(0)));
        assert!(
            Window {
                opens_at: None,
                closes_at: Some(UtcMillis(10))
            }
            .contains(UtcMillis(-5))
        );
    }

    #[test]
    fn defaults_follow_the_closing_ceremony() {
        let windows =
            SemesterWindows::defaults(date(2024, 8, 1), date(2025, 1, 31), Some(date(2025, 1, 20)));
        assert_eq!(
            windows.student,
            Window::from_dates(date(2024, 8, 1), date(2025, 2, 3))
        );
        assert_eq!(
            windows.teacher,
            Window::from_dates(date(2024, 8, 1), date(2025, 2, 10))
        );
        let without_ceremony = SemesterWindows::defaults(date(2025, 2, 1), date(2025, 7, 31), None);
        assert_eq!(
            without_ceremony.student.closes_at,
            Some(end_of_taipei_day(date(2025, 8, 14)))
        );
    }
}
