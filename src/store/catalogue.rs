//! The catalogue aggregate: the organization's settings, the horrors and their history.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::db::{params, Conn, Engine, Row};
use super::rollup;
use crate::calendar::local_day;
use crate::catalogue::Horror;
use crate::config::Settings;
use crate::error::{Error, Refusal, Result};
use crate::keys::HorrorKey;
use crate::money::Minor;
use crate::ticks::rfc3339;

pub fn get_meta(conn: &mut dyn Conn, key: &str) -> Result<Option<String>> {
    conn.opt_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
        r.text(0)
    })
}

pub fn set_meta(conn: &mut dyn Conn, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// The stored settings. Settings saved by an older version (missing newer fields) load
/// with those fields' defaults; unreadable ones are an error, never silently replaced.
pub fn load_settings(conn: &mut dyn Conn) -> Result<Option<Settings>> {
    match get_meta(conn, "settings")? {
        None => Ok(None),
        Some(json) => serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| Error::internal(format!("stored settings are unreadable: {e}"))),
    }
}

const HORROR_COLUMNS: &str =
    "key, name, description, pain, unit_cost_minor, operational, position, retired, playbook";

fn horror_from_row(row: &dyn Row) -> Result<Horror> {
    let number = |i: usize| -> Result<u32> {
        let v = row.int(i)?;
        u32::try_from(v)
            .map_err(|_| Error::internal(format!("stored horror field {i} out of range: {v}")))
    };
    Ok(Horror {
        key: HorrorKey::from_stored(row.text(0)?),
        name: row.text(1)?,
        description: row.opt_text(2)?,
        pain: number(3)? as u8,
        unit_cost_minor: Minor::new(row.int(4)?),
        operational: row.bool(5)?,
        position: number(6)?,
        retired: row.bool(7)?,
        playbook: match row.opt_text(8)? {
            None => crate::playbook::Playbook::new(),
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| Error::internal(format!("stored playbook is unreadable: {e}")))?,
        },
    })
}

/// Every horror, active first in configured order, then retired ones by key.
pub fn load_horrors(conn: &mut dyn Conn) -> Result<Vec<Horror>> {
    conn.rows(
        &format!("SELECT {HORROR_COLUMNS} FROM horrors ORDER BY retired, position, key"),
        params![],
        horror_from_row,
    )
}

/// What applying a configuration did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// False when the file's content had already been applied.
    pub changed: bool,
    pub catalogue_changes: usize,
    pub days_recomputed: bool,
}

/// The advisory lock that makes catalogue and settings changes of all instances run one
/// after another ("horrorc"). Ticks never take it: a change stalled on an instance frozen
/// in the middle of one stalls only other changes, which get 503 `overloaded` after the
/// lock timeout.
const CHANGE_LOCK: i64 = 0x0068_6f72_726f_7263;

/// On PostgreSQL, waits (within the lock timeout) until no other instance is changing the
/// catalogue or settings; held to the end of the transaction. SQLite has one writer.
fn one_change_at_a_time(conn: &mut dyn Conn) -> Result<()> {
    if conn.engine() == Engine::Postgres {
        conn.execute("SELECT pg_advisory_xact_lock(?1)", params![CHANGE_LOCK])?;
    }
    Ok(())
}

/// Applies a validated configuration file, unless this exact content was applied before.
pub fn apply_config(
    conn: &mut dyn Conn,
    settings: &Settings,
    horrors: &[Horror],
    digest: &str,
    now: DateTime<Utc>,
) -> Result<Applied> {
    one_change_at_a_time(conn)?;
    if get_meta(conn, "config_digest")?.as_deref() == Some(digest) {
        return Ok(Applied::default());
    }
    let old = load_settings(conn)?;
    let has_ticks = conn.one_row("SELECT EXISTS (SELECT 1 FROM ticks)", params![], |r| {
        r.bool(0)
    })?;
    let mut days_recomputed = false;
    // Sites left out of the file are kept, retired (their ticks stay theirs).
    let mut settings = settings.clone();
    if let Some(old) = &old {
        settings.sites = crate::sites::merge(&settings.sites, &old.sites);
    }
    let settings = &settings;
    if let Some(old) = &old {
        if old.currency != settings.currency && has_ticks {
            return Err(Refusal::CurrencyChange {
                from: old.currency.code().to_string(),
                to: settings.currency.code().to_string(),
            }
            .into());
        }
        // Days move only when a timezone that dates ticks changes: the organization's, or
        // a site's that was there before (adding, removing or reordering sites does not).
        let moved = old.sites.iter().any(|before| {
            settings
                .site(&before.key)
                .is_some_and(|now| now.timezone != before.timezone)
        });
        if (old.timezone != settings.timezone || moved) && has_ticks {
            recompute_days(conn, settings)?;
            days_recomputed = true;
        }
    }
    let json = serde_json::to_string(settings).map_err(|e| Error::internal(e.to_string()))?;
    set_meta(conn, "settings", &json)?;
    set_meta(conn, "config_digest", digest)?;
    let catalogue_changes = replace_catalogue(conn, horrors, "file", None, now)?;
    conn.notify("catalogue")?;
    Ok(Applied {
        changed: true,
        catalogue_changes,
        days_recomputed,
    })
}

