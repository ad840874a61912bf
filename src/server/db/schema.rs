//! Reads the schema that the migrations built, in the same terms on SQLite and PostgreSQL:
//! tables with their columns, primary keys, foreign keys, named constraints and indexes. A test
//! compares the two dialects with it, and `licheng transfer` copies rows table by table in the
//! order it gives.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::AnyPool;

use super::Backend;

/// The kind of value a column holds, as sqlx's `Any` driver reads it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColumnKind {
    Integer,
    Text,
    Bytes,
    Real,
    /// A type this application does not use; named as the database declares it.
    Other(String),
}

impl ColumnKind {
    fn from_declared(declared: &str) -> Self {
        match declared.to_ascii_lowercase().as_str() {
            "integer" | "bigint" | "smallint" | "int" => ColumnKind::Integer,
            "text" | "character varying" | "varchar" => ColumnKind::Text,
            "blob" | "bytea" => ColumnKind::Bytes,
            "real" | "double precision" => ColumnKind::Real,
            other => ColumnKind::Other(other.to_owned()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
    pub not_null: bool,
}

/// `columns` of this table refer to `references` of `table`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub table: String,
    pub references: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    /// In the order of the table's definition.
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    pub foreign_keys: BTreeSet<ForeignKey>,
    /// Names of the UNIQUE and CHECK constraints.
    pub constraints: BTreeSet<String>,
    /// Names of the indexes made with CREATE INDEX.
    pub indexes: BTreeSet<String>,
}

impl Table {
    /// Returns whether rows are identified by a single integer column `id` that the database
    /// assigns.
    pub fn has_generated_id(&self) -> bool {
        self.primary_key == ["id"]
            && self
                .columns
                .iter()
                .any(|column| column.name == "id" && column.kind == ColumnKind::Integer)
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }
}

/// Every table of the application, except sqlx's migration ledger, with each table after the
/// tables it refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema {
    pub tables: Vec<Table>,
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|table| table.name == name)
    }
}

/// Reads the schema of the database behind `pool`.
pub async fn describe(pool: &AnyPool, backend: Backend) -> Result<Schema, sqlx::Error> {
    let names: Vec<String> = match backend {
        Backend::Sqlite => {
            sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
            )
            .fetch_all(pool)
            .await?
        }
        Backend::Postgres => {
            sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name <> '_sqlx_migrations' ORDER BY table_name",
            )
            .fetch_all(pool)
            .await?
        }
    };
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        tables.push(match backend {
            Backend::Sqlite => describe_sqlite_table(pool, name).await?,
            Backend::Postgres => describe_postgres_table(pool, name).await?,
        });
    }
    Ok(Schema {
        tables: referenced_first(tables),
    })
}

async fn describe_sqlite_table(pool: &AnyPool, name: String) -> Result<Table, sqlx::Error> {
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
    )
    .bind(&name)
    .fetch_all(pool)
    .await?;
    let mut primary_key: Vec<(i64, String)> = rows
        .iter()
        .filter(|row| row.3 > 0)
        .map(|row| (row.3, row.0.clone()))
        .collect();
    primary_key.sort();
    let columns = rows
        .into_iter()
        .map(|(column, declared, not_null, pk)| Column {
            kind: ColumnKind::from_declared(&declared),
            // SQLite lets an INTEGER PRIMARY KEY be declared without NOT NULL; it is never null.
            not_null: not_null != 0 || pk > 0,
            name: column,
        })
        .collect();

    let references: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list($1) ORDER BY id, seq",
    )
    .bind(&name)
    .fetch_all(pool)
    .await?;
    let mut grouped: BTreeMap<i64, ForeignKey> = BTreeMap::new();
    for (id, table, from, to) in references {
        let key = grouped.entry(id).or_insert_with(|| ForeignKey {
            columns: Vec::new(),
            table,
            references: Vec::new(),
        });
        key.columns.push(from);
        // NOTE: a REFERENCES clause without columns means the primary key; every migration
        // here names the column, and `id` is every referenced primary key.
        key.references.push(to.unwrap_or_else(|| "id".to_owned()));
    }

    let sql: String =
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1")
            .bind(&name)
            .fetch_one(pool)
            .await?;
    let constraints = unique_and_check_constraints(&name, &sql);
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL",
    )
    .bind(&name)
    .fetch_all(pool)
    .await?;
    Ok(Table {
        name,
        columns,
        primary_key: primary_key.into_iter().map(|(_, column)| column).collect(),
        foreign_keys: grouped.into_values().collect(),
        constraints,
        indexes: indexes.into_iter().collect(),
    })
}

