//! Improvement cycles: create, list, detail with before/during, update, focus in rankings.

use serde_json::json;

use crate::helpers::TestApp;

fn tick_on(app: &TestApp, horror: &str, at: &str, qty: i64) {
    let reply = app.tick(json!({"horror": horror, "occurred_at": at, "qty": qty}));
    assert_eq!(reply.status, 201, "{}", reply.text);
}

#[test]
fn a_cycle_reports_before_and_during_for_its_focus() {
    let app = TestApp::spawn();
    // Cycle 2026-03-01..2026-03-10 (10 days); before = 2026-02-19..2026-02-28.
    tick_on(&app, "late-delivery", "2026-02-20T18:00:00Z", 10);
    tick_on(&app, "late-delivery", "2026-03-05T18:00:00Z", 4);
    tick_on(&app, "lost-package", "2026-03-05T18:00:00Z", 2);
    let created = app.post(
        "/api/cycles",
        &app.admin,
        &json!({"name": "March: late deliveries", "start": "2026-03-01", "days": 10, "focus": ["late-delivery", "lost-package"], "note": "route planning"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.body["end"], "2026-03-10");
    assert_eq!(created.body["status"], "finished");
    let late = &created.body["results"][0];
    assert_eq!(late["key"], "late-delivery");
    assert_eq!(late["before"]["count"], 10);
    assert_eq!(late["before"]["window"]["from"], "2026-02-19");
    assert_eq!(late["during"]["count"], 4);
    assert_eq!(late["during"]["cost"], "140.00");
    assert_eq!(late["change_pct"], -60.0);
    // SPEC §18 by hand: 4 during (10 days over) against 10 before (10 days), π0 = ½,
    // p = 2 · P(X ≤ 4 | n = 14) = 2 · (1 + 14 + 91 + 364 + 1001) / 2¹⁴ — too few to tell.
    assert_eq!(late["exposure"], "days");
    assert_eq!(
        (late["days_over"].as_i64(), late["count_over"].as_i64()),
        (Some(10), Some(4))
    );
    assert!(
        (late["p_value"].as_f64().unwrap() - 2942.0 / 16384.0).abs() < 1e-12,
        "{late}"
    );
    assert_eq!(late["rate_ratio"], 0.4);
    assert_eq!(late["verdict"], "no_clear_change");
    let lost = &created.body["results"][1];
    // 2 during against 0 before: p = 2 · P(X ≥ 2 | n = 2) = 0.5; no ratio, no upper bound.
    assert_eq!(
        (lost["before"]["count"].as_i64(), lost["verdict"].as_str()),
        (Some(0), Some("no_clear_change"))
    );
    assert_eq!(lost["p_value"], 0.5);
    assert_eq!(lost["rate_ratio"], serde_json::Value::Null);
    assert_eq!(lost["ci95"][1], serde_json::Value::Null);
    assert_eq!(created.body["ranking"]["window"]["from"], "2026-03-01");

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
    assert_eq!(list.body["cycles"].as_array().unwrap().len(), 1);
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
