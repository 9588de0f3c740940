//! Commands that look after the data: backup, migrate to PostgreSQL, check the rollup, doctor.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::Utc;

use super::serve::lock_db;
use super::{absolute, open_existing, stdout_done};
use crate::config;
use crate::error::{Error, Result};
use crate::store::Location;

/// `horrors backup`: a consistent copy of a SQLite database.
pub(super) fn backup(db: &Location, out: PathBuf) -> Result<()> {
    if let Location::Postgres { shown, .. } = db {
        return Err(Error::usage(format!(
            "backup copies SQLite files; back up {shown} with pg_dump (e.g. pg_dump -Fc -f horrors.dump DBNAME)"
        )));
    }
    let store = open_existing(db)?;
    store.backup(&out)?;
    say!("backed up {db} to {}", out.display());
    Ok(())
}

/// `horrors migrate`: a SQLite database copied into PostgreSQL and verified.
pub(super) fn migrate(db: &Location, to: String) -> Result<()> {
    let target = Location::parse(&to).map_err(|e| Error::usage(format!("--to: {e}")))?;
    if !matches!(target, Location::Postgres { .. }) {
        return Err(Error::usage(
            "--to: give the PostgreSQL database to copy into, postgres://user[:password]@host[:port]/dbname",
        ));
    }
    if !matches!(db, Location::Sqlite(_)) {
        return Err(Error::usage(
            "migrate copies from a SQLite database: give it with --db PATH (not a postgres:// URL)",
        ));
    }
    // A `serve` on this file would go on acknowledging writes that never reach
    // PostgreSQL: refuse while one runs, and keep one from starting meanwhile.
    let _lock = match db {
        Location::Sqlite(path) if path.exists() => Some(lock_db(path, |db| {
            format!(
                "a `horrors serve` is running on {}; stop it before migrating (it would go on writing to SQLite only)",
                absolute(db).display()
            )
        })?),
        _ => None,
    };
    let store = open_existing(db)?;
    let migrated = store.migrate_to(&target, crate::report::same_ranking)?;
    for (table, rows) in &migrated.rows {
        println!("{table:>18}  {rows:>9} rows");
    }
    let years: Vec<String> = migrated.years.iter().map(i32::to_string).collect();
    println!(
        "copied {db} into {target} and verified every table's row count and the ranking of {}",
        if years.is_empty() {
            "every year (there are no ticks)".to_string()
        } else {
            format!("each year with ticks ({})", years.join(", "))
        }
    );
    Ok(())
}

/// `horrors doctor`: checks the configuration, the storage and the host, as a table.
pub(super) fn doctor(config_path: &Path, db: &Location) -> Result<()> {
    let config = config::load(config_path).map_err(|e| e.to_string());
    let checks = crate::doctor::run(
        config_path,
        config.as_ref().map_err(String::as_str),
        db,
        Utc::now(),
    );
    stdout_done(std::io::stdout().write_all(crate::doctor::table(&checks).as_bytes()))?;
    let failed = checks
        .iter()
        .filter(|c| c.state == crate::doctor::State::Fail)
        .count();
    if failed > 0 {
        return Err(Error::internal(format!(
            "{failed} of {} checks failed",
            checks.len()
        )));
    }
    Ok(())
}

/// `horrors check`: the daily rollup against the ticks, rebuilt with `--repair`.
pub(super) fn check(db: &Location, repair: bool) -> Result<()> {
    let store = open_existing(db)?;
    let problems = store.check_rollup()?;
    if problems.is_empty() {
        println!(
            "ok: the daily rollup matches {} ticks",
            store.count_ticks()?
        );
        return Ok(());
    }
    if repair {
        store.rebuild_rollup()?;
        println!(
            "repaired: rebuilt the daily rollup ({} rows disagreed)",
            problems.len()
        );
        return Ok(());
    }
    Err(Error::internal(format!(
        "the daily rollup disagrees with the ticks in {} rows (first: {}); run `horrors check --repair`",
        problems.len(),
        problems[0]
    )))
}
