//! The roles a person can hold at a school. One person may hold several.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// 學生
    Student,
    /// 任課教師
    Teacher,
    /// 導師
    HomeroomTeacher,
    /// 課程諮詢教師
    Counsellor,
    /// 提交名冊人員
    SubmissionStaff,
    /// 管理者 (教務處 / 資訊組)
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Student,
        Role::Teacher,
        Role::HomeroomTeacher,
        Role::Counsellor,
        Role::SubmissionStaff,
        Role::Admin,
    ];

    /// Returns the value stored in `user_roles.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Teacher => "teacher",
            Role::HomeroomTeacher => "homeroom_teacher",
            Role::Counsellor => "counsellor",
            Role::SubmissionStaff => "submission_staff",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// Returns the role a session acts in until the user picks another: the first held role in
    /// [`Role::PRECEDENCE`], or `None` for a user without roles.
    pub fn default_of(held: &[Role]) -> Option<Role> {
        Role::PRECEDENCE
            .into_iter()
            .find(|role| held.contains(role))
    }

    /// The order of [`Role::default_of`]: the roles with the most daily work first.
    pub const PRECEDENCE: [Role; 6] = [
        Role::Student,
        Role::Teacher,
        Role::Admin,
        Role::SubmissionStaff,
        Role::HomeroomTeacher,
        Role::Counsellor,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_round_trips_through_text() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("principal"), None);
    }

    #[test]
    fn default_role_prefers_daily_work() {
        assert_eq!(
            Role::default_of(&[Role::HomeroomTeacher, Role::Teacher]),
            Some(Role::Teacher)
        );
        assert_eq!(
            Role::default_of(&[Role::SubmissionStaff, Role::Admin]),
            Some(Role::Admin)
        );
        assert_eq!(
            Role::default_of(&[Role::HomeroomTeacher]),
            Some(Role::HomeroomTeacher)
        );
        assert_eq!(Role::default_of(&[]), None);
    }

    #[test]
    fn precedence_lists_every_role_once() {
        let mut listed = Role::PRECEDENCE.to_vec();
        listed.sort();
        let mut all = Role::ALL.to_vec();
        all.sort();
        assert_eq!(listed, all);
    }
}
