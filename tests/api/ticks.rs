//! Ticks (SPEC §6, §7): the 201 body, cost, local days around DST, the future limit,
//! idempotency, batches, voiding and listing.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::helpers::{Reply, TestApp};

fn id(reply: &Reply) -> i64 {
    assert!(reply.status == 201 || reply.status == 200, "{}", reply.text);
    reply.body["id"].as_i64().unwrap()
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"))
        .with_timezone(&Utc)
}

fn ids(reply: &Reply) -> Vec<i64> {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["ticks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

fn void(app: &TestApp, id: i64, token: &str, body: Option<Value>) -> Reply {
    let bytes = body.map(|b| serde_json::to_vec(&b).unwrap());
    app.call(
        "POST",
        &format!("/api/ticks/{id}/void"),
        Some(token),
        bytes.as_ref().map(|_| "application/json"),
        bytes.as_deref(),
        &[],
    )
}

fn with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> Reply {
    app.call(
        "POST",
        "/api/ticks",
        Some(token),
        Some("application/json"),
        Some(&serde_json::to_vec(body).unwrap()),
        &[("Idempotency-Key", key)],
    )
}

fn item<'a>(ranking: &'a Value, key: &str) -> &'a Value {
    ranking["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("{key} not in {ranking}"))
}

const SPEC_FIELDS: [&str; 14] = [
    "id",
    "site",
    "horror",
    "qty",
    "occurred_at",
    "day",
    "source",
    "department",
    "note",
    "cost",
    "cost_minor",
    "recorded_at",
    "recorded_by",
    "voided",
];

#[test]
fn a_tick_answers_201_with_every_spec_field() {
    let app = TestApp::spawn();
    let before = app.now() - Duration::seconds(1);
    let reply = app.tick(json!({
        "horror": "missed-pickup", "qty": 3, "occurred_at": "2026-03-10T10:00:00-05:00",
        "source": "complaint", "department": "Dispatch", "note": "gate 4 — 配送"
    }));
    let after = app.now() + Duration::seconds(1);
    assert_eq!(reply.status, 201, "{}", reply.text);
    let body = reply.body.as_object().unwrap();
    for field in SPEC_FIELDS {
        assert!(body.contains_key(field), "{field} missing: {}", reply.text);
    }
    // Nothing beyond the SPEC's fields but the (null) void_reason.
    let extra: Vec<&String> = body
        .keys()
        .filter(|k| !SPEC_FIELDS.contains(&k.as_str()))
        .collect();
    assert!(
        extra.iter().all(|k| *k == "void_reason"),
        "unexpected fields {extra:?}"
    );
    let id = body["id"].as_i64().unwrap();
    assert!(id > 0);
    assert_eq!(body["horror"], "missed-pickup");
    assert_eq!(body["qty"], 3);
    assert_eq!(body["occurred_at"], "2026-03-10T15:00:00Z");
    assert_eq!(body["day"], "2026-03-10");
    assert_eq!(body["source"], "complaint");
    assert_eq!(body["department"], "Dispatch");
    assert_eq!(body["note"], "gate 4 — 配送");
    assert_eq!(body["cost"], "2.97");
    assert_eq!(body["cost_minor"], 297);
    assert_eq!(body["recorded_by"], "ana");
    assert_eq!(body["voided"], false);
    let recorded = instant(body["recorded_at"].as_str().unwrap());
    assert!(before <= recorded && recorded <= after, "{recorded}");
    // No Location: there is no route for one tick to point at.
    assert_eq!(reply.header("location"), None, "{id}");
    // The list returns the same tick.
    let list = app.get("/api/ticks?from=2026-03-10&to=2026-03-10", &app.viewer);
    assert_eq!(list.body["ticks"][0], reply.body);
    assert_eq!(app.tick_count(), 1);
}

#[test]
fn defaults_fill_in_qty_source_time_and_cost() {
    let app = TestApp::spawn();
    let before = app.now() - Duration::seconds(1);
    let reply = app.tick(json!({"horror": "late-delivery"}));
    let after = app.now() + Duration::seconds(1);
    assert_eq!(reply.status, 201, "{}", reply.text);
    let b = &reply.body;
    assert_eq!(
        (
            b["qty"].as_i64(),
            b["source"].as_str(),
            b["cost"].as_str(),
            b["cost_minor"].as_i64()
        ),
        (Some(1), Some("internal"), Some("35.00"), Some(3500))
    );
    assert_eq!(b["department"], Value::Null);
    assert_eq!(b["note"], Value::Null);
    let occurred = instant(b["occurred_at"].as_str().unwrap());
    assert!(before <= occurred && occurred <= after);
    let today = horrors::calendar::local_day(occurred, chrono_tz::America::Chicago);
    assert_eq!(b["day"], today.to_string());
    // The tally page's `today` sees it.
    let catalogue = app.get("/api/horrors", &app.staff);
    let late = &catalogue.body["horrors"][0];
    assert_eq!(
        (late["key"].as_str(), late["today"].as_u64()),
        (Some("late-delivery"), Some(1))
    );
}

#[test]
fn cost_is_qty_times_unit_cost_unless_overridden() {
    let app = TestApp::spawn();
    let cases = [
        (json!({"horror": "missed-pickup", "qty": 3}), "2.97", 297),
        (
            json!({"horror": "wrong-address", "qty": 7}),
            "178.50",
            17850,
        ),
        (
            json!({"horror": "lost-package", "qty": 1000}),
            "120000.00",
            12_000_000,
        ),
        (
            json!({"horror": "lost-package", "qty": 2, "cost": "5"}),
            "5.00",
            500,
        ),
        (
            json!({"horror": "lost-package", "cost": "12.5"}),
            "12.50",
            1250,
        ),
        (json!({"horror": "lost-package", "cost": "0"}), "0.00", 0),
        (
            json!({"horror": "damaged", "qty": 4, "cost": "0.01"}),
            "0.01",
            1,
        ),
    ];
    for (body, cost, minor) in cases {
        let reply = app.tick(body.clone());
        assert_eq!(reply.status, 201, "{body}: {}", reply.text);
        assert_eq!(reply.body["cost"], cost, "{body}");
        assert_eq!(reply.body["cost_minor"], minor, "{body}");
    }
    let count = app.tick_count();
    for cost in ["1.234", "-1", "abc", "", "1.", ".5", "1e3", " 1"] {
        let reply = app.tick(json!({"horror": "lost-package", "cost": cost}));
        reply.assert_error(422, "invalid_amount");
    }
    assert_eq!(app.tick_count(), count);
}

#[test]
fn a_later_price_change_does_not_rewrite_old_ticks() {
    let app = TestApp::spawn();
    let old = id(&app
        .tick(json!({"horror": "late-delivery", "qty": 2, "occurred_at": "2026-04-01T15:00:00Z"})));
    let mut catalogue = crate::auth::config_catalogue();
    catalogue["horrors"][0]["unit_cost"] = json!("40.00");
    catalogue["horrors"][0]["pain"] = json!(3);
    let put = app.put("/api/horrors", &app.admin, &catalogue);
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.body["horrors"][0]["unit_cost"], "40.00");
    let new = app.tick(json!({"horror": "late-delivery", "occurred_at": "2026-04-02T15:00:00Z"}));
    assert_eq!(new.body["cost"], "40.00");

    let list = app.get("/api/ticks?from=2026-04-01&to=2026-04-02", &app.viewer);
    let old_tick = list.body["ticks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == old)
        .unwrap();
    assert_eq!(old_tick["cost"], "70.00");
    assert_eq!(old_tick["cost_minor"], 7000);
    let ranking = app.ranking("from=2026-04-01&to=2026-04-02");
    let late = item(&ranking, "late-delivery");
    assert_eq!(late["count"], 3);
    assert_eq!(late["cost_minor"], 11000);
    assert_eq!(late["cost"], "110.00");
    assert_eq!(late["unit_cost"], "40.00");
    // pain_points use the current pain.
    assert_eq!(late["pain_points"], 9);
}

/// (instant, expected local day, qty): qty are powers of two so any wrong inclusion shows.
const DST_TICKS: [(&str, &str, i64); 12] = [
    // Spring forward, 2026-03-08: CST (−6) until 08:00Z, then CDT (−5); a 23-hour day.
    ("2026-03-08T05:59:59Z", "2026-03-07", 1),
    ("2026-03-08T06:00:00Z", "2026-03-08", 2),
    ("2026-03-08T07:59:59Z", "2026-03-08", 4),
    ("2026-03-08T08:00:00Z", "2026-03-08", 8),
    ("2026-03-09T04:59:59Z", "2026-03-08", 16),
    ("2026-03-09T05:00:00Z", "2026-03-09", 32),
    // Fall back, 2026-11-01: CDT (−5) until 07:00Z, then CST (−6); a 25-hour day.
    ("2026-11-01T04:59:59Z", "2026-10-31", 1),
    ("2026-11-01T05:00:00Z", "2026-11-01", 2),
    ("2026-11-01T01:30:00-05:00", "2026-11-01", 4),
    ("2026-11-01T01:30:00-06:00", "2026-11-01", 8),
    ("2026-11-02T05:59:59Z", "2026-11-01", 16),
    ("2026-11-02T06:00:00Z", "2026-11-02", 32),
];

#[test]
fn local_days_follow_chicago_across_both_dst_changes() {
    let app = TestApp::spawn();
    let mut by_day: std::collections::BTreeMap<&str, (i64, BTreeSet<i64>)> = Default::default();
    for (at, day, qty) in DST_TICKS {
        let reply = app.tick(json!({"horror": "damaged", "occurred_at": at, "qty": qty}));
        assert_eq!(reply.status, 201, "{at}: {}", reply.text);
        assert_eq!(reply.body["day"], day, "{at}");
        assert_eq!(
            instant(reply.body["occurred_at"].as_str().unwrap()),
            instant(at),
            "{at}"
        );
        let entry = by_day.entry(day).or_default();
        entry.0 += qty;
        entry.1.insert(reply.body["id"].as_i64().unwrap());
    }
    // The two 01:30 ticks of the repeated hour are an hour apart.
    assert_eq!(by_day["2026-11-01"].0, 2 + 4 + 8 + 16);
    assert_eq!(by_day["2026-03-08"].0, 2 + 4 + 8 + 16);
    for (day, (count, ids_of_day)) in &by_day {
        let ranking = app.ranking(&format!("from={day}&to={day}"));
        assert_eq!(ranking["window"]["days"], 1);
        assert_eq!(ranking["totals"]["count"], *count, "ranking of {day}");
        assert_eq!(item(&ranking, "damaged")["count"], *count, "{day}");
        assert_eq!(
            ranking["totals"]["cost_minor"],
            *count * 6000,
            "cost of {day}"
        );
        let listed: BTreeSet<i64> =
            ids(&app.get(&format!("/api/ticks?from={day}&to={day}"), &app.viewer))
                .into_iter()
                .collect();
        assert_eq!(&listed, ids_of_day, "ticks listed on {day}");
        let trend = app.get(&format!("/api/trend?from={day}&to={day}"), &app.viewer);
        assert_eq!(trend.body["totals"][0]["count"], *count, "trend of {day}");
    }
    // Two-day windows add up exactly.
    let spring = app.ranking("from=2026-03-07&to=2026-03-09");
    assert_eq!(spring["totals"]["count"], 63);
    let fall = app.ranking("from=2026-10-31&to=2026-11-02");
    assert_eq!(fall["totals"]["count"], 63);
}

#[test]
fn occurred_at_may_be_at_most_five_minutes_ahead() {
    let app = TestApp::spawn();
    let now = app.now();
    let at = |d: Duration| (now + d).to_rfc3339_opts(SecondsFormat::Millis, true);
    let ok = app.tick(json!({"horror": "damaged", "occurred_at": at(Duration::minutes(5))}));
    assert_eq!(ok.status, 201, "{}", ok.text);
    let count = app.tick_count();
    let late = app.tick(json!({"horror": "damaged", "occurred_at": at(Duration::seconds(301))}));
    late.assert_error(422, "occurred_in_future");
    let far = app.tick(json!({"horror": "damaged", "occurred_at": at(Duration::days(1))}));
    far.assert_error(422, "occurred_in_future");
    assert_eq!(app.tick_count(), count);
    // Backfilling years back is fine.
    let old = app.tick(json!({"horror": "damaged", "occurred_at": "2019-06-01T12:00:00Z"}));
    assert_eq!(old.status, 201);
    assert_eq!(old.body["day"], "2019-06-01");
}

#[test]
fn an_idempotency_key_replays_the_original_tick() {
    let app = TestApp::spawn();
    let body = json!({"horror": "damaged", "qty": 2, "note": "dock"});
    let first = with_key(&app, &app.staff, "tap-0001", &body);
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.header("idempotent-replayed"), None);
    let count = app.tick_count();
    for _ in 0..3 {
        let again = with_key(&app, &app.staff, "tap-0001", &body);
        assert_eq!(again.status, 200, "{}", again.text);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.body, first.body);
        assert_eq!(app.tick_count(), count);
    }
    // Same key, different body: 409 and nothing written.
    let other = with_key(
        &app,
        &app.staff,
        "tap-0001",
        &json!({"horror": "damaged", "qty": 3}),
    );
    other.assert_error(409, "idempotency_conflict");
    assert_eq!(app.tick_count(), count);
    // Same key from another token is another device's tap.
    let ben = with_key(&app, &app.staff2, "tap-0001", &body);
    assert_eq!(ben.status, 201, "{}", ben.text);
    assert_ne!(ben.body["id"], first.body["id"]);
    assert_eq!(ben.body["recorded_by"], "ben");
    assert_eq!(app.tick_count(), count + 1);
    // ...and ana's key still replays hers.
    let again = with_key(&app, &app.staff, "tap-0001", &body);
    assert_eq!((again.status, &again.body["id"]), (200, &first.body["id"]));
    // The ranking counts the tap once per device.
    let ranking = app.ranking("days=1");
    assert_eq!(item(&ranking, "damaged")["count"], 4);
    // A different key with the same body is a new tick.
    let new = with_key(&app, &app.staff, "tap-0002", &body);
    assert_eq!(new.status, 201);
    assert_eq!(app.tick_count(), count + 2);
}

