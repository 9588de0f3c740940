//! `data/horrors.toml`: parsing and validating the organization, window, ranking weights,
//! departments and the catalogue (SPEC §2). Nothing touches the database until this passes.

use std::collections::HashSet;
use std::path::Path;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::catalogue::Horror;
use crate::error::Detail;
use crate::i18n::Lang;
use crate::money::Currency;
use crate::ranking::Weights;
use crate::sites::{Site, SiteInput};

/// Fewest and most active horrors a catalogue may hold.
pub const MIN_HORRORS: usize = 5;
pub const MAX_HORRORS: usize = 8;

/// The organization-wide settings that come from the file and live in the database.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub name: String,
    pub timezone: String,
    pub currency: String,
    pub window_days: i64,
    pub pain_weight: f64,
    pub cost_weight: f64,
    pub worst: f64,
    pub worse: f64,
    pub departments: Vec<String>,
    /// `[organization] language`: the pages', charts' and exports' language when a request
    /// names none (SPEC §20). Settings stored before it existed read as English.
    #[serde(default)]
    pub language: Lang,
    /// `[alerts] lookback_days`: days (that are over) each alert's control chart covers.
    #[serde(default = "default_lookback")]
    pub alerts_lookback_days: i64,
    /// `[[sites]]` (SPEC §16), configured ones first, then retired ones; empty means one
    /// implicit site.
    #[serde(default)]
    pub sites: Vec<Site>,
    /// `[organization] volume_unit`: what the business handles per day (SPEC §17).
    #[serde(default = "default_volume_unit")]
    pub volume_unit: String,
    /// `[control]` and `[cycles]`: the baselines and the CUSUM of docs/statistics.md.
    #[serde(default)]
    pub signals: SignalSettings,
}

/// `[control] baseline_days`, `cusum_ratio`, `cusum_h` and `[cycles] baseline_days`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignalSettings {
    /// Days of a control chart's baseline before its window (≥ 14).
    pub control_baseline_days: i64,
    /// R, the rise the CUSUM is tuned to (> 1).
    pub cusum_ratio: f64,
    /// h, the CUSUM's decision interval (> 0).
    pub cusum_h: f64,
    /// The least number of days a cycle is compared with (≥ 14).
    pub cycles_baseline_days: i64,
}

impl Default for SignalSettings {
    fn default() -> Self {
        SignalSettings {
            control_baseline_days: 112,
            cusum_ratio: 2.0,
            cusum_h: 5.0,
            cycles_baseline_days: 56,
        }
    }
}

impl SignalSettings {
    pub fn control_options(&self, laney: bool) -> crate::stats::rev2::ControlOptions {
        crate::stats::rev2::ControlOptions {
            laney,
            cusum_ratio: self.cusum_ratio,
            cusum_h: self.cusum_h,
        }
    }
}

fn default_volume_unit() -> String {
    "units".into()
}

fn default_lookback() -> i64 {
    28
}

impl Settings {
    /// The parsed timezone (validated when the settings were made).
    pub fn tz(&self) -> Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }

    /// The parsed currency (validated when the settings were made).
    pub fn currency(&self) -> Currency {
        Currency::parse(&self.currency)
            .unwrap_or_else(|_| Currency::parse("USD").expect("USD exists"))
    }

    /// A site by key, retired or not.
    pub fn site(&self, key: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.key == key)
    }

    /// The site a tick or a volume entry lands at (SPEC §16): the one `asked` for, else a
    /// bound token's; `None` without sites. Refused with its error code and message when
    /// sites exist and none is named, or the site is unknown or retired.
    pub fn site_for_write<'a>(
        &self,
        asked: Option<&'a str>,
        bound: Option<&'a str>,
    ) -> Result<Option<&'a str>, (&'static str, String)> {
        match asked.or(bound) {
            None if self.sites.is_empty() => Ok(None),
            None => Err((
                "site_required",
                "site is required: name one of the configured sites".into(),
            )),
            Some(key) => match self.site(key) {
                None => Err((
                    "unknown_site",
                    format!("no site with key {}", crate::text::echo(key)),
                )),
                Some(site) if site.retired => Err((
                    "retired_site",
                    format!(
                        "site {} is retired and takes nothing new",
                        crate::text::echo(key)
                    ),
                )),
                Some(_) => Ok(Some(key)),
            },
        }
    }

    /// The sites taking ticks now.
    pub fn active_sites(&self) -> impl Iterator<Item = &Site> {
        self.sites.iter().filter(|s| !s.retired)
    }

    /// The timezone that dates a tick at `site` (the organization's without one).
    pub fn site_tz(&self, site: Option<&str>) -> Tz {
        site.and_then(|key| self.site(key))
            .map(Site::tz)
            .unwrap_or_else(|| self.tz())
    }

    /// The latest local date at any site (or the organization) at `now`: volume may be
    /// set for days up to it.
    pub fn latest_today(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        self.sites
            .iter()
            .map(Site::tz)
            .chain([self.tz()])
            .map(|tz| crate::calendar::local_day(now, tz))
            .max()
            .unwrap_or_else(|| crate::calendar::local_day(now, self.tz()))
    }

    pub fn weights(&self) -> Weights {
        Weights {
            pain_weight: self.pain_weight,
            cost_weight: self.cost_weight,
            worst: self.worst,
            worse: self.worse,
        }
    }
}

