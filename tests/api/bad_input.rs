//! Bad input (SPEC §4): every kind is refused with the right status and the JSON error
//! shape, writes nothing, never yields a 5xx, and the server keeps answering.

use serde_json::{json, Value};

use crate::helpers::{Reply, TestApp};

#[derive(Clone, Copy)]
enum Who {
    Nobody,
    Staff,
    Viewer,
    Admin,
}

struct Case {
    what: String,
    method: &'static str,
    path: String,
    who: Who,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    headers: Vec<(&'static str, String)>,
    status: u16,
    code: &'static str,
    /// Sent byte for byte (headers an HTTP client refuses to send).
    raw: bool,
}

fn case(what: &str, method: &'static str, path: &str, status: u16, code: &'static str) -> Case {
    Case {
        what: what.to_string(),
        method,
        path: path.to_string(),
        who: Who::Admin,
        content_type: None,
        body: None,
        headers: Vec::new(),
        status,
        code,
        raw: false,
    }
}

/// A POST /api/ticks (as staff) with this raw JSON body.
fn tick_raw(what: &str, body: &[u8], status: u16, code: &'static str) -> Case {
    Case {
        who: Who::Staff,
        content_type: Some("application/json"),
        body: Some(body.to_vec()),
        ..case(what, "POST", "/api/ticks", status, code)
    }
}

fn tick_json(what: &str, body: Value, status: u16, code: &'static str) -> Case {
    tick_raw(what, &serde_json::to_vec(&body).unwrap(), status, code)
}

fn get(what: &str, path: &str, code: &'static str) -> Case {
    Case {
        who: Who::Viewer,
        ..case(what, "GET", path, 422, code)
    }
}

fn send(app: &TestApp, c: &Case) -> Reply {
    let token = match c.who {
        Who::Nobody => None,
        Who::Staff => Some(app.staff.as_str()),
        Who::Viewer => Some(app.viewer.as_str()),
        Who::Admin => Some(app.admin.as_str()),
    };
    if c.raw {
        let mut request = format!(
            "{} {} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n",
            c.method, c.path
        )
        .into_bytes();
        if let Some(token) = token {
            request.extend(format!("Authorization: Bearer {token}\r\n").bytes());
        }
        if let Some(ct) = c.content_type {
            request.extend(format!("Content-Type: {ct}\r\n").bytes());
        }
        let body = c.body.clone().unwrap_or_default();
        request.extend(format!("Content-Length: {}\r\n", body.len()).bytes());
        for (name, value) in &c.headers {
            request.extend(name.bytes());
            request.extend(b": ");
            // Latin-1 bytes, as a raw client would put them on the wire.
            request.extend(value.chars().map(|ch| ch as u32 as u8));
            request.extend(b"\r\n");
        }
        request.extend(b"\r\n");
        request.extend(body);
        return app.raw(&request);
    }
    let headers: Vec<(&str, &str)> = c.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    app.call(
        c.method,
        &c.path,
        token,
        c.content_type,
        c.body.as_deref(),
        &headers,
    )
}

fn nested(depth: usize) -> Vec<u8> {
    let mut text = String::from("{\"horror\":\"damaged\",\"note\":");
    text.push_str(&"[".repeat(depth));
    text.push_str(&"]".repeat(depth));
    text.push('}');
    text.into_bytes()
}

fn cases(tick_id: i64) -> Vec<Case> {
    let d = "damaged";
    let void_path = format!("/api/ticks/{tick_id}/void");
    let mut cases = vec![
        // Unreadable bodies: 400.
        tick_raw(
            "malformed JSON",
            b"{\"horror\": \"damaged\"",
            400,
            "malformed_json",
        ),
        tick_raw("not JSON at all", b"horror=damaged", 400, "malformed_json"),
        tick_raw("empty body", b"", 400, "malformed_json"),
        tick_raw(
            "trailing garbage",
            b"{\"horror\":\"damaged\"} x",
            400,
            "malformed_json",
        ),
        tick_raw(
            "NaN literal",
            b"{\"horror\":\"damaged\",\"qty\":NaN}",
            400,
            "malformed_json",
        ),
        tick_raw(
            "single quotes",
            b"{'horror':'damaged'}",
            400,
            "malformed_json",
        ),
        tick_raw(
            "invalid UTF-8 in a string",
            b"{\"horror\":\"damaged\",\"note\":\"\xff\xfe\"}",
            400,
            "malformed_json",
        ),
        tick_raw(
            "invalid UTF-8 outside strings",
            b"\xff{\"horror\":\"damaged\"}",
            400,
            "malformed_json",
        ),
        tick_raw(
            "a lone surrogate escape",
            b"{\"horror\":\"damaged\",\"note\":\"\\ud800\"}",
            400,
            "malformed_json",
        ),
        // Well-formed JSON of the wrong shape: 422.
        tick_json("a JSON array", json!([{"horror": d}]), 422, "invalid_body"),
        tick_json("a JSON number", json!(5), 422, "invalid_body"),
        tick_json("a JSON string", json!("damaged"), 422, "invalid_body"),
        tick_json("JSON null", Value::Null, 422, "invalid_body"),
        tick_json(
            "qty as a string",
            json!({"horror": d, "qty": "3"}),
            422,
            "invalid_body",
        ),
        tick_json(
            "horror as a number",
            json!({"horror": 5}),
            422,
            "invalid_body",
        ),
        tick_json("horror null", json!({"horror": null}), 422, "invalid_body"),
        tick_json(
            "occurred_at as a number",
            json!({"horror": d, "occurred_at": 123}),
            422,
            "invalid_body",
        ),
        tick_json(
            "an unknown field",
            json!({"horror": d, "severity": 3}),
            422,
            "invalid_body",
        ),
        tick_json(
            "client_id on a single tick is fine, but a typo is not",
            json!({"horror": d, "clientid": "x"}),
            422,
            "invalid_body",
        ),
        tick_json("missing horror", json!({"qty": 1}), 422, "invalid_body"),
        tick_json("an empty object", json!({}), 422, "invalid_body"),
        tick_raw(
            "a duplicate field",
            b"{\"horror\":\"damaged\",\"horror\":\"lost-package\"}",
            422,
            "invalid_body",
        ),
        tick_json(
            "qty 1.5",
            json!({"horror": d, "qty": 1.5}),
            422,
            "invalid_body",
        ),
        tick_json(
            "qty beyond i64",
            json!({"horror": d, "qty": 1e20}),
            422,
            "invalid_body",
        ),
        tick_raw(
            "qty 4.0000000000000001 (not whole as written)",
            b"{\"horror\":\"damaged\",\"qty\":4.0000000000000001}",
            422,
            "invalid_body",
        ),
        tick_raw(
            "qty 2.00000000000000000001e0",
            b"{\"horror\":\"damaged\",\"qty\":2.00000000000000000001e0}",
            422,
            "invalid_body",
        ),
        tick_raw(
            "qty a huge integer",
            b"{\"horror\":\"damaged\",\"qty\":99999999999999999999999}",
            422,
            "invalid_body",
        ),
        tick_json(
            "bad source",
            json!({"horror": d, "source": "email"}),
            422,
            "invalid_body",
        ),
        tick_json(
            "source in capitals",
            json!({"horror": d, "source": "Complaint"}),
            422,
            "invalid_body",
        ),
        tick_json(
            "cost as a number",
            json!({"horror": d, "cost": 1.5}),
            422,
            "invalid_body",
        ),
        // Valid shape, invalid values: 422 with the field's code.
        tick_json("qty 0", json!({"horror": d, "qty": 0}), 422, "invalid_qty"),
        tick_json(
            "qty 1001",
            json!({"horror": d, "qty": 1001}),
            422,
            "invalid_qty",
        ),
        tick_json(
            "qty -1",
            json!({"horror": d, "qty": -1}),
            422,
            "invalid_qty",
        ),
        tick_json(
            "note 501 chars",
            json!({"horror": d, "note": "ü".repeat(501)}),
            422,
            "invalid_note",
        ),
        tick_json(
            "bad department",
            json!({"horror": d, "department": "Kitchen"}),
            422,
            "unknown_department",
        ),
        tick_json(
            "department in another case",
            json!({"horror": d, "department": "dispatch"}),
            422,
            "unknown_department",
        ),
        tick_json(
            "cost -1",
            json!({"horror": d, "cost": "-1"}),
            422,
            "invalid_amount",
        ),
        tick_json(
            "cost abc",
            json!({"horror": d, "cost": "abc"}),
            422,
            "invalid_amount",
        ),
        tick_json(
            "cost 1.234",
            json!({"horror": d, "cost": "1.234"}),
            422,
            "invalid_amount",
        ),
        tick_json(
            "cost with a comma",
            json!({"horror": d, "cost": "1,50"}),
            422,
            "invalid_amount",
        ),
        tick_json(
            "cost absurdly large",
            json!({"horror": d, "cost": "99999999999999999999"}),
            422,
            "invalid_amount",
        ),
        tick_json(
            "occurred_at garbage",
            json!({"horror": d, "occurred_at": "yesterday"}),
            422,
            "invalid_occurred_at",
        ),
        tick_json(
            "occurred_at without a zone",
            json!({"horror": d, "occurred_at": "2026-03-08T12:00:00"}),
            422,
            "invalid_occurred_at",
        ),
        tick_json(
            "occurred_at an impossible date",
            json!({"horror": d, "occurred_at": "2026-02-30T12:00:00Z"}),
            422,
            "invalid_occurred_at",
        ),
        tick_json(
            "occurred_at before 1970",
            json!({"horror": d, "occurred_at": "1969-12-31T23:59:59Z"}),
            422,
            "invalid_occurred_at",
        ),
        tick_json(
            "occurred_at far in the future",
            json!({"horror": d, "occurred_at": "2999-01-01T00:00:00Z"}),
            422,
            "occurred_in_future",
        ),
        tick_json(
            "unknown horror",
            json!({"horror": "no-such"}),
            422,
            "unknown_horror",
        ),
        // Content types.
        Case {
            content_type: Some("text/plain"),
            ..tick_json(
                "text/plain",
                json!({"horror": d}),
                415,
                "unsupported_media_type",
            )
        },
        Case {
            content_type: None,
            ..tick_json(
                "no content type",
                json!({"horror": d}),
                415,
                "unsupported_media_type",
            )
        },
        Case {
            content_type: Some("application/x-www-form-urlencoded"),
            ..tick_raw(
                "a form post",
                b"horror=damaged",
                415,
                "unsupported_media_type",
            )
        },
        // Sizes.
        tick_json(
            "a body over 64 KiB",
            json!({"horror": d, "note": "x".repeat(64 * 1024)}),
            413,
            "payload_too_large",
        ),
        Case {
            path: "/api/ticks/batch".into(),
            ..tick_json(
                "a batch over 2 MiB",
                json!({"ticks": (0..900).map(|_| json!({"horror": d, "note": "y".repeat(2400)})).collect::<Vec<_>>()}),
                413,
                "payload_too_large",
            )
        },
        // Idempotency keys.
        Case {
            headers: vec![("Idempotency-Key", "k".repeat(101))],
            ..tick_json(
                "an Idempotency-Key of 101 chars",
                json!({"horror": d}),
                400,
                "bad_idempotency_key",
            )
        },
        Case {
            headers: vec![("Idempotency-Key", "clé-é".into())],
            raw: true,
            ..tick_json(
                "a non-ASCII Idempotency-Key",
                json!({"horror": d}),
                400,
                "bad_idempotency_key",
            )
        },
        Case {
            headers: vec![("Idempotency-Key", "tab\there".into())],
            raw: true,
            ..tick_json(
                "an Idempotency-Key with a tab",
                json!({"horror": d}),
                400,
                "bad_idempotency_key",
            )
        },
        Case {
            who: Who::Nobody,
            headers: vec![("Authorization", "Bearer t\u{f6}ken".into())],
            raw: true,
            ..case(
                "a non-ASCII Authorization header",
                "GET",
                "/api/me",
                401,
                "unauthorized",
            )
        },
        Case {
            headers: vec![("Idempotency-Key", "two words".into())],
            ..tick_json(
                "an Idempotency-Key with a space",
                json!({"horror": d}),
                400,
                "bad_idempotency_key",
            )
        },
        Case {
            headers: vec![("Idempotency-Key", String::new())],
            ..tick_json(
                "an empty Idempotency-Key",
                json!({"horror": d}),
                400,
                "bad_idempotency_key",
            )
        },
        // Query strings on a write.
        Case {
            path: "/api/ticks?horror=damaged".into(),
            ..tick_json(
                "a query string on POST /api/ticks",
                json!({"horror": d}),
                422,
                "unknown_parameter",
            )
        },
        // Batches.
        Case {
            path: "/api/ticks/batch".into(),
            ..tick_json(
                "a batch that is an array",
                json!([{"horror": d}]),
                422,
                "invalid_body",
            )
        },
        Case {
            path: "/api/ticks/batch".into(),
            ..tick_json("a batch without ticks", json!({}), 422, "invalid_body")
        },
        Case {
            path: "/api/ticks/batch".into(),
            ..tick_json(
                "a batch item with an unknown field",
                json!({"ticks": [{"horror": d}, {"horror": d, "x": 1}]}),
                422,
                "invalid_body",
            )
        },
        Case {
            path: "/api/ticks/batch".into(),
            ..tick_json(
                "a batch with an empty client_id",
                json!({"ticks": [{"horror": d, "client_id": ""}]}),
                422,
                "invalid_ticks",
            )
        },
        Case {
            path: "/api/ticks/batch".into(),
            ..tick_json(
                "a batch with a 101-char client_id",
                json!({"ticks": [{"horror": d, "client_id": "c".repeat(101)}]}),
                422,
                "invalid_ticks",
            )
        },
        Case {
            path: "/api/ticks/batch".into(),
            ..tick_raw("a malformed batch", b"{\"ticks\": [", 400, "malformed_json")
        },
        // Nesting: refused as a 4xx, not a crash.
        tick_raw("deeply nested JSON", &nested(20_000), 422, "invalid_body"),
        tick_raw(
            "deeply nested arrays",
            &[&b"["[..]; 30_000].concat(),
            422,
            "invalid_body",
        ),
        tick_raw(
            "deeply nested objects",
            "{\"a\":".repeat(8_000).as_bytes(),
            422,
            "invalid_body",
        ),
        tick_raw("moderately nested JSON", &nested(100), 422, "invalid_body"),
        // Routing.
        case("an unknown route", "GET", "/api/nope", 404, "not_found"),
        case(
            "an unknown nested route",
            "GET",
            "/api/ticks/1",
            404,
            "not_found",
        ),
        case(
            "an unknown root route",
            "GET",
            "/wp-login.php",
            404,
            "not_found",
        ),
        case(
            "DELETE /api/ticks",
            "DELETE",
            "/api/ticks",
            405,
            "method_not_allowed",
        ),
        case(
            "PUT /api/ranking",
            "PUT",
            "/api/ranking",
            405,
            "method_not_allowed",
        ),
        case(
            "GET /api/ticks/batch",
            "GET",
            "/api/ticks/batch",
            405,
            "method_not_allowed",
        ),
        case(
            "PATCH /api/horrors",
            "PATCH",
            "/api/horrors",
            405,
            "method_not_allowed",
        ),
        case(
            "POST /healthz",
            "POST",
            "/healthz",
            405,
            "method_not_allowed",
        ),
        // Query strings on reads.
        get("days=abc", "/api/ranking?days=abc", "invalid_window"),
        get("days=0", "/api/ranking?days=0", "invalid_window"),
        get("days=1.5", "/api/ranking?days=1.5", "invalid_window"),
        get(
            "from without to",
            "/api/ranking?from=2026-01-01",
            "invalid_window",
        ),
        get(
            "from after to",
            "/api/ticks?from=2026-02-01&to=2026-01-01",
            "invalid_window",
        ),
        get(
            "an impossible date",
            "/api/trend?from=2026-02-30&to=2026-03-01",
            "invalid_window",
        ),
        get("by=foo", "/api/ranking?by=foo", "invalid_parameter"),
        get("bucket=year", "/api/trend?bucket=year", "invalid_parameter"),
        get("limit=abc", "/api/ticks?limit=abc", "invalid_parameter"),
        get(
            "include_voided=yes",
            "/api/ticks?include_voided=yes",
            "invalid_parameter",
        ),
        get(
            "an unknown parameter",
            "/api/ranking?colour=red",
            "unknown_parameter",
        ),
        get(
            "a repeated parameter",
            "/api/ranking?days=7&days=8",
            "repeated_parameter",
        ),
        get("cycle=abc", "/api/ranking?cycle=abc", "unknown_cycle"),
        get(
            "a chart too narrow",
            "/charts/pareto.svg?width=10",
            "invalid_parameter",
        ),
        get(
            "an annual export of year abc",
            "/api/export/annual.zip?year=abc",
            "invalid_parameter",
        ),
        Case {
            status: 404,
            ..get("an unknown chart", "/charts/pie.svg", "not_found")
        },
        Case {
            status: 404,
            ..get("an unknown chart format", "/charts/pareto.gif", "not_found")
        },
        // Voids.
        Case {
            who: Who::Staff,
            ..case(
                "void of a non-numeric id",
                "POST",
                "/api/ticks/abc/void",
                404,
                "not_found",
            )
        },
        case(
            "void of an unknown id",
            "POST",
            "/api/ticks/987654/void",
            404,
            "not_found",
        ),
        case(
            "void of id 0",
            "POST",
            "/api/ticks/0/void",
            404,
            "not_found",
        ),
        Case {
            content_type: Some("application/json"),
            body: Some(b"{\"reason\": ".to_vec()),
            ..case(
                "void with bad JSON",
                "POST",
                &void_path,
                400,
                "malformed_json",
            )
        },
        Case {
            content_type: Some("text/plain"),
            body: Some(b"{\"reason\": \"x\"}".to_vec()),
            ..case(
                "void with text/plain",
                "POST",
                &void_path,
                415,
                "unsupported_media_type",
            )
        },
        Case {
            content_type: Some("application/json"),
            body: Some(b"{\"why\": \"x\"}".to_vec()),
            ..case(
                "void with an unknown field",
                "POST",
                &void_path,
                422,
                "invalid_body",
            )
        },
        Case {
            content_type: Some("application/json"),
            body: Some(serde_json::to_vec(&json!({"reason": "r".repeat(501)})).unwrap()),
            ..case(
                "void with a 501-char reason",
                "POST",
                &void_path,
                422,
                "invalid_reason",
            )
        },
        // Credentials.
        Case {
            who: Who::Nobody,
            headers: vec![("Cookie", "horrors_session=hrr_forged".into())],
            ..case(
                "a forged session cookie",
                "GET",
                "/api/ranking",
                401,
                "unauthorized",
            )
        },
        // Cycles and tokens.
        case(
            "a cycle that does not exist",
            "GET",
            "/api/cycles/424242",
            404,
            "not_found",
        ),
        case(
            "a cycle id that is not a number",
            "GET",
            "/api/cycles/first",
            404,
            "not_found",
        ),
        Case {
            content_type: Some("application/json"),
            body: Some(serde_json::to_vec(&json!({"name": "c", "start": "2026-02-30"})).unwrap()),
            ..case(
                "a cycle starting on an impossible date",
                "POST",
                "/api/cycles",
                422,
                "invalid_start",
            )
        },
        Case {
            content_type: Some("application/json"),
            body: Some(
                serde_json::to_vec(
                    &json!({"name": "c", "start": "2026-02-01", "focus": ["a", "b", "c", "d"]}),
                )
                .unwrap(),
            ),
            ..case(
                "a cycle with four focus horrors",
                "POST",
                "/api/cycles",
                422,
                "invalid_focus",
            )
        },
        Case {
            content_type: Some("application/json"),
            body: Some(serde_json::to_vec(&json!({"name": "t", "role": "root"})).unwrap()),
            ..case(
                "a token with an unknown role",
                "POST",
                "/api/tokens",
                422,
                "invalid_body",
            )
        },
    ];
    // PUT /api/horrors with bad bodies.
    let put =
        |what: &str, ct: Option<&'static str>, body: &[u8], status: u16, code: &'static str| Case {
            content_type: ct,
            body: Some(body.to_vec()),
            ..case(what, "PUT", "/api/horrors", status, code)
        };
    let json_ct = Some("application/json");
    cases.extend([
        put("catalogue: malformed JSON", json_ct, b"{\"horrors\": [", 400, "malformed_json"),
        put("catalogue: empty body", json_ct, b"", 400, "malformed_json"),
        put("catalogue: text/plain", Some("text/plain"), b"{\"horrors\": []}", 415, "unsupported_media_type"),
        put("catalogue: no content type", None, b"{\"horrors\": []}", 415, "unsupported_media_type"),
        put("catalogue: an array", json_ct, b"[]", 422, "invalid_body"),
        put("catalogue: unknown field", json_ct, b"{\"horrors\": [], \"x\": 1}", 422, "invalid_body"),
        put("catalogue: four horrors", json_ct, &serde_json::to_vec(&json!({"horrors": crate::auth::config_catalogue()["horrors"].as_array().unwrap()[..4]})).unwrap(), 422, "invalid_catalogue"),
        put("catalogue: over 64 KiB", json_ct, &serde_json::to_vec(&json!({"horrors": [{"key": "a", "name": "n", "description": "d".repeat(70_000), "pain": 1, "unit_cost": "1"}]})).unwrap(), 413, "payload_too_large"),
        put("catalogue: invalid UTF-8", json_ct, b"{\"horrors\": [{\"key\": \"\xc3\x28\"}]}", 400, "malformed_json"),
    ]);
    cases
}

#[test]
fn bad_input_is_refused_writes_nothing_and_never_fails_the_server() {
    let app = TestApp::spawn();
    let tick = app.tick(json!({"horror": "damaged", "note": "fixture"}));
    assert_eq!(tick.status, 201);
    let tick_id = tick.body["id"].as_i64().unwrap();
    let catalogue = app
        .get("/api/horrors?include_retired=true", &app.admin)
        .body;
    let history = app.get("/api/horrors/history", &app.admin).body;
    let tokens = app.get("/api/tokens", &app.admin).body;
    let cycles = app.get("/api/cycles", &app.admin).body;
    let all = cases(tick_id);
    assert!(all.len() >= 50, "only {} cases", all.len());
    let mut failures = Vec::new();
    for c in &all {
        let reply = send(&app, c);
        let shape_ok = reply.body["error"]["code"] == c.code
            && reply.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty());
        if reply.status != c.status || !shape_ok {
            failures.push(format!(
                "{}: expected {} {}, got {} {}",
                c.what, c.status, c.code, reply.status, reply.text
            ));
        }
        assert!(
            reply.status < 500,
            "{}: {} {}",
            c.what,
            reply.status,
            reply.text
        );
        assert!(
            reply
                .header("content-type")
                .is_some_and(|ct| ct.starts_with("application/json")),
            "{}: content type {:?}",
            c.what,
            reply.header("content-type")
        );
        assert_eq!(app.tick_count(), 1, "{} wrote a tick", c.what);
        let health = app.call("GET", "/healthz", None, None, None, &[]);
        assert_eq!(health.status, 200, "/healthz after {}", c.what);
        if c.path.starts_with("/api/horrors") {
            assert_eq!(
                app.get("/api/horrors?include_retired=true", &app.admin)
                    .body,
                catalogue,
                "{} changed the catalogue",
                c.what
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Nothing else changed either.
    let list = app.get("/api/ticks?include_voided=true", &app.viewer);
    assert_eq!(
        list.body["ticks"][0]["voided"], false,
        "the fixture tick was voided"
    );
    assert_eq!(list.body["ticks"].as_array().unwrap().len(), 1);
    assert_eq!(app.get("/api/horrors/history", &app.admin).body, history);
    assert_eq!(app.get("/api/tokens", &app.admin).body, tokens);
    assert_eq!(app.get("/api/cycles", &app.admin).body, cycles);
}

#[test]
fn the_limits_are_exactly_where_the_spec_puts_them() {
    let app = TestApp::spawn();
    // A single tick just under 64 KiB is read (and refused only for its note length).
    let mut body = serde_json::to_vec(&json!({"horror": "damaged", "note": ""})).unwrap();
    let pad = 64 * 1024 - body.len();
    body = serde_json::to_vec(&json!({"horror": "damaged", "note": "x".repeat(pad)})).unwrap();
    assert_eq!(body.len(), 64 * 1024);
    let reply = app.call(
        "POST",
        "/api/ticks",
        Some(&app.staff),
        Some("application/json"),
        Some(&body),
        &[],
    );
    reply.assert_error(422, "invalid_note");
    // A batch well over 64 KiB but under 2 MiB is accepted.
    let items: Vec<Value> = (0..1000)
        .map(|i| json!({"horror": "damaged", "note": "n".repeat(500), "client_id": format!("big-{i}")}))
        .collect();
    let batch = serde_json::to_vec(&json!({"ticks": items})).unwrap();
    assert!(batch.len() > 500 * 1024 && batch.len() < 2 * 1024 * 1024);
    let reply = app.call(
        "POST",
        "/api/ticks/batch",
        Some(&app.staff),
        Some("application/json"),
        Some(&batch),
        &[],
    );
    assert_eq!(
        reply.status,
        201,
        "{}",
        &reply.text[..reply.text.len().min(300)]
    );
    assert_eq!(app.tick_count(), 1000);
    // A note of exactly 500 characters (multi-byte) and a key of exactly 100 are fine.
    let reply = app.call(
        "POST",
        "/api/ticks",
        Some(&app.staff),
        Some("application/json; charset=utf-8"),
        Some(&serde_json::to_vec(&json!({"horror": "damaged", "note": "配".repeat(500)})).unwrap()),
        &[("Idempotency-Key", &"k".repeat(100))],
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(app.tick_count(), 1001);
}

#[test]
fn many_bad_requests_in_a_row_leave_the_server_healthy() {
    let app = TestApp::spawn();
    for i in 0..200 {
        let body: &[u8] = match i % 4 {
            0 => b"{",
            1 => b"[]",
            2 => b"{\"horror\": 5}",
            _ => b"\x00\x01\x02",
        };
        let reply = app.call(
            "POST",
            "/api/ticks",
            Some(&app.staff),
            Some("application/json"),
            Some(body),
            &[],
        );
        assert!(matches!(reply.status, 400 | 422), "{}", reply.text);
    }
    assert_eq!(app.tick_count(), 0);
    assert_eq!(app.tick(json!({"horror": "damaged"})).status, 201);
    let health = app.call("GET", "/healthz", None, None, None, &[]);
    assert_eq!(health.body, json!({"status": "ok"}));
}

#[test]
fn method_not_allowed_lists_the_allowed_methods() {
    let app = TestApp::spawn();
    let reply = app.call("DELETE", "/api/ticks", Some(&app.admin), None, None, &[]);
    reply.assert_error(405, "method_not_allowed");
    let allow = reply.header("allow").unwrap_or_default().to_string();
    let mut methods: Vec<&str> = allow.split(',').map(str::trim).collect();
    methods.sort_unstable();
    assert!(
        methods.contains(&"GET") && methods.contains(&"POST"),
        "Allow: {allow:?}"
    );
}

/// Every route of the app's table, pages included, answers a method it does not list with
/// 405 and an `Allow` of exactly the methods the table gives it (HEAD beside GET).
#[test]
fn every_route_allows_exactly_the_methods_of_the_table() {
    let app = TestApp::spawn();
    for route in horrors::app::ROUTES {
        let mut listed: Vec<&str> = Vec::new();
        for endpoint in route.endpoints() {
            listed.push(endpoint.method.as_str());
            if endpoint.method.as_str() == "GET" {
                listed.push("HEAD");
            }
        }
        listed.sort_unstable();
        let other = ["DELETE", "PATCH", "PUT"]
            .into_iter()
            .find(|m| !listed.contains(m))
            .expect("a method the route does not list");
        let path: Vec<&str> = route
            .path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "7"
                } else {
                    segment
                }
            })
            .collect();
        let path = path.join("/");
        let reply = app.call(other, &path, Some(&app.admin), None, None, &[]);
        let what = format!("{other} {}", route.path);
        assert_eq!(reply.status, 405, "{what}: {}", reply.text);
        assert_eq!(reply.body["error"]["code"], "method_not_allowed", "{what}");
        let allow = reply.header("allow").unwrap_or_default();
        let mut allowed: Vec<&str> = allow.split(',').map(str::trim).collect();
        allowed.sort_unstable();
        assert_eq!(allowed, listed, "{what}: Allow {allow:?}");
    }
}

#[test]
fn head_works_wherever_get_does() {
    let app = TestApp::spawn();
    let reply = app.call("HEAD", "/healthz", None, None, None, &[]);
    assert_eq!(reply.status, 200);
    let reply = app.call("HEAD", "/api/ranking", Some(&app.viewer), None, None, &[]);
    assert_eq!(reply.status, 200);
}

/// Regression: errors quoted whole inputs (60 KB site keys, 50 MB CSV cells). A refused
/// value comes back as at most 60 characters and "…", in the message and in its details.
#[test]
fn errors_quote_at_most_the_first_60_characters_of_an_input() {
    let app = TestApp::spawn_with(&crate::sites::config_with_sites());
    let huge = "k".repeat(60_000);
    let quoted = format!("\"{}\"…", "k".repeat(60));
    let before = app.tick_count();
    let replies = [
        app.tick(json!({"horror": "damaged", "site": huge})),
        app.tick(json!({"horror": huge, "site": "tokyo"})),
        app.post(
            "/api/ticks/batch",
            &app.staff,
            &json!({"ticks": [{"horror": "damaged", "site": "tokyo"}, {"horror": "damaged", "site": huge}]}),
        ),
        app.put(
            "/api/volume",
            &app.staff,
            &json!({"entries": [{"day": "2026-01-01", "site": huge, "units": 1}]}),
        ),
        app.put(
            "/api/volume",
            &app.staff,
            &json!({"entries": [{"day": huge, "site": "tokyo", "units": 1}]}),
        ),
        app.tick(json!({"horror": "damaged", "site": "tokyo", "source": huge})),
        app.get(&format!("/api/ranking?days=7&by={}", "b".repeat(6000)), &app.viewer),
        app.get(&format!("/api/ranking?days=7&site={}", "s".repeat(6000)), &app.viewer),
    ];
    for (i, reply) in replies.iter().enumerate() {
        assert!(
            (400..500).contains(&reply.status),
            "case {i}: {} {}",
            reply.status,
            &reply.text[..reply.text.len().min(300)]
        );
        assert!(
            reply.text.len() < 1500,
            "case {i}: {} bytes: {}",
            reply.text.len(),
            &reply.text[..300]
        );
    }
    for reply in &replies[..5] {
        let error = &reply.body["error"];
        let mut messages = vec![error["message"].as_str().unwrap()];
        if let Some(details) = error["details"].as_array() {
            messages.extend(details.iter().filter_map(|d| d["message"].as_str()));
        }
        assert!(messages.iter().any(|m| m.contains(&quoted)), "{messages:?}");
    }
    assert_eq!(app.tick_count(), before, "nothing was written");
}
