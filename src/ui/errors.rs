//! The words for every `AppError`: what went wrong, on which value, and what to do next.

use crate::domain::AppError;
use crate::domain::delegation::DelegationProblem;
use crate::domain::error::Resource;
use crate::domain::files::{FileKind, FileProblem, FileSlot, format_size};
use crate::domain::imports::ImportFileProblem;
use crate::domain::outcome::{OutcomeStatus, Transition, TransitionError};
use crate::domain::password::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, PasswordProblem};
use crate::domain::recovery::ContactProblem;
use crate::domain::text::TextProblem;
use crate::domain::window::WindowKind;
use crate::i18n::*;

/// Returns the message for an error in `locale`.
pub fn error_message(locale: Locale, error: &AppError) -> String {
    match error {
        AppError::Unauthenticated => td_string!(locale, errors.unauthenticated).to_string(),
        AppError::Forbidden => td_string!(locale, errors.forbidden).to_string(),
        AppError::RoleNotActive { role } => td_string!(
            locale,
            errors.role_not_active,
            role = super::nav::role_name(locale, *role)
        )
        .to_string(),
        AppError::NotFound(resource) => match resource {
            Resource::Outcome => td_string!(locale, errors.outcome_not_found).to_string(),
            Resource::Account => td_string!(locale, errors.account_not_found).to_string(),
            Resource::Homeroom => td_string!(locale, errors.homeroom_not_found).to_string(),
            Resource::Delegation => td_string!(locale, errors.delegation_not_found).to_string(),
            Resource::Student => td_string!(locale, errors.student_not_in_homeroom).to_string(),
            Resource::Course => td_string!(locale, errors.course_not_found).to_string(),
            Resource::File => td_string!(locale, errors.file_not_found).to_string(),
            Resource::Notification | Resource::Page => {
                td_string!(locale, errors.page_not_found).to_string()
            }
        },
        AppError::InvalidCredentials => td_string!(locale, errors.invalid_credentials).to_string(),
        AppError::LoginMissing => td_string!(locale, errors.login_missing).to_string(),
        AppError::PasswordChangeRequired => {
            td_string!(locale, errors.password_change_required).to_string()
        }
        AppError::InitialPasswordExpired => {
            td_string!(locale, errors.initial_password_expired).to_string()
        }
        AppError::CurrentPasswordWrong => {
            td_string!(locale, errors.current_password_wrong).to_string()
        }
        AppError::Password(problem) => password_message(locale, *problem),
        AppError::InvalidLoginPrefix { prefix } => {
            td_string!(locale, errors.invalid_login_prefix, prefix = prefix.clone()).to_string()
        }
        AppError::InvalidCredentialDays { days } => {
            td_string!(locale, errors.invalid_credential_days, days = *days).to_string()
        }
        AppError::LoginTaken { student_no } => {
            td_string!(locale, errors.login_taken, student_no = student_no.clone()).to_string()
        }
        AppError::LoginThrottled { retry_at } => td_string!(
            locale,
            errors.login_throttled,
            at = retry_at.to_roc_datetime()
        )
        .to_string(),
        AppError::RecoveryContact(ContactProblem::Missing) => {
            td_string!(locale, errors.recovery_contact_missing).to_string()
        }
        AppError::RecoveryContact(ContactProblem::Unreadable { value }) => td_string!(
            locale,
            errors.recovery_contact_unreadable,
            value = value.clone()
        )
        .to_string(),
        AppError::RecoveryLinkInvalid => {
            td_string!(locale, errors.recovery_link_invalid).to_string()
        }
        AppError::RecoveryCodeWrong => td_string!(locale, errors.recovery_code_wrong).to_string(),
        AppError::RecoveryThrottled { retry_at } => td_string!(
            locale,
            errors.recovery_throttled,
            at = retry_at.to_roc_datetime()
        )
        .to_string(),
        AppError::SchoolCodeMissing => td_string!(locale, errors.school_code_missing).to_string(),
        AppError::SchoolCodeUnknown { code } => {
            td_string!(locale, errors.school_code_unknown, code = code.clone()).to_string()
        }
        AppError::CourseMissing => td_string!(locale, errors.course_missing).to_string(),
        AppError::Summary(TextProblem::Missing) => {
            td_string!(locale, errors.summary_missing).to_string()
        }
        AppError::Summary(TextProblem::TooLong { length, max }) => td_string!(
            locale,
            errors.summary_too_long,
            length = *length,
            max = *max,
            over = length - max
        )
        .to_string(),
        AppError::FailReason(TextProblem::Missing) => {
            td_string!(locale, errors.reason_missing).to_string()
        }
        AppError::FailReason(TextProblem::TooLong { length, max }) => {
            td_string!(locale, errors.reason_too_long, length = *length, max = *max).to_string()
        }
        AppError::File(problem) => file_problem_message(locale, problem),
        AppError::NoFile => td_string!(locale, errors.no_file).to_string(),
        AppError::NotEnrolled => td_string!(locale, errors.not_enrolled).to_string(),
        AppError::UploadLimitReached { max } => {
            td_string!(locale, errors.upload_limit, max = *max).to_string()
        }
        AppError::Transition(error) => transition_message(locale, error),
        AppError::WindowClosed { kind, closed_at } => {
            let at = closed_at.to_roc_datetime();
            match kind {
                WindowKind::Student => {
                    td_string!(locale, errors.student_window_closed, at = at).to_string()
                }
                WindowKind::Teacher => {
                    td_string!(locale, errors.teacher_window_closed, at = at).to_string()
                }
                WindowKind::Selection => {
                    td_string!(locale, errors.selection_window_closed, at = at).to_string()
                }
            }
        }
        AppError::WindowNotOpen {
            kind,
            opens_at: Some(opens_at),
        } => {
            let at = opens_at.to_roc_datetime();
            match kind {
                WindowKind::Selection => {
                    td_string!(locale, errors.selection_window_not_open, at = at).to_string()
                }
                _ => td_string!(locale, errors.window_not_open, at = at).to_string(),
            }
        }
        AppError::WindowNotOpen { opens_at: None, .. } => {
            td_string!(locale, errors.window_not_announced).to_string()
        }
        AppError::NotSelectable => td_string!(locale, errors.not_selectable).to_string(),
        AppError::SelectionLimitReached { max } => {
            td_string!(locale, errors.selection_limit, max = *max).to_string()
        }
        AppError::SelectionSubmitted => td_string!(locale, errors.selection_submitted).to_string(),
        AppError::SelectionStillOpen {
            closes_at: Some(at),
        } => td_string!(
            locale,
            errors.selection_still_open,
            at = at.to_roc_datetime()
        )
        .to_string(),
        AppError::SelectionStillOpen { closes_at: None } => {
            td_string!(locale, errors.selection_never_closes).to_string()
        }
        AppError::StudentIdentityMissing { student_no } => td_string!(
            locale,
            errors.student_identity_missing,
            student_no = student_no
        )
        .to_string(),
        AppError::StudentNotFound { student_no } => {
            td_string!(locale, errors.student_not_found, student_no = student_no).to_string()
        }
        AppError::InvalidDate { field, value } => {
            td_string!(locale, errors.invalid_date, field = field, value = value).to_string()
        }
        AppError::InvalidNumber {
            field,
            value,
            min,
            max,
        } => td_string!(
            locale,
            errors.invalid_number,
            field = field,
            value = value,
            min = *min,
            max = *max
        )
        .to_string(),
        AppError::UnreadableFileName => td_string!(locale, errors.unreadable_file_name).to_string(),
        AppError::BackupRunning => td_string!(locale, errors.backup_running).to_string(),
        AppError::BackupUnavailable => td_string!(locale, errors.backup_unavailable).to_string(),
        AppError::SemesterExists { semester } => td_string!(
            locale,
            errors.semester_exists,
            semester = crate::ui::format::semester_label(locale, *semester)
        )
        .to_string(),
        AppError::WindowReversed { field } => {
            td_string!(locale, errors.window_reversed, field = field).to_string()
        }
        AppError::UnlockReason(TextProblem::Missing) => {
            td_string!(locale, errors.unlock_reason_missing).to_string()
        }
        AppError::UnlockReason(TextProblem::TooLong { length, max }) => {
            td_string!(locale, errors.reason_too_long, length = *length, max = *max).to_string()
        }
        AppError::ImportFile(problem) => import_file_message(locale, problem),
        AppError::ImportHasProblems { count } => {
            td_string!(locale, errors.import_has_problems, count = *count).to_string()
        }
        AppError::ImportChanged => td_string!(locale, errors.import_changed).to_string(),
        AppError::NoCurrentSemester => td_string!(locale, errors.no_current_semester).to_string(),
        AppError::Delegation(problem) => delegation_message(locale, problem),
        AppError::Conflict => td_string!(locale, errors.conflict).to_string(),
        AppError::UploadAborted => td_string!(locale, errors.upload_aborted).to_string(),
        AppError::BadRequest(detail) => {
            td_string!(locale, errors.bad_request, detail = detail).to_string()
        }
        AppError::Internal { correlation_id } => {
            td_string!(locale, errors.internal, id = correlation_id).to_string()
        }
        AppError::Network(_) => td_string!(locale, errors.network).to_string(),
    }
}

