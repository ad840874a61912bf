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

pub async fn insert(
    tx: &mut Tx,
    event: &AuditEvent<'_>,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    insert_on_behalf(tx, event, None, now).await
}

/// Inserts an audit row of a step that the actor took for someone else: a delegate's decision
/// or publication for the course teacher `on_behalf_of`.
pub async fn insert_on_behalf(
    tx: &mut Tx,
    event: &AuditEvent<'_>,
    on_behalf_of: Option<UserId>,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_events (school_id, actor_id, occurred_at, entity, entity_id, action, \
                                   old_value, new_value, reason, on_behalf_of) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
    .bind(on_behalf_of.map(|user| user.0))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The filters of the audit log, with dates already turned into times.
pub struct AuditFilter<'a> {
    pub entity: Option<&'a str>,
    pub entity_id: Option<i64>,
    pub action: Option<&'a str>,
    pub actor_login: Option<&'a str>,
    pub from: Option<UtcMillis>,
    pub to: Option<UtcMillis>,
}

enum Bind<'a> {
    Int(i64),
    Text(&'a str),
}

/// Lists one page of the school's audit log, newest first; returns the rows and the total.
pub async fn list(
    pool: &sqlx::AnyPool,
    school: SchoolId,
    filter: &AuditFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<crate::domain::views::AuditRow>, u64), sqlx::Error> {
    use sqlx::Row;

    let mut clause = String::from("WHERE a.school_id = $1");
    let mut binds = vec![Bind::Int(school.0)];
    if let Some(entity) = filter.entity {
        binds.push(Bind::Text(entity));
        clause.push_str(&format!(" AND a.entity = ${}", binds.len()));
    }
    if let Some(entity_id) = filter.entity_id {
        binds.push(Bind::Int(entity_id));
        clause.push_str(&format!(" AND a.entity_id = ${}", binds.len()));
    }
    if let Some(action) = filter.action {
        binds.push(Bind::Text(action));
        clause.push_str(&format!(" AND a.action = ${}", binds.len()));
    }
    if let Some(login) = filter.actor_login {
        binds.push(Bind::Text(login));
        clause.push_str(&format!(" AND u.login = ${}", binds.len()));
    }
    if let Some(from) = filter.from {
        binds.push(Bind::Int(from.0));
        clause.push_str(&format!(" AND a.occurred_at >= ${}", binds.len()));
    }
    if let Some(to) = filter.to {
        binds.push(Bind::Int(to.0));
        clause.push_str(&format!(" AND a.occurred_at <= ${}", binds.len()));
    }
    let from = "FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id \
                LEFT JOIN users b ON b.id = a.on_behalf_of";
    let count_sql = format!("SELECT COUNT(*) AS n {from} {clause}");
    let total: i64 = bind_all(&count_sql, &binds)
        .fetch_one(pool)
        .await?
        .try_get("n")?;
    let page_sql = format!(
        "SELECT a.id, a.occurred_at, u.login AS actor, a.entity, a.entity_id, a.action, a.old_value, a.new_value, a.reason, \
           b.display_name AS on_behalf_of, {ENTITY_NAME} AS entity_name \
         {from} {clause} ORDER BY a.occurred_at DESC, a.id DESC LIMIT ${} OFFSET ${}",
        binds.len() + 1,
        binds.len() + 2
    );
    let rows = bind_all(&page_sql, &binds)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
    let rows = rows
        .iter()
        .map(|row| {
            Ok(crate::domain::views::AuditRow {
                id: row.try_get("id")?,
                occurred_at: UtcMillis(row.try_get("occurred_at")?),
                actor: row.try_get("actor")?,
                entity: row.try_get("entity")?,
                entity_id: row.try_get("entity_id")?,
                action: row.try_get("action")?,
                old_value: row.try_get("old_value")?,
                new_value: row.try_get("new_value")?,
                reason: row.try_get("reason")?,
                on_behalf_of: row.try_get("on_behalf_of")?,
                entity_name: row.try_get("entity_name")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Names the entity of an audit row for people: the student (學號 and name) and subject of an
/// outcome, a student, a semester code such as 1131, a school year, or a login.
const ENTITY_NAME: &str = "CASE a.entity \
     WHEN 'course_outcome' THEN (SELECT st.student_no || ' ' || su.display_name || ' ' || sub.name \
       FROM course_outcomes o JOIN students st ON st.user_id = o.student_id JOIN users su ON su.id = o.student_id \
       JOIN courses c ON c.id = o.course_id JOIN subjects sub ON sub.id = c.subject_id WHERE o.id = a.entity_id) \
     WHEN 'student' THEN (SELECT st.student_no || ' ' || su.display_name \
       FROM students st JOIN users su ON su.id = st.user_id WHERE st.user_id = a.entity_id) \
     WHEN 'semester' THEN (SELECT CAST(s.school_year AS TEXT) || CAST(s.semester AS TEXT) FROM semesters s WHERE s.id = a.entity_id) \
     WHEN 'school_year' THEN (SELECT CAST(y.school_year AS TEXT) FROM school_years y WHERE y.id = a.entity_id) \
     WHEN 'user' THEN (SELECT x.login FROM users x WHERE x.id = a.entity_id) \
     WHEN 'course' THEN (SELECT CAST(s.school_year AS TEXT) || CAST(s.semester AS TEXT) || ' ' || sub.name || ' ' || c.group_name \
       FROM courses c JOIN semesters s ON s.id = c.semester_id JOIN subjects sub ON sub.id = c.subject_id WHERE c.id = a.entity_id) \
     END";

fn bind_all<'q>(
    sql: &'q str,
    binds: &'q [Bind<'q>],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = match bind {
            Bind::Int(value) => query.bind(*value),
            Bind::Text(value) => query.bind(*value),
        };
    }
    query
}
