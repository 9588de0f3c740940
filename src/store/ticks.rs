//! The ticks aggregate: recording (with idempotent replays), voiding and reading ticks.
//! Every change keeps the daily rollup in step, in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use smallvec::SmallVec;

use super::db::{params, Conn, Engine, Row};
use super::inline::DayText;
use super::{instant, millis, rollup};
use crate::auth::Identity;
use crate::calendar::Window;
use crate::config::Settings;
use crate::error::{Error, Refusal, Result};
use crate::keys::{HorrorKey, SiteKey};
use crate::money::{Currency, Minor};
use crate::sites::Scope;
use crate::ticks::{rfc3339, NewTick, Source, Tick};

pub(super) mod catalogue_seen;
mod one_statement;

const TICK_COLUMNS: &str =
    "t.id, h.key, t.qty, t.occurred_at, t.day, t.source, t.department, t.note, t.cost_minor,
     t.recorded_at, t.recorded_by, t.voided_at, t.void_reason, t.token_id, t.horror_id, t.site,
     t.sheet_id";

/// A stored tick with what the store needs besides: the recording token and instant.
struct Stored {
    tick: Tick,
    token_id: Option<i64>,
    recorded_at: i64,
}

fn tick_from_row(row: &dyn Row, currency: Currency) -> Result<Stored> {
    let source = row.text(5)?;
    let source = Source::parse(&source)
        .map_err(|_| Error::internal(format!("unknown stored source {source:?}")))?;
    let cost_minor = Minor::new(row.int(8)?);
    let recorded_at = row.int(9)?;
    Ok(Stored {
        tick: Tick {
            id: row.int(0)?,
            horror: HorrorKey::from_stored(row.text(1)?),
            qty: row.int(2)?,
            occurred_at: rfc3339(instant(row.int(3)?)),
            day: row.text(4)?,
            site: SiteKey::from_column(row.text(15)?),
            source,
            department: row.opt_text(6)?,
            note: row.opt_text(7)?,
            cost: currency.format(cost_minor),
            cost_minor,
            recorded_at: rfc3339(instant(recorded_at)),
            recorded_by: row.text(10)?,
            voided: row.opt_int(11)?.is_some(),
            void_reason: row.opt_text(12)?,
            sheet: row.opt_int(16)?,
        },
        token_id: row.opt_int(13)?,
        recorded_at,
    })
}

fn tick_by_id(conn: &mut dyn Conn, id: i64, currency: Currency) -> Result<Option<Stored>> {
    conn.opt_row(
        &format!("SELECT {TICK_COLUMNS} FROM ticks t JOIN horrors h ON h.id = t.horror_id WHERE t.id = ?1"),
        params![id],
        |row| tick_from_row(row, currency),
    )
}

/// A recorded tick and whether it was a replay of an earlier request.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub tick: Tick,
    pub replayed: bool,
}

/// What [`insert`] decided for one tick. Only what the database decides is here; the
/// answer ([`Recorded`]) is built from it and the request by [`answers`], on the caller's
/// thread: the writer is the one serial part of the tick's path, so it formats nothing.
#[derive(Debug)]
pub enum Written {
    /// Stored now, with this id, local day and cost.
    New {
        id: i64,
        day: NaiveDate,
        cost_minor: i64,
    },
    /// An idempotent replay: the tick stored earlier with this key (rare: boxed, so the
    /// common case stays small).
    Replay(Box<Tick>),
    /// The same key as the earlier item of the same batch at this index (PostgreSQL).
    Copy(usize),
}

/// The answers to [`insert`]: each tick as recorded by `recorded_by` at `now` (from the
/// request itself, so nothing is read back), or as replayed.
pub fn answers(
    ticks: Vec<NewTick>,
    written: Vec<Written>,
    recorded_by: &str,
    now: DateTime<Utc>,
    currency: Currency,
) -> Result<Vec<Recorded>> {
    if written.len() != ticks.len() {
        return Err(Error::internal(
            "the tick insert answered for another number of ticks",
        ));
    }
    let mut out: Vec<Recorded> = Vec::with_capacity(ticks.len());
    for (tick, written) in ticks.into_iter().zip(written) {
        let recorded = match written {
            Written::New {
                id,
                day,
                cost_minor,
            } => Recorded {
                tick: recorded_tick(id, tick, day, cost_minor, currency, recorded_by, now),
                replayed: false,
            },
            Written::Replay(tick) => Recorded {
                tick: *tick,
                replayed: true,
            },
            Written::Copy(lead) => Recorded {
                tick: out
                    .get(lead)
                    .ok_or_else(|| Error::internal("a repeated key without its first use"))?
                    .tick
                    .clone(),
                replayed: true,
            },
        };
        out.push(recorded);
    }
    Ok(out)
}

