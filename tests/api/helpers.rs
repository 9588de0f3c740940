//! `TestApp`: the real server on port 0 with a fresh on-disk database and one token per role.

use std::net::TcpListener;
use std::path::PathBuf;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use horrors::auth::Role;
use horrors::clock::{Clock, ManualClock};
use horrors::http::HttpOptions;
use horrors::store::{Engine, Location, Store};
use serde_json::Value;

pub use crate::common::reply::Reply;

/// Set (by `scripts/test`) to a throwaway PostgreSQL server's URL, the whole suite runs
/// on PostgreSQL: each app gets a fresh database of its own.
pub const PG_ENV: &str = "HORRORS_TEST_DATABASE_URL";

/// Where a new app's data lives: a fresh PostgreSQL database when [`PG_ENV`] is set, else
/// a SQLite file in `dir`.
pub fn fresh_location(dir: &std::path::Path) -> Location {
    let Ok(base) = std::env::var(PG_ENV) else {
        return Location::Sqlite(dir.join("horrors.db"));
    };
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "t{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        Utc::now().timestamp_micros() % 1_000_000
    );
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).expect("test PostgreSQL");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create a test database");
    let (prefix, _) = base.rsplit_once('/').expect("a URL with a database name");
    Location::parse(&format!("{prefix}/{name}")).unwrap()
}

/// The catalogue most tests run against: the SPEC's example, Chicago time, USD.
pub const CONFIG: &str = include_str!("../fixtures/horrors.toml");

/// The server's options in the suites: the defaults, but the suites send many bad tokens
/// from one address on purpose; the throttle has its own tests (robustness.rs) with the
/// real limit.
fn suite_options() -> HttpOptions {
    HttpOptions {
        auth_failures: Some(1_000_000),
        ..HttpOptions::default()
    }
}

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub admin: String,
    pub viewer: String,
    pub staff: String,
    pub staff2: String,
    pub dir: tempfile::TempDir,
    /// The server's clock: starts at the wall clock's second, moves only when told.
    pub clock: ManualClock,
}

impl TestApp {
    pub fn spawn() -> TestApp {
        Self::spawn_with(CONFIG)
    }

    pub fn spawn_with(config_text: &str) -> TestApp {
        Self::spawn_with_options(config_text, suite_options())
    }

