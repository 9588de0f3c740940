//! `GET /api/alerts` (SPEC §19): days whose control chart signals high.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone};
use chrono_tz::America::Chicago;
use serde_json::{json, Value};

use crate::control::{baseline_before, day_chart};
use crate::helpers::TestApp;
use crate::rev2::close_opt;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// One expected episode, assembled from the daily counts with the day chart of
/// `control.rs` (SPEC §19: the 28 complete days ending each day, baseline before).
#[derive(Debug)]
struct Want {
    horror: &'static str,
    opened: NaiveDate,
    last_signal: NaiveDate,
    closed: Option<NaiveDate>,
    signal_days: usize,
    signals: Vec<&'static str>,
    count: u64,
    ucl: f64,
    expected: f64,
}

/// Whether `d` signals high for a series of `counts` whose first day is `first`, and its
/// point (count, ucl, expected, kinds).
fn signal_on(
    counts: &BTreeMap<NaiveDate, u64>,
    first: NaiveDate,
    d: NaiveDate,
) -> Option<(u64, f64, f64, Vec<&'static str>)> {
    let from = d - Duration::days(27);
    let points: Vec<(NaiveDate, u64, f64)> = (0..28)
        .map(|i| from + Duration::days(i))
        .map(|x| {
            let e = if x >= first { 1.0 } else { 0.0 };
            (x, counts.get(&x).copied().unwrap_or(0), e)
        })
        .filter(|p| p.2 > 0.0)
        .collect();
    let baseline = baseline_before(counts, first, from);
    let chart = day_chart(&points, baseline.as_deref(), "before", true);
    let last = chart.points.last()?;
    if points.last()?.0 != d {
        return None;
    }
    let high: Vec<&'static str> = last
        .signals
        .iter()
        .copied()
        .filter(|s| *s != "below")
        .collect();
    if high.is_empty() {
        return None;
    }
    Some((points.last()?.1, last.ucl?, last.expected?, high))
}

/// The episodes of one series overlapping [from, to] as of `to` (signal days from
/// `scan_from` on, which must reach back past any episode that matters).
fn episodes(
    horror: &'static str,
    counts: &BTreeMap<NaiveDate, u64>,
    first: NaiveDate,
    scan_from: NaiveDate,
    (from, to): (NaiveDate, NaiveDate),
) -> Vec<Want> {
    let mut out: Vec<Want> = Vec::new();
    let mut d = scan_from;
    while d <= to {
        if let Some((count, ucl, expected, kinds)) = signal_on(counts, first, d) {
            match out.last_mut() {
                Some(w) if d - w.last_signal <= Duration::days(7) => {
                    w.last_signal = d;
                    w.signal_days += 1;
                    for k in kinds {
                        if !w.signals.contains(&k) {
                            w.signals.push(k);
                        }
                    }
                    (w.count, w.ucl, w.expected) = (count, ucl, expected);
                }
                _ => out.push(Want {
                    horror,
                    opened: d,
                    last_signal: d,
                    closed: None,
                    signal_days: 1,
                    signals: kinds,
                    count,
                    ucl,
                    expected,
                }),
            }
        }
        d += Duration::days(1);
    }
    for w in &mut out {
        w.signals.sort_by_key(|k| *k != "above"); // above, then cusum
        let closes = w.last_signal + Duration::days(7);
        w.closed = (closes <= to).then_some(closes);
    }
    out.retain(|w| w.opened <= to && w.closed.is_none_or(|c| c >= from));
    out
}