#[test]
fn a_batch_records_every_tick_or_none() {
    let app = TestApp::spawn();
    let items: Vec<Value> = (0..10)
        .map(|i| {
            let horror = ["damaged", "late-delivery"][i % 2];
            json!({"horror": horror, "qty": i + 1,
                   "occurred_at": format!("2026-05-{:02}T15:00:00Z", i + 1),
                   "department": "Warehouse"})
        })
        .collect();
    let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": items}));
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["replayed"], 0);
    let mut keys: Vec<&str> = reply
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["replayed", "ticks"]);
    let ticks = reply.body["ticks"].as_array().unwrap();
    assert_eq!(ticks.len(), 10);
    for (i, t) in ticks.iter().enumerate() {
        assert_eq!(t["qty"], i as i64 + 1);
        assert_eq!(t["horror"], ["damaged", "late-delivery"][i % 2]);
        assert_eq!(t["day"], format!("2026-05-{:02}", i + 1));
        assert_eq!(t["department"], "Warehouse");
        assert_eq!(t["recorded_by"], "ana");
        let unit = [6000, 3500][i % 2];
        assert_eq!(t["cost_minor"], unit * (i as i64 + 1));
    }
    assert_eq!(app.tick_count(), 10);

    // One bad item among many: 422 with its index, nothing recorded.
    let mut bad: Vec<Value> = (0..50).map(|_| json!({"horror": "damaged"})).collect();
    bad[17] = json!({"horror": "damaged", "qty": 0});
    bad[33] = json!({"horror": "damaged", "source": "complaint", "note": "x".repeat(501)});
    let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": bad}));
    reply.assert_error(422, "invalid_ticks");
    let details = reply.body["error"]["details"].as_array().unwrap();
    let found: Vec<(i64, &str)> = details
        .iter()
        .map(|d| (d["index"].as_i64().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [(17, "invalid_qty"), (33, "invalid_note")]);
    assert!(details
        .iter()
        .all(|d| d["message"].as_str().is_some_and(|m| !m.is_empty())));
    assert_eq!(app.tick_count(), 10);

    // An unknown horror (found only against the catalogue) also spoils the batch.
    let mut unknown: Vec<Value> = (0..5).map(|_| json!({"horror": "lost-package"})).collect();
    unknown[3] = json!({"horror": "no-such-horror"});
    let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": unknown}));
    reply.assert_error(422, "invalid_ticks");
    let details = reply.body["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 1);
    assert_eq!(details[0]["index"], 3);
    assert_eq!(details[0]["code"], "unknown_horror");
    assert_eq!(app.tick_count(), 10);
    // Nothing went into the rollup either.
    let ranking = app.ranking("days=1");
    assert_eq!(item(&ranking, "lost-package")["count"], 0);
}

#[test]
fn batch_client_ids_replay_instead_of_counting_twice() {
    let app = TestApp::spawn();
    let items: Vec<Value> = (0..20)
        .map(|i| json!({"horror": "wrong-address", "client_id": format!("dev-a:{i}"), "qty": 1}))
        .collect();
    let first = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": items}));
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.body["replayed"], 0);
    assert_eq!(app.tick_count(), 20);
    let again = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": items}));
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.body["replayed"], 20);
    assert_eq!(again.body["ticks"], first.body["ticks"]);
    assert_eq!(app.tick_count(), 20);

    // Half old, half new: only the new ones are recorded.
    let mixed: Vec<Value> = (10..30)
        .map(|i| json!({"horror": "wrong-address", "client_id": format!("dev-a:{i}"), "qty": 1}))
        .collect();
    let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": mixed}));
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["replayed"], 10);
    assert_eq!(reply.body["ticks"][0], first.body["ticks"][10]);
    assert_eq!(app.tick_count(), 30);
    assert_eq!(item(&app.ranking("days=1"), "wrong-address")["count"], 30);

    // A reused client id with a different body: 409, nothing written (not even the new item).
    let conflict = json!({"ticks": [
        {"horror": "damaged", "client_id": "dev-a:new"},
        {"horror": "wrong-address", "client_id": "dev-a:0", "qty": 2},
    ]});
    let reply = app.post("/api/ticks/batch", &app.staff, &conflict);
    reply.assert_error(409, "idempotency_conflict");
    assert_eq!(app.tick_count(), 30);

    // Another device (token) may use the same client ids.
    let reply = app.post("/api/ticks/batch", &app.staff2, &json!({"ticks": items}));
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body["replayed"], 0);
    assert_eq!(app.tick_count(), 50);

    // Duplicate client ids within one batch count once.
    let dup = json!({"ticks": [
        {"horror": "damaged", "client_id": "dup"},
        {"horror": "damaged", "client_id": "dup"},
    ]});
    let reply = app.post("/api/ticks/batch", &app.staff, &dup);
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["ticks"][0]["id"], reply.body["ticks"][1]["id"]);
    assert_eq!(reply.body["replayed"], 1);
    assert_eq!(app.tick_count(), 51);
}

