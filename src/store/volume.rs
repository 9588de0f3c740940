//! The volume aggregate: units handled per local day and site (SPEC §17).

use chrono::{DateTime, Utc};

use super::db::{params, Conn};
use super::parse_day;
use crate::calendar::Window;
use crate::error::Result;
use crate::sites::Scope;
use crate::ticks::rfc3339;
use crate::volume::NewVolume;

/// Sets every entry (all or nothing: the caller's transaction).
pub fn set(conn: &mut dyn Conn, entries: &[NewVolume], now: DateTime<Utc>) -> Result<()> {
    let at = rfc3339(now);
    for entry in entries {
        let day = entry.day.to_string();
        conn.execute(
            "INSERT INTO volume (day, site, units, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (day, site) DO UPDATE SET units = excluded.units, updated_at = excluded.updated_at",
            params![day.as_str(), entry.site.as_str(), entry.units, at.as_str()],
        )?;
    }
    Ok(())
}

/// The window's entries within `scope`, by day then site.
pub fn entries(
    conn: &mut dyn Conn,
    window: &Window,
    scope: &Scope,
) -> Result<Vec<(chrono::NaiveDate, String, i64)>> {
    let (from, to) = (window.from.to_string(), window.to.to_string());
    conn.rows(
        "SELECT day, site, units FROM volume
         WHERE day BETWEEN ?1 AND ?2 AND (CAST(?3 AS TEXT) IS NULL OR site = ?3)
         ORDER BY day, site",
        params![from.as_str(), to.as_str(), scope.stored()],
        |row| Ok((parse_day(&row.text(0)?)?, row.text(1)?, row.int(2)?)),
    )
}

pub fn any(conn: &mut dyn Conn) -> Result<bool> {
    conn.one_row("SELECT EXISTS (SELECT 1 FROM volume)", params![], |r| {
        r.bool(0)
    })
}
