//! Authentication and roles: the full route × role matrix, API and pages, walked from the
//! app's route table; token life cycle (create, use, revoke) and that only hashes of
//! secrets are ever stored.

use horrors::app::ROUTES;
use horrors::auth::Role;
use horrors::http::Kind;
use serde_json::{json, Value};

use crate::helpers::{Reply, TestApp};

/// The (method, path, least role) of every route of the app's table of `kind` (None =
/// open): the matrix the tests below walk, so a route added to the table is checked here
/// without being listed again.
fn matrix(kind: impl Fn(Kind) -> bool) -> Vec<(&'static str, &'static str, Option<Role>)> {
    let all: Vec<_> = ROUTES
        .iter()
        .filter(|route| kind(route.kind))
        .flat_map(|route| {
            route
                .endpoints()
                .map(|e| (e.method.as_str(), route.path, e.role))
        })
        .collect();
    // A filter that matched nothing would make every test below pass vacuously.
    assert!(
        all.iter().any(|(_, _, role)| role.is_none())
            && all.iter().any(|(_, _, role)| role.is_some()),
        "the table has open routes and routes that need a role"
    );
    all
}

/// The JSON API's routes.
fn api() -> Vec<(&'static str, &'static str, Option<Role>)> {
    matrix(|kind| kind == Kind::Api)
}

/// The pages and what serves them.
fn pages() -> Vec<(&'static str, &'static str, Option<Role>)> {
    matrix(|kind| kind != Kind::Api)
}

/// The catalogue of `CONFIG`, as a `PUT /api/horrors` body that changes nothing.
pub fn config_catalogue() -> Value {
    json!({"horrors": [
        {"key": "late-delivery", "name": "Late delivery", "description": "Package delivered after the promised time", "pain": 9, "unit_cost": "35.00", "operational": true},
        {"key": "lost-package", "name": "Lost package", "pain": 10, "unit_cost": "120.00"},
        {"key": "damaged", "name": "Damaged package 📦", "pain": 8, "unit_cost": "60.00"},
        {"key": "wrong-address", "name": "配送先の誤り", "pain": 7, "unit_cost": "25.50"},
        {"key": "missed-pickup", "name": "Missed pickup", "pain": 6, "unit_cost": "0.99"},
    ]})
}

struct Fixture {
    cycle_id: i64,
}

fn fixture(app: &TestApp) -> Fixture {
    let cycle = app.post(
        "/api/cycles",
        &app.admin,
        &json!({"name": "fixture", "start": "2026-01-01", "days": 7}),
    );
    assert_eq!(cycle.status, 201, "{}", cycle.text);
    Fixture {
        cycle_id: cycle.body["id"].as_i64().unwrap(),
    }
}

