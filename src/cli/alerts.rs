//! `horrors alerts`: the alert episodes and their webhook.

use std::path::Path;

use super::open_configured;
use crate::config;
use crate::error::{Error, Result};
use crate::store::Location;

/// `horrors alerts send`: the current alert episodes, printed and sent to the webhook.
pub(super) fn send(config_path: &Path, db: &Location) -> Result<()> {
    let config = config::load(config_path)?;
    let store = open_configured(config_path, db)?;
    let current = crate::alerts::current(&store)?;
    for a in &current {
        println!(
            "{}  {}  {}  {}  {} signal days, last {}: {} (limit {})",
            a.opened,
            a.closed.as_deref().unwrap_or("open"),
            a.site.as_deref().unwrap_or("(all sites)"),
            a.horror,
            a.signal_days,
            a.last_signal,
            a.count,
            a.ucl
                .map_or("-".to_string(), |u| format!("{u:.2} per {}", a.rate_unit)),
        );
    }
    if config.alerts.webhook.is_none() {
        say!(
            "{} alert episodes; no [alerts] webhook_url is configured, so nothing was sent",
            current.len()
        );
        return Ok(());
    }
    let done = crate::alerts::send(&store, &alerts_config(&config.alerts), &current, true)?;
    say!(
        "{} alert episodes, {} new events; delivered {}, failed {} (retried later), given up {}",
        current.len(),
        done.new_alerts,
        done.delivered,
        done.failed,
        done.gave_up
    );
    if done.failed + done.gave_up > 0 {
        return Err(Error::internal(format!(
            "{} alerts could not be delivered to the webhook; they are retried for 24 h",
            done.failed + done.gave_up
        )));
    }
    Ok(())
}

/// The alerting's own settings from the file's `[alerts]` section.
pub(super) fn alerts_config(section: &config::AlertsSection) -> crate::alerts::AlertsConfig {
    crate::alerts::AlertsConfig {
        lookback_days: section.lookback_days,
        webhook: section.webhook.as_ref().map(|w| crate::alerts::Webhook {
            url: w.url.clone(),
            secret: w.secret.clone(),
        }),
        delivery_timeout_seconds: section.delivery_timeout_seconds,
    }
}
