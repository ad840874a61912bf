//! School data imports (匯入): the five kinds of file, their columns and the header variants
//! that Taiwanese school administration systems write, the rules for each cell, and the
//! preview that lists every problem before anything is written.
//!
//! Everything here is pure, so the browser can list the columns of a kind and the server can
//! check cells with the same code.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::calendar::{ROC_YEAR_OFFSET, SemesterCode};
use super::role::Role;

/// The kinds of file an administrator imports, in the order they depend on each other:
/// courses name their teachers and students name their homerooms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImportKind {
    /// 教職員
    Staff,
    /// 班級
    Homerooms,
    /// 學生
    Students,
    /// 開課
    Courses,
    /// 選課
    Enrolments,
}

/// The meaning of a column, whatever header the file gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImportField {
    Homeroom,
    SeatNo,
    StudentNo,
    Name,
    NationalId,
    BirthDate,
    Email,
    Mobile,
    StaffNo,
    Roles,
    Grade,
    HomeroomTeacher,
    Subject,
    Group,
    Credits,
    Teacher,
}

/// One column of a kind: the header the templates use, the variants also accepted, and
/// whether the column must be present.
#[derive(Clone, Copy, Debug)]
pub struct ImportColumn {
    pub field: ImportField,
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

const fn column(
    field: ImportField,
    header: &'static str,
    aliases: &'static [&'static str],
    required: bool,
) -> ImportColumn {
    ImportColumn {
        field,
        header,
        aliases,
        required,
    }
}

const EMAIL_ALIASES: &[&str] = &[
    "email",
    "e-mail",
    "電子信箱",
    "電子郵件信箱",
    "電郵",
    "信箱",
];
const MOBILE_ALIASES: &[&str] = &["手機號碼", "行動電話", "手機電話", "手機號"];
const SUBJECT_ALIASES: &[&str] = &["科目", "課程名稱", "科目名"];
const GROUP_ALIASES: &[&str] = &["上課班級", "開課群組", "授課班級"];

const STAFF_COLUMNS: &[ImportColumn] = &[
    column(
        ImportField::StaffNo,
        "教職員編號",
        &["職員編號", "教師編號", "員工編號", "教職員代號", "教師代號"],
        true,
    ),
    column(ImportField::Name, "姓名", &["教師姓名", "教職員姓名"], true),
    column(ImportField::Roles, "職務", &["角色", "身分"], false),
    column(ImportField::Email, "電子郵件", EMAIL_ALIASES, false),
    column(ImportField::Mobile, "手機", MOBILE_ALIASES, false),
];

const HOMEROOM_COLUMNS: &[ImportColumn] = &[
    column(
        ImportField::Homeroom,
        "班級",
        &["班級名稱", "班別", "班級代號"],
        true,
    ),
    column(ImportField::Grade, "年級", &["年級別"], true),
    column(
        ImportField::HomeroomTeacher,
        "導師教職員編號",
        &["導師編號", "導師代號", "導師職員編號"],
        false,
    ),
];

const STUDENT_COLUMNS: &[ImportColumn] = &[
    column(
        ImportField::Homeroom,
        "班級",
        &["班級名稱", "班別", "班級代號"],
        true,
    ),
    column(ImportField::SeatNo, "座號", &["座位號碼", "座次"], true),
    column(
        ImportField::StudentNo,
        "學號",
        &["學生學號", "學生編號"],
        true,
    ),
    column(ImportField::Name, "姓名", &["學生姓名", "中文姓名"], true),
    column(
        ImportField::NationalId,
        "身分證字號",
        &[
            "身分證號",
            "身分證號碼",
            "身分證統一編號",
            "身份證字號",
            "身份證號",
            "統一證號",
            "居留證號",
        ],
        true,
    ),
    column(
        ImportField::BirthDate,
        "出生日期",
        &["生日", "出生年月日", "出生日"],
        true,
    ),
    column(ImportField::Email, "電子郵件", EMAIL_ALIASES, false),
    column(ImportField::Mobile, "手機", MOBILE_ALIASES, false),
];

