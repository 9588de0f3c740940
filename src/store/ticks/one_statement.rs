//! [`super::insert`] on PostgreSQL: every tick of a call decided, written and rolled up by
//! one statement.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::{tick_by_id, Written};
use crate::config::Settings;
use crate::error::{Error, Refusal, Result};
use crate::money::Minor;
use crate::store::db::{Conn, Param};
use crate::store::millis;
use crate::ticks::NewTick;

/// What the one-statement insert decides for each tick, in order: refused (a reused key
/// with another body, an unknown or retired horror), a replay of a stored tick, a copy of
/// an earlier tick of the same batch with the same key, or new. Nothing is written unless
/// every tick is a replay, a copy or new. Idempotency is decided by the unique index: a
/// key committed by another instance after this statement's snapshot makes the insert
/// fail with a unique violation (503 `overloaded`; the retry replays it), and a key still
/// in flight elsewhere is waited for up to the lock timeout.
const INSERT_TICKS: &str = "
WITH i AS (
    SELECT * FROM unnest(?1::text[], ?2::bigint[], ?3::bigint[], ?4::text[], ?5::text[],
                         ?6::text[], ?7::text[], ?8::bigint[], ?9::text[], ?10::text[],
                         ?11::bytea[], ?12::bigint[])
        WITH ORDINALITY AS i(horror, qty, occurred_at, day, source, department, note, cost,
                             site, key, fp, lead, ord)
), h AS (
    SELECT i.*, s.fingerprint AS seen_fp, s.tick_id AS seen_id, hr.id AS horror_id,
           hr.unit_cost_minor AS unit, hr.retired
    FROM i
    LEFT JOIN idempotency s ON s.token_id = ?13 AND s.key = i.key
    LEFT JOIN horrors hr ON hr.key = i.horror
), v AS (
    SELECT h.*, CASE
        WHEN h.seen_fp IS NOT NULL THEN CASE WHEN h.seen_fp = h.fp THEN 'replay' ELSE 'reused' END
        WHEN h.lead IS NOT NULL AND l.horror_id IS NOT NULL AND NOT l.retired
            THEN CASE WHEN l.fp = h.fp THEN 'copy' ELSE 'reused' END
        WHEN h.horror_id IS NULL THEN 'unknown'
        WHEN h.retired THEN 'retired'
        ELSE 'new' END AS verdict
    FROM h LEFT JOIN h AS l ON l.ord = h.lead
), bad AS (
    SELECT EXISTS (SELECT 1 FROM v WHERE verdict IN ('reused', 'unknown', 'retired')) AS refused
), fresh AS (
    SELECT n.*, nextval(pg_get_serial_sequence('ticks', 'id')) AS id
    FROM (SELECT ord, horror_id, qty, occurred_at, day, source, department, note,
                 COALESCE(cost, qty * unit) AS cost_minor, site, key, fp
          FROM v WHERE verdict = 'new' AND lead IS NULL AND NOT (SELECT refused FROM bad)
          ORDER BY ord) AS n
), ins AS (
    INSERT INTO ticks (id, horror_id, qty, occurred_at, day, source, department, note,
                       cost_minor, recorded_at, token_id, recorded_by, site)
    SELECT id, horror_id, qty, occurred_at, day, source, department, note, cost_minor,
           ?14, ?13, ?15, site FROM fresh
), keys AS (
    INSERT INTO idempotency (token_id, key, fingerprint, tick_id)
    SELECT ?13, key, fp, id FROM fresh WHERE key IS NOT NULL
), by_site AS (
    INSERT INTO daily (day, horror_id, source, site, slot, count, cost_minor)
    SELECT day, horror_id, source, site, ?16, SUM(qty), SUM(cost_minor) FROM fresh
    GROUP BY day, horror_id, source, site
    ON CONFLICT (day, horror_id, source, site, slot) DO UPDATE
    SET count = daily.count + excluded.count, cost_minor = daily.cost_minor + excluded.cost_minor
), all_sites AS (
    INSERT INTO daily_all (day, horror_id, source, slot, count, cost_minor)
    SELECT day, horror_id, source, ?16, SUM(qty), SUM(cost_minor) FROM fresh
    GROUP BY day, horror_id, source
    ON CONFLICT (day, horror_id, source, slot) DO UPDATE
    SET count = daily_all.count + excluded.count, cost_minor = daily_all.cost_minor + excluded.cost_minor
)
SELECT v.verdict, COALESCE(f.id, v.seen_id, lf.id, 0), COALESCE(f.cost_minor, 0)
FROM v LEFT JOIN fresh f ON f.ord = v.ord LEFT JOIN fresh lf ON lf.ord = v.lead
ORDER BY v.ord";

