//! The configuration file (`data/horrors.toml`): reading its TOML, naming the line of any
//! error, and checking the top-level sections into a [`Config`].

use std::collections::HashSet;
use std::path::Path;

use chrono_tz::Tz;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::error::{ConfigError, LoadError, TomlPlace};
use super::horrors::{validate_horrors, HorrorInput};
use super::sections::{
    validate_alerts, validate_metrics, validate_signals, RawAlerts, RawControl, RawCycles,
    RawMetrics,
};
use super::settings::{default_volume_unit, Settings};
use super::Config;
use crate::i18n::Lang;
use crate::money::Currency;
use crate::sites::SiteInput;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    organization: RawOrganization,
    #[serde(default)]
    window: Option<RawWindow>,
    #[serde(default)]
    ranking: Option<RawRanking>,
    #[serde(default)]
    departments: Option<Vec<String>>,
    #[serde(default)]
    horrors: Vec<toml::Spanned<HorrorInput>>,
    #[serde(default)]
    http: Option<RawHttp>,
    #[serde(default)]
    storage: Option<RawStorage>,
    #[serde(default)]
    alerts: Option<RawAlerts>,
    #[serde(default)]
    sites: Vec<SiteInput>,
    #[serde(default)]
    metrics: Option<RawMetrics>,
    #[serde(default)]
    control: Option<RawControl>,
    #[serde(default)]
    cycles: Option<RawCycles>,
    #[serde(default)]
    auth: Option<RawAuth>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    #[serde(default)]
    oidc: Option<crate::oidc::RawOidc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStorage {
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    #[serde(default)]
    trusted_proxies: Vec<String>,
    #[serde(default)]
    auth_failures_per_minute: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganization {
    name: String,
    timezone: String,
    currency: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    volume_unit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    days: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRanking {
    #[serde(default = "half")]
    pain_weight: f64,
    #[serde(default = "half")]
    cost_weight: f64,
    #[serde(default = "default_worst")]
    worst: f64,
    #[serde(default = "default_worse")]
    worse: f64,
    // Written after `[ranking]` in a file, a bare `departments = [...]` lands in this
    // table; accept it here as well as at the top level.
    #[serde(default)]
    departments: Option<Vec<String>>,
}

fn half() -> f64 {
    0.5
}
fn default_worst() -> f64 {
    0.5
}
fn default_worse() -> f64 {
    0.8
}

/// `[storage] url` of the file at `path`, read without checking the rest of the file
/// (commands other than `serve` need only this; `serve` checks everything).
pub fn storage_url(path: &Path) -> Result<Option<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let table = text
        .parse::<toml::Table>()
        .map_err(|e| format!("{}: {}", path.display(), e.message().trim()))?;
    match table.get("storage").and_then(|s| s.get("url")) {
        None => Ok(None),
        Some(toml::Value::String(url)) => Ok(Some(url.clone())),
        Some(_) => Err(format!("{}: storage.url must be a string", path.display())),
    }
}

/// Reads and validates a configuration file. The error is one line naming the file,
/// the field and, where known, the line.
pub fn load(path: &Path) -> Result<Config, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|io| LoadError::Unreadable {
        path: path.to_path_buf(),
        io,
    })?;
    parse(&text).map_err(|error| LoadError::Invalid {
        path: path.to_path_buf(),
        error,
    })
}