    /// The app on a SQLite file even when [`PG_ENV`] is set: for tests of SQLite's own
    /// behaviour (its file, its pages), which would prove nothing on PostgreSQL.
    pub fn spawn_on_sqlite() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let location = Location::Sqlite(dir.path().join("horrors.db"));
        Self::spawn_at(dir, &location, CONFIG, suite_options())
    }

    pub fn spawn_with_options(config_text: &str, options: HttpOptions) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let location = fresh_location(dir.path());
        Self::spawn_at(dir, &location, config_text, options)
    }

    /// The app on the database at `location` (`dir` is kept for the test's own files).
    pub fn spawn_at(
        dir: tempfile::TempDir,
        location: &Location,
        config_text: &str,
        options: HttpOptions,
    ) -> TestApp {
        let clock = ManualClock::new(Utc::now().trunc_subsecs(0));
        let store = Store::open_at(location, Arc::new(clock.clone())).unwrap();
        let config = horrors::config::parse(config_text).unwrap();
        store.apply_config(&config).unwrap();
        let token = |name: &str, role| store.create_token(name, role).unwrap().1;
        let (admin, viewer, staff, staff2) = (
            token("boss", Role::Admin),
            token("exec", Role::Viewer),
            token("ana", Role::Staff),
            token("ben", Role::Staff),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server_store = store.clone();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                horrors::app::run_with(listener, server_store, options)
                    .unwrap()
                    .await
                    .unwrap();
            })
        });
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            store,
            admin,
            viewer,
            staff,
            staff2,
            dir,
            clock,
        }
    }

    /// The SQLite file (tests that look at the file itself run on SQLite only).
    pub fn db_path(&self) -> PathBuf {
        self.store
            .path()
            .expect("this test needs SQLite")
            .to_path_buf()
    }

    pub fn sqlite(&self) -> bool {
        self.store.engine() == Engine::Sqlite
    }

    /// The server's current instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Any request; `token` may be None; `body` is sent as-is with `content_type`.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Option<&[u8]>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let agent = ureq::AgentBuilder::new().redirects(0).build();
        let mut request = agent.request(method, &format!("{}{}", self.base, path));
        if let Some(token) = token {
            request = request.set("Authorization", &format!("Bearer {token}"));
        }
        if let Some(ct) = content_type {
            request = request.set("Content-Type", ct);
        }
        for (name, value) in headers {
            request = request.set(name, value);
        }
        let result = match body {
            Some(bytes) => request.send_bytes(bytes),
            None => request.call(),
        };
        Reply::read(result, &format!("{method} {path}"))
    }

    /// Sends `request` as raw bytes over a fresh connection (for requests an HTTP client
    /// refuses to build, such as non-ASCII header values) and reads the whole reply.
    pub fn raw(&self, request: &[u8]) -> Reply {
        use std::io::{Read, Write};
        let address = self.base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        stream.write_all(request).unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        let split = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete HTTP head");
        let head = String::from_utf8_lossy(&bytes[..split]).to_string();
        let mut raw_body = bytes[split + 4..].to_vec();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        let chunked = headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
        });
        if chunked {
            let mut out = Vec::new();
            let mut rest = &raw_body[..];
            while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
                let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..end]).trim(), 16)
                    .unwrap_or(0);
                if size == 0 {
                    break;
                }
                out.extend_from_slice(&rest[end + 2..end + 2 + size]);
                rest = &rest[end + 2 + size + 2..];
            }
            raw_body = out;
        }
        let text = String::from_utf8_lossy(&raw_body).to_string();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            text,
            headers,
        }
    }

    /// GET returning the raw body: status, headers and bytes (for CSV, ZIP, SVG, PNG).
    pub fn download(
        &self,
        path: &str,
        token: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let agent = ureq::AgentBuilder::new().build();
        let mut request = agent
            .get(&format!("{}{}", self.base, path))
            .set("Authorization", &format!("Bearer {token}"));
        for (name, value) in headers {
            request = request.set(name, value);
        }
        let response = match request.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("GET {path}: transport error {e}"),
        };
        let status = response.status();
        let headers = crate::common::reply::headers(&response);
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes).unwrap();
        (status, headers, bytes)
    }

    pub fn get(&self, path: &str, token: &str) -> Reply {
        self.call("GET", path, Some(token), None, None, &[])
    }

    pub fn post(&self, path: &str, token: &str, json: &Value) -> Reply {
        let bytes = serde_json::to_vec(json).unwrap();
        self.call(
            "POST",
            path,
            Some(token),
            Some("application/json"),
            Some(&bytes),
            &[],
        )
    }

    pub fn put(&self, path: &str, token: &str, json: &Value) -> Reply {
        let bytes = serde_json::to_vec(json).unwrap();
        self.call(
            "PUT",
            path,
            Some(token),
            Some("application/json"),
            Some(&bytes),
            &[],
        )
    }

    /// A page session for `token` (the login form, as a browser sends it): the
    /// `Cookie` header value that carries it.
    pub fn session(&self, token: &str) -> String {
        let reply = self.call(
            "POST",
            "/login",
            None,
            Some("application/x-www-form-urlencoded"),
            Some(format!("token={token}").as_bytes()),
            &[("Origin", &self.base)],
        );
        assert_eq!(reply.status, 303, "{}", reply.text);
        let cookie = reply.header("set-cookie").expect("a session cookie");
        cookie.split(';').next().unwrap().to_string()
    }

    pub fn tick(&self, json: Value) -> Reply {
        self.post("/api/ticks", &self.staff, &json)
    }

    /// Number of stored ticks, voided included: the "nothing was written" check.
    pub fn tick_count(&self) -> i64 {
        self.store.count_ticks().unwrap()
    }

    pub fn ranking(&self, query: &str) -> Value {
        let reply = self.get(&format!("/api/ranking?{query}"), &self.viewer);
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.body
    }
}
