//! Notifications: written with the change that causes them, read by their user.

use sqlx::{AnyPool, Row};

use super::Tx;
use super::schools::semester_code;
use crate::domain::calendar::UtcMillis;
use crate::domain::ids::{NotificationId, OutcomeId, ReviewId, SchoolId, UserId};
use crate::domain::notification::NotificationKind;
use crate::domain::outcome::Verdict;
use crate::domain::views::NotificationItem;

/// Inserts the notification of a published review. The unique key on (review, kind) makes a
/// second one for the same review fail instead of doubling the bubble.
pub async fn insert_published(
    tx: &mut Tx,
    school: SchoolId,
    student: UserId,
    outcome: OutcomeId,
    review: ReviewId,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notifications (school_id, user_id, kind, outcome_id, review_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(school.0)
    .bind(student.0)
    .bind(NotificationKind::OutcomePublished.as_str())
    .bind(outcome.0)
    .bind(review.0)
    .bind(now.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn unread_count(
    pool: &AnyPool,
    school: SchoolId,
    user: UserId,
) -> Result<u64, sqlx::Error> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND school_id = $2 AND read_at IS NULL")
            .bind(user.0)
            .bind(school.0)
            .fetch_one(pool)
            .await?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Lists a user's newest notifications. Each names the published verdict of its review, so
/// the text can never show a decision that was not published.
pub async fn list(
    pool: &AnyPool,
    school: SchoolId,
    user: UserId,
    limit: i64,
) -> Result<Vec<NotificationItem>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT n.id, n.kind, n.created_at, n.read_at, n.outcome_id, r.verdict, r.summary, s.school_year, \
                s.semester, sub.name AS subject \
         FROM notifications n \
         JOIN outcome_reviews r ON r.id = n.review_id AND r.published_at IS NOT NULL \
         JOIN course_outcomes o ON o.id = n.outcome_id \
         JOIN courses c ON c.id = o.course_id \
         JOIN semesters s ON s.id = c.semester_id \
         JOIN subjects sub ON sub.id = c.subject_id \
         WHERE n.user_id = $1 AND n.school_id = $2 \
         ORDER BY n.created_at DESC, n.id DESC LIMIT $3",
    )
    .bind(user.0)
    .bind(school.0)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get("kind")?;
            let verdict: String = row.try_get("verdict")?;
            Ok(NotificationItem {
                id: NotificationId(row.try_get("id")?),
                kind: NotificationKind::parse(&kind).ok_or_else(|| {
                    sqlx::Error::Decode(format!("unknown notification kind {kind:?}").into())
                })?,
                created_at: UtcMillis(row.try_get("created_at")?),
                read: row.try_get::<Option<i64>, _>("read_at")?.is_some(),
                outcome_id: OutcomeId(row.try_get("outcome_id")?),
                semester: semester_code(row.try_get("school_year")?, row.try_get("semester")?)?,
                subject: row.try_get("subject")?,
                summary: row.try_get("summary")?,
                verdict: Verdict::parse(&verdict).ok_or_else(|| {
                    sqlx::Error::Decode(format!("unknown verdict {verdict:?}").into())
                })?,
            })
        })
        .collect()
}

/// Marks all of a user's notifications read; returns how many changed.
pub async fn mark_all_read(
    pool: &AnyPool,
    school: SchoolId,
    user: UserId,
    now: UtcMillis,
) -> Result<u64, sqlx::Error> {
    let result =
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND school_id = $3 AND read_at IS NULL")
            .bind(now.0)
            .bind(user.0)
            .bind(school.0)
            .execute(pool)
            .await?;
    Ok(result.rows_affected())
}
