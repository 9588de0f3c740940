//! `horrors migrate --to`: copies a SQLite database into an empty PostgreSQL database in
//! one transaction, then proves the copy (row counts, and every year's ranking).

use std::collections::BTreeMap;

use rusqlite::types::Value;

use super::db::{params, Conn, Param};
use super::schema::TABLES;
use super::{Location, Store};
use crate::error::{Error, Result};

/// What a migration copied and checked.
#[derive(Debug, Default)]
pub struct Migrated {
    /// Rows per table, in copy order.
    pub rows: Vec<(&'static str, i64)>,
    /// Years whose rankings were compared and found identical.
    pub years: Vec<i32>,
}

/// Rows per INSERT statement (PostgreSQL allows 65,535 parameters per statement).
const ROWS_PER_INSERT: usize = 500;

/// Copies `source` (a SQLite store) into the empty PostgreSQL database at `target`. When
/// the copy cannot be verified, it is removed again: the target is left empty.
/// `same_year` compares a year's ranking on the source and on the copy (the store knows
/// rows, not rankings: the command that migrates passes `report::same_ranking`).
pub fn to_postgres(source: &Store, target: &Location, same_year: SameYear) -> Result<Migrated> {
    copy_and_verify(source, target, &|source, target, rows| {
        verify(source, target, rows, same_year)
    })
}

/// Whether a year reads the same on the source and on the copy.
pub type SameYear = fn(&Store, &Store, i32) -> Result<bool>;

/// How a copy is proved (a parameter so tests can make verification fail).
type Verify<'a> = &'a dyn Fn(&Store, &Location, &[(&'static str, i64)]) -> Result<Vec<i32>>;

fn copy_and_verify(source: &Store, target: &Location, verify: Verify<'_>) -> Result<Migrated> {
    let Location::Postgres { config, shown } = target else {
        return Err(Error::internal(
            "--to: give the PostgreSQL database to copy into, postgres://user[:password]@host[:port]/dbname",
        ));
    };
    let Some(path) = source.path() else {
        return Err(Error::internal(
            "migrate copies from a SQLite database (--db)",
        ));
    };
    let mut conn = super::postgres::connect(config, shown)?;
    let pg: &mut dyn Conn = &mut conn;
    super::schema::migrate(pg)?;
    for table in TABLES {
        if pg.one_row(&format!("SELECT COUNT(*) FROM {table}"), params![], |r| {
            r.int(0)
        })? > 0
        {
            return Err(Error::internal(format!(
                "{shown} is not empty (table {table} has rows); migrate copies into an empty database only"
            )));
        }
    }
    let sqlite =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    // One read transaction: the copy is one consistent snapshot even if a server writes.
    sqlite.execute_batch("BEGIN")?;
    pg.batch("BEGIN")?;
    let copied = (|| -> Result<Vec<(&'static str, i64)>> {
        let mut rows = Vec::new();
        for table in TABLES {
            rows.push((*table, copy_table(&sqlite, pg, table)?));
        }
        for table in TABLES {
            let has_id = pg.one_row(
                "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = ?1 AND column_name = 'id' AND is_identity = 'YES'",
                params![*table],
                |r| r.int(0),
            )? > 0;
            if has_id {
                pg.batch(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                ))?;
            }
        }
        Ok(rows)
    })();
    let rows = match copied {
        Ok(rows) => {
            pg.batch("COMMIT")?;
            rows
        }
        Err(e) => {
            let _ = pg.batch("ROLLBACK");
            return Err(e);
        }
    };
    sqlite.execute_batch("COMMIT")?;
    // The verification reads the copy through a store of its own, so the copy must be
    // committed first; a failed verification removes it again.
    match verify(source, target, &rows) {
        Ok(years) => Ok(Migrated { rows, years }),
        Err(e) => {
            let emptied = pg.batch(&format!(
                "TRUNCATE {} RESTART IDENTITY CASCADE",
                TABLES.join(", ")
            ));
            Err(Error::internal(match emptied {
                Ok(()) => format!("{e}; the copy was removed, {shown} is empty again"),
                Err(again) => format!(
                    "{e}; removing the copy failed too ({again}): empty {shown} before trying again"
                ),
            }))
        }
    }
}

/// The PostgreSQL types of a table's columns, by name.
fn column_types(pg: &mut dyn Conn, table: &str) -> Result<BTreeMap<String, String>> {
    Ok(pg
        .rows(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?1",
            params![table],
            |r| Ok((r.text(0)?, r.text(1)?)),
        )?
        .into_iter()
        .collect())
}

fn copy_table(sqlite: &rusqlite::Connection, pg: &mut dyn Conn, table: &str) -> Result<i64> {
    let types = column_types(pg, table)?;
    let mut stmt = sqlite.prepare(&format!("SELECT * FROM {table}"))?;
    let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let kinds: Vec<String> = columns
        .iter()
        .map(|c| {
            types.get(c).cloned().ok_or_else(|| {
                Error::internal(format!(
                    "{table}.{c} has no column in PostgreSQL; upgrade horrors"
                ))
            })
        })
        .collect::<Result<_>>()?;
    let mut rows = stmt.query([])?;
    let mut batch: Vec<Vec<Value>> = Vec::new();
    let mut count = 0;
    while let Some(row) = rows.next()? {
        batch.push(
            (0..columns.len())
                .map(|i| row.get(i))
                .collect::<rusqlite::Result<_>>()?,
        );
        if batch.len() == ROWS_PER_INSERT {
            count += insert(pg, table, &columns, &kinds, &batch)?;
            batch.clear();
        }
    }
    count += insert(pg, table, &columns, &kinds, &batch)?;
    Ok(count)
}

fn insert(
    pg: &mut dyn Conn,
    table: &str,
    columns: &[String],
    kinds: &[String],
    rows: &[Vec<Value>],
) -> Result<i64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for (r, _) in rows.iter().enumerate() {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns.len() {
            n += 1;
            sql.push_str(&format!("{}?{n}", if c == 0 { "" } else { ", " }));
        }
        sql.push(')');
    }
    let mut params = Vec::with_capacity(n);
    for row in rows {
        for (value, kind) in row.iter().zip(kinds) {
            params.push(param(value, kind, table)?);
        }
    }
    pg.execute(&sql, &params)?;
    Ok(rows.len() as i64)
}

/// A SQLite value as the parameter the PostgreSQL column takes.
fn param<'a>(value: &'a Value, kind: &str, table: &str) -> Result<Param<'a>> {
    Ok(match (value, kind) {
        (Value::Null, "boolean") => Param::OptInt(None),
        (Value::Null, "bigint") => Param::OptInt(None),
        (Value::Null, _) => Param::OptText(None),
        (Value::Integer(v), "bigint") => Param::Int(*v),
        (Value::Integer(v), "boolean") => Param::Bool(*v != 0),
        (Value::Text(v), "text") => Param::Text(v),
        (Value::Blob(v), "bytea") => Param::Bytes(v),
        (other, kind) => {
            return Err(Error::internal(format!(
                "{table}: a stored {other:?} does not fit a {kind} column"
            )))
        }
    })
}

