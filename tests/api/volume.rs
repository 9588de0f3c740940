//! Volume and rates (SPEC §17) and volume exposure (§18), as an outside tester sees them:
//! `PUT`/`GET /api/volume`, its validation (all or nothing), who may write where, and the
//! rates per 1,000 and p-values of rankings, trends and control charts, recomputed here.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{json, Value};

use crate::control::{check_chart, day_chart};
use crate::helpers::{Reply, TestApp, CONFIG};
use crate::rev2;
use crate::sites::{
    check_items, close, daily_of, post_ticks, previous, row_stats, rows, select, spawn_sites,
    today, token, window_json, zones, Row, T,
};

/// (day, site) → units: what the test has stored.
type Cover = BTreeMap<(NaiveDate, Option<&'static str>), u64>;

fn config_with_unit() -> String {
    CONFIG.replace(
        "currency = \"USD\"",
        "currency = \"USD\"\nvolume_unit = \"shipments\"",
    )
}

fn entries(list: &[(NaiveDate, Option<&str>, u64)]) -> Value {
    let entries: Vec<Value> = list
        .iter()
        .map(|(day, site, units)| {
            let mut entry = json!({"day": day.to_string(), "units": units});
            if let Some(site) = site {
                entry["site"] = json!(site);
            }
            entry
        })
        .collect();
    json!({ "entries": entries })
}

/// Stores `list` as admin and remembers it in `cover`.
fn set(app: &TestApp, cover: &mut Cover, list: &[(NaiveDate, Option<&'static str>, u64)]) {
    let reply = app.put("/api/volume", &app.admin, &entries(list));
    assert_eq!(reply.status, 200, "{}", reply.text);
    for &(day, site, units) in list {
        cover.insert((day, site), units);
    }
}

fn put_raw(app: &TestApp, token: &str, body: &str) -> Reply {
    app.call(
        "PUT",
        "/api/volume",
        Some(token),
        Some("application/json"),
        Some(body.as_bytes()),
        &[],
    )
}

fn volume(app: &TestApp, query: &str) -> Value {
    let reply = app.get(&format!("/api/volume?{query}"), &app.viewer);
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

/// qty × 1000 / units rounded to two decimals (exact integer arithmetic; the tests' numbers
/// never fall on a half), None when units is 0.
fn rate(qty: u64, units: u64) -> Option<f64> {
    if units == 0 {
        return None;
    }
    let scaled = qty as u128 * 100_000;
    let (q, r) = (scaled / units as u128, scaled % units as u128);
    assert_ne!(2 * r, units as u128, "a half: pick other test numbers");
    let hundredths = q + u128::from(2 * r > units as u128);
    Some(hundredths as f64 / 100.0)
}

#[track_caller]
fn assert_rate(got: &Value, want: Option<f64>, what: &str) {
    match want {
        None => assert!(got.is_null(), "{what}: got {got}, expected null"),
        Some(want) => close(got, want, what),
    }
}

/// Σ units and number of covered pairs in [from, to] at the sites `counts` accepts.
fn covered(
    cover: &Cover,
    from: NaiveDate,
    to: NaiveDate,
    counts: &dyn Fn(Option<&str>) -> bool,
) -> (u64, usize) {
    let pairs: Vec<u64> = cover
        .iter()
        .filter(|((day, site), _)| *day >= from && *day <= to && counts(*site))
        .map(|(_, units)| *units)
        .collect();
    (pairs.iter().sum(), pairs.len())
}

/// Whether every day of [from, to] is covered at each of `sites`.
fn wholly_covered(cover: &Cover, from: NaiveDate, to: NaiveDate, sites: &[Option<&str>]) -> bool {
    from.iter_days().take_while(|day| *day <= to).all(|day| {
        sites
            .iter()
            .all(|site| cover.keys().any(|k| k == &(day, *site)))
    })
}

/// Σ qty of `ticks` on covered pairs.
fn covered_qty(ticks: &[&T], cover: &Cover) -> u64 {
    ticks
        .iter()
        .filter(|t| cover.contains_key(&(t.day, t.site)))
        .map(|t| t.qty)
        .sum()
}

/// The revision 2 stats of `rows` (q-values judged over them alone: one response, one
/// group family) for the ticks `keep` passes, in the scope whose ticks `in_scope` passes
/// (its first day), with volume exposure over `sites` when `volume`.
#[allow(clippy::too_many_arguments)]
fn stats_of(
    ticks: &[T],
    keep: &dyn Fn(&T) -> bool,
    in_scope: &dyn Fn(&T) -> bool,
    volume: Option<(&Cover, &[Option<&str>])>,
    rows: &[Row],
    tested: Option<(NaiveDate, NaiveDate)>,
    previous: (NaiveDate, NaiveDate),
) -> Vec<rev2::Stats> {
    let mut daily = daily_of(ticks, keep, in_scope);
    if let Some((cover, sites)) = volume {
        let mut units = BTreeMap::new();
        for ((day, site), u) in cover {
            if sites.contains(site) {
                *units.entry(*day).or_insert(0.0) += *u as f64 / 1000.0;
            }
        }
        daily.volume = Some(units);
    }
    row_stats(rows, "priority", &daily, tested, previous)
}

/// The ranking's top-level `volume` and every item's and the totals' `rate_per_1000`.
/// `ticks` are the ones the ranking (or group) counts; `units`/`pairs` its covered pairs.
#[track_caller]
fn check_rates(
    body: &Value,
    ticks: &[&T],
    cover: &Cover,
    (units, pairs): (u64, usize),
    what: &str,
) {
    let want = |ticks: Vec<&T>| {
        if pairs == 0 {
            None
        } else {
            rate(covered_qty(&ticks, cover), units)
        }
    };
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 5, "{what}");
    for item in items {
        let key = item["key"].as_str().unwrap();
        let mine = ticks.iter().copied().filter(|t| t.key == key).collect();
        assert_rate(
            &item["rate_per_1000"],
            want(mine),
            &format!("{what} {key} rate_per_1000"),
        );
    }
    assert_rate(
        &body["totals"]["rate_per_1000"],
        want(ticks.to_vec()),
        &format!("{what} totals rate_per_1000"),
    );
}

#[track_caller]
fn check_volume_field(body: &Value, unit: &str, (units, pairs): (u64, usize), what: &str) {
    if pairs == 0 {
        assert!(
            body["volume"].is_null(),
            "{what}: volume {}",
            body["volume"]
        );
    } else {
        assert_eq!(
            body["volume"],
            json!({"unit": unit, "units": units, "days_covered": pairs}),
            "{what}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// PUT and GET /api/volume

#[test]
fn volume_is_set_per_day_and_read_back_in_day_order() {
    let app = TestApp::spawn_with(&config_with_unit());
    let t = today(&app);
    let d = |n: i64| t - Duration::days(n);
    let empty = volume(&app, "days=7");
    assert_eq!(
        empty,
        json!({"window": window_json(d(6), t), "unit": "shipments", "entries": [], "units": 0, "days_covered": 0})
    );
    // Today may be set; the site is absent or null without sites; 0 is a value.
    let reply = app.put(
        "/api/volume",
        &app.admin,
        &json!({"entries": [
            {"day": d(2).to_string(), "units": 1500},
            {"day": d(4).to_string(), "site": null, "units": 0},
            {"day": t.to_string(), "units": 7},
        ]}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let want = |middle: u64| {
        json!({
            "window": window_json(d(6), t),
            "unit": "shipments",
            "entries": [
                {"day": d(4).to_string(), "site": null, "units": 0},
                {"day": d(2).to_string(), "site": null, "units": middle},
                {"day": t.to_string(), "site": null, "units": 7},
            ],
            "units": middle + 7,
            "days_covered": 3,
        })
    };
    assert_eq!(volume(&app, "days=7"), want(1500));
    assert_eq!(volume(&app, &format!("from={}&to={t}", d(6))), want(1500));
    // Setting a day again replaces its value.
    let reply = app.put(
        "/api/volume",
        &app.admin,
        &json!({"entries": [{"day": d(2).to_string(), "units": 2000}]}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(volume(&app, "days=7"), want(2000));
    // Windows select days.
    assert_eq!(
        volume(&app, &format!("from={}&to={}", d(3), d(1))),
        json!({"window": window_json(d(3), d(1)), "unit": "shipments",
               "entries": [{"day": d(2).to_string(), "site": null, "units": 2000}],
               "units": 2000, "days_covered": 1})
    );
    let one = volume(&app, "days=1");
    assert_eq!(one["units"], 7);
    assert_eq!(one["days_covered"], 1);
    // The default window is the configured 30 days.
    let default = volume(&app, "");
    assert_eq!(default["window"], window_json(t - Duration::days(29), t));
    assert_eq!(default["days_covered"], 3);
    // Without `volume_unit` the unit is "units".
    let plain = TestApp::spawn();
    assert_eq!(volume(&plain, "days=7")["unit"], "units");
}

#[test]
fn volume_accepts_its_bounds() {
    let app = TestApp::spawn();
    let t = today(&app);
    let list: Vec<(NaiveDate, Option<&str>, u64)> = (0..1000)
        .map(|n| (t - Duration::days(n), None, 1_000_000_000_000))
        .collect();
    let reply = app.put("/api/volume", &app.admin, &entries(&list));
    assert_eq!(reply.status, 200, "{}", reply.text);
    let from = t - Duration::days(999);
    let body = volume(&app, &format!("from={from}&to={t}"));
    assert_eq!(body["days_covered"], 1000);
    assert_eq!(body["units"], 1_000_000_000_000_000u64);
    let days: Vec<&str> = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["day"].as_str().unwrap())
        .collect();
    assert_eq!(days.len(), 1000);
    assert_eq!(days[0], from.to_string());
    assert_eq!(days[999], t.to_string());
    assert!(days.windows(2).all(|w| w[0] < w[1]));
    // Set again (in chunks of many rows per statement), each one is replaced.
    let again: Vec<(NaiveDate, Option<&str>, u64)> = (0..1000)
        .map(|n| (t - Duration::days(n), None, 7 + n as u64))
        .collect();
    let reply = app.put("/api/volume", &app.admin, &entries(&again));
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = volume(&app, &format!("from={from}&to={t}"));
    assert_eq!(body["units"], 7 * 1000 + 999 * 1000 / 2);
    assert_eq!(body["entries"][999]["units"], 7);
    let reply = app.put("/api/volume", &app.admin, &entries(&[(t, None, 0)]));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(volume(&app, "days=1")["units"], 0);
    assert_eq!(volume(&app, "days=1")["days_covered"], 1);
}

#[test]
fn volume_needs_the_right_role() {
    let app = TestApp::spawn();
    let t = today(&app);
    let body = entries(&[(t - Duration::days(1), None, 5)]);
    // Writing needs staff (roles are cumulative, SPEC §4); reading needs a viewer.
    app.get("/api/volume", &app.staff)
        .assert_error(403, "forbidden");
    let anonymous = app.call(
        "PUT",
        "/api/volume",
        None,
        Some("application/json"),
        Some(body.to_string().as_bytes()),
        &[],
    );
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    assert!(anonymous.header("www-authenticate").is_some());
    assert_eq!(
        app.call("GET", "/api/volume", None, None, None, &[]).status,
        401
    );
    assert_eq!(volume(&app, "days=7")["days_covered"], 0);
    let reply = app.call("DELETE", "/api/volume", Some(&app.admin), None, None, &[]);
    assert_eq!(reply.status, 405, "{}", reply.text);
}

#[test]
fn bad_volume_is_refused_and_changes_nothing() {
    let app = TestApp::spawn();
    let t = today(&app);
    let day = |n: i64| (t - Duration::days(n)).to_string();
    let tomorrow = (t + Duration::days(1)).to_string();
    let later = (t + Duration::days(400)).to_string();
    let reply = app.put(
        "/api/volume",
        &app.admin,
        &json!({"entries": [{"day": day(2), "units": 100}]}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let all = "days=3660";
    let before = volume(&app, all);

    let valid_new = format!(r#"{{"day": "{}", "units": 5}}"#, day(1));
    let valid_change = format!(r#"{{"day": "{}", "units": 101}}"#, day(2));
    let many: Vec<String> = (0..1001)
        .map(|n| format!(r#"{{"day": "{}", "units": 1}}"#, day(n)))
        .collect();
    let cases: Vec<(String, Option<&str>)> = vec![
        (r#"{"entries": []}"#.into(), None),
        (format!(r#"{{"entries": [{}]}}"#, many.join(",")), None),
        (
            format!(r#"{{"entries": [{{"day": "{tomorrow}", "units": 1}}]}}"#),
            Some("invalid_volume"),
        ),
        (
            format!(r#"{{"entries": [{{"day": "{later}", "units": 1}}]}}"#),
            Some("invalid_volume"),
        ),
        (
            r#"{"entries": [{"day": "2026-02-30", "units": 1}]}"#.into(),
            Some("invalid_volume"),
        ),
        (
            r#"{"entries": [{"day": "2026-2-3", "units": 1}]}"#.into(),
            Some("invalid_volume"),
        ),
        (
            r#"{"entries": [{"day": "yesterday", "units": 1}]}"#.into(),
            Some("invalid_volume"),
        ),
        (
            r#"{"entries": [{"day": "", "units": 1}]}"#.into(),
            Some("invalid_volume"),
        ),
        (
            format!(
                r#"{{"entries": [{{"day": "{}T00:00:00Z", "units": 1}}]}}"#,
                day(1)
            ),
            Some("invalid_volume"),
        ),
        (
            format!(r#"{{"entries": [{{"day": "{}", "units": -1}}]}}"#, day(1)),
            Some("invalid_volume"),
        ),
        (
            format!(r#"{{"entries": [{{"day": "{}", "units": 1.5}}]}}"#, day(1)),
            Some("invalid_volume"),
        ),
        // Rounded to a whole f64 but not whole as written.
        (
            format!(
                r#"{{"entries": [{{"day": "{}", "units": 999999999999.99999}}]}}"#,
                day(1)
            ),
            Some("invalid_volume"),
        ),
        (
            format!(
                r#"{{"entries": [{{"day": "{}", "units": 4.0000000000000001}}]}}"#,
                day(1)
            ),
            Some("invalid_volume"),
        ),
        (
            format!(r#"{{"entries": [{{"day": "{}", "units": 5e-1}}]}}"#, day(1)),
            Some("invalid_volume"),
        ),
        // As for ticks, nothing before 1970.
        (
            r#"{"entries": [{"day": "1969-12-31", "units": 1}]}"#.into(),
            Some("invalid_volume"),
        ),
        (
            r#"{"entries": [{"day": "1900-01-01", "units": 1}]}"#.into(),
            Some("invalid_volume"),
        ),
        (
            format!(
                r#"{{"entries": [{{"day": "{}", "units": 1000000000001}}]}}"#,
                day(1)
            ),
            Some("invalid_volume"),
        ),
        (
            format!(
                r#"{{"entries": [{{"day": "{}", "units": 18446744073709551616}}]}}"#,
                day(1)
            ),
            None,
        ),
        (
            format!(
                r#"{{"entries": [{{"day": "{}", "units": -9223372036854775809}}]}}"#,
                day(1)
            ),
            None,
        ),
        (
            format!(r#"{{"entries": [{{"day": "{}", "units": "5"}}]}}"#, day(1)),
            Some("invalid_body"),
        ),
        (
            format!(r#"{{"entries": [{{"day": "{}", "units": true}}]}}"#, day(1)),
            Some("invalid_body"),
        ),
        (
            format!(r#"{{"entries": [{{"day": "{}", "units": [5]}}]}}"#, day(1)),
            Some("invalid_body"),
        ),
        (
            format!(r#"{{"entries": [{{"day": "{}", "units": null}}]}}"#, day(1)),
            None,
        ),
        (format!(r#"{{"entries": [{{"day": "{}"}}]}}"#, day(1)), None),
        (r#"{"entries": [{"units": 5}]}"#.into(), None),
        (
            r#"{"entries": [{"day": 20260101, "units": 5}]}"#.into(),
            Some("invalid_body"),
        ),
        (
            format!(
                r#"{{"entries": [{{"day": "{}", "units": 5, "note": "x"}}]}}"#,
                day(1)
            ),
            None,
        ),
        (
            format!(r#"{{"entries": [["{}", 5]]}}"#, day(1)),
            Some("invalid_body"),
        ),
        (
            format!(r#"{{"entries": {{"day": "{}", "units": 5}}}}"#, day(1)),
            Some("invalid_body"),
        ),
        (
            format!(r#"{{"entries": "{}"}}"#, day(1)),
            Some("invalid_body"),
        ),
        (
            format!(r#"[{{"day": "{}", "units": 5}}]"#, day(1)),
            Some("invalid_body"),
        ),
        ("{}".into(), None),
        (r#"{"entries": null}"#.into(), None),
        (format!(r#"{{"entries": [{valid_new}], "extra": 1}}"#), None),
        (
            format!(
                r#"{{"entries": [{{"day": "{}", "units": 5, "site": 5}}]}}"#,
                day(1)
            ),
            Some("invalid_body"),
        ),
        // All or nothing: a valid entry beside a bad one is not stored either.
        (
            format!(r#"{{"entries": [{valid_new}, {{"day": "{tomorrow}", "units": 1}}]}}"#),
            Some("invalid_volume"),
        ),
        (
            format!(
                r#"{{"entries": [{valid_change}, {{"day": "{}", "units": -5}}]}}"#,
                day(3)
            ),
            Some("invalid_volume"),
        ),
        (
            format!(
                r#"{{"entries": [{valid_change}, {valid_new}, {{"day": "{}", "units": 5, "site": "tokyo"}}]}}"#,
                day(3)
            ),
            Some("unknown_site"),
        ),
        (
            format!(
                r#"{{"entries": [{valid_new}, {{"day": "{}", "units": "x"}}]}}"#,
                day(3)
            ),
            Some("invalid_body"),
        ),
    ];
    // Every case is tried; the failures are reported together.
    let mut failures = Vec::new();
    let mut before = before;
    for (body, code) in &cases {
        let reply = put_raw(&app, &app.admin, body);
        let short: String = body.chars().take(120).collect();
        let code_ok = code.is_none_or(|code| reply.body["error"]["code"] == code);
        let message_ok = reply.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty());
        if reply.status != 422 || !code_ok || !message_ok {
            failures.push(format!(
                "{short}\n    expected 422 {code:?}, got {} {}",
                reply.status, reply.text
            ));
        }
        let after = volume(&app, all);
        if after != before {
            failures.push(format!("{short}\n    changed the volume"));
            before = after;
        }
    }
    // Malformed JSON and a wrong content type.
    put_raw(&app, &app.admin, r#"{"entries": [{"day": "#).assert_error(400, "malformed_json");
    let reply = app.call(
        "PUT",
        "/api/volume",
        Some(&app.admin),
        Some("text/plain"),
        Some(valid_new.as_bytes()),
        &[],
    );
    assert_eq!(reply.status, 415, "{}", reply.text);
    assert_eq!(volume(&app, all), before);
    // Bad reads.
    for (query, code) in [
        ("days=0", "invalid_window"),
        ("from=2026-03-02&to=2026-03-01", "invalid_window"),
        ("site=tokyo", "unknown_site"),
        ("unit=x", "unknown_parameter"),
    ] {
        app.get(&format!("/api/volume?{query}"), &app.viewer)
            .assert_error(422, code);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn volume_at_sites_is_ordered_by_day_then_site_and_filtered() {
    let app = spawn_sites();
    let t = today(&app);
    let d = |n: i64| t - Duration::days(n);
    let mut cover = Cover::new();
    set(
        &app,
        &mut cover,
        &[
            (d(1), Some("tokyo"), 300),
            (d(2), Some("chicago-hub"), 1000),
            (d(3), Some("berlin"), 7),
            (d(1), Some("chicago-hub"), 2000),
            (d(2), Some("tokyo"), 100),
        ],
    );
    let row = |n: i64, site: &str, units: u64| json!({"day": d(n).to_string(), "site": site, "units": units});
    let all = volume(&app, &format!("from={}&to={}", d(3), d(1)));
    assert_eq!(
        all,
        json!({
            "window": window_json(d(3), d(1)),
            "unit": "units",
            "entries": [
                row(3, "berlin", 7),
                row(2, "chicago-hub", 1000),
                row(2, "tokyo", 100),
                row(1, "chicago-hub", 2000),
                row(1, "tokyo", 300),
            ],
            "units": 3407,
            "days_covered": 5,
        })
    );
    let tokyo = volume(&app, &format!("from={}&to={}&site=tokyo", d(3), d(1)));
    assert_eq!(
        tokyo["entries"],
        json!([row(2, "tokyo", 100), row(1, "tokyo", 300)])
    );
    assert_eq!(tokyo["units"], 400);
    assert_eq!(tokyo["days_covered"], 2);
    let day = volume(&app, &format!("from={}&to={}", d(2), d(2)));
    assert_eq!(day["units"], 1100);
    assert_eq!(day["days_covered"], 2);
    // A site's value for a day is replaced, the other site's stays.
    set(&app, &mut cover, &[(d(2), Some("tokyo"), 150)]);
    let day = volume(&app, &format!("from={}&to={}", d(2), d(2)));
    assert_eq!(
        day["entries"],
        json!([row(2, "chicago-hub", 1000), row(2, "tokyo", 150)])
    );

    // With sites, an unbound token must name one.
    let before = volume(&app, "days=3660");
    for (body, code) in [
        (
            json!({"entries": [{"day": d(1).to_string(), "units": 5}]}),
            "site_required",
        ),
        (
            json!({"entries": [{"day": d(1).to_string(), "site": null, "units": 5}]}),
            "site_required",
        ),
        (
            json!({"entries": [{"day": d(1).to_string(), "site": "paris", "units": 5}]}),
            "unknown_site",
        ),
        (
            json!({"entries": [{"day": d(1).to_string(), "site": "tokyo", "units": 9}, {"day": d(1).to_string(), "site": "Tokyo", "units": 5}]}),
            "unknown_site",
        ),
        (
            json!({"entries": [{"day": d(1).to_string(), "site": "tokyo", "units": 9}, {"day": d(1).to_string(), "units": 5}]}),
            "site_required",
        ),
    ] {
        app.put("/api/volume", &app.admin, &body)
            .assert_error(422, code);
    }
    assert_eq!(volume(&app, "days=3660"), before);
}

#[test]
fn a_site_bound_staff_token_sets_volume_only_for_its_site() {
    let app = spawn_sites();
    let t = today(&app);
    let day = (t - Duration::days(1)).to_string();
    let phone = token(&app, "tokyo phone", "staff", Some("tokyo"));
    let screen = token(&app, "tokyo screen", "viewer", Some("tokyo"));
    let tokyo = || volume(&app, "days=7&site=tokyo")["entries"].clone();
    let reply = app.put(
        "/api/volume",
        &phone,
        &json!({"entries": [{"day": day, "units": 10}]}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(tokyo(), json!([{"day": day, "site": "tokyo", "units": 10}]));
    let reply = app.put(
        "/api/volume",
        &phone,
        &json!({"entries": [{"day": day, "site": "tokyo", "units": 11}]}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(tokyo(), json!([{"day": day, "site": "tokyo", "units": 11}]));

    let before = volume(&app, "days=7");
    app.put(
        "/api/volume",
        &phone,
        &json!({"entries": [{"day": day, "site": "chicago-hub", "units": 5}]}),
    )
    .assert_error(403, "wrong_site");
    let reply = app.put(
        "/api/volume",
        &phone,
        &json!({"entries": [{"day": day, "site": "tokyo", "units": 12}, {"day": day, "site": "berlin", "units": 5}]}),
    );
    assert!(reply.status == 403 || reply.status == 422, "{}", reply.text);
    assert!(reply.text.contains("wrong_site"), "{}", reply.text);
    // A site-bound viewer is a site-bound staff too (roles are cumulative, SPEC §4).
    app.put(
        "/api/volume",
        &screen,
        &json!({"entries": [{"day": day, "site": "chicago-hub", "units": 13}]}),
    )
    .assert_error(403, "wrong_site");
    assert_eq!(volume(&app, "days=7"), before);
    let reply = app.put(
        "/api/volume",
        &screen,
        &json!({"entries": [{"day": day, "units": 13}]}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(tokyo(), json!([{"day": day, "site": "tokyo", "units": 13}]));
    // The admin writes anywhere.
    let reply = app.put(
        "/api/volume",
        &app.admin,
        &json!({"entries": [{"day": day, "site": "chicago-hub", "units": 5}]}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    // A site-bound viewer reads only its site.
    let mine = app.get("/api/volume?days=7", &screen);
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(
        mine.body["entries"],
        json!([{"day": day, "site": "tokyo", "units": 13}])
    );
    assert_eq!(mine.body["units"], 13);
    assert_eq!(mine.body["days_covered"], 1);
    app.get("/api/volume?days=7&site=chicago-hub", &screen)
        .assert_error(403, "wrong_site");
    assert_eq!(volume(&app, "days=7")["units"], 18);
}

// ---------------------------------------------------------------------------------------
// Rates per 1,000 in rankings

#[test]
fn ranking_rates_count_only_covered_days() {
    let app = TestApp::spawn();
    let t = today(&app);
    let d = |n: i64| t - Duration::days(n);
    let mut voided = T::new("late-delivery", 10, None, d(4));
    voided.voided = true;
    let ticks = vec![
        T::new("late-delivery", 4, None, d(5)),
        T::new("late-delivery", 3, None, d(4)),
        T::new("late-delivery", 2, None, d(3)),
        voided,
        T::new("damaged", 5, None, d(4)),
        T::new("damaged", 1, None, d(2)),
        T::new("lost-package", 2, None, d(1)),
        T::new("wrong-address", 1, None, d(3)).complaint(),
        T::new("missed-pickup", 6, None, d(7)),
    ];
    post_ticks(&app, &ticks);
    let mut cover = Cover::new();
    set(
        &app,
        &mut cover,
        &[
            (d(4), None, 3000),
            (d(3), None, 0),
            (d(2), None, 4000),
            (d(7), None, 2000),
        ],
    );
    let all = |_: Option<&str>| true;
    for (from, to) in [
        (d(5), d(1)),
        (d(3), d(3)),
        (d(12), d(8)),
        (d(7), d(1)),
        (d(4), d(4)),
    ] {
        for by in ["priority", "count"] {
            let what = format!("{from}..{to} by {by}");
            let body = app.ranking(&format!("from={from}&to={to}&by={by}"));
            let counted = select(&ticks, from, to, &|_| true);
            let units = covered(&cover, from, to, &all);
            check_volume_field(&body, "units", units, &what);
            check_rates(&body, &counted, &cover, units, &what);
            let (pfrom, pto) = previous(from, to);
            let exposure = if wholly_covered(&cover, from, to, &[None])
                && wholly_covered(&cover, pfrom, pto, &[None])
            {
                "volume"
            } else {
                "days"
            };
            assert_eq!(body["exposure"], exposure, "{what}");
        }
    }
    // Spelled out for the first window: covered days d4, d3 (0 units), d2: 7000 units.
    let body = app.ranking(&format!("from={}&to={}", d(5), d(1)));
    assert_eq!(
        body["volume"],
        json!({"unit": "units", "units": 7000, "days_covered": 3})
    );
    let late = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "late-delivery")
        .unwrap();
    assert_eq!(late["count"], 9);
    close(
        &late["rate_per_1000"],
        0.71,
        "late-delivery: 5 × 1000 / 7000",
    );
    close(
        &body["totals"]["rate_per_1000"],
        1.71,
        "totals: 12 × 1000 / 7000",
    );
    // A window whose only covered day has 0 units: volume, but no rate.
    let zero = app.ranking(&format!("from={}&to={}", d(3), d(3)));
    assert_eq!(
        zero["volume"],
        json!({"unit": "units", "units": 0, "days_covered": 1})
    );
    assert!(zero["totals"]["rate_per_1000"].is_null());
}

#[test]
fn ranking_rates_at_sites_count_only_covered_pairs() {
    let app = spawn_sites();
    let t = today(&app);
    let d = |n: i64| t - Duration::days(n);
    let (c, k, b) = (Some("chicago-hub"), Some("tokyo"), Some("berlin"));
    let ticks = vec![
        T::new("late-delivery", 4, k, d(2)),
        T::new("damaged", 2, k, d(1)).complaint(),
        T::new("late-delivery", 1, k, d(3)),
        T::new("late-delivery", 6, c, d(2)),
        T::new("damaged", 3, c, d(3)),
        T::new("lost-package", 5, b, d(2)),
    ];
    post_ticks(&app, &ticks);
    let mut cover = Cover::new();
    set(
        &app,
        &mut cover,
        &[(d(2), k, 2000), (d(1), k, 1500), (d(2), c, 3000)],
    );
    let (from, to) = (d(3), d(1));
    let w = format!("from={from}&to={to}");
    // Unfiltered, and per site.
    for site in [None, c, k, b] {
        let query = site.map_or(w.clone(), |s| format!("{w}&site={s}"));
        let body = app.ranking(&query);
        let counted = select(&ticks, from, to, &|t| site.is_none() || t.site == site);
        let units = covered(&cover, from, to, &|s| site.is_none() || s == site);
        check_volume_field(&body, "units", units, &query);
        check_rates(&body, &counted, &cover, units, &query);
    }
    // Spelled out: late-delivery counts Tokyo's 4 and Chicago's 6 on d2 (Tokyo's d3 is not
    // covered); 10 × 1000 / 6500 = 1.54.
    let body = app.ranking(&w);
    let late = &body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "late-delivery")
        .unwrap()
        .clone();
    close(&late["rate_per_1000"], 1.54, "late-delivery");
    assert_eq!(late["count"], 11);
    assert!(app.ranking(&format!("{w}&site=berlin"))["volume"].is_null());

    // The trend at one site: that site's covered days only.
    let trend = app.get(&format!("/api/trend?{w}&site=tokyo"), &app.viewer);
    assert_eq!(trend.status, 200, "{}", trend.text);
    for p in trend.body["totals"].as_array().unwrap() {
        let day = NaiveDate::parse_from_str(p["start"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        let units = cover.get(&(day, k)).copied();
        let qty: u64 = ticks
            .iter()
            .filter(|t| t.site == k && t.day == day)
            .map(|t| t.qty)
            .sum();
        assert_eq!(p["count"], qty, "{day}");
        assert_eq!(p["units"], json!(units), "{day}: {p}");
        assert_rate(
            &p["rate_per_1000"],
            units.and_then(|u| rate(qty, u)),
            &format!("tokyo trend {day}"),
        );
    }

    // Grouped: a site's group uses that site's pairs; other groups use every pair.
    for group in ["site", "source"] {
        let query = format!("{w}&group={group}");
        let body = app.ranking(&query);
        for g in body["groups"].as_array().unwrap() {
            let value = g["value"].as_str();
            let what = format!("{query} group {value:?}");
            let (counted, units) = if group == "site" {
                let site = value;
                (
                    select(&ticks, from, to, &|t| t.site == site),
                    covered(&cover, from, to, &|s| s == site),
                )
            } else {
                let complaint = value == Some("complaint");
                (
                    select(&ticks, from, to, &|t| t.complaint == complaint),
                    covered(&cover, from, to, &|_| true),
                )
            };
            // Each group says its own volume (SPEC §17: "in a ranking (and each group)").
            check_volume_field(g, "units", units, &what);
            check_rates(g, &counted, &cover, units, &what);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Trend points

fn bucket_start(day: NaiveDate, bucket: &str) -> NaiveDate {
    match bucket {
        "day" => day,
        "week" => day - Duration::days(day.weekday().num_days_from_monday() as i64),
        _ => unreachable!(),
    }
}

#[test]
fn trend_points_carry_units_and_rates() {
    let app = TestApp::spawn();
    let t = today(&app);
    let d = |n: i64| t - Duration::days(n);
    let mut ticks = Vec::new();
    for n in 1..=14 {
        ticks.push(T::new("late-delivery", (n % 4 + 1) as u64, None, d(n)));
        if n % 2 == 0 {
            ticks.push(T::new("damaged", 2, None, d(n)));
        }
    }
    post_ticks(&app, &ticks);
    let mut cover = Cover::new();
    let list: Vec<_> = (4..=10)
        .map(|n| (d(n), None, 1000 + 137 * n as u64))
        .collect();
    set(&app, &mut cover, &list);
    let (from, to) = (d(14), d(1));
    for bucket in ["day", "week"] {
        let reply = app.get(
            &format!("/api/trend?from={from}&to={to}&bucket={bucket}"),
            &app.viewer,
        );
        assert_eq!(reply.status, 200, "{}", reply.text);
        // The expected point of a bucket for the ticks `keep` accepts.
        let expect = |start: NaiveDate, keep: &dyn Fn(&T) -> bool| {
            let in_bucket =
                |day: NaiveDate| day >= from && day <= to && bucket_start(day, bucket) == start;
            let pairs: Vec<u64> = cover
                .iter()
                .filter(|((day, _), _)| in_bucket(*day))
                .map(|(_, u)| *u)
                .collect();
            let mine: Vec<&T> = ticks
                .iter()
                .filter(|t| in_bucket(t.day) && keep(t))
                .collect();
            let count: u64 = mine.iter().map(|t| t.qty).sum();
            if pairs.is_empty() {
                (count, None, None)
            } else {
                let units: u64 = pairs.iter().sum();
                (count, Some(units), rate(covered_qty(&mine, &cover), units))
            }
        };
        let check = |points: &Value, keep: &dyn Fn(&T) -> bool, what: &str| {
            let points = points.as_array().unwrap();
            assert!(!points.is_empty());
            let mut covered_buckets = 0;
            for p in points {
                let start =
                    NaiveDate::parse_from_str(p["start"].as_str().unwrap(), "%Y-%m-%d").unwrap();
                let (count, units, rate) = expect(start, keep);
                let what = format!("{what} {bucket} {start}");
                assert_eq!(p["count"], count, "{what}");
                assert_eq!(p["units"], json!(units), "{what}: {p}");
                assert_rate(&p["rate_per_1000"], rate, &format!("{what} rate_per_1000"));
                covered_buckets += usize::from(units.is_some());
            }
            assert!(covered_buckets > 0, "{what}");
            if bucket == "day" {
                assert_eq!(covered_buckets, 7, "{what}");
            }
        };
        check(&reply.body["totals"], &|_| true, "totals");
        for series in reply.body["series"].as_array().unwrap() {
            let key = series["key"].as_str().unwrap().to_string();
            check(&series["points"], &|t| t.key == key, &key);
        }
    }
    // No volume in the window: units are null.
    let (from, to) = (d(40), d(20));
    let reply = app.get(&format!("/api/trend?from={from}&to={to}"), &app.viewer);
    assert_eq!(reply.status, 200, "{}", reply.text);
    for p in reply.body["totals"].as_array().unwrap() {
        assert!(p["units"].is_null(), "{p}");
        assert!(p["rate_per_1000"].is_null(), "{p}");
    }
}

// ---------------------------------------------------------------------------------------
// Exposure (§18)

#[test]
fn exposure_is_volume_only_when_both_windows_are_wholly_covered() {
    let app = TestApp::spawn();
    let t = today(&app);
    let d = |n: i64| t - Duration::days(n);
    let mut ticks = Vec::new();
    // late-delivery: 30 now against 10 before; damaged 8 against 12; lost 0 against 3.
    for (n, qty) in [
        (1, 8),
        (2, 7),
        (3, 8),
        (4, 7),
        (5, 3),
        (6, 2),
        (7, 3),
        (8, 2),
    ] {
        ticks.push(T::new("late-delivery", qty, None, d(n)));
    }
    ticks.push(T::new("damaged", 5, None, d(2)));
    ticks.push(T::new("damaged", 3, None, d(3)));
    ticks.push(T::new("damaged", 6, None, d(6)));
    ticks.push(T::new("damaged", 6, None, d(7)));
    ticks.push(T::new("lost-package", 3, None, d(5)));
    ticks.push(T::new("wrong-address", 4, None, d(1)));
    ticks.push(T::new("wrong-address", 4, None, d(8)));
    post_ticks(&app, &ticks);
    let (from, to) = (d(4), d(1));
    let (pfrom, pto) = previous(from, to);
    assert_eq!((pfrom, pto), (d(8), d(5)));
    let query = format!("from={from}&to={to}");
    let tested = rev2::tested(from, to, rev2::last_complete(app.now(), &zones(None)));
    let check = |exposure: &str, cover: &Cover| {
        let now = select(&ticks, from, to, &|_| true);
        let prev = select(&ticks, pfrom, pto, &|_| true);
        for by in ["priority", "count"] {
            let body = app.ranking(&format!("{query}&by={by}"));
            assert_eq!(body["exposure"], exposure, "{body}");
            assert_eq!(body["tested"], rev2::tested_json(tested), "{body}");
            let rows = rows(&now, &prev, by);
            let mut daily = daily_of(&ticks, &|_| true, &|_| true);
            if exposure == "volume" {
                daily.volume = Some(
                    cover
                        .iter()
                        .map(|((d, _), u)| (*d, *u as f64 / 1000.0))
                        .collect(),
                );
            }
            let mut stats = row_stats(&rows, by, &daily, tested, (pfrom, pto));
            rev2::judge(&mut stats.iter_mut().collect::<Vec<_>>());
            check_items(&body["items"], &rows, by, &stats, exposure);
        }
    };
    let mut cover = Cover::new();
    // This window wholly covered (2000 a day), the previous one but for its first day.
    let list: Vec<_> = (1..=4)
        .map(|n| (d(n), None, 2000))
        .chain((5..=7).map(|n| (d(n), None, 1000)))
        .collect();
    set(&app, &mut cover, &list);
    check("days", &cover);
    let late = |body: &Value| {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == "late-delivery")
            .unwrap()
            .clone()
    };
    assert_eq!(late(&app.ranking(&query))["change_significant"], true);
    // The previous window's last uncovered day: now both are, and 30 against 10 on twice
    // the volume is no longer a significant change.
    set(&app, &mut cover, &[(d(8), None, 1000)]);
    check("volume", &cover);
    assert_eq!(late(&app.ranking(&query))["change_significant"], false);
    // A window one day longer: its previous window d(10)..d(6) reaches back before the
    // first day d(8), where nothing was counted yet and no volume is needed.
    let longer = app.ranking(&format!("from={}&to={to}", d(5)));
    assert_eq!(longer["exposure"], "volume");
    // A tick on d(12) moves the first day back: d(9) and d(10) now need volume too.
    let early = [T::new("missed-pickup", 1, None, d(12))];
    post_ticks(&app, &early);
    let longer = app.ranking(&format!("from={}&to={to}", d(5)));
    assert_eq!(longer["exposure"], "days");
    // The 4-day windows still have every day from d(8) on covered.
    assert_eq!(app.ranking(&query)["exposure"], "volume");
}

#[test]
fn exposure_at_sites_needs_every_counted_site_wholly_covered() {
    let app = spawn_sites();
    let t = today(&app);
    let d = |n: i64| t - Duration::days(n);
    let (c, k, b) = (Some("chicago-hub"), Some("tokyo"), Some("berlin"));
    let mut ticks = Vec::new();
    for n in 1..=3 {
        ticks.push(T::new("late-delivery", 4, k, d(n)));
        ticks.push(T::new("damaged", 2, c, d(n)));
    }
    for n in 4..=6 {
        ticks.push(T::new("late-delivery", 1, k, d(n)));
        ticks.push(T::new("damaged", 3, c, d(n)).complaint());
    }
    ticks.push(T::new("lost-package", 2, b, d(2)));
    post_ticks(&app, &ticks);
    let mut cover = Cover::new();
    let mut list = Vec::new();
    for n in 1..=6 {
        list.push((d(n), k, if n <= 3 { 1000 } else { 3000 }));
        list.push((d(n), c, 2000));
    }
    set(&app, &mut cover, &list);
    let (from, to) = (d(3), d(1));
    let (pfrom, pto) = previous(from, to);
    let check = |site: Option<&str>, exposure: &str, cover: &Cover| {
        let keep = |t: &T| site.is_none() || t.site == site;
        let now = select(&ticks, from, to, &keep);
        let prev = select(&ticks, pfrom, pto, &keep);
        let sites: Vec<Option<&str>> = match site {
            None => vec![c, k, b],
            Some(_) => vec![site],
        };
        let rows = rows(&now, &prev, "priority");
        let tested = rev2::tested(from, to, rev2::last_complete(app.now(), &zones(site)));
        let volume = (exposure == "volume").then_some((cover, &sites[..]));
        let mut stats = stats_of(&ticks, &keep, &keep, volume, &rows, tested, (pfrom, pto));
        rev2::judge(&mut stats.iter_mut().collect::<Vec<_>>());
        let mut query = format!("from={from}&to={to}");
        if let Some(site) = site {
            query.push_str(&format!("&site={site}"));
        }
        let body = app.ranking(&query);
        assert_eq!(body["exposure"], exposure, "{query}");
        assert_eq!(body["tested"], rev2::tested_json(tested), "{query}");
        check_items(&body["items"], &rows, "priority", &stats, &query);
    };
    // Berlin is active and has no volume: together, exposure is days.
    check(None, "days", &cover);
    check(k, "volume", &cover);
    check(c, "volume", &cover);
    check(b, "days", &cover);
    // Once Berlin is covered too, every site is.
    let berlin: Vec<_> = (1..=6).map(|n| (d(n), b, 500)).collect();
    set(&app, &mut cover, &berlin);
    check(None, "volume", &cover);
    check(b, "volume", &cover);
    check(k, "volume", &cover);
}

#[test]
fn grouped_items_use_the_exposure_of_the_sites_their_group_counts() {
    let app = spawn_sites();
    let t = today(&app);
    let d = |n: i64| t - Duration::days(n);
    let (c, k, b) = (Some("chicago-hub"), Some("tokyo"), Some("berlin"));
    let mut ticks = Vec::new();
    for n in 1..=3 {
        ticks.push(T::new("late-delivery", 5, k, d(n)));
        ticks.push(T::new("damaged", 2, c, d(n)).complaint());
        ticks.push(T::new("lost-package", 1, b, d(n)));
    }
    for n in 4..=6 {
        ticks.push(T::new("late-delivery", 1, k, d(n)).complaint());
        ticks.push(T::new("damaged", 3, c, d(n)));
        ticks.push(T::new("lost-package", 2, b, d(n)).complaint());
    }
    post_ticks(&app, &ticks);
    let mut cover = Cover::new();
    let mut list = Vec::new();
    for n in 1..=6 {
        list.push((d(n), k, if n <= 3 { 1000 } else { 3000 }));
        list.push((d(n), c, 2000));
    }
    set(&app, &mut cover, &list);
    let (from, to) = (d(3), d(1));
    let (pfrom, pto) = previous(from, to);
    let check = |group: &str, cover: &Cover, want: &[(Option<&str>, &str)]| {
        let query = format!("from={from}&to={to}&group={group}");
        let body = app.ranking(&query);
        let groups = body["groups"].as_array().unwrap();
        let mut family = Vec::new();
        for &(value, exposure) in want {
            let g = groups
                .iter()
                .find(|g| g["value"].as_str() == value)
                .unwrap_or_else(|| panic!("{query}: no group {value:?}"));
            let what = format!("{query} group {value:?}");
            let sites: Vec<Option<&str>> = if group == "site" {
                vec![value]
            } else {
                vec![c, k, b]
            };
            let keep = |t: &T| {
                if group == "site" {
                    t.site == value
                } else {
                    t.complaint == (value == Some("complaint"))
                }
            };
            let whole = wholly_covered(cover, from, to, &sites)
                && wholly_covered(cover, pfrom, pto, &sites);
            assert_eq!(
                whole,
                exposure == "volume",
                "{what}: the test's own premise"
            );
            assert_eq!(g["exposure"], exposure, "{what}");
            let now = select(&ticks, from, to, &keep);
            let prev = select(&ticks, pfrom, pto, &keep);
            let rows = rows(&now, &prev, "priority");
            // A site's group: that site's first day and clock; a source: the whole
            // organization's.
            let in_scope = |t: &T| group != "site" || t.site == value;
            let zone = if group == "site" { value } else { None };
            let tested = rev2::tested(from, to, rev2::last_complete(app.now(), &zones(zone)));
            assert_eq!(g["tested"], rev2::tested_json(tested), "{what}");
            let volume = whole.then_some((cover, &sites[..]));
            family.push((
                g["items"].clone(),
                stats_of(
                    &ticks,
                    &keep,
                    &in_scope,
                    volume,
                    &rows,
                    tested,
                    (pfrom, pto),
                ),
                rows,
                what,
            ));
        }
        // Benjamini–Hochberg over every group of the response together.
        assert_eq!(want.len(), groups.len(), "{query}: every group is checked");
        rev2::judge(
            &mut family
                .iter_mut()
                .flat_map(|f| f.1.iter_mut())
                .collect::<Vec<_>>(),
        );
        for (items, stats, rows, what) in &family {
            check_items(items, rows, "priority", stats, what);
        }
    };
    let sources = [(Some("internal"), "days"), (Some("complaint"), "days")];
    check("site", &cover, &[(c, "volume"), (k, "volume"), (b, "days")]);
    check("source", &cover, &sources);
    let berlin: Vec<_> = (1..=6).map(|n| (d(n), b, 500)).collect();
    set(&app, &mut cover, &berlin);
    check(
        "site",
        &cover,
        &[(c, "volume"), (k, "volume"), (b, "volume")],
    );
    let sources = [(Some("internal"), "volume"), (Some("complaint"), "volume")];
    check("source", &cover, &sources);
}

#[test]
fn the_control_chart_uses_volume_exposure_when_covered() {
    let app = TestApp::spawn_with(&config_with_unit());
    // 2026-04-10 12:00 in Chicago: 2026-04-09 is the last complete day.
    app.clock.set("2026-04-10T17:00:00Z".parse().unwrap());
    let first = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let window = (first + Duration::days(31), first + Duration::days(39)); // 04-01..04-09
                                                                           // (day, count, units): about 2 per 1,000 shipments on 1,000 to 1,800 a day, then a
                                                                           // rise in April that ends with 15 on 1,500.
    let days: Vec<(NaiveDate, u64, u64)> = (0..40)
        .map(|i| {
            let d = first + Duration::days(i);
            let units = 1000 + 200 * (i as u64 % 5);
            let count = match i {
                39 => 15,
                34..=38 => units / 250,
                _ => [2, 1, 3, 2, 4][i as usize % 5] * units / 1000,
            };
            (d, count, units)
        })
        .collect();
    let ticks: Vec<T> = days
        .iter()
        .filter(|d| d.1 > 0)
        .map(|&(d, qty, _)| T::new("damaged", qty, None, d))
        .collect();
    post_ticks(&app, &ticks);
    let mut cover = Cover::new();
    let query = format!(
        "/api/control?from={}&to={}&horror=damaged",
        window.0, window.1
    );
    // One baseline day after the first day is not covered: days.
    let partial: Vec<_> = days
        .iter()
        .filter(|d| d.0 != first + Duration::days(9))
        .map(|&(d, _, u)| (d, None, u))
        .collect();
    set(&app, &mut cover, &partial);
    let chart = |exposure: &dyn Fn(u64) -> f64| {
        let with: Vec<(NaiveDate, u64, f64)> =
            days.iter().map(|&(d, c, u)| (d, c, exposure(u))).collect();
        let (base, points): (Vec<_>, Vec<_>) = with.into_iter().partition(|p| p.0 < window.0);
        // 31 buckets with exposure before the window, well over 20 counts: the first
        // 112 days before the window are enough.
        assert!(base.len() >= 10 && base.iter().map(|b| b.1).sum::<u64>() >= 20);
        (day_chart(&points, Some(&base), "before", true), points)
    };
    for laney in [true, false] {
        let reply = app.get(&format!("{query}&laney={laney}"), &app.viewer);
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body["exposure"], "days");
        assert_eq!(reply.body["rate_unit"], "day");
        close(&reply.body["points"][0]["exposure"], 1.0, "a day");
        if laney {
            let (want, _) = chart(&|_| 1.0);
            check_chart(&reply.body, &want, "days");
        }
    }
    // Wholly covered: each day's exposure is its units ÷ 1000, rates per 1,000 shipments.
    set(
        &app,
        &mut cover,
        &[(first + Duration::days(9), None, 1000 + 200 * 4)],
    );
    let reply = app.get(&query, &app.viewer);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["exposure"], "volume");
    assert_eq!(reply.body["rate_unit"], "shipments");
    let (want, points) = chart(&|u| u as f64 / 1000.0);
    check_chart(&reply.body, &want, "volume");
    let got = reply.body["points"].as_array().unwrap();
    assert_eq!(got.len(), 9);
    for (p, &(d, qty, e)) in got.iter().zip(&points) {
        let what = d.to_string();
        assert_eq!(p["start"], what);
        assert_eq!(p["count"], qty, "{what}");
        close(&p["exposure"], e, &format!("{what} exposure"));
        close(&p["rate"], qty as f64 / e, &format!("{what} rate"));
    }
    // Not vacuous: the rise sets off the CUSUM and 15 on 1.5 is above.
    let kinds: Vec<&str> = want.points.iter().flat_map(|p| p.signals.clone()).collect();
    assert!(
        kinds.contains(&"above") && kinds.contains(&"cusum"),
        "{kinds:?}"
    );
}