/// Finds the UNIQUE and CHECK constraints of a CREATE TABLE statement, because SQLite keeps
/// their names only in the statement's text. Named ones (`CONSTRAINT name CHECK …`) keep their
/// names. A column's unnamed CHECK or UNIQUE gets the name PostgreSQL gives it:
/// `{table}_{column}_check` or `{table}_{column}_key`.
fn unique_and_check_constraints(table: &str, sql: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let words: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == '(' || c == ',')
        .filter(|word| !word.is_empty())
        .collect();
    for window in words.windows(3) {
        if window[0].eq_ignore_ascii_case("CONSTRAINT")
            && (window[2].eq_ignore_ascii_case("UNIQUE") || window[2].eq_ignore_ascii_case("CHECK"))
        {
            names.insert(window[1].trim_matches('"').to_owned());
        }
    }
    // Column definitions are one per line in the migrations.
    for line in sql.lines().map(str::trim) {
        let mut line_words = line.split_whitespace();
        let Some(column) = line_words.next() else {
            continue;
        };
        if column.starts_with("--")
            || column.eq_ignore_ascii_case("CONSTRAINT")
            || column.eq_ignore_ascii_case("CREATE")
        {
            continue;
        }
        let rest: Vec<&str> = line_words.collect();
        if rest.iter().any(|word| word.eq_ignore_ascii_case("CHECK")) {
            names.insert(format!("{table}_{column}_check"));
        }
        if rest
            .iter()
            .any(|word| word.trim_end_matches(',').eq_ignore_ascii_case("UNIQUE"))
        {
            names.insert(format!("{table}_{column}_key"));
        }
    }
    names
}

async fn describe_postgres_table(pool: &AnyPool, name: String) -> Result<Table, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(&name)
    .fetch_all(pool)
    .await?;
    let columns = rows
        .into_iter()
        .map(|(column, declared, nullable)| Column {
            name: column,
            kind: ColumnKind::from_declared(&declared),
            not_null: nullable == "NO",
        })
        .collect();
    let primary_key: Vec<String> = sqlx::query_scalar(
        "SELECT a.attname::text FROM pg_index i \
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) \
         WHERE i.indrelid = $1::regclass AND i.indisprimary \
         ORDER BY array_position(i.indkey::int2[], a.attnum)",
    )
    .bind(&name)
    .fetch_all(pool)
    .await?;
    let references: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.confrelid::regclass::text, \
           (SELECT string_agg(a.attname::text, ',' ORDER BY k.n) \
              FROM unnest(c.conkey) WITH ORDINALITY AS k (attnum, n) \
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum), \
           (SELECT string_agg(a.attname::text, ',' ORDER BY k.n) \
              FROM unnest(c.confkey) WITH ORDINALITY AS k (attnum, n) \
              JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) \
         FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype = 'f'",
    )
    .bind(&name)
    .fetch_all(pool)
    .await?;
    let foreign_keys = references
        .into_iter()
        .map(|(table, columns, referenced)| ForeignKey {
            columns: columns.split(',').map(str::to_owned).collect(),
            table,
            references: referenced.split(',').map(str::to_owned).collect(),
        })
        .collect();
    let constraints: Vec<String> = sqlx::query_scalar(
        "SELECT conname::text FROM pg_constraint \
         WHERE conrelid = $1::regclass AND contype IN ('u', 'c')",
    )
    .bind(&name)
    .fetch_all(pool)
    .await?;
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() \
         AND tablename = $1 AND indexname NOT IN \
           (SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass)",
    )
    .bind(&name)
    .fetch_all(pool)
    .await?;
    Ok(Table {
        name,
        columns,
        primary_key,
        foreign_keys,
        constraints: constraints.into_iter().collect(),
        indexes: indexes.into_iter().collect(),
    })
}

/// Orders tables so that each comes after every other table it refers to, alphabetically
/// where the references leave a choice. A table's references to itself do not count.
fn referenced_first(mut tables: Vec<Table>) -> Vec<Table> {
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    let mut ordered: Vec<Table> = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let placed: BTreeSet<&str> = ordered.iter().map(|table| table.name.as_str()).collect();
        let ready = tables.iter().position(|table| {
            table
                .foreign_keys
                .iter()
                .all(|key| key.table == table.name || placed.contains(key.table.as_str()))
        });
        // A cycle between tables cannot be ordered; keep the rest alphabetical.
        let next = ready.unwrap_or(0);
        ordered.push(tables.remove(next));
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_are_found_in_create_table() {
        let sql = "CREATE TABLE t (\n    id INTEGER PRIMARY KEY,\n    code TEXT,\n    \
                   kind TEXT NOT NULL CHECK (kind IN ('a', 'b')),\n    \
                   serial TEXT UNIQUE,\n    \
                   CONSTRAINT t_code_key UNIQUE (code),\n    \
                   CONSTRAINT t_code_check CHECK (length(code) = 6),\n    \
                   CONSTRAINT t_pkey PRIMARY KEY (id))";
        let names: Vec<String> = unique_and_check_constraints("t", sql).into_iter().collect();
        assert_eq!(
            names,
            ["t_code_check", "t_code_key", "t_kind_check", "t_serial_key"]
        );
    }

    fn table(name: &str, refers_to: &[&str]) -> Table {
        Table {
            name: name.to_owned(),
            columns: Vec::new(),
            primary_key: Vec::new(),
            foreign_keys: refers_to
                .iter()
                .map(|target| ForeignKey {
                    columns: vec!["x".into()],
                    table: (*target).to_owned(),
                    references: vec!["id".into()],
                })
                .collect(),
            constraints: BTreeSet::new(),
            indexes: BTreeSet::new(),
        }
    }

    #[test]
    fn referenced_first_puts_parents_before_children() {
        let ordered = referenced_first(vec![
            table("a_child", &["b_parent", "a_child"]),
            table("b_parent", &["c_root"]),
            table("c_root", &[]),
        ]);
        let names: Vec<&str> = ordered.iter().map(|table| table.name.as_str()).collect();
        assert_eq!(names, ["c_root", "b_parent", "a_child"]);
    }
}
