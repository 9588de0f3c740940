//! The alert queue: one row per (episode, event), so each is sent once; attempts, the
//! next try, a lease and the outcome, so retries survive restarts and every instance sees
//! the same queue.

use chrono::{DateTime, Duration, Utc};

use super::db::{params, Conn, Engine};
use super::millis;
use crate::error::Result;
use crate::outbox::{backoff, Message, RETRY_FOR};

/// A queued event to send: its key, the JSON body and when it was queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: String,
    pub body: String,
    pub created_at: i64,
}

/// Where a delivery round is in the queue's order (created_at, id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

impl Cursor {
    /// Before every event.
    pub fn start() -> Cursor {
        Cursor {
            created_at: i64::MIN,
            id: String::new(),
        }
    }

    pub fn after(pending: &Pending) -> Cursor {
        Cursor {
            created_at: pending.created_at,
            id: pending.id.clone(),
        }
    }
}

/// Queues the events not queued before; returns how many were new.
pub fn queue(conn: &mut dyn Conn, messages: &[Message], now: DateTime<Utc>) -> Result<usize> {
    let mut new = 0;
    for message in messages {
        new += conn.execute(
            "INSERT INTO alert_deliveries (id, body, created_at, attempts, next_attempt_at)
             VALUES (?1, ?2, ?3, 0, ?3) ON CONFLICT (id) DO NOTHING",
            params![message.id.as_str(), message.body.as_str(), millis(now)],
        )? as usize;
    }
    Ok(new)
}

/// The oldest event due now (with `retry_now`, also one waiting for its retry) after
/// `after` (the last one this round claimed: each is tried once a round), leased to the
/// caller for `lease` (longer than its delivery may take); `None` when nothing is due.
pub fn claim_due(
    conn: &mut dyn Conn,
    now: DateTime<Utc>,
    retry_now: bool,
    after: &Cursor,
    lease: Duration,
) -> Result<Option<Pending>> {
    // On PostgreSQL, an event another instance is claiming right now is skipped, not
    // waited for (it may be frozen in the middle of its claim), and never claimed twice.
    let lock = match conn.engine() {
        Engine::Postgres => "FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    let due = conn.opt_row(
        &format!(
            "SELECT id, body, created_at FROM alert_deliveries
             WHERE delivered_at IS NULL AND gave_up_at IS NULL AND leased_until <= ?1
               AND (next_attempt_at <= ?1 OR ?2)
               AND (created_at > ?3 OR (created_at = ?3 AND id > ?4))
             ORDER BY created_at, id LIMIT 1 {lock}"
        ),
        params![millis(now), retry_now, after.created_at, after.id.as_str()],
        |r| {
            Ok(Pending {
                id: r.text(0)?,
                body: r.text(1)?,
                created_at: r.int(2)?,
            })
        },
    )?;
    if let Some(pending) = &due {
        conn.execute(
            "UPDATE alert_deliveries SET leased_until = ?2 WHERE id = ?1",
            params![pending.id.as_str(), millis(now) + lease.num_milliseconds()],
        )?;
    }
    Ok(due)
}

pub fn delivered(conn: &mut dyn Conn, id: &str, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE alert_deliveries SET delivered_at = ?2, attempts = attempts + 1, last_error = NULL, leased_until = 0 WHERE id = ?1",
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
        "UPDATE alert_deliveries SET attempts = ?2, last_error = ?3, next_attempt_at = ?4, leased_until = 0,
         gave_up_at = CASE WHEN ?5 THEN CAST(?6 AS BIGINT) ELSE NULL END WHERE id = ?1",
        params![id, attempts, error, next, give_up, millis(now)],
    )?;
    Ok(!give_up)
}