#[test]
fn batch_size_is_one_to_a_thousand() {
    let app = TestApp::spawn();
    app.post("/api/ticks/batch", &app.staff, &json!({"ticks": []}))
        .assert_error(422, "invalid_batch");
    let too_many: Vec<Value> = (0..1001).map(|_| json!({"horror": "damaged"})).collect();
    app.post("/api/ticks/batch", &app.staff, &json!({"ticks": too_many}))
        .assert_error(422, "invalid_batch");
    assert_eq!(app.tick_count(), 0);
    let most: Vec<Value> = (0..1000)
        .map(|_| json!({"horror": "damaged", "qty": 1000}))
        .collect();
    let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": most}));
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["ticks"].as_array().unwrap().len(), 1000);
    assert_eq!(app.tick_count(), 1000);
    let damaged = item(&app.ranking("days=1"), "damaged").clone();
    assert_eq!(damaged["count"], 1_000_000);
    assert_eq!(damaged["cost_minor"], 1_000_000i64 * 6000);
    let one = app.post(
        "/api/ticks/batch",
        &app.staff,
        &json!({"ticks": [{"horror": "damaged"}]}),
    );
    assert_eq!(one.status, 201);
    assert_eq!(app.tick_count(), 1001);
}

#[test]
fn unknown_and_retired_horrors_are_refused() {
    let app = TestApp::spawn();
    app.tick(json!({"horror": "no-such-horror"}))
        .assert_error(422, "unknown_horror");
    app.tick(json!({"horror": ""}))
        .assert_error(422, "unknown_horror");
    app.tick(json!({"horror": "Damaged"}))
        .assert_error(422, "unknown_horror");
    let kept =
        id(&app.tick(json!({"horror": "missed-pickup", "occurred_at": "2026-06-01T15:00:00Z"})));
    // Retire missed-pickup, add a new one.
    let mut catalogue = crate::auth::config_catalogue();
    let horrors = catalogue["horrors"].as_array_mut().unwrap();
    horrors.pop();
    horrors.push(
        json!({"key": "rude-driver", "name": "Rude driver", "pain": 5, "unit_cost": "10.00"}),
    );
    let put = app.put("/api/horrors", &app.admin, &catalogue);
    assert_eq!(put.status, 200, "{}", put.text);
    let count = app.tick_count();
    app.tick(json!({"horror": "missed-pickup"}))
        .assert_error(422, "retired_horror");
    let reply = app.post(
        "/api/ticks/batch",
        &app.staff,
        &json!({"ticks": [{"horror": "rude-driver"}, {"horror": "missed-pickup"}]}),
    );
    reply.assert_error(422, "invalid_ticks");
    assert_eq!(reply.body["error"]["details"][0]["index"], 1);
    assert_eq!(reply.body["error"]["details"][0]["code"], "retired_horror");
    assert_eq!(app.tick_count(), count);
    // The old tick stays listed; the new horror can be ticked.
    let listed = ids(&app.get("/api/ticks?from=2026-06-01&to=2026-06-01", &app.viewer));
    assert_eq!(listed, [kept]);
    assert_eq!(app.tick(json!({"horror": "rude-driver"})).status, 201);
}