const COURSE_COLUMNS: &[ImportColumn] = &[
    column(ImportField::Subject, "科目名稱", SUBJECT_ALIASES, true),
    column(ImportField::Group, "開課班級", GROUP_ALIASES, true),
    column(
        ImportField::Credits,
        "學分",
        &["學分數", "時數", "學分/時數"],
        true,
    ),
    column(
        ImportField::Teacher,
        "授課教師編號",
        &["任課教師編號", "授課教師代號", "教師編號"],
        true,
    ),
];

const ENROLMENT_COLUMNS: &[ImportColumn] = &[
    column(ImportField::StudentNo, "學號", &["學生學號"], true),
    column(ImportField::Subject, "科目名稱", SUBJECT_ALIASES, true),
    column(ImportField::Group, "開課班級", GROUP_ALIASES, true),
];

impl ImportKind {
    pub const ALL: [ImportKind; 5] = [
        ImportKind::Staff,
        ImportKind::Homerooms,
        ImportKind::Students,
        ImportKind::Courses,
        ImportKind::Enrolments,
    ];

    /// Returns the name used in URLs, form fields, template file names and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Staff => "staff",
            ImportKind::Homerooms => "homerooms",
            ImportKind::Students => "students",
            ImportKind::Courses => "courses",
            ImportKind::Enrolments => "enrolments",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        ImportKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text.trim())
    }

    pub fn columns(self) -> &'static [ImportColumn] {
        match self {
            ImportKind::Staff => STAFF_COLUMNS,
            ImportKind::Homerooms => HOMEROOM_COLUMNS,
            ImportKind::Students => STUDENT_COLUMNS,
            ImportKind::Courses => COURSE_COLUMNS,
            ImportKind::Enrolments => ENROLMENT_COLUMNS,
        }
    }

    /// Returns the rows of the kind's template after its header, in the template's column
    /// order: invented examples that pass every check against the demo school.
    pub fn template_rows(self) -> &'static [&'static [&'static str]] {
        match self {
            ImportKind::Staff => &[
                &[
                    "T101",
                    "王美玲",
                    "教師、導師",
                    "t101@school.example.tw",
                    "0912345678",
                ],
                &["T102", "李志豪", "教師", "", ""],
            ],
            ImportKind::Homerooms => &[&["101", "10", "T101"], &["102", "10", ""]],
            ImportKind::Students => &[
                &[
                    "101",
                    "1",
                    "113101",
                    "林小明",
                    "A123456789",
                    "0970315",
                    "s113101@school.example.tw",
                    "0987654321",
                ],
                &[
                    "101",
                    "2",
                    "113102",
                    "陳小華",
                    "B223456782",
                    "97/08/01",
                    "",
                    "",
                ],
            ],
            ImportKind::Courses => &[
                &["數學A", "101", "4", "T101"],
                &["物理", "101", "2", "T102"],
            ],
            ImportKind::Enrolments => &[&["113101", "數學A", "101"], &["113102", "數學A", "101"]],
        }
    }

    /// Finds each column of this kind among `headers`. A header matches when it equals the
    /// column's header or one of its variants once spaces, case and a trailing bracketed note
    /// such as （民國） are ignored.
    pub fn match_headers(self, headers: &[String]) -> HeaderMatch {
        let mut found: Vec<(ImportField, usize)> = Vec::new();
        let mut duplicates = Vec::new();
        let mut ignored = Vec::new();
        for (index, header) in headers.iter().enumerate() {
            let key = header_key(header);
            if key.is_empty() {
                continue;
            }
            let column = self.columns().iter().find(|column| {
                header_key(column.header) == key
                    || column.aliases.iter().any(|alias| header_key(alias) == key)
            });
            match column {
                Some(column) if found.iter().any(|(field, _)| *field == column.field) => {
                    duplicates.push(header.trim().to_owned());
                }
                Some(column) => found.push((column.field, index)),
                None => ignored.push(header.trim().to_owned()),
            }
        }
        let missing = self
            .columns()
            .iter()
            .filter(|column| column.required && !found.iter().any(|(f, _)| *f == column.field))
            .map(|column| column.header.to_owned())
            .collect();
        HeaderMatch {
            found,
            missing,
            duplicates,
            ignored,
        }
    }
}

