//! Reads an [`AppError`] back from the JSON that its derived `Serialize` writes.
//!
//! The browser reads every server-function error and every page's `Result<_, AppError>`.
//! A derived `Deserialize` compiles one decoder for each struct variant, which made the error
//! the largest single part of the browser's main bundle. This decoder reads the JSON into a
//! `serde_json::Value` and picks the fields out by hand, so the bundle contains one small
//! function. The JSON is unchanged: `{"WindowClosed":{"kind":"Selection","closed_at":…}}`.

use std::fmt::Debug;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::calendar::{SchoolYear, Semester, SemesterCode, UtcMillis};
use super::delegation::DelegationProblem;
use super::error::{AppError, Resource};
use super::files::{FileKind, FileProblem, FileSlot};
use super::imports::ImportFileProblem;
use super::outcome::{OutcomeState, OutcomeStatus, Transition, TransitionError, Verdict};
use super::password::PasswordProblem;
use super::recovery::ContactProblem;
use super::role::Role;
use super::text::TextProblem;
use super::window::WindowKind;

impl<'de> Deserialize<'de> for AppError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        app_error(&value).ok_or_else(|| D::Error::custom(format!("invalid error response {value}")))
    }
}

/// Splits an externally tagged enum value into its variant name and its content: a unit
/// variant is a bare string, any other an object with one key.
fn tagged(value: &Value) -> Option<(&str, &Value)> {
    match value {
        Value::String(name) => Some((name, &Value::Null)),
        Value::Object(map) if map.len() == 1 => map.iter().next().map(|(k, v)| (k.as_str(), v)),
        _ => None,
    }
}

/// The named fields of a struct variant.
struct Fields<'a>(&'a Map<String, Value>);

impl<'a> Fields<'a> {
    fn of(value: &'a Value) -> Option<Self> {
        value.as_object().map(Fields)
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name)
    }

    fn text(&self, name: &str) -> Option<String> {
        self.get(name)?.as_str().map(str::to_owned)
    }

    fn optional_text(&self, name: &str) -> Option<Option<String>> {
        match self.get(name) {
            None | Some(Value::Null) => Some(None),
            Some(value) => value.as_str().map(|text| Some(text.to_owned())),
        }
    }

    fn number<T: TryFrom<i64>>(&self, name: &str) -> Option<T> {
        number(self.get(name)?)
    }

    fn millis(&self, name: &str) -> Option<UtcMillis> {
        self.number(name).map(UtcMillis)
    }

    fn optional_millis(&self, name: &str) -> Option<Option<UtcMillis>> {
        match self.get(name) {
            None | Some(Value::Null) => Some(None),
            Some(value) => number(value).map(|millis| Some(UtcMillis(millis))),
        }
    }

    fn unit<T: Copy + Debug>(&self, name: &str, all: &[T]) -> Option<T> {
        unit(self.get(name)?, all)
    }
}

fn number<T: TryFrom<i64>>(value: &Value) -> Option<T> {
    value.as_i64().and_then(|number| T::try_from(number).ok())
}

/// Reads a unit variant, whose JSON is its name: the same text as its `Debug` form.
fn unit<T: Copy + Debug>(value: &Value, all: &[T]) -> Option<T> {
    let name = value.as_str()?;
    all.iter()
        .copied()
        .find(|candidate| format!("{candidate:?}") == name)
}

