//! Every SQL statement horrors runs, as typed functions over a connection.
//! Placeholders only; statements are prepared once per connection and cached.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::auth::{Identity, Role};
use crate::calendar::{local_day, Window};
use crate::catalogue::Horror;
use crate::config::Settings;
use crate::error::{Detail, Error, Result};
use crate::money::Currency;
use crate::ranking::Tally;
use crate::ticks::{rfc3339, NewTick, Source, Tick, OWN_VOID_WINDOW};
use crate::trend::DayTally;

fn millis(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_millis()
}

fn instant(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?)
}

pub fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")?
        .execute([key, value])?;
    Ok(())
}

pub fn load_settings(conn: &Connection) -> Result<Option<Settings>> {
    match get_meta(conn, "settings")? {
        None => Ok(None),
        Some(json) => serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| Error::internal(format!("stored settings are unreadable: {e}"))),
    }
}

fn horror_from_row(row: &Row<'_>) -> rusqlite::Result<Horror> {
    Ok(Horror {
        key: row.get("key")?,
        name: row.get("name")?,
        description: row.get("description")?,
        pain: row.get("pain")?,
        unit_cost_minor: row.get("unit_cost_minor")?,
        operational: row.get("operational")?,
        position: row.get("position")?,
        retired: row.get("retired")?,
    })
}

/// Every horror, active first in configured order, then retired ones by key.
pub fn load_horrors(conn: &Connection) -> Result<Vec<Horror>> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, name, description, pain, unit_cost_minor, operational, position, retired
         FROM horrors ORDER BY retired, position, key",
    )?;
    let horrors = stmt
        .query_map([], horror_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(horrors)
}

/// What applying a configuration did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// False when the file's content had already been applied.
    pub changed: bool,
    pub catalogue_changes: usize,
    pub days_recomputed: bool,
}

/// Applies a validated configuration file, unless this exact content was applied before.
pub fn apply_config(
    conn: &Connection,
    settings: &Settings,
    horrors: &[Horror],
    digest: &str,
    now: DateTime<Utc>,
) -> Result<Applied> {
    if get_meta(conn, "config_digest")?.as_deref() == Some(digest) {
        return Ok(Applied::default());
    }
    let old = load_settings(conn)?;
    let has_ticks: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM ticks)", [], |row| row.get(0))?;
    let mut days_recomputed = false;
    if let Some(old) = &old {
        if old.currency != settings.currency && has_ticks {
            return Err(Error::invalid(
                "currency_change",
                format!(
                    "organization.currency: cannot change from {} to {} once ticks are recorded (their costs are in {})",
                    old.currency, settings.currency, old.currency
                ),
            ));
        }
        if old.timezone != settings.timezone && has_ticks {
            recompute_days(conn, settings.tz())?;
            days_recomputed = true;
        }
    }
    let json = serde_json::to_string(settings).map_err(|e| Error::internal(e.to_string()))?;
    set_meta(conn, "settings", &json)?;
    set_meta(conn, "config_digest", digest)?;
    let catalogue_changes = replace_catalogue(conn, horrors, "file", None, now)?;
    Ok(Applied {
        changed: true,
        catalogue_changes,
        days_recomputed,
    })
}

