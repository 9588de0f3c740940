//! Writing settings and a catalogue back out as a configuration file (`horrors config`).

use serde::Serialize;

use super::horrors::HorrorInput;
use super::settings::{default_lookback, Settings, SignalSettings};
use crate::catalogue::Horror;

/// Writes a catalogue and its settings back out as a configuration file.
// Over 80 lines: the file's shape is declared inline, beside the one function that writes it.
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
            timezone: settings.timezone.name(),
            currency: settings.currency.code(),
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
                timezone: s.timezone.name(),
            })
            .collect(),
        horrors: horrors
            .iter()
            .filter(|h| !h.retired)
            .map(|h| {
                let mut input = HorrorInput::of(h, currency);
                // The file leaves an empty playbook out.
                if h.playbook.is_empty() {
                    input.playbook = None;
                }
                input
            })
            .collect(),
    };
    toml::to_string_pretty(&out).unwrap_or_default()
}