fn app_error(value: &Value) -> Option<AppError> {
    let (name, content) = tagged(value)?;
    let fields = || Fields::of(content);
    Some(match name {
        "Unauthenticated" => AppError::Unauthenticated,
        "Forbidden" => AppError::Forbidden,
        "RoleNotActive" => AppError::RoleNotActive {
            role: fields()?.unit("role", &Role::ALL)?,
        },
        "NotFound" => AppError::NotFound(unit(content, &Resource::ALL)?),
        "InvalidCredentials" => AppError::InvalidCredentials,
        "LoginThrottled" => AppError::LoginThrottled {
            retry_at: fields()?.millis("retry_at")?,
        },
        "PasswordChangeRequired" => AppError::PasswordChangeRequired,
        "InitialPasswordExpired" => AppError::InitialPasswordExpired,
        "Password" => AppError::Password(password_problem(content)?),
        "CurrentPasswordWrong" => AppError::CurrentPasswordWrong,
        "InvalidLoginPrefix" => AppError::InvalidLoginPrefix {
            prefix: fields()?.text("prefix")?,
        },
        "InvalidCredentialDays" => AppError::InvalidCredentialDays {
            days: fields()?.number("days")?,
        },
        "LoginTaken" => AppError::LoginTaken {
            student_no: fields()?.text("student_no")?,
        },
        "RecoveryContact" => AppError::RecoveryContact(contact_problem(content)?),
        "RecoveryLinkInvalid" => AppError::RecoveryLinkInvalid,
        "RecoveryCodeWrong" => AppError::RecoveryCodeWrong,
        "RecoveryThrottled" => AppError::RecoveryThrottled {
            retry_at: fields()?.millis("retry_at")?,
        },
        "SchoolCodeMissing" => AppError::SchoolCodeMissing,
        "SchoolCodeUnknown" => AppError::SchoolCodeUnknown {
            code: fields()?.text("code")?,
        },
        "LoginMissing" => AppError::LoginMissing,
        "CourseMissing" => AppError::CourseMissing,
        "Summary" => AppError::Summary(text_problem(content)?),
        "FailReason" => AppError::FailReason(text_problem(content)?),
        "File" => AppError::File(file_problem(content)?),
        "NoFile" => AppError::NoFile,
        "NotEnrolled" => AppError::NotEnrolled,
        "UploadLimitReached" => AppError::UploadLimitReached {
            max: fields()?.number("max")?,
        },
        "WindowClosed" => {
            let fields = fields()?;
            AppError::WindowClosed {
                kind: fields.unit("kind", &WindowKind::ALL)?,
                closed_at: fields.millis("closed_at")?,
            }
        }
        "WindowNotOpen" => {
            let fields = fields()?;
            AppError::WindowNotOpen {
                kind: fields.unit("kind", &WindowKind::ALL)?,
                opens_at: fields.optional_millis("opens_at")?,
            }
        }
        "NotSelectable" => AppError::NotSelectable,
        "SelectionLimitReached" => AppError::SelectionLimitReached {
            max: fields()?.number("max")?,
        },
        "SelectionSubmitted" => AppError::SelectionSubmitted,
        "SelectionStillOpen" => AppError::SelectionStillOpen {
            closes_at: fields()?.optional_millis("closes_at")?,
        },
        "StudentIdentityMissing" => AppError::StudentIdentityMissing {
            student_no: fields()?.text("student_no")?,
        },
        "StudentNotFound" => AppError::StudentNotFound {
            student_no: fields()?.text("student_no")?,
        },
        "InvalidDate" => {
            let fields = fields()?;
            AppError::InvalidDate {
                field: fields.text("field")?,
                value: fields.text("value")?,
            }
        }
        "InvalidNumber" => {
            let fields = fields()?;
            AppError::InvalidNumber {
                field: fields.text("field")?,
                value: fields.text("value")?,
                min: fields.number("min")?,
                max: fields.number("max")?,
            }
        }
        "SemesterExists" => AppError::SemesterExists {
            semester: semester_code(fields()?.get("semester")?)?,
        },
        "UnreadableFileName" => AppError::UnreadableFileName,
        "BackupRunning" => AppError::BackupRunning,
        "BackupUnavailable" => AppError::BackupUnavailable,
        "WindowReversed" => AppError::WindowReversed {
            field: fields()?.text("field")?,
        },
        "UnlockReason" => AppError::UnlockReason(text_problem(content)?),
        "ImportFile" => AppError::ImportFile(import_file_problem(content)?),
        "ImportHasProblems" => AppError::ImportHasProblems {
            count: fields()?.number("count")?,
        },
        "ImportChanged" => AppError::ImportChanged,
        "NoCurrentSemester" => AppError::NoCurrentSemester,
        "Delegation" => AppError::Delegation(delegation_problem(content)?),
        "Transition" => AppError::Transition(transition_error(content)?),
        "Conflict" => AppError::Conflict,
        "UploadAborted" => AppError::UploadAborted,
        "BadRequest" => AppError::BadRequest(content.as_str()?.to_owned()),
        "Internal" => AppError::Internal {
            correlation_id: fields()?.text("correlation_id")?,
        },
        "Network" => AppError::Network(content.as_str()?.to_owned()),
        _ => return None,
    })
}

fn text_problem(value: &Value) -> Option<TextProblem> {
    let (name, content) = tagged(value)?;
    Some(match name {
        "Missing" => TextProblem::Missing,
        "TooLong" => {
            let fields = Fields::of(content)?;
            TextProblem::TooLong {
                length: fields.number("length")?,
                max: fields.number("max")?,
            }
        }
        _ => return None,
    })
}

