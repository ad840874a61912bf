//! What a notification (the red bubble) can be about.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NotificationKind {
    /// A certifier published the decision on one of the student's outcomes.
    OutcomePublished,
}

impl NotificationKind {
    /// Returns the value stored in `notifications.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::OutcomePublished => "outcome_published",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "outcome_published" => Some(NotificationKind::OutcomePublished),
            _ => None,
        }
    }
}