/// Plain settings for unit tests: Chicago time, USD, the default weights, no departments
/// and no sites.
#[cfg(test)]
pub(crate) fn example_settings() -> Settings {
    Settings {
        name: "Test".into(),
        timezone: "America/Chicago".into(),
        currency: "USD".into(),
        window_days: 30,
        pain_weight: 0.5,
        cost_weight: 0.5,
        worst: 0.5,
        worse: 0.8,
        departments: Vec::new(),
        language: Lang::EN,
        alerts_lookback_days: default_lookback(),
        sites: Vec::new(),
        volume_unit: default_volume_unit(),
        signals: SignalSettings::default(),
    }
}

/// A valid configuration file.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub settings: Settings,
    pub horrors: Vec<Horror>,
    /// SHA-256 of the file's bytes: the file is applied again only when this changes.
    pub digest: String,
    /// `[http] trusted_proxies`: peers whose forwarded headers are believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `[http] auth_failures_per_minute`: failed authentications an address may make within
    /// a minute before it gets 429 (default 20, SPEC §14).
    pub auth_failures: Option<usize>,
    /// `[storage] url`: where the data lives (`--database-url` and `HORRORS_DATABASE_URL`
    /// come first; without any, the SQLite file at `--db`).
    pub storage: Option<crate::store::Location>,
    /// `[alerts]`: where alerts go (the look-back is in the settings).
    pub alerts: crate::alerts::AlertsConfig,
    /// `[metrics]`: where `/metrics` is served, if anywhere.
    pub metrics: MetricsConfig,
    /// `[auth.oidc]`: sign-in with the organization's identity provider, if configured.
    pub oidc: Option<crate::oidc::OidcConfig>,
}

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