fn delegation_message(locale: Locale, problem: &DelegationProblem) -> String {
    match problem {
        DelegationProblem::DelegateMissing => {
            td_string!(locale, errors.delegate_missing).to_string()
        }
        DelegationProblem::UnknownPerson { login } => {
            td_string!(locale, errors.delegate_unknown, login = login).to_string()
        }
        DelegationProblem::IsStudent { login } => {
            td_string!(locale, errors.delegate_student, login = login).to_string()
        }
        DelegationProblem::NotTeacher { login } => {
            td_string!(locale, errors.delegate_not_teacher, login = login).to_string()
        }
        DelegationProblem::SelfDelegation => td_string!(locale, errors.delegate_self).to_string(),
        DelegationProblem::EndsBeforeStarts => {
            td_string!(locale, errors.delegate_reversed).to_string()
        }
        DelegationProblem::EndsInPast => td_string!(locale, errors.delegate_past).to_string(),
        DelegationProblem::Overlapping {
            login,
            name,
            starts_on,
            ends_on,
        } => td_string!(
            locale,
            errors.delegate_overlap,
            name = name,
            login = login,
            from = starts_on,
            to = ends_on
        )
        .to_string(),
    }
}

fn import_file_message(locale: Locale, problem: &ImportFileProblem) -> String {
    match problem {
        ImportFileProblem::Empty => td_string!(locale, errors.import_empty).to_string(),
        ImportFileProblem::TooLarge { max_bytes } => td_string!(
            locale,
            errors.import_too_large,
            max = format_size(*max_bytes)
        )
        .to_string(),
        ImportFileProblem::TooManyRows { max } => {
            td_string!(locale, errors.import_too_many_rows, max = *max).to_string()
        }
        ImportFileProblem::LegacyExcel => {
            td_string!(locale, errors.import_legacy_excel).to_string()
        }
        ImportFileProblem::Workbook => td_string!(locale, errors.import_workbook).to_string(),
        ImportFileProblem::Encoding => td_string!(locale, errors.import_encoding).to_string(),
        ImportFileProblem::Csv { line } => {
            td_string!(locale, errors.import_csv, line = *line).to_string()
        }
    }
}

