#![cfg(feature = "ssr")]
//! The two dialects' migrations must build the same schema: the same tables, columns in the
//! same order with the same kinds and nullability, keys, constraint names and indexes. Named
//! constraints matter because errors are mapped to messages by name.

mod common;

use common::*;
use licheng::server::db::schema::{Schema, describe};
use licheng::server::db::{Backend, Db};

async fn sqlite_schema() -> Schema {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("schema.db").display());
    let db = Db::connect(&url, 1).await.unwrap();
    db.migrate().await.unwrap();
    let schema = describe(&db.pool, Backend::Sqlite).await.unwrap();
    db.pool.close().await;
    schema
}

async fn postgres_schema() -> Schema {
    let database = PostgresDatabase::create().await;
    let db = Db::connect(&database.url, 1).await.unwrap();
    db.migrate().await.unwrap();
    let schema = describe(&db.pool, Backend::Postgres).await.unwrap();
    db.pool.close().await;
    schema
}

#[tokio::test]
async fn postgres_migrations_build_the_sqlite_schema() {
    let sqlite = sqlite_schema().await;
    let postgres = postgres_schema().await;
    let names = |schema: &Schema| -> Vec<String> {
        schema
            .tables
            .iter()
            .map(|table| table.name.clone())
            .collect()
    };
    assert_eq!(
        names(&postgres),
        names(&sqlite),
        "the same tables in the same order"
    );
    for expected in &sqlite.tables {
        let actual = postgres.table(&expected.name).unwrap();
        let name = &expected.name;
        assert_eq!(actual.columns, expected.columns, "columns of {name}");
        assert_eq!(
            actual.primary_key, expected.primary_key,
            "primary key of {name}"
        );
        assert_eq!(
            actual.foreign_keys, expected.foreign_keys,
            "foreign keys of {name}"
        );
        assert_eq!(
            actual.constraints, expected.constraints,
            "constraints of {name}"
        );
        assert_eq!(actual.indexes, expected.indexes, "indexes of {name}");
    }
    assert!(sqlite.tables.len() > 15, "the schema was read");
}

#[tokio::test]
async fn schema_reader_sees_a_changed_column() {
    let database = PostgresDatabase::create().await;
    let db = Db::connect(&database.url, 1).await.unwrap();
    db.migrate().await.unwrap();
    sqlx::query("ALTER TABLE schools ALTER COLUMN name DROP NOT NULL")
        .execute(&db.pool)
        .await
        .unwrap();
    let changed = describe(&db.pool, Backend::Postgres).await.unwrap();
    db.pool.close().await;
    let sqlite = sqlite_schema().await;
    assert_ne!(
        changed.table("schools"),
        sqlite.table("schools"),
        "a nullable column where SQLite has NOT NULL is a difference"
    );
}