/// One horror as written in the file or sent to `PUT /api/horrors`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HorrorInput {
    /// 1 to 40 of `a-z`, `0-9` and `-`; unique in the catalogue.
    #[schema(pattern = r"^[a-z0-9-]{1,40}$")]
    pub key: String,
    /// 1 to 60 characters, not blank, no control characters.
    #[schema(
        min_length = 1,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// At most 500 characters; newline and tab are the only control characters allowed.
    #[serde(default)]
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub description: Option<String>,
    /// 1 (mild) to 10 (unbearable).
    #[schema(minimum = 1, maximum = 10)]
    pub pain: i64,
    /// Non-negative decimal string in the organization's currency with at most its minor
    /// digits, e.g. `"35.00"`.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub unit_cost: String,
    #[serde(default)]
    #[schema(default = false)]
    pub operational: bool,
    /// The complaint playbook by language (`en`, `zh-Hans`, `zh-Hant`), five parts each.
    /// `PUT /api/horrors` keeps a horror's stored playbook when this is left out; `{}`
    /// clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook: Option<crate::playbook::Playbook>,
}

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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawControl {
    #[serde(default)]
    baseline_days: Option<i64>,
    #[serde(default)]
    cusum_ratio: Option<f64>,
    #[serde(default)]
    cusum_h: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCycles {
    #[serde(default)]
    baseline_days: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    #[serde(default)]
    oidc: Option<crate::oidc::RawOidc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetrics {
    #[serde(default)]
    bind: Option<String>,
    #[serde(default)]
    token: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlerts {
    #[serde(default)]
    lookback_days: Option<i64>,
    #[serde(default)]
    webhook_url: Option<String>,
    #[serde(default)]
    webhook_secret: Option<String>,
    #[serde(default)]
    delivery_timeout_seconds: Option<u64>,
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

/// Reads and validates a configuration file. The error is one line naming the file,
/// the field and, where known, the line.
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

pub fn load(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses and validates configuration text.
pub fn parse(text: &str) -> Result<Config, String> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let message = one_line(e.message());
        match e.span() {
            Some(span) => {
                let line = line_of(span.start);
                let line_start = text[..span.start.min(text.len())]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let column = span.start - line_start + 1;
                // Name the key (or table) written on that line, so the field is always named.
                let source = text[line_start..].lines().next().unwrap_or("").trim();
                let key = source.split('=').next().unwrap_or("").trim();
                let at = if key.is_empty() {
                    String::new()
                } else {
                    format!(" ({key})")
                };
                format!("line {line}, column {column}{at}: {message}")
            }
            None => message,
        }
    })?;

    let org = raw.organization;
    let name = org.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err("organization.name: must be 1 to 100 characters".into());
    }
    if !crate::text::clean_name(&name) {
        return Err(format!("organization.name: {}", crate::text::NAME_CONTROL));
    }
    let tz: Tz = org.timezone.parse().map_err(|_| {
        format!(
            "organization.timezone: unknown IANA timezone {}",
            crate::text::echo(&org.timezone)
        )
    })?;
    let currency =
        Currency::parse(&org.currency).map_err(|e| format!("organization.currency: {e}"))?;

    let language = match org.language.as_deref() {
        None => Lang::EN,
        Some(tag) => Lang::exact(tag).ok_or_else(|| {
            let tags: Vec<&str> = Lang::all().map(Lang::tag).collect();
            format!(
                "organization.language: unknown language {}; use one of {}",
                crate::text::echo(tag),
                tags.join(", ")
            )
        })?,
    };

    let window_days = raw.window.map(|w| w.days).unwrap_or(30);
    if !(1..=366).contains(&window_days) {
        return Err(format!(
            "window.days: must be between 1 and 366, got {window_days}"
        ));
    }

    let ranking = raw.ranking.unwrap_or(RawRanking {
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
            return Err(format!("{field}: must be a number >= 0, got {value}"));
        }
    }
    if ranking.pain_weight == 0.0 && ranking.cost_weight == 0.0 {
        return Err("ranking.pain_weight, ranking.cost_weight: must not both be 0".into());
    }
    if !(ranking.worst.is_finite()
        && ranking.worse.is_finite()
        && 0.0 < ranking.worst
        && ranking.worst < ranking.worse
        && ranking.worse <= 1.0)
    {
        return Err(format!(
            "ranking.worst, ranking.worse: need 0 < worst < worse <= 1, got worst = {} and worse = {}",
            ranking.worst, ranking.worse
        ));
    }

    let departments = match (raw.departments, ranking.departments) {
        (Some(_), Some(_)) => {
            return Err("departments: set twice (top level and in [ranking])".into())
        }
        (Some(d), None) | (None, Some(d)) => d,
        (None, None) => Vec::new(),
    };
    validate_departments(&departments)?;

    let spans: Vec<usize> = raw.horrors.iter().map(|h| h.span().start).collect();
    let inputs: Vec<HorrorInput> = raw.horrors.into_iter().map(|h| h.into_inner()).collect();
    let horrors = validate_horrors(&inputs, currency).map_err(|details| {
        let first = &details[0];
        let field = first.field.clone().unwrap_or_else(|| "horrors".into());
        // The line of the field inside its [[horrors]] table, else of the table itself.
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
                format!(" (line {})", line_of(span + offset))
            })
            .unwrap_or_default();
        format!("{field}{line}: {}", first.message)
    })?;

    let alerts = validate_alerts(raw.alerts)?;
    let signals = validate_signals(
        raw.control.unwrap_or_default(),
        raw.cycles.unwrap_or_default(),
    )?;
    let sites = crate::sites::validate(&raw.sites, tz)?;
    let volume_unit = match org.volume_unit {
        None => default_volume_unit(),
        Some(unit) => {
            let unit = unit.trim().to_string();
            if unit.is_empty() || unit.chars().count() > 40 || !crate::text::clean_name(&unit) {
                return Err(
                    "organization.volume_unit: must be 1 to 40 characters, no control characters"
                        .into(),
                );
            }
            unit
        }
    };
    let settings = Settings {
        name,
        timezone: tz.name().to_string(),
        currency: currency.code().to_string(),
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
        return Err("http.auth_failures_per_minute must be at least 1".into());
    }
    let storage = raw
        .storage
        .and_then(|s| s.url)
        .map(|url| crate::store::Location::parse(&url).map_err(|e| format!("storage.url: {e}")))
        .transpose()?;
    let mut trusted_proxies = Vec::new();
    for (i, text) in proxies.iter().enumerate() {
        let address = text.trim().parse().map_err(|_| {
            format!(
                "http.trusted_proxies[{i}]: {} is not an IP address such as 10.0.0.2",
                crate::text::echo(text)
            )
        })?;
        trusted_proxies.push(address);
    }
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

