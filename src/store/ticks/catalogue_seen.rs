//! What the writer remembers of the catalogue while it records ticks (SQLite): each
//! horror's id, unit cost and whether it is retired, by key, so that a tick needs no
//! look-up of its horror.
//!
//! Exact by construction: the memory is used only inside a job that records ticks on the
//! writer (those jobs never change the catalogue, [`deferred::deferring`]), and forgotten
//! - before any other job of the writer runs (every catalogue change is such a job);
//! - after a group that did not commit (it may have read a change that was rolled back);
//! - when another process committed to the file since the group began (`PRAGMA
//!   data_version`, read once a group: the CLI on a running server's file).
//!
//! Unknown keys are not remembered (a client sending made-up keys cannot fill it).

use std::cell::RefCell;
use std::collections::HashMap;

use super::super::db::{params, Conn};
use super::super::rollup::deferred;
use crate::error::Result;

/// A horror as a tick needs it: id, unit cost (minor units), retired.
pub type Seen = (i64, i64, bool);

#[derive(Default)]
struct Memory {
    /// Whether `PRAGMA data_version` was compared in the current group.
    checked: bool,
    /// The file's `data_version` when the memory was filled.
    version: Option<i64>,
    horrors: HashMap<String, Seen>,
}

thread_local! {
    static MEMORY: RefCell<Memory> = RefCell::new(Memory::default());
}

/// The horror with this key, from memory on the writer, else from the catalogue.
pub fn horror(conn: &mut dyn Conn, key: &str) -> Result<Option<Seen>> {
    if !deferred::deferring() {
        return read(conn, key);
    }
    let unchecked = MEMORY.with(|m| !m.borrow().checked);
    if unchecked {
        let version = conn.one_row("PRAGMA data_version", params![], |r| r.int(0))?;
        MEMORY.with(|m| {
            let mut memory = m.borrow_mut();
            if memory.version != Some(version) {
                memory.horrors.clear();
                memory.version = Some(version);
            }
            memory.checked = true;
        });
    }
    if let Some(seen) = MEMORY.with(|m| m.borrow().horrors.get(key).copied()) {
        return Ok(Some(seen));
    }
    let found = read(conn, key)?;
    if let Some(seen) = found {
        MEMORY.with(|m| m.borrow_mut().horrors.insert(key.to_string(), seen));
    }
    Ok(found)
}

fn read(conn: &mut dyn Conn, key: &str) -> Result<Option<Seen>> {
    conn.opt_row(
        "SELECT id, unit_cost_minor, retired FROM horrors WHERE key = ?1",
        params![key],
        |r| Ok((r.int(0)?, r.int(1)?, r.bool(2)?)),
    )
}

/// A new write group begins: `data_version` is compared again at its first tick.
pub fn new_group() {
    MEMORY.with(|m| m.borrow_mut().checked = false);
}

/// Forgets everything (a job that may change the catalogue runs, or a group did not
/// commit).
pub fn forget() {
    MEMORY.with(|m| {
        let mut memory = m.borrow_mut();
        memory.horrors.clear();
        memory.version = None;
    });
}
