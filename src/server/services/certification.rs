//! The course teacher's side: the certification list, 通過 / 不通過, and 發佈.

use std::collections::BTreeSet;

use super::outcomes::{claim, owner};
use crate::domain::AppError;
use crate::domain::calendar::UtcMillis;
use crate::domain::error::Resource;
use crate::domain::ids::{OutcomeId, UserId};
use crate::domain::outcome::{ReviewCounts, Transition, Verdict};
use crate::domain::paging::{PageRange, PageRequest};
use crate::domain::role::Role;
use crate::domain::text::FailReason;
use crate::domain::views::{PublishResult, ReviewPage, ReviewQuery, Saved, TeacherDeadline};
use crate::domain::window::WindowState;
use crate::server::auth::CurrentUser;
use crate::server::db::outcomes::Token;
use crate::server::db::{self, Tx};
use crate::server::error::OrInternal;
use crate::server::state::AppState;

use super::windows;

/// A decision as the teacher sends it, for one or several outcomes.
pub struct Decision {
    /// Each outcome with the version the teacher's page showed; a different stored version is
    /// a conflict.
    pub items: Vec<(OutcomeId, i64)>,
    pub verdict: Verdict,
    /// Required for 不通過, ignored for 通過.
    pub reason: String,
}

/// Returns one page of the teacher's submitted outcomes. A page beyond the last (after
/// publishing emptied it) becomes the last page.
pub async fn review_page(
    state: &AppState,
    user: &CurrentUser,
    mut query: ReviewQuery,
) -> Result<ReviewPage, AppError> {
    user.require(Role::Teacher)?;
    // The page request comes from the browser: keep it to the offered sizes.
    query.page = PageRequest::new(query.page.page, query.page.per_page);
    let pool = &state.db.pool;
    let now = state.clock.now();
    let day = taipei_day(now);
    let (school, teacher) = (user.school_id, user.user_id);
    // A homeroom or subject filter narrows the counts above the list. Without one, the counts
    // are the sum of the per-semester counts, which the deadlines need anyway.
    let narrowed = query.homeroom.is_some() || query.subject.is_some();
    // The queries of the page do not depend on each other. Each runs on its own pooled
    // connection, so the page waits for the slowest query instead of their sum.
    let (per_semester, narrowed_counts, rows, teacher_semesters, (homerooms, subjects)) = tokio::try_join!(
        async {
            db::outcomes::review_counts_by_semester(
                pool,
                school,
                teacher,
                &day,
                &ReviewQuery::default(),
            )
            .await
            .or_internal("counting outcomes per semester")
        },
        async {
            if narrowed {
                db::outcomes::review_counts(pool, school, teacher, &day, &query)
                    .await
                    .map(Some)
                    .or_internal("counting outcomes to certify")
            } else {
                Ok(None)
            }
        },
        async {
            db::outcomes::review_page(pool, school, teacher, &day, &query)
                .await
                .or_internal("listing outcomes to certify")
        },
        async {
            db::outcomes::teacher_semesters(pool, school, teacher, &day)
                .await
                .or_internal("listing the teacher's semesters")
        },
        async {
            db::outcomes::teacher_filter_options(pool, school, teacher, &day, query.semester)
                .await
                .or_internal("listing filter options")
        },
    )?;
    let counts = narrowed_counts.unwrap_or_else(|| {
        ReviewCounts::sum(
            per_semester
                .iter()
                .filter(|(code, _)| query.semester.is_none_or(|wanted| wanted == *code))
                .map(|(_, counts)| counts),
        )
    });
    let total = counts_under(&counts, query.state);
    let requested = query.page;
    query.page = query.page.clamp_to(total);
    // A page beyond the last (publishing emptied it) is read again as the last page.
    let mut rows = if query.page == requested {
        rows
    } else {
        db::outcomes::review_page(pool, school, teacher, &day, &query)
            .await
            .or_internal("listing outcomes to certify")?
    };

    // Each semester's teacher window: rows of a closed one cannot change, and the page lists
    // what is left before each open deadline.
    let mut deadlines = Vec::new();
    let mut closed = Vec::new();
    for &(_, code, window) in &teacher_semesters {
        let window = windows::info(window, now);
        let listed = query.semester.is_none_or(|wanted| wanted == code);
        let is_closed = matches!(window.state, WindowState::Closed { .. });
        if is_closed {
            for row in rows.iter_mut().filter(|row| row.semester == code) {
                row.editable = false;
            }
        }
        if !listed && is_closed {
            continue;
        }
        let counts = per_semester
            .iter()
            .find(|(semester, _)| *semester == code)
            .map(|(_, counts)| *counts)
            .unwrap_or_default();
        let deadline = TeacherDeadline {
            semester: code,
            window,
            undecided: counts.undecided,
            unpublished: counts.unpublished(),
        };
        // A window without an end and nothing unfinished tells the teacher nothing.
        let worth_showing =
            window.window.closes_at.is_some() || deadline.undecided + deadline.unpublished > 0;
        if is_closed {
            closed.push(deadline);
        } else if worth_showing {
            deadlines.push(deadline);
        }
    }
    let semesters = teacher_semesters
        .into_iter()
        .map(|(_, code, _)| code)
        .collect();
    Ok(ReviewPage {
        range: PageRange::of(query.page, total),
        query,
        rows,
        counts,
        semesters,
        homerooms,
        subjects,
        deadlines,
        closed,
    })
}