fn validate_metrics(raw: Option<RawMetrics>) -> Result<MetricsConfig, String> {
    let Some(raw) = raw else {
        return Ok(MetricsConfig::default());
    };
    let bind = raw
        .bind
        .map(|text| {
            text.trim().parse().map_err(|_| {
                format!("metrics.bind: {text:?} is not an address such as 127.0.0.1:9464")
            })
        })
        .transpose()?;
    if let Some(token) = &raw.token {
        if token.chars().count() < MIN_METRICS_TOKEN
            || token.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(format!(
                "metrics.token: must be at least {MIN_METRICS_TOKEN} characters without spaces"
            ));
        }
    }
    Ok(MetricsConfig {
        bind,
        token: raw.token,
    })
}

fn validate_departments(departments: &[String]) -> Result<(), String> {
    let mut seen = HashSet::new();
    for (i, department) in departments.iter().enumerate() {
        let len = department.trim().chars().count();
        if len == 0 || len > 60 || department.trim() != department {
            return Err(format!(
                "departments[{i}]: must be 1 to 60 characters without surrounding spaces"
            ));
        }
        if !crate::text::clean_name(department) {
            return Err(format!("departments[{i}]: {}", crate::text::NAME_CONTROL));
        }
        if !seen.insert(department.as_str()) {
            return Err(format!(
                "departments[{i}]: duplicate department {}",
                crate::text::echo(department)
            ));
        }
    }
    Ok(())
}

/// Whether `key` is a valid horror key: `[a-z0-9-]`, 1 to 40 characters.
pub fn is_valid_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Validates a whole catalogue (the file's or `PUT /api/horrors`'s) and returns every
/// problem found, each naming its field as `horrors[i].field`.
pub fn validate_horrors(
    inputs: &[HorrorInput],
    currency: Currency,
) -> Result<Vec<Horror>, Vec<Detail>> {
    let mut details = Vec::new();
    let mut keys = HashSet::new();
    let mut horrors = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let field = |name: &str| format!("horrors[{i}].{name}");
        if !is_valid_key(&input.key) {
            details.push(Detail::field(
                field("key"),
                "invalid_key",
                format!(
                    "{} must be 1 to 40 of a-z, 0-9 and -",
                    crate::text::echo(&input.key)
                ),
            ));
        } else if !keys.insert(input.key.as_str()) {
            details.push(Detail::field(
                field("key"),
                "duplicate_key",
                format!(
                    "key {} appears more than once",
                    crate::text::echo(&input.key)
                ),
            ));
        }
        let name_len = input.name.chars().count();
        if input.name.trim().is_empty() || name_len > 60 {
            details.push(Detail::field(
                field("name"),
                "invalid_name",
                format!("must be 1 to 60 characters, got {name_len}"),
            ));
        } else if !crate::text::clean_name(&input.name) {
            details.push(Detail::field(
                field("name"),
                "invalid_name",
                crate::text::NAME_CONTROL,
            ));
        }
        if input
            .description
            .as_ref()
            .is_some_and(|d| !crate::text::clean_note(d))
        {
            details.push(Detail::field(
                field("description"),
                "invalid_description",
                crate::text::NOTE_CONTROL,
            ));
        }
        if input
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 500)
        {
            details.push(Detail::field(
                field("description"),
                "invalid_description",
                "must be at most 500 characters",
            ));
        }
        if !(1..=10).contains(&input.pain) {
            details.push(Detail::field(
                field("pain"),
                "invalid_pain",
                format!("must be between 1 and 10, got {}", input.pain),
            ));
        }
        let unit_cost = currency.parse_amount(&input.unit_cost);
        if let Err(message) = &unit_cost {
            details.push(Detail::field(
                field("unit_cost"),
                "invalid_amount",
                message.clone(),
            ));
        }
        let playbook = match &input.playbook {
            None => crate::playbook::Playbook::new(),
            Some(playbook) => crate::playbook::validate(playbook, &field("playbook"))
                .unwrap_or_else(|problems| {
                    details.extend(problems);
                    crate::playbook::Playbook::new()
                }),
        };
        horrors.push(Horror {
            key: input.key.clone(),
            name: input.name.clone(),
            description: input.description.clone().filter(|d| !d.is_empty()),
            pain: input.pain.clamp(1, 10) as u8,
            unit_cost_minor: unit_cost.unwrap_or(0),
            operational: input.operational,
            position: i as u32,
            retired: false,
            playbook,
        });
    }
    if details.is_empty() && !(MIN_HORRORS..=MAX_HORRORS).contains(&inputs.len()) {
        details.push(Detail::field(
            "horrors",
            "wrong_horror_count",
            format!(
                "need {MIN_HORRORS} to {MAX_HORRORS} horrors, got {}",
                inputs.len()
            ),
        ));
    }
    if details.is_empty() {
        Ok(horrors)
    } else {
        Err(details)
    }
}