#[test]
fn voiding_follows_ownership_and_counts_nowhere() {
    let app = TestApp::spawn();
    let at = "2026-07-01T15:00:00Z";
    let a = id(&app.tick(json!({"horror": "damaged", "qty": 5, "occurred_at": at})));
    let b = id(
        &app.tick(json!({"horror": "damaged", "qty": 7, "occurred_at": at, "source": "complaint"}))
    );
    let c = id(&app.tick(json!({"horror": "lost-package", "qty": 1, "occurred_at": at})));

    // Ben may not void Ana's tick.
    void(&app, a, &app.staff2, None).assert_error(403, "not_your_tick");
    // Ana voids her own.
    let voided = void(&app, a, &app.staff, Some(json!({"reason": "tapped twice"})));
    assert_eq!(voided.status, 200, "{}", voided.text);
    assert_eq!(voided.body["id"], a);
    assert_eq!(voided.body["voided"], true);
    assert_eq!(voided.body["void_reason"], "tapped twice");
    assert_eq!(voided.body["qty"], 5);
    // Voiding again returns it unchanged (the first reason stays).
    let again = void(&app, a, &app.staff, Some(json!({"reason": "other"})));
    assert_eq!(again.status, 200);
    assert_eq!(again.body, voided.body);
    let again = void(&app, a, &app.staff2, None);
    assert_eq!(again.status, 200);
    assert_eq!(again.body, voided.body);
    // Admin voids anyone's, with an empty body.
    let by_admin = void(&app, b, &app.admin, None);
    assert_eq!(by_admin.status, 200, "{}", by_admin.text);
    assert_eq!(by_admin.body["voided"], true);
    assert_eq!(by_admin.body["void_reason"], Value::Null);
    // Unknown ids are 404.
    void(&app, 999_999, &app.admin, None).assert_error(404, "not_found");

    // Voided ticks count nowhere...
    let ranking = app.ranking("from=2026-07-01&to=2026-07-01");
    assert_eq!(item(&ranking, "damaged")["count"], 0);
    assert_eq!(item(&ranking, "damaged")["complaints"], 0);
    assert_eq!(item(&ranking, "damaged")["cost_minor"], 0);
    assert_eq!(ranking["totals"]["count"], 1);
    assert_eq!(ranking["totals"]["cost_minor"], 12000);
    let trend = app.get("/api/trend?from=2026-07-01&to=2026-07-01", &app.viewer);
    assert_eq!(trend.body["totals"][0]["count"], 1);
    // ...but stay stored and listed on request.
    assert_eq!(app.tick_count(), 3);
    let default = ids(&app.get("/api/ticks?from=2026-07-01&to=2026-07-01", &app.viewer));
    assert_eq!(default, [c]);
    let all = app.get(
        "/api/ticks?from=2026-07-01&to=2026-07-01&include_voided=true",
        &app.viewer,
    );
    assert_eq!(ids(&all), [c, b, a]);
    assert_eq!(all.body["ticks"][2]["void_reason"], "tapped twice");
    assert_eq!(all.body["ticks"][2]["voided"], true);
    assert_eq!(all.body["ticks"][0]["voided"], false);
}

