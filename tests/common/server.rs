//! The real `horrors` binary: a command with no `HORRORS_*` settings from the outside, and
//! a started `serve` read up to its "listening" line.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// The binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_horrors");

/// What `serve` prints on stderr once its socket is bound, before the address.
const LISTENING: &str = "horrors is listening on http://";

/// `horrors` run in `dir` with no `HORRORS_*` settings from the outside, logging warnings
/// only, stdin closed. `HORRORS_TEST_BIN` names a copy of the binary to run instead, for
/// when other builds share the target folder.
pub fn horrors(dir: &Path) -> Command {
    let mut command = Command::new(std::env::var("HORRORS_TEST_BIN").unwrap_or(BIN.into()));
    command
        .current_dir(dir)
        .env_remove("HORRORS_DB")
        .env_remove("HORRORS_CONFIG")
        .env_remove("HORRORS_BIND")
        .env_remove("HORRORS_DATABASE_URL")
        .env("HORRORS_LOG", "warn")
        .stdin(Stdio::null());
    command
}

/// A started server's stderr up to its "listening" line, and a thread that goes on
/// draining it, so the server never blocks on a full pipe.
pub struct Listening {
    /// The address it printed, `HOST:PORT`.
    pub address: String,
    /// The stderr lines before the listening line.
    pub before: Vec<String>,
    /// The stderr lines after it, as they come; disconnected when the server exits.
    pub after: mpsc::Receiver<String>,
    /// Every stderr line so far, the listening line included.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Listening {
    /// Reads `child`'s piped stderr line by line (a read may end inside the address) until
    /// the listening line. Panics with what it printed, after killing it, when the line
    /// does not come within 60 s or the process ends first.
    pub fn wait(child: &mut Child) -> Listening {
        let stderr = child.stderr.take().expect("serve's stderr is piped");
        let (tx, rx) = mpsc::channel::<String>();
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line.clone());
                // Once nobody listens, keep draining.
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut before = Vec::new();
        loop {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => match line.split(LISTENING).nth(1) {
                    Some(rest) => {
                        return Listening {
                            address: rest.trim().trim_end_matches('/').to_string(),
                            before,
                            after: rx,
                            log,
                        }
                    }
                    None => before.push(line),
                },
                Err(_) => {
                    let status = child.try_wait().ok().flatten();
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("no listening line (exit {status:?}); stderr: {before:#?}");
                }
            }
        }
    }

    /// `http://HOST:PORT`.
    pub fn base(&self) -> String {
        format!("http://{}", self.address)
    }
}

/// Polls `{base}/healthz` every 20 ms until it answers 200; panics after 30 s.
pub fn wait_until_healthy(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ureq::get(&format!("{base}/healthz")).call() {
            Ok(r) if r.status() == 200 => return,
            _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            other => panic!("/healthz never answered 200: {other:?}"),
        }
    }
}
