//! The SQLite side of [`Conn`]: parameters, rows and errors of `rusqlite`.

use super::{bad_value, Conn, EachRow, Engine, Param, Row};
use crate::error::{Error, Result};

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match *self {
            Param::Int(v) => ToSqlOutput::Owned(Value::Integer(v)),
            Param::OptInt(Some(v)) => ToSqlOutput::Owned(Value::Integer(v)),
            Param::OptInt(None) | Param::OptText(None) => ToSqlOutput::Owned(Value::Null),
            Param::Text(v) | Param::OptText(Some(v)) => {
                ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes()))
            }
            Param::Bytes(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
            Param::Bool(v) => ToSqlOutput::Owned(Value::Integer(v.into())),
            Param::Ints(_)
            | Param::OptInts(_)
            | Param::Texts(_)
            | Param::OptTexts(_)
            | Param::OptBytesList(_) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "SQLite has no array parameters".into(),
                ))
            }
        })
    }
}

impl Row for rusqlite::Row<'_> {
    typed_getters!(get:
        int -> i64,
        opt_int -> Option<i64>,
        text -> String,
        opt_text -> Option<String>,
        bytes -> Vec<u8>,
    );
    fn opt_str(&self, i: usize) -> Result<Option<&str>> {
        self.get_ref(i)
            .and_then(|v| v.as_str_or_null().map_err(Into::into))
            .map_err(|e| bad_value(i, e))
    }
    fn bool(&self, i: usize) -> Result<bool> {
        match self.get::<_, i64>(i).map_err(|e| bad_value(i, e))? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(bad_value(i, format!("{other} is not a boolean"))),
        }
    }
}

impl Conn for rusqlite::Connection {
    fn engine(&self) -> Engine {
        Engine::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        let changed = self
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(params))?;
        Ok(changed as u64)
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>], each: EachRow<'_>) -> Result<()> {
        let mut stmt = self.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            each(row)?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        if sql.contains(';') {
            self.execute_batch(sql)?;
        } else {
            // One statement (transaction control on every write): prepared once, kept.
            self.prepare_cached(sql)?.raw_execute()?;
        }
        Ok(())
    }

    fn begin_write(&mut self) -> Result<()> {
        self.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        Ok(())
    }

    fn slot(&self) -> i64 {
        0
    }

    fn notify(&mut self, _topic: &str) -> Result<()> {
        // One process serves a SQLite file; others (the CLI) are seen through cache TTLs.
        Ok(())
    }

    fn healthy(&mut self) -> bool {
        true
    }

    fn changes(&self) -> u64 {
        self.total_changes()
    }

    fn last_insert_id(&self) -> Option<i64> {
        Some(self.last_insert_rowid())
    }
}

/// Whether `e` means another connection holds the write lock (retry shortly).
fn sqlite_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Whether `e` means storage is full or cannot be written (disk full, quota, I/O error,
/// read-only file system): writes answer 503 `storage_unavailable` until it passes.
fn sqlite_full(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(
            rusqlite::ErrorCode::DiskFull
                | rusqlite::ErrorCode::SystemIoFailure
                | rusqlite::ErrorCode::ReadOnly
                | rusqlite::ErrorCode::CannotOpen
        )
    )
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        if sqlite_busy(&e) {
            Error::Overloaded
        } else if sqlite_full(&e) {
            Error::unavailable(e.to_string())
        } else {
            Error::Storage(e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::params;

    #[test]
    fn sqlite_rows_refuse_values_of_another_type() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        let conn: &mut dyn Conn = &mut conn;
        let (n, flag) = conn
            .one_row("SELECT 'x', 2", params![], |row| {
                Ok((row.int(0), row.bool(1)))
            })
            .unwrap();
        assert!(n.unwrap_err().to_string().contains("column 0"));
        assert!(flag.unwrap_err().to_string().contains("not a boolean"));
    }
}
