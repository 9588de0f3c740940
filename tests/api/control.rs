//! `GET /api/control` (SPEC §18): a u-chart of occurrences per day, recomputed here.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone};
use chrono_tz::America::Chicago;
use horrors::stats::{rev2, special};
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::rev2::close_opt;

/// 2026-03-02 ..= 2026-03-11 (across the DST change of 2026-03-08 in Chicago): a rise
/// from day 5 on that the CUSUM catches before any point passes the upper limit, then 15.
const COUNTS: [u64; 10] = [2, 1, 3, 2, 4, 5, 4, 5, 6, 15];

/// Ten days that repeat from 2026-01-20 (the first day) to 2026-03-01: a mean of 2 a day,
/// the baseline of the chart of March.
const PATTERN: [u64; 10] = [2, 1, 3, 2, 0, 4, 2, 1, 2, 3];

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Noon in Chicago: the local day is the calendar day on either side of DST.
fn noon(d: NaiveDate) -> String {
    Chicago
        .from_local_datetime(&d.and_hms_opt(12, 0, 0).unwrap())
        .unwrap()
        .to_rfc3339()
}

/// Posts the baseline and the window's counts of "damaged", one "late-delivery" of 7 (a
/// series with no history: its baseline is too few) and returns damaged's daily counts.
fn seed(app: &TestApp) -> BTreeMap<NaiveDate, u64> {
    // 2026-03-12 12:00 in Chicago: 2026-03-11 is the last complete day.
    app.clock.set("2026-03-12T17:00:00Z".parse().unwrap());
    let mut daily = BTreeMap::new();
    let mut d = day("2026-01-20");
    let mut i = 0;
    while d <= day("2026-03-01") {
        daily.insert(d, PATTERN[i % PATTERN.len()]);
        d += Duration::days(1);
        i += 1;
    }
    for (i, count) in COUNTS.iter().enumerate() {
        daily.insert(day("2026-03-02") + Duration::days(i as i64), *count);
    }
    let ticks: Vec<Value> = daily
        .iter()
        .filter(|(_, c)| **c > 0)
        .map(|(d, c)| json!({"horror": "damaged", "qty": c, "occurred_at": noon(*d)}))
        .collect();
    let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": ticks}));
    assert_eq!(reply.status, 201, "{}", reply.text);
    // Another horror, so that `horror=` matters; today's ticks are never charted.
    for (key, qty, at) in [
        ("late-delivery", 7, "2026-03-05T18:00:00Z"),
        ("damaged", 40, "2026-03-12T16:00:00Z"),
    ] {
        let reply = app.tick(json!({"horror": key, "qty": qty, "occurred_at": at}));
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    daily
}

/// The chart of SPEC §18, written out: (kind, baseline days used, centre, φ, points as
/// (expected, ucl, lcl, cusum, signals)). Only the regularized incomplete gamma comes
/// from the library (`horrors::stats::special`, checked against scipy in its unit tests);
/// the search for the limit counts is written here.
pub struct Chart {
    pub kind: &'static str,
    pub baseline: Vec<NaiveDate>,
    pub center: Option<f64>,
    pub phi: f64,
    pub points: Vec<Point>,
}

#[derive(Debug)]
pub struct Point {
    pub expected: Option<f64>,
    pub ucl: Option<f64>,
    pub lcl: Option<f64>,
    pub cusum: Option<f64>,
    pub signals: Vec<&'static str>,
}

/// c_U: the smallest c ≥ 1 with P(Y ≥ c/φ) = P_reg(c/φ, λ/φ) ≤ 0.00135.
pub fn upper_count(lambda: f64, phi: f64) -> u64 {
    (1..)
        .find(|&c| special::inc_gamma(c as f64 / phi, lambda / phi).0 <= 0.00135)
        .unwrap()
}

/// c_L: the largest c ≥ 0 with P(Y ≤ c/φ) = 1 − P_reg(c/φ + 1, λ/φ) ≤ 0.00135.
pub fn lower_count(lambda: f64, phi: f64) -> Option<u64> {
    let below = |c: u64| special::inc_gamma(c as f64 / phi + 1.0, lambda / phi).1;
    (0..).take_while(|&c| below(c) <= 0.00135).last()
}

/// A day chart of `points` (day, count, exposure) against `baseline` candidates (day,
/// count, exposure) already chosen by the caller (`None`: too few).
pub fn day_chart(
    points: &[(NaiveDate, u64, f64)],
    baseline: Option<&[(NaiveDate, u64, f64)]>,
    kind: &'static str,
    laney: bool,
) -> Chart {
    let Some(base) = baseline else {
        return Chart {
            kind: "too_few",
            baseline: Vec::new(),
            center: None,
            phi: 1.0,
            points: points
                .iter()
                .map(|_| Point {
                    expected: None,
                    ucl: None,
                    lcl: None,
                    cusum: None,
                    signals: Vec::new(),
                })
                .collect(),
        };
    };
    let c: f64 = base.iter().map(|b| b.1 as f64).sum();
    let n: f64 = base.iter().map(|b| b.2).sum();
    let ubar = c / n;
    let m = base.len() as f64;
    let phi = if laney {
        let z: Vec<f64> = base
            .iter()
            .map(|&(_, c, n)| (c as f64 / n - ubar) / (ubar / n).sqrt())
            .collect();
        let mr = z.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (m - 1.0);
        let qp = base
            .iter()
            .map(|&(_, c, n)| (c as f64 - ubar * n).powi(2) / (ubar * n))
            .sum::<f64>()
            / (m - 1.0);
        1f64.max((mr / 1.128).powi(2)).max(qp)
    } else {
        1.0
    };
    let mut s = 0.0_f64;
    let points = points
        .iter()
        .map(|&(_, c, n)| {
            let lambda = ubar * n;
            let cu = upper_count(lambda, phi);
            let cl = lower_count(lambda, phi);
            s = (s + (c as f64 * 2f64.ln() - lambda) / phi).max(0.0);
            let mut signals = Vec::new();
            if c >= cu {
                signals.push("above");
            }
            if cl.is_some_and(|cl| c <= cl) {
                signals.push("below");
            }
            if s >= 5.0 {
                signals.push("cusum");
            }
            Point {
                expected: Some(lambda),
                ucl: Some(cu as f64 / n),
                lcl: cl.map(|cl| cl as f64 / n),
                cusum: Some(s),
                signals,
            }
        })
        .collect();
    Chart {
        kind,
        baseline: base.iter().map(|b| b.0).collect(),
        center: Some(ubar),
        phi,
        points,
    }
}

/// The baseline before `first_point` (days exposure from `first_day` on): 112 days,
/// then 224, 336 and 364, until ≥ 10 buckets with exposure and ≥ 20 counts.
pub fn baseline_before(
    counts: &BTreeMap<NaiveDate, u64>,
    first_day: NaiveDate,
    first_point: NaiveDate,
) -> Option<Vec<(NaiveDate, u64, f64)>> {
    for length in [112, 224, 336, 364] {
        let used: Vec<(NaiveDate, u64, f64)> = (1..=length)
            .rev()
            .map(|k| first_point - Duration::days(k))
            .filter(|d| *d >= first_day)
            .map(|d| (d, counts.get(&d).copied().unwrap_or(0), 1.0))
            .collect();
        if used.len() >= 10 && used.iter().map(|u| u.1).sum::<u64>() >= 20 {
            return Some(used);
        }
    }
    None
}

#[track_caller]
pub fn close(got: &Value, want: f64, what: &str) {
    close_opt(got, Some(want), what);
}

#[track_caller]
pub fn check_chart(body: &Value, want: &Chart, what: &str) {
    let days = |d: Option<&NaiveDate>| json!(d.map(|d| d.to_string()));
    assert_eq!(
        body["baseline"],
        json!({"from": days(want.baseline.first()), "to": days(want.baseline.last()), "kind": want.kind}),
        "{what}"
    );
    close_opt(&body["center"], want.center, &format!("{what} center"));
    close_opt(&body["phi"], Some(want.phi), &format!("{what} phi"));
    let points = body["points"].as_array().unwrap();
    assert_eq!(points.len(), want.points.len(), "{what}");
    for (i, (got, p)) in points.iter().zip(&want.points).enumerate() {
        let what = format!("{what} point {i}");
        close_opt(&got["expected"], p.expected, &format!("{what} expected"));
        close_opt(&got["ucl"], p.ucl, &format!("{what} ucl"));
        close_opt(&got["lcl"], p.lcl, &format!("{what} lcl"));
        close_opt(&got["cusum"], p.cusum, &format!("{what} cusum"));
        assert_eq!(got["signals"], json!(p.signals), "{what}: {got}");
    }
}

#[test]
fn the_limit_counts_found_here_match_hand_computations() {
    // λ = 2, φ = 1: P(Y ≥ 7) = 1 − e⁻²(1 + 2 + 2 + 4/3 + 2/3 + 4/15 + 4/45) = 0.00453,
    // above 0.00135; P(Y ≥ 8) = 0.00453 − e⁻²·2⁷/7! = 0.00110: c_U = 8, not 7.
    assert_eq!(upper_count(2.0, 1.0), 8);
    assert_eq!(rev2::upper_limit_count(2.0, 1.0), 8);
    // P(Y ≤ 0) = e⁻² = 0.135: no lower limit at λ = 2.
    assert_eq!(lower_count(2.0, 1.0), None);
    // λ = 20: P(Y ≤ 7) = 0.00077 ≤ 0.00135 < P(Y ≤ 8) = 0.0021: c_L = 7.
    assert_eq!(lower_count(20.0, 1.0), Some(7));
    assert_eq!(rev2::lower_limit_count(20.0, 1.0), Some(7));
}

#[test]
fn control_limits_and_signals_match_an_independent_computation() {
    let app = TestApp::spawn();
    let daily = seed(&app);
    let first_day = day("2026-01-20");
    let points: Vec<(NaiveDate, u64, f64)> = (0..10)
        .map(|i| {
            let d = day("2026-03-02") + Duration::days(i);
            (d, daily[&d], 1.0)
        })
        .collect();
    let before = baseline_before(&daily, first_day, day("2026-03-02"));
    // The baseline reaches back 112 days, but only 2026-01-20..03-01 has exposure: 41
    // buckets, 82 counts.
    let used = before.as_deref().unwrap();
    assert_eq!(
        (used.len(), used.iter().map(|u| u.1).sum::<u64>()),
        (41, 82)
    );
    let mut signals = Vec::new();
    for laney in [true, false] {
        for (baseline, want) in [
            (
                "before",
                day_chart(&points, before.as_deref(), "before", laney),
            ),
            ("window", day_chart(&points, Some(&points), "window", laney)),
        ] {
            // The window reaches today (2026-03-12): today is not a point.
            let reply = app.get(
                &format!("/api/control?from=2026-03-02&to=2026-03-12&horror=damaged&laney={laney}&baseline={baseline}"),
                &app.viewer,
            );
            assert_eq!(reply.status, 200, "{}", reply.text);
            let body = &reply.body;
            let what = format!("laney={laney} baseline={baseline}");
            assert_eq!(body["bucket"], "day");
            assert_eq!(body["horror"], "damaged");
            assert_eq!(body["site"], Value::Null);
            assert_eq!(body["exposure"], "days");
            assert_eq!(body["rate_unit"], "day");
            assert_eq!(body["window"]["from"], "2026-03-02");
            let got = body["points"].as_array().unwrap();
            assert_eq!(got.len(), 10, "{what}");
            for (i, point) in got.iter().enumerate() {
                assert_eq!(point["start"], format!("2026-03-{:02}", i + 2));
                assert_eq!(point["count"], COUNTS[i]);
                close(&point["exposure"], 1.0, "exposure");
                close(&point["rate"], COUNTS[i] as f64, "rate");
            }
            check_chart(body, &want, &what);
            signals.extend(want.points.iter().flat_map(|p| p.signals.clone()));
        }
    }
    // Not vacuous: with the baseline before and φ = 1, 15 on a centre of 2 is above
    // (c_U = 8) and the rise of days 5–9 (+0.77, +1.47, +0.77, +1.47, +2.16 = 6.6 ≥ 5)
    // sets off the CUSUM on 2026-03-10, before any point is above.
    let plain = day_chart(&points, before.as_deref(), "before", false);
    assert!((plain.center.unwrap() - 2.0).abs() < 1e-12);
    assert_eq!(plain.points[8].signals, ["cusum"]);
    assert_eq!(plain.points[9].signals, ["above", "cusum"]);
    assert!(signals.contains(&"above") && signals.contains(&"cusum"));
    // A series without history: late-delivery's baseline has 41 buckets but no counts,
    // still short when it reaches back 364 days: no limits, no signals.
    let late = app.get(
        "/api/control?from=2026-03-02&to=2026-03-11&horror=late-delivery",
        &app.viewer,
    );
    assert_eq!(late.status, 200, "{}", late.text);
    let late_points: Vec<(NaiveDate, u64, f64)> = points
        .iter()
        .map(|p| (p.0, if p.0 == day("2026-03-05") { 7 } else { 0 }, 1.0))
        .collect();
    check_chart(
        &late.body,
        &day_chart(&late_points, None, "", true),
        "late-delivery",
    );
    // All horrors together: the other horror's 7 joins 2026-03-05.
    let all = app.get("/api/control?from=2026-03-02&to=2026-03-11", &app.viewer);
    assert_eq!(all.body["horror"], Value::Null);
    assert_eq!(all.body["points"][3]["count"], COUNTS[3] + 7);
}

#[test]
fn only_whole_buckets_that_are_over_are_charted() {
    let app = TestApp::spawn();
    seed(&app);
    // A week later, both weeks below are over.
    app.clock.set("2026-03-20T17:00:00Z".parse().unwrap());
    // 2026-03-02 is a Monday: weeks 03-02..08 and 03-09..15 lie inside 03-01..03-15;
    // 03-01 (a Sunday) belongs to a week that starts before the window.
    let weeks = app.get(
        "/api/control?from=2026-03-01&to=2026-03-15&bucket=week&horror=damaged",
        &app.viewer,
    );
    assert_eq!(weeks.status, 200, "{}", weeks.text);
    let points = weeks.body["points"].as_array().unwrap();
    let starts: Vec<&str> = points
        .iter()
        .map(|p| p["start"].as_str().unwrap())
        .collect();
    assert_eq!(starts, ["2026-03-02", "2026-03-09"]);
    // The weekly baseline: ⌊112/7⌋ = 16 ISO weeks before 03-02, of which only the 6 from
    // the week of the first day (Tuesday 2026-01-20) on have exposure; reaching back to
    // 364 days finds no more: fewer than 10 buckets, no limits and no signals.
    assert_eq!(
        weeks.body["baseline"],
        json!({"from": null, "to": null, "kind": "too_few"})
    );
    assert_eq!(weeks.body["center"], Value::Null);
    assert!(points
        .iter()
        .all(|p| p["ucl"].is_null() && p["cusum"].is_null() && p["signals"] == json!([])));
    assert_eq!(points[0]["count"], COUNTS[..7].iter().sum::<u64>());
    close(&points[0]["exposure"], 7.0, "a week's exposure");
    // Today is never charted: 7 days ending today give 6 points.
    let recent = app.get("/api/control?days=7", &app.viewer);
    assert_eq!(recent.body["points"].as_array().unwrap().len(), 6);
}

#[test]
fn bad_control_options_are_422_and_roles_apply() {
    let app = TestApp::spawn();
    for (query, code) in [
        ("bucket=month", "invalid_parameter"),
        ("laney=maybe", "invalid_parameter"),
        ("baseline=x", "invalid_parameter"),
        ("baseline=Before", "invalid_parameter"),
        ("horror=nope", "unknown_horror"),
        ("site=chicago", "unknown_site"),
        ("days=0", "invalid_window"),
        ("what=1", "unknown_parameter"),
    ] {
        let reply = app.get(&format!("/api/control?{query}"), &app.viewer);
        reply.assert_error(422, code);
    }
    app.get("/api/control", &app.staff)
        .assert_error(403, "forbidden");
    let empty = app.get("/api/control?days=30", &app.viewer);
    assert_eq!(empty.status, 200);
    assert!(empty.body["points"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["count"] == 0));
}