/// Sends the request for (method, route) that succeeds for a caller with enough rights,
/// and returns the reply and the status that success has.
fn request(
    app: &TestApp,
    fx: &Fixture,
    method: &str,
    route: &str,
    token: Option<&str>,
) -> (Reply, u16) {
    let (path, body, ok): (String, Option<Value>, u16) = match (method, route) {
        ("PUT", "/api/horrors") => (route.into(), Some(config_catalogue()), 200),
        ("POST", "/api/ticks") => (route.into(), Some(json!({"horror": "damaged"})), 201),
        ("POST", "/api/ticks/batch") => (
            route.into(),
            Some(json!({"ticks": [{"horror": "damaged"}]})),
            201,
        ),
        ("POST", "/api/ticks/{id}/void") => {
            // A fresh tick by the caller itself (staff fixture when there is no caller).
            let owner = token.unwrap_or(&app.staff);
            let tick = app.post("/api/ticks", owner, &json!({"horror": "damaged"}));
            let id = if tick.status == 201 {
                tick.body["id"].as_i64().unwrap()
            } else {
                // A caller who cannot tick (bad token): void a staff tick instead.
                let tick = app.tick(json!({"horror": "damaged"}));
                tick.body["id"].as_i64().unwrap()
            };
            (
                format!("/api/ticks/{id}/void"),
                Some(json!({"reason": "matrix"})),
                200,
            )
        }
        ("PUT", "/api/volume") => (
            route.into(),
            Some(json!({"entries": [{"day": "2026-01-05", "units": 1200}]})),
            200,
        ),
        ("POST", "/api/tokens") => (
            route.into(),
            Some(json!({"name": "made", "role": "staff"})),
            201,
        ),
        ("POST", "/api/tokens/{id}/revoke") => {
            let (info, _) = app.store.create_token("throwaway", Role::Staff).unwrap();
            (format!("/api/tokens/{}/revoke", info.id), None, 200)
        }
        ("POST", "/api/sessions/{id}/revoke") => {
            // A fresh session of a throwaway token.
            let (_, secret) = app.store.create_token("throwaway", Role::Staff).unwrap();
            app.session(&secret);
            let id = app.store.list_sessions().unwrap()[0].id.clone();
            (format!("/api/sessions/{id}/revoke"), None, 204)
        }
        ("POST", "/api/enrolments") => (
            route.into(),
            Some(json!({"role": "staff", "name": "matrix phone"})),
            201,
        ),
        ("POST", "/api/cycles") => (
            route.into(),
            Some(json!({"name": "matrix", "start": "2026-02-01", "days": 7})),
            201,
        ),
        ("GET", "/api/cycles/{id}") => (format!("/api/cycles/{}", fx.cycle_id), None, 200),
        ("PUT", "/api/cycles/{id}") => (
            format!("/api/cycles/{}", fx.cycle_id),
            Some(json!({"name": "renamed"})),
            200,
        ),
        ("POST", "/api/nominations") => (
            route.into(),
            Some(json!({"title": "Cold food at the table"})),
            201,
        ),
        ("POST", "/api/nominations/{id}/support") => {
            // A fresh nomination each time, so that every caller may support it once.
            let made = app.post("/api/nominations", &app.staff, &json!({"title": "matrix"}));
            let id = made.body["id"].as_i64().unwrap();
            (format!("/api/nominations/{id}/support"), None, 200)
        }
        ("POST", "/api/nominations/{id}/decline") => {
            let made = app.post("/api/nominations", &app.staff, &json!({"title": "matrix"}));
            let id = made.body["id"].as_i64().unwrap();
            (
                format!("/api/nominations/{id}/decline"),
                Some(json!({"reason": "matrix"})),
                200,
            )
        }
        ("POST", "/api/nominations/{id}/adopt") => {
            // The test catalogue has five horrors; each adoption adds one under a fresh key.
            let made = app.post("/api/nominations", &app.staff, &json!({"title": "matrix"}));
            let id = made.body["id"].as_i64().unwrap();
            (
                format!("/api/nominations/{id}/adopt"),
                Some(
                    json!({"key": format!("adopted-{id}"), "name": "Adopted", "pain": 5, "unit_cost": "1.00"}),
                ),
                200,
            )
        }
        ("POST", "/api/sheets") => (
            route.into(),
            Some(json!({"days": [{"day": "2026-01-05", "counts": {"damaged": 1}}]})),
            201,
        ),
        ("DELETE", "/api/sheets/{id}") => {
            // A fresh sheet each time, entered by staff.
            let made = app.post(
                "/api/sheets",
                &app.staff,
                &json!({"days": [{"day": "2026-01-05", "counts": {"damaged": 1}}]}),
            );
            let id = made.body["id"].as_i64().unwrap();
            (format!("/api/sheets/{id}"), None, 200)
        }
        ("GET", "/api/export/annual.zip") => ("/api/export/annual.zip?year=2026".into(), None, 200),
        ("GET", "/charts/{file}") => ("/charts/pareto.svg".into(), None, 200),
        ("GET", _) => (route.into(), None, 200),
        other => panic!("no request for {other:?}"),
    };
    let bytes = body.map(|b| serde_json::to_vec(&b).unwrap());
    let reply = app.call(
        method,
        &path,
        token,
        bytes.as_ref().map(|_| "application/json"),
        bytes.as_deref(),
        &[],
    );
    (reply, ok)
}

