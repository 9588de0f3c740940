//! Devices enrolled by QR code: `POST /api/enrolments` and `/enrol/{code}` (one use,
//! 10 minutes by the server's clock, guesses throttled like failed sign-ins), the device's
//! token and session, and its revocation.

use horrors::http::HttpOptions;
use serde_json::{json, Value};

use crate::helpers::{Reply, TestApp};
use crate::sites::spawn_sites;

fn enrol(app: &TestApp, body: Value) -> Reply {
    app.post("/api/enrolments", &app.admin, &body)
}

fn open(app: &TestApp, code: &str) -> Reply {
    app.call("GET", &format!("/enrol/{code}"), None, None, None, &[])
}

fn cookie_of(reply: &Reply) -> String {
    reply
        .header("set-cookie")
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn a_code_enrols_a_phone_once_at_its_site() {
    let app = spawn_sites();
    let made = enrol(
        &app,
        json!({"role": "staff", "site": "tokyo", "name": "Tokyo dock phone"}),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let code = made.body["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 32);
    assert_eq!(made.body["url"], format!("{}/enrol/{code}", app.base));
    let svg = made.body["qr_svg"].as_str().unwrap();
    assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");
    let expires =
        chrono::DateTime::parse_from_rfc3339(made.body["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!((expires.to_utc() - app.now()).num_minutes(), 10);

    let opened = open(&app, &code);
    assert_eq!(opened.status, 303, "{}", opened.text);
    assert_eq!(opened.header("location"), Some("/tally?site=tokyo"));
    let set = opened.header("set-cookie").unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("Max-Age=31536000"),
        "{set}"
    );
    let cookie = cookie_of(&opened);
    // The phone is signed in as the device, at its site.
    let tally = app.call(
        "GET",
        "/tally?site=tokyo",
        None,
        None,
        None,
        &[("Cookie", &cookie)],
    );
    assert_eq!(tally.status, 200, "{}", tally.text);
    let tokens = app.get("/api/tokens", &app.admin);
    let device = tokens.body["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Tokyo dock phone")
        .expect("the device is listed with the tokens")
        .clone();
    assert_eq!(device["role"], "staff");
    assert_eq!(device["site"], "tokyo");
    // The device token's secret is on no page and in no response (the only secret on
    // the tally is the session's CSRF token, in its meta tag).
    let marker = "name=\"csrf-token\" content=\"";
    let start = tally.text.find(marker).expect("a CSRF meta") + marker.len();
    let csrf = &tally.text[start..start + tally.text[start..].find('"').unwrap()];
    assert!(!opened.text.contains("hrr_"));
    assert!(!tally.text.replace(csrf, "").contains("hrr_"));

    // A second use: 410, and no second device.
    let again = open(&app, &code);
    assert_eq!(again.status, 410, "{}", again.text);
    assert!(again
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(again.text.contains("used already"), "{}", again.text);
    assert!(again.header("set-cookie").is_none());
    let count = |app: &TestApp| {
        app.get("/api/tokens", &app.admin).body["tokens"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = count(&app);
    assert_eq!(open(&app, &code).status, 410);
    assert_eq!(count(&app), before);

    // Revoking the device ends the phone's session.
    let id = device["id"].as_i64().unwrap();
    let revoked = app.call(
        "POST",
        &format!("/api/tokens/{id}/revoke"),
        Some(&app.admin),
        None,
        None,
        &[],
    );
    assert_eq!(revoked.status, 200);
    let tally = app.call("GET", "/tally", None, None, None, &[("Cookie", &cookie)]);
    assert_eq!(tally.status, 303, "a revoked device is sent to log in");
}

#[test]
fn a_code_expires_after_ten_minutes_by_the_servers_clock() {
    let app = TestApp::spawn();
    let code = |app: &TestApp| {
        let made = enrol(app, json!({"role": "viewer", "name": "Wall screen"}));
        assert_eq!(made.status, 201, "{}", made.text);
        made.body["code"].as_str().unwrap().to_string()
    };
    let late = code(&app);
    let in_time = code(&app);
    app.clock.advance(chrono::Duration::seconds(9 * 60 + 59));
    let opened = open(&app, &in_time);
    assert_eq!(opened.status, 303);
    assert_eq!(opened.header("location"), Some("/dashboard"));
    app.clock.advance(chrono::Duration::seconds(1));
    let expired = open(&app, &late);
    assert_eq!(expired.status, 410, "{}", expired.text);
    assert!(expired.text.contains("expired"), "{}", expired.text);
    assert!(expired.header("set-cookie").is_none());
}

#[test]
fn bad_enrolments_are_refused_and_write_nothing() {
    let app = spawn_sites();
    let tokens = |app: &TestApp| app.get("/api/tokens", &app.admin).body;
    let before = tokens(&app);
    for (body, code) in [
        (json!({"role": "admin", "name": "x"}), "invalid_role"),
        (json!({"role": "root", "name": "x"}), "invalid_role"),
        (json!({"role": "staff", "name": "  "}), "invalid_name"),
        (json!({"role": "staff", "name": "a\u{7}b"}), "invalid_name"),
        (
            json!({"role": "staff", "name": "x", "site": "nowhere"}),
            "unknown_site",
        ),
        (
            json!({"role": "staff", "name": "x", "extra": 1}),
            "invalid_body",
        ),
        (json!(["staff"]), "invalid_body"),
    ] {
        enrol(&app, body.clone()).assert_error(422, code);
    }
    for token in [&app.staff, &app.viewer] {
        app.post(
            "/api/enrolments",
            token,
            &json!({"role": "staff", "name": "x"}),
        )
        .assert_error(403, "forbidden");
    }
    assert_eq!(tokens(&app), before);
}

#[test]
fn guessed_codes_are_throttled_like_failed_sign_ins() {
    let app = TestApp::spawn_with_options(
        crate::helpers::CONFIG,
        HttpOptions {
            auth_failures: Some(5),
            ..HttpOptions::default()
        },
    );
    let good = enrol(&app, json!({"role": "staff", "name": "phone"}));
    let good = good.body["code"].as_str().unwrap().to_string();
    for i in 0..5 {
        let guess = open(&app, &format!("{i:032x}"));
        assert_eq!(guess.status, 404, "{}", guess.text);
        assert!(guess.text.contains("not valid"), "{}", guess.text);
    }
    let throttled = open(&app, "0123456789abcdef0123456789abcdef");
    assert_eq!(throttled.status, 429, "{}", throttled.text);
    assert!(throttled.header("retry-after").is_some());
    // Even the right code waits out the minute from that address: nothing is learnt.
    assert_eq!(open(&app, &good).status, 429);
    assert_eq!(
        app.get("/api/me", &app.staff).status,
        200,
        "valid tokens still pass"
    );
}

#[test]
fn sessions_are_listed_and_revoked_one_by_one() {
    let app = TestApp::spawn();
    let viewer = app.session(&app.viewer);
    let staff = app.session(&app.staff);
    let listed = app.get("/api/sessions", &app.admin);
    assert_eq!(listed.status, 200, "{}", listed.text);
    let sessions = listed.body["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    let exec = sessions.iter().find(|s| s["name"] == "exec").unwrap();
    assert_eq!(exec["role"], "viewer");
    let id = exec["id"].as_str().unwrap();
    assert_eq!(id.len(), 16);
    assert!(!listed.text.contains(viewer.split('=').nth(1).unwrap()));
    let page = |cookie: &str, path: &str| {
        app.call("GET", path, None, None, None, &[("Cookie", cookie)])
            .status
    };
    assert_eq!(page(&viewer, "/dashboard"), 200);
    let revoked = app.call(
        "POST",
        &format!("/api/sessions/{id}/revoke"),
        Some(&app.admin),
        None,
        None,
        &[],
    );
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    assert_eq!(
        page(&viewer, "/dashboard"),
        303,
        "the revoked session is over"
    );
    assert_eq!(page(&staff, "/tally"), 200, "the other session goes on");
    assert_eq!(
        app.get("/api/me", &app.viewer).status,
        200,
        "the token stays"
    );
    for bad in [id, "zz", "0000000000000000"] {
        app.call(
            "POST",
            &format!("/api/sessions/{bad}/revoke"),
            Some(&app.admin),
            None,
            None,
            &[],
        )
        .assert_error(404, "not_found");
    }
    assert_eq!(
        app.get("/api/sessions", &app.admin).body["sessions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.get("/api/sessions", &app.viewer)
        .assert_error(403, "forbidden");
}