fn slot_name(locale: Locale, slot: FileSlot) -> String {
    match slot {
        FileSlot::Document => td_string!(locale, files.document).to_string(),
        FileSlot::Media => td_string!(locale, files.media).to_string(),
    }
}

fn accepted_list(locale: Locale, slot: FileSlot) -> String {
    let separator = match locale {
        Locale::zh_TW => "、",
        Locale::en => ", ",
    };
    slot.accepted_kinds()
        .iter()
        .map(|kind| kind.label())
        .collect::<Vec<_>>()
        .join(separator)
}

/// Returns the message for a refused file, which names the file and the fix.
pub fn file_problem_message(locale: Locale, problem: &FileProblem) -> String {
    match problem {
        FileProblem::Empty { file_name, .. } => {
            td_string!(locale, errors.file_empty, name = file_name).to_string()
        }
        // The size is left out: a server that stops reading at the limit does not know it.
        FileProblem::TooLarge {
            slot,
            file_name,
            max_bytes,
            ..
        } => td_string!(
            locale,
            errors.file_too_large,
            name = file_name,
            slot = slot_name(locale, *slot),
            max = format_size(*max_bytes)
        )
        .to_string(),
        FileProblem::TypeNotAllowed {
            slot,
            file_name,
            detected,
        } => match detected {
            Some(detected) => td_string!(
                locale,
                errors.file_type_detected,
                name = file_name,
                detected = detected.to_uppercase(),
                allowed = accepted_list(locale, *slot)
            )
            .to_string(),
            None => td_string!(
                locale,
                errors.file_type_unknown,
                name = file_name,
                allowed = accepted_list(locale, *slot)
            )
            .to_string(),
        },
        FileProblem::WrongSlot {
            slot,
            file_name,
            kind,
        } => {
            let other = match slot {
                FileSlot::Document => FileSlot::Media,
                FileSlot::Media => FileSlot::Document,
            };
            td_string!(
                locale,
                errors.file_wrong_slot,
                name = file_name,
                kind = kind_label(*kind),
                slot = slot_name(locale, *slot),
                other = slot_name(locale, other)
            )
            .to_string()
        }
        FileProblem::Incomplete {
            file_name, kind, ..
        } => td_string!(
            locale,
            errors.file_incomplete,
            name = file_name,
            kind = kind_label(*kind)
        )
        .to_string(),
    }
}

