//! Checks every row of a file against the rules and the stored data, and decides what each
//! valid row will write. Nothing here writes: the preview shows the result, and the
//! confirmation runs the same checks again inside its transaction before writing.

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;

use super::read::Line;
use crate::domain::calendar::SemesterCode;
use crate::domain::ids::{CourseId, HomeroomId, UserId};
use crate::domain::imports::{
    HeaderMatch, ImportCounts, ImportField, ImportKind, ImportProblem, ImportRowProblem,
    MAX_NAME_CHARS, PreviewRow, RowChange, is_valid_email, is_valid_number_code,
    mask_national_id_text, normalise_mobile, parse_grade, parse_import_date, parse_roles,
    parse_whole_number,
};
use crate::domain::national_id::{NationalId, NationalIdError};
use crate::domain::role::Role;
use crate::server::crypto::NationalIdCipher;
use crate::server::db::imports::{StoredCourse, StoredHomeroom, StoredStaff, StoredStudent};

/// The outcome of checking a file: what the preview shows and what a confirmation writes.
pub struct Plan {
    pub columns: Vec<String>,
    pub rows: Vec<PreviewRow>,
    pub problems: Vec<ImportRowProblem>,
    pub counts: ImportCounts,
    pub ignored_columns: Vec<String>,
    pub writes: Writes,
}

/// The writes of the valid rows that change something.
pub enum Writes {
    Staff(Vec<StaffWrite>),
    Homerooms(Vec<HomeroomWrite>),
    Students(Vec<StudentWrite>),
    Courses(Vec<CourseWrite>),
    Enrolments(Vec<EnrolmentWrite>),
}

pub struct StaffWrite {
    pub existing: Option<UserId>,
    pub staff_no: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub account_changed: bool,
    pub roles_to_add: Vec<Role>,
}

pub struct HomeroomWrite {
    pub existing: Option<HomeroomId>,
    pub name: String,
    pub grade: i64,
    pub teacher: Option<UserId>,
    pub teacher_lacks_role: bool,
}

pub struct StudentWrite {
    pub existing: Option<UserId>,
    pub student_no: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub national_id: NationalId,
    pub national_id_hash: String,
    /// `YYYY-MM-DD`
    pub birth_date: String,
    pub homeroom: HomeroomId,
    pub seat_no: i64,
    pub account_changed: bool,
    pub identity_changed: bool,
    pub membership_changed: bool,
}

pub struct CourseWrite {
    pub existing: Option<CourseId>,
    pub subject: String,
    pub group_name: String,
    pub credits: i64,
    pub teacher: UserId,
    pub teacher_lacks_role: bool,
}

pub struct EnrolmentWrite {
    pub course: CourseId,
    pub student: UserId,
}

/// The stored data that the rows of one kind are checked against.
pub enum Stored {
    Staff {
        staff: Vec<StoredStaff>,
        logins: HashMap<String, UserId>,
    },
    Homerooms {
        homerooms: Vec<StoredHomeroom>,
        staff: Vec<StoredStaff>,
    },
    Students {
        students: Vec<StoredStudent>,
        homerooms: Vec<StoredHomeroom>,
        logins: HashMap<String, UserId>,
    },
    Courses {
        courses: Vec<StoredCourse>,
        staff: Vec<StoredStaff>,
    },
    Enrolments {
        courses: Vec<StoredCourse>,
        students: Vec<StoredStudent>,
        enrolled: HashSet<(CourseId, UserId)>,
    },
}

/// The inputs of every check besides the rows.
pub struct Context<'a> {
    pub kind: ImportKind,
    pub semester: SemesterCode,
    /// Today in Taiwan: birth dates after it are refused.
    pub today: Date,
    pub cipher: &'a NationalIdCipher,
}

/// The header row of a file and where each column is.
struct Header {
    line: u32,
    texts: Vec<String>,
    matched: HeaderMatch,
}

