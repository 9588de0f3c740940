//! The alert queue (SPEC §19): one row per alert (horror, site, day), so each is sent once;
//! attempts, the next try and the outcome, so retries survive restarts and every instance
//! sees the same queue.

use chrono::{DateTime, Utc};

use super::db::{params, Conn, Engine};
use super::millis;
use crate::alerts::{backoff, Alert, RETRY_FOR};
use crate::error::{Error, Result};

/// How long a claimed alert is left to the instance sending it before another may retry.
const LEASE_MS: i64 = 60_000;

/// A queued alert to send: its key and the JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: String,
    pub body: String,
}

fn id(alert: &Alert) -> String {
    format!(
        "{}|{}|{}",
        alert.horror,
        alert.site.as_deref().unwrap_or(""),
        alert.day
    )
}

/// Queues the alerts not queued before; returns how many were new.
pub fn queue(conn: &mut dyn Conn, alerts: &[Alert], now: DateTime<Utc>) -> Result<usize> {
    let mut new = 0;
    for alert in alerts {
        let body = serde_json::to_string(alert).map_err(|e| Error::internal(e.to_string()))?;
        new += conn.execute(
            "INSERT INTO alert_deliveries (id, body, created_at, attempts, next_attempt_at)
             VALUES (?1, ?2, ?3, 0, ?3) ON CONFLICT (id) DO NOTHING",
            params![id(alert).as_str(), body.as_str(), millis(now)],
        )? as usize;
    }
    Ok(new)
}

/// The alerts due now, each leased for a minute to the caller.
pub fn claim_due(conn: &mut dyn Conn, now: DateTime<Utc>) -> Result<Vec<Pending>> {
    // On PostgreSQL, alerts another instance is claiming right now are skipped, not
    // waited for (it may be frozen in the middle of its claim), and never claimed twice.
    let sql = match conn.engine() {
        Engine::Postgres => {
            "SELECT id, body FROM alert_deliveries
             WHERE delivered_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ?1
             ORDER BY created_at, id LIMIT 100 FOR UPDATE SKIP LOCKED"
        }
        Engine::Sqlite => {
            "SELECT id, body FROM alert_deliveries
             WHERE delivered_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= ?1
             ORDER BY created_at, id LIMIT 100"
        }
    };
    let due = conn.rows(sql, params![millis(now)], |r| {
        Ok(Pending {
            id: r.text(0)?,
            body: r.text(1)?,
        })
    })?;
    for pending in &due {
        conn.execute(
            "UPDATE alert_deliveries SET next_attempt_at = ?2 WHERE id = ?1",
            params![pending.id.as_str(), millis(now) + LEASE_MS],
        )?;
    }
    Ok(due)
}

pub fn delivered(conn: &mut dyn Conn, id: &str, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE alert_deliveries SET delivered_at = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1",
        params![id, millis(now)],
    )?;
    Ok(())
}

/// Records a failed attempt; `false` when the alert has been failing for 24 h and is given up.
pub fn failed(conn: &mut dyn Conn, id: &str, error: &str, now: DateTime<Utc>) -> Result<bool> {
    let Some((created, attempts)) = conn.opt_row(
        "SELECT created_at, attempts FROM alert_deliveries WHERE id = ?1",
        params![id],
        |r| Ok((r.int(0)?, r.int(1)?)),
    )?
    else {
        return Ok(false);
    };
    let attempts = attempts + 1;
    let next = millis(now) + backoff(attempts - 1).num_milliseconds();
    let give_up = next - created > RETRY_FOR.num_milliseconds();
    conn.execute(
        "UPDATE alert_deliveries SET attempts = ?2, last_error = ?3, next_attempt_at = ?4,
         gave_up_at = CASE WHEN ?5 THEN CAST(?6 AS BIGINT) ELSE NULL END WHERE id = ?1",
        params![id, attempts, error, next, give_up, millis(now)],
    )?;
    Ok(!give_up)
}