/// The positions of a kind's columns in a file's header row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderMatch {
    /// Each recognised column and its index in the row.
    pub found: Vec<(ImportField, usize)>,
    /// Template headers of required columns that are absent.
    pub missing: Vec<String>,
    /// Headers naming a column that an earlier header already named.
    pub duplicates: Vec<String>,
    /// Headers that name no column of the kind; their cells are not read.
    pub ignored: Vec<String>,
}

impl HeaderMatch {
    pub fn index(&self, field: ImportField) -> Option<usize> {
        self.found
            .iter()
            .find(|(found, _)| *found == field)
            .map(|(_, index)| *index)
    }
}

/// Reduces a header to what matters for matching: no spaces (ASCII or full-width), no byte
/// order mark, ASCII lower case, and no trailing note in brackets.
fn header_key(header: &str) -> String {
    let mut key: String = header
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}' && *c != '*')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    for (open, close) in [('(', ')'), ('（', '）')] {
        if key.ends_with(close)
            && let Some(start) = key.rfind(open)
            && start > 0
        {
            key.truncate(start);
        }
    }
    key
}

/// Reads a date as school exports write it: 7-digit ROC (`0950116`), 6-digit ROC whose
/// leading zero a spreadsheet dropped (`950116`), ROC with separators (`95/01/16`,
/// `095.1.16`, `95年1月16日`), Gregorian (`2006-01-16`, `2006/1/16`, `20060116`).
pub fn parse_import_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    // A spreadsheet date-time written as text, such as `2006-01-16 00:00:00`.
    let text = text.split([' ', 'T']).next().unwrap_or(text);

    if text.bytes().all(|b| b.is_ascii_digit()) {
        let (year, rest, roc) = match text.len() {
            6 => (&text[..2], &text[2..], true),
            7 => (&text[..3], &text[3..], true),
            8 => (&text[..4], &text[4..], false),
            _ => return None,
        };
        let year: i16 = year.parse().ok()?;
        let year = if roc {
            year.checked_add(ROC_YEAR_OFFSET)?
        } else {
            year
        };
        return Date::new(year, rest[..2].parse().ok()?, rest[2..].parse().ok()?).ok();
    }

    let normalised: String = text
        .trim_end_matches('日')
        .chars()
        .map(|c| match c {
            '年' | '月' | '.' | '-' => '/',
            other => other,
        })
        .collect();

    let parts: Vec<&str> = normalised.split('/').collect();
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    if year.is_empty()
        || year.len() > 4
        || month.is_empty()
        || month.len() > 2
        || day.is_empty()
        || day.len() > 2
        || ![year, month, day]
            .iter()
            .all(|part| part.bytes().all(|b| b.is_ascii_digit()))
    {
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

/// Normalises a Taiwanese mobile number to `09xxxxxxxx`: spaces, dashes, dots and brackets are
/// dropped, `+886 9…` becomes `09…`, and a leading zero that a spreadsheet dropped
/// (`912345678`) is restored. Returns `None` for anything else.
pub fn normalise_mobile(text: &str) -> Option<String> {
    let digits: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{3000}'))
        .collect();
    let digits = if let Some(rest) = digits.strip_prefix("+886") {
        format!("0{}", rest.trim_start_matches('0'))
    } else if digits.len() == 9 && digits.starts_with('9') {
        format!("0{digits}")
    } else {
        digits
    };
    let valid = digits.len() == 10
        && digits.starts_with("09")
        && digits.bytes().all(|b| b.is_ascii_digit());
    valid.then_some(digits)
}

/// Checks an e-mail address the way a school form would: one `@`, a name before it, a
/// domain with a dot after it, no spaces, at most 254 characters.
pub fn is_valid_email(text: &str) -> bool {
    let text = text.trim();
    if text.len() > 254 || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || !c.is_ascii())
        })
}