/// Finds the header among the first lines: the first that names at least two columns of the
/// kind, so a title line above the header (such as 113學年度學生名冊) is skipped.
fn find_header(kind: ImportKind, lines: &[Line]) -> usize {
    lines
        .iter()
        .take(10)
        .position(|line| kind.match_headers(&line.cells).found.len() >= 2)
        .unwrap_or(0)
}

/// One data row being checked, with the problems found so far.
struct Row<'a> {
    line: u32,
    cells: &'a [String],
    header: &'a Header,
    problems: Vec<ImportRowProblem>,
}

impl<'a> Row<'a> {
    fn cell(&self, field: ImportField) -> &'a str {
        self.header
            .matched
            .index(field)
            .and_then(|index| self.cells.get(index))
            .map(|cell| cell.trim())
            .unwrap_or("")
    }

    /// Returns the column's header as the file writes it.
    fn column(&self, field: ImportField) -> String {
        match self.header.matched.index(field) {
            Some(index) => self.header.texts[index].trim().to_owned(),
            None => template_header(field),
        }
    }

    fn flag(&mut self, field: ImportField, problem: ImportProblem) {
        let raw = self.cell(field);
        let value = if field == ImportField::NationalId && !raw.is_empty() {
            mask_national_id_text(raw)
        } else {
            raw.to_owned()
        };
        self.problems.push(ImportRowProblem {
            line: self.line,
            column: self.column(field),
            value,
            problem,
        });
    }

    /// Returns a required cell, or flags it as missing.
    fn required(&mut self, field: ImportField) -> Option<&'a str> {
        let text = self.cell(field);
        if text.is_empty() {
            self.flag(field, ImportProblem::Required);
            None
        } else {
            Some(text)
        }
    }

    /// Returns a required name-like cell of at most `MAX_NAME_CHARS` characters.
    fn name(&mut self, field: ImportField) -> Option<&'a str> {
        let text = self.required(field)?;
        if text.chars().count() > MAX_NAME_CHARS {
            self.flag(
                field,
                ImportProblem::TooLong {
                    max: MAX_NAME_CHARS as u32,
                },
            );
            return None;
        }
        Some(text)
    }

    /// Returns a required 學號 or 教職員編號.
    fn number_code(&mut self, field: ImportField) -> Option<&'a str> {
        let text = self.required(field)?;
        if !is_valid_number_code(text) {
            self.flag(field, ImportProblem::NumberFormat);
            return None;
        }
        Some(text)
    }

    /// Returns the optional e-mail: `Ok(None)` when empty.
    fn email(&mut self) -> Result<Option<String>, ()> {
        let text = self.cell(ImportField::Email);
        if text.is_empty() {
            Ok(None)
        } else if is_valid_email(text) {
            Ok(Some(text.to_owned()))
        } else {
            self.flag(ImportField::Email, ImportProblem::Email);
            Err(())
        }
    }

    /// Returns the optional mobile number, normalised to 09xxxxxxxx.
    fn mobile(&mut self) -> Result<Option<String>, ()> {
        let text = self.cell(ImportField::Mobile);
        if text.is_empty() {
            return Ok(None);
        }
        match normalise_mobile(text) {
            Some(mobile) => Ok(Some(mobile)),
            None => {
                self.flag(ImportField::Mobile, ImportProblem::Mobile);
                Err(())
            }
        }
    }

    /// Returns the row's cells in the template's column order, for the preview.
    fn preview_cells(&self, kind: ImportKind) -> Vec<String> {
        kind.columns()
            .iter()
            .map(|column| {
                let text = self.cell(column.field);
                if column.field == ImportField::NationalId && !text.is_empty() {
                    mask_national_id_text(text)
                } else {
                    text.to_owned()
                }
            })
            .collect()
    }
}

/// Returns the template header of a field, for a problem in a column the file lacks.
fn template_header(field: ImportField) -> String {
    ImportKind::ALL
        .into_iter()
        .flat_map(|kind| kind.columns().iter())
        .find(|column| column.field == field)
        .map(|column| column.header.to_owned())
        .unwrap_or_default()
}

