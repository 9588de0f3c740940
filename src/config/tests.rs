//! Unit tests of the configuration: parsing, validation and writing back.

use super::*;
use crate::i18n::Lang;
use crate::money::Minor;

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
        let text = format!("{GOOD}\n[alerts]\nwebhook_url = \"{url}\"\nwebhook_secret = \"s\"\n");
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
        let text = format!("{GOOD}\n[alerts]\nwebhook_url = \"{url}\"\nwebhook_secret = \"s\"\n");
        let error = parse(&text).unwrap_err().to_string();
        assert!(error.contains("alerts.webhook_url"), "{url}: {error}");
    }
}

#[test]
fn parses_the_spec_example() {
    let config = parse(GOOD).unwrap();
    assert_eq!(
        config.settings.departments,
        ["Dispatch", "Warehouse", "Drivers"]
    );
    assert_eq!(config.settings.timezone.name(), "America/Chicago");
    assert_eq!(config.horrors.len(), 5);
    assert_eq!(config.horrors[0].unit_cost_minor, Minor::new(3500));
    assert_eq!(config.horrors[2].unit_cost_minor, Minor::new(6000));
    assert_eq!(config.horrors[3].unit_cost_minor, Minor::new(2550));
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
        include_str!("../../data/horrors.toml")
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
        let error = parse(&format!("{GOOD}\n{table}\n"))
            .unwrap_err()
            .to_string();
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
        let error = parse(&text).unwrap_err().to_string();
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
        .to_string()
        .contains("need 5 to 8 horrors, got 4"));
    let mut nine = GOOD.to_string();
    for i in 0..4 {
        nine.push_str(&format!(
            "\n[[horrors]]\nkey = \"extra-{i}\"\nname = \"Extra\"\npain = 1\nunit_cost = \"1\"\n"
        ));
    }
    assert!(parse(&nine).unwrap_err().to_string().contains("got 9"));
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

#[test]
fn a_delivery_timeout_is_1_to_60_seconds() {
    let config = parse(GOOD).unwrap();
    assert_eq!(config.alerts.delivery_timeout_seconds, 10);
    for seconds in [1, 3, 60] {
        let text = format!("{GOOD}\n[alerts]\ndelivery_timeout_seconds = {seconds}\n");
        let config = parse(&text).unwrap_or_else(|e| panic!("{seconds}: {e}"));
        assert_eq!(config.alerts.delivery_timeout_seconds, seconds);
    }
    for seconds in ["0", "61", "-1", "2.5"] {
        let text = format!("{GOOD}\n[alerts]\ndelivery_timeout_seconds = {seconds}\n");
        let error = parse(&text).unwrap_err().to_string();
        assert!(
            error.contains("delivery_timeout_seconds") && !error.contains('\n'),
            "{seconds}: {error}"
        );
    }
}

#[test]
fn stored_settings_keep_timezone_and_currency_as_text() {
    // The stored JSON (and so every database written before the fields were typed) names
    // the timezone and the currency as plain strings, sites' timezones too.
    let settings = Settings {
        sites: vec![crate::sites::Site {
            key: crate::keys::SiteKey::parse("tokyo").unwrap(),
            name: "Tokyo".into(),
            timezone: chrono_tz::Asia::Tokyo,
            retired: false,
        }],
        ..crate::config::example_settings()
    };
    let json = serde_json::to_string(&settings).unwrap();
    assert!(
        json.starts_with(r#"{"name":"Test","timezone":"America/Chicago","currency":"USD","#),
        "{json}"
    );
    assert!(
        json.contains(
            r#""sites":[{"key":"tokyo","name":"Tokyo","timezone":"Asia/Tokyo","retired":false}]"#
        ),
        "{json}"
    );
    let back: Settings = serde_json::from_str(&json).unwrap();
    assert_eq!(back, settings);
    // A stored value that no longer parses is an error, never a silent UTC or USD.
    for (from, to) in [
        (
            r#""timezone":"America/Chicago""#,
            r#""timezone":"Mars/Base""#,
        ),
        (r#""currency":"USD""#, r#""currency":"XYZ""#),
    ] {
        let broken = json.replacen(from, to, 1);
        assert!(
            serde_json::from_str::<Settings>(&broken).is_err(),
            "{broken}"
        );
    }
}

#[test]
fn settings_stored_before_later_fields_existed_still_load() {
    use super::settings::{default_lookback, default_volume_unit, SignalSettings};
    // As batch one stored them: no language, alerts, sites, volume unit or signals.
    let first = r#"{"name":"Acme","timezone":"America/Chicago","currency":"USD",
        "window_days":30,"pain_weight":0.5,"cost_weight":0.5,"worst":0.5,"worse":0.8,
        "departments":["Dispatch"]}"#;
    let settings: Settings = serde_json::from_str(first).unwrap();
    assert_eq!(settings.language, Lang::EN);
    assert_eq!(settings.alerts_lookback_days, default_lookback());
    assert!(settings.sites.is_empty());
    assert_eq!(settings.volume_unit, default_volume_unit());
    assert_eq!(settings.signals, SignalSettings::default());
    // A site stored before sites could retire; a key that no longer parses is refused,
    // not loaded as something else.
    let site = r#"{"key":"north","name":"North","timezone":"Asia/Tokyo"}"#;
    let with_site = first.replace(
        r#""departments""#,
        &format!(r#""sites":[{site}],"departments""#),
    );
    let settings: Settings = serde_json::from_str(&with_site).unwrap();
    assert_eq!(settings.sites[0].key, "north");
    assert!(!settings.sites[0].retired);
    assert!(serde_json::from_str::<Settings>(&with_site.replace("north", "North")).is_err());
    assert!(
        serde_json::from_str::<Settings>(&first.replace("America/Chicago", "Mars/Base")).is_err()
    );
}
