//! The cycles aggregate: improvement cycles and their focus horrors.

use chrono::{DateTime, NaiveDate, Utc};

use super::db::{params, Conn};
use super::parse_day;
use crate::calendar::Window;
use crate::error::{Refusal, Result};
use crate::ticks::rfc3339;

/// A stored improvement cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleRow {
    pub id: i64,
    pub name: String,
    pub start: NaiveDate,
    pub days: i64,
    pub note: Option<String>,
    /// Focus horror keys in order.
    pub focus: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Resolves focus keys to active horror ids, or refuses the first bad key.
fn focus_ids(conn: &mut dyn Conn, focus: &[String]) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for key in focus {
        let found = conn.opt_row(
            "SELECT id, retired FROM horrors WHERE key = ?1",
            params![key],
            |r| Ok((r.int(0)?, r.bool(1)?)),
        )?;
        match found {
            None => return Err(Refusal::UnknownFocus(key.clone()).into()),
            Some((_, true)) => return Err(Refusal::RetiredFocus(key.clone()).into()),
            Some((id, false)) => ids.push(id),
        }
    }
    Ok(ids)
}

fn set_focus(conn: &mut dyn Conn, cycle_id: i64, ids: &[i64]) -> Result<()> {
    conn.execute(
        "DELETE FROM cycle_focus WHERE cycle_id = ?1",
        params![cycle_id],
    )?;
    for (position, id) in ids.iter().enumerate() {
        conn.execute(
            "INSERT INTO cycle_focus (cycle_id, horror_id, position) VALUES (?1, ?2, ?3)",
            params![cycle_id, *id, position as i64],
        )?;
    }
    Ok(())
}

pub fn create(
    conn: &mut dyn Conn,
    name: &str,
    window: &Window,
    note: Option<&str>,
    focus: &[String],
    now: DateTime<Utc>,
) -> Result<i64> {
    let ids = focus_ids(conn, focus)?;
    let at = rfc3339(now);
    let (from, to) = (window.from().to_string(), window.to().to_string());
    let id = conn.one_row(
        "INSERT INTO cycles (name, start_day, end_day, days, note, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING id",
        params![
            name,
            from.as_str(),
            to.as_str(),
            window.days(),
            note,
            at.as_str()
        ],
        |r| r.int(0),
    )?;
    set_focus(conn, id, &ids)?;
    Ok(id)
}

/// Changes a cycle's name, note and focus (each only when given). `false` when there is no such cycle.
pub fn update(
    conn: &mut dyn Conn,
    id: i64,
    name: Option<&str>,
    note: Option<Option<&str>>,
    focus: Option<&[String]>,
    now: DateTime<Utc>,
) -> Result<bool> {
    if get(conn, id)?.is_none() {
        return Ok(false);
    }
    let ids = focus.map(|f| focus_ids(conn, f)).transpose()?;
    if let Some(name) = name {
        conn.execute(
            "UPDATE cycles SET name = ?2 WHERE id = ?1",
            params![id, name],
        )?;
    }
    if let Some(note) = note {
        conn.execute(
            "UPDATE cycles SET note = ?2 WHERE id = ?1",
            params![id, note],
        )?;
    }
    if let Some(ids) = ids {
        set_focus(conn, id, &ids)?;
    }
    conn.execute(
        "UPDATE cycles SET updated_at = ?2 WHERE id = ?1",
        params![id, rfc3339(now).as_str()],
    )?;
    Ok(true)
}

const CYCLE_COLUMNS: &str = "id, name, start_day, days, note, created_at, updated_at";

fn with_focus(conn: &mut dyn Conn, mut rows: Vec<CycleRow>) -> Result<Vec<CycleRow>> {
    for row in &mut rows {
        row.focus = conn.rows(
            "SELECT h.key FROM cycle_focus f JOIN horrors h ON h.id = f.horror_id
             WHERE f.cycle_id = ?1 ORDER BY f.position",
            params![row.id],
            |r| r.text(0),
        )?;
    }
    Ok(rows)
}

fn load(conn: &mut dyn Conn, sql: &str, params: &[super::db::Param<'_>]) -> Result<Vec<CycleRow>> {
    let rows = conn.rows(sql, params, |row| {
        Ok(CycleRow {
            id: row.int(0)?,
            name: row.text(1)?,
            start: parse_day(&row.text(2)?)?,
            days: row.int(3)?,
            note: row.opt_text(4)?,
            focus: Vec::new(),
            created_at: row.text(5)?,
            updated_at: row.text(6)?,
        })
    })?;
    with_focus(conn, rows)
}

pub fn get(conn: &mut dyn Conn, id: i64) -> Result<Option<CycleRow>> {
    let sql = format!("SELECT {CYCLE_COLUMNS} FROM cycles WHERE id = ?1");
    Ok(load(conn, &sql, params![id])?.pop())
}

/// Every cycle, newest start first.
pub fn all(conn: &mut dyn Conn) -> Result<Vec<CycleRow>> {
    let sql = format!("SELECT {CYCLE_COLUMNS} FROM cycles ORDER BY start_day DESC, id DESC");
    load(conn, &sql, params![])
}

/// Keys that are a focus of some cycle overlapping the window.
pub fn focus_keys(
    conn: &mut dyn Conn,
    window: &Window,
) -> Result<std::collections::HashSet<String>> {
    let (from, to) = (window.from().to_string(), window.to().to_string());
    Ok(conn
        .rows(
            "SELECT DISTINCT h.key FROM cycles c JOIN cycle_focus f ON f.cycle_id = c.id
             JOIN horrors h ON h.id = f.horror_id
             WHERE c.start_day <= ?2 AND c.end_day >= ?1",
            params![from.as_str(), to.as_str()],
            |r| r.text(0),
        )?
        .into_iter()
        .collect())
}