/// Writes a catalogue and its settings back out as a configuration file.
pub fn to_toml(settings: &Settings, horrors: &[Horror]) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        organization: OutOrg<'a>,
        window: OutWindow,
        ranking: OutRanking,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        departments: &'a [String],
        #[serde(skip_serializing_if = "Option::is_none")]
        alerts: Option<OutAlerts>,
        #[serde(skip_serializing_if = "Option::is_none")]
        control: Option<OutControl>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cycles: Option<OutCycles>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        sites: Vec<OutSite<'a>>,
        horrors: Vec<HorrorInput>,
    }
    #[derive(Serialize)]
    struct OutOrg<'a> {
        name: &'a str,
        timezone: &'a str,
        currency: &'a str,
        language: &'a str,
        volume_unit: &'a str,
    }
    #[derive(Serialize)]
    struct OutAlerts {
        lookback_days: i64,
    }
    #[derive(Serialize)]
    struct OutControl {
        baseline_days: i64,
        cusum_ratio: f64,
        cusum_h: f64,
    }
    #[derive(Serialize)]
    struct OutCycles {
        baseline_days: i64,
    }
    #[derive(Serialize)]
    struct OutSite<'a> {
        key: &'a str,
        name: &'a str,
        timezone: &'a str,
    }
    #[derive(Serialize)]
    struct OutWindow {
        days: i64,
    }
    #[derive(Serialize)]
    struct OutRanking {
        pain_weight: f64,
        cost_weight: f64,
        worst: f64,
        worse: f64,
    }
    let currency = settings.currency();
    let out = Out {
        organization: OutOrg {
            name: &settings.name,
            timezone: &settings.timezone,
            currency: &settings.currency,
            language: settings.language.tag(),
            volume_unit: &settings.volume_unit,
        },
        window: OutWindow {
            days: settings.window_days,
        },
        ranking: OutRanking {
            pain_weight: settings.pain_weight,
            cost_weight: settings.cost_weight,
            worst: settings.worst,
            worse: settings.worse,
        },
        departments: &settings.departments,
        alerts: (settings.alerts_lookback_days != default_lookback()).then_some(OutAlerts {
            lookback_days: settings.alerts_lookback_days,
        }),
        control: {
            let (s, d) = (settings.signals, SignalSettings::default());
            (s.control_baseline_days != d.control_baseline_days
                || s.cusum_ratio != d.cusum_ratio
                || s.cusum_h != d.cusum_h)
                .then_some(OutControl {
                    baseline_days: s.control_baseline_days,
                    cusum_ratio: s.cusum_ratio,
                    cusum_h: s.cusum_h,
                })
        },
        cycles: (settings.signals.cycles_baseline_days
            != SignalSettings::default().cycles_baseline_days)
            .then_some(OutCycles {
                baseline_days: settings.signals.cycles_baseline_days,
            }),
        // Only the active sites: a site left out of the file stays retired.
        sites: settings
            .active_sites()
            .map(|s| OutSite {
                key: &s.key,
                name: &s.name,
                timezone: &s.timezone,
            })
            .collect(),
        horrors: horrors
            .iter()
            .filter(|h| !h.retired)
            .map(|h| HorrorInput {
                key: h.key.clone(),
                name: h.name.clone(),
                description: h.description.clone(),
                pain: i64::from(h.pain),
                unit_cost: currency.format(h.unit_cost_minor),
                operational: h.operational,
                playbook: (!h.playbook.is_empty()).then(|| h.playbook.clone()),
            })
            .collect(),
    };
    toml::to_string_pretty(&out).unwrap_or_default()
}

