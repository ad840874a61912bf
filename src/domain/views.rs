//! Read models sent from the server to the pages. Each carries only what its reader may see:
//! student views hold nothing of an unpublished decision.

use serde::{Deserialize, Serialize};

use super::calendar::{SchoolYear, SemesterCode, UtcMillis};
use super::files::{FileKind, FileRules};
use super::ids::{
    CourseId, FileId, HomeroomId, NotificationId, OutcomeId, SemesterId, SubjectId, UserId,
};
use super::notification::NotificationKind;
use super::outcome::{
    OutcomeStatus, ReviewCounts, ReviewFilter, ReviewState, SemesterCounts, Verdict,
};
use super::paging::{PageRange, PageRequest};
use super::role::Role;
use super::window::{SemesterWindows, Window, WindowState};

/// The logged-in user, for the navigation bar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user_id: UserId,
    pub display_name: String,
    pub school_name: String,
    /// Every role the user holds.
    pub roles: Vec<Role>,
    /// The role whose pages the session shows and whose rights it uses.
    pub active_role: Option<Role>,
    pub unread_notifications: u64,
    /// The account still has its first password; every page leads to changing it.
    pub must_change_password: bool,
}

impl SessionInfo {
    /// Returns whether the session acts in `role` (see `active_role`).
    pub fn has_role(&self, role: Role) -> bool {
        self.active_role == Some(role)
    }

    /// Returns whether the user holds `role`, active or not.
    pub fn holds(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Returns the page a user starts on after login.
    pub fn home_path(&self) -> &'static str {
        if self.must_change_password {
            "/account/password"
        } else if self.has_role(Role::Student) {
            "/student/outcomes"
        } else if self.has_role(Role::Teacher) {
            "/teacher/certify"
        } else if self.has_role(Role::Admin) {
            "/admin"
        } else if self.has_role(Role::SubmissionStaff) {
            "/submissions"
        } else if self.has_role(Role::HomeroomTeacher) {
            "/homeroom"
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

/// A window as a page shows it: the period and where the server's clock stands in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowInfo {
    pub window: Window,
    pub state: WindowState,
}

impl WindowInfo {
    pub fn is_open(&self) -> bool {
        matches!(self.state, WindowState::Open { .. })
    }
}

/// A student's window for a semester: the semester's own, or an unlock an administrator
/// granted, whichever is open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentWindow {
    pub info: WindowInfo,
    /// The reason of the unlock in force, if the window is open because of one.
    pub unlock_reason: Option<String>,
}

/// The courses and rules the upload page shows before a file is chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadContext {
    pub semester: Option<SemesterCode>,
    /// The student window of the current semester.
    pub window: Option<StudentWindow>,
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
    pub semester_id: SemesterId,
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
    /// The course teacher the 認證教師 certified for as a delegate (代理), by name.
    pub certifier_for: Option<String>,
    /// 認證日期: when the last decision was published.
    pub certified_at: Option<UtcMillis>,
    /// The reason of a published 不通過.
    pub fail_reason: Option<String>,
    /// The number of review rounds, for the history link.
    pub rounds: i64,
    /// Ticked for the central database.
    pub selected: bool,
    /// Sent to the central database in a closed batch; the tick can no longer change.
    pub submitted: bool,
}

/// A semester of the student's outcomes with its summary line and window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentSemester {
    pub counts: SemesterCounts,
    pub outcomes: Vec<StudentOutcome>,
    pub window: StudentWindow,
}

/// A student's selection (勾選) for one school year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionSummary {
    pub school_year: SchoolYear,
    pub selected: u32,
    pub max: u32,
    pub window: WindowInfo,
    /// The year's selection went to the central database in a batch.
    pub submitted: bool,
}

/// The student's outcome list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentOverview {
    pub current_semester: Option<SemesterCode>,
    pub semesters: Vec<StudentSemester>,
    pub selections: Vec<SelectionSummary>,
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
    /// The course teacher a delegate certified for (代理), by name.
    pub certifier_for: Option<String>,
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
    /// The course teacher a delegate decided for (代理), by name.
    pub certifier_for: Option<String>,
    /// The course teacher, by name, when the viewer certifies this course as a delegate.
    pub delegated_from: Option<String>,
    pub decided_at: Option<UtcMillis>,
    pub published_at: Option<UtcMillis>,
    /// The teacher window of the row's semester is open: it may be decided and published.
    pub editable: bool,
}