/// One checked row: its preview cells, and its write and change when it has no problem.
struct Checked<T> {
    line: u32,
    cells: Vec<String>,
    outcome: Option<(RowChange, Option<T>)>,
    problems: Vec<ImportRowProblem>,
}

impl<T> Checked<T> {
    fn new(row: Row<'_>, kind: ImportKind, outcome: Option<(RowChange, Option<T>)>) -> Self {
        let cells = row.preview_cells(kind);
        let outcome = if row.problems.is_empty() {
            outcome
        } else {
            None
        };
        Checked {
            line: row.line,
            cells,
            outcome,
            problems: row.problems,
        }
    }
}

/// Remembers the first line of each key, to report a repeat on a later line.
struct FirstLines<K>(HashMap<K, u32>);

impl<K: std::hash::Hash + Eq> FirstLines<K> {
    fn new() -> Self {
        FirstLines(HashMap::new())
    }

    /// Returns the earlier line of `key`, or records `line` as its first.
    fn repeat_of(&mut self, key: K, line: u32) -> Option<u32> {
        match self.0.get(&key) {
            Some(first) => Some(*first),
            None => {
                self.0.insert(key, line);
                None
            }
        }
    }
}

/// Checks the whole file. When the header lacks a required column, the header's problems
/// are the only ones reported, because no row can be read without the column.
pub fn check(context: &Context<'_>, lines: &[Line], stored: Stored) -> Plan {
    let kind = context.kind;
    let header_index = find_header(kind, lines);
    let header_line = &lines[header_index];
    let header = Header {
        line: header_line.number,
        texts: header_line.cells.clone(),
        matched: kind.match_headers(&header_line.cells),
    };
    let data = &lines[header_index + 1..];
    let columns: Vec<String> = kind
        .columns()
        .iter()
        .map(|column| column.header.to_owned())
        .collect();
    let ignored_columns = header.matched.ignored.clone();

    let header_problems = header_problems(&header);
    if !header_problems.is_empty() {
        // Rows cannot be read reliably while a column is missing or repeated, so the header
        // is what to fix first.
        return Plan {
            columns,
            rows: Vec::new(),
            problems: header_problems,
            counts: ImportCounts::default(),
            ignored_columns,
            writes: empty_writes(kind),
        };
    }

    let rows = data.iter().map(|line| Row {
        line: line.number,
        cells: &line.cells,
        header: &header,
        problems: Vec::new(),
    });
    let (rows, problems, counts, writes) = match stored {
        Stored::Staff { staff, logins } => {
            let (preview, problems, counts, writes) = finish(check_staff(rows, &staff, &logins));
            (preview, problems, counts, Writes::Staff(writes))
        }
        Stored::Homerooms { homerooms, staff } => {
            let (preview, problems, counts, writes) =
                finish(check_homerooms(rows, &homerooms, &staff));
            (preview, problems, counts, Writes::Homerooms(writes))
        }
        Stored::Students {
            students,
            homerooms,
            logins,
        } => {
            let (preview, problems, counts, writes) = finish(check_students(
                context, rows, &students, &homerooms, &logins,
            ));
            (preview, problems, counts, Writes::Students(writes))
        }
        Stored::Courses { courses, staff } => {
            let (preview, problems, counts, writes) = finish(check_courses(rows, &courses, &staff));
            (preview, problems, counts, Writes::Courses(writes))
        }
        Stored::Enrolments {
            courses,
            students,
            enrolled,
        } => {
            let (preview, problems, counts, writes) = finish(check_enrolments(
                context, rows, &courses, &students, &enrolled,
            ));
            (preview, problems, counts, Writes::Enrolments(writes))
        }
    };
    Plan {
        columns,
        rows,
        problems,
        counts,
        ignored_columns,
        writes,
    }
}

