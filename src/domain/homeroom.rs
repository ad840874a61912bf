//! What a 導師 (homeroom teacher) reads: the own homerooms, each student's outcomes by state,
//! what is still pending per course, and the 歷程確認單 a student signs. No national ID is
//! ever part of these views.

use serde::{Deserialize, Serialize};

use super::calendar::{SchoolYear, SemesterCode, UtcMillis};
use super::ids::{HomeroomId, UserId};
use super::outcome::OutcomeStatus;

/// A homeroom the caller leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeroomSummary {
    pub id: HomeroomId,
    pub school_year: SchoolYear,
    pub name: String,
    pub grade: i64,
}

/// Counts of one student's outcomes by state. `pending` counts submitted outcomes whose
/// decision is not published, whatever the course teacher has decided so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCounts {
    pub draft: u64,
    pub pending: u64,
    pub passed: u64,
    pub failed: u64,
    /// Passed outcomes ticked for the central database.
    pub selected: u64,
}

impl StateCounts {
    pub fn add(&mut self, status: OutcomeStatus, count: u64) {
        match status {
            OutcomeStatus::Draft => self.draft += count,
            OutcomeStatus::Pending => self.pending += count,
            OutcomeStatus::Passed => self.passed += count,
            OutcomeStatus::Failed => self.failed += count,
        }
    }
}

/// One student of the homeroom list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterRow {
    pub student_id: UserId,
    pub seat_no: i64,
    pub student_no: String,
    pub name: String,
    pub counts: StateCounts,
}

/// A course that students of the homeroom take, with how many of their outcomes wait for
/// its teacher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoursePending {
    pub semester: SemesterCode,
    pub subject: String,
    pub group_name: String,
    pub course_teacher: String,
    /// Submitted and not yet decided.
    pub undecided: u64,
    /// Decided but not yet published.
    pub unpublished: u64,
}

/// The homeroom page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeroomPage {
    /// Every homeroom the caller leads, newest school year first.
    pub homerooms: Vec<HomeroomSummary>,
    /// The one shown; `None` when the caller leads none.
    pub homeroom: Option<HomeroomSummary>,
    pub students: Vec<RosterRow>,
    pub totals: StateCounts,
    pub courses: Vec<CoursePending>,
}

/// One outcome of a student as the homeroom teacher and the 歷程確認單 show it: the state the
/// student sees, so an unpublished decision shows as 待認證.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordOutcome {
    pub semester: SemesterCode,
    pub subject: String,
    pub credits: i64,
    pub course_teacher: String,
    pub summary: String,
    pub status: OutcomeStatus,
    pub submitted_at: Option<UtcMillis>,
    pub certified_at: Option<UtcMillis>,
    pub certifier: Option<String>,
    /// The course teacher a delegate certified for, shown as 代理.
    pub certifier_for: Option<String>,
    pub selected: bool,
}

/// A student's record for the homeroom teacher, and the content of the 歷程確認單.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentRecord {
    pub school_name: String,
    pub school_year: SchoolYear,
    pub homeroom: String,
    pub homeroom_teacher: String,
    pub seat_no: i64,
    pub student_no: String,
    pub name: String,
    pub outcomes: Vec<RecordOutcome>,
    pub counts: StateCounts,
    /// When the record was read, for the printed sheet.
    pub printed_at: UtcMillis,
}
