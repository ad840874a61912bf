//! 代理人: a teacher who certifies the outcomes of a course for its course teacher during a
//! period of days, and the views of the page where delegates are named and removed.

use serde::{Deserialize, Serialize};

use super::calendar::SemesterCode;
use super::ids::{CourseId, UserId};

/// Why a delegate could not be named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DelegationProblem {
    /// No delegate was chosen.
    DelegateMissing,
    /// No active account of the school has this login.
    UnknownPerson { login: String },
    /// The account is a student's.
    IsStudent { login: String },
    /// The account is staff but does not hold the 任課教師 role, so it has no certification page.
    NotTeacher { login: String },
    /// The course teacher cannot be their own delegate.
    SelfDelegation,
    /// The period ends before it starts.
    EndsBeforeStarts,
    /// The period has ended already.
    EndsInPast,
    /// Another delegation of the course overlaps the period; `starts_on` and `ends_on` are
    /// ROC dates of the existing one.
    Overlapping {
        login: String,
        name: String,
        starts_on: String,
        ends_on: String,
    },
}

/// A delegation as the page lists it; dates are ROC dates such as `113/09/01`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationRow {
    pub id: i64,
    pub delegate_login: String,
    pub delegate_name: String,
    pub starts_on: String,
    pub ends_on: String,
    /// Whether today (Taiwan time) lies within the period.
    pub active: bool,
    pub created_by: String,
    pub created_at: super::calendar::UtcMillis,
}

/// A course with its delegations, on the page of who may name them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegatedCourse {
    pub course_id: CourseId,
    pub semester: SemesterCode,
    pub subject: String,
    pub group_name: String,
    pub course_teacher: String,
    pub course_teacher_id: UserId,
    pub delegations: Vec<DelegationRow>,
}

/// A teacher who can be named as a delegate, for the drop-down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegateOption {
    pub login: String,
    pub display_name: String,
}

/// A course the caller certifies for someone else, now or later.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoveredCourse {
    pub semester: SemesterCode,
    pub subject: String,
    pub group_name: String,
    pub course_teacher: String,
    pub starts_on: String,
    pub ends_on: String,
    pub active: bool,
}

/// The delegation page: the courses the caller manages and the courses the caller covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationPage {
    /// True when the caller manages every course of the school (administrator).
    pub all_courses: bool,
    pub courses: Vec<DelegatedCourse>,
    pub teachers: Vec<DelegateOption>,
    pub covering: Vec<CoveredCourse>,
    /// Today in Taiwan as an ROC date, for the form's hint.
    pub today: String,
}

/// What the form sends to name a delegate. Dates as typed: `2024-09-01`, `2024/09/01` or ROC
/// `113/09/01`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDelegation {
    pub course_id: CourseId,
    pub delegate_login: String,
    pub starts_on: String,
    pub ends_on: String,
}