/// Lists the required columns missing from the header and the columns it names twice.
fn header_problems(header: &Header) -> Vec<ImportRowProblem> {
    let missing = header
        .matched
        .missing
        .iter()
        .map(|missing| ImportRowProblem {
            line: header.line,
            column: missing.clone(),
            value: String::new(),
            problem: ImportProblem::MissingColumn,
        });
    let repeated = header
        .matched
        .duplicates
        .iter()
        .map(|duplicate| ImportRowProblem {
            line: header.line,
            column: duplicate.clone(),
            value: duplicate.clone(),
            problem: ImportProblem::DuplicateColumn,
        });
    missing.chain(repeated).collect()
}

fn empty_writes(kind: ImportKind) -> Writes {
    match kind {
        ImportKind::Staff => Writes::Staff(Vec::new()),
        ImportKind::Homerooms => Writes::Homerooms(Vec::new()),
        ImportKind::Students => Writes::Students(Vec::new()),
        ImportKind::Courses => Writes::Courses(Vec::new()),
        ImportKind::Enrolments => Writes::Enrolments(Vec::new()),
    }
}

type Finished<T> = (Vec<PreviewRow>, Vec<ImportRowProblem>, ImportCounts, Vec<T>);

/// Splits checked rows into the preview, the problems, the counts and the writes.
fn finish<T>(checked: Vec<Checked<T>>) -> Finished<T> {
    let mut preview = Vec::with_capacity(checked.len());
    let mut problems = Vec::new();
    let mut counts = ImportCounts::default();
    let mut writes = Vec::new();
    for row in checked {
        let change = match row.outcome {
            Some((change, write)) => {
                match change {
                    RowChange::Insert => counts.inserted += 1,
                    RowChange::Update => counts.updated += 1,
                    RowChange::Unchanged | RowChange::Invalid => counts.unchanged += 1,
                }
                writes.extend(write);
                change
            }
            None => RowChange::Invalid,
        };
        problems.extend(row.problems);
        preview.push(PreviewRow {
            line: row.line,
            change,
            cells: row.cells,
        });
    }
    (preview, problems, counts, writes)
}

/// Returns the row's change and whether it writes anything.
fn change_of(existing: bool, changed: bool) -> RowChange {
    match (existing, changed) {
        (false, _) => RowChange::Insert,
        (true, true) => RowChange::Update,
        (true, false) => RowChange::Unchanged,
    }
}

/// Returns the stored value unless the file gives one, because an import never erases
/// contact data.
fn keep_or_replace(file: Option<String>, stored: &Option<String>) -> Option<String> {
    file.or_else(|| stored.clone())
}

fn check_staff<'a>(
    rows: impl Iterator<Item = Row<'a>>,
    staff: &[StoredStaff],
    logins: &HashMap<String, UserId>,
) -> Vec<Checked<StaffWrite>> {
    let by_number: HashMap<&str, &StoredStaff> = staff
        .iter()
        .map(|member| (member.staff_no.as_str(), member))
        .collect();
    let mut first_lines = FirstLines::new();
    let mut checked = Vec::new();
    for mut row in rows {
        let staff_no = row.number_code(ImportField::StaffNo);
        let name = row.name(ImportField::Name);
        let roles = match parse_roles(row.cell(ImportField::Roles)) {
            Ok(roles) => Some(roles),
            Err(unknown) => {
                row.problems.push(ImportRowProblem {
                    line: row.line,
                    column: row.column(ImportField::Roles),
                    value: unknown,
                    problem: ImportProblem::UnknownRole,
                });
                None
            }
        };
        let email = row.email();
        let phone = row.mobile();
        let mut outcome = None;
        if let Some(staff_no) = staff_no {
            if let Some(first_line) = first_lines.repeat_of(staff_no.to_owned(), row.line) {
                row.flag(
                    ImportField::StaffNo,
                    ImportProblem::StaffNoRepeated { first_line },
                );
            }
            let stored = by_number.get(staff_no).copied();
            if stored.is_none() && logins.contains_key(staff_no) {
                row.flag(ImportField::StaffNo, ImportProblem::LoginTaken);
            }
            if let (Some(name), Some(roles), Ok(email), Ok(phone)) = (name, roles, email, phone) {
                let (email, phone, account_changed, roles_to_add) = match stored {
                    Some(stored) => {
                        let email = keep_or_replace(email, &stored.email);
                        let phone = keep_or_replace(phone, &stored.phone);
                        let changed =
                            stored.name != name || stored.email != email || stored.phone != phone;
                        let missing: Vec<Role> = roles
                            .iter()
                            .copied()
                            .filter(|role| !stored.roles.contains(role))
                            .collect();
                        (email, phone, changed, missing)
                    }
                    None => (email, phone, true, roles),
                };
                let change = change_of(
                    stored.is_some(),
                    account_changed || !roles_to_add.is_empty(),
                );
                let write = (change != RowChange::Unchanged).then(|| StaffWrite {
                    existing: stored.map(|stored| stored.user),
                    staff_no: staff_no.to_owned(),
                    name: name.to_owned(),
                    email,
                    phone,
                    account_changed,
                    roles_to_add,
                });
                outcome = Some((change, write));
            }
        }
        checked.push(Checked::new(row, ImportKind::Staff, outcome));
    }
    checked
}

