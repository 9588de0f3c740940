//! What only the SQLite engine needs: opening a file with the right pragmas, the
//! checkpoint thread, recovery after a full disk, a clean stop and online backups.

use std::path::{Path, PathBuf};
use std::sync::Weak;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::db::Conn;
use super::writer::Recover;
use crate::error::{Error, Result};

/// Free space the file system must have again before storage counts as writable.
pub const RECOVERY_FREE_BYTES: u64 = 1024 * 1024;

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // WAL + synchronous=FULL: a commit is on disk (WAL fsynced) before it returns,
    // so an acknowledged tick survives kill -9 and a power cut.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // After a checkpoint resets the WAL, it is cut back to 4 MiB, so space taken in a burst
    // (or before a full disk) goes back to the file system.
    conn.pragma_update(None, "journal_size_limit", 4 * 1024 * 1024)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Opens (creating if needed) the database file for writing.
pub fn open_writer(path: &Path) -> Result<Connection> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            return Err(Error::internal(format!(
                "{}: the folder {} does not exist",
                path.display(),
                parent.display()
            )));
        }
    }
    let conn = Connection::open(path)
        .map_err(|e| Error::internal(format!("{}: cannot open: {e}", path.display())))?;
    configure(&conn)?;
    Ok(conn)
}

/// After migrations: how the writer connection runs from then on.
pub fn tune_writer(conn: &Connection) -> Result<()> {
    // Most checkpoint work runs on its own thread, off the commit path. The writer still
    // checkpoints past 4000 pages (16 MiB): only a checkpoint run between its own
    // transactions lets the WAL restart, so the WAL stays bounded under constant writes.
    conn.pragma_update(None, "wal_autocheckpoint", 4000)?;
    conn.pragma_update(None, "cache_size", -32_768)?;
    Ok(())
}

/// A reader connection.
pub fn open_reader(path: &Path) -> Result<Box<dyn Conn>> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn)?;
    Ok(Box::new(conn))
}

/// After a full disk: truncates the WAL (it holds space the checkpoint has copied out) and
/// says whether the file system has [`RECOVERY_FREE_BYTES`] free again.
pub fn recover(path: PathBuf) -> Recover {
    Box::new(move |conn| {
        let _ = conn.one_row("PRAGMA wal_checkpoint(TRUNCATE)", &[], |r| r.int(0));
        // SQLite's own ceiling (`max_page_count`) counts as full too.
        let mut pragma = |name: &str| conn.one_row(name, &[], |r| r.int(0)).ok();
        if let (Some(count), Some(max), Some(size)) = (
            pragma("PRAGMA page_count"),
            pragma("PRAGMA max_page_count"),
            pragma("PRAGMA page_size"),
        ) {
            if (max - count).saturating_mul(size) < RECOVERY_FREE_BYTES as i64 {
                return false;
            }
        }
        match rustix::fs::statvfs(&path) {
            Ok(stat) => stat.f_bavail.saturating_mul(stat.f_frsize) >= RECOVERY_FREE_BYTES,
            // Cannot tell: let the next write find out.
            Err(_) => true,
        }
    })
}

/// Copies committed WAL frames into the database every half second (PASSIVE: never
/// blocks the writer or readers), so commits stay one WAL append and one fsync. Stops,
/// after a last full checkpoint, once `alive` cannot be upgraded.
pub fn start_checkpointer<T: Send + Sync + 'static>(path: &Path, alive: Weak<T>) -> Result<()> {
    let conn = Connection::open(path)?;
    configure(&conn)?;
    std::thread::Builder::new()
        .name("horrors-checkpoint".into())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_millis(500));
            if alive.upgrade().is_none() {
                let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                return;
            }
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "checkpoint failed");
            }
        })
        .map_err(|e| Error::internal(format!("cannot start the checkpoint thread: {e}")))?;
    Ok(())
}

/// A clean stop: copies the write-ahead log into the database file and truncates it,
/// so the `.db` file alone holds every acknowledged write.
pub fn close(path: &Path) -> Result<()> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let (busy, _, _): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    if busy != 0 {
        return Err(Error::internal(
            "the write-ahead log could not be checkpointed: the database is busy",
        ));
    }
    Ok(())
}

/// A consistent, compact copy of the database while it is in use: `VACUUM INTO` reads
/// one snapshot in one read transaction, so steady writes neither restart nor block it
/// (SQLite's online backup API restarts on every commit). Written atomically to `out`.
pub fn backup(path: &Path, out: &Path) -> Result<()> {
    crate::output::write_path_atomically(out, |temp| {
        let temp = temp
            .to_str()
            .ok_or_else(|| Error::internal(format!("{}: not a UTF-8 path", out.display())))?;
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        configure(&conn)?;
        conn.execute("VACUUM INTO ?1", [temp])?;
        Ok(())
    })
}