fn kind_label(kind: FileKind) -> &'static str {
    kind.label()
}

fn transition_message(locale: Locale, error: &TransitionError) -> String {
    use OutcomeStatus::*;
    match (error.from.status, error.transition) {
        (Pending, Transition::Submit) => td_string!(locale, errors.already_submitted).to_string(),
        (Passed, Transition::Submit) => td_string!(locale, errors.already_passed).to_string(),
        (Pending, Transition::Revise | Transition::Delete) => {
            td_string!(locale, errors.locked_while_pending).to_string()
        }
        (Passed, Transition::Revise | Transition::Delete) => {
            td_string!(locale, errors.locked_when_passed).to_string()
        }
        (Passed | Failed, Transition::Decide(_)) => {
            td_string!(locale, errors.already_published).to_string()
        }
        (Passed | Failed, Transition::Publish) => {
            td_string!(locale, errors.already_published).to_string()
        }
        (Pending, Transition::Publish) => td_string!(locale, errors.publish_undecided).to_string(),
        (Draft, _) => td_string!(locale, errors.not_submitted).to_string(),
        _ => td_string!(locale, errors.transition_refused).to_string(),
    }
}

fn password_message(locale: Locale, problem: PasswordProblem) -> String {
    match problem {
        PasswordProblem::TooShort { length } => td_string!(
            locale,
            errors.password_too_short,
            length = length,
            min = MIN_PASSWORD_CHARS
        )
        .to_string(),
        PasswordProblem::TooLong { length } => td_string!(
            locale,
            errors.password_too_long,
            length = length,
            max = MAX_PASSWORD_CHARS
        )
        .to_string(),
        PasswordProblem::Mismatch => td_string!(locale, errors.password_mismatch).to_string(),
        PasswordProblem::Unchanged => td_string!(locale, errors.password_unchanged).to_string(),
        PasswordProblem::ContainsLogin => {
            td_string!(locale, errors.password_contains_login).to_string()
        }
        PasswordProblem::ContainsStudentNumber => {
            td_string!(locale, errors.password_contains_student_number).to_string()
        }
        PasswordProblem::ContainsNationalId => {
            td_string!(locale, errors.password_contains_national_id).to_string()
        }
        PasswordProblem::ContainsBirthDate => {
            td_string!(locale, errors.password_contains_birth_date).to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::outcome::{OutcomeState, Verdict};

    #[test]
    fn summary_too_long_names_the_counts() {
        let message = error_message(
            Locale::zh_TW,
            &AppError::Summary(TextProblem::TooLong {
                length: 101,
                max: 100,
            }),
        );
        assert!(message.contains("101"), "{message}");
        assert!(message.contains("100"), "{message}");
    }

    #[test]
    fn file_messages_name_the_file() {
        let problems = [
            FileProblem::Empty {
                slot: FileSlot::Document,
                file_name: "空白.pdf".into(),
            },
            FileProblem::TooLarge {
                slot: FileSlot::Document,
                file_name: "大檔.pdf".into(),
                size: 5 << 20,
                max_bytes: 4 << 20,
            },
            FileProblem::TypeNotAllowed {
                slot: FileSlot::Document,
                file_name: "病毒.pdf".into(),
                detected: Some("exe".into()),
            },
            FileProblem::TypeNotAllowed {
                slot: FileSlot::Media,
                file_name: "x.mp3".into(),
                detected: None,
            },
            FileProblem::WrongSlot {
                slot: FileSlot::Media,
                file_name: "r.pdf".into(),
                kind: FileKind::Pdf,
            },
            FileProblem::Incomplete {
                slot: FileSlot::Document,
                file_name: "半.pdf".into(),
                kind: FileKind::Pdf,
            },
        ];
        for problem in problems {
            let name = match &problem {
                FileProblem::Empty { file_name, .. }
                | FileProblem::TooLarge { file_name, .. }
                | FileProblem::TypeNotAllowed { file_name, .. }
                | FileProblem::WrongSlot { file_name, .. }
                | FileProblem::Incomplete { file_name, .. } => file_name.clone(),
            };
            for locale in [Locale::zh_TW, Locale::en] {
                let message = file_problem_message(locale, &problem);
                assert!(message.contains(&name), "{locale:?}: {message}");
            }
        }
    }

    #[test]
    fn too_large_message_names_the_limit() {
        let problem = FileProblem::TooLarge {
            slot: FileSlot::Media,
            file_name: "v.mp4".into(),
            size: 11 << 20,
            max_bytes: 10 << 20,
        };
        let message = file_problem_message(Locale::zh_TW, &problem);
        assert!(message.contains("10 MB"), "{message}");
    }

    #[test]
    fn transition_messages_are_specific() {
        let pending = OutcomeState::new(OutcomeStatus::Pending, None);
        let submit_twice = TransitionError {
            from: pending,
            transition: Transition::Submit,
        };
        let delete_pending = TransitionError {
            from: pending,
            transition: Transition::Delete,
        };
        let decide_published = TransitionError {
            from: OutcomeState::new(OutcomeStatus::Passed, None),
            transition: Transition::Decide(Verdict::Failed),
        };
        let messages: Vec<String> = [submit_twice, delete_pending, decide_published]
            .iter()
            .map(|error| transition_message(Locale::zh_TW, error))
            .collect();
        assert_ne!(messages[0], messages[1]);
        assert_ne!(messages[1], messages[2]);
    }

    #[test]
    fn internal_error_shows_correlation_id() {
        let message = error_message(
            Locale::zh_TW,
            &AppError::Internal {
                correlation_id: "a1b2c3".into(),
            },
        );
        assert!(message.contains("a1b2c3"), "{message}");
    }
}
