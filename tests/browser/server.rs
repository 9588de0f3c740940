//! The server under test: the real binary (`serve` on a fresh database and port 0, as in
//! `tests/cli.rs`), its `token create`, and plain HTTP calls with `ureq`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_horrors");

/// A running `horrors serve`, killed (and its database removed) when dropped.
pub struct Server {
    pub origin: String,
    db: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
    /// Every line the server wrote to stderr so far.
    logs: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    /// `horrors serve --config <config_text> --bind 127.0.0.1:0 [--demo]` on a fresh database.
    pub fn start(config_text: &str, demo: bool) -> Server {
        Server::start_with(config_text, demo, "127.0.0.1:0", &[])
    }

    /// [`Server::start`] on `bind`, with extra environment variables.
    pub fn start_with(config_text: &str, demo: bool, bind: &str, env: &[(&str, &str)]) -> Server {
        let dir = tempfile::Builder::new()
            .prefix("horrors-browser-")
            .tempdir()
            .unwrap();
        let config = dir.path().join("horrors.toml");
        std::fs::write(&config, config_text).unwrap();
        let db = dir.path().join("horrors.db");
        let mut command = horrors(dir.path());
        command
            .args(["serve", "--bind", bind, "--config"])
            .arg(&config)
            .arg("--db")
            .arg(&db);
        if demo {
            command.arg("--demo");
        }
        command.envs(env.iter().copied());
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("horrors serve starts");
        // Read stderr line by line (a chunk may end inside the address), and keep draining
        // it afterwards so the server never blocks on a full pipe.
        let (tx, rx) = mpsc::channel::<String>();
        let stderr = child.stderr.take().unwrap();
        let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line.clone());
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        let origin = loop {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => match line.split("horrors is listening on ").nth(1) {
                    Some(url) => break url.trim().trim_end_matches('/').to_string(),
                    None => seen.push(line),
                },
                Err(_) => {
                    let status = child.try_wait().ok().flatten();
                    let _ = child.kill();
                    panic!("the server did not start (exit {status:?}); stderr: {seen:#?}");
                }
            }
        };
        let server = Server {
            origin,
            db,
            child,
            _dir: dir,
            logs,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.get("/healthz", &[]).status != 200 {
            assert!(Instant::now() < deadline, "/healthz never answered 200");
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    /// `horrors token create`: the secret is the last line it prints.
    pub fn token(&self, role: &str, name: &str) -> String {
        self.token_with(role, name, &[])
    }

    /// A token bound to `site` (staff tally there without choosing a site).
    pub fn site_token(&self, role: &str, name: &str, site: &str) -> String {
        self.token_with(role, name, &["--site", site])
    }

    fn token_with(&self, role: &str, name: &str, extra: &[&str]) -> String {
        let output = horrors(Path::new("."))
            .args(["token", "create", "--role", role, "--name", name])
            .args(extra)
            .arg("--db")
            .arg(&self.db)
            .stdin(Stdio::null())
            .output()
            .expect("horrors token create runs");
        assert!(
            output.status.success(),
            "token create: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        stdout.trim().lines().last().unwrap().trim().to_string()
    }

    /// What the server logged so far (stderr).
    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().join("\n")
    }

    pub fn url(&self, route: &str) -> String {
        format!("{}{route}", self.origin)
    }

    /// A GET with extra headers (redirects are not followed).
    pub fn get(&self, route: &str, headers: &[(&str, &str)]) -> Reply {
        call("GET", &self.url(route), headers, None)
    }

    /// A form POST (redirects are not followed).
    pub fn post_form(&self, route: &str, headers: &[(&str, &str)], form: &str) -> Reply {
        let body = ("application/x-www-form-urlencoded", form.as_bytes());
        call("POST", &self.url(route), headers, Some(body))
    }

    /// An API call with a bearer token and an optional JSON body.
    pub fn api(&self, secret: &str, method: &str, route: &str, body: Option<&Value>) -> Reply {
        let auth = format!("Bearer {secret}");
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
        let body = bytes.as_deref().map(|b| ("application/json", b));
        call(method, &self.url(route), &[("Authorization", &auth)], body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary with no HORRORS_* settings from the outside.
fn horrors(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .current_dir(dir)
        .env_remove("HORRORS_DB")
        .env_remove("HORRORS_CONFIG")
        .env_remove("HORRORS_BIND")
        .env("HORRORS_LOG", "warn");
    command
}

/// A response: status, headers, body as text and as JSON (Null when it is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn call(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, &[u8])>,
) -> Reply {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let mut request = agent.request(method, url);
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let result = match body {
        Some((content_type, bytes)) => request.set("Content-Type", content_type).send_bytes(bytes),
        None => request.call(),
    };
    let response = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .filter_map(|n| response.header(&n).map(|v| (n.clone(), v.to_string())))
        .collect();
    let text = response.into_string().unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        text,
        json,
    }
}
