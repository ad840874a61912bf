//! What the administrator's forms send: dates as typed (Gregorian or ROC), checked by the
//! server.

use serde::{Deserialize, Serialize};

use super::calendar::SchoolYear;
use super::ids::SemesterId;

/// New windows of a semester, as dates typed on the page (Taiwan days, first and last).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SemesterWindowsInput {
    pub semester: SemesterId,
    pub student_opens_on: String,
    pub student_closes_on: String,
    pub teacher_opens_on: String,
    pub teacher_closes_on: String,
    /// The optional reason for the change, kept in the audit log.
    #[serde(default)]
    pub reason: String,
}

/// A new selection window and limit of a school year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionWindowInput {
    pub school_year: SchoolYear,
    pub opens_on: String,
    pub closes_on: String,
    /// 每學年勾選上限, as typed.
    pub max_selections: String,
    /// The optional reason for the window or limit change, kept in the audit log.
    #[serde(default)]
    pub reason: String,
}

/// A new semester. Its windows start from the defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSemesterInput {
    /// 學年度, as typed (such as 114).
    pub school_year: String,
    pub semester: i16,
    pub starts_on: String,
    pub ends_on: String,
    /// 休業式; may be empty.
    pub closing_day: String,
    pub make_current: bool,
}

/// A per-student unlock as typed on the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockInput {
    pub student_no: String,
    pub semester: SemesterId,
    /// The last day of the unlock; it starts now.
    pub closes_on: String,
    pub reason: String,
}
