//! The optional sections of the file that are not the settings model: `[alerts]`,
//! `[metrics]`, and `[control]`/`[cycles]` (the signals).

use serde::Deserialize;

use super::error::ConfigError;
use super::settings::{default_lookback, SignalSettings};

/// `[metrics]`: `/metrics` is off unless `bind` (its own listener) or `token` (a bearer
/// token on the main listener) is set.
#[derive(Clone, Default, PartialEq)]
pub struct MetricsConfig {
    pub bind: Option<std::net::SocketAddr>,
    pub token: Option<String>,
}

/// Never prints the token.
impl std::fmt::Debug for MetricsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsConfig")
            .field("bind", &self.bind)
            .field("token", &self.token.as_ref().map(|_| "(set)"))
            .finish()
    }
}

/// Shortest `[metrics] token` accepted.
pub const MIN_METRICS_TOKEN: usize = 16;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawControl {
    #[serde(default)]
    baseline_days: Option<i64>,
    #[serde(default)]
    cusum_ratio: Option<f64>,
    #[serde(default)]
    cusum_h: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCycles {
    #[serde(default)]
    baseline_days: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMetrics {
    #[serde(default)]
    bind: Option<String>,
    #[serde(default)]
    token: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAlerts {
    #[serde(default)]
    lookback_days: Option<i64>,
    #[serde(default)]
    webhook_url: Option<String>,
    #[serde(default)]
    webhook_secret: Option<String>,
    #[serde(default)]
    delivery_timeout_seconds: Option<u64>,
}

/// `[alerts] delivery_timeout_seconds` when it is not set.
pub const DEFAULT_DELIVERY_TIMEOUT_SECONDS: u64 = 10;

pub(super) fn validate_metrics(raw: Option<RawMetrics>) -> Result<MetricsConfig, ConfigError> {
    let Some(raw) = raw else {
        return Ok(MetricsConfig::default());
    };
    let bind = raw
        .bind
        .map(|text| {
            text.trim().parse().map_err(|_| {
                ConfigError::field(
                    "metrics.bind",
                    format!("{text:?} is not an address such as 127.0.0.1:9464"),
                )
            })
        })
        .transpose()?;
    if let Some(token) = &raw.token {
        if token.chars().count() < MIN_METRICS_TOKEN
            || token.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ConfigError::field(
                "metrics.token",
                format!("must be at least {MIN_METRICS_TOKEN} characters without spaces"),
            ));
        }
    }
    Ok(MetricsConfig {
        bind,
        token: raw.token,
    })
}

/// `[alerts]` as written in the file: the look-back (also kept in the settings) and where
/// alerts go. The alerting itself ([`crate::alerts`]) is handed this by the command line.
#[derive(Clone, PartialEq, Eq)]
pub struct AlertsSection {
    /// Complete days each alert's control chart covers; default 28.
    pub lookback_days: i64,
    pub webhook: Option<WebhookSection>,
    /// The longest one POST to the webhook may take, 1 to 60 s; default 10.
    pub delivery_timeout_seconds: u64,
}

impl Default for AlertsSection {
    fn default() -> Self {
        AlertsSection {
            lookback_days: default_lookback(),
            webhook: None,
            delivery_timeout_seconds: DEFAULT_DELIVERY_TIMEOUT_SECONDS,
        }
    }
}

/// Never prints the webhook's URL (it may hold a password) nor its secret.
impl std::fmt::Debug for AlertsSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertsSection")
            .field("lookback_days", &self.lookback_days)
            .field("webhook", &self.webhook.as_ref().map(|_| "(set)"))
            .field("delivery_timeout_seconds", &self.delivery_timeout_seconds)
            .finish()
    }
}

/// `[alerts] webhook_url` and `webhook_secret`.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSection {
    pub url: String,
    pub secret: String,
}