#[track_caller]
fn assert_unauthorized(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 401, "{what}: {}", reply.text);
    assert_eq!(
        reply.body["error"]["code"], "unauthorized",
        "{what}: {}",
        reply.text
    );
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{what}: {}",
        reply.text
    );
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer"),
        "{what}: WWW-Authenticate is {challenge:?}"
    );
}

#[test]
fn no_token_or_a_bad_token_is_401_with_a_bearer_challenge() {
    let app = TestApp::spawn();
    let fx = fixture(&app);
    let ticks_before = app.tick_count();
    for (method, route, role) in api() {
        let what = format!("{method} {route}");
        if role.is_none() {
            let (reply, ok) = request(&app, &fx, method, route, None);
            assert_eq!(reply.status, ok, "{what} must be open: {}", reply.text);
            continue;
        }
        let (reply, _) = request(&app, &fx, method, route, None);
        assert_unauthorized(&reply, &format!("{what} without a token"));
        let (reply, _) = request(&app, &fx, method, route, Some("hrr_not-a-real-token"));
        assert_unauthorized(&reply, &format!("{what} with a bad token"));
    }
    // Other malformed Authorization headers.
    for header in [
        "Basic YWRtaW46YWRtaW4=",
        "Bearer",
        "Bearer ",
        "bearer-nospace",
        "Token abc",
    ] {
        let reply = app.call(
            "GET",
            "/api/me",
            None,
            None,
            None,
            &[("Authorization", header)],
        );
        assert_unauthorized(&reply, header);
    }
    // A real admin secret in the wrong scheme is still refused.
    let reply = app.call(
        "GET",
        "/api/me",
        None,
        None,
        None,
        &[("Authorization", &format!("Basic {}", app.admin))],
    );
    assert_unauthorized(&reply, "Basic with a real secret");
    // The void fixtures recorded staff ticks, but nothing unauthenticated got through:
    // every void was refused, so none of the fixture ticks is voided.
    let list = app.get("/api/ticks?include_voided=true&days=3660", &app.viewer);
    let ticks = list.body["ticks"].as_array().unwrap();
    assert_eq!(ticks.len() as i64, app.tick_count());
    assert!(ticks.iter().all(|t| t["voided"] == false), "{}", list.text);
    assert!(app.tick_count() > ticks_before);
    assert!(ticks.iter().all(|t| t["recorded_by"] == "ana"));
}

#[test]
fn each_role_reaches_exactly_its_routes() {
    let app = TestApp::spawn();
    let fx = fixture(&app);
    let roles = [
        (Role::Staff, app.staff.clone()),
        (Role::Viewer, app.viewer.clone()),
        (Role::Admin, app.admin.clone()),
    ];
    for (role, token) in &roles {
        for (method, route, min) in api() {
            let what = format!("{role:?} {method} {route}");
            let (reply, ok) = request(&app, &fx, method, route, Some(token));
            match min {
                Some(min) if *role < min => {
                    reply.assert_error(403, "forbidden");
                }
                _ => assert_eq!(reply.status, ok, "{what}: {}", reply.text),
            }
        }
    }
    // Spot checks of what the SPEC names explicitly.
    let me = app.get("/api/me", &app.staff);
    assert_eq!(
        me.body,
        json!({"name": "ana", "role": "staff", "site": null})
    );
    let me = app.get("/api/me", &app.viewer);
    assert_eq!(
        me.body,
        json!({"name": "exec", "role": "viewer", "site": null})
    );
    let me = app.get("/api/me", &app.admin);
    assert_eq!(
        me.body,
        json!({"name": "boss", "role": "admin", "site": null})
    );
}

