//! `GET /api/control` (SPEC §18): a u-chart of occurrences per day, recomputed here.

use serde_json::{json, Value};

use crate::helpers::TestApp;

/// 2026-03-02 ..= 2026-03-11 (across the DST change of 2026-03-08 in Chicago).
const COUNTS: [u64; 10] = [2, 1, 3, 2, 2, 1, 2, 3, 2, 15];

fn seed(app: &TestApp) {
    for (i, count) in COUNTS.iter().enumerate() {
        // Noon in Chicago: the local day is the calendar day on either side of DST.
        let at = format!("2026-03-{:02}T18:00:00Z", i + 2);
        let reply = app.tick(json!({"horror": "damaged", "qty": count, "occurred_at": at}));
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    // Another horror, so that `horror=` matters.
    let reply = app
        .tick(json!({"horror": "late-delivery", "qty": 7, "occurred_at": "2026-03-05T18:00:00Z"}));
    assert_eq!(reply.status, 201, "{}", reply.text);
}

/// The u-chart written out independently: (centre, φ, [(ucl, lcl)]).
fn expected(counts: &[u64], laney: bool) -> (f64, f64, Vec<(f64, f64)>) {
    let n = counts.len() as f64;
    let center = counts.iter().sum::<u64>() as f64 / n; // exposure: one day each
    let sigma = center.sqrt();
    let z: Vec<f64> = counts
        .iter()
        .map(|&c| (c as f64 - center) / sigma)
        .collect();
    let phi = if laney && counts.len() >= 3 {
        let ranges: Vec<f64> = z.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
        ranges.iter().sum::<f64>() / ranges.len() as f64 / 1.128
    } else {
        1.0
    };
    let limits = counts
        .iter()
        .map(|_| {
            (
                center + 3.0 * phi * sigma,
                (center - 3.0 * phi * sigma).max(0.0),
            )
        })
        .collect();
    (center, phi, limits)
}

fn close(got: &Value, want: f64, what: &str) {
    let got = got.as_f64().unwrap_or_else(|| panic!("{what}: {got}"));
    assert!((got - want).abs() < 1e-9, "{what}: got {got}, want {want}");
}

#[test]
fn control_limits_and_signals_match_an_independent_computation() {
    let app = TestApp::spawn();
    seed(&app);
    for laney in [true, false] {
        let reply = app.get(
            &format!("/api/control?from=2026-03-02&to=2026-03-11&horror=damaged&laney={laney}"),
            &app.viewer,
        );
        assert_eq!(reply.status, 200, "{}", reply.text);
        let body = &reply.body;
        assert_eq!(body["bucket"], "day");
        assert_eq!(body["horror"], "damaged");
        assert_eq!(body["site"], Value::Null);
        assert_eq!(body["exposure"], "days");
        assert_eq!(body["window"]["from"], "2026-03-02");
        let (center, phi, limits) = expected(&COUNTS, laney);
        close(&body["center"], center, "center");
        close(&body["phi"], phi, "phi");
        let points = body["points"].as_array().unwrap();
        assert_eq!(points.len(), 10);
        for (i, point) in points.iter().enumerate() {
            assert_eq!(point["start"], format!("2026-03-{:02}", i + 2));
            assert_eq!(point["count"], COUNTS[i]);
            close(&point["exposure"], 1.0, "exposure");
            close(&point["rate"], COUNTS[i] as f64, "rate");
            close(&point["ucl"], limits[i].0, "ucl");
            close(&point["lcl"], limits[i].1, "lcl");
            let above = COUNTS[i] as f64 > limits[i].0;
            assert_eq!(
                point["signals"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("above")),
                above,
                "day {i} laney={laney}: {point}"
            );
        }
        if !laney {
            // 15 against 3.3 + 3·√3.3 = 8.75: the last day is a signal.
            assert_eq!(points[9]["signals"], json!(["above"]));
        }
    }
    // All horrors together: the other horror's 7 joins 2026-03-05.
    let all = app.get("/api/control?from=2026-03-02&to=2026-03-11", &app.viewer);
    assert_eq!(all.body["horror"], Value::Null);
    assert_eq!(all.body["points"][3]["count"], 2 + 7);
}

#[test]
fn only_whole_buckets_that_are_over_are_charted() {
    let app = TestApp::spawn();
    seed(&app);
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