/// Reads a 年級: 10–12, 1–3, 一–三, 高一–高三 or 一年級–三年級, as 10, 11 or 12.
pub fn parse_grade(text: &str) -> Option<i64> {
    let text = text.trim();
    let text = text.strip_prefix('高').unwrap_or(text);
    let text = text.strip_suffix("年級").unwrap_or(text);
    match text {
        "10" | "1" | "一" | "１" => Some(10),
        "11" | "2" | "二" | "２" => Some(11),
        "12" | "3" | "三" | "３" => Some(12),
        _ => None,
    }
}

/// Reads the 職務 cell of a staff row: names separated by 、 , ， ; ； / or spaces. An empty
/// cell means 教師. Returns the first name that is not a role as the error.
pub fn parse_roles(text: &str) -> Result<Vec<Role>, String> {
    let mut roles = Vec::new();
    for name in text
        .split(['、', ',', '，', ';', '；', '/', ' ', '\u{3000}'])
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let role = match name {
            "教師" | "任課教師" | "老師" => Role::Teacher,
            "導師" => Role::HomeroomTeacher,
            "課程諮詢教師" | "諮詢教師" => Role::Counsellor,
            "提交名冊人員" => Role::SubmissionStaff,
            "管理者" | "管理員" => Role::Admin,
            other => return Err(other.to_owned()),
        };
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        roles.push(Role::Teacher);
    }
    Ok(roles)
}

/// Reads a whole number cell; a spreadsheet may write `4` as `4.0`.
pub fn parse_whole_number(text: &str) -> Option<i64> {
    let text = text.trim();
    let text = text.strip_suffix(".0").unwrap_or(text);
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) || text.len() > 6 {
        return None;
    }
    text.parse().ok()
}

/// Hides the last 4 characters of a national ID as typed in a file, valid or not, so that
/// previews and error lists never show a whole one: `A12345****`.
pub fn mask_national_id_text(text: &str) -> String {
    let chars: Vec<char> = text.trim().chars().collect();
    let shown = chars.len().saturating_sub(4).min(6);
    let mut masked: String = chars[..shown].iter().collect();
    masked.push_str("****");
    masked
}

/// Checks a 學號 or 教職員編號, which becomes a login name: letters, digits, `-` and `_`,
/// at most 20 characters.
pub fn is_valid_number_code(text: &str) -> bool {
    !text.is_empty()
        && text.chars().count() <= 20
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The maximum length of a name, subject or group, in characters.
pub const MAX_NAME_CHARS: usize = 50;

/// A reason that one cell (or one row) of an import cannot be written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportProblem {
    /// The header row lacks a required column (reported on the header line).
    MissingColumn,
    /// Two headers name the same column.
    DuplicateColumn,
    /// A required cell is empty.
    Required,
    /// Longer than `max` characters.
    TooLong {
        max: u32,
    },
    NationalIdFormat,
    NationalIdCheckDigit,
    /// The same national ID appears on an earlier line of the file.
    NationalIdRepeated {
        first_line: u32,
    },
    /// Another student of the school has this national ID.
    NationalIdTaken {
        student_no: String,
    },
    /// Not a date in any accepted form.
    DateUnreadable,
    /// A birth date in the future or before 1900.
    DateOutOfRange,
    Email,
    Mobile,
    /// A 學號 or 教職員編號 with characters other than letters, digits, `-` and `_`.
    NumberFormat,
    /// The same 學號 appears on an earlier line of the file.
    StudentNoRepeated {
        first_line: u32,
    },
    /// The 學號 belongs to a student with another national ID: probably another person.
    StudentNoTaken {
        name: String,
    },
    /// The login name (學號 or 教職員編號) is used by another account.
    LoginTaken,
    /// No homeroom of this name in the school year of the import.
    UnknownHomeroom {
        school_year: i16,
    },
    /// 座號 not a whole number from 1 to 99.
    SeatNo,
    /// The seat is taken by another line of the file or another student.
    SeatTaken {
        first_line: Option<u32>,
        student_no: Option<String>,
    },
    StaffNoRepeated {
        first_line: u32,
    },
    /// A 職務 that matches no known role.
    UnknownRole,
    Grade,
    /// No staff member with this 教職員編號.
    UnknownStaff,
    HomeroomRepeated {
        first_line: u32,
    },
    /// 學分 not a whole number from 0 to 30.
    Credits,
    CourseRepeated {
        first_line: u32,
    },
    /// No student with this 學號.
    UnknownStudent,
    /// No course of this subject and group in the semester of the import.
    UnknownCourse {
        semester: SemesterCode,
    },
    EnrolmentRepeated {
        first_line: u32,
    },
}