/// `[alerts]`: a look-back of 7..=366 days; a webhook URL that is http(s) with a host,
/// and then a secret; a delivery timeout of 1..=60 seconds.
fn validate_alerts(raw: Option<RawAlerts>) -> Result<crate::alerts::AlertsConfig, String> {
    let Some(raw) = raw else {
        return Ok(crate::alerts::AlertsConfig::default());
    };
    let lookback_days = raw.lookback_days.unwrap_or_else(default_lookback);
    if !(7..=366).contains(&lookback_days) {
        return Err(format!(
            "alerts.lookback_days: must be 7 to 366, got {lookback_days}"
        ));
    }
    let webhook = match (raw.webhook_url, raw.webhook_secret) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err("alerts.webhook_secret: set without alerts.webhook_url".into())
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
                return Err(format!(
                    "alerts.webhook_url: {} is not an http:// or https:// URL",
                    crate::text::echo(&url)
                ));
            };
            let url = format!("{scheme}{}", &url[scheme.len()..]);
            let secret = secret.filter(|s| !s.is_empty()).ok_or_else(|| {
                "alerts.webhook_secret: required with alerts.webhook_url (alerts are signed with it)"
                    .to_string()
            })?;
            Some(crate::alerts::Webhook { url, secret })
        }
    };
    let delivery_timeout_seconds = raw
        .delivery_timeout_seconds
        .unwrap_or(crate::alerts::DEFAULT_DELIVERY_TIMEOUT_SECONDS);
    if !(1..=60).contains(&delivery_timeout_seconds) {
        return Err(format!(
            "alerts.delivery_timeout_seconds: must be 1 to 60, got {delivery_timeout_seconds}"
        ));
    }
    Ok(crate::alerts::AlertsConfig {
        lookback_days,
        webhook,
        delivery_timeout_seconds,
    })
}

