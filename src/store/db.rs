//! One narrow interface over both database engines, so every statement of the aggregates
//! is written once: [`Conn`] runs SQL with `?1`-style placeholders and typed [`Param`]s, and
//! hands back rows through [`Row`], whose getters treat an unexpected stored value as an
//! error rather than a default.
//!
//! The SQL is the common subset of SQLite 3.50 and PostgreSQL 15: `RETURNING`, `ON
//! CONFLICT`, `IS DISTINCT FROM`, `TRUE`/`FALSE`, `CAST(x AS BIGINT)` around sums (which are
//! `numeric` in PostgreSQL) and around parameters whose type only `IS NULL` would tell.
//! PostgreSQL placeholders (`$1`) are made from ours when a statement is first prepared.

use std::collections::HashMap;
use std::time::Duration;

use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type};

use crate::error::{Error, Result};

/// Which engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

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

/// A connection to either engine.
pub trait Conn: Send {
    fn engine(&self) -> Engine;
    /// Runs a statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64>;
    /// Runs a query, calling `each` for every row as it arrives (nothing is collected).
    fn query(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()>;
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

fn bad_value(i: usize, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("unexpected stored value in column {i}: {e}"))
}

// ---------------------------------------------------------------- SQLite

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
    fn int(&self, i: usize) -> Result<i64> {
        self.get(i).map_err(|e| bad_value(i, e))
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        self.get(i).map_err(|e| bad_value(i, e))
    }
    fn text(&self, i: usize) -> Result<String> {
        self.get(i).map_err(|e| bad_value(i, e))
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        self.get(i).map_err(|e| bad_value(i, e))
    }
    fn opt_str(&self, i: usize) -> Result<Option<&str>> {
        self.get_ref(i)
            .and_then(|v| v.as_str_or_null().map_err(Into::into))
            .map_err(|e| bad_value(i, e))
    }
    fn bytes(&self, i: usize) -> Result<Vec<u8>> {
        self.get(i).map_err(|e| bad_value(i, e))
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

    fn query(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
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
            Error::StorageUnavailable
        } else {
            Error::Storage(e.to_string())
        }
    }
}

// ---------------------------------------------------------------- PostgreSQL

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Param::Int(v) => v.to_sql(ty, out),
            Param::OptInt(v) => v.to_sql(ty, out),
            Param::Text(v) => v.to_sql(ty, out),
            Param::OptText(v) => v.to_sql(ty, out),
            Param::Bytes(v) => v.to_sql(ty, out),
            Param::Bool(v) => v.to_sql(ty, out),
            Param::Ints(v) => v.to_sql(ty, out),
            Param::OptInts(v) => v.to_sql(ty, out),
            Param::Texts(v) => v.to_sql(ty, out),
            Param::OptTexts(v) => v.to_sql(ty, out),
            Param::OptBytesList(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn to_sql_checked(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Param::Int(v) => v.to_sql_checked(ty, out),
            Param::OptInt(v) => v.to_sql_checked(ty, out),
            Param::Text(v) => v.to_sql_checked(ty, out),
            Param::OptText(v) => v.to_sql_checked(ty, out),
            Param::Bytes(v) => v.to_sql_checked(ty, out),
            Param::Bool(v) => v.to_sql_checked(ty, out),
            Param::Ints(v) => v.to_sql_checked(ty, out),
            Param::OptInts(v) => v.to_sql_checked(ty, out),
            Param::Texts(v) => v.to_sql_checked(ty, out),
            Param::OptTexts(v) => v.to_sql_checked(ty, out),
            Param::OptBytesList(v) => v.to_sql_checked(ty, out),
        }
    }
}

