//! Ranking and trend (SPEC §7, §8), recomputed independently from pseudo-random ticks.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Chicago;
use serde_json::{json, Value};

use crate::helpers::{TestApp, CONFIG};
use crate::rev2;

/// A small deterministic generator (SplitMix64), so every run posts the same ticks.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The catalogue of `CONFIG`: key, name, pain, unit cost in cents.
const HORRORS: [(&str, &str, u64, i64); 5] = [
    ("late-delivery", "Late delivery", 9, 3500),
    ("lost-package", "Lost package", 10, 12000),
    ("damaged", "Damaged package 📦", 8, 6000),
    ("wrong-address", "配送先の誤り", 7, 2550),
    ("missed-pickup", "Missed pickup", 6, 99),
];

fn at(text: &str) -> chrono::DateTime<Utc> {
    text.parse().unwrap()
}

/// Posts `qty` of `key` at local noon of every day of [first, last].
fn post_steady(
    app: &TestApp,
    key: &'static str,
    first: NaiveDate,
    last: NaiveDate,
    qty: u64,
) -> Vec<Posted> {
    let unit = HORRORS.iter().find(|h| h.0 == key).unwrap().3;
    let mut ticks = Vec::new();
    let mut posted = Vec::new();
    let mut day = first;
    while day <= last {
        let noon = Chicago
            .from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
            .unwrap();
        ticks.push(json!({"horror": key, "qty": qty, "occurred_at": noon.to_rfc3339()}));
        posted.push(Posted {
            key,
            qty,
            complaint: false,
            cost_minor: unit * qty as i64,
            day,
            voided: false,
        });
        day += Duration::days(1);
    }
    let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": ticks}));
    assert_eq!(reply.status, 201, "{}", reply.text);
    posted
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn usd(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// A tick as the test remembers it.
#[derive(Clone, Debug)]
struct Posted {
    key: &'static str,
    qty: u64,
    complaint: bool,
    cost_minor: i64,
    day: NaiveDate,
    voided: bool,
}

/// Posts `n` pseudo-random ticks between `first` and `last` (local days), voids some,
/// and returns what was posted.
fn post_random_ticks(
    app: &TestApp,
    seed: u64,
    n: usize,
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<Posted> {
    let mut rng = Rng(seed);
    let span = (last - first).num_days() as u64 + 1;
    let mut posted = Vec::new();
    let mut items = Vec::new();
    while items.len() < n {
        // Skewed towards the first horrors, so the order is not a coin toss.
        let h = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 4][rng.below(12) as usize];
        let (key, _, _, unit) = HORRORS[h];
        let big = rng.below(10) == 0;
        let qty = 1 + rng.below(if big { 200 } else { 12 });
        let complaint = rng.below(10) < 3;
        let day = first + Duration::days(rng.below(span) as i64);
        let seconds = rng.below(86_400) as i64;
        let local = day.and_hms_opt(0, 0, 0).unwrap() + Duration::seconds(seconds);
        let Some(at) = Chicago.from_local_datetime(&local).earliest() else {
            continue; // the hour that does not exist in spring
        };
        let mut body = json!({"horror": key, "qty": qty});
        // Some instants in UTC, some with the local offset.
        body["occurred_at"] = if rng.below(2) == 0 {
            json!(at.with_timezone(&Utc).to_rfc3339())
        } else {
            json!(at.to_rfc3339())
        };
        if complaint {
            body["source"] = json!("complaint");
        }
        let cost_minor = if rng.below(5) == 0 {
            let cents = rng.below(50_000) as i64;
            body["cost"] = json!(usd(cents));
            cents
        } else {
            unit * qty as i64
        };
        if rng.below(3) == 0 {
            body["department"] = json!(["Dispatch", "Warehouse", "Drivers"][rng.below(3) as usize]);
        }
        items.push(body);
        posted.push(Posted {
            key,
            qty,
            complaint,
            cost_minor,
            day: at.date_naive(),
            voided: false,
        });
    }
    for chunk in items.chunks(250) {
        let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": chunk}));
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    // Void about one in twenty.
    let listed = app.get(
        &format!("/api/ticks?from={first}&to={last}&limit=1000"),
        &app.viewer,
    );
    let mut ids: Vec<i64> = listed.body["ticks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids.len(), n);
    for (index, id) in ids.iter().enumerate() {
        if rng.below(20) == 0 {
            let reply = app.call(
                "POST",
                &format!("/api/ticks/{id}/void"),
                Some(&app.admin),
                None,
                None,
                &[],
            );
            assert_eq!(reply.status, 200, "{}", reply.text);
            posted[index].voided = true;
        }
    }
    assert!(posted.iter().any(|p| p.voided));
    posted
}

#[derive(Clone, Copy, Default, Debug)]
struct Sums {
    count: u64,
    complaints: u64,
    cost_minor: i64,
}

fn sums(posted: &[Posted], from: NaiveDate, to: NaiveDate) -> BTreeMap<&'static str, Sums> {
    let mut out: BTreeMap<&'static str, Sums> = BTreeMap::new();
    for p in posted
        .iter()
        .filter(|p| !p.voided && p.day >= from && p.day <= to)
    {
        let s = out.entry(p.key).or_default();
        s.count += p.qty;
        if p.complaint {
            s.complaints += p.qty;
        }
        s.cost_minor += p.cost_minor;
    }
    out
}

struct Weights {
    pain: f64,
    cost: f64,
    worst: f64,
    worse: f64,
}

#[derive(Debug)]
struct Expected {
    key: &'static str,
    name: &'static str,
    pain: u64,
    unit_cost_minor: i64,
    now: Sums,
    prev: Sums,
    pain_points: u64,
    score: f64,
    tier: &'static str,
}

/// (count − previous) / previous × 100, rounded half away from zero to one decimal.
fn change_pct(count: u64, previous: u64) -> Option<f64> {
    if previous == 0 {
        return None;
    }
    let diff = count as i128 - previous as i128;
    let p = previous as i128;
    // Tenths, rounded half away from zero: exact integer arithmetic.
    let tenths = (diff.abs() * 2000 + p) / (2 * p);
    Some(diff.signum() as f64 * tenths as f64 / 10.0)
}

/// The window a ranking compares with, written out independently of the service: a
/// whole calendar year → the year before, a whole calendar month → the month before,
/// anything else → the same number of days just before.
fn previous_window(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    let ends_a_month = (to + Duration::days(1)).day() == 1;
    if from.day() == 1 && ends_a_month && from.year() == to.year() {
        if from.month() == 1 && to.month() == 12 {
            let y = from.year() - 1;
            return (
                NaiveDate::from_ymd_opt(y, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(y, 12, 31).unwrap(),
            );
        }
        if from.month() == to.month() {
            let end = from - Duration::days(1);
            return (
                NaiveDate::from_ymd_opt(end.year(), end.month(), 1).unwrap(),
                end,
            );
        }
    }
    let days = (to - from).num_days() + 1;
    (from - Duration::days(days), from - Duration::days(1))
}

fn expected_items(posted: &[Posted], from: NaiveDate, to: NaiveDate, w: &Weights) -> Vec<Expected> {
    let current = sums(posted, from, to);
    let (pfrom, pto) = previous_window(from, to);
    let previous = sums(posted, pfrom, pto);
    let mut items: Vec<Expected> = HORRORS
        .iter()
        .map(|&(key, name, pain, unit)| {
            let now = current.get(key).copied().unwrap_or_default();
            Expected {
                key,
                name,
                pain,
                unit_cost_minor: unit,
                now,
                prev: previous.get(key).copied().unwrap_or_default(),
                pain_points: now.count * pain,
                score: 0.0,
                tier: "bad",
            }
        })
        .collect();
    let pain_total: u64 = items.iter().map(|i| i.pain_points).sum();
    let cost_total: i64 = items.iter().map(|i| i.now.cost_minor).sum();
    let weight_sum =
        if pain_total > 0 { w.pain } else { 0.0 } + if cost_total > 0 { w.cost } else { 0.0 };
    for item in &mut items {
        let pain_share = if pain_total > 0 {
            item.pain_points as f64 / pain_total as f64
        } else {
            0.0
        };
        let cost_share = if cost_total > 0 {
            item.now.cost_minor as f64 / cost_total as f64
        } else {
            0.0
        };
        item.score = if weight_sum > 0.0 {
            (w.pain * pain_share + w.cost * cost_share) / weight_sum
        } else {
            0.0
        };
    }
    sort(&mut items, "priority");
    let mut before = 0.0;
    for item in &mut items {
        item.tier = if item.score == 0.0 {
            "bad"
        } else if before < w.worst {
            "worst"
        } else if before < w.worse {
            "worse"
        } else {
            "bad"
        };
        before += item.score;
    }
    items
}

/// The measure per occurrence over the window `ahead_of_next` weighs counts by.
fn per_occurrence(item: &Expected, by: &str) -> f64 {
    if item.now.count == 0 {
        return 0.0;
    }
    match by {
        "count" => 1.0,
        _ => measure(item, by) / item.now.count as f64,
    }
}

fn measure(item: &Expected, by: &str) -> f64 {
    match by {
        "priority" => item.score,
        "count" => item.now.count as f64,
        "cost" => item.now.cost_minor as f64,
        "pain" => item.pain_points as f64,
        _ => unreachable!(),
    }
}

fn sort(items: &mut [Expected], by: &str) {
    items.sort_by(|a, b| {
        measure(b, by)
            .partial_cmp(&measure(a, by))
            .unwrap()
            .then(b.now.count.cmp(&a.now.count))
            .then(a.key.cmp(b.key))
    });
}

#[track_caller]
fn close(actual: &Value, expected: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {actual} is not a number"));
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: got {actual}, expected {expected}"
    );
}

const ITEM_FIELDS: [&str; 27] = [
    "ahead_of_next",
    "ahead_of_next_p_value",
    "change_p_value",
    "change_pct",
    "change_q_value",
    "change_rate_pct",
    "change_significant",
    "change_verdict",
    "complaints",
    "cost",
    "cost_minor",
    "count",
    "cumulative_share",
    "focus",
    "key",
    "name",
    "pain",
    "pain_points",
    "phi",
    "previous",
    "rank",
    "rate_per_1000",
    "retired",
    "score",
    "share",
    "tier",
    "unit_cost",
];

/// Compares a ranking response with the independent computation, every field.
fn check_ranking(
    app: &TestApp,
    posted: &[Posted],
    from: &str,
    to: &str,
    w: &Weights,
    seen: &mut Vec<&'static str>,
) {
    let (from_d, to_d) = (date(from), date(to));
    for by in ["priority", "count", "cost", "pain"] {
        let ranking = app.ranking(&format!("from={from}&to={to}&by={by}"));
        assert_eq!(ranking["by"], by);
        assert_eq!(ranking["currency"], "USD");
        assert_eq!(
            ranking["window"],
            json!({"from": from, "to": to, "days": (to_d - from_d).num_days() + 1, "timezone": "America/Chicago"})
        );
        let mut expected = expected_items(posted, from_d, to_d, w);
        sort(&mut expected, by);
        let items = ranking["items"].as_array().unwrap();
        let got_keys: Vec<&str> = items.iter().map(|i| i["key"].as_str().unwrap()).collect();
        let want_keys: Vec<&str> = expected.iter().map(|e| e.key).collect();
        assert_eq!(got_keys, want_keys, "order by {by}");
        let total: f64 = expected.iter().map(|e| measure(e, by)).sum();
        let mut cumulative = 0.0;
        // SPEC §18 assembled here: the tested period stops at the last complete day,
        // the first day is the earliest counted tick, days before it have no exposure.
        let (pfrom, pto) = previous_window(from_d, to_d);
        let tested = rev2::tested(from_d, to_d, rev2::last_complete(app.now(), &[Chicago]));
        assert_eq!(ranking["tested"], rev2::tested_json(tested), "by {by}");
        let daily = rev2::Daily::new(
            posted
                .iter()
                .filter(|p| !p.voided)
                .map(|p| (p.key, p.day, p.qty)),
        );
        let evidence: Vec<rev2::Evidence> = expected
            .iter()
            .map(|e| daily.evidence(e.key, tested, (pfrom, pto)))
            .collect();
        let w: Vec<f64> = expected.iter().map(|e| per_occurrence(e, by)).collect();
        let mut stats = rev2::stats(&evidence, &w);
        rev2::judge(&mut stats.iter_mut().collect::<Vec<_>>());
        seen.extend(stats.iter().map(|s| s.verdict));
        seen.extend(stats.iter().filter_map(|s| s.ahead_p).map(|p| {
            if p < 0.05 {
                "ahead"
            } else {
                "not_ahead"
            }
        }));
        for (index, (item, e)) in items.iter().zip(&expected).enumerate() {
            let what = format!("by={by} {}", e.key);
            let mut fields: Vec<&str> = item
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            fields.sort_unstable();
            assert_eq!(fields, ITEM_FIELDS, "{what}");
            assert_eq!(item["rank"], index as u64 + 1, "{what}");
            assert_eq!(item["name"], e.name, "{what}");
            assert_eq!(item["pain"], e.pain, "{what}");
            assert_eq!(item["unit_cost"], usd(e.unit_cost_minor), "{what}");
            assert_eq!(item["count"], e.now.count, "{what}");
            assert_eq!(item["complaints"], e.now.complaints, "{what}");
            assert_eq!(item["cost_minor"], e.now.cost_minor, "{what}");
            assert_eq!(item["cost"], usd(e.now.cost_minor), "{what}");
            assert_eq!(item["pain_points"], e.pain_points, "{what}");
            close(&item["score"], e.score, &format!("{what} score"));
            let share = if total > 0.0 {
                measure(e, by) / total
            } else {
                0.0
            };
            cumulative += share;
            close(&item["share"], share, &format!("{what} share"));
            close(
                &item["cumulative_share"],
                cumulative,
                &format!("{what} cumulative_share"),
            );
            assert_eq!(item["tier"], e.tier, "{what}");
            assert_eq!(item["retired"], false, "{what}");
            assert_eq!(item["focus"], false, "{what}");
            assert_eq!(
                item["previous"],
                json!({"count": e.prev.count, "cost_minor": e.prev.cost_minor}),
                "{what}"
            );
            match change_pct(e.now.count, e.prev.count) {
                None => assert_eq!(item["change_pct"], Value::Null, "{what}"),
                Some(pct) => close(&item["change_pct"], pct, &format!("{what} change_pct")),
            }
            rev2::check_item(item, &stats[index], &what);
        }
        assert_eq!(ranking["exposure"], "days");
        if total > 0.0 {
            close(
                &items.last().unwrap()["cumulative_share"],
                1.0,
                "last cumulative_share",
            );
        }
        let count: u64 = expected.iter().map(|e| e.now.count).sum();
        let score_sum: f64 = items.iter().map(|i| i["score"].as_f64().unwrap()).sum();
        let want_sum = if count > 0 { 1.0 } else { 0.0 };
        close(&json!(score_sum), want_sum, "sum of scores");
        let complaints: u64 = expected.iter().map(|e| e.now.complaints).sum();
        let cost: i64 = expected.iter().map(|e| e.now.cost_minor).sum();
        let pain: u64 = expected.iter().map(|e| e.pain_points).sum();
        assert_eq!(
            ranking["totals"],
            json!({"count": count, "complaints": complaints, "cost": usd(cost), "cost_minor": cost, "pain_points": pain, "rate_per_1000": null}),
            "totals by {by}"
        );
    }
}

#[test]
fn ranking_matches_an_independent_computation() {
    let app = TestApp::spawn();
    // 2026-03-12 23:59 in Chicago: today is 2026-03-12, so the tests of a window ending
    // today stop on 2026-03-11 (complete days only) while its counts include today.
    app.clock.set(at("2026-03-13T04:59:00Z"));
    // Previous window of February 2026 is January 2026 (a calendar month).
    let mut posted = post_random_ticks(
        &app,
        0x5EED_0001,
        400,
        date("2025-12-20"),
        date("2026-03-12"),
    );
    // A clear change: missed pickups go from 2 a day in January to 8 a day in February.
    posted.extend(post_steady(
        &app,
        "missed-pickup",
        date("2026-01-01"),
        date("2026-01-31"),
        2,
    ));
    posted.extend(post_steady(
        &app,
        "missed-pickup",
        date("2026-02-01"),
        date("2026-02-28"),
        8,
    ));
    let mut seen = Vec::new();
    let w = Weights {
        pain: 0.5,
        cost: 0.5,
        worst: 0.5,
        worse: 0.8,
    };
    check_ranking(&app, &posted, "2026-02-01", "2026-02-28", &w, &mut seen);
    // A window crossing the spring DST change (and ending today), and a single day.
    check_ranking(&app, &posted, "2026-03-01", "2026-03-12", &w, &mut seen);
    check_ranking(&app, &posted, "2026-02-14", "2026-02-14", &w, &mut seen);
    // Not vacuous: p-values and too few, a clear change (the missed pickups stop in
    // March) and its absence; these over-dispersed counts are never clearly ahead.
    for kind in ["too_few", "down", "no_clear_change", "not_ahead"] {
        assert!(seen.contains(&kind), "{kind} never seen: {seen:?}");
    }
    // Every tier occurs in the full window.
    let ranking = app.ranking("from=2025-12-20&to=2026-03-12");
    let tiers: Vec<&str> = ranking["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["tier"].as_str().unwrap())
        .collect();
    assert!(
        tiers.contains(&"worst") && tiers.contains(&"bad"),
        "{tiers:?}"
    );
}

#[test]
fn steady_counts_give_clear_changes_and_clear_leads() {
    let app = TestApp::spawn();
    app.clock.set(at("2026-03-13T04:59:00Z"));
    let mut posted = Vec::new();
    // Late deliveries double from 5 to 10 a day; damaged stay at 2; lost packages fall
    // from 6 to 3; wrong addresses appear only on the window's last day.
    for (key, before, now) in [
        ("late-delivery", 5, 10),
        ("damaged", 2, 2),
        ("lost-package", 6, 3),
    ] {
        posted.extend(post_steady(
            &app,
            key,
            date("2026-01-04"),
            date("2026-01-31"),
            before,
        ));
        posted.extend(post_steady(
            &app,
            key,
            date("2026-02-01"),
            date("2026-02-28"),
            now,
        ));
    }
    posted.extend(post_steady(
        &app,
        "wrong-address",
        date("2026-02-28"),
        date("2026-02-28"),
        1,
    ));
    let w = Weights {
        pain: 0.5,
        cost: 0.5,
        worst: 0.5,
        worse: 0.8,
    };
    let mut seen = Vec::new();
    check_ranking(&app, &posted, "2026-02-01", "2026-02-28", &w, &mut seen);
    // The same counts every day within each period: X² = 0, φ = 1.
    let ranking = app.ranking("from=2026-02-01&to=2026-02-28&by=count");
    let items = ranking["items"].as_array().unwrap();
    let verdicts: Vec<(&str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["key"].as_str().unwrap(),
                i["change_verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("late-delivery", "up"),
            ("lost-package", "down"),
            ("damaged", "no_clear_change"),
            ("wrong-address", "too_few"),
            ("missed-pickup", "too_few"),
        ]
    );
    // (wrong-address: one tick on 02-28; r = 1/28, X² = 27·(1/28) + (27/28)²·28 = 27
    // over m = 28 terms, df = 27: φ = 1 too.)
    for item in items {
        rev2::close_opt(&item["phi"], Some(1.0), "phi");
    }
    // 280 against 140 a month before; January's exposure is 28 days (the first day is
    // 01-04), February's 28: +100 %.
    assert_eq!(items[0]["change_rate_pct"], 100.0);
    // By count (w = 1, π0 = ½): 84 lost packages against 56 damaged is clearly ahead,
    // U = P(X ≥ 84 | n = 140, ½) ≈ 0.011 (z = 14/√35 = 2.37).
    assert_eq!(items[1]["ahead_of_next"], true);
    let p = items[1]["ahead_of_next_p_value"].as_f64().unwrap();
    assert!((0.010..0.012).contains(&p), "{p}");
    // wrong-address has 1 and the next item, missed-pickup, none: null.
    assert_eq!(items[3]["ahead_of_next"], Value::Null);
    assert_eq!(items[4]["ahead_of_next"], Value::Null);
    for kind in ["up", "down", "no_clear_change", "too_few", "ahead"] {
        assert!(seen.contains(&kind), "{kind} never seen: {seen:?}");
    }
}

#[test]
fn ranking_uses_the_configured_weights_and_thresholds() {
    let config = CONFIG
        .replace("pain_weight = 0.5", "pain_weight = 0.8")
        .replace("cost_weight = 0.5", "cost_weight = 0.2")
        .replace("worst = 0.5", "worst = 0.3")
        .replace("worse = 0.8", "worse = 0.9");
    let app = TestApp::spawn_with(&config);
    app.clock.set(at("2026-03-13T04:59:00Z"));
    let posted = post_random_ticks(&app, 0xC0FFEE, 300, date("2026-01-01"), date("2026-02-28"));
    let mut seen = Vec::new();
    let w = Weights {
        pain: 0.8,
        cost: 0.2,
        worst: 0.3,
        worse: 0.9,
    };
    check_ranking(&app, &posted, "2026-02-01", "2026-02-28", &w, &mut seen);
    check_ranking(&app, &posted, "2026-01-01", "2026-02-28", &w, &mut seen);
    // The first day is 2026-01-01: the window before 2026-01-01..02-28 has no exposure,
    // so every item of that window is too few.
    assert!(seen.contains(&"too_few"), "{seen:?}");
}

#[test]
fn a_zero_cost_total_leaves_only_pain_in_the_score() {
    let app = TestApp::spawn();
    for (key, qty) in [("late-delivery", 2), ("damaged", 3)] {
        let reply = app.tick(
            json!({"horror": key, "qty": qty, "cost": "0", "occurred_at": "2026-02-10T18:00:00Z"}),
        );
        assert_eq!(reply.status, 201);
    }
    let ranking = app.ranking("from=2026-02-10&to=2026-02-10");
    let items = ranking["items"].as_array().unwrap();
    // pain points: damaged 24, late 18; W = pain_weight only.
    assert_eq!(items[0]["key"], "damaged");
    close(&items[0]["score"], 24.0 / 42.0, "damaged score");
    assert_eq!(items[1]["key"], "late-delivery");
    close(&items[1]["score"], 18.0 / 42.0, "late score");
    assert_eq!(items[0]["tier"], "worst");
    assert_eq!(items[1]["tier"], "worse");
    // The rest score 0, are bad, and follow in key order.
    let rest: Vec<(&str, &str)> = items[2..]
        .iter()
        .map(|i| (i["key"].as_str().unwrap(), i["tier"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rest,
        [
            ("lost-package", "bad"),
            ("missed-pickup", "bad"),
            ("wrong-address", "bad")
        ]
    );
    assert_eq!(ranking["totals"]["cost"], "0.00");
}

#[test]
fn an_empty_window_lists_every_active_horror_at_zero() {
    let app = TestApp::spawn();
    let ranking = app.ranking("from=2026-02-01&to=2026-02-28");
    let items = ranking["items"].as_array().unwrap();
    let keys: Vec<&str> = items.iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "damaged",
            "late-delivery",
            "lost-package",
            "missed-pickup",
            "wrong-address"
        ]
    );
    for (index, item) in items.iter().enumerate() {
        assert_eq!(item["rank"], index + 1);
        assert_eq!(item["score"], 0.0);
        assert_eq!(item["share"], 0.0);
        assert_eq!(item["cumulative_share"], 0.0);
        assert_eq!(item["tier"], "bad");
        assert_eq!(item["change_pct"], Value::Null);
        assert_eq!(item["cost"], "0.00");
    }
    assert_eq!(
        ranking["totals"],
        json!({"count": 0, "complaints": 0, "cost": "0.00", "cost_minor": 0, "pain_points": 0, "rate_per_1000": null})
    );
}

#[test]
fn a_retired_horror_ranks_only_in_windows_with_its_ticks() {
    let app = TestApp::spawn();
    let tick = |key: &str, at: &str, qty: i64| {
        let reply = app.tick(json!({"horror": key, "occurred_at": at, "qty": qty}));
        assert_eq!(reply.status, 201, "{}", reply.text);
    };
    tick("missed-pickup", "2026-02-10T18:00:00Z", 4);
    tick("missed-pickup", "2026-01-20T18:00:00Z", 2);
    tick("damaged", "2026-03-10T18:00:00Z", 1);
    let mut catalogue = crate::auth::config_catalogue();
    catalogue["horrors"].as_array_mut().unwrap().pop();
    catalogue["horrors"].as_array_mut().unwrap().push(
        json!({"key": "rude-driver", "name": "Rude driver", "pain": 5, "unit_cost": "10.00"}),
    );
    assert_eq!(app.put("/api/horrors", &app.admin, &catalogue).status, 200);

    let feb = app.ranking("from=2026-02-01&to=2026-02-28");
    let missed = feb["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "missed-pickup")
        .expect("a retired horror with ticks in the window is ranked");
    assert_eq!(missed["retired"], true);
    assert_eq!(missed["count"], 4);
    assert_eq!(missed["cost"], "3.96");
    assert_eq!(missed["pain_points"], 24);
    assert_eq!(missed["previous"]["count"], 2);
    assert_eq!(missed["change_pct"], 100.0);
    assert_eq!(missed["rank"], 1);
    assert_eq!(missed["tier"], "worst");
    assert_eq!(feb["items"].as_array().unwrap().len(), 6);
    assert_eq!(feb["totals"]["count"], 4);
    // March: its previous window has ticks, but this one does not, so it is absent.
    let march = app.ranking("from=2026-03-01&to=2026-03-28");
    let keys: Vec<&str> = march["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 5);
    assert!(!keys.contains(&"missed-pickup"), "{keys:?}");
    assert!(keys.contains(&"rude-driver"));
    assert!(march["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["retired"] == false));
    // The trend follows the same rule.
    let trend = app.get("/api/trend?from=2026-02-01&to=2026-02-28", &app.viewer);
    let series: Vec<&str> = trend.body["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert!(series.contains(&"missed-pickup"), "{series:?}");
    let trend = app.get("/api/trend?from=2026-03-01&to=2026-03-28", &app.viewer);
    assert!(!trend.text.contains("missed-pickup"));
}

#[test]
fn ranking_rejects_bad_options() {
    let app = TestApp::spawn();
    let bad = [
        ("by=foo", "invalid_parameter"),
        ("by=", "invalid_parameter"),
        ("by=priority&by=count", "repeated_parameter"),
        ("from=2026-03-01&to=2026-02-01", "invalid_window"),
        ("from=2026-02-30&to=2026-03-01", "invalid_window"),
        ("from=2026-02-01", "invalid_window"),
        ("to=2026-02-01", "invalid_window"),
        ("days=0", "invalid_window"),
        ("days=3661", "invalid_window"),
        ("days=-1", "invalid_window"),
        ("days=abc", "invalid_window"),
        ("days=7&from=2026-02-01&to=2026-02-02", "invalid_window"),
        ("from=2026-2-1&to=2026-02-02", "invalid_window"),
        ("from=2016-01-01&to=2026-01-10", "invalid_window"),
        ("cycle=99", "unknown_cycle"),
        ("sort=count", "unknown_parameter"),
    ];
    for (query, code) in bad {
        let reply = app.get(&format!("/api/ranking?{query}"), &app.viewer);
        reply.assert_error(422, code);
    }
}

#[test]
fn windows_by_days_end_today_and_echo_themselves() {
    let app = TestApp::spawn();
    let today = Chicago
        .from_utc_datetime(&app.now().naive_utc())
        .date_naive();
    for days in [1i64, 2, 30, 366, 3660] {
        let ranking = app.ranking(&format!("days={days}"));
        let from = today - Duration::days(days - 1);
        assert_eq!(
            ranking["window"],
            json!({"from": from.to_string(), "to": today.to_string(), "days": days, "timezone": "America/Chicago"}),
            "days={days}"
        );
    }
    // The default is the configured 30 days.
    let ranking = app.ranking("");
    assert_eq!(ranking["window"]["days"], 30);
    assert_eq!(ranking["window"]["to"], today.to_string());
    // The longest from/to window is 3660 days.
    let end = date("2026-01-01") + Duration::days(3659);
    let ok = app.ranking(&format!("from=2026-01-01&to={end}"));
    assert_eq!(ok["window"]["days"], 3660);
}

/// Per (key, local day) counts and costs from the remembered ticks.
fn per_day(posted: &[Posted]) -> BTreeMap<(&'static str, NaiveDate), (u64, i64)> {
    let mut out = BTreeMap::new();
    for p in posted.iter().filter(|p| !p.voided) {
        let e: &mut (u64, i64) = out.entry((p.key, p.day)).or_default();
        e.0 += p.qty;
        e.1 += p.cost_minor;
    }
    out
}

fn bucket_start(day: NaiveDate, bucket: &str) -> NaiveDate {
    match bucket {
        "day" => day,
        "week" => day - Duration::days(day.weekday().num_days_from_monday() as i64),
        "month" => day.with_day(1).unwrap(),
        _ => unreachable!(),
    }
}

#[test]
fn trend_buckets_are_zero_filled_and_add_up() {
    let app = TestApp::spawn();
    let posted = post_random_ticks(&app, 0x7E4D, 250, date("2026-01-20"), date("2026-04-10"));
    let days = per_day(&posted);
    let (from, to) = (date("2026-02-01"), date("2026-03-31"));
    for (bucket, expected_starts) in [("day", 59usize), ("week", 10), ("month", 2)] {
        let reply = app.get(
            &format!("/api/trend?from={from}&to={to}&bucket={bucket}"),
            &app.viewer,
        );
        assert_eq!(reply.status, 200, "{}", reply.text);
        let body = &reply.body;
        assert_eq!(body["bucket"], bucket);
        assert_eq!(
            body["window"],
            json!({"from": "2026-02-01", "to": "2026-03-31", "days": 59, "timezone": "America/Chicago"})
        );
        // Bucket starts: every calendar start touching the window.
        let mut starts = Vec::new();
        let mut start = bucket_start(from, bucket);
        while start <= to {
            starts.push(start);
            start = match bucket {
                "day" => start + Duration::days(1),
                "week" => start + Duration::days(7),
                _ => start.checked_add_months(chrono::Months::new(1)).unwrap(),
            };
        }
        assert_eq!(starts.len(), expected_starts);
        if bucket == "week" {
            assert_eq!(starts[0], date("2026-01-26"));
        }
        let series = body["series"].as_array().unwrap();
        let keys: Vec<&str> = series.iter().map(|s| s["key"].as_str().unwrap()).collect();
        assert_eq!(keys, HORRORS.map(|h| h.0));
        let mut totals = vec![(0u64, 0i64, 0u64); starts.len()];
        for (s, (key, name, pain, _)) in series.iter().zip(HORRORS) {
            assert_eq!(s["name"], name);
            let points = s["points"].as_array().unwrap();
            assert_eq!(points.len(), starts.len(), "{key} {bucket}");
            for (i, (point, start)) in points.iter().zip(&starts).enumerate() {
                let (mut count, mut cost) = (0u64, 0i64);
                for ((k, day), (c, m)) in &days {
                    if *k == key
                        && *day >= from
                        && *day <= to
                        && bucket_start(*day, bucket) == *start
                    {
                        count += c;
                        cost += m;
                    }
                }
                assert_eq!(
                    point,
                    &json!({"start": start.to_string(), "count": count, "cost_minor": cost, "pain_points": count * pain, "partial": false, "units": null, "rate_per_1000": null}),
                    "{key} {bucket} {start}"
                );
                totals[i].0 += count;
                totals[i].1 += cost;
                totals[i].2 += count * pain;
            }
        }
        let want: Vec<Value> = starts
            .iter()
            .zip(&totals)
            .map(|(s, t)| json!({"start": s.to_string(), "count": t.0, "cost_minor": t.1, "pain_points": t.2, "partial": false, "units": null, "rate_per_1000": null}))
            .collect();
        assert_eq!(body["totals"], json!(want), "totals by {bucket}");
        // The trend's sum equals the ranking's totals for the same window.
        let ranking = app.ranking(&format!("from={from}&to={to}"));
        let count: u64 = totals.iter().map(|t| t.0).sum();
        let pain: u64 = totals.iter().map(|t| t.2).sum();
        assert_eq!(ranking["totals"]["count"], count);
        assert_eq!(ranking["totals"]["pain_points"], pain);
    }
    // A single horror's trend.
    let one = app.get(
        &format!("/api/trend?from={from}&to={to}&bucket=month&horror=damaged"),
        &app.viewer,
    );
    assert_eq!(one.status, 200);
    let series = one.body["series"].as_array().unwrap();
    assert_eq!(series.len(), 1);
    assert_eq!(series[0]["key"], "damaged");
    assert_eq!(one.body["totals"], series[0]["points"]);
}

#[test]
fn trend_rejects_bad_options() {
    let app = TestApp::spawn();
    let bad = [
        ("bucket=year", "invalid_parameter"),
        ("bucket=Day", "invalid_parameter"),
        ("horror=nope", "unknown_horror"),
        ("days=0", "invalid_window"),
        ("days=3661", "invalid_window"),
        ("from=2026-02-30&to=2026-03-01", "invalid_window"),
        ("from=2026-03-02&to=2026-03-01", "invalid_window"),
        ("by=count", "unknown_parameter"),
    ];
    for (query, code) in bad {
        app.get(&format!("/api/trend?{query}"), &app.viewer)
            .assert_error(422, code);
    }
    for days in [1, 3660] {
        let reply = app.get(&format!("/api/trend?days={days}"), &app.viewer);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body["window"]["days"], days);
        assert_eq!(
            reply.body["totals"].as_array().unwrap().len(),
            days as usize
        );
    }
}