/// Returns the calendar day in Taiwan as stored in `course_delegations`: a delegate certifies
/// from the first through the last day of the period, Taiwan time.
pub(crate) fn taipei_day(now: UtcMillis) -> String {
    now.taipei_date().to_string()
}

/// Returns the course teacher an outcome is certified for when `user` is not its course
/// teacher but a delegate.
fn on_behalf_of(user: &CurrentUser, core: &db::outcomes::OutcomeCore) -> Option<UserId> {
    (core.course_teacher_id != user.user_id).then_some(core.course_teacher_id)
}

/// Returns how many outcomes a state filter lists, from the per-state counts.
fn counts_under(
    counts: &crate::domain::outcome::ReviewCounts,
    filter: crate::domain::outcome::ReviewFilter,
) -> u64 {
    use crate::domain::outcome::ReviewFilter::*;
    match filter {
        All => counts.total(),
        Undecided => counts.undecided,
        PassedUnpublished => counts.passed_unpublished,
        FailedUnpublished => counts.failed_unpublished,
        Unfinished => counts.undecided + counts.unpublished(),
        Published => counts.published_passed + counts.published_failed,
    }
}

/// Sets or changes 通過 / 不通過 on submitted, unpublished outcomes of the teacher's courses.
/// All or nothing: one conflict or refusal leaves every outcome as it was.
pub async fn decide(
    state: &AppState,
    user: &CurrentUser,
    decision: Decision,
) -> Result<Vec<Saved>, AppError> {
    user.require(Role::Teacher)?;
    let reason = match decision.verdict {
        Verdict::Failed => Some(FailReason::parse(&decision.reason).map_err(AppError::FailReason)?),
        Verdict::Passed => None,
    };
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a decision")?;
    let mut saved = Vec::with_capacity(decision.items.len());
    for &(outcome_id, version) in &decision.items {
        let core = load_certifiable(&mut tx, user, outcome_id, now).await?;
        core.state.apply(Transition::Decide(decision.verdict))?;
        windows::require_teacher_window(&mut tx, user.school_id, core.semester_id, now).await?;
        claim(
            &mut tx,
            user.school_id,
            &core,
            Token::Certifier {
                expected: version,
                visible: false,
            },
            now,
        )
        .await?;
        let review = core
            .current_review_id
            .ok_or_else(|| AppError::BadRequest("outcome has no review round".into()))?;
        let reason_text = reason.as_ref().map(FailReason::as_str);
        db::outcomes::decide(
            &mut tx,
            user.school_id,
            review,
            decision.verdict,
            reason_text,
            user.user_id,
            on_behalf_of(user, &core),
            now,
        )
        .await
        .or_internal("storing a decision")?;
        let old = core
            .state
            .decision
            .map(Verdict::as_str)
            .unwrap_or("undecided");
        audit(
            &mut tx,
            user,
            &core,
            "decide",
            Some(old),
            Some(decision.verdict.as_str()),
            reason_text,
            now,
        )
        .await?;
        saved.push(Saved {
            outcome_id: core.id,
            version: version + 1,
        });
    }
    tx.commit().await.or_internal("committing a decision")?;
    tracing::debug!(user.id = %user.user_id, count = saved.len(), verdict = decision.verdict.as_str(), "outcomes decided");
    Ok(saved)
}

/// Publishes the selected outcomes, each at the version the teacher saw. Undecided or already
/// published ones are skipped; a single one is refused instead, and any version conflict
/// refuses the whole request.
pub async fn publish(
    state: &AppState,
    user: &CurrentUser,
    selected: &[(OutcomeId, i64)],
) -> Result<PublishResult, AppError> {
    user.require(Role::Teacher)?;
    if selected.is_empty() {
        return Ok(PublishResult {
            published: 0,
            skipped: 0,
        });
    }
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a publication")?;
    let result = publish_in(&mut tx, user, selected, selected.len() == 1, now).await?;
    tx.commit().await.or_internal("committing a publication")?;
    finish_publication(state, user, &result)
}

