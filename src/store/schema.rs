//! The schema of each engine, as numbered migrations embedded in the binary. SQLite tracks
//! its version in `PRAGMA user_version`; PostgreSQL in `schema_version`, migrated under an
//! advisory lock so that instances starting together migrate once.

use super::db::{params, Conn, Engine};
use crate::error::{Error, Result};

/// Migration `i` brings the schema from version `i` to `i + 1`.
const SQLITE: &[&str] = &[
    include_str!("migrations/sqlite/0001_catalogue_tokens_ticks.sql"),
    include_str!("migrations/sqlite/0002_sessions_cycles.sql"),
    include_str!("migrations/sqlite/0003_alert_deliveries.sql"),
    include_str!("migrations/sqlite/0004_sites_volume.sql"),
    include_str!("migrations/sqlite/0005_daily_all.sql"),
    include_str!("migrations/sqlite/0006_rollup_slots.sql"),
    include_str!("migrations/sqlite/0007_method.sql"),
    include_str!("migrations/sqlite/0008_enrolments.sql"),
    include_str!("migrations/sqlite/0009_alert_episodes.sql"),
    include_str!("migrations/sqlite/0010_oidc.sql"),
    include_str!("migrations/sqlite/0011_rollup_by_site.sql"),
    include_str!("migrations/sqlite/0012_source_check.sql"),
];

/// The same tables in PostgreSQL's types (`BIGINT`, `BOOLEAN`, `BYTEA`, identities).
const POSTGRES: &[&str] = &[
    include_str!("migrations/postgres/0001_catalogue_tokens_ticks.sql"),
    include_str!("migrations/postgres/0002_sessions_cycles.sql"),
    include_str!("migrations/postgres/0003_alert_deliveries.sql"),
    include_str!("migrations/postgres/0004_sites_volume.sql"),
    include_str!("migrations/postgres/0005_daily_all.sql"),
    include_str!("migrations/postgres/0006_rollup_slots.sql"),
    include_str!("migrations/postgres/0007_method.sql"),
    include_str!("migrations/postgres/0008_enrolments.sql"),
    include_str!("migrations/postgres/0009_alert_episodes.sql"),
    include_str!("migrations/postgres/0010_oidc.sql"),
    include_str!("migrations/postgres/0011_rollup_by_site.sql"),
];

/// The advisory lock key held while PostgreSQL migrates.
const MIGRATION_LOCK: i64 = 0x0068_6f72_726f_7201;

/// Every table, parents before children (the order `migrate --to` copies in).
pub const TABLES: &[&str] = &[
    "meta",
    "horrors",
    "catalogue_history",
    "tokens",
    "oidc_accounts",
    "sheets",
    "ticks",
    "idempotency",
    "daily",
    "daily_all",
    "sessions",
    "cycles",
    "cycle_focus",
    "alert_deliveries",
    "volume",
    "nominations",
    "nomination_support",
];

/// The schema version this binary migrates `engine` to.
pub fn latest(engine: Engine) -> usize {
    match engine {
        Engine::Sqlite => SQLITE.len(),
        Engine::Postgres => POSTGRES.len(),
    }
}

/// Applies every migration the database has not seen, each in its own transaction.
pub fn migrate(conn: &mut dyn Conn) -> Result<()> {
    match conn.engine() {
        Engine::Sqlite => {
            let version = conn.one_row("PRAGMA user_version", params![], |r| r.int(0))?;
            apply(conn, SQLITE, version, |conn, v| {
                conn.batch(&format!("PRAGMA user_version = {v}"))
            })
        }
        Engine::Postgres => {
            // Another instance may be migrating a large database: wait for it, and let
            // migrations take their time (the session's usual limits come back after).
            conn.batch("SET lock_timeout = '10min'; SET statement_timeout = 0")?;
            conn.execute("SELECT pg_advisory_lock(?1)", params![MIGRATION_LOCK])?;
            let applied = (|| {
                conn.batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
                let version = conn
                    .opt_row("SELECT version FROM schema_version", params![], |r| {
                        r.int(0)
                    })?
                    .unwrap_or(0);
                apply(conn, POSTGRES, version, |conn, v| {
                    conn.execute("DELETE FROM schema_version", params![])?;
                    conn.execute(
                        "INSERT INTO schema_version (version) VALUES (?1)",
                        params![v as i64],
                    )?;
                    Ok(())
                })
            })();
            conn.execute("SELECT pg_advisory_unlock(?1)", params![MIGRATION_LOCK])?;
            conn.batch(super::db::PG_SESSION)?;
            conn.batch(super::db::PG_WRITER_STATEMENT_TIMEOUT)?;
            applied
        }
    }
}

fn apply(
    conn: &mut dyn Conn,
    migrations: &[&str],
    version: i64,
    record: impl Fn(&mut dyn Conn, usize) -> Result<()>,
) -> Result<()> {
    let known = migrations.len();
    if version < 0 || version as usize > known {
        return Err(Error::internal(format!(
            "the database has schema version {version}, newer than this binary's {known}; upgrade horrors"
        )));
    }
    for (i, sql) in migrations.iter().enumerate().skip(version as usize) {
        conn.batch("BEGIN")?;
        let step = conn.batch(sql).and_then(|()| record(conn, i + 1));
        match step {
            Ok(()) => conn.batch("COMMIT")?,
            Err(e) => {
                let _ = conn.batch("ROLLBACK");
                return Err(e);
            }
        }
    }
    Ok(())
}
