//! The PostgreSQL side of [`Conn`]: parameters, rows, prepared statements, the session's
//! limits and what a failure means for the request that met it.

use std::collections::HashMap;
use std::time::Duration;

use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type};

use super::{bad_value, params, Conn, EachRow, Engine, Param, Row};
use crate::error::{Error, Result};

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
    typed_getters!(try_get:
        int -> i64,
        opt_int -> Option<i64>,
        text -> String,
        opt_text -> Option<String>,
        opt_str -> Option<&str>,
        bytes -> Vec<u8>,
        bool -> bool,
    );
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
    pub fn connect(config: &crate::location::PgConfig) -> Result<PgConn> {
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
    pub fn connect_writer(config: &crate::location::PgConfig) -> Result<PgConn> {
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

    fn query(&mut self, sql: &str, params: &[Param<'_>], each: EachRow<'_>) -> Result<()> {
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

    fn last_insert_id(&self) -> Option<i64> {
        None
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
            PgFailure::Unavailable => Error::unavailable(match e.as_db_error() {
                Some(db) => format!("{} ({}): {}", db.code().code(), db.severity(), db.message()),
                None => e.to_string(),
            }),
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
}