fn check_homerooms<'a>(
    rows: impl Iterator<Item = Row<'a>>,
    homerooms: &[StoredHomeroom],
    staff: &[StoredStaff],
) -> Vec<Checked<HomeroomWrite>> {
    let by_name: HashMap<&str, &StoredHomeroom> = homerooms
        .iter()
        .map(|homeroom| (homeroom.name.as_str(), homeroom))
        .collect();
    let staff_by_number: HashMap<&str, &StoredStaff> = staff
        .iter()
        .map(|member| (member.staff_no.as_str(), member))
        .collect();
    let mut first_lines = FirstLines::new();
    let mut checked = Vec::new();
    for mut row in rows {
        let name = row.name(ImportField::Homeroom);
        if let Some(name) = name
            && let Some(first_line) = first_lines.repeat_of(name.to_owned(), row.line)
        {
            row.flag(
                ImportField::Homeroom,
                ImportProblem::HomeroomRepeated { first_line },
            );
        }
        let grade = row.required(ImportField::Grade).and_then(|text| {
            let grade = parse_grade(text);
            if grade.is_none() {
                row.flag(ImportField::Grade, ImportProblem::Grade);
            }
            grade
        });
        let teacher_text = row.cell(ImportField::HomeroomTeacher);
        let teacher = if teacher_text.is_empty() {
            Ok(None)
        } else {
            match staff_by_number.get(teacher_text) {
                Some(member) => Ok(Some(*member)),
                None => {
                    row.flag(ImportField::HomeroomTeacher, ImportProblem::UnknownStaff);
                    Err(())
                }
            }
        };
        let mut outcome = None;
        if let (Some(name), Some(grade), Ok(teacher)) = (name, grade, teacher) {
            let stored = by_name.get(name).copied();
            let teacher_id = teacher
                .map(|member| member.user)
                .or_else(|| stored.and_then(|stored| stored.teacher));
            let teacher_lacks_role =
                teacher.is_some_and(|member| !member.roles.contains(&Role::HomeroomTeacher));
            let changed = stored
                .is_none_or(|stored| stored.grade != grade || stored.teacher != teacher_id)
                || teacher_lacks_role;
            let change = change_of(stored.is_some(), changed);
            let write = (change != RowChange::Unchanged).then(|| HomeroomWrite {
                existing: stored.map(|stored| stored.id),
                name: name.to_owned(),
                grade,
                teacher: teacher_id,
                teacher_lacks_role,
            });
            outcome = Some((change, write));
        }
        checked.push(Checked::new(row, ImportKind::Homerooms, outcome));
    }
    checked
}

