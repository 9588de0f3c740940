//! `/metrics`: off by default, behind its token on the main listener or open on its own
//! listener; counters that move as ticks are recorded and refused; route labels that are
//! templates, so a fuzzer cannot grow them; output that Prometheus' own `promtool` accepts.

use std::net::TcpListener;

use horrors::http::HttpOptions;
use serde_json::json;

use crate::helpers::{TestApp, CONFIG};

const TOKEN: &str = "scrape-me-0123456789abcdef";

fn with_token() -> TestApp {
    TestApp::spawn_with_options(
        CONFIG,
        HttpOptions {
            auth_failures: Some(1_000_000),
            metrics_token: Some(TOKEN.into()),
            ..HttpOptions::default()
        },
    )
}

/// The value of the sample `line_start` (metric name with its labels) in `text`.
fn sample(text: &str, line_start: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(line_start)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

fn scrape(app: &TestApp) -> String {
    let reply = app.get("/metrics", TOKEN);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    reply.text
}

/// `promtool check metrics` (Debian's `prometheus` package) on `text`; skipped with a
/// message when promtool is not installed.
fn promtool_accepts(text: &str) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(_) => {
            eprintln!(
                "SKIPPED promtool check: promtool not installed (apt-get install prometheus)"
            );
            return;
        }
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics: {}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn metrics_are_off_by_default() {
    let app = TestApp::spawn();
    app.get("/metrics", &app.admin)
        .assert_error(404, "not_found");
    // Another method says nothing more about the path: no 405 with `Allow: GET`.
    app.call("POST", "/metrics", Some(&app.admin), None, None, &[])
        .assert_error(404, "not_found");
}

#[test]
fn metrics_answer_get_only_and_other_methods_find_no_route() {
    let app = with_token();
    for method in ["POST", "PUT", "DELETE"] {
        app.call(method, "/metrics", None, None, None, &[])
            .assert_error(404, "not_found");
    }
}

#[test]
fn metrics_on_the_main_listener_need_their_token() {
    let app = with_token();
    let none = app.call("GET", "/metrics", None, None, None, &[]);
    none.assert_error(401, "unauthorized");
    assert!(none
        .header("www-authenticate")
        .unwrap()
        .starts_with("Bearer"));
    // Another valid credential of the app is not the metrics token.
    app.get("/metrics", &app.admin)
        .assert_error(401, "unauthorized");
    assert!(!scrape(&app).is_empty());
}

#[test]
fn counters_move_as_ticks_are_recorded_and_refused() {
    let app = with_token();
    let before = scrape(&app);
    let recorded = "horrors_ticks_recorded_total";
    let refused = r#"horrors_ticks_refused_total{reason="unknown_horror"}"#;
    for _ in 0..3 {
        assert_eq!(app.tick(json!({"horror": "damaged"})).status, 201);
    }
    let batch = app.post(
        "/api/ticks/batch",
        &app.staff,
        &json!({"ticks": [{"horror": "damaged"}, {"horror": "late-delivery"}]}),
    );
    assert_eq!(batch.status, 201, "{}", batch.text);
    // A replay is not a new tick.
    let key = [("Idempotency-Key", "same-key-1")];
    for _ in 0..2 {
        let body = serde_json::to_vec(&json!({"horror": "damaged"})).unwrap();
        let reply = app.call(
            "POST",
            "/api/ticks",
            Some(&app.staff),
            Some("application/json"),
            Some(&body),
            &key,
        );
        assert!(reply.status == 201 || reply.status == 200, "{}", reply.text);
    }
    app.tick(json!({"horror": "no-such-horror"}))
        .assert_error(422, "unknown_horror");
    let after = scrape(&app);
    assert_eq!(sample(&after, recorded) - sample(&before, recorded), 6.0);
    assert_eq!(sample(&after, refused) - sample(&before, refused), 1.0);
    let created = r#"horrors_http_requests_total{route="/api/ticks",method="POST",status="201"}"#;
    assert_eq!(sample(&after, created), 4.0, "{after}");
    assert_eq!(
        sample(
            &after,
            r#"horrors_http_request_duration_seconds_count{route="/api/ticks",method="POST"}"#
        ),
        6.0,
        "{after}"
    );
    assert!(
        sample(&after, "horrors_writer_group_size_count") >= 6.0,
        "{after}"
    );
    assert!(
        after.contains("\nhorrors_writer_queue_depth 0\n"),
        "{after}"
    );
    assert!(after.contains("\nhorrors_storage_degraded 0\n"), "{after}");
    assert!(
        after.contains("\nhorrors_db_pool_busy_connections 0\n"),
        "{after}"
    );
    let engine = if app.sqlite() { "sqlite" } else { "postgres" };
    assert!(
        after.contains(&format!("engine=\"{engine}\"}} 1")),
        "build info: {after}"
    );
    promtool_accepts(&after);
}

#[test]
fn route_labels_are_templates_and_unknown_paths_share_one() {
    let app = with_token();
    let cycle = app.post(
        "/api/cycles",
        &app.admin,
        &json!({"name": "c", "start": "2026-01-01", "days": 7}),
    );
    let id = cycle.body["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/cycles/{id}"), &app.viewer).status,
        200
    );
    app.get("/api/cycles/999999", &app.viewer)
        .assert_error(404, "not_found");
    for i in 0..50 {
        app.get(&format!("/fuzz/{i}/x?y={i}"), &app.viewer);
        app.call(&format!("M{i}"), "/api/ranking", None, None, None, &[]);
    }
    let text = scrape(&app);
    let series: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("horrors_http_requests_total{"))
        .collect();
    assert!(
        series.iter().all(|l| !l.contains("/fuzz/")
            && !l.contains("999999")
            && !l.contains(&format!("/api/cycles/{id}\""))),
        "{series:#?}"
    );
    assert!(series.contains(
        &r#"horrors_http_requests_total{route="/api/cycles/{id}",method="GET",status="200"} 1"#
    ));
    assert!(series.contains(
        &r#"horrors_http_requests_total{route="(unmatched)",method="GET",status="404"} 50"#
    ));
    assert!(
        series.contains(
            &r#"horrors_http_requests_total{route="/api/ranking",method="OTHER",status="405"} 50"#
        ),
        "{series:#?}"
    );
    assert!(series.len() < 12, "{series:#?}");
    promtool_accepts(&text);
}

