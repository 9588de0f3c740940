//! One narrow interface over both database engines, so every statement of the aggregates
//! is written once: [`Conn`] runs SQL with `?1`-style placeholders and typed [`Param`]s, and
//! hands back rows through [`Row`], whose getters treat an unexpected stored value as an
//! error rather than a default.
//!
//! The SQL is the common subset of SQLite 3.50 and PostgreSQL 15: `RETURNING`, `ON
//! CONFLICT`, `IS DISTINCT FROM`, `TRUE`/`FALSE`, `CAST(x AS BIGINT)` around sums (which are
//! `numeric` in PostgreSQL) and around parameters whose type only `IS NULL` would tell.
//! PostgreSQL placeholders (`$1`) are made from ours when a statement is first prepared.

use crate::error::{Error, Result};

/// [`Row`] getters that are the engine's own typed getter (`$get`), a bad value reported by
/// [`bad_value`].
macro_rules! typed_getters {
    ($get:ident: $($name:ident -> $ty:ty),* $(,)?) => {
        $(
            fn $name(&self, i: usize) -> Result<$ty> {
                self.$get(i).map_err(|e| bad_value(i, e))
            }
        )*
    };
}

mod pg;
mod sqlite;

pub use crate::location::Engine;
pub use pg::{
    connect_error, pg_failure, PgConn, PgFailure, PG_CONNECT_TIMEOUT, PG_SESSION,
    PG_WRITER_STATEMENT_TIMEOUT,
};

/// A statement parameter. Nulls are typed, because PostgreSQL checks every parameter's type.
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    Int(i64),
    OptInt(Option<i64>),
    Text(&'a str),
    OptText(Option<&'a str>),
    Bytes(&'a [u8]),
    Bool(bool),
    /// PostgreSQL arrays (`unnest` in one-statement batch writes); SQLite has none.
    Ints(&'a [i64]),
    OptInts(&'a [Option<i64>]),
    Texts(&'a [&'a str]),
    OptTexts(&'a [Option<&'a str>]),
    OptBytesList(&'a [Option<&'a [u8]>]),
}

impl From<i64> for Param<'_> {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(v: Option<i64>) -> Self {
        Param::OptInt(v)
    }
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(v: &'a str) -> Self {
        Param::Text(v)
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(v: &'a String) -> Self {
        Param::Text(v)
    }
}

impl<'a> From<&'a crate::keys::HorrorKey> for Param<'a> {
    fn from(key: &'a crate::keys::HorrorKey) -> Self {
        Param::Text(key.as_str())
    }
}

impl<'a> From<Option<&'a crate::keys::SiteKey>> for Param<'a> {
    fn from(key: Option<&'a crate::keys::SiteKey>) -> Self {
        Param::OptText(key.map(crate::keys::SiteKey::as_str))
    }
}

impl<'a> From<&'a crate::keys::SiteKey> for Param<'a> {
    fn from(key: &'a crate::keys::SiteKey) -> Self {
        Param::Text(key.as_str())
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Param::OptText(v)
    }
}

impl<'a> From<&'a [u8]> for Param<'a> {
    fn from(v: &'a [u8]) -> Self {
        Param::Bytes(v)
    }
}

impl From<bool> for Param<'_> {
    fn from(v: bool) -> Self {
        Param::Bool(v)
    }
}

/// `params![a, b, c]`: a slice of [`Param`]s from values that convert into one.
macro_rules! params {
    () => { &[] as &[$crate::store::db::Param<'_>] };
    ($($value:expr),+ $(,)?) => { &[$($crate::store::db::Param::from($value)),+] as &[$crate::store::db::Param<'_>] };
}
pub(crate) use params;

/// One result row. Every getter fails (as an internal error naming the column) when the
/// stored value has another type or is null where a value is required.
pub trait Row {
    fn int(&self, i: usize) -> Result<i64>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>>;
    fn text(&self, i: usize) -> Result<String>;
    fn opt_text(&self, i: usize) -> Result<Option<String>>;
    /// Text borrowed from the row (no copy): for readers of many rows.
    fn opt_str(&self, i: usize) -> Result<Option<&str>>;
    fn bytes(&self, i: usize) -> Result<Vec<u8>>;
    fn bool(&self, i: usize) -> Result<bool>;
}

/// What [`Conn::query`] calls with every row.
pub type EachRow<'a> = &'a mut dyn FnMut(&dyn Row) -> Result<()>;

/// A connection to either engine.
pub trait Conn: Send {
    fn engine(&self) -> Engine;
    /// Runs a statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64>;
    /// Runs a query, calling `each` for every row as it arrives (nothing is collected).
    fn query(&mut self, sql: &str, params: &[Param<'_>], each: EachRow<'_>) -> Result<()>;
    /// Runs statements without parameters (transaction control, schema).
    fn batch(&mut self, sql: &str) -> Result<()>;
    /// Opens the write transaction of a group: SQLite takes the write lock at once;
    /// PostgreSQL just begins (instances write concurrently: see [`Conn::slot`]).
    fn begin_write(&mut self) -> Result<()>;
    /// The rollup rows this connection's writes add to. PostgreSQL: a number the writer
    /// connection holds a session advisory lock on, so no two live instances share one
    /// and an instance frozen in the middle of a write holds no row another one needs
    /// (rollups are summed over slots when read). SQLite: always 0 (one writer per file).
    fn slot(&self) -> i64;
    /// Tells other instances, at commit, that cached state (`topic`) changed.
    fn notify(&mut self, topic: &str) -> Result<()>;
    /// Whether the connection can still be used (false after PostgreSQL went away).
    fn healthy(&mut self) -> bool;
    /// Rows inserted, changed or deleted through this connection so far (SQLite; 0 on
    /// PostgreSQL, where the writer does not ask): tells the writer whether a job that
    /// failed had written anything.
    fn changes(&self) -> u64;
    /// The rowid of the last row this connection inserted (SQLite; `None` on PostgreSQL,
    /// which answers ids with `RETURNING`).
    fn last_insert_id(&self) -> Option<i64>;
}

impl dyn Conn + '_ {
    /// The rows of a query, each turned into a `T` by `f`.
    pub fn rows<T>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        mut f: impl FnMut(&dyn Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.query(sql, params, &mut |row| {
            out.push(f(row)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query, if any.
    pub fn opt_row<T>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnOnce(&dyn Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut f = Some(f);
        let mut out = None;
        self.query(sql, params, &mut |row| {
            if let Some(f) = f.take() {
                out = Some(f(row)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// The one row a query must return.
    pub fn one_row<T>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnOnce(&dyn Row) -> Result<T>,
    ) -> Result<T> {
        self.opt_row(sql, params, f)?
            .ok_or_else(|| Error::internal("a query that returns one row returned none"))
    }
}

pub(super) fn bad_value(i: usize, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("unexpected stored value in column {i}: {e}"))
}