/// Replaces the active catalogue: updates and un-retires listed keys, adds new ones,
/// retires the rest. Every change is kept in `catalogue_history`. Returns the number of changes.
// Over 80 lines: each horror added, changed or restored with its history row, then the
// ones no longer listed retired, in the order the one transaction writes them.
pub fn replace_catalogue(
    conn: &mut dyn Conn,
    horrors: &[Horror],
    source: &str,
    actor: Option<&str>,
    now: DateTime<Utc>,
) -> Result<usize> {
    one_change_at_a_time(conn)?;
    let existing: HashMap<HorrorKey, Horror> = load_horrors(conn)?
        .into_iter()
        .map(|h| (h.key.clone(), h))
        .collect();
    let at = rfc3339(now);
    let mut changes = 0;
    let mut record = |conn: &mut dyn Conn,
                      key: &str,
                      action: &str,
                      before: Option<&Horror>,
                      after: Option<&Horror>|
     -> Result<()> {
        changes += 1;
        let (before, after) = (before.map(horror_json), after.map(horror_json));
        conn.execute(
            "INSERT INTO catalogue_history (changed_at, source, actor, horror_key, action, before, after)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![&at, source, actor, key, action, before.as_deref(), after.as_deref()],
        )?;
        Ok(())
    };
    for (position, horror) in horrors.iter().enumerate() {
        let wanted = Horror {
            position: position as u32,
            retired: false,
            ..horror.clone()
        };
        let playbook = playbook_json(&wanted.playbook);
        let values = params![
            &wanted.key,
            &wanted.name,
            wanted.description.as_deref(),
            i64::from(wanted.pain),
            wanted.unit_cost_minor.get(),
            wanted.operational,
            i64::from(wanted.position),
            playbook.as_deref()
        ];
        match existing.get(&horror.key) {
            None => {
                conn.execute(
                    "INSERT INTO horrors (key, name, description, pain, unit_cost_minor, operational, position, retired, playbook)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, FALSE, ?8)",
                    values,
                )?;
                record(conn, &wanted.key, "added", None, Some(&wanted))?;
            }
            Some(old) if *old != wanted => {
                conn.execute(
                    "UPDATE horrors SET name = ?2, description = ?3, pain = ?4, unit_cost_minor = ?5,
                     operational = ?6, position = ?7, retired = FALSE, playbook = ?8 WHERE key = ?1",
                    values,
                )?;
                let action = if old.retired { "restored" } else { "changed" };
                record(conn, &wanted.key, action, Some(old), Some(&wanted))?;
            }
            Some(_) => {}
        }
    }
    let mut retiring: Vec<&Horror> = existing
        .values()
        .filter(|old| !old.retired && !horrors.iter().any(|h| h.key == old.key))
        .collect();
    retiring.sort_by(|a, b| a.key.cmp(&b.key));
    for old in retiring {
        conn.execute(
            "UPDATE horrors SET retired = TRUE WHERE key = ?1",
            params![&old.key],
        )?;
        record(conn, &old.key, "retired", Some(old), None)?;
    }
    if changes > 0 {
        conn.notify("catalogue")?;
    }
    Ok(changes)
}

fn horror_json(horror: &Horror) -> String {
    let mut json = serde_json::json!({
        "key": horror.key, "name": horror.name, "description": horror.description,
        "pain": horror.pain, "unit_cost_minor": horror.unit_cost_minor,
        "operational": horror.operational, "position": horror.position, "retired": horror.retired,
    });
    if !horror.playbook.is_empty() {
        json["playbook"] = serde_json::json!(horror.playbook);
    }
    json.to_string()
}

/// A playbook as stored: JSON, or NULL when none is written.
fn playbook_json(playbook: &crate::playbook::Playbook) -> Option<String> {
    (!playbook.is_empty()).then(|| serde_json::to_string(playbook).unwrap_or_default())
}

/// One catalogue change, for `GET /api/horrors/history`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CatalogueChange {
    pub id: i64,
    pub changed_at: String,
    pub source: String,
    pub actor: Option<String>,
    pub horror: String,
    pub action: String,
    /// The horror before the change; null when it was added.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The horror after the change; null when it was removed.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

pub fn catalogue_history(conn: &mut dyn Conn) -> Result<Vec<CatalogueChange>> {
    let json = |text: Option<String>| -> Result<Option<serde_json::Value>> {
        text.map(|t| {
            serde_json::from_str(&t)
                .map_err(|e| Error::internal(format!("stored catalogue change is unreadable: {e}")))
        })
        .transpose()
    };
    conn.rows(
        "SELECT id, changed_at, source, actor, horror_key, action, before, after
         FROM catalogue_history ORDER BY id DESC LIMIT 1000",
        params![],
        |row| {
            Ok(CatalogueChange {
                id: row.int(0)?,
                changed_at: row.text(1)?,
                source: row.text(2)?,
                actor: row.opt_text(3)?,
                horror: row.text(4)?,
                action: row.text(5)?,
                before: json(row.opt_text(6)?)?,
                after: json(row.opt_text(7)?)?,
            })
        },
    )
}

/// Recomputes every tick's local day in its site's timezone and rebuilds the daily rollup.
pub fn recompute_days(conn: &mut dyn Conn, settings: &Settings) -> Result<()> {
    if conn.engine() == Engine::Postgres {
        // Every tick is rewritten: no 10 s limit on this transaction's statements.
        conn.batch("SET LOCAL statement_timeout = 0")?;
    }
    let rows = conn.rows("SELECT id, occurred_at, site FROM ticks", params![], |r| {
        Ok((r.int(0)?, r.int(1)?, r.text(2)?))
    })?;
    for (id, at, site) in rows {
        let tz: Tz = settings.site_tz(Some(site.as_str()).filter(|s| !s.is_empty()));
        let day = local_day(super::instant(at), tz).to_string();
        conn.execute(
            "UPDATE ticks SET day = ?2 WHERE id = ?1",
            params![id, day.as_str()],
        )?;
    }
    rollup::rebuild(conn)
}