/// Sends the request for a page route (method, route) that succeeds for a session with
/// enough rights (`token`'s; none without a token), and returns the reply and the status
/// that success has.
fn page_request(app: &TestApp, method: &str, route: &str, token: Option<&str>) -> (Reply, u16) {
    let cookie = token.map(|token| app.session(token));
    let mut headers: Vec<(&str, String)> = Vec::new();
    if let Some(cookie) = &cookie {
        headers.push(("Cookie", cookie.clone()));
    }
    let form = "application/x-www-form-urlencoded";
    let (path, body, ok): (String, Option<String>, u16) = match (method, route) {
        // The caller's page, or the login page.
        ("GET", "/") => (route.into(), None, 303),
        ("POST", "/login") => {
            headers.push(("Origin", app.base.clone()));
            (route.into(), Some(format!("token={}", app.staff)), 303)
        }
        ("POST", "/logout") => {
            // The session's CSRF secret, as its pages carry it.
            let csrf = match (&cookie, token) {
                (Some(cookie), Some(token)) => {
                    let home = if token == app.staff {
                        "/tally"
                    } else {
                        "/dashboard"
                    };
                    let page = app.call("GET", home, None, None, None, &[("Cookie", cookie)]);
                    let marker = "name=\"csrf-token\" content=\"";
                    let start = page.text.find(marker).expect("a CSRF meta") + marker.len();
                    let end = start + page.text[start..].find('"').unwrap();
                    page.text[start..end].to_string()
                }
                _ => "none".into(),
            };
            (route.into(), Some(format!("csrf={csrf}")), 303)
        }
        ("GET", "/static/{file}") => ("/static/style.css".into(), None, 200),
        // Open, and "not configured" (404) without [auth.oidc]; tests/api/oidc.rs has
        // the sign-ins themselves.
        ("GET", "/auth/login" | "/auth/callback") => (route.into(), None, 404),
        ("GET", "/enrol/{code}") => {
            let code = app
                .store
                .create_enrolment(Role::Viewer, None, "matrix phone", "test")
                .unwrap()
                .code;
            (format!("/enrol/{code}"), None, 303)
        }
        ("GET", _) => (route.into(), None, 200),
        other => panic!("no page request for {other:?}"),
    };
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let reply = app.call(
        method,
        &path,
        None,
        body.as_ref().map(|_| form),
        body.as_deref().map(str::as_bytes),
        &headers,
    );
    (reply, ok)
}

#[test]
fn each_role_reaches_exactly_its_pages() {
    let app = TestApp::spawn();
    for (method, route, min) in pages() {
        let what = format!("{method} {route} without a session");
        let (reply, ok) = page_request(&app, method, route, None);
        match min {
            // Strangers are sent to log in, and back here afterwards.
            Some(_) => {
                assert_eq!(reply.status, 303, "{what}: {}", reply.text);
                let location = reply.header("location").unwrap_or_default();
                assert!(
                    location.starts_with("/login?next="),
                    "{what}: Location {location:?}"
                );
            }
            None => assert_eq!(reply.status, ok, "{what} must be open: {}", reply.text),
        }
    }
    let roles = [
        (Role::Staff, &app.staff),
        (Role::Viewer, &app.viewer),
        (Role::Admin, &app.admin),
    ];
    for (role, token) in roles {
        for (method, route, min) in pages() {
            let what = format!("{role:?} {method} {route}");
            let (reply, ok) = page_request(&app, method, route, Some(token));
            match min {
                Some(min) if role < min => {
                    assert_eq!(reply.status, 403, "{what}: {}", reply.text);
                    let kind = reply.header("content-type").unwrap_or_default();
                    assert!(kind.starts_with("text/html"), "{what}: a page, not {kind}");
                }
                _ => assert_eq!(reply.status, ok, "{what}: {}", reply.text),
            }
        }
    }
}

