//! Improvement cycles: create, list, detail with before/during, update, focus in rankings.

use chrono::{Duration, NaiveDate, TimeZone};
use chrono_tz::America::Chicago;
use horrors::stats::{rev2 as lib, special};
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::rev2::{self, close_opt};

/// What SPEC §18 says of one focus horror, assembled here from the daily counts: the
/// scaled test, the rate ratio and the Clopper–Pearson interval come from `rev2` and
/// `special` (checked against scipy in their unit tests), everything else is written out.
struct Want {
    p: Option<f64>,
    ratio: Option<f64>,
    phi: f64,
    ci: Value,
    ci_level: f64,
    is_final: bool,
    verdict: &'static str,
}

fn want(
    daily: &rev2::Daily,
    key: &str,
    during: Option<(NaiveDate, NaiveDate)>,
    before: (NaiveDate, NaiveDate),
    is_final: bool,
) -> Want {
    let ci_level = if is_final { 0.95 } else { 0.999 };
    let Some(t) = during else {
        return Want {
            p: None,
            ratio: None,
            phi: 1.0,
            ci: Value::Null,
            ci_level,
            is_final,
            verdict: "not_started",
        };
    };
    let (a, ea) = daily.sum(key, t);
    let (b, eb) = daily.sum(key, before);
    let phi = daily.phi(key, t, Some(before));
    let p = lib::scaled_test(a, b, ea, eb, phi).map(|t| t.p_value);
    let ratio = (b > 0).then(|| (a as f64 / ea) / (b as f64 / eb));
    let (a1, b1) = (a as f64 / phi, b as f64 / phi);
    let alpha = 1.0 - ci_level;
    let as_ratio = |pr: special::Prob| pr.p / pr.q * eb / ea;
    let lower = if a == 0 {
        Some(0.0)
    } else {
        special::inv_beta(alpha / 2.0, a1, b1 + 1.0).map(as_ratio)
    };
    let upper = if b == 0 {
        None
    } else {
        special::inv_beta(1.0 - alpha / 2.0, a1 + 1.0, b1).map(as_ratio)
    };
    let bar = if is_final { 0.05 } else { 0.001 };
    let verdict = match p {
        None => "too_few",
        Some(p) if p < bar && a as f64 * eb < b as f64 * ea => "improved",
        Some(p) if p < bar && a as f64 * eb > b as f64 * ea => "worse",
        Some(_) => "no_clear_change",
    };
    Want {
        p,
        ratio,
        phi,
        ci: if a + b == 0 {
            Value::Null
        } else {
            json!([lower, upper])
        },
        ci_level,
        is_final,
        verdict,
    }
}