/// Parses and validates configuration text.
pub fn parse(text: &str) -> Result<Config, ConfigError> {
    let raw = read_toml(text)?;
    let org = raw.organization;
    let (name, tz, currency, language) = organization(&org)?;
    let window_days = raw.window.map(|w| w.days).unwrap_or(30);
    if !(1..=366).contains(&window_days) {
        return Err(ConfigError::field(
            "window.days",
            format!("must be between 1 and 366, got {window_days}"),
        ));
    }
    let ranking = ranking(raw.ranking)?;
    let departments = match (raw.departments, ranking.departments) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::field(
                "departments",
                "set twice (top level and in [ranking])",
            ))
        }
        (Some(d), None) | (None, Some(d)) => d,
        (None, None) => Vec::new(),
    };
    validate_departments(&departments)?;
    let horrors = horrors(text, raw.horrors, currency)?;
    let alerts = validate_alerts(raw.alerts)?;
    let signals = validate_signals(
        raw.control.unwrap_or_default(),
        raw.cycles.unwrap_or_default(),
    )?;
    let sites = crate::sites::validate(&raw.sites, tz)?;
    let volume_unit = volume_unit(org.volume_unit)?;
    let settings = Settings {
        name,
        timezone: tz,
        currency,
        window_days,
        pain_weight: ranking.pain_weight,
        cost_weight: ranking.cost_weight,
        worst: ranking.worst,
        worse: ranking.worse,
        departments,
        language,
        alerts_lookback_days: alerts.lookback_days,
        sites,
        volume_unit,
        signals,
    };
    let (proxies, auth_failures) = raw
        .http
        .map(|h| (h.trusted_proxies, h.auth_failures_per_minute))
        .unwrap_or_default();
    if auth_failures == Some(0) {
        return Err(ConfigError::NoAuthFailures);
    }
    let storage = raw
        .storage
        .and_then(|s| s.url)
        .map(|url| {
            crate::location::Location::parse(&url).map_err(|e| ConfigError::field("storage.url", e))
        })
        .transpose()?;
    let trusted_proxies = trusted_proxies(&proxies)?;
    let metrics = validate_metrics(raw.metrics)?;
    let oidc = raw
        .auth
        .and_then(|auth| auth.oidc)
        .map(crate::oidc::OidcConfig::from_raw)
        .transpose()?;
    Ok(Config {
        settings,
        horrors,
        digest: hex::encode(Sha256::digest(text.as_bytes())),
        trusted_proxies,
        auth_failures,
        storage,
        alerts,
        metrics,
        oidc,
    })
}

/// The 1-based line of a byte offset in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The file's TOML read into its tables; a syntax or type error names its line, column
/// and the key written there.
fn read_toml(text: &str) -> Result<RawConfig, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let at = e.span().map(|span| {
            let line_start = text[..span.start.min(text.len())]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            // Name the key (or table) written on that line, so the field is always named.
            let source = text[line_start..].lines().next().unwrap_or("").trim();
            let key = source.split('=').next().unwrap_or("").trim();
            TomlPlace {
                line: line_of(text, span.start),
                column: span.start - line_start + 1,
                key: (!key.is_empty()).then(|| key.to_string()),
            }
        });
        ConfigError::Toml {
            at,
            message: one_line(e.message()),
        }
    })
}

/// `[organization]`'s name, timezone, currency and language.
fn organization(org: &RawOrganization) -> Result<(String, Tz, Currency, Lang), ConfigError> {
    let name = org.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ConfigError::field(
            "organization.name",
            "must be 1 to 100 characters",
        ));
    }
    if !crate::text::clean_name(&name) {
        return Err(ConfigError::field(
            "organization.name",
            crate::text::NAME_CONTROL,
        ));
    }
    let tz: Tz = org.timezone.parse().map_err(|_| {
        ConfigError::field(
            "organization.timezone",
            format!("unknown IANA timezone {}", crate::text::echo(&org.timezone)),
        )
    })?;
    let currency = Currency::parse(&org.currency)
        .map_err(|e| ConfigError::field("organization.currency", e.to_string()))?;
    let language = match org.language.as_deref() {
        None => Lang::EN,
        Some(tag) => Lang::exact(tag).ok_or_else(|| {
            let tags: Vec<&str> = Lang::all().map(Lang::tag).collect();
            ConfigError::field(
                "organization.language",
                format!(
                    "unknown language {}; use one of {}",
                    crate::text::echo(tag),
                    tags.join(", ")
                ),
            )
        })?,
    };
    Ok((name, tz, currency, language))
}

