//! The life of a course outcome (課程學習成果) and what each party may see of it.
//!
//! ```text
//! 草稿 Draft ──送出認證──▶ 待認證 Pending ──發佈──▶ 通過 Passed (frozen)
//!    ▲  │                    │  ▲ teacher sets or changes      └▶ 不通過 Failed
//!    │  └─ revise / delete   │  │ 通過 / 不通過 while unpublished      │
//!    └───────── revise ─────────────────────────────────────────────┘ (or submit again, delete)
//! ```

use serde::{Deserialize, Serialize};

use super::calendar::SemesterCode;

/// The stored status of an outcome. A decision made but not yet published leaves it `Pending`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OutcomeStatus {
    /// 草稿: uploaded but not submitted; the teacher cannot see it.
    Draft,
    /// 待認證: submitted, and either undecided or decided but not published.
    Pending,
    /// 通過: published as passed; the file is frozen and the outcome may be ticked.
    Passed,
    /// 不通過: published as failed; the student may revise, submit again or delete it.
    Failed,
}

impl OutcomeStatus {
    pub const ALL: [OutcomeStatus; 4] = [
        OutcomeStatus::Draft,
        OutcomeStatus::Pending,
        OutcomeStatus::Passed,
        OutcomeStatus::Failed,
    ];

    /// Returns the value stored in `course_outcomes.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeStatus::Draft => "draft",
            OutcomeStatus::Pending => "pending",
            OutcomeStatus::Passed => "passed",
            OutcomeStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        OutcomeStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// A certifier's decision: 通過 or 不通過.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    Passed,
    Failed,
}

impl Verdict {
    pub const ALL: [Verdict; 2] = [Verdict::Passed, Verdict::Failed];

    /// Returns the value stored in `outcome_reviews.verdict`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "passed" => Some(Verdict::Passed),
            "failed" => Some(Verdict::Failed),
            _ => None,
        }
    }

    fn published_status(self) -> OutcomeStatus {
        match self {
            Verdict::Passed => OutcomeStatus::Passed,
            Verdict::Failed => OutcomeStatus::Failed,
        }
    }
}

/// The full state of an outcome: its status plus, while pending, the unpublished decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OutcomeState {
    pub status: OutcomeStatus,
    pub decision: Option<Verdict>,
}

/// Something a student or a certifier does to an outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Transition {
    /// 送出認證 by the student.
    Submit,
    /// The student replaces the file or 簡述 of a draft, or of a failed outcome, which becomes a
    /// draft again so that the change has to be submitted.
    Revise,
    /// The student deletes a draft or a failed outcome.
    Delete,
    /// The certifier sets or changes 通過 / 不通過 before publishing.
    Decide(Verdict),
    /// 發佈: the certifier shows the decision to the student.
    Publish,
}

/// A transition that the state does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{transition:?} is not allowed when the outcome is {from:?}")]
pub struct TransitionError {
    pub from: OutcomeState,
    pub transition: Transition,
}

impl OutcomeState {
    pub const DRAFT: OutcomeState = OutcomeState {
        status: OutcomeStatus::Draft,
        decision: None,
    };

    pub fn new(status: OutcomeStatus, decision: Option<Verdict>) -> Self {
        OutcomeState { status, decision }
    }

    /// Applies a transition. Returns the next state, or `None` when the outcome is deleted.
    pub fn apply(self, transition: Transition) -> Result<Option<OutcomeState>, TransitionError> {
        use OutcomeStatus::*;
        let refused = Err(TransitionError {
            from: self,
            transition,
        });
        let next = match (self.status, transition) {
            (Draft | Failed, Transition::Submit) => OutcomeState::new(Pending, None),
            (Draft | Failed, Transition::Revise) => OutcomeState::DRAFT,
            (Draft | Failed, Transition::Delete) => return Ok(None),
            (Pending, Transition::Decide(verdict)) => OutcomeState::new(Pending, Some(verdict)),
            (Pending, Transition::Publish) => match self.decision {
                Some(verdict) => OutcomeState::new(verdict.published_status(), None),
                None => return refused,
            },
            _ => return refused,
        };
        Ok(Some(next))
    }