#[track_caller]
fn check(result: &Value, want: &Want, what: &str) {
    close_opt(&result["p_value"], want.p, &format!("{what} p_value"));
    close_opt(
        &result["rate_ratio"],
        want.ratio,
        &format!("{what} rate_ratio"),
    );
    close_opt(&result["phi"], Some(want.phi), &format!("{what} phi"));
    match &want.ci {
        Value::Array(bounds) => {
            for (i, bound) in bounds.iter().enumerate() {
                close_opt(&result["ci"][i], bound.as_f64(), &format!("{what} ci[{i}]"));
            }
        }
        other => assert_eq!(&result["ci"], other, "{what} ci"),
    }
    assert_eq!(result["ci_level"], want.ci_level, "{what}");
    assert_eq!(result["final"], want.is_final, "{what}");
    assert_eq!(result["verdict"], want.verdict, "{what}: {result}");
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Posts `qty(i)` of `key` at local noon of every day i of [first, last].
fn steady(
    app: &TestApp,
    posted: &mut Vec<(&'static str, NaiveDate, u64)>,
    key: &'static str,
    (first, last): (NaiveDate, NaiveDate),
    qty: impl Fn(i64) -> u64,
) {
    let mut ticks = Vec::new();
    let mut d = first;
    while d <= last {
        let q = qty((d - first).num_days());
        if q > 0 {
            let at = Chicago
                .from_local_datetime(&d.and_hms_opt(12, 0, 0).unwrap())
                .unwrap();
            ticks.push(json!({"horror": key, "qty": q, "occurred_at": at.to_rfc3339()}));
            posted.push((key, d, q));
        }
        d += Duration::days(1);
    }
    let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": ticks}));
    assert_eq!(reply.status, 201, "{}", reply.text);
}

#[test]
fn a_cycle_reports_before_and_during_for_its_focus() {
    let app = TestApp::spawn();
    // 2026-03-20 12:00 in Chicago: 2026-03-19 is the last complete day.
    app.clock.set("2026-03-20T17:00:00Z".parse().unwrap());
    let mut posted = Vec::new();
    // Cycle 2026-03-01..2026-03-10 (10 days); before = the 56 days 2026-01-04..02-28
    // (max(10, [cycles] baseline_days 56)). Late deliveries fall from 5 a day to 1.
    steady(
        &app,
        &mut posted,
        "late-delivery",
        (day("2026-01-04"), day("2026-02-28")),
        |_| 5,
    );
    steady(
        &app,
        &mut posted,
        "late-delivery",
        (day("2026-03-01"), day("2026-03-10")),
        |_| 1,
    );
    // Lost packages: 2 during, none before: too few.
    steady(
        &app,
        &mut posted,
        "lost-package",
        (day("2026-03-05"), day("2026-03-05")),
        |_| 2,
    );
    // Damaged: 0 and 4 a day by turns (φ > 1) until 2026-03-14, then 5 a day.
    steady(
        &app,
        &mut posted,
        "damaged",
        (day("2026-01-04"), day("2026-03-14")),
        |i| 4 * (i as u64 % 2),
    );
    steady(
        &app,
        &mut posted,
        "damaged",
        (day("2026-03-15"), day("2026-03-19")),
        |_| 5,
    );
    let daily = rev2::Daily::new(posted.iter().copied());
    assert_eq!(daily.first, Some(day("2026-01-04")));

    let created = app.post(
        "/api/cycles",
        &app.admin,
        &json!({"name": "March: late deliveries", "start": "2026-03-01", "days": 10, "focus": ["late-delivery", "lost-package"], "note": "route planning"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.body["end"], "2026-03-10");
    assert_eq!(created.body["status"], "finished");
    let before = (day("2026-01-04"), day("2026-02-28"));
    let during = Some((day("2026-03-01"), day("2026-03-10")));
    let late = &created.body["results"][0];
    assert_eq!(late["key"], "late-delivery");
    assert_eq!(late["before"]["count"], 280);
    assert_eq!(
        late["before"]["window"],
        json!({"from": "2026-01-04", "to": "2026-02-28", "days": 56, "timezone": "America/Chicago"})
    );
    assert_eq!(late["during"]["count"], 10);
    assert_eq!(late["during"]["cost"], "350.00");
    assert_eq!(late["change_pct"], -96.4);
    assert_eq!(late["exposure"], "days");
    assert_eq!(
        (late["days_over"].as_i64(), late["count_over"].as_i64()),
        (Some(10), Some(10))
    );
    // By hand: constant within each period, X² = 0: φ = 1; 10 in 10 days against 280 in
    // 56: a rate ratio of 1/5, clearly improved at the final bar.
    let w = want(&daily, "late-delivery", during, before, true);
    assert_eq!((w.phi, w.verdict), (1.0, "improved"));
    assert!((w.ratio.unwrap() - 0.2).abs() < 1e-12);
    check(late, &w, "late-delivery");
    let lost = &created.body["results"][1];
    // 2 during against 0 before: n' = 2, too few; no ratio, no upper bound.
    assert_eq!(lost["before"]["count"], 0);
    let w = want(&daily, "lost-package", during, before, true);
    assert_eq!(w.verdict, "too_few");
    check(lost, &w, "lost-package");
    assert_eq!(lost["rate_ratio"], Value::Null);
    assert_eq!(lost["ci"][1], Value::Null);
    assert_eq!(created.body["ranking"]["window"]["from"], "2026-03-01");

    // A running cycle 2026-03-15..24: 5 days over. Damaged at 5 a day against 2 a day
    // (by turns 0 and 4: φ = 2·56/(61 − 2) ≈ 1.9) is below 0.05 but not the interim 0.001.
    let running = app.post(
        "/api/cycles",
        &app.admin,
        &json!({"name": "Handling", "start": "2026-03-15", "days": 10, "focus": ["damaged"]}),
    );
    assert_eq!(running.status, 201, "{}", running.text);
    let damaged = &running.body["results"][0];
    assert_eq!(damaged["before"]["window"]["from"], "2026-01-18");
    assert_eq!(damaged["days_over"], 5);
    let w = want(
        &daily,
        "damaged",
        Some((day("2026-03-15"), day("2026-03-19"))),
        (day("2026-01-18"), day("2026-03-14")),
        false,
    );
    assert!(w.phi > 1.5, "{}", w.phi);
    let p = w.p.unwrap();
    assert!((0.001..0.05).contains(&p), "the test's premise: p = {p}");
    assert_eq!((w.verdict, w.ci_level), ("no_clear_change", 0.999));
    check(damaged, &w, "damaged (interim)");
    // A cycle that starts today has no complete day yet.
    let today = app.post(
        "/api/cycles",
        &app.admin,
        &json!({"name": "Today", "start": "2026-03-20", "days": 5, "focus": ["damaged"]}),
    );
    assert_eq!(today.status, 201, "{}", today.text);
    let w = want(
        &daily,
        "damaged",
        None,
        (day("2026-01-23"), day("2026-03-19")),
        false,
    );
    check(&today.body["results"][0], &w, "damaged (not started)");

    let detail = app.get(&format!("/api/cycles/{id}"), &app.viewer);
    assert_eq!(detail.status, 200);
    assert_eq!(detail.body["results"], created.body["results"]);

    // ?cycle= selects the cycle's window on every read endpoint, and marks focus.
    let ranking = app.ranking(&format!("cycle={id}"));
    assert_eq!(ranking["window"]["days"], 10);
    let focus: Vec<(&str, bool)> = ranking["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["key"].as_str().unwrap(), i["focus"].as_bool().unwrap()))
        .collect();
    assert!(
        focus.contains(&("late-delivery", true)) && focus.contains(&("damaged", false)),
        "{focus:?}"
    );
    let outside = app.ranking("from=2026-04-01&to=2026-04-30");
    assert!(outside["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["focus"] == false));

    let updated = app.put(
        &format!("/api/cycles/{id}"),
        &app.admin,
        &json!({"name": "Renamed", "focus": ["damaged"], "note": null}),
    );
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["name"], "Renamed");
    assert_eq!(updated.body["focus"], json!(["damaged"]));
    assert_eq!(updated.body["note"], serde_json::Value::Null);

    let list = app.get("/api/cycles", &app.viewer);
    assert_eq!(list.body["cycles"].as_array().unwrap().len(), 3);
}

#[test]
fn bad_cycles_are_refused_and_write_nothing() {
    let app = TestApp::spawn();
    let cases = [
        (
            json!({"name": "x", "start": "2026-03-01", "focus": ["a", "b", "c", "d"]}),
            "invalid_focus",
        ),
        (
            json!({"name": "x", "start": "2026-03-01", "focus": ["late-delivery", "late-delivery"]}),
            "invalid_focus",
        ),
        (
            json!({"name": "x", "start": "2026-03-01", "focus": ["nope"]}),
            "unknown_horror",
        ),
        (json!({"name": "x", "start": "2026-02-30"}), "invalid_start"),
        (
            json!({"name": "x", "start": "2026-03-01", "days": 0}),
            "invalid_days",
        ),
        (
            json!({"name": "x", "start": "2026-03-01", "days": 367}),
            "invalid_days",
        ),
        (json!({"name": " ", "start": "2026-03-01"}), "invalid_name"),
        (
            json!({"name": "x", "start": "2026-03-01", "colour": "red"}),
            "invalid_body",
        ),
        (json!({"start": "2026-03-01"}), "invalid_body"),
    ];
    for (body, code) in cases {
        app.post("/api/cycles", &app.admin, &body)
            .assert_error(422, code);
    }
    // Retired focus.
    let catalogue = app.get("/api/horrors", &app.admin).body;
    let mut horrors: Vec<serde_json::Value> = catalogue["horrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| json!({"key": h["key"], "name": h["name"], "pain": h["pain"], "unit_cost": h["unit_cost"]}))
        .collect();
    horrors.push(json!({"key": "spare", "name": "Spare", "pain": 1, "unit_cost": "0"}));
    assert_eq!(
        app.put("/api/horrors", &app.admin, &json!({"horrors": horrors}))
            .status,
        200
    );
    horrors.pop();
    assert_eq!(
        app.put("/api/horrors", &app.admin, &json!({"horrors": horrors}))
            .status,
        200
    );
    app.post(
        "/api/cycles",
        &app.admin,
        &json!({"name": "x", "start": "2026-03-01", "focus": ["spare"]}),
    )
    .assert_error(422, "retired_horror");

    assert_eq!(
        app.get("/api/cycles", &app.viewer).body["cycles"],
        json!([])
    );
    app.get("/api/cycles/99", &app.viewer)
        .assert_error(404, "not_found");
    app.get("/api/cycles/abc", &app.viewer)
        .assert_error(404, "not_found");
    app.put("/api/cycles/99", &app.admin, &json!({"name": "y"}))
        .assert_error(404, "not_found");
    app.get("/api/ranking?cycle=99", &app.viewer)
        .assert_error(422, "unknown_cycle");
    app.get("/api/ranking?cycle=1&days=3", &app.viewer)
        .assert_error(422, "invalid_window");
    app.post(
        "/api/cycles",
        &app.viewer,
        &json!({"name": "x", "start": "2026-03-01"}),
    )
    .assert_error(403, "forbidden");
    let id = app
        .post(
            "/api/cycles",
            &app.admin,
            &json!({"name": "ok", "start": "2026-03-01"}),
        )
        .body["id"]
        .as_i64()
        .unwrap();
    app.put(
        &format!("/api/cycles/{id}"),
        &app.admin,
        &json!({"start": "2026-04-01"}),
    )
    .assert_error(422, "invalid_body");
    app.put(
        &format!("/api/cycles/{id}"),
        &app.admin,
        &json!({"focus": ["a", "b", "c", "d"]}),
    )
    .assert_error(422, "invalid_focus");
    let cycle = app.get(&format!("/api/cycles/{id}"), &app.viewer).body;
    assert_eq!(
        (
            cycle["days"].as_i64(),
            cycle["start"].as_str(),
            cycle["focus"].as_array().map(Vec::len)
        ),
        (Some(30), Some("2026-03-01"), Some(0))
    );
}
