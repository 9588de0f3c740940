//! The server under test: the real binary (`serve` on a fresh database and port 0, as in
//! `tests/cli.rs`), its `token create`, and plain HTTP calls with `ureq`.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::common::server::{horrors, wait_until_healthy, Listening};

pub use crate::common::reply::Reply;

/// A running `horrors serve`, killed (and its database removed) when dropped.
pub struct Server {
    pub origin: String,
    db: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
    /// Every line the server wrote to stderr so far.
    logs: Arc<Mutex<Vec<String>>>,
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
        let listening = Listening::wait(&mut child);
        let origin = listening.base();
        let logs = listening.log;
        let server = Server {
            origin,
            db,
            child,
            _dir: dir,
            logs,
        };
        wait_until_healthy(&server.origin);
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

/// One request with `headers` and an optional `(content type, bytes)` body; redirects are
/// not followed.
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
    Reply::read(result, &format!("{method} {url}"))
}
