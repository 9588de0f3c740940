//! Rollup changes of a write group's ticks, added up and written once at the end of the
//! group (SQLite). A group of taps at one site mostly adds to the same few (day, horror,
//! source, site) rows: instead of two upserts per tick, each row is written once per
//! group, in key order, just before the commit.
//!
//! Only the writer defers, and only around jobs that ask for it (ticks: [`during`]); every
//! other job runs after what was deferred is written ([`flush`]), so no job ever reads a
//! rollup that lacks an earlier job's ticks. A job that fails drops what it deferred
//! ([`Mark`]); a group that fails drops everything ([`discard`]).

use std::cell::RefCell;

use super::super::db::Conn;
use super::super::inline::{DayText, Inline};
use crate::error::Result;

/// One change to a rollup row: (day, horror id, source, site) and (count, cost), its text
/// kept inline: a group of taps defers one change per tick, and the writer frees them
/// all at once.
type Change = (
    (DayText, i64, Inline<16>, Inline<{ SITE_ROOM }>),
    (i64, i64),
);

/// A site's key is at most 40 bytes (`keys::SiteKey`).
const SITE_ROOM: usize = 40;

thread_local! {
    /// Whether a job that defers runs on this thread now.
    static DEFERRING: RefCell<bool> = const { RefCell::new(false) };
    /// What the jobs of this thread's open group deferred, in order.
    static CHANGES: RefCell<Vec<Change>> = const { RefCell::new(Vec::new()) };
}

/// Where a job's deferred changes begin.
#[derive(Clone, Copy, Debug)]
pub struct Mark(usize);

/// Runs `job` with its rollup changes deferred; returns its result and where its changes
/// begin (for [`undo`] if it fails).
pub fn during<T>(job: impl FnOnce() -> T) -> (T, Mark) {
    let mark = Mark(CHANGES.with(|c| c.borrow().len()));
    DEFERRING.with(|d| *d.borrow_mut() = true);
    let out = job();
    DEFERRING.with(|d| *d.borrow_mut() = false);
    (out, mark)
}

/// Defers a change when a deferring job runs on this thread; says whether it did.
pub(super) fn defer(
    day: &str,
    horror_id: i64,
    source: &str,
    site: &str,
    count: i64,
    cost: i64,
) -> bool {
    if !deferring() {
        return false;
    }
    // Text that does not fit (none does) is written at once instead.
    let (Some(day), Some(source), Some(site)) =
        (Inline::new(day), Inline::new(source), Inline::new(site))
    else {
        return false;
    };
    CHANGES.with(|c| {
        c.borrow_mut()
            .push(((day, horror_id, source, site), (count, cost)))
    });
    true
}

/// Whether a job that defers runs on this thread now (the writer, recording ticks).
pub fn deferring() -> bool {
    DEFERRING.with(|d| *d.borrow())
}

/// Drops what a failed job deferred.
pub fn undo(mark: Mark) {
    CHANGES.with(|c| c.borrow_mut().truncate(mark.0));
}

/// Drops everything deferred (the group's transaction was rolled back).
pub fn discard() {
    CHANGES.with(|c| c.borrow_mut().clear());
}

/// Writes what was deferred, each row once, in key order.
pub fn flush(conn: &mut dyn Conn) -> Result<()> {
    let mut changes = CHANGES.with(|c| std::mem::take(&mut *c.borrow_mut()));
    if changes.is_empty() {
        return Ok(());
    }
    let written = write_rows(conn, &mut changes);
    // The list keeps its room for the next group of taps, but not what a group of big
    // batches needed.
    if changes.capacity() <= KEPT_ROOM {
        changes.clear();
        CHANGES.with(|c| *c.borrow_mut() = changes);
    }
    written
}

/// The most changes whose room the list keeps between groups (about 100 KB).
const KEPT_ROOM: usize = 1024;

/// Sorts `changes` by row and writes each row's sum once (a sorted list, not a map: a
/// map's first node is over a kilobyte, which glibc serves from its shared arena).
fn write_rows(conn: &mut dyn Conn, changes: &mut [Change]) -> Result<()> {
    changes.sort_unstable_by_key(|change| change.0);
    for row in changes.chunk_by(|a, b| a.0 == b.0) {
        let (day, horror_id, source, site) = &row[0].0;
        let (count, cost) = row
            .iter()
            .fold((0, 0), |(count, cost), (_, (n, c))| (count + n, cost + c));
        super::add(
            conn,
            day.as_str(),
            *horror_id,
            source.as_str(),
            site.as_str(),
            count,
            cost,
        )?;
    }
    Ok(())
}

/// Whether anything is deferred.
pub fn pending() -> bool {
    CHANGES.with(|c| !c.borrow().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defers_only_inside_a_job_and_undoes_a_failed_one() {
        assert!(!defer("2026-01-01", 1, "internal", "", 1, 10));
        let (deferred, first) = during(|| defer("2026-01-01", 1, "internal", "", 1, 10));
        assert!(deferred);
        let (_, second) = during(|| defer("2026-01-01", 1, "internal", "", 2, 20));
        assert_eq!((first.0, second.0), (0, 1));
        undo(second);
        assert!(pending());
        discard();
        assert!(!pending());
    }
}