/// `[ranking]`: weights >= 0 and not both 0; 0 < worst < worse <= 1.
fn ranking(raw: Option<RawRanking>) -> Result<RawRanking, ConfigError> {
    let ranking = raw.unwrap_or(RawRanking {
        pain_weight: half(),
        cost_weight: half(),
        worst: default_worst(),
        worse: default_worse(),
        departments: None,
    });
    for (field, value) in [
        ("ranking.pain_weight", ranking.pain_weight),
        ("ranking.cost_weight", ranking.cost_weight),
    ] {
        if !value.is_finite() || value < 0.0 {
            return Err(ConfigError::field(
                field,
                format!("must be a number >= 0, got {value}"),
            ));
        }
    }
    if ranking.pain_weight == 0.0 && ranking.cost_weight == 0.0 {
        return Err(ConfigError::field(
            "ranking.pain_weight, ranking.cost_weight",
            "must not both be 0",
        ));
    }
    if !(ranking.worst.is_finite()
        && ranking.worse.is_finite()
        && 0.0 < ranking.worst
        && ranking.worst < ranking.worse
        && ranking.worse <= 1.0)
    {
        return Err(ConfigError::field(
            "ranking.worst, ranking.worse",
            format!(
                "need 0 < worst < worse <= 1, got worst = {} and worse = {}",
                ranking.worst, ranking.worse
            ),
        ));
    }
    Ok(ranking)
}

/// `[[horrors]]`, checked as a catalogue; the first problem names its field and the line
/// of that field inside its table (else of the table itself).
fn horrors(
    text: &str,
    raw: Vec<toml::Spanned<HorrorInput>>,
    currency: Currency,
) -> Result<Vec<crate::catalogue::Horror>, ConfigError> {
    let spans: Vec<usize> = raw.iter().map(|h| h.span().start).collect();
    let inputs: Vec<HorrorInput> = raw.into_iter().map(|h| h.into_inner()).collect();
    validate_horrors(&inputs, currency).map_err(|details| {
        let first = &details[0];
        let field = first.field.clone().unwrap_or_else(|| "horrors".into());
        let line = field
            .strip_prefix("horrors[")
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(i, name)| Some((*spans.get(i.parse::<usize>().ok()?)?, name)))
            .map(|(span, name)| {
                // The span may cover only the table's header: read on to the next header.
                let rest = &text[span.min(text.len())..];
                let offset = rest
                    .match_indices('\n')
                    .map(|(i, _)| i + 1)
                    .take_while(|&i| !rest[i..].trim_start().starts_with('['))
                    .find(|&i| {
                        rest[i..]
                            .trim_start()
                            .strip_prefix(name)
                            .is_some_and(|r| r.trim_start().starts_with('='))
                    })
                    .unwrap_or(0);
                line_of(text, span + offset)
            });
        ConfigError::Field {
            field,
            line,
            message: first.message.clone(),
        }
    })
}

/// `[organization] volume_unit`: 1 to 40 characters, `units` when left out.
fn volume_unit(raw: Option<String>) -> Result<String, ConfigError> {
    match raw {
        None => Ok(default_volume_unit()),
        Some(unit) => {
            let unit = unit.trim().to_string();
            if unit.is_empty() || unit.chars().count() > 40 || !crate::text::clean_name(&unit) {
                return Err(ConfigError::field(
                    "organization.volume_unit",
                    "must be 1 to 40 characters, no control characters",
                ));
            }
            Ok(unit)
        }
    }
}

/// `[http] trusted_proxies`: IP addresses.
fn trusted_proxies(proxies: &[String]) -> Result<Vec<std::net::IpAddr>, ConfigError> {
    let mut trusted_proxies = Vec::new();
    for (i, text) in proxies.iter().enumerate() {
        let address = text.trim().parse().map_err(|_| {
            ConfigError::field(
                format!("http.trusted_proxies[{i}]"),
                format!(
                    "{} is not an IP address such as 10.0.0.2",
                    crate::text::echo(text)
                ),
            )
        })?;
        trusted_proxies.push(address);
    }
    Ok(trusted_proxies)
}

fn validate_departments(departments: &[String]) -> Result<(), ConfigError> {
    let mut seen = HashSet::new();
    for (i, department) in departments.iter().enumerate() {
        let refuse =
            |message: String| Err(ConfigError::field(format!("departments[{i}]"), message));
        let len = department.trim().chars().count();
        if len == 0 || len > 60 || department.trim() != department {
            return refuse("must be 1 to 60 characters without surrounding spaces".into());
        }
        if !crate::text::clean_name(department) {
            return refuse(crate::text::NAME_CONTROL.into());
        }
        if !seen.insert(department.as_str()) {
            return refuse(format!(
                "duplicate department {}",
                crate::text::echo(department)
            ));
        }
    }
    Ok(())
}

fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "|")
        .collect::<Vec<_>>()
        .join(" ")
}
