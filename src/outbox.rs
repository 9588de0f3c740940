//! The webhook outbox's rules, below both the store that keeps the queue and the alerts that
//! fill it: a message is an id and a JSON body, and a failing one is retried with backoff
//! for a day.

use chrono::Duration;
use serde::Serialize;

use crate::error::{Error, Result};

/// How long a failing delivery is retried.
pub const RETRY_FOR: Duration = Duration::hours(24);

/// The wait before retry number `attempts` (1 min, doubling, at most 1 h).
pub fn backoff(attempts: i64) -> Duration {
    Duration::minutes(1i64 << attempts.clamp(0, 6)).min(Duration::hours(1))
}

/// A message to queue: its key (the same on every retry) and the JSON body sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub body: String,
}

impl Message {
    /// `value` as JSON under `id`.
    pub fn json(id: &str, value: &impl Serialize) -> Result<Message> {
        let body = serde_json::to_string(value).map_err(|e| Error::internal(e.to_string()))?;
        Ok(Message {
            id: id.to_string(),
            body,
        })
    }
}
