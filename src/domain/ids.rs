//! Database ids as distinct types, so a course id cannot be passed where an outcome id is meant.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map($name)
            }
        }
    };
}

id_type!(
    /// A school, the tenant that owns every other row.
    SchoolId
);
id_type!(
    /// A login account: a student or a staff member.
    UserId
);
id_type!(
    /// A semester of one school (學年度 + 學期).
    SemesterId
);
id_type!(
    /// A homeroom class (班級) of one school year.
    HomeroomId
);
id_type!(
    /// A subject (科目), such as 數學A.
    SubjectId
);
id_type!(
    /// A course: one subject taught to a group of students by a teacher in a semester.
    CourseId
);
id_type!(
    /// A course outcome (課程學習成果).
    OutcomeId
);
id_type!(
    /// One round of certification of an outcome, from 送出認證 to 發佈.
    ReviewId
);
id_type!(
    /// An uploaded file as its uploader sent it; the bytes live in the content-addressed store.
    FileId
);
id_type!(
    /// A notification shown in the red bubble.
    NotificationId
);
