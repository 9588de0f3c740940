//! The settings model: what the organization configured, as stored in the database and
//! read by every reading. Stored settings that gain a field still load (serde defaults).

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::keys::SiteKey;
use crate::money::Currency;
use crate::sites::Site;

/// The weights and tier thresholds from `[ranking]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    pub pain_weight: f64,
    pub cost_weight: f64,
    pub worst: f64,
    pub worse: f64,
}

/// The organization-wide settings that come from the file and live in the database.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub name: String,
    /// `[organization] timezone`, parsed when the settings were made or loaded.
    #[serde(with = "crate::calendar::tz_name")]
    pub timezone: Tz,
    /// `[organization] currency`, parsed when the settings were made or loaded.
    pub currency: Currency,
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

pub(super) fn default_volume_unit() -> String {
    "units".into()
}

pub(super) fn default_lookback() -> i64 {
    28
}

impl Settings {
    /// The organization's timezone.
    pub fn tz(&self) -> Tz {
        self.timezone
    }

    /// The organization's currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// A site by key, retired or not.
    pub fn site(&self, key: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.key == key)
    }

    /// The site a tick or a volume entry lands at (SPEC §16): the one `asked` for, else a
    /// bound token's; `None` without sites. Refused with its error code and message when
    /// sites exist and none is named, or the site is unknown or retired.
    pub fn site_for_write(
        &self,
        asked: Option<&str>,
        bound: Option<&str>,
    ) -> Result<Option<&SiteKey>, (&'static str, String)> {
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
                Some(site) => Ok(Some(&site.key)),
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
        timezone: chrono_tz::America::Chicago,
        currency: Currency::parse("USD").expect("USD exists"),
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