/// One problem of a preview: the line in the file (as a spreadsheet numbers its rows), the
/// column's header as the file has it, the value (a national ID masked), and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRowProblem {
    pub line: u32,
    pub column: String,
    pub value: String,
    pub problem: ImportProblem,
}

/// The change a row makes to the stored data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowChange {
    Insert,
    Update,
    Unchanged,
    Invalid,
}

/// How many rows insert, update or change nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub inserted: u32,
    pub updated: u32,
    pub unchanged: u32,
}

/// One data row as the preview shows it, national ID masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub line: u32,
    pub change: RowChange,
    pub cells: Vec<String>,
}

/// Rows and problems a preview sends at most; the counts cover the whole file.
pub const PREVIEW_MAX_ROWS: usize = 200;
pub const PREVIEW_MAX_PROBLEMS: usize = 500;

/// The result of checking an import file, computed without writing anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub kind: ImportKind,
    /// SHA-256 of the file: the confirmation must send the same file.
    pub sha256: String,
    /// The semester the rows are imported into (homerooms into its school year).
    pub semester: SemesterCode,
    pub row_count: u32,
    pub counts: ImportCounts,
    /// The template headers of the columns shown in `rows`.
    pub columns: Vec<String>,
    pub rows: Vec<PreviewRow>,
    pub problem_count: u32,
    pub problems: Vec<ImportRowProblem>,
    /// Headers of the file that no column of the kind uses.
    pub ignored_columns: Vec<String>,
}

/// The counts of a confirmed import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportResult {
    pub kind: ImportKind,
    pub counts: ImportCounts,
}

