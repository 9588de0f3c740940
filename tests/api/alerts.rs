//! `GET /api/alerts` (SPEC §19): days whose control chart signals high.

use chrono::Duration;
use serde_json::{json, Value};

use crate::helpers::TestApp;

#[test]
fn a_spike_yesterday_is_an_alert_and_quiet_days_are_not() {
    let app = TestApp::spawn();
    assert_eq!(
        app.get("/api/alerts", &app.viewer).body,
        json!({"alerts": []})
    );
    // A steady two a day for eight weeks, then 30 yesterday.
    let now = app.now();
    let mut ticks = Vec::new();
    for back in 2..=56 {
        let at = (now - Duration::days(back)).to_rfc3339();
        ticks.push(json!({"horror": "late-delivery", "qty": 2, "occurred_at": at}));
    }
    let yesterday = now - Duration::days(1);
    ticks
        .push(json!({"horror": "late-delivery", "qty": 30, "occurred_at": yesterday.to_rfc3339()}));
    // Another horror, one a day every day: always on its centre line, never an alert. (A
    // single tick after 55 empty days would be one: the u-chart's limit is then 0.07 a day.)
    for back in 1..=56 {
        let at = (now - Duration::days(back)).to_rfc3339();
        ticks.push(json!({"horror": "damaged", "occurred_at": at}));
    }
    let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": ticks}));
    assert_eq!(reply.status, 201, "{}", reply.text);
    // Today's ticks never make an alert (today is not over).
    let reply = app.tick(json!({"horror": "lost-package", "qty": 500}));
    assert_eq!(reply.status, 201, "{}", reply.text);

    let reply = app.get("/api/alerts", &app.viewer);
    assert_eq!(reply.status, 200, "{}", reply.text);
    let alerts = reply.body["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{}", reply.text);
    let alert = &alerts[0];
    let day = yesterday
        .with_timezone(&chrono_tz::America::Chicago)
        .date_naive()
        .to_string();
    assert_eq!(alert["horror"], "late-delivery");
    assert_eq!(alert["site"], Value::Null);
    assert_eq!(alert["day"], day);
    assert_eq!(alert["count"], 30);
    assert_eq!(alert["rate"], 30.0);
    assert_eq!(alert["signal"], "above");
    // The same limit as the control chart of that horror over the same days.
    let (from, to) = (
        (yesterday - Duration::days(55))
            .with_timezone(&chrono_tz::America::Chicago)
            .date_naive(),
        yesterday
            .with_timezone(&chrono_tz::America::Chicago)
            .date_naive(),
    );
    let chart = app.get(
        &format!("/api/control?from={from}&to={to}&horror=late-delivery"),
        &app.viewer,
    );
    let last = chart.body["points"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(alert["ucl"], last["ucl"], "{last}");
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
}