impl Row for postgres::Row {
    fn int(&self, i: usize) -> Result<i64> {
        self.try_get(i).map_err(|e| bad_value(i, e))
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        self.try_get(i).map_err(|e| bad_value(i, e))
    }
    fn text(&self, i: usize) -> Result<String> {
        self.try_get(i).map_err(|e| bad_value(i, e))
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        self.try_get(i).map_err(|e| bad_value(i, e))
    }
    fn opt_str(&self, i: usize) -> Result<Option<&str>> {
        self.try_get(i).map_err(|e| bad_value(i, e))
    }
    fn bytes(&self, i: usize) -> Result<Vec<u8>> {
        self.try_get(i).map_err(|e| bad_value(i, e))
    }
    fn bool(&self, i: usize) -> Result<bool> {
        self.try_get(i).map_err(|e| bad_value(i, e))
    }
}

/// A PostgreSQL connection with its prepared statements.
pub struct PgConn {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
    /// The rollup slot this (writer) connection holds; 0 on readers, which never write.
    slot: i64,
}

/// How long a PostgreSQL connection attempt may take.
pub const PG_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Every connection's limits. Nothing one instance holds may stall another's ticks for
/// more than a second, so waits for a lock end after 500 ms (503 `overloaded`), and a
/// transaction left open by a frozen or vanished client is ended after 5 s.
pub const PG_SESSION: &str = "SET lock_timeout = '500ms'; \
     SET idle_in_transaction_session_timeout = '5s'";

/// The writer's limit on one statement (maintenance that rewrites every tick lifts it
/// for its own transaction). Readers have none: an annual export streams for long.
pub const PG_WRITER_STATEMENT_TIMEOUT: &str = "SET statement_timeout = '10s'";

/// The advisory lock class of rollup slots (key 2 is the slot number).
const SLOT_LOCKS: i32 = 0x686f_7272;
/// More slots than instances will ever run at once.
const MAX_SLOTS: i32 = 4096;

impl PgConn {
    pub fn connect(config: &super::pg_tls::PgConfig) -> Result<PgConn> {
        let mut config = config.clone();
        config
            .connect_timeout(PG_CONNECT_TIMEOUT)
            .keepalives_idle(Duration::from_secs(30));
        let mut client = config.connect()?;
        client.batch_execute(PG_SESSION)?;
        Ok(PgConn {
            client,
            statements: HashMap::new(),
            slot: 0,
        })
    }

    /// A writer connection: [`PgConn::connect`], the statement limit, and the first free
    /// rollup slot, held (by a session advisory lock) for as long as the connection lives.
    pub fn connect_writer(config: &super::pg_tls::PgConfig) -> Result<PgConn> {
        let mut conn = PgConn::connect(config)?;
        conn.client.batch_execute(PG_WRITER_STATEMENT_TIMEOUT)?;
        let row = conn.client.query_opt(
            "SELECT s FROM generate_series(0, $2 - 1) AS s WHERE pg_try_advisory_lock($1, s) LIMIT 1",
            &[&SLOT_LOCKS, &MAX_SLOTS],
        )?;
        let slot: i32 = row
            .ok_or_else(|| Error::internal(format!("all {MAX_SLOTS} rollup slots are taken")))?
            .get(0);
        conn.slot = slot.into();
        Ok(conn)
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(stmt) = self.statements.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.client.prepare(&dollar_placeholders(sql))?;
        self.statements.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    /// The underlying client (LISTEN, COPY-free bulk work in `migrate`).
    pub fn client(&mut self) -> &mut postgres::Client {
        &mut self.client
    }
}

/// `?1` → `$1` (our SQL has no `?` anywhere else).
fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

impl Conn for PgConn {
    fn engine(&self) -> Engine {
        Engine::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        let stmt = self.statement(sql)?;
        let args: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        Ok(self.client.execute(&stmt, &args)?)
    }