    /// Returns what the certifier sees.
    pub fn review_state(self) -> Option<ReviewState> {
        match (self.status, self.decision) {
            (OutcomeStatus::Draft, _) => None,
            (OutcomeStatus::Pending, None) => Some(ReviewState::Undecided),
            (OutcomeStatus::Pending, Some(verdict)) => Some(ReviewState::Unpublished(verdict)),
            (OutcomeStatus::Passed, _) => Some(ReviewState::Published(Verdict::Passed)),
            (OutcomeStatus::Failed, _) => Some(ReviewState::Published(Verdict::Failed)),
        }
    }
}

/// An outcome as its certifier sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReviewState {
    /// 待認證
    Undecided,
    /// 通過(未發佈) or 不通過(未發佈)
    Unpublished(Verdict),
    /// 通過 or 不通過, published
    Published(Verdict),
}

/// The filter of the certification list by state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ReviewFilter {
    #[default]
    All,
    /// 待認證: nothing decided yet.
    Undecided,
    /// 通過(未發佈)
    PassedUnpublished,
    /// 不通過(未發佈)
    FailedUnpublished,
    /// Everything not yet finished: undecided or decided but unpublished.
    Unfinished,
    /// 已發佈, either verdict.
    Published,
}

impl ReviewFilter {
    pub const ALL: [ReviewFilter; 6] = [
        ReviewFilter::All,
        ReviewFilter::Undecided,
        ReviewFilter::PassedUnpublished,
        ReviewFilter::FailedUnpublished,
        ReviewFilter::Unfinished,
        ReviewFilter::Published,
    ];

    /// Returns the query-string value.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewFilter::All => "all",
            ReviewFilter::Undecided => "undecided",
            ReviewFilter::PassedUnpublished => "passed-unpublished",
            ReviewFilter::FailedUnpublished => "failed-unpublished",
            ReviewFilter::Unfinished => "unfinished",
            ReviewFilter::Published => "published",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        ReviewFilter::ALL
            .into_iter()
            .find(|filter| filter.as_str() == text)
    }

    /// Returns whether an outcome in `state` is listed under this filter.
    pub fn matches(self, state: ReviewState) -> bool {
        match self {
            ReviewFilter::All => true,
            ReviewFilter::Undecided => state == ReviewState::Undecided,
            ReviewFilter::PassedUnpublished => state == ReviewState::Unpublished(Verdict::Passed),
            ReviewFilter::FailedUnpublished => state == ReviewState::Unpublished(Verdict::Failed),
            ReviewFilter::Unfinished => !matches!(state, ReviewState::Published(_)),
            ReviewFilter::Published => matches!(state, ReviewState::Published(_)),
        }
    }
}

/// How many of a certifier's outcomes are in each state, for the counts above the list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCounts {
    pub undecided: u64,
    pub passed_unpublished: u64,
    pub failed_unpublished: u64,
    pub published_passed: u64,
    pub published_failed: u64,
}

impl ReviewCounts {
    pub fn add(&mut self, state: ReviewState, count: u64) {
        match state {
            ReviewState::Undecided => self.undecided += count,
            ReviewState::Unpublished(Verdict::Passed) => self.passed_unpublished += count,
            ReviewState::Unpublished(Verdict::Failed) => self.failed_unpublished += count,
            ReviewState::Published(Verdict::Passed) => self.published_passed += count,
            ReviewState::Published(Verdict::Failed) => self.published_failed += count,
        }
    }

