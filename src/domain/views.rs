//! Read models sent from the server to the pages. Each carries only what its reader may see:
//! student views hold nothing of an unpublished decision.

use serde::{Deserialize, Serialize};

use super::calendar::{SemesterCode, UtcMillis};
use super::files::{FileKind, FileRules};
use super::ids::{CourseId, FileId, HomeroomId, NotificationId, OutcomeId, SubjectId, UserId};
use super::notification::NotificationKind;
use super::outcome::{OutcomeStatus, ReviewCounts, ReviewFilter, ReviewState, SemesterCounts, Verdict};
use super::paging::{PageRange, PageRequest};
use super::role::Role;

/// The logged-in user, for the navigation bar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user_id: UserId,
    pub display_name: String,
    pub school_name: String,
    pub roles: Vec<Role>,
    pub unread_notifications: u64,
}

impl SessionInfo {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Returns the page a user starts on after login.
    pub fn home_path(&self) -> &'static str {
        if self.has_role(Role::Student) {
            "/student/outcomes"
        } else if self.has_role(Role::Teacher) {
            "/teacher/certify"
        } else {
            // Roles without their own pages yet start at their notifications.
            "/notifications"
        }
    }
}

/// A stored file as listed beside an outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    pub id: FileId,
    pub name: String,
    pub size: u64,
    pub kind: FileKind,
}

impl FileInfo {
    /// Returns the address that shows the file in the browser.
    pub fn view_url(&self) -> String {
        format!("/files/{}", self.id)
    }

    /// Returns the address that downloads the file under its original name.
    pub fn download_url(&self) -> String {
        format!("/files/{}?download=1", self.id)
    }
}

/// A course the student may upload to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseOption {
    pub course_id: CourseId,
    pub subject: String,
    pub group_name: String,
    pub credits: i64,
    pub teacher_name: String,
}

/// The courses and rules the upload page shows before a file is chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadContext {
    pub semester: Option<SemesterCode>,
    pub courses: Vec<CourseOption>,
    pub rules: FileRules,
    /// The school's limit of outcomes per semester, and how many the student has.
    pub upload_limit: Option<u32>,
    pub uploaded_this_semester: u64,
}

/// One of the student's outcomes. The certifier, date and reason are those of the last
/// published decision only, and no field changes when a certifier decides without publishing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentOutcome {
    pub id: OutcomeId,
    /// The student's concurrency token for the next change.
    pub version: i64,
    pub semester: SemesterCode,
    pub course_id: CourseId,
    pub subject: String,
    pub credits: i64,
    pub course_teacher: String,
    pub status: OutcomeStatus,
    pub summary: String,
    pub document: Option<FileInfo>,
    pub media: Option<FileInfo>,
    /// 送出日期 of the current round.
    pub submitted_at: Option<UtcMillis>,
    /// 認證教師 of the last published decision.
    pub certifier: Option<String>,
    /// 認證日期: when the last decision was published.
    pub certified_at: Option<UtcMillis>,
    /// The reason of a published 不通過.
    pub fail_reason: Option<String>,
    /// The number of review rounds, for the history link.
    pub rounds: i64,
}

/// A semester of the student's outcomes with its summary line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentSemester {
    pub counts: SemesterCounts,
    pub outcomes: Vec<StudentOutcome>,
}

/// The student's outcome list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentOverview {
    pub current_semester: Option<SemesterCode>,
    pub semesters: Vec<StudentSemester>,
}

/// One review round in an outcome's history, as its student may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRound {
    pub round: i64,
    pub summary: String,
    pub document: Option<FileInfo>,
    pub media: Option<FileInfo>,
    pub submitted_at: UtcMillis,
    /// `None` until published, even when decided.
    pub verdict: Option<Verdict>,
    pub reason: Option<String>,
    pub certifier: Option<String>,
    pub published_at: Option<UtcMillis>,
}

/// An outcome with its history, for its detail page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeDetail {
    pub outcome: StudentOutcome,
    pub history: Vec<ReviewRound>,
}

/// The filters of the certification list, as in the page's query string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewQuery {
    pub semester: Option<SemesterCode>,
    pub state: ReviewFilter,
    pub homeroom: Option<HomeroomId>,
    pub subject: Option<SubjectId>,
    pub page: PageRequest,
}

/// A row of the certification list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRow {
    pub outcome_id: OutcomeId,
    pub version: i64,
    pub semester: SemesterCode,
    pub homeroom: Option<String>,
    pub seat_no: Option<i64>,
    pub student_no: String,
    pub student_name: String,
    pub subject: String,
    pub group_name: String,
    pub summary: String,
    pub document: Option<FileInfo>,
    pub media: Option<FileInfo>,
    pub round: i64,
    pub submitted_at: UtcMillis,
    pub state: ReviewState,
    pub reason: Option<String>,
    pub certifier: Option<String>,
    pub decided_at: Option<UtcMillis>,
    pub published_at: Option<UtcMillis>,
}

/// A choice in a filter drop-down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterOption<T> {
    pub value: T,
    pub label: String,
}

/// One page of the certification list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPage {
    pub query: ReviewQuery,
    pub rows: Vec<ReviewRow>,
    pub range: PageRange,
    /// Counts per state under the other filters.
    pub counts: ReviewCounts,
    pub semesters: Vec<SemesterCode>,
    pub homerooms: Vec<FilterOption<HomeroomId>>,
    pub subjects: Vec<FilterOption<SubjectId>>,
}

/// The result of a change to an outcome: its id and new version, for the next change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub outcome_id: OutcomeId,
    pub version: i64,
}

/// The result of a publish request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishResult {
    pub published: u64,
    /// Selected outcomes left alone because they were undecided or already published.
    pub skipped: u64,
}

/// A notification as listed for its reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationItem {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub created_at: UtcMillis,
    pub read: bool,
    pub outcome_id: OutcomeId,
    pub semester: SemesterCode,
    pub subject: String,
    /// The 簡述 of the published round, so that outcomes of one subject can be told apart.
    pub summary: String,
    pub verdict: Verdict,
}