/// Replaces the active catalogue: updates and un-retires listed keys, adds new ones,
/// retires the rest. Every change is kept in `catalogue_history`. Returns the number of changes.
pub fn replace_catalogue(
    conn: &Connection,
    horrors: &[Horror],
    source: &str,
    actor: Option<&str>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let existing: HashMap<String, Horror> = load_horrors(conn)?
        .into_iter()
        .map(|h| (h.key.clone(), h))
        .collect();
    let at = rfc3339(now);
    let mut changes = 0;
    let mut history = conn.prepare_cached(
        "INSERT INTO catalogue_history (changed_at, source, actor, horror_key, action, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut record =
        |key: &str, action: &str, before: Option<&Horror>, after: Option<&Horror>| -> Result<()> {
            changes += 1;
            history.execute(params![
                at,
                source,
                actor,
                key,
                action,
                before.map(horror_json),
                after.map(horror_json)
            ])?;
            Ok(())
        };
    for (position, horror) in horrors.iter().enumerate() {
        let wanted = Horror {
            position: position as u32,
            retired: false,
            ..horror.clone()
        };
        match existing.get(&horror.key) {
            None => {
                conn.prepare_cached(
                    "INSERT INTO horrors (key, name, description, pain, unit_cost_minor, operational, position, retired)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
                )?
                .execute(params![wanted.key, wanted.name, wanted.description, wanted.pain, wanted.unit_cost_minor, wanted.operational, wanted.position])?;
                record(&wanted.key, "added", None, Some(&wanted))?;
            }
            Some(old) if *old != wanted => {
                conn.prepare_cached(
                    "UPDATE horrors SET name = ?2, description = ?3, pain = ?4, unit_cost_minor = ?5,
                     operational = ?6, position = ?7, retired = 0 WHERE key = ?1",
                )?
                .execute(params![wanted.key, wanted.name, wanted.description, wanted.pain, wanted.unit_cost_minor, wanted.operational, wanted.position])?;
                let action = if old.retired { "restored" } else { "changed" };
                record(&wanted.key, action, Some(old), Some(&wanted))?;
            }
            Some(_) => {}
        }
    }
    for old in existing.values() {
        if !old.retired && !horrors.iter().any(|h| h.key == old.key) {
            conn.prepare_cached("UPDATE horrors SET retired = 1 WHERE key = ?1")?
                .execute([&old.key])?;
            record(&old.key, "retired", Some(old), None)?;
        }
    }
    Ok(changes)
}

fn horror_json(horror: &Horror) -> String {
    serde_json::json!({
        "key": horror.key, "name": horror.name, "description": horror.description,
        "pain": horror.pain, "unit_cost_minor": horror.unit_cost_minor,
        "operational": horror.operational, "position": horror.position, "retired": horror.retired,
    })
    .to_string()
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

pub fn catalogue_history(conn: &Connection) -> Result<Vec<CatalogueChange>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, changed_at, source, actor, horror_key, action, before, after FROM catalogue_history ORDER BY id DESC LIMIT 1000",
    )?;
    let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
    let rows = stmt
        .query_map([], |row| {
            Ok(CatalogueChange {
                id: row.get(0)?,
                changed_at: row.get(1)?,
                source: row.get(2)?,
                actor: row.get(3)?,
                horror: row.get(4)?,
                action: row.get(5)?,
                before: parse(row.get(6)?),
                after: parse(row.get(7)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Recomputes every tick's local day in `tz` and rebuilds the daily rollup.
pub fn recompute_days(conn: &Connection, tz: Tz) -> Result<()> {
    let rows: Vec<(i64, i64)> = conn
        .prepare("SELECT id, occurred_at FROM ticks")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = conn.prepare("UPDATE ticks SET day = ?2 WHERE id = ?1")?;
    for (id, at) in rows {
        update.execute(params![id, local_day(instant(at), tz).to_string()])?;
    }
    rebuild_rollup(conn)
}

/// Rebuilds the daily rollup from the ticks.
pub fn rebuild_rollup(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM daily;
         INSERT INTO daily (day, horror_id, source, count, cost_minor)
         SELECT day, horror_id, source, SUM(qty), SUM(cost_minor) FROM ticks
         WHERE voided_at IS NULL GROUP BY day, horror_id, source;",
    )?;
    Ok(())
}

/// Rows where the rollup disagrees with the ticks (empty when consistent).
pub fn check_rollup(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "WITH t AS (SELECT day, horror_id, source, SUM(qty) AS count, SUM(cost_minor) AS cost
                    FROM ticks WHERE voided_at IS NULL GROUP BY day, horror_id, source),
              d AS (SELECT day, horror_id, source, count, cost_minor AS cost FROM daily WHERE count <> 0 OR cost_minor <> 0)
         SELECT t.day, t.horror_id, t.source FROM t LEFT JOIN d USING (day, horror_id, source)
           WHERE d.count IS NOT t.count OR d.cost IS NOT t.cost
         UNION ALL
         SELECT d.day, d.horror_id, d.source FROM d LEFT JOIN t USING (day, horror_id, source) WHERE t.count IS NULL",
    )?;
    let rows = stmt
        .query_map([], |row| {
            Ok(format!(
                "{} horror {} {}",
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

// ---------------------------------------------------------------- tokens

/// A token as listed (never its secret).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

pub fn create_token(
    conn: &Connection,
    name: &str,
    role: Role,
    hash: &[u8],
    now: DateTime<Utc>,
) -> Result<TokenInfo> {
    let created_at = rfc3339(now);
    conn.prepare_cached(
        "INSERT INTO tokens (name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![name, role.as_str(), hash, created_at])?;
    Ok(TokenInfo {
        id: conn.last_insert_rowid(),
        name: name.to_string(),
        role,
        created_at,
        revoked_at: None,
    })
}

pub fn list_tokens(conn: &Connection) -> Result<Vec<TokenInfo>> {
    let mut stmt = conn
        .prepare_cached("SELECT id, name, role, created_at, revoked_at FROM tokens ORDER BY id")?;
    let rows = stmt
        .query_map([], |row| {
            let role: String = row.get(2)?;
            Ok(TokenInfo {
                id: row.get(0)?,
                name: row.get(1)?,
                role: Role::parse(&role).unwrap_or(Role::Staff),
                created_at: row.get(3)?,
                revoked_at: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Revokes a token (idempotent). `None` when there is no such token.
pub fn revoke_token(conn: &Connection, id: i64, now: DateTime<Utc>) -> Result<Option<TokenInfo>> {
    conn.prepare_cached("UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")?
        .execute(params![id, rfc3339(now)])?;
    Ok(list_tokens(conn)?.into_iter().find(|t| t.id == id))
}

pub fn has_admin_token(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM tokens WHERE role = 'admin' AND revoked_at IS NULL)",
        [],
        |row| row.get(0),
    )?)
}

/// The live (unrevoked) token with this hash.
pub fn lookup_token(conn: &Connection, hash: &[u8]) -> Result<Option<Identity>> {
    let found = conn
        .prepare_cached("SELECT id, name, role FROM tokens WHERE hash = ?1 AND revoked_at IS NULL")?
        .query_row([hash], |row| {
            let role: String = row.get(2)?;
            Ok(Identity {
                token_id: row.get(0)?,
                name: row.get(1)?,
                role: Role::parse(&role).unwrap_or(Role::Staff),
            })
        })
        .optional()?;
    Ok(found)
}

// ---------------------------------------------------------------- ticks

const TICK_COLUMNS: &str =
    "t.id, h.key, t.qty, t.occurred_at, t.day, t.source, t.department, t.note, t.cost_minor,
     t.recorded_at, t.recorded_by, t.voided_at, t.void_reason, t.token_id";

fn tick_from_row(row: &Row<'_>, currency: Currency) -> rusqlite::Result<(Tick, Option<i64>)> {
    let source: String = row.get(5)?;
    let cost_minor: i64 = row.get(8)?;
    let voided_at: Option<i64> = row.get(11)?;
    Ok((
        Tick {
            id: row.get(0)?,
            horror: row.get(1)?,
            qty: row.get(2)?,
            occurred_at: rfc3339(instant(row.get(3)?)),
            day: row.get(4)?,
            source: Source::parse(&source).unwrap_or(Source::Internal),
            department: row.get(6)?,
            note: row.get(7)?,
            cost: currency.format(cost_minor),
            cost_minor,
            recorded_at: rfc3339(instant(row.get(9)?)),
            recorded_by: row.get(10)?,
            voided: voided_at.is_some(),
            void_reason: row.get(12)?,
        },
        row.get(13)?,
    ))
}

fn tick_by_id(
    conn: &Connection,
    id: i64,
    currency: Currency,
) -> Result<Option<(Tick, Option<i64>, i64)>> {
    let sql = format!("SELECT {TICK_COLUMNS}, t.recorded_at FROM ticks t JOIN horrors h ON h.id = t.horror_id WHERE t.id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], |row| {
            let (tick, token) = tick_from_row(row, currency)?;
            Ok((tick, token, row.get(14)?))
        })
        .optional()?)
}

/// A recorded tick and whether it was a replay of an earlier request.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub tick: Tick,
    pub replayed: bool,
}

/// Records ticks all-or-nothing: replays idempotent repeats, refuses unknown and retired
/// horrors and reused keys with different bodies, and keeps the rollup in step.
pub fn insert_ticks(
    conn: &Connection,
    who: Option<&Identity>,
    recorded_by: &str,
    ticks: &[NewTick],
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Vec<Recorded>> {
    let tz = settings.tz();
    let currency = settings.currency();
    let token_id = who.map(|w| w.token_id);
    let mut out = Vec::with_capacity(ticks.len());
    let mut invalid = Vec::new();
    let mut conflicts = Vec::new();
    let mut find_key = conn.prepare_cached(
        "SELECT fingerprint, tick_id FROM idempotency WHERE token_id = ?1 AND key = ?2",
    )?;
    let mut find_horror =
        conn.prepare_cached("SELECT id, unit_cost_minor, retired FROM horrors WHERE key = ?1")?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO ticks (horror_id, qty, occurred_at, day, source, department, note, cost_minor, recorded_at, token_id, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut remember = conn.prepare_cached(
        "INSERT INTO idempotency (token_id, key, fingerprint, tick_id) VALUES (?1, ?2, ?3, ?4)",
    )?;
    // A batch usually repeats a few horrors and days: look each horror up once and add to
    // each rollup row once.
    let mut horrors: HashMap<&str, Option<(i64, i64, bool)>> = HashMap::new();
    let mut rollup: HashMap<(String, i64, Source), (i64, i64)> = HashMap::new();
    for (index, tick) in ticks.iter().enumerate() {
        if let (Some(token_id), Some((key, fingerprint))) = (token_id, &tick.idempotency) {
            let seen: Option<(Vec<u8>, i64)> = find_key
                .query_row(params![token_id, key], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            if let Some((seen_fingerprint, tick_id)) = seen {
                if seen_fingerprint == *fingerprint {
                    let (original, _, _) = tick_by_id(conn, tick_id, currency)?
                        .ok_or_else(|| Error::internal("idempotent tick vanished"))?;
                    out.push(Recorded {
                        tick: original,
                        replayed: true,
                    });
                } else {
                    conflicts.push(Detail::item(
                        index,
                        "idempotency_conflict",
                        format!("key {key:?} was already used for a different tick"),
                    ));
                }
                continue;
            }
        }
        let horror = match horrors.get(tick.horror.as_str()) {
            Some(found) => *found,
            None => {
                let found: Option<(i64, i64, bool)> = find_horror
                    .query_row([&tick.horror], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                    })
                    .optional()?;
                horrors.insert(tick.horror.as_str(), found);
                found
            }
        };
        let (horror_id, unit_cost_minor) = match horror {
            None => {
                invalid.push(Detail::item(
                    index,
                    "unknown_horror",
                    format!("no horror with key {:?}", tick.horror),
                ));
                continue;
            }
            Some((_, _, true)) => {
                invalid.push(Detail::item(
                    index,
                    "retired_horror",
                    format!(
                        "horror {:?} is retired and can no longer be ticked",
                        tick.horror
                    ),
                ));
                continue;
            }
            Some((id, unit, false)) => (id, unit),
        };
        if !invalid.is_empty() || !conflicts.is_empty() {
            continue; // nothing will be kept; only keep collecting problems
        }
        let cost_minor = tick.cost_minor.unwrap_or(tick.qty * unit_cost_minor);
        let day = local_day(tick.occurred_at, tz).to_string();
        insert.execute(params![
            horror_id,
            tick.qty,
            millis(tick.occurred_at),
            day,
            tick.source.as_str(),
            tick.department,
            tick.note,
            cost_minor,
            millis(now),
            token_id,
            recorded_by
        ])?;
        let id = conn.last_insert_rowid();
        let row = rollup
            .entry((day.clone(), horror_id, tick.source))
            .or_default();
        row.0 += tick.qty;
        row.1 += cost_minor;
        if let (Some(token_id), Some((key, fingerprint))) = (token_id, &tick.idempotency) {
            remember.execute(params![token_id, key, fingerprint, id])?;
        }
        out.push(Recorded {
            tick: Tick {
                id,
                horror: tick.horror.clone(),
                qty: tick.qty,
                occurred_at: rfc3339(tick.occurred_at),
                day,
                source: tick.source,
                department: tick.department.clone(),
                note: tick.note.clone(),
                cost: currency.format(cost_minor),
                cost_minor,
                recorded_at: rfc3339(now),
                recorded_by: recorded_by.to_string(),
                voided: false,
                void_reason: None,
            },
            replayed: false,
        });
    }
    if !invalid.is_empty() {
        invalid.extend(conflicts);
        return Err(Error::Invalid {
            code: "invalid_ticks",
            message: "one or more ticks are invalid; nothing was recorded".into(),
            details: invalid,
        });
    }
    if !conflicts.is_empty() {
        return Err(Error::Conflict {
            code: "idempotency_conflict",
            message: "an idempotency key was reused for a different tick; nothing was recorded"
                .into(),
            details: conflicts,
        });
    }
    for ((day, horror_id, source), (count, cost_minor)) in rollup {
        add_to_rollup(conn, &day, horror_id, source.as_str(), count, cost_minor)?;
    }
    Ok(out)
}

fn add_to_rollup(
    conn: &Connection,
    day: &str,
    horror_id: i64,
    source: &str,
    count: i64,
    cost_minor: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO daily (day, horror_id, source, count, cost_minor) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (day, horror_id, source) DO UPDATE SET count = count + excluded.count, cost_minor = cost_minor + excluded.cost_minor",
    )?
    .execute(params![day, horror_id, source, count, cost_minor])?;
    Ok(())
}

/// Voids a tick: staff their own within 15 minutes of recording, admin any. Voiding a
/// voided tick returns it unchanged.
pub fn void_tick(
    conn: &Connection,
    id: i64,
    who: &Identity,
    reason: Option<&str>,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Tick> {
    let currency = settings.currency();
    let (tick, token_id, recorded_at) = tick_by_id(conn, id, currency)?
        .ok_or_else(|| Error::NotFound(format!("no tick with id {id}")))?;
    if tick.voided {
        return Ok(tick);
    }
    if who.role < Role::Admin {
        if token_id != Some(who.token_id) {
            return Err(Error::forbidden(
                "not_your_tick",
                "only an admin may void a tick recorded by someone else",
            ));
        }
        if now - instant(recorded_at) > OWN_VOID_WINDOW {
            return Err(Error::forbidden(
                "void_window_passed",
                "your own ticks can be voided only within 15 minutes of recording; ask an admin",
            ));
        }
    }
    conn.prepare_cached(
        "UPDATE ticks SET voided_at = ?2, voided_by = ?3, void_reason = ?4 WHERE id = ?1",
    )?
    .execute(params![id, millis(now), who.name, reason])?;
    let horror_id: i64 =
        conn.query_row("SELECT horror_id FROM ticks WHERE id = ?1", [id], |row| {
            row.get(0)
        })?;
    add_to_rollup(
        conn,
        &tick.day,
        horror_id,
        tick.source.as_str(),
        -tick.qty,
        -tick.cost_minor,
    )?;
    Ok(Tick {
        voided: true,
        void_reason: reason.map(str::to_string),
        ..tick
    })
}

/// Filters for `GET /api/ticks`.
#[derive(Debug, Clone)]
pub struct TickFilter {
    pub window: Window,
    pub horror: Option<String>,
    pub source: Option<Source>,
    pub department: Option<String>,
    pub include_voided: bool,
    pub limit: i64,
    pub before_id: Option<i64>,
}

/// A page of ticks, newest first, and the id to pass as `before_id` for the next page.
pub fn list_ticks(
    conn: &Connection,
    filter: &TickFilter,
    currency: Currency,
) -> Result<(Vec<Tick>, Option<i64>)> {
    let sql = format!(
        "SELECT {TICK_COLUMNS} FROM ticks t JOIN horrors h ON h.id = t.horror_id
         WHERE t.day BETWEEN ?1 AND ?2
           AND (?3 IS NULL OR h.key = ?3)
           AND (?4 IS NULL OR t.source = ?4)
           AND (?5 IS NULL OR t.department = ?5)
           AND (?6 OR t.voided_at IS NULL)
           AND (?7 IS NULL OR t.id < ?7)
         ORDER BY t.id DESC LIMIT ?8"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut ticks = stmt
        .query_map(
            params![
                filter.window.from.to_string(),
                filter.window.to.to_string(),
                filter.horror,
                filter.source.map(Source::as_str),
                filter.department,
                filter.include_voided,
                filter.before_id,
                filter.limit + 1
            ],
            |row| tick_from_row(row, currency).map(|(tick, _)| tick),
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let next = if ticks.len() as i64 > filter.limit {
        ticks.truncate(filter.limit as usize);
        ticks.last().map(|t| t.id)
    } else {
        None
    };
    Ok((ticks, next))
}

/// Calls `each` for every tick in the window, oldest first, without holding them all.
pub fn for_each_tick(
    conn: &Connection,
    window: &Window,
    include_voided: bool,
    currency: Currency,
    mut each: impl FnMut(Tick) -> Result<()>,
) -> Result<()> {
    let sql = format!(
        "SELECT {TICK_COLUMNS} FROM ticks t JOIN horrors h ON h.id = t.horror_id
         WHERE t.day BETWEEN ?1 AND ?2 AND (?3 OR t.voided_at IS NULL) ORDER BY t.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![
        window.from.to_string(),
        window.to.to_string(),
        include_voided
    ])?;
    while let Some(row) = rows.next()? {
        each(tick_from_row(row, currency)?.0)?;
    }
    Ok(())
}

/// Totals by horror key over the window, from the daily rollup.
pub fn tallies(conn: &Connection, window: &Window) -> Result<BTreeMap<String, Tally>> {
    let mut stmt = conn.prepare_cached(
        "SELECT h.key, d.source, SUM(d.count), SUM(d.cost_minor) FROM daily d JOIN horrors h ON h.id = d.horror_id
         WHERE d.day BETWEEN ?1 AND ?2 GROUP BY d.horror_id, d.source",
    )?;
    let mut out: BTreeMap<String, Tally> = BTreeMap::new();
    let mut rows = stmt.query([window.from.to_string(), window.to.to_string()])?;
    while let Some(row) = rows.next()? {
        let key: String = row.get(0)?;
        let source: String = row.get(1)?;
        let count: i64 = row.get(2)?;
        let cost_minor: i64 = row.get(3)?;
        let count = count.max(0) as u64;
        let complaints = if source == "complaint" { count } else { 0 };
        out.entry(key).or_default().add(&Tally {
            count,
            complaints,
            cost_minor,
        });
    }
    Ok(out)
}

/// Totals by local day and horror over the window, from the daily rollup.
pub fn day_tallies(conn: &Connection, window: &Window) -> Result<Vec<DayTally>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.day, h.key, SUM(d.count), SUM(d.cost_minor) FROM daily d JOIN horrors h ON h.id = d.horror_id
         WHERE d.day BETWEEN ?1 AND ?2 GROUP BY d.day, d.horror_id HAVING SUM(d.count) > 0 ORDER BY d.day",
    )?;
    let mut out = Vec::new();
    let mut rows = stmt.query([window.from.to_string(), window.to.to_string()])?;
    while let Some(row) = rows.next()? {
        let day: String = row.get(0)?;
        let count: i64 = row.get(2)?;
        out.push(DayTally {
            day: NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .map_err(|e| Error::internal(format!("bad stored day {day}: {e}")))?,
            key: row.get(1)?,
            count: count.max(0) as u64,
            cost_minor: row.get(3)?,
        });
    }
    Ok(out)
}

/// Today's count per horror key (all devices), for the tally page.
pub fn counts_on(conn: &Connection, day: NaiveDate) -> Result<HashMap<String, u64>> {
    let window = Window { from: day, to: day };
    Ok(tallies(conn, &window)?
        .into_iter()
        .map(|(k, t)| (k, t.count))
        .collect())
}

// ---------------------------------------------------------------- sessions

/// Creates a page session for a token; returns nothing but stores only the hash.
pub fn create_session(
    conn: &Connection,
    hash: &[u8],
    token_id: i64,
    csrf: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<()> {
    conn.prepare_cached("DELETE FROM sessions WHERE expires_at < ?1")?
        .execute([millis(now)])?;
    conn.prepare_cached("INSERT INTO sessions (hash, token_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![hash, token_id, csrf, millis(now), millis(expires)])?;
    Ok(())
}

/// The identity and CSRF secret of a live session whose token is not revoked.
pub fn lookup_session(
    conn: &Connection,
    hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<(Identity, String)>> {
    let found = conn
        .prepare_cached(
            "SELECT t.id, t.name, t.role, s.csrf FROM sessions s JOIN tokens t ON t.id = s.token_id
             WHERE s.hash = ?1 AND s.expires_at > ?2 AND t.revoked_at IS NULL",
        )?
        .query_row(params![hash, millis(now)], |row| {
            let role: String = row.get(2)?;
            Ok((
                Identity {
                    token_id: row.get(0)?,
                    name: row.get(1)?,
                    role: Role::parse(&role).unwrap_or(Role::Staff),
                },
                row.get(3)?,
            ))
        })
        .optional()?;
    Ok(found)
}

pub fn delete_session(conn: &Connection, hash: &[u8]) -> Result<()> {
    conn.prepare_cached("DELETE FROM sessions WHERE hash = ?1")?
        .execute([hash])?;
    Ok(())
}

// ---------------------------------------------------------------- cycles

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

fn parse_day(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| Error::internal(format!("bad stored day {text}: {e}")))
}

/// Resolves focus keys to active horror ids, or a 422 naming the bad key.
fn focus_ids(conn: &Connection, focus: &[String]) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for key in focus {
        let found: Option<(i64, bool)> = conn
            .prepare_cached("SELECT id, retired FROM horrors WHERE key = ?1")?
            .query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        match found {
            None => {
                return Err(Error::invalid(
                    "unknown_horror",
                    format!("focus: no horror with key {key:?}"),
                ))
            }
            Some((_, true)) => {
                return Err(Error::invalid(
                    "retired_horror",
                    format!("focus: horror {key:?} is retired"),
                ))
            }
            Some((id, false)) => ids.push(id),
        }
    }
    Ok(ids)
}

fn set_focus(conn: &Connection, cycle_id: i64, ids: &[i64]) -> Result<()> {
    conn.prepare_cached("DELETE FROM cycle_focus WHERE cycle_id = ?1")?
        .execute([cycle_id])?;
    for (position, id) in ids.iter().enumerate() {
        conn.prepare_cached(
            "INSERT INTO cycle_focus (cycle_id, horror_id, position) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![cycle_id, id, position as i64])?;
    }
    Ok(())
}

pub fn create_cycle(
    conn: &Connection,
    name: &str,
    window: &Window,
    note: Option<&str>,
    focus: &[String],
    now: DateTime<Utc>,
) -> Result<i64> {
    let ids = focus_ids(conn, focus)?;
    let at = rfc3339(now);
    conn.prepare_cached(
        "INSERT INTO cycles (name, start_day, end_day, days, note, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![name, window.from.to_string(), window.to.to_string(), window.days(), note, at])?;
    let id = conn.last_insert_rowid();
    set_focus(conn, id, &ids)?;
    Ok(id)
}

/// Changes a cycle's name, note and focus (each only when given). `false` when there is no such cycle.
pub fn update_cycle(
    conn: &Connection,
    id: i64,
    name: Option<&str>,
    note: Option<Option<&str>>,
    focus: Option<&[String]>,
    now: DateTime<Utc>,
) -> Result<bool> {
    if cycle(conn, id)?.is_none() {
        return Ok(false);
    }
    let ids = focus.map(|f| focus_ids(conn, f)).transpose()?;
    if let Some(name) = name {
        conn.prepare_cached("UPDATE cycles SET name = ?2 WHERE id = ?1")?
            .execute(params![id, name])?;
    }
    if let Some(note) = note {
        conn.prepare_cached("UPDATE cycles SET note = ?2 WHERE id = ?1")?
            .execute(params![id, note])?;
    }
    if let Some(ids) = ids {
        set_focus(conn, id, &ids)?;
    }
    conn.prepare_cached("UPDATE cycles SET updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, rfc3339(now)])?;
    Ok(true)
}

fn cycle_from_row(conn: &Connection, row: &Row<'_>) -> Result<CycleRow> {
    let id: i64 = row.get(0)?;
    let start: String = row.get(2)?;
    let mut focus = conn.prepare_cached(
        "SELECT h.key FROM cycle_focus f JOIN horrors h ON h.id = f.horror_id WHERE f.cycle_id = ?1 ORDER BY f.position",
    )?;
    let focus = focus
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(CycleRow {
        id,
        name: row.get(1)?,
        start: parse_day(&start)?,
        days: row.get(3)?,
        note: row.get(4)?,
        focus,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
    })
}

const CYCLE_COLUMNS: &str = "id, name, start_day, days, note, created_at, updated_at";

pub fn cycle(conn: &Connection, id: i64) -> Result<Option<CycleRow>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {CYCLE_COLUMNS} FROM cycles WHERE id = ?1"))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(row) => Ok(Some(cycle_from_row(conn, row)?)),
        None => Ok(None),
    }
}

/// Every cycle, newest start first.
pub fn cycles(conn: &Connection) -> Result<Vec<CycleRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CYCLE_COLUMNS} FROM cycles ORDER BY start_day DESC, id DESC"
    ))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(cycle_from_row(conn, row)?);
    }
    Ok(out)
}

/// Keys that are a focus of some cycle overlapping the window.
pub fn focus_keys(conn: &Connection, window: &Window) -> Result<std::collections::HashSet<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT h.key FROM cycles c JOIN cycle_focus f ON f.cycle_id = c.id JOIN horrors h ON h.id = f.horror_id
         WHERE c.start_day <= ?2 AND c.end_day >= ?1",
    )?;
    let keys = stmt
        .query_map([window.from.to_string(), window.to.to_string()], |row| {
            row.get(0)
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(keys)
}