/// `[control]`: baseline_days 14..=364, cusum_ratio > 1 (at most 10), cusum_h > 0 (at
/// most 100); `[cycles]`: baseline_days 14..=364.
fn validate_signals(control: RawControl, cycles: RawCycles) -> Result<SignalSettings, String> {
    let d = SignalSettings::default();
    let days = |key: &str, value: Option<i64>, default: i64| match value {
        None => Ok(default),
        Some(v) if (14..=364).contains(&v) => Ok(v),
        Some(v) => Err(format!("{key}: must be 14 to 364, got {v}")),
    };
    let ratio = control.cusum_ratio.unwrap_or(d.cusum_ratio);
    if !(ratio > 1.0 && ratio <= 10.0) {
        return Err(format!(
            "control.cusum_ratio: must be above 1 and at most 10, got {ratio}"
        ));
    }
    let h = control.cusum_h.unwrap_or(d.cusum_h);
    if !(h > 0.0 && h <= 100.0) {
        return Err(format!(
            "control.cusum_h: must be above 0 and at most 100, got {h}"
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

fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "|")
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[organization]
name = "Example Freight"
timezone = "America/Chicago"
currency = "USD"

[window]
days = 30

[ranking]
pain_weight = 0.5
cost_weight = 0.5
worst = 0.5
worse = 0.8

departments = ["Dispatch", "Warehouse", "Drivers"]

[[horrors]]
key = "late-delivery"
name = "Late delivery"
description = "Package delivered after the promised time"
pain = 9
unit_cost = "35.00"
operational = true

[[horrors]]
key = "lost-package"
name = "Lost package"
pain = 10
unit_cost = "120.00"

[[horrors]]
key = "damaged"
name = "Damaged package 📦"
pain = 8
unit_cost = "60"

[[horrors]]
key = "wrong-address"
name = "配送先の誤り"
pain = 7
unit_cost = "25.50"

[[horrors]]
key = "missed-pickup"
name = "Missed pickup"
pain = 6
unit_cost = "0"
"#;

    #[test]
    fn webhook_schemes_are_case_insensitive_and_stored_lower_case() {
        for (url, stored) in [
            ("HTTP://hooks.example/x", "http://hooks.example/x"),
            ("Https://hooks.example/X?a=B", "https://hooks.example/X?a=B"),
            ("http://h", "http://h"),
        ] {
            let text =
                format!("{GOOD}\n[alerts]\nwebhook_url = \"{url}\"\nwebhook_secret = \"s\"\n");
            let config = parse(&text).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(config.alerts.webhook.unwrap().url, stored);
        }
        for url in [
            "ftp://x",
            "HTTP:/x",
            "http://",
            "HTTPS:// x",
            "htt://x",
            "ＨTTP://x",
        ] {
            let text =
                format!("{GOOD}\n[alerts]\nwebhook_url = \"{url}\"\nwebhook_secret = \"s\"\n");
            let error = parse(&text).unwrap_err();
            assert!(error.contains("alerts.webhook_url"), "{url}: {error}");
        }
    }

    #[test]
    fn a_delivery_timeout_is_1_to_60_seconds_and_leases_six_times_as_long() {
        let config = parse(GOOD).unwrap();
        assert_eq!(config.alerts.delivery_timeout_seconds, 10);
        assert_eq!(config.alerts.lease(), chrono::Duration::seconds(60));
        for (seconds, lease) in [(1, 6), (3, 18), (60, 360)] {
            let text = format!("{GOOD}\n[alerts]\ndelivery_timeout_seconds = {seconds}\n");
            let config = parse(&text).unwrap_or_else(|e| panic!("{seconds}: {e}"));
            assert_eq!(
                config.alerts.delivery_timeout(),
                std::time::Duration::from_secs(seconds)
            );
            assert_eq!(config.alerts.lease(), chrono::Duration::seconds(lease));
        }
        for seconds in ["0", "61", "-1", "2.5"] {
            let text = format!("{GOOD}\n[alerts]\ndelivery_timeout_seconds = {seconds}\n");
            let error = parse(&text).unwrap_err();
            assert!(
                error.contains("delivery_timeout_seconds") && !error.contains('\n'),
                "{seconds}: {error}"
            );
        }
    }

    #[test]
    fn parses_the_spec_example() {
        let config = parse(GOOD).unwrap();
        assert_eq!(
            config.settings.departments,
            ["Dispatch", "Warehouse", "Drivers"]
        );
        assert_eq!(config.settings.timezone, "America/Chicago");
        assert_eq!(config.horrors.len(), 5);
        assert_eq!(config.horrors[0].unit_cost_minor, 3500);
        assert_eq!(config.horrors[2].unit_cost_minor, 6000);
        assert_eq!(config.horrors[3].unit_cost_minor, 2550);
        assert!(config.horrors[0].operational);
        assert!(!config.horrors[1].operational);
        assert_eq!(config.horrors[4].position, 4);
    }

    #[test]
    fn the_language_is_english_unless_the_file_names_one() {
        assert_eq!(parse(GOOD).unwrap().settings.language, Lang::EN);
        for tag in ["en", "zh-Hans", "zh-Hant", "zh-hant"] {
            let text = GOOD.replacen(
                "currency = \"USD\"",
                &format!("currency = \"USD\"\nlanguage = \"{tag}\""),
                1,
            );
            let config = parse(&text).unwrap();
            assert!(config.settings.language.tag().eq_ignore_ascii_case(tag));
            let again = parse(&to_toml(&config.settings, &config.horrors)).unwrap();
            assert_eq!(again.settings.language, config.settings.language);
        }
        // Settings stored before the field existed still read, as English.
        let mut stored = serde_json::to_value(parse(GOOD).unwrap().settings).unwrap();
        stored.as_object_mut().unwrap().remove("language");
        let settings: Settings = serde_json::from_value(stored).unwrap();
        assert_eq!(settings.language, Lang::EN);
    }

    #[test]
    fn round_trips_through_to_toml() {
        let config = parse(GOOD).unwrap();
        let again = parse(&to_toml(&config.settings, &config.horrors)).unwrap();
        assert_eq!(again.settings, config.settings);
        assert_eq!(again.horrors, config.horrors);
        // With sites, a volume unit and a look-back: nothing of them is lost.
        let text = format!(
            "{}\n[alerts]\nlookback_days = 28\n",
            include_str!("../data/horrors.toml")
        );
        let config = parse(&text).unwrap();
        assert_eq!(config.settings.sites.len(), 3);
        let again = parse(&to_toml(&config.settings, &config.horrors)).unwrap();
        assert_eq!(again.settings, config.settings);
        assert_eq!(again.horrors, config.horrors);
    }

    #[test]
    fn refuses_statistics_settings_that_would_break_the_charts() {
        // Each appended table must stop the start, naming its field: a CUSUM that never
        // rests (h = 0) or is tuned to no rise (R = 1), and baselines shorter than two
        // weeks.
        for (table, field) in [
            ("[control]\ncusum_h = 0", "control.cusum_h"),
            ("[control]\ncusum_h = -1", "control.cusum_h"),
            ("[control]\ncusum_ratio = 1", "control.cusum_ratio"),
            ("[control]\ncusum_ratio = 0.5", "control.cusum_ratio"),
            ("[control]\nbaseline_days = 13", "control.baseline_days"),
            ("[control]\nbaseline_days = 365", "control.baseline_days"),
            ("[cycles]\nbaseline_days = 13", "cycles.baseline_days"),
            ("[control]\nlimit = 3", "unknown field `limit`"),
        ] {
            let error = parse(&format!("{GOOD}\n{table}\n")).unwrap_err();
            assert!(
                error.contains(field),
                "{table:?}: {error:?} should name {field:?}"
            );
            assert!(!error.contains('\n'), "{error:?} must be one line");
        }
        // The bounds themselves are accepted, and absent tables give the defaults.
        let edge = parse(&format!(
            "{GOOD}\n[control]\nbaseline_days = 14\ncusum_ratio = 1.5\ncusum_h = 0.5\n\n[cycles]\nbaseline_days = 364\n"
        ))
        .unwrap();
        let s = edge.settings.signals;
        assert_eq!(
            (
                s.control_baseline_days,
                s.cusum_ratio,
                s.cusum_h,
                s.cycles_baseline_days
            ),
            (14, 1.5, 0.5, 364)
        );
        let d = parse(GOOD).unwrap().settings.signals;
        assert_eq!(
            (
                d.control_baseline_days,
                d.cusum_ratio,
                d.cusum_h,
                d.cycles_baseline_days
            ),
            (112, 2.0, 5.0, 56)
        );
    }

    #[test]
    fn refuses_broken_configurations_with_the_field_named() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "timezone = \"America/Chicago\"",
                "timezone = \"Mars/Olympus\"",
                "organization.timezone",
            ),
            (
                "currency = \"USD\"",
                "currency = \"XXX\"",
                "organization.currency",
            ),
            (
                "currency = \"USD\"",
                "currency = \"DOLLARS\"",
                "organization.currency",
            ),
            ("days = 30", "days = 0", "window.days"),
            ("days = 30", "days = 367", "window.days"),
            ("pain = 9", "pain = 11", "horrors[0].pain (line 22)"),
            ("pain = 9", "pain = 0", "horrors[0].pain"),
            (
                "key = \"lost-package\"",
                "key = \"late-delivery\"",
                "horrors[1].key",
            ),
            (
                "key = \"lost-package\"",
                "key = \"Lost Package\"",
                "horrors[1].key",
            ),
            (
                "unit_cost = \"35.00\"",
                "unit_cost = \"35.001\"",
                "horrors[0].unit_cost",
            ),
            (
                "unit_cost = \"35.00\"",
                "unit_cost = \"-1\"",
                "horrors[0].unit_cost",
            ),
            ("unit_cost = \"35.00\"", "unit_cost = 35.0", "unit_cost"),
            ("worst = 0.5", "worst = 0.9", "ranking.worst"),
            ("worse = 0.8", "worse = 1.5", "ranking.worse"),
            (
                "pain_weight = 0.5\ncost_weight = 0.5",
                "pain_weight = 0\ncost_weight = 0",
                "must not both be 0",
            ),
            (
                "cost_weight = 0.5",
                "cost_weight = -1",
                "ranking.cost_weight",
            ),
            (
                "operational = true",
                "operational = true\ncolour = \"red\"",
                "unknown field `colour`",
            ),
            ("[window]", "[windows]", "unknown field `windows`"),
            ("name = \"Late delivery\"", "name = \"\"", "horrors[0].name"),
            (
                "departments = [\"Dispatch\", \"Warehouse\", \"Drivers\"]",
                "departments = [\"A\", \"A\"]",
                "departments[1]",
            ),
            ("[organization]", "[organization", "line 2"),
            (
                "currency = \"USD\"",
                "currency = \"USD\"\nlanguage = \"zh-CN\"",
                "organization.language: unknown language \"zh-CN\"; use one of en, zh-Hans, zh-Hant",
            ),
            (
                "currency = \"USD\"",
                "currency = \"USD\"\nlanguage = 7",
                "language",
            ),
        ];
        for (from, to, expected) in cases {
            let text = GOOD.replacen(from, to, 1);
            assert_ne!(text, GOOD, "case {to:?} did not apply");
            let error = parse(&text).unwrap_err();
            assert!(
                error.contains(expected),
                "{to:?}: {error:?} should mention {expected:?}"
            );
            assert!(!error.contains('\n'), "{error:?} must be one line");
        }
    }

    #[test]
    fn refuses_too_few_and_too_many_horrors() {
        let four = GOOD.rsplit_once("[[horrors]]").unwrap().0;
        assert!(parse(four)
            .unwrap_err()
            .contains("need 5 to 8 horrors, got 4"));
        let mut nine = GOOD.to_string();
        for i in 0..4 {
            nine.push_str(&format!("\n[[horrors]]\nkey = \"extra-{i}\"\nname = \"Extra\"\npain = 1\nunit_cost = \"1\"\n"));
        }
        assert!(parse(&nine).unwrap_err().contains("got 9"));
    }

    #[test]
    fn validates_keys() {
        for good in ["a", "late-delivery", "x1", &"a".repeat(40)] {
            assert!(is_valid_key(good), "{good}");
        }
        for bad in [
            "",
            "A",
            "late_delivery",
            "late delivery",
            "é",
            &"a".repeat(41),
        ] {
            assert!(!is_valid_key(bad), "{bad}");
        }
    }
}
