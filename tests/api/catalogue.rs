//! The catalogue (SPEC §2, §5): shape, `today`, validation of PUT, retirement and history,
//! and names in any script.

use chrono::{Duration, SecondsFormat};
use serde_json::{json, Value};

use crate::auth::config_catalogue;
use crate::helpers::TestApp;

fn horror(key: &str) -> Value {
    json!({"key": key, "name": format!("Horror {key}"), "pain": 5, "unit_cost": "1.00"})
}

fn snapshot(app: &TestApp) -> (Value, Value) {
    let catalogue = app.get("/api/horrors?include_retired=true", &app.admin);
    assert_eq!(catalogue.status, 200, "{}", catalogue.text);
    let history = app.get("/api/horrors/history", &app.admin);
    assert_eq!(history.status, 200, "{}", history.text);
    (catalogue.body, history.body)
}

fn keys(catalogue: &Value) -> Vec<(String, bool)> {
    catalogue["horrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["key"].as_str().unwrap().to_string(),
                h["retired"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

#[test]
fn the_catalogue_has_the_spec_shape() {
    let app = TestApp::spawn();
    let reply = app.get("/api/horrors", &app.staff);
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = &reply.body;
    assert_eq!(
        body["organization"],
        json!({"name": "Example Freight", "timezone": "America/Chicago", "currency": "USD"})
    );
    assert_eq!(body["window_days"], 30);
    assert_eq!(
        body["departments"],
        json!(["Dispatch", "Warehouse", "Drivers"])
    );
    let mut top: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    top.sort_unstable();
    assert_eq!(
        top,
        ["departments", "horrors", "organization", "window_days"]
    );
    let expected = [
        (
            "late-delivery",
            "Late delivery",
            json!("Package delivered after the promised time"),
            9,
            "35.00",
            3500,
            true,
        ),
        (
            "lost-package",
            "Lost package",
            Value::Null,
            10,
            "120.00",
            12000,
            false,
        ),
        (
            "damaged",
            "Damaged package 📦",
            Value::Null,
            8,
            "60.00",
            6000,
            false,
        ),
        (
            "wrong-address",
            "配送先の誤り",
            Value::Null,
            7,
            "25.50",
            2550,
            false,
        ),
        (
            "missed-pickup",
            "Missed pickup",
            Value::Null,
            6,
            "0.99",
            99,
            false,
        ),
    ];
    let horrors = body["horrors"].as_array().unwrap();
    assert_eq!(horrors.len(), 5);
    for (position, (h, e)) in horrors.iter().zip(expected).enumerate() {
        let (key, name, description, pain, unit_cost, minor, operational) = e;
        let mut fields: Vec<&str> = h.as_object().unwrap().keys().map(String::as_str).collect();
        fields.retain(|f| *f != "retired");
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "description",
                "key",
                "name",
                "operational",
                "pain",
                "playbook",
                "position",
                "today",
                "unit_cost",
                "unit_cost_minor"
            ]
        );
        assert_eq!(h["key"], key);
        assert_eq!(h["name"], name);
        assert_eq!(h["description"], description, "{key}");
        assert_eq!(h["pain"], pain, "{key}");
        assert_eq!(h["unit_cost"], unit_cost, "{key}");
        assert_eq!(h["unit_cost_minor"], minor, "{key}");
        assert_eq!(h["operational"], operational, "{key}");
        assert_eq!(h["position"], position, "{key}");
        assert_eq!(h["today"], 0, "{key}");
        assert_ne!(h["retired"], true);
    }
    // Viewer and admin read the same.
    assert_eq!(app.get("/api/horrors", &app.viewer).body, reply.body);
    assert_eq!(app.get("/api/horrors", &app.admin).body, reply.body);
}

#[test]
fn today_counts_only_todays_live_ticks_from_every_device() {
    let app = TestApp::spawn();
    let post = |token: &str, body: Value| {
        let reply = app.post("/api/ticks", token, &body);
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.body["id"].as_i64().unwrap()
    };
    post(&app.staff, json!({"horror": "damaged", "qty": 2}));
    post(&app.staff2, json!({"horror": "damaged", "qty": 3}));
    post(&app.staff2, json!({"horror": "lost-package"}));
    let voided = post(&app.staff, json!({"horror": "lost-package", "qty": 50}));
    let yesterday = (app.now() - Duration::hours(25)).to_rfc3339_opts(SecondsFormat::Secs, true);
    post(
        &app.staff,
        json!({"horror": "wrong-address", "qty": 9, "occurred_at": yesterday}),
    );
    let reply = app.call(
        "POST",
        &format!("/api/ticks/{voided}/void"),
        Some(&app.staff),
        None,
        None,
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let catalogue = app.get("/api/horrors", &app.staff);
    let today: Vec<(&str, u64)> = catalogue.body["horrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["key"].as_str().unwrap(), h["today"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        today,
        [
            ("late-delivery", 0),
            ("lost-package", 1),
            ("damaged", 5),
            ("wrong-address", 0),
            ("missed-pickup", 0)
        ]
    );
}

#[test]
fn an_invalid_catalogue_is_refused_with_details_and_changes_nothing() {
    let app = TestApp::spawn();
    let (catalogue_before, history_before) = snapshot(&app);
    let base = || config_catalogue()["horrors"].as_array().unwrap().clone();
    let with = |index: usize, field: &str, value: Value| {
        let mut horrors = base();
        horrors[index][field] = value;
        json!({ "horrors": horrors })
    };
    let four = json!({"horrors": base()[..4].to_vec()});
    let nine = {
        let mut horrors = base();
        for i in 0..4 {
            horrors.push(horror(&format!("extra-{i}")));
        }
        json!({ "horrors": horrors })
    };
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        ("four horrors", four, "horrors", "wrong_horror_count"),
        ("nine horrors", nine, "horrors", "wrong_horror_count"),
        (
            "none",
            json!({"horrors": []}),
            "horrors",
            "wrong_horror_count",
        ),
        (
            "duplicate key",
            with(3, "key", json!("damaged")),
            "horrors[3].key",
            "duplicate_key",
        ),
        (
            "upper-case key",
            with(0, "key", json!("Late-Delivery")),
            "horrors[0].key",
            "invalid_key",
        ),
        (
            "key with a space",
            with(1, "key", json!("lost package")),
            "horrors[1].key",
            "invalid_key",
        ),
        (
            "empty key",
            with(1, "key", json!("")),
            "horrors[1].key",
            "invalid_key",
        ),
        (
            "41-char key",
            with(1, "key", json!("k".repeat(41))),
            "horrors[1].key",
            "invalid_key",
        ),
        (
            "pain 11",
            with(2, "pain", json!(11)),
            "horrors[2].pain",
            "invalid_pain",
        ),
        (
            "pain 0",
            with(2, "pain", json!(0)),
            "horrors[2].pain",
            "invalid_pain",
        ),
        (
            "unit cost 1.234",
            with(4, "unit_cost", json!("1.234")),
            "horrors[4].unit_cost",
            "invalid_amount",
        ),
        (
            "negative unit cost",
            with(4, "unit_cost", json!("-1.00")),
            "horrors[4].unit_cost",
            "invalid_amount",
        ),
        (
            "empty name",
            with(0, "name", json!("")),
            "horrors[0].name",
            "invalid_name",
        ),
        (
            "blank name",
            with(0, "name", json!("   ")),
            "horrors[0].name",
            "invalid_name",
        ),
        (
            "61-char name",
            with(0, "name", json!("配".repeat(61))),
            "horrors[0].name",
            "invalid_name",
        ),
        (
            "501-char description",
            with(0, "description", json!("d".repeat(501))),
            "horrors[0].description",
            "invalid_description",
        ),
    ];
    for (what, body, field, code) in cases {
        let reply = app.put("/api/horrors", &app.admin, &body);
        reply.assert_error(422, "invalid_catalogue");
        let details = reply.body["error"]["details"]
            .as_array()
            .unwrap_or_else(|| panic!("{what}: no details in {}", reply.text));
        assert!(
            details.iter().any(|d| d["field"] == field
                && d["code"] == code
                && d["message"].as_str().is_some_and(|m| !m.is_empty())),
            "{what}: expected {field} {code} in {}",
            reply.text
        );
        assert_eq!(
            snapshot(&app),
            (catalogue_before.clone(), history_before.clone()),
            "{what} changed something"
        );
    }
    // Several problems at once are all reported.
    let mut horrors = base();
    horrors[0]["pain"] = json!(11);
    horrors[2]["unit_cost"] = json!("abc");
    let reply = app.put("/api/horrors", &app.admin, &json!({ "horrors": horrors }));
    reply.assert_error(422, "invalid_catalogue");
    let fields: Vec<&str> = reply.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["horrors[0].pain", "horrors[2].unit_cost"]);
    // Malformed shapes are 422 (well-formed JSON, wrong content) and change nothing either.
    for body in [
        json!({}),
        json!({"horrors": base(), "extra": 1}),
        json!({"horrors": "all"}),
        with(0, "price", json!("1.00")),
        with(0, "pain", json!("9")),
        with(0, "unit_cost", json!(35.0)),
    ] {
        let reply = app.put("/api/horrors", &app.admin, &body);
        reply.assert_error(422, "invalid_body");
    }
    assert_eq!(snapshot(&app), (catalogue_before, history_before));
}

