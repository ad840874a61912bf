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
}