#[test]
fn staff_may_void_their_own_ticks_for_fifteen_minutes() {
    let app = TestApp::spawn();
    let old = id(&app.tick(json!({"horror": "damaged"})));
    app.clock.advance(Duration::minutes(1));
    let recent = id(&app.tick(json!({"horror": "damaged"})));
    // `old` was recorded 16 minutes ago, `recent` exactly 15 (still inside the window).
    app.clock.advance(Duration::minutes(15));
    void(&app, old, &app.staff, None).assert_error(403, "void_window_passed");
    let list = app.get("/api/ticks?include_voided=true&days=1", &app.viewer);
    assert!(list.body["ticks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["voided"] == false));
    let ok = void(&app, recent, &app.staff, None);
    assert_eq!(
        (ok.status, &ok.body["voided"]),
        (200, &json!(true)),
        "{}",
        ok.text
    );
    let ok = void(&app, old, &app.admin, Some(json!({"reason": "late fix"})));
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["void_reason"], "late fix");
    assert_eq!(item(&app.ranking("days=1"), "damaged")["count"], 0);
}

/// (id, horror, source, department) of a posted tick.
type Listed = (i64, &'static str, &'static str, Value);

#[test]
fn listing_is_newest_first_pages_exactly_and_filters() {
    let app = TestApp::spawn();
    let keys = ["late-delivery", "lost-package", "damaged"];
    let departments = [Value::Null, json!("Dispatch"), json!("Drivers")];
    let mut all = Vec::new();
    let mut expected: Vec<Listed> = Vec::new();
    for i in 0..37usize {
        let horror = keys[i % 3];
        let source = if i % 4 == 0 { "complaint" } else { "internal" };
        let department = if i % 5 == 0 {
            Value::Null
        } else {
            departments[(i / 2) % 3].clone()
        };
        let mut body = json!({"horror": horror, "source": source,
            "occurred_at": format!("2026-08-{:02}T12:00:00Z", 1 + i % 28)});
        if !department.is_null() {
            body["department"] = department.clone();
        }
        let tick = id(&app.tick(body));
        all.push(tick);
        expected.push((tick, horror, source, department));
    }
    // One tick outside the window.
    app.tick(json!({"horror": "damaged", "occurred_at": "2026-09-01T12:00:00Z"}));
    let window = "from=2026-08-01&to=2026-08-31";
    let newest_first: Vec<i64> = all.iter().rev().copied().collect();

    let page = app.get(&format!("/api/ticks?{window}"), &app.viewer);
    assert_eq!(ids(&page), newest_first);
    assert_eq!(page.body["next_before_id"], Value::Null);
    assert_eq!(
        page.body["window"],
        json!({"from": "2026-08-01", "to": "2026-08-31", "days": 31, "timezone": "America/Chicago"})
    );

    for limit in [1, 7, 36, 37, 100] {
        let mut walked = Vec::new();
        let mut before: Option<i64> = None;
        let mut pages = 0;
        loop {
            let mut path = format!("/api/ticks?{window}&limit={limit}");
            if let Some(b) = before {
                path.push_str(&format!("&before_id={b}"));
            }
            let page = app.get(&path, &app.viewer);
            let got = ids(&page);
            assert!(got.len() <= limit);
            walked.extend(got.iter().copied());
            pages += 1;
            match page.body["next_before_id"].as_i64() {
                Some(next) => {
                    assert_eq!(Some(&next), got.last());
                    before = Some(next);
                }
                None => break,
            }
            assert!(pages <= 40, "paging does not end");
        }
        assert_eq!(walked, newest_first, "limit {limit}");
        assert_eq!(
            pages,
            37usize.div_ceil(limit).max(1),
            "pages at limit {limit}"
        );
    }

    let filtered =
        |query: &str| ids(&app.get(&format!("/api/ticks?{window}&{query}"), &app.viewer));
    let expect = |pred: &dyn Fn(&Listed) -> bool| -> Vec<i64> {
        expected
            .iter()
            .rev()
            .filter(|e| pred(e))
            .map(|e| e.0)
            .collect()
    };
    assert_eq!(filtered("horror=damaged"), expect(&|e| e.1 == "damaged"));
    assert_eq!(
        filtered("source=complaint"),
        expect(&|e| e.2 == "complaint")
    );
    assert_eq!(filtered("source=internal"), expect(&|e| e.2 == "internal"));
    assert_eq!(
        filtered("department=Dispatch"),
        expect(&|e| e.3 == "Dispatch")
    );
    assert_eq!(
        filtered("horror=lost-package&source=complaint&department=Dispatch"),
        expect(&|e| e.1 == "lost-package" && e.2 == "complaint" && e.3 == "Dispatch")
    );
    assert!(!filtered("horror=damaged").is_empty());

    app.get(&format!("/api/ticks?{window}&limit=0"), &app.viewer)
        .assert_error(422, "invalid_parameter");
    app.get(&format!("/api/ticks?{window}&limit=1001"), &app.viewer)
        .assert_error(422, "invalid_parameter");
    app.get(&format!("/api/ticks?{window}&horror=nope"), &app.viewer)
        .assert_error(422, "unknown_horror");
    app.get(&format!("/api/ticks?{window}&source=email"), &app.viewer)
        .assert_error(422, "invalid_parameter");
    app.get(&format!("/api/ticks?{window}&before_id=x"), &app.viewer)
        .assert_error(422, "invalid_parameter");
}

#[test]
fn listing_defaults_to_a_hundred_ticks() {
    let app = TestApp::spawn();
    let items: Vec<Value> = (0..105).map(|_| json!({"horror": "damaged"})).collect();
    let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": items}));
    assert_eq!(reply.status, 201);
    let page = app.get("/api/ticks", &app.viewer);
    let got = ids(&page);
    assert_eq!(got.len(), 100);
    assert_eq!(page.body["next_before_id"].as_i64(), got.last().copied());
    let rest = app.get(
        &format!("/api/ticks?before_id={}", got.last().unwrap()),
        &app.viewer,
    );
    assert_eq!(ids(&rest).len(), 5);
    assert_eq!(rest.body["next_before_id"], Value::Null);
    let max = app.get("/api/ticks?limit=1000", &app.viewer);
    assert_eq!(ids(&max).len(), 105);
}

#[test]
fn concurrent_repeats_of_one_key_record_one_tick() {
    let app = TestApp::spawn();
    let body = json!({"horror": "lost-package", "qty": 2});
    let replies: Vec<Reply> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|_| s.spawn(|| with_key(&app, &app.staff, "same-tap", &body)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let created = replies.iter().filter(|r| r.status == 201).count();
    let replayed = replies
        .iter()
        .filter(|r| r.status == 200 && r.header("idempotent-replayed") == Some("true"))
        .count();
    assert_eq!((created, replayed), (1, 15), "{replies:?}");
    let first = replies.iter().find(|r| r.status == 201).unwrap();
    assert!(replies.iter().all(|r| r.body == first.body));
    assert_eq!(app.tick_count(), 1);

    // The same batch sent by two devices' retry loops at once is counted once.
    let items: Vec<Value> = (0..50)
        .map(|i| json!({"horror": "damaged", "client_id": format!("offline-{i}")}))
        .collect();
    let batch = json!({ "ticks": items });
    let replies: Vec<Reply> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| s.spawn(|| app.post("/api/ticks/batch", &app.staff, &batch)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(replies.iter().all(|r| r.status == 201), "{replies:?}");
    let replayed: Vec<i64> = replies
        .iter()
        .map(|r| r.body["replayed"].as_i64().unwrap())
        .collect();
    assert_eq!(
        replayed.iter().filter(|n| **n == 0).count(),
        1,
        "{replayed:?}"
    );
    assert_eq!(
        replayed.iter().filter(|n| **n == 50).count(),
        5,
        "{replayed:?}"
    );
    assert_eq!(app.tick_count(), 51);
    assert_eq!(item(&app.ranking("days=1"), "damaged")["count"], 50);
}

#[test]
fn many_devices_tapping_at_once_lose_and_double_nothing() {
    let app = TestApp::spawn();
    let tokens: Vec<String> = (0..8)
        .map(|i| {
            app.store
                .create_token(&format!("phone {i}"), horrors::auth::Role::Staff)
                .unwrap()
                .1
        })
        .collect();
    let keys = [
        "late-delivery",
        "lost-package",
        "damaged",
        "wrong-address",
        "missed-pickup",
    ];
    std::thread::scope(|s| {
        for (t, token) in tokens.iter().enumerate() {
            let app = &app;
            s.spawn(move || {
                for i in 0..40usize {
                    let key = keys[(t + i) % 5];
                    let reply = app.post(
                        "/api/ticks",
                        token,
                        &json!({"horror": key, "qty": 1 + i % 3}),
                    );
                    assert_eq!(reply.status, 201, "{}", reply.text);
                }
            });
        }
    });
    assert_eq!(app.tick_count(), 320);
    let ranking = app.ranking("days=1");
    // Each device sends 40 taps with qty 1,2,3,1,2,3,… = 13×(1+2+3) + 1 = 79.
    assert_eq!(ranking["totals"]["count"], 8 * 79);
    let listed = app.get("/api/ticks?days=1&limit=1000", &app.viewer);
    let total: i64 = listed.body["ticks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["qty"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 8 * 79);
    // The rollup agrees with the ticks.
    assert_eq!(app.store.check_rollup().unwrap(), Vec::<String>::new());
}
