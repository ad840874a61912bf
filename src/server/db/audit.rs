//! The audit trail. Every write here happens inside the transaction of the change it records.

use super::Tx;
use crate::domain::calendar::UtcMillis;
use crate::domain::ids::{SchoolId, UserId};

/// One audit row.
pub struct AuditEvent<'a> {
    pub school: SchoolId,
    pub actor: Option<UserId>,
    pub entity: &'a str,
    pub entity_id: i64,
    pub action: &'a str,
    pub old_value: Option<&'a str>,
    pub new_value: Option<&'a str>,
    pub reason: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, event: &AuditEvent<'_>, now: UtcMillis) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_events (school_id, actor_id, occurred_at, entity, entity_id, action, \
                                   old_value, new_value, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(event.school.0)
    .bind(event.actor.map(|actor| actor.0))
    .bind(now.0)
    .bind(event.entity)
    .bind(event.entity_id)
    .bind(event.action)
    .bind(event.old_value)
    .bind(event.new_value)
    .bind(event.reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