#[test]
fn forbidden_writes_change_nothing() {
    let app = TestApp::spawn();
    let before = app
        .get("/api/horrors?include_retired=true", &app.admin)
        .body;
    let tokens_before = app.get("/api/tokens", &app.admin).body;
    for token in [&app.staff, &app.viewer] {
        let reply = app.put(
            "/api/horrors",
            token,
            &json!({"horrors": [
                {"key": "a1", "name": "A", "pain": 1, "unit_cost": "1"},
                {"key": "a2", "name": "A", "pain": 1, "unit_cost": "1"},
                {"key": "a3", "name": "A", "pain": 1, "unit_cost": "1"},
                {"key": "a4", "name": "A", "pain": 1, "unit_cost": "1"},
                {"key": "a5", "name": "A", "pain": 1, "unit_cost": "1"},
            ]}),
        );
        reply.assert_error(403, "forbidden");
        let reply = app.post(
            "/api/tokens",
            token,
            &json!({"name": "sneaky", "role": "admin"}),
        );
        reply.assert_error(403, "forbidden");
        let reply = app.call("POST", "/api/tokens/1/revoke", Some(token), None, None, &[]);
        reply.assert_error(403, "forbidden");
    }
    assert_eq!(
        app.get("/api/horrors?include_retired=true", &app.admin)
            .body,
        before
    );
    assert_eq!(app.get("/api/tokens", &app.admin).body, tokens_before);
    // Every token still works.
    for token in [&app.admin, &app.viewer, &app.staff, &app.staff2] {
        assert_eq!(app.get("/api/me", token).status, 200);
    }
}

