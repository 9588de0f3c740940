//! A look at a database without changing it (`horrors doctor`): does it answer, which
//! schema version it has against the binary's, and what time it thinks it is.

use chrono::{DateTime, Utc};

use super::db::{params, Engine};
use super::{instant, schema, Location};
use crate::error::Result;

/// What [`probe`] found.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The schema version the database is at (0: never migrated).
    pub version: i64,
    /// The version this binary migrates to.
    pub latest: usize,
    /// The database server's clock (PostgreSQL); SQLite runs in this process.
    pub server_now: Option<DateTime<Utc>>,
}

/// Connects as a reader (never creating or migrating anything) and looks.
pub fn probe(location: &Location) -> Result<Probe> {
    let mut conn = location.open_reader()?;
    let conn = &mut *conn;
    let (version, server_now) = match conn.engine() {
        Engine::Sqlite => (
            conn.one_row("PRAGMA user_version", params![], |r| r.int(0))?,
            None,
        ),
        Engine::Postgres => {
            let exists = conn.one_row(
                "SELECT to_regclass('schema_version') IS NOT NULL",
                params![],
                |r| r.bool(0),
            )?;
            let version = if exists {
                conn.opt_row("SELECT version FROM schema_version", params![], |r| {
                    r.int(0)
                })?
                .unwrap_or(0)
            } else {
                0
            };
            let ms = conn.one_row(
                "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
                params![],
                |r| r.int(0),
            )?;
            (version, Some(instant(ms)))
        }
    };
    Ok(Probe {
        version,
        latest: schema::latest(location.engine()),
        server_now,
    })
}
