//! Delivery of alert episodes to the webhook: one event per (episode, opened|closed),
//! queued in the database, claimed one at a time under a lease, signed with a timestamp
//! and retried with backoff for 24 h.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use super::{default_period, episodes, scopes, AlertsConfig, Episode, State};
use crate::error::Result;
use crate::metrics::Delivery;
use crate::outbox::Message;
use crate::report;
use crate::sites::Scope;
use crate::store::Store;

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, the `X-Horrors-Signature`
/// header: receivers reject a `t` older than 5 minutes, so a captured request cannot be
/// replayed later.
pub fn signature(secret: &str, unix_seconds: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={unix_seconds},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

pub use crate::outbox::{backoff, RETRY_FOR};

/// What one delivery round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    pub new_alerts: usize,
    pub delivered: usize,
    pub failed: usize,
    pub gave_up: usize,
}

/// An event of an episode to deliver.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// `opened` or `closed`.
    pub event: &'static str,
    pub alert: Episode,
    /// `horror|site|opened|event`: the same on every retry, so receivers can deduplicate.
    pub id: String,
}

/// The events of `episodes`: one `opened` each, and one `closed` for the closed ones.
pub fn events(episodes: &[Episode]) -> Vec<Event> {
    let mut out = Vec::new();
    for episode in episodes {
        out.push(Event {
            event: "opened",
            alert: episode.clone(),
            id: format!("{}|opened", episode.id()),
        });
        if !episode.is_open() {
            out.push(Event {
                event: "closed",
                alert: episode.clone(),
                id: format!("{}|closed", episode.id()),
            });
        }
    }
    out
}

/// The events as the outbox's messages (their JSON, under their ids).
fn messages(events: &[Event]) -> Result<Vec<Message>> {
    events.iter().map(|e| Message::json(&e.id, e)).collect()
}

/// Every episode of the last `lookback_days` complete days (open or closed), of the
/// organization's and every active site's series.
pub fn current(store: &Store) -> Result<Vec<Episode>> {
    let settings = store.snapshot()?.settings.clone();
    let period = default_period(&settings, store.now());
    episodes(store, &scopes(&settings, &Scope::ALL), &period, State::All)
}

/// Queues the events of `episodes` not queued before and POSTs what is due; with
/// `retry_now`, pending retries too whatever their backoff (`horrors alerts send`).
pub fn send(
    store: &Store,
    config: &AlertsConfig,
    episodes: &[Episode],
    retry_now: bool,
) -> Result<Delivered> {
    let new_alerts = if config.webhook.is_some() {
        store.queue_alerts(&messages(&events(episodes))?)?
    } else {
        0
    };
    let mut done = deliver(store, config, retry_now)?;
    done.new_alerts = new_alerts;
    Ok(done)
}

/// Evaluates the episodes and queues the events not queued before (each event is sent
/// once: one row per episode and event). Nothing is queued without a webhook.
pub fn queue(store: &Store, config: &AlertsConfig) -> Result<usize> {
    if config.webhook.is_none() {
        return Ok(0);
    }
    store.queue_alerts(&messages(&events(&current(store)?))?)
}

/// The most deliveries one round makes.
const ROUND: usize = 1000;

/// POSTs every queued event that is due, one claim at a time: each claim is a lease
/// (six times the delivery timeout: a minute by default) far longer than one delivery may
/// take, taken just before that delivery, so another instance never sends the same event
/// while it runs.
pub fn deliver(store: &Store, config: &AlertsConfig, retry_now: bool) -> Result<Delivered> {
    let mut done = Delivered::default();
    let Some(webhook) = &config.webhook else {
        return Ok(done);
    };
    let agent = ureq::AgentBuilder::new()
        .timeout(config.delivery_timeout())
        .redirects(0)
        .build();
    let mut cursor = crate::store::alerts::Cursor::start();
    for _ in 0..ROUND {
        let Some(pending) = store.claim_due_alert(retry_now, &cursor, config.lease())? else {
            break;
        };
        cursor = crate::store::alerts::Cursor::after(&pending);
        let now = store.now();
        let body = stamped(&pending.body, now);
        let signature = signature(&webhook.secret, now.timestamp(), body.as_bytes());
        let sent = agent
            .post(&webhook.url)
            .set("Content-Type", "application/json")
            .set("X-Horrors-Signature", &signature)
            .send_string(&body);
        // Errors are described without the URL: it may carry credentials.
        let outcome = match sent {
            Ok(response) if (200..300).contains(&response.status()) => Ok(()),
            Ok(response) => Err(format!("HTTP {}", response.status())),
            Err(ureq::Error::Status(code, _)) => Err(format!("HTTP {code}")),
            Err(ureq::Error::Transport(t)) => Err(format!("transport: {}", t.kind())),
        };
        match outcome {
            Ok(()) => {
                store.alert_delivered(&pending.id)?;
                store.metrics().alert_delivery(Delivery::Delivered);
                done.delivered += 1;
            }
            Err(error) => {
                tracing::warn!(alert = %pending.id, url = %webhook.redacted_url(), %error, "alert delivery failed");
                if store.alert_failed(&pending.id, &error)? {
                    store.metrics().alert_delivery(Delivery::Failed);
                    done.failed += 1;
                } else {
                    store.metrics().alert_delivery(Delivery::GaveUp);
                    done.gave_up += 1;
                }
            }
        }
    }
    Ok(done)
}

/// The queued body with `"sent_at"` (RFC 3339, UTC) added.
fn stamped(body: &str, now: DateTime<Utc>) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut map)) => {
            map.insert(
                "sent_at".into(),
                now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    .into(),
            );
            serde_json::Value::Object(map).to_string()
        }
        _ => body.to_string(),
    }
}

/// In `serve`: evaluates after each local midnight (and at start), and sends what is due
/// every minute. Runs on a thread of its own, since webhook calls block.
pub fn start(store: Store, config: AlertsConfig) -> std::io::Result<()> {
    if config.webhook.is_none() {
        return Ok(());
    }
    std::thread::Builder::new()
        .name("horrors-alerts".into())
        .spawn(move || {
            let mut evaluated_for = None;
            loop {
                if let Ok(today) = report::today(&store, store.now()) {
                    if evaluated_for != Some(today) {
                        match queue(&store, &config) {
                            Ok(_) => evaluated_for = Some(today),
                            Err(e) => tracing::warn!(error = %e, "evaluating alerts failed"),
                        }
                    }
                }
                if let Err(e) = deliver(&store, &config, false) {
                    tracing::warn!(error = %e, "delivering alerts failed");
                }
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
        })
        .map(drop)
}