fn check_students<'a>(
    context: &Context<'_>,
    rows: impl Iterator<Item = Row<'a>>,
    students: &[StoredStudent],
    homerooms: &[StoredHomeroom],
    logins: &HashMap<String, UserId>,
) -> Vec<Checked<StudentWrite>> {
    let by_number: HashMap<&str, &StoredStudent> = students
        .iter()
        .map(|student| (student.student_no.as_str(), student))
        .collect();
    let by_hash: HashMap<&str, &StoredStudent> = students
        .iter()
        .filter_map(|student| Some((student.national_id_hash.as_deref()?, student)))
        .collect();
    let homeroom_by_name: HashMap<&str, &StoredHomeroom> = homerooms
        .iter()
        .map(|homeroom| (homeroom.name.as_str(), homeroom))
        .collect();
    let rows: Vec<Row<'a>> = rows.collect();
    // Students named in the file get their seats from the file; the others keep theirs.
    let numbers_in_file: HashSet<&str> = rows
        .iter()
        .map(|row| row.cell(ImportField::StudentNo))
        .collect();
    let occupied: HashMap<(HomeroomId, i64), &str> = students
        .iter()
        .filter(|student| !numbers_in_file.contains(student.student_no.as_str()))
        .filter_map(|student| {
            Some((
                (student.homeroom?, student.seat_no?),
                student.student_no.as_str(),
            ))
        })
        .collect();
    let mut number_lines = FirstLines::new();
    let mut id_lines = FirstLines::new();
    let mut seat_lines = FirstLines::new();
    let earliest = Date::constant(1900, 1, 1);
    let mut checked = Vec::new();
    for mut row in rows {
        let homeroom = row.required(ImportField::Homeroom).and_then(|name| {
            let found = homeroom_by_name.get(name).copied();
            if found.is_none() {
                row.flag(
                    ImportField::Homeroom,
                    ImportProblem::UnknownHomeroom {
                        school_year: context.semester.school_year.0,
                    },
                );
            }
            found
        });
        let seat_no = row.required(ImportField::SeatNo).and_then(|text| {
            let seat = parse_whole_number(text).filter(|seat| (1..=99).contains(seat));
            if seat.is_none() {
                row.flag(ImportField::SeatNo, ImportProblem::SeatNo);
            }
            seat
        });
        let student_no = row.number_code(ImportField::StudentNo);
        let name = row.name(ImportField::Name);
        let national_id =
            row.required(ImportField::NationalId)
                .and_then(|text| match NationalId::parse(text) {
                    Ok(id) => Some(id),
                    Err(NationalIdError::InvalidFormat) => {
                        row.flag(ImportField::NationalId, ImportProblem::NationalIdFormat);
                        None
                    }
                    Err(NationalIdError::InvalidCheckDigit) => {
                        row.flag(ImportField::NationalId, ImportProblem::NationalIdCheckDigit);
                        None
                    }
                });
        let birth_date =
            row.required(ImportField::BirthDate)
                .and_then(|text| match parse_import_date(text) {
                    None => {
                        row.flag(ImportField::BirthDate, ImportProblem::DateUnreadable);
                        None
                    }
                    Some(date) if date > context.today || date < earliest => {
                        row.flag(ImportField::BirthDate, ImportProblem::DateOutOfRange);
                        None
                    }
                    Some(date) => Some(date),
                });
        let email = row.email();
        let phone = row.mobile();

        let stored = student_no.and_then(|number| by_number.get(number).copied());
        if let Some(number) = student_no {
            if let Some(first_line) = number_lines.repeat_of(number.to_owned(), row.line) {
                row.flag(
                    ImportField::StudentNo,
                    ImportProblem::StudentNoRepeated { first_line },
                );
            }
            if stored.is_none() && logins.contains_key(number) {
                row.flag(ImportField::StudentNo, ImportProblem::LoginTaken);
            }
        }
        let hash = national_id
            .as_ref()
            .map(|id| context.cipher.lookup_hash(id));
        if let Some(hash) = &hash {
            if let Some(first_line) = id_lines.repeat_of(hash.clone(), row.line) {
                row.flag(
                    ImportField::NationalId,
                    ImportProblem::NationalIdRepeated { first_line },
                );
            } else if let Some(holder) = by_hash.get(hash.as_str())
                && Some(holder.student_no.as_str()) != student_no
            {
                row.flag(
                    ImportField::NationalId,
                    ImportProblem::NationalIdTaken {
                        student_no: holder.student_no.clone(),
                    },
                );
            }
            // A stored student with another national ID under this 學號 is another person.
            if let Some(stored) = stored
                && let Some(stored_hash) = &stored.national_id_hash
                && stored_hash != hash
            {
                row.flag(
                    ImportField::StudentNo,
                    ImportProblem::StudentNoTaken {
                        name: stored.name.clone(),
                    },
                );
            }
        }
        if let (Some(homeroom), Some(seat_no)) = (homeroom, seat_no) {
            let seat = (homeroom.id, seat_no);
            if let Some(holder) = occupied.get(&seat) {
                row.flag(
                    ImportField::SeatNo,
                    ImportProblem::SeatTaken {
                        first_line: None,
                        student_no: Some((*holder).to_owned()),
                    },
                );
            } else if let Some(first_line) = seat_lines.repeat_of(seat, row.line) {
                row.flag(
                    ImportField::SeatNo,
                    ImportProblem::SeatTaken {
                        first_line: Some(first_line),
                        student_no: None,
                    },
                );
            }
        }

        let mut outcome = None;
        if let (
            Some(homeroom),
            Some(seat_no),
            Some(student_no),
            Some(name),
            Some(national_id),
            Some(hash),
            Some(birth_date),
            Ok(email),
            Ok(phone),
        ) = (
            homeroom,
            seat_no,
            student_no,
            name,
            national_id,
            hash,
            birth_date,
            email,
            phone,
        ) {
            let birth_date = birth_date.to_string();
            let (email, phone, account_changed, identity_changed, membership_changed) = match stored
            {
                Some(stored) => {
                    let email = keep_or_replace(email, &stored.email);
                    let phone = keep_or_replace(phone, &stored.phone);
                    let account_changed =
                        stored.name != name || stored.email != email || stored.phone != phone;
                    let identity_changed = stored.national_id_hash.as_deref()
                        != Some(hash.as_str())
                        || stored.birth_date.as_deref() != Some(birth_date.as_str());
                    let membership_changed =
                        stored.homeroom != Some(homeroom.id) || stored.seat_no != Some(seat_no);
                    (
                        email,
                        phone,
                        account_changed,
                        identity_changed,
                        membership_changed,
                    )
                }
                None => (email, phone, true, true, true),
            };
            let change = change_of(
                stored.is_some(),
                account_changed || identity_changed || membership_changed,
            );
            let write = (change != RowChange::Unchanged).then(|| StudentWrite {
                existing: stored.map(|stored| stored.user),
                student_no: student_no.to_owned(),
                name: name.to_owned(),
                email,
                phone,
                national_id,
                national_id_hash: hash,
                birth_date,
                homeroom: homeroom.id,
                seat_no,
                account_changed,
                identity_changed,
                membership_changed,
            });
            outcome = Some((change, write));
        }
        checked.push(Checked::new(row, ImportKind::Students, outcome));
    }
    checked
}