    fn query(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        use postgres::fallible_iterator::FallibleIterator;
        let stmt = self.statement(sql)?;
        let mut rows = self
            .client
            .query_raw(&stmt, params.iter().map(|p| p as &dyn ToSql))?;
        while let Some(row) = rows.next()? {
            each(&row)?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.client.batch_execute(sql)?;
        Ok(())
    }

    fn begin_write(&mut self) -> Result<()> {
        self.client.batch_execute("BEGIN")?;
        Ok(())
    }

    fn slot(&self) -> i64 {
        self.slot
    }

    fn notify(&mut self, topic: &str) -> Result<()> {
        self.execute("SELECT pg_notify('horrors', ?1)", params![topic])?;
        Ok(())
    }

    fn healthy(&mut self) -> bool {
        !self.client.is_closed()
    }

    fn changes(&self) -> u64 {
        0
    }
}

/// What a PostgreSQL failure means for the request that met it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgFailure {
    /// The server, the connection or the session is gone or out of resources: 503
    /// `storage_unavailable` until it is back.
    Unavailable,
    /// A wait ran out or a concurrent writer got there first (a lock held elsewhere, a
    /// statement timeout, a serialization failure or deadlock, a unique key committed
    /// meanwhile by another instance): 503 `overloaded`, retry.
    Busy,
    /// Anything else is a bug of ours (a constraint our checks should have kept, bad SQL).
    Other,
}

/// A failed connection attempt: refused (a wrong password, no such database) rather than
/// unreachable says PostgreSQL's reason; shutting down, starting up or out of connections
/// is unavailable, as when the server cannot be reached at all.
pub fn connect_error(e: postgres::Error) -> Error {
    match (e.as_db_error(), pg_failure(&e)) {
        (Some(db), PgFailure::Unavailable | PgFailure::Other)
            if !["57", "53", "08"].contains(&&db.code().code()[..2]) =>
        {
            Error::Storage(db.message().to_string())
        }
        _ => Error::from(e),
    }
}

/// Classifies an error by SQLSTATE class, severity and the state of the connection.
pub fn pg_failure(e: &postgres::Error) -> PgFailure {
    use postgres::error::Severity;
    let io = std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>());
    if e.is_closed() || io {
        return PgFailure::Unavailable;
    }
    let Some(db) = e.as_db_error() else {
        // Not from the server: our own parameters or columns (a bug), else a protocol,
        // TLS, authentication or connection-level failure.
        let ours = [
            "error serializing",
            "error deserializing",
            "invalid column",
            "expected ",
            "query returned",
        ];
        let message = e.to_string();
        return if ours.iter().any(|p| message.starts_with(p)) {
            PgFailure::Other
        } else {
            PgFailure::Unavailable
        };
    };
    // FATAL and PANIC end the session (terminated, timed out, server shutting down).
    if matches!(
        db.parsed_severity(),
        Some(Severity::Fatal | Severity::Panic)
    ) {
        return PgFailure::Unavailable;
    }
    let code = db.code().code();
    match &code[..2] {
        // Connection exception, insufficient resources, operator intervention (shutdown,
        // terminated backend, idle session timeout), system error (I/O), internal error.
        "08" | "53" | "58" | "XX" => PgFailure::Unavailable,
        "57" if code == "57014" => PgFailure::Busy, // statement timeout or cancel
        "57" => PgFailure::Unavailable,
        // Serialization failure and deadlock.
        "40" => PgFailure::Busy,
        // Lock not available (lock_timeout).
        "55" if code == "55P03" => PgFailure::Busy,
        // Idle-in-transaction timeout and a transaction already aborted under us.
        "25" if code == "25P03" => PgFailure::Unavailable,
        // Unique violation: our inserts check or use ON CONFLICT first, so only a
        // concurrent writer committing the same key meanwhile gets here.
        "23" if code == "23505" => PgFailure::Busy,
        _ => PgFailure::Other,
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        match pg_failure(&e) {
            PgFailure::Unavailable => Error::StorageUnavailable,
            PgFailure::Busy => Error::Overloaded,
            PgFailure::Other => Error::Storage(match e.as_db_error() {
                Some(db) => format!("{} ({}): {}", db.code().code(), db.severity(), db.message()),
                None => e.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_and_nothing_else_changes() {
        assert_eq!(
            dollar_placeholders("SELECT ?1, ?12 FROM t WHERE a = '?' AND b = ?2"),
            "SELECT $1, $12 FROM t WHERE a = '?' AND b = $2"
        );
    }

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