#[track_caller]
fn check(got: &Value, want: &[Want], what: &str) {
    let got = got["alerts"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: {got}"));
    assert_eq!(got.len(), want.len(), "{what}: {got:?} against {want:?}");
    for (g, w) in got.iter().zip(want) {
        let what = format!("{what} {}", w.horror);
        assert_eq!(g["horror"], w.horror, "{what}");
        assert_eq!(g["site"], Value::Null, "{what}");
        assert_eq!(g["opened"], w.opened.to_string(), "{what}");
        assert_eq!(g["last_signal"], w.last_signal.to_string(), "{what}");
        assert_eq!(
            g["closed"],
            json!(w.closed.map(|c| c.to_string())),
            "{what}"
        );
        assert_eq!(g["signal_days"], w.signal_days, "{what}");
        assert_eq!(g["signals"], json!(w.signals), "{what}");
        assert_eq!(g["count"], w.count, "{what}");
        close_opt(&g["rate"], Some(w.count as f64), &format!("{what} rate"));
        close_opt(&g["ucl"], Some(w.ucl), &format!("{what} ucl"));
        close_opt(
            &g["expected"],
            Some(w.expected),
            &format!("{what} expected"),
        );
        assert_eq!(g["rate_unit"], "day", "{what}");
    }
}

#[test]
fn a_spike_yesterday_is_an_alert_and_quiet_days_are_not() {
    let app = TestApp::spawn();
    // 2026-06-10 12:00 in Chicago: yesterday, 2026-06-09, is the last complete day.
    app.clock.set("2026-06-10T17:00:00Z".parse().unwrap());
    assert_eq!(
        app.get("/api/alerts", &app.viewer).body,
        json!({"alerts": []})
    );
    // Two a day of late deliveries and of damaged packages since 2026-01-01; late
    // deliveries jump to 30 yesterday; damaged to 12 on 2026-05-20 only. A single
    // wrong address of 3 on 2026-06-05 after five months without: its baseline has no
    // counts (too few), so it is never an alert.
    let mut series: BTreeMap<&'static str, BTreeMap<NaiveDate, u64>> = BTreeMap::new();
    let mut d = day("2026-01-01");
    while d <= day("2026-06-09") {
        series.entry("late-delivery").or_default().insert(d, 2);
        series.entry("damaged").or_default().insert(d, 2);
        d += Duration::days(1);
    }
    series
        .get_mut("late-delivery")
        .unwrap()
        .insert(day("2026-06-09"), 30);
    series
        .get_mut("damaged")
        .unwrap()
        .insert(day("2026-05-20"), 12);
    series
        .entry("wrong-address")
        .or_default()
        .insert(day("2026-06-05"), 3);
    let noon = |d: &NaiveDate| {
        Chicago
            .from_local_datetime(&d.and_hms_opt(12, 0, 0).unwrap())
            .unwrap()
            .to_rfc3339()
    };
    let ticks: Vec<Value> = series
        .iter()
        .flat_map(|(key, days)| {
            days.iter()
                .map(move |(d, qty)| json!({"horror": key, "qty": qty, "occurred_at": noon(d)}))
        })
        .collect();
    for chunk in ticks.chunks(500) {
        let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": chunk}));
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    // Today's ticks never make an alert (today is not over).
    let reply = app.tick(json!({"horror": "lost-package", "qty": 500}));
    assert_eq!(reply.status, 201, "{}", reply.text);

    let first = day("2026-01-01");
    let scan = day("2026-03-01");
    let expect = |from: &str, to: &str, state: &str| {
        let mut want: Vec<Want> = series
            .iter()
            .flat_map(|(key, counts)| episodes(key, counts, first, scan, (day(from), day(to))))
            .filter(|w| state == "all" || w.closed.is_none())
            .collect();
        want.sort_by(|a, b| b.opened.cmp(&a.opened).then(a.horror.cmp(b.horror)));
        want
    };
    // By hand: λ = 2 and φ = 1 (a constant baseline: no moving range, X² = 0), so c_U = 8
    // (P(Y ≥ 8 | 2) = 0.0011 ≤ 0.00135 < P(Y ≥ 7 | 2) = 0.0045). 30 is above, and the
    // CUSUM jumps by 30·ln 2 − 2 = 18.8 ≥ 5. 12 on 2026-05-20: above, S = 12·ln 2 − 2 =
    // 6.32; then S falls by 2 − 2·ln 2 = 0.61 a day: 5.70 and 5.09 (cusum signals on
    // 05-21 and 05-22), 4.47 on 05-23. Last signal 05-22: closed on 05-29.
    let all = expect("2026-05-13", "2026-06-09", "all");
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(
        (
            all[0].horror,
            all[0].opened,
            all[0].count,
            all[0].ucl,
            all[0].signals.clone()
        ),
        (
            "late-delivery",
            day("2026-06-09"),
            30,
            8.0,
            vec!["above", "cusum"]
        )
    );
    assert_eq!(
        (
            all[1].horror,
            all[1].opened,
            all[1].last_signal,
            all[1].closed,
            all[1].signal_days
        ),
        (
            "damaged",
            day("2026-05-20"),
            day("2026-05-22"),
            Some(day("2026-05-29")),
            3
        )
    );
    assert_eq!(all[1].signals, ["above", "cusum"]);
    assert_eq!(all[1].count, 2); // the last signal day's count (a cusum-only day)

    // The default: open episodes of the lookback_days (28) complete days ending yesterday.
    let reply = app.get("/api/alerts", &app.viewer);
    assert_eq!(reply.status, 200, "{}", reply.text);
    check(
        &reply.body,
        &expect("2026-05-13", "2026-06-09", "open"),
        "default",
    );
    assert_eq!(reply.body["alerts"].as_array().unwrap().len(), 1);
    // state=all adds the closed episode, newest first.
    let reply = app.get("/api/alerts?state=all", &app.viewer);
    check(&reply.body, &all, "state=all");
    // Backtests: what the alerts said on those days.
    for (from, to, state, n) in [
        ("2026-05-20", "2026-05-21", "open", 1), // opened, 2 signal days so far
        ("2026-05-25", "2026-05-28", "open", 1), // still open: closes on 05-29
        ("2026-05-25", "2026-05-29", "open", 0), // closed on 05-29
        ("2026-05-25", "2026-05-29", "all", 1),
        ("2026-06-01", "2026-06-05", "all", 0), // closed before the period
        ("2026-05-29", "2026-05-29", "all", 1), // closed on the period's only day
    ] {
        let query = format!("/api/alerts?from={from}&to={to}&state={state}");
        let reply = app.get(&query, &app.viewer);
        assert_eq!(reply.status, 200, "{}", reply.text);
        let want = expect(from, to, state);
        assert_eq!(want.len(), n, "{query}: {want:?}");
        check(&reply.body, &want, &query);
    }
    // `to` alone: the lookback_days ending it.
    let reply = app.get("/api/alerts?to=2026-05-21", &app.viewer);
    check(
        &reply.body,
        &expect("2026-04-24", "2026-05-21", "open"),
        "to=",
    );

    // The same limit as the control chart of that horror over the same 28 days.
    let chart = app.get(
        "/api/control?from=2026-05-13&to=2026-06-09&horror=late-delivery",
        &app.viewer,
    );
    let last = chart.body["points"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let alert = &app.get("/api/alerts", &app.viewer).body["alerts"][0];
    assert_eq!(alert["ucl"], last["ucl"], "{last}");
    assert_eq!(alert["expected"], last["expected"], "{last}");
}

#[test]
fn alerts_need_a_viewer_and_refuse_unknown_options() {
    let app = TestApp::spawn();
    app.get("/api/alerts", &app.staff)
        .assert_error(403, "forbidden");
    app.get("/api/alerts?site=x", &app.viewer)
        .assert_error(422, "unknown_site");
    app.get("/api/alerts?days=3", &app.viewer)
        .assert_error(422, "unknown_parameter");
    // Revision 2's options.
    for query in [
        "state=x",
        "state=OPEN",
        "from=2026-05-10&to=2026-05-01",
        "from=2026-02-30&to=2026-03-01",
        "to=2026-5-1",
        "from=yesterday",
        "from=2025-01-01&to=2026-01-02",
    ] {
        let reply = app.get(&format!("/api/alerts?{query}"), &app.viewer);
        assert_eq!(reply.status, 422, "{query}: {}", reply.text);
    }
    app.get("/api/alerts?state=x", &app.viewer)
        .assert_error(422, "invalid_parameter");
    app.get("/api/alerts?from=2026-05-10&to=2026-05-01", &app.viewer)
        .assert_error(422, "invalid_window");
    // 366 days is the longest backtest: 2025-01-02..2026-01-02 is fine.
    let reply = app.get("/api/alerts?from=2025-01-02&to=2026-01-02", &app.viewer);
    assert_eq!(reply.status, 200, "{}", reply.text);
}