/// [`insert`] on PostgreSQL: lookups, checks, the inserts and both rollups in one
/// statement (one round trip, however many ticks), plus one read per replayed tick.
// Over 80 lines: the statement's twelve parameter arrays built side by side, then its
// verdicts read back in order; each half alone would only pass the other its vectors.
pub(super) fn insert(
    conn: &mut dyn Conn,
    token_id: Option<i64>,
    recorded_by: &str,
    ticks: &[NewTick],
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Vec<Written>> {
    let currency = settings.currency();
    // Keys count only with a token; a key repeated within the batch points at its first use.
    let keys: Vec<Option<&str>> = ticks
        .iter()
        .map(|t| match (token_id, &t.idempotency) {
            (Some(_), Some((key, _))) => Some(key.as_str()),
            _ => None,
        })
        .collect();
    let mut first_use: HashMap<&str, i64> = HashMap::new();
    let leads: Vec<Option<i64>> = keys
        .iter()
        .enumerate()
        .map(|(index, key)| {
            let key = (*key)?;
            let first = *first_use.entry(key).or_insert(index as i64 + 1);
            (first != index as i64 + 1).then_some(first)
        })
        .collect();
    let dates: Vec<NaiveDate> = ticks.iter().map(|t| t.day(settings)).collect();
    let days: Vec<String> = dates.iter().map(NaiveDate::to_string).collect();
    let horrors: Vec<&str> = ticks.iter().map(|t| t.horror.as_str()).collect();
    let qty: Vec<i64> = ticks.iter().map(|t| t.qty).collect();
    let occurred: Vec<i64> = ticks.iter().map(|t| millis(t.occurred_at)).collect();
    let day_refs: Vec<&str> = days.iter().map(String::as_str).collect();
    let sources: Vec<&str> = ticks.iter().map(|t| t.source.as_str()).collect();
    let departments: Vec<Option<&str>> = ticks.iter().map(|t| t.department.as_deref()).collect();
    let notes: Vec<Option<&str>> = ticks.iter().map(|t| t.note.as_deref()).collect();
    let costs: Vec<Option<i64>> = ticks.iter().map(|t| t.cost_minor.map(Minor::get)).collect();
    let sites: Vec<&str> = ticks
        .iter()
        .map(|t| t.site.as_deref().unwrap_or(""))
        .collect();
    let fingerprints: Vec<Option<&[u8]>> = ticks
        .iter()
        .zip(&keys)
        .map(|(t, key)| key.and(t.idempotency.as_ref().map(|(_, fp)| fp.as_slice())))
        .collect();
    let slot = conn.slot();
    let decided = conn.rows(
        INSERT_TICKS,
        &[
            Param::Texts(&horrors),
            Param::Ints(&qty),
            Param::Ints(&occurred),
            Param::Texts(&day_refs),
            Param::Texts(&sources),
            Param::OptTexts(&departments),
            Param::OptTexts(&notes),
            Param::OptInts(&costs),
            Param::Texts(&sites),
            Param::OptTexts(&keys),
            Param::OptBytesList(&fingerprints),
            Param::OptInts(&leads),
            Param::OptInt(token_id),
            Param::Int(millis(now)),
            Param::Text(recorded_by),
            Param::Int(slot),
        ],
        |r| Ok((r.text(0)?, r.int(1)?, r.int(2)?)),
    )?;
    if decided.len() != ticks.len() {
        return Err(Error::internal(
            "the tick insert answered for another number of ticks",
        ));
    }
    let refused: Vec<(usize, Refusal)> = decided
        .iter()
        .zip(ticks)
        .enumerate()
        .filter_map(|(index, ((verdict, _, _), tick))| {
            let refusal = match verdict.as_str() {
                "reused" => Refusal::KeyReused(tick.idempotency.clone()?.0),
                "unknown" => Refusal::UnknownHorror(tick.horror.clone()),
                "retired" => Refusal::RetiredHorror(tick.horror.clone()),
                _ => return None,
            };
            Some((index, refusal))
        })
        .collect();
    if !refused.is_empty() {
        return Err(Error::ticks_refused(refused));
    }
    let mut out: Vec<Written> = Vec::with_capacity(ticks.len());
    for (index, (verdict, id, cost_minor)) in decided.into_iter().enumerate() {
        let written = match verdict.as_str() {
            "new" => Written::New {
                id,
                day: dates[index],
                cost_minor,
            },
            "copy" => Written::Copy(
                leads[index]
                    .and_then(|ord| usize::try_from(ord - 1).ok())
                    .filter(|&lead| lead < index)
                    .ok_or_else(|| Error::internal("a repeated key without its first use"))?,
            ),
            "replay" => Written::Replay(Box::new(
                tick_by_id(conn, id, currency)?
                    .ok_or_else(|| Error::internal("idempotent tick vanished"))?
                    .tick,
            )),
            other => return Err(Error::internal(format!("unexpected verdict {other:?}"))),
        };
        out.push(written);
    }
    Ok(out)
}