fn password_problem(value: &Value) -> Option<PasswordProblem> {
    let (name, content) = tagged(value)?;
    let length = || Fields::of(content)?.number("length");
    Some(match name {
        "TooShort" => PasswordProblem::TooShort { length: length()? },
        "TooLong" => PasswordProblem::TooLong { length: length()? },
        "Mismatch" => PasswordProblem::Mismatch,
        "Unchanged" => PasswordProblem::Unchanged,
        "ContainsLogin" => PasswordProblem::ContainsLogin,
        "ContainsStudentNumber" => PasswordProblem::ContainsStudentNumber,
        "ContainsNationalId" => PasswordProblem::ContainsNationalId,
        "ContainsBirthDate" => PasswordProblem::ContainsBirthDate,
        _ => return None,
    })
}

fn contact_problem(value: &Value) -> Option<ContactProblem> {
    let (name, content) = tagged(value)?;
    Some(match name {
        "Missing" => ContactProblem::Missing,
        "Unreadable" => ContactProblem::Unreadable {
            value: Fields::of(content)?.text("value")?,
        },
        _ => return None,
    })
}

fn file_problem(value: &Value) -> Option<FileProblem> {
    let (name, content) = tagged(value)?;
    let fields = Fields::of(content)?;
    let slot = fields.unit("slot", &FileSlot::ALL)?;
    let file_name = fields.text("file_name")?;
    Some(match name {
        "Empty" => FileProblem::Empty { slot, file_name },
        "TooLarge" => FileProblem::TooLarge {
            slot,
            file_name,
            size: fields.number("size")?,
            max_bytes: fields.number("max_bytes")?,
        },
        "TypeNotAllowed" => FileProblem::TypeNotAllowed {
            slot,
            file_name,
            detected: fields.optional_text("detected")?,
        },
        "WrongSlot" => FileProblem::WrongSlot {
            slot,
            file_name,
            kind: fields.unit("kind", &FileKind::ALL)?,
        },
        "Incomplete" => FileProblem::Incomplete {
            slot,
            file_name,
            kind: fields.unit("kind", &FileKind::ALL)?,
        },
        _ => return None,
    })
}

fn import_file_problem(value: &Value) -> Option<ImportFileProblem> {
    let (name, content) = tagged(value)?;
    let fields = || Fields::of(content);
    Some(match name {
        "Empty" => ImportFileProblem::Empty,
        "TooLarge" => ImportFileProblem::TooLarge {
            max_bytes: fields()?.number("max_bytes")?,
        },
        "TooManyRows" => ImportFileProblem::TooManyRows {
            max: fields()?.number("max")?,
        },
        "LegacyExcel" => ImportFileProblem::LegacyExcel,
        "Workbook" => ImportFileProblem::Workbook,
        "Encoding" => ImportFileProblem::Encoding,
        "Csv" => ImportFileProblem::Csv {
            line: fields()?.number("line")?,
        },
        _ => return None,
    })
}

fn delegation_problem(value: &Value) -> Option<DelegationProblem> {
    let (name, content) = tagged(value)?;
    let fields = || Fields::of(content);
    Some(match name {
        "DelegateMissing" => DelegationProblem::DelegateMissing,
        "UnknownPerson" => DelegationProblem::UnknownPerson {
            login: fields()?.text("login")?,
        },
        "IsStudent" => DelegationProblem::IsStudent {
            login: fields()?.text("login")?,
        },
        "NotTeacher" => DelegationProblem::NotTeacher {
            login: fields()?.text("login")?,
        },
        "SelfDelegation" => DelegationProblem::SelfDelegation,
        "EndsBeforeStarts" => DelegationProblem::EndsBeforeStarts,
        "EndsInPast" => DelegationProblem::EndsInPast,
        "Overlapping" => {
            let fields = fields()?;
            DelegationProblem::Overlapping {
                login: fields.text("login")?,
                name: fields.text("name")?,
                starts_on: fields.text("starts_on")?,
                ends_on: fields.text("ends_on")?,
            }
        }
        _ => return None,
    })
}

