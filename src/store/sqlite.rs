//! What only the SQLite engine needs: opening a file with the right pragmas, the
//! checkpoint thread, recovery after a full disk, a clean stop and online backups.

use std::path::{Path, PathBuf};
use std::sync::Weak;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::db::Conn;
use super::writer::{Admit, Recover};
use crate::error::{Error, Result};

/// The flood stage: beyond what a checkpoint of the write-ahead log may still need, the
/// file system must keep this much free for a write group to start. Writes stop (503
/// `storage_unavailable`) below it, so the checkpoint can always finish and give the WAL's
/// space back; they resume by themselves once it is free again.
pub const FLOOD_MARGIN: u64 = 2 * 1024 * 1024;

/// How much of the write-ahead log is kept after a checkpoint resets it.
const WAL_KEPT_BYTES: i64 = 32 * 1024 * 1024;

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // WAL + synchronous=FULL: a commit is on disk (WAL fsynced) before it returns,
    // so an acknowledged tick survives kill -9 and a power cut.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // After a checkpoint resets the WAL, it is cut back to 32 MiB, so space taken in a burst
    // (or before a full disk) goes back to the file system. Steady load keeps the WAL below
    // that (the checkpointer copies it every half second, the writer past 16 MiB): a WAL
    // cut shorter would grow again by appends, and a commit that extends the file makes its
    // fsync write the file's size too (p99 of ticks 12 ms with a 4 MiB limit, see
    // docs/performance.md).
    conn.pragma_update(None, "journal_size_limit", WAL_KEPT_BYTES)?;
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

/// Free bytes on the file system that holds `path` (None when it cannot be told).
fn free_bytes(path: &Path) -> Option<u64> {
    let stat = rustix::fs::statvfs(path).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// The `-wal` file beside the database.
fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Whether a write group may start: the file system has room for a checkpoint of the whole
/// write-ahead log plus [`FLOOD_MARGIN`]. Checked before every group: the cheap test (free
/// space against the WAL file's size) passes almost always; below it, the writer
/// checkpoints and truncates the WAL itself and counts only the frames a checkpoint still
/// has to copy. A burst thus stops at the flood stage instead of filling the disk with a WAL
/// that can no longer be checkpointed.
pub fn admit(path: PathBuf) -> Admit {
    let wal = wal_path(&path);
    Box::new(move |conn| {
        let Some(free) = free_bytes(&path) else {
            return true;
        };
        let wal_size = std::fs::metadata(&wal).map_or(0, |m| m.len());
        free >= wal_size.saturating_add(FLOOD_MARGIN) || room_after_checkpoint(&mut **conn, &path)
    })
}

/// Checkpoints the WAL into the database and truncates it (giving its space back), then
/// says whether the file system has room for what a checkpoint still has to copy plus
/// [`FLOOD_MARGIN`].
fn room_after_checkpoint(conn: &mut dyn Conn, path: &Path) -> bool {
    let _ = conn.one_row("PRAGMA wal_checkpoint(TRUNCATE)", &[], |r| r.int(0));
    // (busy, frames in the WAL, frames already copied into the database)
    let frames = conn.one_row("PRAGMA wal_checkpoint(PASSIVE)", &[], |r| {
        Ok((r.int(1)?, r.int(2)?))
    });
    let page = conn
        .one_row("PRAGMA page_size", &[], |r| r.int(0))
        .unwrap_or(4096);
    let pending = match frames {
        Ok((log, copied)) => (log - copied).max(0).saturating_mul(page + 24) as u64,
        // The checkpoint itself failed (the database cannot grow): count the whole WAL.
        Err(_) => std::fs::metadata(wal_path(path)).map_or(0, |m| m.len()),
    };
    match free_bytes(path) {
        Some(free) => free >= pending.saturating_add(FLOOD_MARGIN),
        // Cannot tell: let the next write find out.
        None => true,
    }
}

/// After storage failed (or the flood stage was reached): checkpoints and truncates the WAL,
/// and says whether writes may resume: SQLite's own ceiling (`max_page_count`) leaves room
/// and the file system is above the flood stage (see [`admit`]).
pub fn recover(path: PathBuf) -> Recover {
    Box::new(move |conn| {
        let mut pragma = |name: &str| conn.one_row(name, &[], |r| r.int(0)).ok();
        if let (Some(count), Some(max), Some(size)) = (
            pragma("PRAGMA page_count"),
            pragma("PRAGMA max_page_count"),
            pragma("PRAGMA page_size"),
        ) {
            if (max - count).saturating_mul(size) < FLOOD_MARGIN as i64 {
                return false;
            }
        }
        room_after_checkpoint(&mut **conn, &path)
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