fn check_courses<'a>(
    rows: impl Iterator<Item = Row<'a>>,
    courses: &[StoredCourse],
    staff: &[StoredStaff],
) -> Vec<Checked<CourseWrite>> {
    let by_identity: HashMap<(&str, &str), &StoredCourse> = courses
        .iter()
        .map(|course| {
            (
                (course.subject.as_str(), course.group_name.as_str()),
                course,
            )
        })
        .collect();
    let staff_by_number: HashMap<&str, &StoredStaff> = staff
        .iter()
        .map(|member| (member.staff_no.as_str(), member))
        .collect();
    let mut first_lines = FirstLines::new();
    let mut checked = Vec::new();
    for mut row in rows {
        let subject = row.name(ImportField::Subject);
        let group = row.name(ImportField::Group);
        if let (Some(subject), Some(group)) = (subject, group)
            && let Some(first_line) =
                first_lines.repeat_of((subject.to_owned(), group.to_owned()), row.line)
        {
            row.flag(
                ImportField::Subject,
                ImportProblem::CourseRepeated { first_line },
            );
        }
        let credits = row.required(ImportField::Credits).and_then(|text| {
            let credits = parse_whole_number(text).filter(|credits| (0..=30).contains(credits));
            if credits.is_none() {
                row.flag(ImportField::Credits, ImportProblem::Credits);
            }
            credits
        });
        let teacher = row.required(ImportField::Teacher).and_then(|number| {
            let found = staff_by_number.get(number).copied();
            if found.is_none() {
                row.flag(ImportField::Teacher, ImportProblem::UnknownStaff);
            }
            found
        });
        let mut outcome = None;
        if let (Some(subject), Some(group), Some(credits), Some(teacher)) =
            (subject, group, credits, teacher)
        {
            let stored = by_identity.get(&(subject, group)).copied();
            let teacher_lacks_role = !teacher.roles.contains(&Role::Teacher);
            let changed = stored
                .is_none_or(|stored| stored.credits != credits || stored.teacher != teacher.user)
                || teacher_lacks_role;
            let change = change_of(stored.is_some(), changed);
            let write = (change != RowChange::Unchanged).then(|| CourseWrite {
                existing: stored.map(|stored| stored.id),
                subject: subject.to_owned(),
                group_name: group.to_owned(),
                credits,
                teacher: teacher.user,
                teacher_lacks_role,
            });
            outcome = Some((change, write));
        }
        checked.push(Checked::new(row, ImportKind::Courses, outcome));
    }
    checked
}

