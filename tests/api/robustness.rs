//! SPEC §14, each rule against the real server over real sockets: JSON shapes, HEAD,
//! HTTP/1.0, slow bodies, full storage, the auth throttle, forwarded headers, compression,
//! control characters, conditional requests.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use horrors::http::json::BodyDeadline;
use horrors::http::HttpOptions;
use serde_json::json;

use crate::helpers::{TestApp, CONFIG};

fn cycle_count(app: &TestApp) -> usize {
    app.get("/api/cycles", &app.admin).body["cycles"]
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn json_of_the_wrong_shape_is_422_and_writes_nothing() {
    let app = TestApp::spawn();
    let created = app.post(
        "/api/cycles",
        &app.admin,
        &json!({"name": "Spring", "start": "2026-03-01", "days": 30}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_i64().unwrap();
    let tick = app.tick(json!({"horror": "late-delivery"}));
    let tick_id = tick.body["id"].as_i64().unwrap();
    let cycle_before = app.get(&format!("/api/cycles/{id}"), &app.admin).text;
    let tokens_before = app.get("/api/tokens", &app.admin).text;
    let horrors_before = app.get("/api/horrors", &app.admin).text;
    let ticks_before = app.tick_count();
    let cycles_before = cycle_count(&app);
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "POST",
            "/api/ticks".into(),
            r#"["late-delivery", 3]"#,
            "staff",
        ),
        ("POST", "/api/ticks".into(), "[null,null]", "staff"),
        ("POST", "/api/ticks".into(), "[]", "staff"),
        ("POST", "/api/ticks".into(), r#"{"horror": 7}"#, "staff"),
        (
            "POST",
            "/api/ticks".into(),
            r#"{"horror": "late-delivery", "qty": "3"}"#,
            "staff",
        ),
        (
            "POST",
            "/api/ticks".into(),
            r#"{"horror": "late-delivery", "qty": 1, "qty": 900}"#,
            "staff",
        ),
        ("POST", "/api/ticks".into(), "\"late-delivery\"", "staff"),
        (
            "POST",
            "/api/ticks/batch".into(),
            r#"[[["late-delivery"]]]"#,
            "staff",
        ),
        (
            "POST",
            "/api/ticks/batch".into(),
            r#"{"ticks": [["late-delivery", 2]]}"#,
            "staff",
        ),
        (
            "POST",
            "/api/ticks/batch".into(),
            r#"{"ticks": {"horror": "late-delivery"}}"#,
            "staff",
        ),
        (
            "POST",
            format!("/api/ticks/{tick_id}/void"),
            r#"["oops"]"#,
            "admin",
        ),
        (
            "POST",
            format!("/api/ticks/{tick_id}/void"),
            r#"{"reason": 5}"#,
            "admin",
        ),
        ("POST", "/api/tokens".into(), r#"["x", "admin"]"#, "admin"),
        (
            "POST",
            "/api/cycles".into(),
            r#"["Autumn", "2026-09-01"]"#,
            "admin",
        ),
        ("PUT", format!("/api/cycles/{id}"), "[]", "admin"),
        (
            "PUT",
            format!("/api/cycles/{id}"),
            r#"["Renamed"]"#,
            "admin",
        ),
        (
            "PUT",
            format!("/api/cycles/{id}"),
            r#"{"focus": "late-delivery"}"#,
            "admin",
        ),
        ("PUT", "/api/horrors".into(), r#"[[]]"#, "admin"),
        (
            "PUT",
            "/api/horrors".into(),
            r#"{"horrors": [["a", "A", null, 3, "1.00"]]}"#,
            "admin",
        ),
    ];
    for (method, path, body, who) in &cases {
        let token = if *who == "staff" {
            &app.staff
        } else {
            &app.admin
        };
        let reply = app.call(
            method,
            path,
            Some(token),
            Some("application/json"),
            Some(body.as_bytes()),
            &[],
        );
        assert_eq!(reply.status, 422, "{method} {path} {body}: {}", reply.text);
        assert_eq!(
            reply.body["error"]["code"], "invalid_body",
            "{method} {path} {body}"
        );
    }
    assert_eq!(app.tick_count(), ticks_before, "no tick written");
    assert_eq!(cycle_count(&app), cycles_before, "no cycle written");
    assert_eq!(
        app.get(&format!("/api/cycles/{id}"), &app.admin).text,
        cycle_before
    );
    assert_eq!(app.get("/api/tokens", &app.admin).text, tokens_before);
    assert_eq!(app.get("/api/horrors", &app.admin).text, horrors_before);
    assert_eq!(
        app.get("/api/ticks?days=3", &app.admin).body["ticks"][0]["voided"],
        false
    );
    // Broken syntax stays 400.
    let reply = app.call(
        "POST",
        "/api/ticks",
        Some(&app.staff),
        Some("application/json"),
        Some(b"{\"horror\":"),
        &[],
    );
    reply.assert_error(400, "malformed_json");
}

#[test]
fn head_is_answered_wherever_get_is() {
    let app = TestApp::spawn();
    for path in [
        "/login",
        "/tally",
        "/dashboard",
        "/admin",
        "/",
        "/static/style.css",
        "/static/tally.js",
        "/healthz",
        "/api/openapi.json",
    ] {
        let reply = app.raw(
            format!("HEAD {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert!(
            matches!(reply.status, 200 | 303),
            "HEAD {path}: {} {:?}",
            reply.status,
            reply.headers
        );
        assert!(reply.text.is_empty(), "HEAD {path} has no body");
    }
}

#[test]
fn http_1_0_clients_never_get_chunked_bodies() {
    let app = TestApp::spawn();
    app.tick(json!({"horror": "late-delivery"}));
    for (path, gzip) in [
        ("/api/export/ticks.csv?days=30", false),
        ("/api/export/ranking.csv?days=30", false),
        ("/api/export/annual.zip", false),
        ("/api/export/ticks.csv?days=30", true),
        ("/api/ranking?days=30", true),
        ("/charts/pareto.svg?days=30", true),
    ] {
        let encoding = if gzip {
            "Accept-Encoding: gzip\r\n"
        } else {
            ""
        };
        let request = format!(
            "GET {path} HTTP/1.0\r\nHost: x\r\nAuthorization: Bearer {}\r\n{encoding}\r\n",
            app.viewer
        );
        let reply = app.raw(request.as_bytes());
        assert_eq!(reply.status, 200, "{path}");
        assert!(
            reply.header("transfer-encoding").is_none(),
            "{path} (gzip {gzip}) was chunked: {:?}",
            reply.headers
        );
        let length: usize = reply
            .header("content-length")
            .expect("a length")
            .parse()
            .unwrap();
        assert!(length > 0, "{path}");
    }
}

/// Opens `n` connections that send a request head and then trickle a body slowly.
fn tricklers(app: &TestApp, n: usize, path: &str, token: &str) -> Vec<TcpStream> {
    let address = app.base.trim_start_matches("http://").to_string();
    let (kind, start) = if path.starts_with("/api") {
        ("application/json", "{\"horror\":\"")
    } else {
        ("application/x-www-form-urlencoded", "token=")
    };
    (0..n)
        .map(|_| {
            let mut s = TcpStream::connect(&address).unwrap();
            s.write_all(
                format!(
                    "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: {kind}\r\nContent-Length: 1000\r\n\r\n{start}"
                )
                .as_bytes(),
            )
            .unwrap();
            s
        })
        .collect()
}

#[test]
fn slow_bodies_get_408_and_do_not_stop_others() {
    let app = TestApp::spawn_with_options(
        CONFIG,
        HttpOptions {
            body_deadline: BodyDeadline(Duration::from_secs(2)),
            auth_failures: Some(1_000_000),
            ..HttpOptions::default()
        },
    );
    let started = Instant::now();
    let mut slow = tricklers(&app, 300, "/login", "");
    slow.extend(tricklers(&app, 50, "/api/ticks", &app.staff));
    slow.extend(tricklers(&app, 10, "/api/ticks/1/void", &app.admin));
    // While they trickle, everyone else is served at once.
    for _ in 0..5 {
        for s in slow.iter_mut().step_by(7) {
            let _ = s.write_all(b"a");
        }
        let t = Instant::now();
        assert_eq!(app.get("/healthz", &app.viewer).status, 200);
        assert_eq!(app.tick(json!({"horror": "damaged"})).status, 201);
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "others are not starved"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Past the deadline each slow client gets 408 and its connection is closed.
    let mut timed_out = 0;
    for mut s in slow {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut reply = Vec::new();
        let _ = s.read_to_end(&mut reply);
        let text = String::from_utf8_lossy(&reply);
        if text.starts_with("HTTP/1.1 408") {
            timed_out += 1;
        } else {
            panic!("expected 408, got {text:?}");
        }
    }
    assert_eq!(timed_out, 360);
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "deadline kept: {:?}",
        started.elapsed()
    );
    assert_eq!(app.get("/healthz", &app.viewer).status, 200);
}

#[test]
fn full_storage_is_503_reads_go_on_and_writes_come_back_by_themselves() {
    // SQLite's own case, on SQLite whatever the suite's engine: PostgreSQL's lost-server
    // case is in tests/postgres.rs.
    let app = TestApp::spawn_on_sqlite();
    for _ in 0..3 {
        assert_eq!(app.tick(json!({"horror": "late-delivery"})).status, 201);
    }
    let pages: u64 = {
        let conn = rusqlite::Connection::open(app.db_path()).unwrap();
        conn.query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap()
    };
    // Storage runs out: the database may not grow by a single page.
    app.store.limit_pages_for_tests(Some(pages)).unwrap();
    let note = "x".repeat(400);
    let mut refused = 0;
    let mut acknowledged = 3;
    for i in 0..200 {
        let reply = app.tick(json!({"horror": "damaged", "note": format!("{note}{i}")}));
        match reply.status {
            201 => acknowledged += 1,
            503 => {
                reply.assert_error(503, "storage_unavailable");
                assert!(reply.header("retry-after").is_some(), "Retry-After");
                refused += 1;
            }
            other => panic!("tick {i}: {other} {}", reply.text),
        }
    }
    assert!(refused > 0, "storage never ran out");
    let health = app.call("GET", "/healthz", None, None, None, &[]);
    assert_eq!(health.status, 503, "{}", health.text);
    assert_eq!(health.body["status"], "degraded");
    // Reads keep working.
    assert_eq!(app.get("/api/ranking?days=30", &app.viewer).status, 200);
    assert_eq!(app.get("/api/horrors", &app.staff).status, 200);
    // Space comes back: writes resume by themselves.
    app.store.limit_pages_for_tests(None).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = app.tick(json!({"horror": "damaged"}));
        if reply.status == 201 {
            acknowledged += 1;
            break;
        }
        assert!(
            Instant::now() < deadline,
            "writes did not resume: {}",
            reply.text
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.call("GET", "/healthz", None, None, None, &[]).status != 200 {
        assert!(Instant::now() < deadline, "/healthz stayed degraded");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        app.tick_count(),
        acknowledged,
        "every acknowledged tick is there, no other"
    );
}

#[test]
fn failed_authentication_is_throttled_per_address() {
    let app = TestApp::spawn_with_options(
        CONFIG,
        HttpOptions {
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            ..HttpOptions::default()
        },
    );
    let from = |ip: &str| [("X-Forwarded-For", ip.to_string())];
    let call = |token: &str, ip: &str| {
        let h = from(ip);
        app.call(
            "GET",
            "/api/me",
            Some(token),
            None,
            None,
            &[("X-Forwarded-For", h[0].1.as_str())],
        )
    };
    for i in 0..20 {
        assert_eq!(call("wrong", "10.0.0.1").status, 401, "failure {i}");
    }
    let throttled = call("wrong", "10.0.0.1");
    throttled.assert_error(429, "too_many_attempts");
    let wait: u64 = throttled.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Valid credentials from that address, and other addresses, are not slowed.
    assert_eq!(call(&app.staff, "10.0.0.1").status, 200);
    assert_eq!(call("wrong", "10.0.0.2").status, 401);
    // A cookie that is not a session counts too, and so does the login form.
    let cookie = app.call(
        "GET",
        "/api/me",
        None,
        None,
        None,
        &[
            ("X-Forwarded-For", "10.0.0.1"),
            ("Cookie", "horrors_session=nope"),
        ],
    );
    cookie.assert_error(429, "too_many_attempts");
    for _ in 0..20 {
        app.call(
            "POST",
            "/login",
            None,
            Some("application/x-www-form-urlencoded"),
            Some(b"token=bad"),
            &[("X-Forwarded-For", "10.0.0.3")],
        );
    }
    let login = app.call(
        "POST",
        "/login",
        None,
        Some("application/x-www-form-urlencoded"),
        Some(b"token=bad"),
        &[("X-Forwarded-For", "10.0.0.3")],
    );
    assert_eq!(login.status, 429, "{}", login.text);
}

#[test]
fn forwarded_headers_count_only_from_trusted_proxies() {
    let app = TestApp::spawn();
    // An attacker's page posting a login with a forged X-Forwarded-Host is refused.
    let forged = app.call(
        "POST",
        "/login",
        None,
        Some("application/x-www-form-urlencoded"),
        Some(format!("token={}", app.staff).as_bytes()),
        &[
            ("Origin", "http://evil.example"),
            ("X-Forwarded-Host", "evil.example"),
        ],
    );
    assert_eq!(forged.status, 403, "{}", forged.text);
    // Nor does an untrusted X-Forwarded-Proto make the cookie Secure-only.
    let host = app.base.trim_start_matches("http://").to_string();
    let login = app.call(
        "POST",
        "/login",
        None,
        Some("application/x-www-form-urlencoded"),
        Some(format!("token={}", app.staff).as_bytes()),
        &[
            ("Origin", &format!("http://{host}")),
            ("X-Forwarded-Proto", "https"),
        ],
    );
    assert_eq!(login.status, 303, "{}", login.text);
    let cookie = login.header("set-cookie").unwrap();
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[test]
fn responses_are_compressed_when_asked_except_png_and_zip() {
    let app = TestApp::spawn();
    app.tick(json!({"horror": "late-delivery"}));
    for (path, compressed) in [
        ("/api/ranking?days=30", true),
        ("/api/export/ticks.csv?days=30", true),
        ("/charts/pareto.svg?days=30", true),
        ("/charts/pareto.png?days=30", false),
        ("/api/export/annual.zip", false),
        ("/api/openapi.json", true),
    ] {
        let (status, headers, bytes) =
            app.download(path, &app.viewer, &[("Accept-Encoding", "gzip")]);
        assert_eq!(status, 200, "{path}");
        let encoding = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-encoding"))
            .map(|(_, v)| v.as_str());
        if compressed {
            assert_eq!(encoding, Some("gzip"), "{path}");
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut plain)
                .unwrap();
            assert!(plain.len() > bytes.len(), "{path}");
        } else {
            assert!(
                matches!(encoding, None | Some("identity")),
                "{path}: {encoding:?}"
            );
        }
    }
    let page = app.raw(
        b"GET /login HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(page.header("content-encoding"), Some("gzip"));
}

#[test]
fn control_characters_are_refused_in_names_and_notes() {
    let app = TestApp::spawn();
    let before = app.tick_count();
    for note in [
        "a\u{0}b",
        "bell\u{7}",
        "esc\u{1b}[31m",
        "cr\rlf",
        "c1\u{85}",
    ] {
        let reply = app.tick(json!({"horror": "late-delivery", "note": note}));
        assert_eq!(reply.status, 422, "{note:?}: {}", reply.text);
    }
    assert_eq!(app.tick_count(), before);
    let fine = app.tick(json!({"horror": "late-delivery", "note": "line one\nline\ttwo"}));
    assert_eq!(fine.status, 201, "{}", fine.text);
    for name in ["Spring\u{0}", "tab\there", "new\nline"] {
        let reply = app.post(
            "/api/cycles",
            &app.admin,
            &json!({"name": name, "start": "2026-03-01"}),
        );
        assert_eq!(reply.status, 422, "{name:?}");
        let reply = app.post(
            "/api/tokens",
            &app.admin,
            &json!({"name": name, "role": "staff"}),
        );
        assert_eq!(reply.status, 422, "{name:?}");
    }
    let reply = app.post(
        "/api/cycles",
        &app.admin,
        &json!({"name": "Spring", "start": "2026-03-01", "note": "nul\u{0}"}),
    );
    assert_eq!(reply.status, 422);
    assert_eq!(cycle_count(&app), 0);
}

#[test]
fn conditional_requests_honour_weak_tags_and_star() {
    let app = TestApp::spawn();
    let (status, headers, _) = app.download("/charts/pareto.svg?days=30", &app.viewer, &[]);
    assert_eq!(status, 200);
    let etag = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("etag"))
        .unwrap()
        .1
        .clone();
    for tag in [
        etag.clone(),
        format!("W/{etag}"),
        "*".into(),
        format!("\"other\", {etag}"),
    ] {
        let (status, _, body) = app.download(
            "/charts/pareto.svg?days=30",
            &app.viewer,
            &[("If-None-Match", &tag)],
        );
        assert_eq!((status, body.len()), (304, 0), "{tag}");
    }
    let (status, _, _) = app.download(
        "/charts/pareto.svg?days=30",
        &app.viewer,
        &[("If-None-Match", "\"nope\"")],
    );
    assert_eq!(status, 200);
    let asset = app.raw(b"GET /static/style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let tag = asset.header("etag").unwrap().to_string();
    let again = app.raw(format!("GET /static/style.css HTTP/1.1\r\nHost: x\r\nIf-None-Match: W/{tag}\r\nConnection: close\r\n\r\n").as_bytes());
    assert_eq!(again.status, 304);
}

#[test]
fn an_unknown_chart_says_so_plainly() {
    let app = TestApp::spawn();
    let reply = app.get("/charts/nosuch.svg", &app.viewer);
    reply.assert_error(404, "not_found");
    let message = reply.body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("no chart \"nosuch.svg\""), "{message}");
    assert!(!message.contains("Path("), "{message}");
}

#[test]
fn chart_renders_are_bounded_and_the_rest_wait_or_get_503() {
    let app = TestApp::spawn_with_options(
        CONFIG,
        HttpOptions {
            chart_renders: Some(1),
            auth_failures: Some(1_000_000),
            ..HttpOptions::default()
        },
    );
    let app = std::sync::Arc::new(app);
    let handles: Vec<_> = (0..12)
        .map(|i| {
            let app = std::sync::Arc::clone(&app);
            std::thread::spawn(move || {
                app.download(
                    &format!("/charts/trend.png?days={}&width=3000&height=3000", 300 + i),
                    &app.viewer,
                    &[],
                )
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for h in handles {
        let (status, headers, body) = h.join().unwrap();
        if status == 503 {
            let text = String::from_utf8_lossy(&body);
            assert!(text.contains("overloaded"), "{text}");
            assert!(headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("retry-after")));
        } else {
            assert_eq!(status, 200);
        }
        statuses.push(status);
    }
    assert!(statuses.contains(&200), "{statuses:?}");
}

/// A small tmpfs mounted for one test, unmounted (lazily) when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts `size` bytes of tmpfs, or says why it cannot (not root, no mount permission).
    fn mount(size: u64) -> Result<Tmpfs, String> {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(Tmpfs { dir })
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    fn free(&self) -> u64 {
        let stat = rustix::fs::statvfs(self.path()).unwrap();
        stat.f_bavail * stat.f_frsize
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Posts batches of 1,000 ticks with 400-character notes until the first 503; returns how
/// many ticks were acknowledged.
fn fill_in_bursts(app: &TestApp, round: usize) -> i64 {
    let note = "n".repeat(390);
    let mut acknowledged = 0;
    for batch in 0..200 {
        let ticks: Vec<_> = (0..1000)
            .map(|i| json!({"horror": "damaged", "note": format!("{note}{round:02}{batch:04}{i:04}")}))
            .collect();
        let reply = app.post("/api/ticks/batch", &app.staff, &json!({ "ticks": ticks }));
        match reply.status {
            201 => acknowledged += 1000,
            503 => {
                reply.assert_error(503, "storage_unavailable");
                assert!(reply.header("retry-after").is_some(), "Retry-After");
                return acknowledged;
            }
            other => panic!("batch {batch}: {other} {}", reply.text),
        }
    }
    panic!("the file system never filled up");
}

/// Ticks every 100 ms until one is acknowledged; returns how long that took.
fn wait_for_writes(app: &TestApp, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let reply = app.tick(json!({"horror": "damaged"}));
        if reply.status == 201 {
            return started.elapsed();
        }
        reply.assert_error(503, "storage_unavailable");
        assert!(
            started.elapsed() < limit,
            "writes did not resume within {limit:?}: {}",
            reply.text
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Regression: on an 8 MiB file system, a burst filled the disk with a WAL that no
/// checkpoint could copy out any more, and writes answered 503 for good even after space
/// was freed. Writes now stop at the flood stage (free space below the WAL plus a margin).
#[test]
fn a_disk_filled_by_a_burst_recovers_once_space_is_freed() {
    let fs = match Tmpfs::mount(8 * 1024 * 1024) {
        Ok(fs) => fs,
        Err(why) => {
            eprintln!("skipped: this test mounts a tmpfs (run as root): {why}");
            return;
        }
    };
    let ballast = fs.path().join("ballast");
    std::fs::write(&ballast, vec![1u8; 2 * 1024 * 1024]).unwrap();
    let location = horrors::store::Location::Sqlite(fs.path().join("horrors.db"));
    let app = TestApp::spawn_at(
        tempfile::tempdir().unwrap(),
        &location,
        CONFIG,
        HttpOptions::default(),
    );
    let mut acknowledged = fill_in_bursts(&app, 0);
    assert!(
        acknowledged > 0,
        "nothing was written before the disk filled"
    );
    let health = app.call("GET", "/healthz", None, None, None, &[]);
    assert_eq!(health.status, 503, "{}", health.text);
    assert_eq!(health.body["status"], "degraded");
    assert_eq!(app.get("/api/ranking?days=30", &app.viewer).status, 200);
    assert_eq!(app.tick_count(), acknowledged, "reads go on");

    std::fs::remove_file(&ballast).unwrap();
    let took = wait_for_writes(&app, Duration::from_secs(10));
    eprintln!(
        "burst fill: {acknowledged} ticks, then writes resumed {took:?} after 2 MiB were freed"
    );
    acknowledged += 1;
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.call("GET", "/healthz", None, None, None, &[]).status != 200 {
        assert!(Instant::now() < deadline, "/healthz stayed degraded");
        std::thread::sleep(Duration::from_millis(200));
    }
    // The space is usable: a second burst writes again until the flood stage, and the
    // database never filled the file system to the last byte.
    acknowledged += fill_in_bursts(&app, 1);
    assert!(
        fs.free() > 0,
        "the flood stage leaves room for the checkpoint"
    );
    assert_eq!(
        app.tick_count(),
        acknowledged,
        "every acknowledged tick is there, no other"
    );
}