#[test]
fn removing_a_key_retires_it_and_readding_restores_it() {
    let app = TestApp::spawn();
    let history_start = app.get("/api/horrors/history", &app.admin).body["changes"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(history_start, 5, "the file added five horrors");
    let reply = app.tick(json!({"horror": "missed-pickup", "occurred_at": "2026-02-02T18:00:00Z"}));
    assert_eq!(reply.status, 201);

    // Retire missed-pickup and add rude-driver.
    let mut horrors = config_catalogue()["horrors"].as_array().unwrap().clone();
    horrors.pop();
    horrors.push(json!({"key": "rude-driver", "name": "Rude driver", "description": "Staff were rude", "pain": 4, "unit_cost": "5", "operational": true}));
    let put = app.put("/api/horrors", &app.admin, &json!({ "horrors": horrors }));
    assert_eq!(put.status, 200, "{}", put.text);
    let active: Vec<&str> = put.body["horrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        active,
        [
            "late-delivery",
            "lost-package",
            "damaged",
            "wrong-address",
            "rude-driver"
        ]
    );
    let rude = &put.body["horrors"][4];
    assert_eq!(rude["unit_cost"], "5.00");
    assert_eq!(rude["unit_cost_minor"], 500);
    assert_eq!(rude["position"], 4);
    assert_eq!(app.get("/api/horrors", &app.staff).body, put.body);

    let all = app.get("/api/horrors?include_retired=true", &app.staff);
    assert_eq!(
        keys(&all.body),
        [
            ("late-delivery".to_string(), false),
            ("lost-package".to_string(), false),
            ("damaged".to_string(), false),
            ("wrong-address".to_string(), false),
            ("rude-driver".to_string(), false),
            ("missed-pickup".to_string(), true),
        ]
    );
    let history = app.get("/api/horrors/history", &app.admin).body;
    let changes = history["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 7);
    let recent: Vec<(&str, &str, &str, &str)> = changes[..2]
        .iter()
        .map(|c| {
            (
                c["horror"].as_str().unwrap(),
                c["action"].as_str().unwrap(),
                c["source"].as_str().unwrap(),
                c["actor"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    let mut recent_sorted = recent.clone();
    recent_sorted.sort_unstable();
    assert_eq!(
        recent_sorted,
        [
            ("missed-pickup", "retired", "api", "boss"),
            ("rude-driver", "added", "api", "boss")
        ]
    );
    let retired = changes[..2]
        .iter()
        .find(|c| c["action"] == "retired")
        .unwrap();
    assert_eq!(retired["before"]["unit_cost_minor"], 99);
    assert_eq!(retired["after"], Value::Null);
    // The first changes came from the file.
    assert!(changes[2..]
        .iter()
        .all(|c| c["source"] == "file" && c["action"] == "added" && c["actor"].is_null()));

    // Re-adding the key restores it, with a changed price, at its new position.
    let mut horrors = config_catalogue()["horrors"].as_array().unwrap().clone();
    horrors[4]["unit_cost"] = json!("1.50");
    horrors.swap(0, 4);
    let put = app.put("/api/horrors", &app.admin, &json!({ "horrors": horrors }));
    assert_eq!(put.status, 200, "{}", put.text);
    let all = app.get("/api/horrors?include_retired=true", &app.staff);
    assert_eq!(
        keys(&all.body),
        [
            ("missed-pickup".to_string(), false),
            ("lost-package".to_string(), false),
            ("damaged".to_string(), false),
            ("wrong-address".to_string(), false),
            ("late-delivery".to_string(), false),
            ("rude-driver".to_string(), true),
        ]
    );
    assert_eq!(all.body["horrors"][0]["unit_cost"], "1.50");
    assert_eq!(all.body["horrors"][0]["position"], 0);
    assert_eq!(app.tick(json!({"horror": "missed-pickup"})).status, 201);
    app.tick(json!({"horror": "rude-driver"}))
        .assert_error(422, "retired_horror");
    let history = app.get("/api/horrors/history", &app.admin).body;
    let changes = history["changes"].as_array().unwrap();
    let mut latest: Vec<(&str, &str)> = changes
        .iter()
        .take_while(|c| c["id"].as_i64().unwrap() > changes[0]["id"].as_i64().unwrap() - 3)
        .map(|c| (c["horror"].as_str().unwrap(), c["action"].as_str().unwrap()))
        .collect();
    latest.sort_unstable();
    assert_eq!(
        latest,
        [
            ("late-delivery", "changed"),
            ("missed-pickup", "restored"),
            ("rude-driver", "retired")
        ]
    );
    let restored = changes.iter().find(|c| c["action"] == "restored").unwrap();
    assert_eq!(restored["before"]["retired"], true);
    assert_eq!(restored["after"]["unit_cost_minor"], 150);
    // The old tick kept its price.
    let ticks = app.get("/api/ticks?from=2026-02-02&to=2026-02-02", &app.viewer);
    assert_eq!(ticks.body["ticks"][0]["cost"], "0.99");
    // Putting the same catalogue again changes nothing.
    let count = changes.len();
    let again = app.put("/api/horrors", &app.admin, &json!({ "horrors": horrors }));
    assert_eq!(again.status, 200);
    assert_eq!(
        app.get("/api/horrors/history", &app.admin).body["changes"]
            .as_array()
            .unwrap()
            .len(),
        count
    );
}

#[test]
fn names_in_any_script_round_trip() {
    let app = TestApp::spawn();
    let names = [
        (
            "kanji",
            "配送先の誤り・遅延",
            Some("住所ラベルが読めない 🏷️"),
        ),
        ("emoji", "Damaged 📦🔥💥", None),
        (
            "family",
            "👩‍👩‍👧 family waited",
            Some("ZWJ sequences count as several chars"),
        ),
        ("accents", "Ünïcödé àçcéñts — “quotes”", None),
        ("rtl", "تأخير التسليم", Some("עברית")),
        ("long-cjk", "漢", None),
    ];
    let long_name = "漢".repeat(60);
    let horrors: Vec<Value> = names
        .iter()
        .map(|(key, name, description)| {
            let name = if *key == "long-cjk" { long_name.as_str() } else { name };
            json!({"key": key, "name": name, "description": description, "pain": 5, "unit_cost": "2.00"})
        })
        .collect();
    let put = app.put("/api/horrors", &app.admin, &json!({ "horrors": horrors }));
    assert_eq!(put.status, 200, "{}", put.text);
    let catalogue = app.get("/api/horrors", &app.staff);
    for (h, (key, name, description)) in catalogue.body["horrors"]
        .as_array()
        .unwrap()
        .iter()
        .zip(names)
    {
        let name = if key == "long-cjk" {
            long_name.as_str()
        } else {
            name
        };
        assert_eq!(h["key"], key);
        assert_eq!(h["name"], name);
        assert_eq!(h["description"], json!(description));
    }
    let reply = app.tick(
        json!({"horror": "emoji", "note": "箱が潰れた 📦", "occurred_at": "2026-02-03T18:00:00Z"}),
    );
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body["note"], "箱が潰れた 📦");
    let ranking = app.ranking("from=2026-02-03&to=2026-02-03");
    assert_eq!(ranking["items"][0]["name"], "Damaged 📦🔥💥");
    let trend = app.get("/api/trend?from=2026-02-03&to=2026-02-03", &app.viewer);
    let names_in_trend: Vec<&str> = trend.body["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names_in_trend.contains(&"تأخير التسليم"));
    assert!(names_in_trend.contains(&long_name.as_str()));
}

#[test]
fn catalogue_query_options_are_strict() {
    let app = TestApp::spawn();
    app.get("/api/horrors?include_retired=maybe", &app.staff)
        .assert_error(422, "invalid_parameter");
    app.get("/api/horrors?retired=true", &app.staff)
        .assert_error(422, "unknown_parameter");
    app.get("/api/horrors/history?limit=5", &app.admin)
        .assert_error(422, "unknown_parameter");
    let plain = app.get("/api/horrors", &app.staff);
    let explicit = app.get("/api/horrors?include_retired=false", &app.staff);
    assert_eq!(plain.body, explicit.body);
}