fn check_enrolments<'a>(
    context: &Context<'_>,
    rows: impl Iterator<Item = Row<'a>>,
    courses: &[StoredCourse],
    students: &[StoredStudent],
    enrolled: &HashSet<(CourseId, UserId)>,
) -> Vec<Checked<EnrolmentWrite>> {
    let by_identity: HashMap<(&str, &str), &StoredCourse> = courses
        .iter()
        .map(|course| {
            (
                (course.subject.as_str(), course.group_name.as_str()),
                course,
            )
        })
        .collect();
    let student_by_number: HashMap<&str, &StoredStudent> = students
        .iter()
        .map(|student| (student.student_no.as_str(), student))
        .collect();
    let mut first_lines = FirstLines::new();
    let mut checked = Vec::new();
    for mut row in rows {
        let student = row.required(ImportField::StudentNo).and_then(|number| {
            let found = student_by_number.get(number).copied();
            if found.is_none() {
                row.flag(ImportField::StudentNo, ImportProblem::UnknownStudent);
            }
            found
        });
        let subject = row.required(ImportField::Subject);
        let group = row.required(ImportField::Group);
        let course = match (subject, group) {
            (Some(subject), Some(group)) => {
                let found = by_identity.get(&(subject, group)).copied();
                if found.is_none() {
                    row.flag(
                        ImportField::Subject,
                        ImportProblem::UnknownCourse {
                            semester: context.semester,
                        },
                    );
                }
                found
            }
            _ => None,
        };
        let mut outcome = None;
        if let (Some(student), Some(course)) = (student, course) {
            if let Some(first_line) = first_lines.repeat_of((course.id, student.user), row.line) {
                row.flag(
                    ImportField::StudentNo,
                    ImportProblem::EnrolmentRepeated { first_line },
                );
            }
            let exists = enrolled.contains(&(course.id, student.user));
            let change = if exists {
                RowChange::Unchanged
            } else {
                RowChange::Insert
            };
            let write = (!exists).then_some(EnrolmentWrite {
                course: course.id,
                student: student.user,
            });
            outcome = Some((change, write));
        }
        checked.push(Checked::new(row, ImportKind::Enrolments, outcome));
    }
    checked
}