/// 全部發佈: publishes every decided, unpublished outcome under the list's current filters.
pub async fn publish_all(
    state: &AppState,
    user: &CurrentUser,
    query: &ReviewQuery,
) -> Result<PublishResult, AppError> {
    user.require(Role::Teacher)?;
    let now = state.clock.now();
    let mut tx = state
        .db
        .begin_write()
        .await
        .or_internal("starting a publication")?;
    let day = taipei_day(now);
    let selected =
        db::outcomes::decided_unpublished(&mut tx, user.school_id, user.user_id, &day, query)
            .await
            .or_internal("listing decided outcomes")?;
    let result = publish_in(&mut tx, user, &selected, false, now).await?;
    tx.commit().await.or_internal("committing a publication")?;
    finish_publication(state, user, &result)
}

/// Writes the audit row of a certifier's step, naming the course teacher when a delegate
/// took it.
#[allow(clippy::too_many_arguments)]
async fn audit(
    tx: &mut Tx,
    user: &CurrentUser,
    core: &db::outcomes::OutcomeCore,
    action: &str,
    old_value: Option<&str>,
    new_value: Option<&str>,
    reason: Option<&str>,
    now: UtcMillis,
) -> Result<(), AppError> {
    db::audit::insert_on_behalf(
        tx,
        &db::audit::AuditEvent {
            school: user.school_id,
            actor: Some(user.user_id),
            entity: "course_outcome",
            entity_id: core.id.0,
            action,
            old_value,
            new_value,
            reason,
        },
        on_behalf_of(user, core),
        now,
    )
    .await
    .or_internal("writing an audit row")
}

struct Publication {
    published: u64,
    skipped: u64,
    students: BTreeSet<UserId>,
}

async fn publish_in(
    tx: &mut Tx,
    user: &CurrentUser,
    selected: &[(OutcomeId, i64)],
    refuse_skips: bool,
    now: UtcMillis,
) -> Result<Publication, AppError> {
    let mut publication = Publication {
        published: 0,
        skipped: 0,
        students: BTreeSet::new(),
    };
    // The closed-window error of a skipped outcome. A publication that published nothing for
    // that reason returns it, instead of reporting "undecided or already published".
    let mut closed = None;
    for &(outcome_id, version) in selected {
        let core = load_certifiable(tx, user, outcome_id, now).await?;
        match windows::require_teacher_window(tx, user.school_id, core.semester_id, now).await {
            Ok(()) => {}
            Err(error) if refuse_skips => return Err(error),
            Err(error) => {
                publication.skipped += 1;
                closed = Some(error);
                continue;
            }
        }
        let next = match core.state.apply(Transition::Publish) {
            Ok(Some(next)) => next,
            Ok(None) => return Err(AppError::BadRequest("publishing deleted an outcome".into())),
            Err(error) if refuse_skips => return Err(error.into()),
            Err(_) => {
                publication.skipped += 1;
                continue;
            }
        };
        claim(
            tx,
            user.school_id,
            &core,
            Token::Certifier {
                expected: version,
                visible: true,
            },
            now,
        )
        .await?;
        let review = core
            .current_review_id
            .ok_or_else(|| AppError::BadRequest("outcome has no review round".into()))?;
        db::outcomes::publish(
            tx,
            user.school_id,
            core.id,
            review,
            next.status,
            user.user_id,
            now,
        )
        .await
        .or_internal("publishing an outcome")?;
        db::notifications::insert_published(tx, user.school_id, owner(&core), core.id, review, now)
            .await
            .or_internal("writing a notification")?;
        audit(
            tx,
            user,
            &core,
            "publish",
            Some("pending"),
            Some(next.status.as_str()),
            None,
            now,
        )
        .await?;
        publication.published += 1;
        publication.students.insert(owner(&core));
    }
    match closed {
        Some(error) if publication.published == 0 => Err(error),
        _ => Ok(publication),
    }
}

/// Tells the students' open pages after the commit, and reports the counts.
fn finish_publication(
    state: &AppState,
    user: &CurrentUser,
    publication: &Publication,
) -> Result<PublishResult, AppError> {
    for student in &publication.students {
        state.notifier.notify(*student);
    }
    tracing::debug!(
        user.id = %user.user_id,
        published = publication.published,
        skipped = publication.skipped,
        "outcomes published"
    );
    Ok(PublishResult {
        published: publication.published,
        skipped: publication.skipped,
    })
}

/// Loads an outcome that `user` certifies today, as course teacher or as delegate; any other
/// outcome is reported as not found.
async fn load_certifiable(
    tx: &mut Tx,
    user: &CurrentUser,
    outcome: OutcomeId,
    now: UtcMillis,
) -> Result<db::outcomes::OutcomeCore, AppError> {
    db::outcomes::find_for_certifier(tx, user.school_id, user.user_id, &taipei_day(now), outcome)
        .await
        .or_internal("loading an outcome to certify")?
        .ok_or(AppError::NotFound(Resource::Outcome))
}