/// A reason that a whole file cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportFileProblem {
    /// No file, or a file without rows.
    Empty,
    /// Larger than `max_bytes`.
    TooLarge { max_bytes: u64 },
    /// More data rows than `max` allowed in one file.
    TooManyRows { max: u32 },
    /// An old binary Excel file (.xls).
    LegacyExcel,
    /// A zip or .xlsx file that is not a readable workbook.
    Workbook,
    /// Text in neither UTF-8 nor Big5.
    Encoding,
    /// CSV that does not parse (such as an unclosed quote) at `line`.
    Csv { line: u32 },
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn dates_in_every_accepted_form() {
        let expected = Some(date(2006, 1, 16));
        for text in [
            "0950116",
            "950116",
            "95/01/16",
            "095/01/16",
            "95/1/16",
            "95.01.16",
            "95年1月16日",
            "2006-01-16",
            "2006/1/16",
            "20060116",
            "2006-01-16 00:00:00",
            " 0950116 ",
        ] {
            assert_eq!(parse_import_date(text), expected, "{text:?}");
        }
        assert_eq!(parse_import_date("1000229"), None, "not a leap year");
        assert_eq!(parse_import_date("1010229"), Some(date(2012, 2, 29)));
    }

    #[test]
    fn dates_rejected() {
        for text in [
            "",
            "abc",
            "0951316",
            "095011",
            "09501160",
            "95/13/01",
            "2006-02-30",
            "95//16",
            "95/01/16/1",
            "1/2",
        ] {
            assert_eq!(parse_import_date(text), None, "{text:?}");
        }
    }

    #[test]
    fn mobile_numbers() {
        assert_eq!(
            normalise_mobile("0912345678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            normalise_mobile("0912-345-678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            normalise_mobile("+886 912 345 678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(normalise_mobile("912345678").as_deref(), Some("0912345678"));
        for bad in [
            "",
            "02-2345-6789",
            "091234567",
            "09123456789",
            "0812345678",
            "09a2345678",
        ] {
            assert_eq!(normalise_mobile(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn email_addresses() {
        assert!(is_valid_email("s113101@school.example.tw"));
        assert!(is_valid_email(" a.b+c@mail.edu.tw "));
        for bad in [
            "", "abc", "a@b", "@b.tw", "a@@b.tw", "a b@c.tw", "a@b..tw", "a@.tw",
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
    }

    #[test]
    fn grades() {
        for (text, grade) in [
            ("10", 10),
            ("高二", 11),
            ("三年級", 12),
            ("1", 10),
            ("二", 11),
        ] {
            assert_eq!(parse_grade(text), Some(grade), "{text:?}");
        }
        assert_eq!(parse_grade("4"), None);
        assert_eq!(parse_grade("國一"), None);
    }

    #[test]
    fn roles_from_text() {
        assert_eq!(parse_roles(""), Ok(vec![Role::Teacher]));
        assert_eq!(
            parse_roles("教師、導師，管理者"),
            Ok(vec![Role::Teacher, Role::HomeroomTeacher, Role::Admin])
        );
        assert_eq!(parse_roles("教師、校長"), Err("校長".to_owned()));
    }

    #[test]
    fn headers_match_variants_and_report_gaps() {
        let headers: Vec<String> = [
            "學生學號",
            " 姓名 ",
            "班級名稱",
            "生日（民國）",
            "備註",
            "姓名",
        ]
        .map(String::from)
        .to_vec();
        let matched = ImportKind::Students.match_headers(&headers);
        assert_eq!(matched.index(ImportField::StudentNo), Some(0));
        assert_eq!(matched.index(ImportField::Name), Some(1));
        assert_eq!(matched.index(ImportField::Homeroom), Some(2));
        assert_eq!(matched.index(ImportField::BirthDate), Some(3));
        assert_eq!(
            matched.missing,
            vec!["座號".to_owned(), "身分證字號".to_owned()]
        );
        assert_eq!(matched.duplicates, vec!["姓名".to_owned()]);
        assert_eq!(matched.ignored, vec!["備註".to_owned()]);
        let email = ImportKind::Students.match_headers(&["E-Mail".to_owned()]);
        assert_eq!(email.index(ImportField::Email), Some(0));
    }

    #[test]
    fn template_rows_fit_their_columns() {
        for kind in ImportKind::ALL {
            for row in kind.template_rows() {
                assert_eq!(row.len(), kind.columns().len(), "{kind:?}");
            }
            assert_eq!(ImportKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn national_id_text_is_masked() {
        assert_eq!(mask_national_id_text("A123456789"), "A12345****");
        assert_eq!(mask_national_id_text("A1234"), "A****");
        assert_eq!(mask_national_id_text("AB"), "****");
    }

    #[test]
    fn whole_numbers_and_codes() {
        assert_eq!(parse_whole_number("4"), Some(4));
        assert_eq!(parse_whole_number("4.0"), Some(4));
        assert_eq!(parse_whole_number("4.5"), None);
        assert_eq!(parse_whole_number("-1"), None);
        assert!(is_valid_number_code("113001"));
        assert!(is_valid_number_code("T-01"));
        assert!(!is_valid_number_code("113 001"));
        assert!(!is_valid_number_code(""));
    }
}