#[test]
fn a_created_token_works_and_its_secret_is_never_listed_or_stored() {
    let app = TestApp::spawn();
    let created = app.post(
        "/api/tokens",
        &app.admin,
        &json!({"name": "tablet 7", "role": "viewer", "site": null}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let secret = created.body["token"].as_str().unwrap().to_string();
    assert!(secret.starts_with("hrr_") && secret.len() == 68, "{secret}");
    assert_eq!(created.body["name"], "tablet 7");
    assert_eq!(created.body["role"], "viewer");
    assert_eq!(created.body["revoked_at"], Value::Null);
    let id = created.body["id"].as_i64().unwrap();

    let me = app.get("/api/me", &secret);
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(
        me.body,
        json!({"name": "tablet 7", "role": "viewer", "site": null})
    );
    // A viewer token: rankings yes, catalogue changes no.
    assert_eq!(app.get("/api/ranking", &secret).status, 200);
    app.put("/api/horrors", &secret, &config_catalogue())
        .assert_error(403, "forbidden");

    let list = app.get("/api/tokens", &app.admin);
    assert_eq!(list.status, 200);
    assert!(!list.text.contains(&secret), "the list leaks the secret");
    for t in [&app.admin, &app.viewer, &app.staff, &app.staff2] {
        assert!(!list.text.contains(t.as_str()), "the list leaks a secret");
    }
    let tokens = list.body["tokens"].as_array().unwrap();
    let names: Vec<&str> = tokens.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["boss", "exec", "ana", "ben", "tablet 7"]);
    let mine = tokens.iter().find(|t| t["id"] == id).unwrap();
    let mut keys: Vec<&str> = mine
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["created_at", "id", "name", "revoked_at", "role", "site"]
    );
    assert_eq!(app.store.list_tokens().unwrap().len(), tokens.len());

    // Only hashes on disk: no secret appears in the database (or its WAL) in any form.
    let hashes: Vec<Vec<u8>> = app
        .store
        .read(|conn| conn.rows("SELECT hash FROM tokens ORDER BY id", &[], |r| r.bytes(0)))
        .unwrap();
    assert_eq!(hashes.len(), 5);
    assert!(hashes.contains(&horrors::auth::hash_secret(&secret)));
    if !app.sqlite() {
        return; // PostgreSQL's files are its own; the hashes above are what it holds.
    }
    let secrets = [&secret, &app.admin, &app.viewer, &app.staff, &app.staff2];
    for entry in std::fs::read_dir(app.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for s in secrets {
            let hex_part = s.trim_start_matches("hrr_");
            assert!(
                !contains(&bytes, s.as_bytes()) && !contains(&bytes, hex_part.as_bytes()),
                "{} holds a token secret",
                path.display()
            );
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_revoked_token_is_refused_on_the_very_next_request() {
    let app = TestApp::spawn();
    let created = app.post(
        "/api/tokens",
        &app.admin,
        &json!({"name": "phone", "role": "staff"}),
    );
    let secret = created.body["token"].as_str().unwrap().to_string();
    let id = created.body["id"].as_i64().unwrap();
    let tick = app.post("/api/ticks", &secret, &json!({"horror": "damaged"}));
    assert_eq!(tick.status, 201, "{}", tick.text);
    assert_eq!(tick.body["recorded_by"], "phone");

    let revoked = app.call(
        "POST",
        &format!("/api/tokens/{id}/revoke"),
        Some(&app.admin),
        None,
        None,
        &[],
    );
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert_eq!(revoked.body["id"], id);
    assert!(revoked.body["revoked_at"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));

    let count = app.tick_count();
    let reply = app.post("/api/ticks", &secret, &json!({"horror": "damaged"}));
    assert_unauthorized(&reply, "revoked token");
    assert_eq!(app.tick_count(), count);
    assert_unauthorized(&app.get("/api/me", &secret), "revoked token /api/me");
    assert_unauthorized(
        &app.get("/api/horrors", &secret),
        "revoked token /api/horrors",
    );

    // Revoking again is idempotent and keeps the first revocation time.
    let again = app.call(
        "POST",
        &format!("/api/tokens/{id}/revoke"),
        Some(&app.admin),
        None,
        None,
        &[],
    );
    assert_eq!(again.status, 200);
    assert_eq!(again.body["revoked_at"], revoked.body["revoked_at"]);
    // Unknown and non-numeric ids are 404.
    app.call(
        "POST",
        "/api/tokens/99999/revoke",
        Some(&app.admin),
        None,
        None,
        &[],
    )
    .assert_error(404, "not_found");
    app.call(
        "POST",
        "/api/tokens/abc/revoke",
        Some(&app.admin),
        None,
        None,
        &[],
    )
    .assert_error(404, "not_found");
    // The other tokens are untouched, and the list shows the revocation.
    assert_eq!(app.get("/api/me", &app.staff).status, 200);
    let list = app.get("/api/tokens", &app.admin);
    let entry = list.body["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(entry["revoked_at"], revoked.body["revoked_at"]);
    // The ticks recorded before revocation stay.
    assert_eq!(
        app.get("/api/ticks?days=1", &app.viewer).body["ticks"][0]["recorded_by"],
        "phone"
    );
}

#[test]
fn token_creation_validates_its_input() {
    let app = TestApp::spawn();
    let count = app.store.list_tokens().unwrap().len();
    for body in [
        json!({"name": "", "role": "staff"}),
        json!({"name": "   ", "role": "staff"}),
        json!({"name": "x".repeat(61), "role": "staff"}),
    ] {
        app.post("/api/tokens", &app.admin, &body)
            .assert_error(422, "invalid_name");
    }
    for body in [
        json!({"name": "x", "role": "root"}),
        json!({"name": "x"}),
        json!({"name": "x", "role": "staff", "extra": 1}),
    ] {
        let reply = app.post("/api/tokens", &app.admin, &body);
        assert_eq!(reply.status, 422, "{body}: {}", reply.text);
        assert_eq!(reply.body["error"]["code"], "invalid_body");
    }
    assert_eq!(app.store.list_tokens().unwrap().len(), count);
}

#[test]
fn open_routes_need_no_token_and_ignore_a_bad_one() {
    let app = TestApp::spawn();
    let health = app.call("GET", "/healthz", None, None, None, &[]);
    assert_eq!(health.status, 200);
    assert_eq!(health.body, json!({"status": "ok"}));
    let doc = app.call("GET", "/api/openapi.json", None, None, None, &[]);
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3."));
    let health = app.call("GET", "/healthz", Some("hrr_bad"), None, None, &[]);
    assert_eq!(health.status, 200);
}