fn transition_error(value: &Value) -> Option<TransitionError> {
    let fields = Fields::of(value)?;
    let from = Fields::of(fields.get("from")?)?;
    let decision = match from.get("decision")? {
        Value::Null => None,
        verdict => Some(unit(verdict, &Verdict::ALL)?),
    };
    let (name, content) = tagged(fields.get("transition")?)?;
    let transition = match name {
        "Submit" => Transition::Submit,
        "Revise" => Transition::Revise,
        "Delete" => Transition::Delete,
        "Decide" => Transition::Decide(unit(content, &Verdict::ALL)?),
        "Publish" => Transition::Publish,
        _ => return None,
    };
    Some(TransitionError {
        from: OutcomeState::new(from.unit("status", &OutcomeStatus::ALL)?, decision),
        transition,
    })
}

fn semester_code(value: &Value) -> Option<SemesterCode> {
    let fields = Fields::of(value)?;
    let school_year = SchoolYear(fields.number("school_year")?);
    let semester = fields.unit("semester", &[Semester::First, Semester::Second])?;
    Some(SemesterCode::new(school_year, semester))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(error: AppError) {
        let json = serde_json::to_string(&error).unwrap();
        let read: AppError = serde_json::from_str(&json)
            .unwrap_or_else(|problem| panic!("{json} did not read back: {problem}"));
        assert_eq!(read, error, "{json}");
    }

    fn samples() -> Vec<AppError> {
        let slot = FileSlot::Media;
        let name = || "報告.pdf".to_owned();
        let text = |value: &str| value.to_owned();
        vec![
            AppError::Unauthenticated,
            AppError::Forbidden,
            AppError::RoleNotActive {
                role: Role::HomeroomTeacher,
            },
            AppError::NotFound(Resource::Notification),
            AppError::InvalidCredentials,
            AppError::LoginThrottled {
                retry_at: UtcMillis(1_733_000_000_123),
            },
            AppError::PasswordChangeRequired,
            AppError::InitialPasswordExpired,
            AppError::Password(PasswordProblem::TooShort { length: 3 }),
            AppError::Password(PasswordProblem::TooLong { length: 200 }),
            AppError::Password(PasswordProblem::Mismatch),
            AppError::Password(PasswordProblem::Unchanged),
            AppError::Password(PasswordProblem::ContainsLogin),
            AppError::Password(PasswordProblem::ContainsStudentNumber),
            AppError::Password(PasswordProblem::ContainsNationalId),
            AppError::Password(PasswordProblem::ContainsBirthDate),
            AppError::CurrentPasswordWrong,
            AppError::InvalidLoginPrefix { prefix: text("S!") },
            AppError::InvalidCredentialDays { days: -4 },
            AppError::LoginTaken {
                student_no: text("112001"),
            },
            AppError::RecoveryContact(ContactProblem::Missing),
            AppError::RecoveryContact(ContactProblem::Unreadable { value: text("09") }),
            AppError::RecoveryLinkInvalid,
            AppError::RecoveryCodeWrong,
            AppError::RecoveryThrottled {
                retry_at: UtcMillis(5),
            },
            AppError::SchoolCodeMissing,
            AppError::SchoolCodeUnknown { code: text("99") },
            AppError::LoginMissing,
            AppError::CourseMissing,
            AppError::Summary(TextProblem::Missing),
            AppError::FailReason(TextProblem::TooLong {
                length: 501,
                max: 500,
            }),
            AppError::File(FileProblem::Empty {
                slot,
                file_name: name(),
            }),
            AppError::File(FileProblem::TooLarge {
                slot,
                file_name: name(),
                size: 10_000_001,
                max_bytes: 10_000_000,
            }),
            AppError::File(FileProblem::TypeNotAllowed {
                slot,
                file_name: name(),
                detected: Some(text("heif")),
            }),
            AppError::File(FileProblem::TypeNotAllowed {
                slot: FileSlot::Document,
                file_name: name(),
                detected: None,
            }),
            AppError::File(FileProblem::WrongSlot {
                slot,
                file_name: name(),
                kind: FileKind::Png,
            }),
            AppError::File(FileProblem::Incomplete {
                slot,
                file_name: name(),
                kind: FileKind::Mp4,
            }),
            AppError::NoFile,
            AppError::NotEnrolled,
            AppError::UploadLimitReached { max: 12 },
            AppError::WindowClosed {
                kind: WindowKind::Teacher,
                closed_at: UtcMillis(-1),
            },
            AppError::WindowNotOpen {
                kind: WindowKind::Selection,
                opens_at: Some(UtcMillis(7)),
            },
            AppError::WindowNotOpen {
                kind: WindowKind::Student,
                opens_at: None,
            },
            AppError::NotSelectable,
            AppError::SelectionLimitReached { max: 6 },
            AppError::SelectionSubmitted,
            AppError::SelectionStillOpen {
                closes_at: Some(UtcMillis(8)),
            },
            AppError::SelectionStillOpen { closes_at: None },
            AppError::StudentIdentityMissing {
                student_no: text("112002"),
            },
            AppError::StudentNotFound {
                student_no: text("112003"),
            },
            AppError::InvalidDate {
                field: text("starts_on"),
                value: text("113/13/01"),
            },
            AppError::InvalidNumber {
                field: text("max"),
                value: text("七"),
                min: 1,
                max: 6,
            },
            AppError::SemesterExists {
                semester: SemesterCode::new(SchoolYear(114), Semester::Second),
            },
            AppError::UnreadableFileName,
            AppError::BackupRunning,
            AppError::BackupUnavailable,
            AppError::WindowReversed {
                field: text("selection"),
            },
            AppError::UnlockReason(TextProblem::Missing),
            AppError::ImportFile(ImportFileProblem::Empty),
            AppError::ImportFile(ImportFileProblem::TooLarge { max_bytes: 9 }),
            AppError::ImportFile(ImportFileProblem::TooManyRows { max: 5000 }),
            AppError::ImportFile(ImportFileProblem::LegacyExcel),
            AppError::ImportFile(ImportFileProblem::Workbook),
            AppError::ImportFile(ImportFileProblem::Encoding),
            AppError::ImportFile(ImportFileProblem::Csv { line: 17 }),
            AppError::ImportHasProblems { count: 3 },
            AppError::ImportChanged,
            AppError::NoCurrentSemester,
            AppError::Delegation(DelegationProblem::DelegateMissing),
            AppError::Delegation(DelegationProblem::UnknownPerson { login: text("t9") }),
            AppError::Delegation(DelegationProblem::IsStudent { login: text("s1") }),
            AppError::Delegation(DelegationProblem::NotTeacher { login: text("a1") }),
            AppError::Delegation(DelegationProblem::SelfDelegation),
            AppError::Delegation(DelegationProblem::EndsBeforeStarts),
            AppError::Delegation(DelegationProblem::EndsInPast),
            AppError::Delegation(DelegationProblem::Overlapping {
                login: text("t002"),
                name: text("王老師"),
                starts_on: text("114/09/01"),
                ends_on: text("114/09/30"),
            }),
            AppError::Transition(TransitionError {
                from: OutcomeState::new(OutcomeStatus::Pending, Some(Verdict::Failed)),
                transition: Transition::Decide(Verdict::Passed),
            }),
            AppError::Transition(TransitionError {
                from: OutcomeState::DRAFT,
                transition: Transition::Publish,
            }),
            AppError::Transition(TransitionError {
                from: OutcomeState::new(OutcomeStatus::Passed, None),
                transition: Transition::Submit,
            }),
            AppError::Transition(TransitionError {
                from: OutcomeState::new(OutcomeStatus::Failed, None),
                transition: Transition::Revise,
            }),
            AppError::Transition(TransitionError {
                from: OutcomeState::new(OutcomeStatus::Passed, None),
                transition: Transition::Delete,
            }),
            AppError::Conflict,
            AppError::UploadAborted,
            AppError::BadRequest(text("missing field `id`")),
            AppError::Internal {
                correlation_id: text("0a1b2c3d4e5f"),
            },
            AppError::Network(text("offline")),
        ]
    }

    #[test]
    fn app_error_reads_back_every_variant() {
        for error in samples() {
            round_trip(error);
        }
    }

    #[test]
    fn app_error_reads_every_unit_value() {
        for resource in Resource::ALL {
            round_trip(AppError::NotFound(resource));
        }
        for role in Role::ALL {
            round_trip(AppError::RoleNotActive { role });
        }
        for kind in FileKind::ALL {
            round_trip(AppError::File(FileProblem::WrongSlot {
                slot: FileSlot::Document,
                file_name: String::new(),
                kind,
            }));
        }
    }

    #[test]
    fn app_error_rejects_unknown_variant() {
        let problem = serde_json::from_str::<AppError>(r#"{"Gone":{}}"#).unwrap_err();
        assert!(
            problem.to_string().contains("invalid error response"),
            "{problem}"
        );
        assert!(serde_json::from_str::<AppError>(r#"{"NotFound":"Nothing"}"#).is_err());
        assert!(serde_json::from_str::<AppError>(r#"{"UploadLimitReached":{"max":-1}}"#).is_err());
    }
}