#[test]
fn its_own_listener_serves_metrics_alone_and_openmetrics_on_request() {
    let app = TestApp::spawn();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let store = app.store.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            horrors::http::metrics::serve_metrics(listener, store)
                .unwrap()
                .await
                .unwrap();
        })
    });
    assert_eq!(app.tick(json!({"horror": "damaged"})).status, 201);
    let agent = ureq::AgentBuilder::new().build();
    let url = format!("http://127.0.0.1:{port}/metrics");
    let text = agent.get(&url).call().unwrap().into_string().unwrap();
    assert_eq!(sample(&text, "horrors_ticks_recorded_total"), 1.0, "{text}");
    promtool_accepts(&text);
    let open = agent
        .get(&url)
        .set("Accept", "application/openmetrics-text; version=1.0.0")
        .call()
        .unwrap();
    assert!(open
        .header("content-type")
        .unwrap()
        .starts_with("application/openmetrics-text"));
    assert!(open.into_string().unwrap().ends_with("# EOF\n"));
    match agent
        .get(&format!("http://127.0.0.1:{port}/api/ranking"))
        .call()
    {
        Err(ureq::Error::Status(404, _)) => {}
        other => panic!("the metrics listener answered another path: {other:?}"),
    }
    // The main listener still has no /metrics.
    app.get("/metrics", &app.admin)
        .assert_error(404, "not_found");
}
