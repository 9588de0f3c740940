//! Alerts (SPEC §19): days on which a horror's day control chart (§18) signals high, and
//! their delivery to a webhook — each alert POSTed once, signed, retried with backoff for
//! 24 h, with the delivery state in the database so it survives restarts and is shared by
//! every instance.

use chrono::{Duration, NaiveDate};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use utoipa::ToSchema;

use crate::calendar::{Bucket, Window};
use crate::error::Result;
use crate::metrics::Delivery;
use crate::report;
use crate::sites::Scope;
use crate::stats::Signal;
use crate::store::Store;

/// Days of a control chart's end that can raise an alert.
pub const RECENT_DAYS: usize = 7;
/// How long a failing delivery is retried.
pub const RETRY_FOR: Duration = Duration::hours(24);

/// The `[alerts]` table of the configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertsConfig {
    /// Days (that are over) each control chart looks back; default 56.
    pub lookback_days: i64,
    pub webhook: Option<Webhook>,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            lookback_days: 56,
            webhook: None,
        }
    }
}

/// Where alerts are POSTed and the secret they are signed with.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: String,
    pub secret: String,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("Webhook")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// One alert: a day whose point is above its upper limit, or part of a run on the high side.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Alert {
    pub horror: String,
    /// The site whose chart signalled; null for the whole organization's.
    pub site: Option<String>,
    pub day: String,
    pub count: u64,
    /// Occurrences per day, or per 1,000 units with volume exposure.
    pub rate: f64,
    pub ucl: f64,
    /// `above` or `run`.
    pub signal: String,
}

/// `GET /api/alerts`.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Alerts {
    pub alerts: Vec<Alert>,
}

/// Every current alert, newest day first (then by horror key): for each active horror, the
/// day control chart of the `lookback_days` days that are over, and its last 7 points.
pub fn evaluate(
    store: &Store,
    today: NaiveDate,
    lookback_days: i64,
    scope: &Scope,
) -> Result<Vec<Alert>> {
    let snapshot = store.snapshot()?;
    let Some(last) = today.pred_opt() else {
        return Ok(Vec::new());
    };
    let window = Window {
        from: last - Duration::days(lookback_days.max(1) - 1),
        to: last,
    };
    let observed = report::Observed {
        days: store.day_tallies(&window, scope)?,
        coverage: store.volume(&window, scope)?,
        required: crate::volume::required_sites(&snapshot.settings, scope),
        scope: scope.clone(),
    };
    let tz = snapshot.settings.tz();
    let mut alerts = Vec::new();
    for horror in snapshot.active() {
        let chart = report::control_of(
            &observed,
            &window,
            Bucket::Day,
            Some(&horror.key),
            true,
            today,
            tz,
        );
        let recent = chart.points.len().saturating_sub(RECENT_DAYS);
        for at in &chart.points[recent..] {
            let point = &at.point;
            if !point.is_high_alert() {
                continue;
            }
            let signal = if point.signals.contains(&Signal::Above) {
                "above"
            } else {
                "run"
            };
            alerts.push(Alert {
                horror: horror.key.clone(),
                site: scope.site.clone(),
                day: at.start.clone(),
                count: point.count,
                rate: point.rate.unwrap_or_default(),
                ucl: point.ucl.unwrap_or_default(),
                signal: signal.into(),
            });
        }
    }
    alerts.sort_by(|a, b| b.day.cmp(&a.day).then_with(|| a.horror.cmp(&b.horror)));
    Ok(alerts)
}

/// The alerts the webhook hears of: the whole organization's and each active site's.
pub fn evaluate_all(store: &Store, today: NaiveDate, lookback_days: i64) -> Result<Vec<Alert>> {
    let mut alerts = evaluate(store, today, lookback_days, &Scope::ALL)?;
    for site in store.snapshot()?.settings.active_sites() {
        alerts.extend(evaluate(
            store,
            today,
            lookback_days,
            &Scope::site(site.key.clone()),
        )?);
    }
    Ok(alerts)
}

/// `sha256=<hex HMAC-SHA256 of body with secret>`, the `X-Horrors-Signature` header.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The wait before retry number `attempts` (1 min, doubling, at most 1 h).
pub fn backoff(attempts: i64) -> Duration {
    Duration::minutes(1i64 << attempts.clamp(0, 6)).min(Duration::hours(1))
}

/// What one delivery round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    pub new_alerts: usize,
    pub delivered: usize,
    pub failed: usize,
    pub gave_up: usize,
}

/// Queues the new ones of `alerts` (just evaluated) and POSTs every queued alert that is
/// due (`horrors alerts send`).
pub fn send(store: &Store, config: &AlertsConfig, alerts: &[Alert]) -> Result<Delivered> {
    let new_alerts = if config.webhook.is_some() {
        store.queue_alerts(alerts)?
    } else {
        0
    };
    let mut done = deliver(store, config)?;
    done.new_alerts = new_alerts;
    Ok(done)
}

/// Evaluates alerts and queues those not queued before (each alert is sent once: one row
/// per horror, site and day). Nothing is queued without a webhook.
pub fn queue(store: &Store, config: &AlertsConfig, today: NaiveDate) -> Result<usize> {
    if config.webhook.is_none() {
        return Ok(0);
    }
    let alerts = evaluate_all(store, today, config.lookback_days)?;
    store.queue_alerts(&alerts)
}

/// POSTs every queued alert that is due. Claims are made in a write transaction, so two
/// instances never send the same alert at the same time.
pub fn deliver(store: &Store, config: &AlertsConfig) -> Result<Delivered> {
    let mut done = Delivered::default();
    let Some(webhook) = &config.webhook else {
        return Ok(done);
    };
    let agent = ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(10))
        .redirects(0)
        .build();
    for pending in store.claim_due_alerts()? {
        let signature = signature(&webhook.secret, pending.body.as_bytes());
        let sent = agent
            .post(&webhook.url)
            .set("Content-Type", "application/json")
            .set("X-Horrors-Signature", &signature)
            .send_string(&pending.body);
        let outcome = match sent {
            Ok(response) if (200..300).contains(&response.status()) => Ok(()),
            Ok(response) => Err(format!("HTTP {}", response.status())),
            Err(ureq::Error::Status(code, _)) => Err(format!("HTTP {code}")),
            Err(e) => Err(e.to_string()),
        };
        match outcome {
            Ok(()) => {
                store.alert_delivered(&pending.id)?;
                store.metrics().alert_delivery(Delivery::Delivered);
                done.delivered += 1;
            }
            Err(error) => {
                tracing::warn!(alert = %pending.id, %error, "alert delivery failed");
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
                        match queue(&store, &config, today) {
                            Ok(_) => evaluated_for = Some(today),
                            Err(e) => tracing::warn!(error = %e, "evaluating alerts failed"),
                        }
                    }
                }
                if let Err(e) = deliver(&store, &config) {
                    tracing::warn!(error = %e, "delivering alerts failed");
                }
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
        })
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_in_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn retries_back_off_from_a_minute_to_an_hour() {
        let minutes: Vec<i64> = (0..9).map(|a| backoff(a).num_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