/// Counts every table on both sides and compares the ranking of every year with ticks.
fn verify(
    source: &Store,
    target: &Location,
    rows: &[(&'static str, i64)],
    same_year: SameYear,
) -> Result<Vec<i32>> {
    let copy = Store::open_at(target, std::sync::Arc::clone(&source.inner.clock))?;
    for (table, count) in rows {
        let there = copy.read(|c| {
            c.one_row(&format!("SELECT COUNT(*) FROM {table}"), params![], |r| {
                r.int(0)
            })
        })?;
        if there != *count {
            return Err(Error::internal(format!(
                "verification failed: {table} has {count} rows in SQLite but {there} in PostgreSQL"
            )));
        }
    }
    let years: Vec<i32> = source.read(|c| {
        c.rows(
            "SELECT DISTINCT CAST(substr(day, 1, 4) AS INTEGER) FROM ticks ORDER BY 1",
            params![],
            |r| Ok(r.int(0)? as i32),
        )
    })?;
    for year in &years {
        if !same_year(source, &copy, *year)? {
            return Err(Error::internal(format!(
                "verification failed: the {year} ranking differs between SQLite and PostgreSQL"
            )));
        }
    }
    Ok(years)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn fail(_: &Store, _: &Location, _: &[(&'static str, i64)]) -> Result<Vec<i32>> {
        Err(Error::internal("verification failed: made to fail"))
    }

    #[test]
    #[ignore = "needs PostgreSQL: HORRORS_TEST_DATABASE_URL, run with --ignored on_postgres"]
    fn a_failed_verification_leaves_the_target_empty_on_postgres() {
        let target =
            Location::parse(&crate::store::tests::fresh_postgres("migrate_fails")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let source = Store::open(&dir.path().join("horrors.db")).unwrap();
        let config = crate::config::parse(include_str!("../../tests/fixtures/horrors.toml"));
        source.apply_config(&config.unwrap()).unwrap();
        source.create_token("boss", Role::Admin).unwrap();
        let error = copy_and_verify(&source, &target, &fail).unwrap_err();
        assert!(error.to_string().contains("is empty again"), "{error}");
        let copy = Store::open_at(&target, std::sync::Arc::new(crate::clock::SystemClock)).unwrap();
        for table in TABLES {
            let rows = copy
                .read(|c| {
                    c.one_row(&format!("SELECT COUNT(*) FROM {table}"), params![], |r| {
                        r.int(0)
                    })
                })
                .unwrap();
            assert_eq!(rows, 0, "{table}");
        }
        drop(copy);
        // And the same target takes a real migration afterwards.
        let migrated = to_postgres(&source, &target, crate::report::same_ranking).unwrap();
        assert!(migrated.rows.iter().any(|(t, n)| *t == "tokens" && *n == 1));
    }
}
