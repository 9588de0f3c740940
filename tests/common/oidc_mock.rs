//! The test identity provider from PyPI (`oidc-provider-mock`, pinned in
//! `tests/oidc/requirements.txt`, installed by `scripts/oidc-provider` into a venv under the
//! target folder) as a real process on a free loopback port, killed when dropped. Shared by
//! the HTTP suite and the browser test (`#[path]`-included).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running provider; its issuer is `http://127.0.0.1:PORT`.
pub struct MockProvider {
    pub issuer: String,
    child: Child,
}

/// The provider's executable in the venv `scripts/oidc-provider` makes.
pub fn executable() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .unwrap()
                .to_path_buf()
        });
    target.join("oidc-provider-venv/bin/oidc-provider-mock")
}

impl MockProvider {
    /// Starts the provider with these predefined users (JSON objects with `sub` and their
    /// claims). `None`, with a "skipped" line, when the venv is missing outside CI; in CI
    /// (`CI` set, as `.ci/run` runs) a missing provider is a failure.
    pub fn start(users: &[serde_json::Value]) -> Option<MockProvider> {
        let exe = executable();
        if !exe.exists() {
            let why = format!(
                "{} is missing: run scripts/oidc-provider (scripts/test does)",
                exe.display()
            );
            if std::env::var_os("CI").is_some() {
                panic!("{why}");
            }
            eprintln!("skipped: {why}");
            return None;
        }
        // A port that was free a moment ago (the provider takes no port 0).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(&exe);
        command
            .args(["--port", &port.to_string(), "--require-nonce", "true"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for user in users {
            command.arg("--user-claims").arg(user.to_string());
        }
        let child = command.spawn().expect("oidc-provider-mock starts");
        let provider = MockProvider {
            issuer: format!("http://127.0.0.1:{port}"),
            child,
        };
        // Ready when its discovery document answers.
        let deadline = Instant::now() + Duration::from_secs(30);
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(2))
            .build();
        let discovery = format!("{}/.well-known/openid-configuration", provider.issuer);
        while agent.get(&discovery).call().is_err() {
            assert!(
                Instant::now() < deadline,
                "oidc-provider-mock did not answer within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(provider)
    }
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