/// A semester's teacher deadline and what the teacher has left before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeacherDeadline {
    pub semester: SemesterCode,
    pub window: WindowInfo,
    /// 待認證: submitted and undecided.
    pub undecided: u64,
    /// Decided but not published.
    pub unpublished: u64,
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
    /// The teacher's semesters whose window is not yet past, with the unfinished counts.
    pub deadlines: Vec<TeacherDeadline>,
    /// The teacher's semesters whose window has closed, among those listed.
    pub closed: Vec<TeacherDeadline>,
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

/// A semester on the administrator's window page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSemester {
    pub id: SemesterId,
    pub code: SemesterCode,
    /// 'YYYY-MM-DD' in Taiwan.
    pub starts_on: String,
    pub ends_on: String,
    /// 休業式, 'YYYY-MM-DD'.
    pub closing_day: Option<String>,
    pub is_current: bool,
    pub windows: SemesterWindows,
}

/// A school year on the administrator's window page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSchoolYear {
    pub id: i64,
    pub school_year: SchoolYear,
    pub selection: Window,
    pub max_selections: u32,
    /// The year's selection has been closed into a batch for the central database.
    pub submitted: bool,
}

/// Everything the administrator's window page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminWindows {
    pub semesters: Vec<AdminSemester>,
    pub school_years: Vec<AdminSchoolYear>,
    pub now: UtcMillis,
}

/// A per-student unlock as listed for administrators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockRow {
    pub id: i64,
    pub student_no: String,
    pub student_name: String,
    pub semester: SemesterCode,
    pub window: Window,
    pub reason: String,
    pub created_by: String,
    pub created_at: UtcMillis,
    pub active: bool,
}

/// The filters of the audit log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// What changed, such as `course_outcome` or `semester`.
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub action: Option<String>,
    /// The login of who acted.
    pub actor: Option<String>,
    /// First and last day, 'YYYY-MM-DD' in Taiwan.
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: PageRequest,
}

/// One row of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub occurred_at: UtcMillis,
    pub actor: Option<String>,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
    /// The course teacher a delegate acted for (代理), by name.
    pub on_behalf_of: Option<String>,
    /// The entity for people, such as `112010 王小明 數學A` or `1131`; `None` when it has no
    /// name (the school).
    pub entity_name: Option<String>,
}

/// One page of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub query: AuditQuery,
    pub rows: Vec<AuditRow>,
    pub range: PageRange,
}

/// A school year as the submission page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionYear {
    pub school_year: SchoolYear,
    pub selection: WindowInfo,
    /// Outcomes ticked so far.
    pub selected: u64,
    pub batch: Option<SubmissionBatch>,
}

/// A batch sent to the central database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionBatch {
    pub id: i64,
    pub school_year: SchoolYear,
    /// 名冊別, 26 for course outcomes.
    pub roster_no: i64,
    pub created_at: UtcMillis,
    pub created_by: String,
    pub row_count: i64,
}

impl SubmissionBatch {
    pub fn package_url(&self) -> String {
        format!("/exports/{}", self.id)
    }
}

/// One of a student's outcomes as sent to the central database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionRecord {
    pub batch_id: i64,
    pub school_year: SchoolYear,
    pub roster_no: i64,
    pub submitted_at: UtcMillis,
    pub semester: SemesterCode,
    pub subject: String,
    pub summary: String,
    pub row_no: i64,
}

/// Whether a backup run is a backup or a restore drill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackupKind {
    Backup,
    /// The latest backup restored into a scratch directory and checked file by file.
    Drill,
}

/// The outcome of a backup run, or `Running` while it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackupOutcome {
    Running,
    Succeeded,
    Failed,
}

/// One backup or restore drill, for the administrator's backup page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupRun {
    pub kind: BackupKind,
    pub started_at: UtcMillis,
    pub finished_at: Option<UtcMillis>,
    pub outcome: BackupOutcome,
    /// The backup directory's name, such as `backup-20261205T030000`.
    pub name: Option<String>,
    pub files: Option<u64>,
    pub bytes: Option<u64>,
    /// The failure reason.
    pub detail: Option<String>,
}

/// The backup page: the schedule, the last backup and drill, and what runs now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupStatus {
    /// False on PostgreSQL, whose backups are made with its own tools.
    pub available: bool,
    /// Hours between scheduled backups; 0 when they are off.
    pub every_hours: u64,
    pub keep: u64,
    pub next_at: Option<UtcMillis>,
    pub last_backup: Option<BackupRun>,
    pub last_drill: Option<BackupRun>,
    /// The run in progress with (files done, files in all).
    pub running: Option<(BackupRun, u64, u64)>,
}