/// `[alerts]`: a look-back of 7..=366 days; a webhook URL that is http(s) with a host,
/// and then a secret; a delivery timeout of 1..=60 seconds.
pub(super) fn validate_alerts(raw: Option<RawAlerts>) -> Result<AlertsSection, ConfigError> {
    let Some(raw) = raw else {
        return Ok(AlertsSection::default());
    };
    let lookback_days = raw.lookback_days.unwrap_or_else(default_lookback);
    if !(7..=366).contains(&lookback_days) {
        return Err(ConfigError::field(
            "alerts.lookback_days",
            format!("must be 7 to 366, got {lookback_days}"),
        ));
    }
    let webhook = match (raw.webhook_url, raw.webhook_secret) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(ConfigError::field(
                "alerts.webhook_secret",
                "set without alerts.webhook_url",
            ))
        }
        (Some(url), secret) => {
            // The scheme is case-insensitive (RFC 3986 §3.1): `HTTP://` is `http://`.
            let scheme = ["https://", "http://"].into_iter().find(|scheme| {
                url.get(..scheme.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
            });
            let host = scheme.map(|scheme| {
                let rest = &url[scheme.len()..];
                rest.split(['/', '?', '#']).next().unwrap_or("")
            });
            let (Some(scheme), true) = (
                scheme,
                host.is_some_and(|h| !h.is_empty() && !h.contains(char::is_whitespace)),
            ) else {
                return Err(ConfigError::field(
                    "alerts.webhook_url",
                    format!(
                        "{} is not an http:// or https:// URL",
                        crate::text::echo(&url)
                    ),
                ));
            };
            let url = format!("{scheme}{}", &url[scheme.len()..]);
            let secret = secret.filter(|s| !s.is_empty()).ok_or_else(|| {
                ConfigError::field(
                    "alerts.webhook_secret",
                    "required with alerts.webhook_url (alerts are signed with it)",
                )
            })?;
            Some(WebhookSection { url, secret })
        }
    };
    let delivery_timeout_seconds = raw
        .delivery_timeout_seconds
        .unwrap_or(DEFAULT_DELIVERY_TIMEOUT_SECONDS);
    if !(1..=60).contains(&delivery_timeout_seconds) {
        return Err(ConfigError::field(
            "alerts.delivery_timeout_seconds",
            format!("must be 1 to 60, got {delivery_timeout_seconds}"),
        ));
    }
    Ok(AlertsSection {
        lookback_days,
        webhook,
        delivery_timeout_seconds,
    })
}

/// `[control]`: baseline_days 14..=364, cusum_ratio > 1 (at most 10), cusum_h > 0 (at
/// most 100); `[cycles]`: baseline_days 14..=364.
pub(super) fn validate_signals(
    control: RawControl,
    cycles: RawCycles,
) -> Result<SignalSettings, ConfigError> {
    let d = SignalSettings::default();
    let days = |key: &str, value: Option<i64>, default: i64| match value {
        None => Ok(default),
        Some(v) if (14..=364).contains(&v) => Ok(v),
        Some(v) => Err(ConfigError::field(
            key,
            format!("must be 14 to 364, got {v}"),
        )),
    };
    let ratio = control.cusum_ratio.unwrap_or(d.cusum_ratio);
    if !(ratio > 1.0 && ratio <= 10.0) {
        return Err(ConfigError::field(
            "control.cusum_ratio",
            format!("must be above 1 and at most 10, got {ratio}"),
        ));
    }
    let h = control.cusum_h.unwrap_or(d.cusum_h);
    if !(h > 0.0 && h <= 100.0) {
        return Err(ConfigError::field(
            "control.cusum_h",
            format!("must be above 0 and at most 100, got {h}"),
        ));
    }
    Ok(SignalSettings {
        control_baseline_days: days(
            "control.baseline_days",
            control.baseline_days,
            d.control_baseline_days,
        )?,
        cusum_ratio: ratio,
        cusum_h: h,
        cycles_baseline_days: days(
            "cycles.baseline_days",
            cycles.baseline_days,
            d.cycles_baseline_days,
        )?,
    })
}