    /// Adds up counts, such as those of several semesters.
    pub fn sum<'a>(counts: impl IntoIterator<Item = &'a ReviewCounts>) -> ReviewCounts {
        counts
            .into_iter()
            .fold(ReviewCounts::default(), |sum, counts| ReviewCounts {
                undecided: sum.undecided + counts.undecided,
                passed_unpublished: sum.passed_unpublished + counts.passed_unpublished,
                failed_unpublished: sum.failed_unpublished + counts.failed_unpublished,
                published_passed: sum.published_passed + counts.published_passed,
                published_failed: sum.published_failed + counts.published_failed,
            })
    }

    pub fn total(&self) -> u64 {
        self.undecided + self.unpublished() + self.published_passed + self.published_failed
    }

    /// Decided but not yet published: what 全部發佈 would publish.
    pub fn unpublished(&self) -> u64 {
        self.passed_unpublished + self.failed_unpublished
    }
}

/// A student's counts for one semester: the summary line `待認證 1 件 · 通過 21 件 · 不通過 1 件`
/// plus the drafts, which the line leaves out because they are not submitted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SemesterCounts {
    pub semester: Option<SemesterCode>,
    pub draft: u64,
    pub pending: u64,
    pub passed: u64,
    pub failed: u64,
}

impl SemesterCounts {
    /// Counts the statuses of one semester's outcomes as the student sees them.
    pub fn tally(
        semester: SemesterCode,
        statuses: impl IntoIterator<Item = OutcomeStatus>,
    ) -> Self {
        let mut counts = SemesterCounts {
            semester: Some(semester),
            ..Default::default()
        };
        for status in statuses {
            match status {
                OutcomeStatus::Draft => counts.draft += 1,
                OutcomeStatus::Pending => counts.pending += 1,
                OutcomeStatus::Passed => counts.passed += 1,
                OutcomeStatus::Failed => counts.failed += 1,
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::{SchoolYear, Semester};
    use OutcomeStatus::*;

    fn all_states() -> Vec<OutcomeState> {
        vec![
            OutcomeState::DRAFT,
            OutcomeState::new(Pending, None),
            OutcomeState::new(Pending, Some(Verdict::Passed)),
            OutcomeState::new(Pending, Some(Verdict::Failed)),
            OutcomeState::new(Passed, None),
            OutcomeState::new(Failed, None),
        ]
    }

    fn all_transitions() -> Vec<Transition> {
        vec![
            Transition::Submit,
            Transition::Revise,
            Transition::Delete,
            Transition::Decide(Verdict::Passed),
            Transition::Decide(Verdict::Failed),
            Transition::Publish,
        ]
    }

    /// The whole table: every allowed transition with its result; everything else is refused.
    fn expected(state: OutcomeState, transition: Transition) -> Option<Option<OutcomeState>> {
        let pending = OutcomeState::new(Pending, None);
        match (state.status, state.decision, transition) {
            (Draft, _, Transition::Submit) => Some(Some(pending)),
            (Draft, _, Transition::Revise) => Some(Some(OutcomeState::DRAFT)),
            (Draft, _, Transition::Delete) => Some(None),
            (Pending, _, Transition::Decide(v)) => Some(Some(OutcomeState::new(Pending, Some(v)))),
            (Pending, Some(Verdict::Passed), Transition::Publish) => {
                Some(Some(OutcomeState::new(Passed, None)))
            }
            (Pending, Some(Verdict::Failed), Transition::Publish) => {
                Some(Some(OutcomeState::new(Failed, None)))
            }
            (Failed, _, Transition::Submit) => Some(Some(pending)),
            (Failed, _, Transition::Revise) => Some(Some(OutcomeState::DRAFT)),
            (Failed, _, Transition::Delete) => Some(None),
            _ => None,
        }
    }

    #[test]
    fn apply_matches_the_transition_table() {
        for state in all_states() {
            for transition in all_transitions() {
                let result = state.apply(transition);
                match expected(state, transition) {
                    Some(next) => assert_eq!(result, Ok(next), "{state:?} + {transition:?}"),
                    None => assert_eq!(
                        result,
                        Err(TransitionError {
                            from: state,
                            transition
                        }),
                        "{state:?} + {transition:?} should be refused"
                    ),
                }
            }
        }
    }

    #[test]
    fn pending_outcome_cannot_be_revised_or_deleted() {
        let pending = OutcomeState::new(Pending, Some(Verdict::Failed));
        assert!(pending.apply(Transition::Revise).is_err());
        assert!(pending.apply(Transition::Delete).is_err());
    }

    #[test]
    fn passed_outcome_is_frozen() {
        let passed = OutcomeState::new(Passed, None);
        for transition in all_transitions() {
            assert!(passed.apply(transition).is_err(), "{transition:?}");
        }
    }

    #[test]
    fn undecided_outcome_cannot_be_published() {
        assert!(
            OutcomeState::new(Pending, None)
                .apply(Transition::Publish)
                .is_err()
        );
    }

    #[test]
    fn decision_can_change_until_published() {
        let state = OutcomeState::new(Pending, None);
        let failed = state
            .apply(Transition::Decide(Verdict::Failed))
            .unwrap()
            .unwrap();
        let passed = failed
            .apply(Transition::Decide(Verdict::Passed))
            .unwrap()
            .unwrap();
        let published = passed.apply(Transition::Publish).unwrap().unwrap();
        assert_eq!(published.status, Passed);
        assert!(
            published
                .apply(Transition::Decide(Verdict::Failed))
                .is_err()
        );
    }

    #[test]
    fn review_state_hides_drafts_from_certifiers() {
        assert_eq!(OutcomeState::DRAFT.review_state(), None);
        assert_eq!(
            OutcomeState::new(Pending, None).review_state(),
            Some(ReviewState::Undecided)
        );
        assert_eq!(
            OutcomeState::new(Pending, Some(Verdict::Failed)).review_state(),
            Some(ReviewState::Unpublished(Verdict::Failed))
        );
        assert_eq!(
            OutcomeState::new(Passed, None).review_state(),
            Some(ReviewState::Published(Verdict::Passed))
        );
    }

    #[test]
    fn review_filter_matches_its_states() {
        use ReviewState::*;
        let states = [
            Undecided,
            Unpublished(Verdict::Passed),
            Unpublished(Verdict::Failed),
            Published(Verdict::Passed),
            Published(Verdict::Failed),
        ];
        let listed = |filter: ReviewFilter| states.iter().filter(|s| filter.matches(**s)).count();
        assert_eq!(listed(ReviewFilter::All), 5);
        assert_eq!(listed(ReviewFilter::Undecided), 1);
        assert_eq!(listed(ReviewFilter::PassedUnpublished), 1);
        assert_eq!(listed(ReviewFilter::FailedUnpublished), 1);
        assert_eq!(listed(ReviewFilter::Unfinished), 3);
        assert_eq!(listed(ReviewFilter::Published), 2);
        for filter in ReviewFilter::ALL {
            assert_eq!(ReviewFilter::parse(filter.as_str()), Some(filter));
        }
    }

    #[test]
    fn review_counts_add_up() {
        let mut counts = ReviewCounts::default();
        counts.add(ReviewState::Undecided, 3);
        counts.add(ReviewState::Unpublished(Verdict::Passed), 2);
        counts.add(ReviewState::Unpublished(Verdict::Failed), 1);
        counts.add(ReviewState::Published(Verdict::Passed), 4);
        assert_eq!(counts.unpublished(), 3);
        assert_eq!(counts.total(), 10);
    }

    #[test]
    fn semester_counts_tally_each_status() {
        let code = SemesterCode::new(SchoolYear(113), Semester::First);
        let statuses = [Pending, Passed, Passed, Failed, Draft, Draft, Passed];
        let counts = SemesterCounts::tally(code, statuses);
        assert_eq!(
            counts,
            SemesterCounts {
                semester: Some(code),
                draft: 2,
                pending: 1,
                passed: 3,
                failed: 1
            }
        );
    }

    #[test]
    fn status_round_trips_through_text() {
        for status in OutcomeStatus::ALL {
            assert_eq!(OutcomeStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(Verdict::parse("passed"), Some(Verdict::Passed));
        assert_eq!(Verdict::parse("maybe"), None);
    }
}