/// A tick's row (SQLite). Its plan opens no temporary b-tree: see migration 0012 and the
/// test `the_tick_insert_builds_no_temporary_table`.
pub(crate) const INSERT_TICK: &str = "INSERT INTO ticks (horror_id, qty, occurred_at, day, source, department, note, cost_minor, recorded_at, token_id, recorded_by, site)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/// A horror as the catalogue has it, (id, unit cost in minor units, retired), if it does.
type Found = Option<(i64, i64, bool)>;

/// A rollup row, (day, horror id, source, site), and what a tick adds to it, (count, cost).
type RowChange<'a> = ((DayText, i64, &'static str, &'a str), (i64, i64));

/// Records ticks all-or-nothing: replays idempotent repeats, refuses unknown and retired
/// horrors and reused keys with different bodies ([`Error::ticks_refused`]), and keeps the
/// rollup in step. On PostgreSQL this is one statement ([`one_statement::insert`]).
// Over 80 lines: one pass over the batch (replays, look-ups, refusals, inserts) and then
// the rollup in key order; the tick's hot path on SQLite, kept in one place to read whole.
pub fn insert(
    conn: &mut dyn Conn,
    token_id: Option<i64>,
    recorded_by: &str,
    ticks: &[NewTick],
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Vec<Written>> {
    if conn.engine() == Engine::Postgres {
        return one_statement::insert(conn, token_id, recorded_by, ticks, settings, now);
    }
    let currency = settings.currency();
    let mut out = Vec::with_capacity(ticks.len());
    let mut refused = Vec::new();
    // A batch usually repeats a few horrors and days: look each horror up once and add to
    // each rollup row once.
    // A catalogue holds five to eight horrors (METHOD.md), and a tap is one tick: lists,
    // not maps. A batch naming many unknown horrors searches a longer list, at most 1,000
    // names long, and is refused anyway.
    // Both stay on the stack for a tap (and a batch of up to four horrors and rows).
    let mut horrors: SmallVec<[(&str, Found); 4]> = SmallVec::new();
    let mut rollup: SmallVec<[RowChange; 4]> = SmallVec::new();
    for (index, tick) in ticks.iter().enumerate() {
        if let (Some(token_id), Some((key, fingerprint))) = (token_id, &tick.idempotency) {
            let seen = conn.opt_row(
                "SELECT fingerprint, tick_id FROM idempotency WHERE token_id = ?1 AND key = ?2",
                params![token_id, key],
                |r| Ok((r.bytes(0)?, r.int(1)?)),
            )?;
            if let Some((seen_fingerprint, tick_id)) = seen {
                if seen_fingerprint == *fingerprint {
                    let original = tick_by_id(conn, tick_id, currency)?
                        .ok_or_else(|| Error::internal("idempotent tick vanished"))?;
                    out.push(Written::Replay(Box::new(original.tick)));
                } else {
                    refused.push((index, Refusal::KeyReused(key.clone())));
                }
                continue;
            }
        }
        let horror = match horrors.iter().find(|(key, _)| *key == tick.horror) {
            Some((_, found)) => *found,
            None => {
                let found = catalogue_seen::horror(conn, &tick.horror)?;
                horrors.push((tick.horror.as_str(), found));
                found
            }
        };
        let (horror_id, unit_cost_minor) = match horror {
            None => {
                refused.push((index, Refusal::UnknownHorror(tick.horror.clone())));
                continue;
            }
            Some((_, _, true)) => {
                refused.push((index, Refusal::RetiredHorror(tick.horror.clone())));
                continue;
            }
            Some((id, unit, false)) => (id, unit),
        };
        if !refused.is_empty() {
            continue; // nothing will be kept; only keep collecting problems
        }
        let cost_minor = tick.cost(Minor::new(unit_cost_minor)).get();
        let site = tick.site.as_deref().unwrap_or("");
        let date = tick.day(settings);
        let day = DayText::of(date);
        // No `RETURNING id`: SQLite builds a temporary table for the returned rows of
        // every such statement; the rowid of the last insert is free.
        conn.execute(
            INSERT_TICK,
            params![
                horror_id,
                tick.qty,
                millis(tick.occurred_at),
                day.as_str(),
                tick.source.as_str(),
                tick.department.as_deref(),
                tick.note.as_deref(),
                cost_minor,
                millis(now),
                token_id,
                recorded_by,
                site
            ],
        )?;
        let id = conn
            .last_insert_id()
            .ok_or_else(|| Error::internal("no rowid after inserting a tick"))?;
        rollup.push((
            (day, horror_id, tick.source.as_str(), site),
            (tick.qty, cost_minor),
        ));
        if let (Some(token_id), Some((key, fingerprint))) = (token_id, &tick.idempotency) {
            conn.execute(
                "INSERT INTO idempotency (token_id, key, fingerprint, tick_id) VALUES (?1, ?2, ?3, ?4)",
                params![token_id, key, fingerprint.as_slice(), id],
            )?;
        }
        out.push(Written::New {
            id,
            day: date,
            cost_minor,
        });
    }
    if !refused.is_empty() {
        return Err(Error::ticks_refused(refused));
    }
    // Each row once, in key order.
    rollup.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for row in rollup.chunk_by(|a, b| a.0 == b.0) {
        let (day, horror_id, source, site) = &row[0].0;
        let (count, cost_minor) = row
            .iter()
            .fold((0, 0), |(count, cost), (_, (n, c))| (count + n, cost + c));
        rollup::add(
            conn,
            day.as_str(),
            *horror_id,
            source,
            site,
            count,
            cost_minor,
        )?;
    }
    Ok(out)
}

/// A tick as just recorded (both engines' insert paths answer with it).
fn recorded_tick(
    id: i64,
    tick: NewTick,
    day: NaiveDate,
    cost_minor: i64,
    currency: Currency,
    recorded_by: &str,
    now: DateTime<Utc>,
) -> Tick {
    let recorded_at = rfc3339(now);
    // A tap without `occurred_at` happened when it was recorded, to the millisecond.
    let occurred_at = if tick.occurred_at == now {
        recorded_at.clone()
    } else {
        rfc3339(tick.occurred_at)
    };
    Tick {
        id,
        // The store found it in the catalogue: a stored key.
        horror: HorrorKey::from_stored(tick.horror),
        qty: tick.qty,
        occurred_at,
        day: DayText::of(day).as_str().to_owned(),
        site: tick.site,
        source: tick.source,
        department: tick.department,
        note: tick.note,
        cost: currency.format(Minor::new(cost_minor)),
        cost_minor: Minor::new(cost_minor),
        recorded_at,
        recorded_by: recorded_by.to_string(),
        voided: false,
        void_reason: None,
        sheet: None,
    }
}

/// Voids a tick: staff their own within 15 minutes of recording, admin any. Voiding a
/// voided tick returns it unchanged.
pub fn void(
    conn: &mut dyn Conn,
    id: i64,
    who: &Identity,
    reason: Option<&str>,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Tick> {
    let currency = settings.currency();
    let stored = tick_by_id(conn, id, currency)?
        .ok_or_else(|| Error::NotFound(format!("no tick with id {id}")))?;
    let tick = stored.tick;
    if tick.voided {
        return Ok(tick);
    }
    crate::ticks::may_void(who, stored.token_id, instant(stored.recorded_at), now)?;
    // Only a live tick is voided, and the rollup loses what the row holds at that moment:
    // on PostgreSQL another instance may have voided it, or a new timezone moved its day,
    // since it was read above.
    let voided = conn.opt_row(
        "UPDATE ticks SET voided_at = ?2, voided_by = ?3, void_reason = ?4
         WHERE id = ?1 AND voided_at IS NULL
         RETURNING day, horror_id, source, site, qty, cost_minor",
        params![id, millis(now), who.name.as_str(), reason],
        |r| {
            Ok((
                r.text(0)?,
                r.int(1)?,
                r.text(2)?,
                r.text(3)?,
                r.int(4)?,
                r.int(5)?,
            ))
        },
    )?;
    let Some((day, horror_id, source, site, qty, cost_minor)) = voided else {
        return Ok(tick_by_id(conn, id, currency)?
            .ok_or_else(|| Error::NotFound(format!("no tick with id {id}")))?
            .tick);
    };
    rollup::add(conn, &day, horror_id, &source, &site, -qty, -cost_minor)?;
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
    /// Only ticks at this site (every site when `None`).
    pub site: Option<SiteKey>,
    pub include_voided: bool,
    pub limit: i64,
    pub before_id: Option<i64>,
}

/// A page of ticks, newest first, and the id to pass as `before_id` for the next page.
pub fn list(
    conn: &mut dyn Conn,
    filter: &TickFilter,
    currency: Currency,
) -> Result<(Vec<Tick>, Option<i64>)> {
    let (from, to) = (
        filter.window.from().to_string(),
        filter.window.to().to_string(),
    );
    let mut ticks = conn.rows(
        &format!(
            "SELECT {TICK_COLUMNS} FROM ticks t JOIN horrors h ON h.id = t.horror_id
             WHERE t.day BETWEEN ?1 AND ?2
               AND (CAST(?3 AS TEXT) IS NULL OR h.key = ?3)
               AND (CAST(?4 AS TEXT) IS NULL OR t.source = ?4)
               AND (CAST(?5 AS TEXT) IS NULL OR t.department = ?5)
               AND (?6 OR t.voided_at IS NULL)
               AND (CAST(?7 AS BIGINT) IS NULL OR t.id < ?7)
               AND (CAST(?9 AS TEXT) IS NULL OR t.site = ?9)
             ORDER BY t.id DESC LIMIT ?8"
        ),
        params![
            from.as_str(),
            to.as_str(),
            filter.horror.as_deref(),
            filter.source.map(Source::as_str),
            filter.department.as_deref(),
            filter.include_voided,
            filter.before_id,
            filter.limit + 1,
            filter.site.as_deref()
        ],
        |row| Ok(tick_from_row(row, currency)?.tick),
    )?;
    let next = if ticks.len() as i64 > filter.limit {
        ticks.truncate(filter.limit as usize);
        ticks.last().map(|t| t.id)
    } else {
        None
    };
    Ok((ticks, next))
}

/// A window holding more than one tick in this many of the table is read as a table scan
/// (on SQLite), not through the day index.
const WIDE_WINDOW: i64 = 5;

/// Calls `each` for every tick in the window (at most `limit`), oldest first, without
/// holding them all.
pub fn for_each(
    conn: &mut dyn Conn,
    window: &Window,
    scope: &Scope,
    include_voided: bool,
    limit: i64,
    currency: Currency,
    mut each: impl FnMut(Tick) -> Result<()>,
) -> Result<()> {
    let (from, to) = (window.from().to_string(), window.to().to_string());
    // SQLite would walk the day index, fetch each tick by rowid and sort the window by id
    // in a temporary B-tree. When the window holds much of the table, reading the table in
    // rowid order (`+t.day` keeps the index out) gives id order for free: for a year of
    // 1 M ticks the query took 7.8 s through the index and 3.5 s as a scan.
    let scan = conn.engine() == Engine::Sqlite && {
        let (in_window, last_id) = conn.one_row(
            "SELECT (SELECT COUNT(*) FROM ticks WHERE day BETWEEN ?1 AND ?2),
                    (SELECT COALESCE(MAX(id), 0) FROM ticks)",
            params![from.as_str(), to.as_str()],
            |r| Ok((r.int(0)?, r.int(1)?)),
        )?;
        in_window.min(limit) * WIDE_WINDOW > last_id
    };
    let day = if scan { "+t.day" } else { "t.day" };
    conn.query(
        &format!(
            "SELECT {TICK_COLUMNS} FROM ticks t JOIN horrors h ON h.id = t.horror_id
             WHERE {day} BETWEEN ?1 AND ?2 AND (?3 OR t.voided_at IS NULL)
               AND (CAST(?5 AS TEXT) IS NULL OR t.site = ?5)
             ORDER BY t.id LIMIT ?4"
        ),
        params![
            from.as_str(),
            to.as_str(),
            include_voided,
            limit,
            scope.stored()
        ],
        &mut |row| each(tick_from_row(row, currency)?.tick),
    )
}

pub fn any(conn: &mut dyn Conn) -> Result<bool> {
    conn.one_row("SELECT EXISTS (SELECT 1 FROM ticks)", params![], |r| {
        r.bool(0)
    })
}

pub fn count(conn: &mut dyn Conn) -> Result<i64> {
    conn.one_row("SELECT COUNT(*) FROM ticks", params![], |r| r.int(0))
}

/// The ticks entered from sheet `sheet`, in the order they were recorded.
pub fn of_sheet(conn: &mut dyn Conn, sheet: i64, currency: Currency) -> Result<Vec<Tick>> {
    conn.rows(
        &format!(
            "SELECT {TICK_COLUMNS} FROM ticks t JOIN horrors h ON h.id = t.horror_id
             WHERE t.sheet_id = ?1 ORDER BY t.id"
        ),
        params![sheet],
        |row| Ok(tick_from_row(row, currency)?.tick),
    )
}
