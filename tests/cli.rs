//! The real binary (SPEC §3, §13): tokens, refusing broken configurations, serving,
//! surviving kill -9, restarts, retirement by file, `rank --json`, `backup`, and the
//! HORRORS_* environment variables.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;

use common::oidc_mock;
use common::reply::Reply;
use common::server::{horrors, wait_until_healthy, Listening, BIN};

const CONFIG: &str = include_str!("fixtures/horrors.toml");

/// The `[[horrors]]` table of missed-pickup, to remove it from CONFIG.
const MISSED_PICKUP: &str = r#"[[horrors]]
key = "missed-pickup"
name = "Missed pickup"
pain = 6
unit_cost = "0.99"
"#;

fn run(command: &mut Command) -> Output {
    command
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

fn is_token(line: &str) -> bool {
    line.len() == 68
        && line.starts_with("hrr_")
        && line[4..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn create_token(dir: &Path, db: &Path, role: &str, name: &str) -> String {
    let output = run(horrors(dir)
        .args(["token", "create", "--role", role, "--name", name, "--db"])
        .arg(db));
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    let last = out.lines().last().unwrap_or_default().to_string();
    assert!(is_token(&last), "last stdout line is {last:?}");
    last
}

/// A running `horrors serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
    stdout: mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` on port 0 and waits for its "listening" line and a healthy /healthz.
fn serve(dir: &Path, config: &Path, db: &Path) -> Server {
    let mut child = horrors(dir)
        .args(["serve", "--bind", "127.0.0.1:0", "--config"])
        .arg(config)
        .arg("--db")
        .arg(db)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    let (otx, orx) = mpsc::channel::<String>();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = otx.send(line);
        }
    });
    let address = Listening::wait(&mut child).address;
    assert!(
        address.starts_with("127.0.0.1:") && !address.ends_with(":0"),
        "{address}"
    );
    let base = format!("http://{address}");
    // Poll until the database answers.
    wait_until_healthy(&base);
    Server {
        child,
        base,
        stdout: orx,
    }
}

fn request(method: &str, url: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
    let req = ureq::request(method, url).set("Authorization", &format!("Bearer {token}"));
    let result = match body {
        Some(b) => req.send_json(b.clone()),
        None => req.call(),
    };
    let reply = Reply::read(result, &format!("{method} {url}"));
    (reply.status, reply.body)
}

impl Server {
    fn get(&self, path: &str, token: &str) -> Value {
        let (status, body) = request("GET", &format!("{}{path}", self.base), token, None);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        request("POST", &format!("{}{path}", self.base), token, Some(body))
    }

    /// Waits for a token printed on standard output.
    fn printed_token(&self) -> Option<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while let Ok(line) = self
            .stdout
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            if is_token(&line) {
                return Some(line);
            }
        }
        None
    }

    /// Stops the server with SIGTERM, waits for it to exit, and returns what it printed
    /// on standard output that was not read yet.
    fn stop(mut self) -> Vec<String> {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).expect("a pid");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM sent");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "serve exited with {status:?} on SIGTERM");
                break;
            }
            assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
        // The pipe is closed now: the reader ends and the channel disconnects.
        let mut rest = Vec::new();
        while let Ok(line) = self.stdout.recv_timeout(Duration::from_secs(10)) {
            rest.push(line);
        }
        rest
    }

    /// SIGKILL (Child::kill is SIGKILL on Unix) and reap.
    fn kill9(mut self) {
        self.child.kill().unwrap();
        let status = self.child.wait().unwrap();
        assert!(!status.success());
    }
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::write(env.config(), CONFIG).unwrap();
        env
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("horrors.toml")
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("horrors.db")
    }
}

fn count_ticks(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT COUNT(*) FROM ticks", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn token_create_prints_the_token_alone_on_the_last_line() {
    let env = Env::new();
    let output = run(horrors(env.path())
        .args(["token", "create", "--role", "viewer", "--name", "x", "--db"])
        .arg(env.db()));
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    let last = out.lines().last().unwrap();
    assert!(is_token(last), "{out:?}");
    assert!(env.db().exists());
    // Only its hash is stored, and it authenticates as a viewer named x.
    let store = horrors::store::Store::open(&env.db()).unwrap();
    let who = store.authenticate(last).unwrap().expect("the token works");
    assert_eq!(
        (who.name.as_str(), who.role),
        ("x", horrors::auth::Role::Viewer)
    );
    drop(store);
    for entry in std::fs::read_dir(env.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(64).any(|w| w == &last.as_bytes()[4..]),
            "{} holds the secret",
            path.display()
        );
    }
    // A second token is different.
    let second = create_token(env.path(), &env.db(), "staff", "y");
    assert_ne!(second, last);
}

#[test]
fn token_create_refuses_bad_arguments_in_one_line_and_creates_nothing() {
    let env = Env::new();
    for args in [
        vec!["--role", "root", "--name", "x"],
        vec!["--role", "Admin", "--name", "x"],
        vec!["--role", "viewer", "--name", ""],
        vec!["--role", "viewer", "--name", "   "],
    ] {
        let output = run(horrors(env.path())
            .args(["token", "create"])
            .args(&args)
            .arg("--db")
            .arg(env.db()));
        assert!(!output.status.success(), "{args:?} succeeded");
        let err = stderr(&output);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err:?}");
        assert!(!err.trim().is_empty());
        assert!(
            stdout(&output).trim().is_empty(),
            "{args:?} printed a token"
        );
        assert!(!env.db().exists(), "{args:?} created the database");
    }
    let output = run(horrors(env.path())
        .args(["token", "create", "--role", "root", "--name", "x", "--db"])
        .arg(env.db()));
    assert!(stderr(&output).contains("role"), "{}", stderr(&output));
}

#[test]
fn serve_refuses_broken_configurations_and_writes_nothing() {
    let env = Env::new();
    let horror = |key: &str| {
        format!(
            "\n[[horrors]]\nkey = \"{key}\"\nname = \"{key}\"\npain = 3\nunit_cost = \"1.00\"\n"
        )
    };
    let without_missed = CONFIG.replace(MISSED_PICKUP, "");
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("four horrors", without_missed.clone(), vec!["horrors"]),
        (
            "nine horrors",
            format!(
                "{CONFIG}{}{}{}{}",
                horror("a1"),
                horror("a2"),
                horror("a3"),
                horror("a4")
            ),
            vec!["horrors"],
        ),
        (
            "duplicate key",
            format!("{CONFIG}{}", horror("damaged")),
            vec!["horrors[5].key"],
        ),
        (
            "bad key",
            CONFIG.replace("key = \"damaged\"", "key = \"Damaged Goods\""),
            vec!["horrors[2].key"],
        ),
        (
            "unknown timezone",
            CONFIG.replace("America/Chicago", "Mars/Olympus_Mons"),
            vec!["organization.timezone"],
        ),
        (
            "unknown currency",
            CONFIG.replace("\"USD\"", "\"XYZ\""),
            vec!["organization.currency"],
        ),
        (
            "window of 0 days",
            CONFIG.replace("days = 30", "days = 0"),
            vec!["window.days"],
        ),
        (
            "window of 367 days",
            CONFIG.replace("days = 30", "days = 367"),
            vec!["window.days"],
        ),
        (
            "pain 11",
            CONFIG.replace("pain = 8", "pain = 11"),
            vec!["horrors[2].pain"],
        ),
        (
            "unit cost with three decimals",
            CONFIG.replace("\"25.50\"", "\"25.505\""),
            vec!["horrors[3].unit_cost"],
        ),
        (
            "unit cost as a number",
            CONFIG.replace("\"25.50\"", "25.50"),
            vec!["unit_cost", "line"],
        ),
        (
            "unknown field",
            CONFIG.replace("currency = \"USD\"", "currency = \"USD\"\ncolour = \"red\""),
            vec!["colour", "line"],
        ),
        (
            "TOML syntax",
            CONFIG.replace("pain = 10", "pain = = 10"),
            vec!["line"],
        ),
        (
            "worst above worse",
            CONFIG.replace("worst = 0.5", "worst = 0.9"),
            vec!["worst"],
        ),
        (
            "both weights zero",
            CONFIG
                .replace("pain_weight = 0.5", "pain_weight = 0")
                .replace("cost_weight = 0.5", "cost_weight = 0"),
            vec!["pain_weight"],
        ),
        (
            "negative weight",
            CONFIG.replace("cost_weight = 0.5", "cost_weight = -1"),
            vec!["cost_weight"],
        ),
        (
            "duplicate department",
            CONFIG.replace("\"Drivers\"]", "\"Dispatch\"]"),
            vec!["departments"],
        ),
        (
            "61-character name",
            CONFIG.replace(
                "name = \"Lost package\"",
                &format!("name = \"{}\"", "x".repeat(61)),
            ),
            vec!["horrors[1].name"],
        ),
        (
            "missing organization",
            CONFIG.replace("[organization]", "[organisation]"),
            vec!["organi"],
        ),
    ];
    assert!(cases.len() >= 10);
    for (what, text, needles) in cases {
        let config = env.path().join("broken.toml");
        std::fs::write(&config, &text).unwrap();
        let db = env.path().join("refused.db");
        let output = run(horrors(env.path())
            .args(["serve", "--bind", "127.0.0.1:0", "--config"])
            .arg(&config)
            .arg("--db")
            .arg(&db));
        let err = stderr(&output);
        assert!(!output.status.success(), "{what}: serve accepted it: {err}");
        let message = err.trim_end();
        assert_eq!(message.lines().count(), 1, "{what}: {message}");
        assert!(
            message.contains("broken.toml"),
            "{what}: the file is not named: {message}"
        );
        for needle in needles {
            assert!(
                message.contains(needle),
                "{what}: {needle:?} not in {message}"
            );
        }
        assert!(!db.exists(), "{what}: the database was created");
    }
    // A missing file is named too.
    let output = run(horrors(env.path())
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--config",
            "nope.toml",
            "--db",
        ])
        .arg(env.db()));
    assert!(!output.status.success());
    assert!(stderr(&output).contains("nope.toml"));
    assert!(!env.db().exists());

    // A broken file given to an existing database changes nothing in it.
    let token = create_token(env.path(), &env.db(), "admin", "boss");
    let server = serve(env.path(), &env.config(), &env.db());
    let (status, _) = server.post("/api/ticks", &token, &json!({"horror": "damaged"}));
    assert_eq!(status, 201);
    server.stop();
    std::fs::write(env.config(), CONFIG.replace("pain = 8", "pain = 11")).unwrap();
    let output = run(horrors(env.path())
        .args(["serve", "--bind", "127.0.0.1:0", "--config"])
        .arg(env.config())
        .arg("--db")
        .arg(env.db()));
    assert!(!output.status.success());
    assert_eq!(count_ticks(&env.db()), 1);
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let pain: i64 = conn
        .query_row("SELECT pain FROM horrors WHERE key = 'damaged'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(pain, 8);
}

#[test]
fn serve_prints_a_one_time_admin_token_and_where_it_listens() {
    let env = Env::new();
    let server = serve(env.path(), &env.config(), &env.db());
    let token = server
        .printed_token()
        .expect("a one-time admin token on stdout");
    let me = server.get("/api/me", &token);
    assert_eq!(me, json!({"name": "admin", "role": "admin", "site": null}));
    let health = ureq::get(&format!("{}/healthz", server.base))
        .call()
        .unwrap();
    assert_eq!(
        health.into_json::<Value>().unwrap(),
        json!({"status": "ok"})
    );
    let rest = server.stop();
    assert!(
        !rest.iter().any(|l| l.contains(&token)),
        "printed twice: {rest:?}"
    );
    assert_eq!(token_names(&env.db()), ["admin"]);
    // With an admin token in the database, no new one is made or printed.
    let server = serve(env.path(), &env.config(), &env.db());
    assert_eq!(server.get("/api/me", &token)["role"], "admin");
    let printed = server.stop();
    assert!(!printed.iter().any(|l| is_token(l)), "{printed:?}");
    assert_eq!(token_names(&env.db()), ["admin"]);
}

fn post_ticks(base: &str, token: &str, n: usize) -> Vec<i64> {
    let keys = [
        "late-delivery",
        "lost-package",
        "damaged",
        "wrong-address",
        "missed-pickup",
    ];
    (0..n)
        .map(|i| {
            let (status, body) = request(
                "POST",
                &format!("{base}/api/ticks"),
                token,
                Some(
                &json!({"horror": keys[i % 5], "qty": 1 + i % 4,
                        "occurred_at": format!("2026-02-{:02}T{:02}:30:00Z", 1 + i % 10, 12 + i % 12),
                        "source": if i % 3 == 0 { "complaint" } else { "internal" }})),
            );
            assert_eq!(status, 201, "{body}");
            body["id"].as_i64().unwrap()
        })
        .collect()
}

fn listed_ids(server: &Server, token: &str) -> Vec<i64> {
    let page = server.get("/api/ticks?from=2026-01-01&to=2026-03-31&limit=1000", token);
    let mut ids: Vec<i64> = page["ticks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[test]
fn acknowledged_ticks_survive_kill_9_and_restarts() {
    let env = Env::new();
    let token = create_token(env.path(), &env.db(), "admin", "boss");
    let server = serve(env.path(), &env.config(), &env.db());
    let mut acknowledged = post_ticks(&server.base, &token, 50);
    server.kill9();
    assert_eq!(count_ticks(&env.db()), 50);

    let server = serve(env.path(), &env.config(), &env.db());
    assert_eq!(listed_ids(&server, &token), acknowledged);
    // Ticks recorded concurrently right up to the kill are all there.
    let base = server.base.clone();
    let more: Vec<i64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| post_ticks(&base, &token, 25)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    acknowledged.extend(more);
    acknowledged.sort_unstable();
    server.kill9();

    // A normal restart keeps everything too.
    let server = serve(env.path(), &env.config(), &env.db());
    assert_eq!(listed_ids(&server, &token), acknowledged);
    server.stop();
    let server = serve(env.path(), &env.config(), &env.db());
    assert_eq!(listed_ids(&server, &token), acknowledged);
    let ranking = server.get("/api/ranking?from=2026-02-01&to=2026-02-10", &token);
    let expected: u64 =
        (0..50).map(|i| 1 + i % 4).sum::<u64>() + 4 * (0..25).map(|i| 1 + i % 4).sum::<u64>();
    assert_eq!(ranking["totals"]["count"], expected);
    // The rollup is consistent after the kills.
    drop(server);
    let output = run(horrors(env.path()).arg("check").arg("--db").arg(env.db()));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains(&format!("{} ticks", acknowledged.len())));
}

#[test]
fn a_horror_removed_from_the_file_is_retired_on_restart() {
    let env = Env::new();
    let token = create_token(env.path(), &env.db(), "admin", "boss");
    let server = serve(env.path(), &env.config(), &env.db());
    for at in ["2026-02-03T18:00:00Z", "2026-02-04T18:00:00Z"] {
        let (status, _) = server.post(
            "/api/ticks",
            &token,
            &json!({"horror": "missed-pickup", "qty": 3, "occurred_at": at}),
        );
        assert_eq!(status, 201);
    }
    server.stop();

    let new_config = CONFIG.replace(MISSED_PICKUP, "")
        + "\n[[horrors]]\nkey = \"rude-driver\"\nname = \"Rude driver\"\npain = 4\nunit_cost = \"5.00\"\n";
    assert!(!new_config.contains("missed-pickup"));
    std::fs::write(env.config(), new_config).unwrap();
    let server = serve(env.path(), &env.config(), &env.db());
    let catalogue = server.get("/api/horrors?include_retired=true", &token);
    let state: Vec<(String, bool)> = catalogue["horrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["key"].as_str().unwrap().to_string(),
                h["retired"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        state,
        [
            ("late-delivery".to_string(), false),
            ("lost-package".to_string(), false),
            ("damaged".to_string(), false),
            ("wrong-address".to_string(), false),
            ("rude-driver".to_string(), false),
            ("missed-pickup".to_string(), true),
        ]
    );
    let ranking = server.get("/api/ranking?from=2026-02-01&to=2026-02-28", &token);
    let missed = ranking["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "missed-pickup")
        .expect("the retired horror keeps its ticks");
    assert_eq!(missed["retired"], true);
    assert_eq!(missed["count"], 6);
    assert_eq!(missed["cost"], "5.94");
    let (status, body) = server.post("/api/ticks", &token, &json!({"horror": "missed-pickup"}));
    assert_eq!(
        (status, &body["error"]["code"]),
        (422, &json!("retired_horror"))
    );
    let history = server.get("/api/horrors/history", &token);
    let changes = history["changes"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["horror"] == "missed-pickup"
        && c["action"] == "retired"
        && c["source"] == "file"));
    server.stop();

    // Restarting with the same file changes nothing more.
    let server = serve(env.path(), &env.config(), &env.db());
    let again = server.get("/api/horrors/history", &token);
    assert_eq!(again["changes"].as_array().unwrap().len(), changes.len());
    server.stop();
    // Putting it back in the file restores it.
    std::fs::write(env.config(), CONFIG).unwrap();
    let server = serve(env.path(), &env.config(), &env.db());
    let (status, _) = server.post("/api/ticks", &token, &json!({"horror": "missed-pickup"}));
    assert_eq!(status, 201);
}

#[test]
fn rank_json_equals_the_api_and_backup_copies_everything() {
    let env = Env::new();
    let token = create_token(env.path(), &env.db(), "admin", "boss");
    let server = serve(env.path(), &env.config(), &env.db());
    let ids = post_ticks(&server.base, &token, 60);
    // Void one so the comparison covers voided ticks too.
    let (status, _) = server.post(&format!("/api/ticks/{}/void", ids[7]), &token, &json!({}));
    assert_eq!(status, 200);
    for by in ["priority", "count", "cost", "pain"] {
        for (from, to) in [
            ("2026-02-01", "2026-02-10"),
            ("2026-02-03", "2026-02-05"),
            ("2026-03-01", "2026-03-31"),
        ] {
            let api = server.get(&format!("/api/ranking?from={from}&to={to}&by={by}"), &token);
            let output = run(horrors(env.path())
                .args([
                    "rank", "--json", "--from", from, "--to", to, "--by", by, "--config",
                ])
                .arg(env.config())
                .arg("--db")
                .arg(env.db()));
            assert!(output.status.success(), "{}", stderr(&output));
            let cli: Value = serde_json::from_slice(&output.stdout)
                .unwrap_or_else(|e| panic!("rank --json is not JSON ({e}): {}", stdout(&output)));
            assert_eq!(cli, api, "{from}..{to} by {by}");
        }
    }
    // Bad windows are refused in one line.
    let output = run(horrors(env.path())
        .args([
            "rank",
            "--json",
            "--from",
            "2026-02-30",
            "--to",
            "2026-03-01",
            "--db",
        ])
        .arg(env.db()));
    assert!(!output.status.success());
    assert_eq!(stderr(&output).trim_end().lines().count(), 1);

    // Backup while the server runs.
    let copy = env.path().join("copy.db");
    let output = run(horrors(env.path())
        .args(["backup", "--out"])
        .arg(&copy)
        .arg("--db")
        .arg(env.db()));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(count_ticks(&copy), 60);
    let store = horrors::store::Store::open(&copy).unwrap();
    assert_eq!(store.count_ticks().unwrap(), 60);
    drop(store);
    let output = run(horrors(env.path())
        .args([
            "rank",
            "--json",
            "--from",
            "2026-02-01",
            "--to",
            "2026-02-10",
            "--db",
        ])
        .arg(&copy));
    assert!(output.status.success(), "{}", stderr(&output));
    let from_copy: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        from_copy,
        server.get("/api/ranking?from=2026-02-01&to=2026-02-10", &token)
    );
    // A backup of a database that does not exist fails and creates nothing.
    let output = run(horrors(env.path()).args(["backup", "--out", "x.db", "--db", "missing.db"]));
    assert!(!output.status.success());
    assert!(!env.path().join("missing.db").exists());
    assert!(!env.path().join("x.db").exists());
}

fn token_names(db: &Path) -> Vec<String> {
    let store = horrors::store::Store::open(db).unwrap();
    store
        .list_tokens()
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect()
}

#[test]
fn horrors_db_is_honoured_and_db_overrides_it() {
    let env = Env::new();
    let from_env = env.path().join("from-env.db");
    let from_flag = env.path().join("from-flag.db");
    let output = run(horrors(env.path())
        .env("HORRORS_DB", &from_env)
        .args(["token", "create", "--role", "staff", "--name", "env"]));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(from_env.exists());
    assert!(
        !env.path().join("data").exists(),
        "the default path was used"
    );
    assert_eq!(token_names(&from_env), ["env"]);

    let output = run(horrors(env.path())
        .env("HORRORS_DB", &from_env)
        .args([
            "token", "create", "--role", "staff", "--name", "flag", "--db",
        ])
        .arg(&from_flag));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(token_names(&from_flag), ["flag"]);
    assert_eq!(token_names(&from_env), ["env"]);

    // serve honours HORRORS_DB and HORRORS_CONFIG as well.
    let mut child = horrors(env.path())
        .env("HORRORS_DB", &from_env)
        .env("HORRORS_CONFIG", env.path().join("missing.toml"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if child.try_wait().unwrap().is_some() {
                break child.wait_with_output().unwrap();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("serve started with a missing HORRORS_CONFIG");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("missing.toml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_timezone_change_recomputes_days_and_a_currency_change_is_refused() {
    let env = Env::new();
    let token = create_token(env.path(), &env.db(), "admin", "boss");
    let server = serve(env.path(), &env.config(), &env.db());
    let (status, body) = server.post(
        "/api/ticks",
        &token,
        &json!({"horror": "damaged", "occurred_at": "2026-02-01T03:00:00Z"}),
    );
    assert_eq!((status, &body["day"]), (201, &json!("2026-01-31")));
    server.stop();

    std::fs::write(env.config(), CONFIG.replace("America/Chicago", "UTC")).unwrap();
    let server = serve(env.path(), &env.config(), &env.db());
    let ticks = server.get("/api/ticks?from=2026-02-01&to=2026-02-01", &token);
    assert_eq!(ticks["ticks"][0]["day"], "2026-02-01");
    assert_eq!(ticks["window"]["timezone"], "UTC");
    let ranking = server.get("/api/ranking?from=2026-02-01&to=2026-02-01", &token);
    assert_eq!(ranking["totals"]["count"], 1);
    let ranking = server.get("/api/ranking?from=2026-01-31&to=2026-01-31", &token);
    assert_eq!(ranking["totals"]["count"], 0);
    server.stop();

    // Costs are stored in USD: switching currency is refused, in one line, and changes nothing.
    std::fs::write(
        env.config(),
        CONFIG
            .replace("America/Chicago", "UTC")
            .replace("\"USD\"", "\"EUR\""),
    )
    .unwrap();
    let output = run(horrors(env.path())
        .args(["serve", "--bind", "127.0.0.1:0", "--config"])
        .arg(env.config())
        .arg("--db")
        .arg(env.db()));
    assert!(!output.status.success());
    let err = stderr(&output);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("organization.currency"), "{err}");
    std::fs::write(env.config(), CONFIG.replace("America/Chicago", "UTC")).unwrap();
    let server = serve(env.path(), &env.config(), &env.db());
    let catalogue = server.get("/api/horrors", &token);
    assert_eq!(catalogue["organization"]["currency"], "USD");
    assert_eq!(catalogue["organization"]["timezone"], "UTC");
}

#[test]
fn a_refused_currency_change_names_the_file() {
    let env = Env::new();
    let token = create_token(env.path(), &env.db(), "admin", "boss");
    let server = serve(env.path(), &env.config(), &env.db());
    let (status, _) = server.post("/api/ticks", &token, &json!({"horror": "damaged"}));
    assert_eq!(status, 201);
    server.stop();
    std::fs::write(env.config(), CONFIG.replace("\"USD\"", "\"EUR\"")).unwrap();
    let output = run(horrors(env.path())
        .args(["serve", "--bind", "127.0.0.1:0", "--config"])
        .arg(env.config())
        .arg("--db")
        .arg(env.db()));
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("horrors.toml"), "the file is not named: {err}");
}

#[test]
fn usage_errors_are_one_line() {
    let env = Env::new();
    for args in [
        vec!["token", "create", "--role", "viewer"],
        vec!["frobnicate"],
        vec!["rank", "--by"],
    ] {
        let output = run(horrors(env.path()).args(&args));
        assert!(!output.status.success(), "{args:?}");
        let err = stderr(&output);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
fn the_database_is_the_source_of_truth_until_the_file_changes() {
    let env = Env::new();
    let token = create_token(env.path(), &env.db(), "admin", "boss");
    let server = serve(env.path(), &env.config(), &env.db());
    let catalogue = server.get("/api/horrors", &token);
    let mut horrors: Vec<Value> = catalogue["horrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            json!({"key": h["key"], "name": h["name"], "description": h["description"],
                   "pain": h["pain"], "unit_cost": h["unit_cost"], "operational": h["operational"]})
        })
        .collect();
    horrors[2]["pain"] = json!(2);
    let (status, body) = request(
        "PUT",
        &format!("{}/api/horrors", server.base),
        &token,
        Some(&json!({ "horrors": horrors })),
    );
    assert_eq!(status, 200, "{body}");
    server.stop();

    // The same file again: the API's change stands.
    let server = serve(env.path(), &env.config(), &env.db());
    assert_eq!(server.get("/api/horrors", &token)["horrors"][2]["pain"], 2);
    server.stop();
    // A changed file is applied again.
    std::fs::write(env.config(), format!("# edited\n{CONFIG}")).unwrap();
    let server = serve(env.path(), &env.config(), &env.db());
    assert_eq!(server.get("/api/horrors", &token)["horrors"][2]["pain"], 8);
}

#[test]
fn a_token_revoked_with_the_cli_while_serving_stops_working_within_a_second() {
    let env = Env::new();
    let token = create_token(env.path(), &env.db(), "staff", "tablet");
    let server = serve(env.path(), &env.config(), &env.db());
    assert_eq!(
        request("GET", &format!("{}/api/me", server.base), &token, None).0,
        200
    );
    let list = stdout(&run(horrors(env.path())
        .args(["token", "list", "--db"])
        .arg(env.db())));
    let id = list
        .lines()
        .find(|l| l.contains("tablet"))
        .and_then(|l| l.split_whitespace().next())
        .expect("the token is listed")
        .to_string();
    let revoked = run(horrors(env.path())
        .args(["token", "revoke", &id, "--db"])
        .arg(env.db()));
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    let started = Instant::now();
    // The server remembers identities for at most one second (src/store/cache.rs).
    loop {
        let (status, _) = request("GET", &format!("{}/api/me", server.base), &token, None);
        if status == 401 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "still accepted after 3 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn usage_errors_name_what_is_missing_and_suggest_close_matches() {
    let env = Env::new();
    for (args, needle) in [
        (vec!["token", "create", "--role", "staff"], "--name"),
        (vec!["charts"], "--out"),
        (vec!["export", "annual", "--out", "x.zip"], "--year"),
        (vec!["token", "craete"], "create"),
        (vec!["rank", "--dayz", "3"], "--days"),
    ] {
        let output = run(horrors(env.path()).args(&args));
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = stderr(&output);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?} should name {needle}: {err}");
    }
}

#[test]
fn token_commands_say_what_they_did() {
    let env = Env::new();
    // A new database is announced, with where it is.
    let output = run(horrors(env.path()).args([
        "token",
        "create",
        "--role",
        "staff",
        "--name",
        "Dispatch tablet",
        "--db",
        "typo.db",
    ]));
    assert!(output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("created a new database at") && err.contains("typo.db"),
        "{err}"
    );
    let output = run(horrors(env.path()).args([
        "token", "create", "--role", "viewer", "--name", "Exec", "--db", "typo.db",
    ]));
    assert!(
        !stderr(&output).contains("new database"),
        "{}",
        stderr(&output)
    );
    // The list is aligned: every row has its columns at the same offsets.
    let output = run(horrors(env.path()).args(["token", "list", "--db", "typo.db"]));
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    let created = lines[0].find("created").unwrap();
    for line in &lines[1..] {
        assert!(line[created..].starts_with("20"), "{out}");
        assert_eq!(
            line[created..].split("  ").next().unwrap().len(),
            "2026-11-23 10:00:00".len(),
            "{out}"
        );
    }
    // Revoking twice says so, and an unknown id is an error.
    let output = run(horrors(env.path()).args(["token", "revoke", "1", "--db", "typo.db"]));
    assert!(
        stdout(&output).starts_with("revoked token 1"),
        "{}",
        stdout(&output)
    );
    let output = run(horrors(env.path()).args(["token", "revoke", "1", "--db", "typo.db"]));
    assert!(output.status.success());
    assert!(
        stdout(&output).contains("already revoked"),
        "{}",
        stdout(&output)
    );
    let output = run(horrors(env.path()).args(["token", "revoke", "99", "--db", "typo.db"]));
    assert!(!output.status.success());
    // Commands that need a database say where they looked.
    let output = run(horrors(env.path()).args(["token", "list", "--db", "nope.db"]));
    let err = stderr(&output);
    assert!(
        !output.status.success()
            && err.contains("no such database")
            && err.contains(&env.path().display().to_string()),
        "{err}"
    );
}

#[test]
fn out_is_atomic_everywhere_creates_folders_and_names_no_temporary_file() {
    let env = Env::new();
    let token = create_token(env.path(), &env.db(), "admin", "boss");
    let server = serve(env.path(), &env.config(), &env.db());
    post_ticks(&server.base, &token, 5);
    let year = chrono::Utc::now().format("%Y").to_string();
    for args in [
        vec!["export", "ticks", "--days", "30", "--out", "a/b/ticks.csv"],
        vec![
            "export",
            "annual",
            "--year",
            &year,
            "--out",
            "a/b/review.zip",
        ],
        vec!["catalogue", "export", "--out", "a/b/horrors.toml"],
        vec!["backup", "--out", "a/b/copy.db"],
        vec!["charts", "--days", "30", "--out", "a/b/charts"],
    ] {
        for round in 0..2 {
            let output = run(horrors(env.path())
                .args(&args)
                .arg("--db")
                .arg(env.db())
                .arg("--config")
                .arg(env.config()));
            assert!(
                output.status.success(),
                "{args:?} round {round}: {}",
                stderr(&output)
            );
            assert!(
                stderr(&output).contains("wrote") || stderr(&output).contains("backed up"),
                "{args:?}: {}",
                stderr(&output)
            );
        }
    }
    let left: Vec<String> = std::fs::read_dir(env.path().join("a/b"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
    // A folder that cannot be made is one line naming the target, not a temporary file.
    std::fs::write(env.path().join("plain"), "x").unwrap();
    let output = run(horrors(env.path())
        .args(["export", "ticks", "--out", "plain/ticks.csv", "--db"])
        .arg(env.db()));
    let err = stderr(&output);
    assert!(!output.status.success());
    assert!(
        err.contains("plain/ticks.csv") && !err.contains(".partial") && !err.contains(".tmp"),
        "{err}"
    );
    drop(server);
}

#[test]
fn a_second_serve_on_the_same_database_is_refused() {
    let env = Env::new();
    let server = serve(env.path(), &env.config(), &env.db());
    let output = run(horrors(env.path())
        .args(["serve", "--bind", "127.0.0.1:0", "--config"])
        .arg(env.config())
        .arg("--db")
        .arg(env.db()));
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("another `horrors serve` is already using"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // CLI commands beside it keep working.
    let output = run(horrors(env.path())
        .args(["token", "list", "--db"])
        .arg(env.db()));
    assert!(output.status.success(), "{}", stderr(&output));
    drop(server);
}

/// Regression: `migrate` copied a database that a running `serve` went on writing, and the
/// ticks acknowledged meanwhile never reached PostgreSQL.
#[test]
fn migrate_refuses_while_a_serve_runs_on_the_database() {
    let env = Env::new();
    let server = serve(env.path(), &env.config(), &env.db());
    // No PostgreSQL is needed: the lock is checked before connecting.
    let output = run(horrors(env.path())
        .args([
            "migrate",
            "--to",
            "postgres://nobody@127.0.0.1:1/none",
            "--db",
        ])
        .arg(env.db()));
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("a `horrors serve` is running on") && err.contains("stop it before migrating"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    drop(server);
    // Once it stopped, migrate goes on to the target (here: unreachable, another error).
    let output = run(horrors(env.path())
        .args([
            "migrate",
            "--to",
            "postgres://nobody@127.0.0.1:1/none",
            "--db",
        ])
        .arg(env.db()));
    assert!(!output.status.success());
    assert!(!stderr(&output).contains("serve"), "{}", stderr(&output));
}

#[test]
fn a_clean_stop_leaves_everything_in_the_database_file() {
    let env = Env::new();
    let token = create_token(env.path(), &env.db(), "admin", "boss");
    let server = serve(env.path(), &env.config(), &env.db());
    post_ticks(&server.base, &token, 40);
    server.stop();
    let wal = env.path().join("horrors.db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the WAL still holds data after a clean stop"
    );
    // The .db alone, copied elsewhere, has every tick.
    let alone = env.path().join("alone");
    std::fs::create_dir(&alone).unwrap();
    std::fs::copy(env.db(), alone.join("copy.db")).unwrap();
    assert_eq!(count_ticks(&alone.join("copy.db")), 40);
}

/// Peak resident memory of a process, from /proc (kB).
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

#[test]
fn thirty_two_big_pngs_at_once_stay_under_a_gigabyte() {
    let env = Env::new();
    let token = create_token(env.path(), &env.db(), "admin", "boss");
    let server = serve(env.path(), &env.config(), &env.db());
    post_ticks(&server.base, &token, 30);
    let handles: Vec<_> = (0..32)
        .map(|i| {
            let url = format!(
                "{}/charts/{}.png?days={}&width=3000&height=3000",
                server.base,
                ["pareto", "trend", "matrix", "cost"][i % 4],
                200 + i
            );
            let token = token.clone();
            std::thread::spawn(move || {
                match ureq::get(&url)
                    .set("Authorization", &format!("Bearer {token}"))
                    .call()
                {
                    Ok(r) => r.status(),
                    Err(ureq::Error::Status(code, r)) => {
                        assert_eq!(code, 503);
                        assert!(r.header("retry-after").is_some());
                        code
                    }
                    Err(e) => panic!("{e}"),
                }
            })
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(statuses.contains(&200), "{statuses:?}");
    let peak = peak_rss_kb(server.child.id());
    eprintln!(
        "peak RSS with 32 concurrent 3000x3000 PNGs: {} MiB ({statuses:?})",
        peak / 1024
    );
    assert!(peak < 1024 * 1024, "peak RSS {peak} kB");
}

#[test]
fn backup_finishes_under_steady_writes_and_never_leaves_a_partial_file() {
    let env = Env::new();
    let token = create_token(env.path(), &env.db(), "admin", "boss");
    // Some history first, straight into the database (the server is not running yet).
    {
        let store = horrors::store::Store::open(&env.db()).unwrap();
        let config = horrors::config::parse(CONFIG).unwrap();
        store.apply_config(&config).unwrap();
        let now = chrono::Utc::now();
        let ticks: Vec<_> = (0..50_000)
            .map(|i| horrors::ticks::NewTick {
                horror: ["late-delivery", "damaged", "lost-package"][i % 3].to_string(),
                qty: 1,
                occurred_at: now - chrono::Duration::minutes(i as i64),
                source: horrors::ticks::Source::Internal,
                department: None,
                note: None,
                cost_minor: None,
                idempotency: None,
                site: None,
            })
            .collect();
        store.record_ticks(None, "seed", ticks).unwrap();
    }
    let server = serve(env.path(), &env.config(), &env.db());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (stop, base, token) = (stop.clone(), server.base.clone(), token.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (status, _) = request(
                    "POST",
                    &format!("{base}/api/ticks"),
                    &token,
                    Some(&json!({"horror": "damaged"})),
                );
                assert_eq!(status, 201);
                n += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            n
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let copy = env.path().join("copy.db");
    let started = Instant::now();
    let output = run(horrors(env.path())
        .args(["backup", "--out"])
        .arg(&copy)
        .arg("--db")
        .arg(env.db()));
    let took = started.elapsed();
    assert!(output.status.success(), "{}", stderr(&output));
    eprintln!("backup of 50,000 ticks under steady writes took {took:?}");
    assert!(took < Duration::from_secs(60));
    let copied = count_ticks(&copy);
    assert!(copied >= 50_000, "{copied}");
    // Killed mid-way, a backup leaves nothing at --out.
    let partial = env.path().join("partial.db");
    let mut child = horrors(env.path())
        .args(["backup", "--out"])
        .arg(&partial)
        .arg("--db")
        .arg(env.db())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(15));
    child.kill().unwrap();
    let _ = child.wait();
    if partial.exists() {
        // It finished before the kill: then it is whole.
        assert!(count_ticks(&partial) >= 50_000);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(writer.join().unwrap() > 0);
    drop(server);
}

/// A webhook receiver on port 0: answers each POST with the next status of `statuses`
/// (then 200) and hands over (headers, body) of every request.
fn webhook(statuses: Vec<u16>) -> (String, mpsc::Receiver<(String, Vec<u8>)>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut statuses = statuses.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head, length) = loop {
                let n = stream.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break (String::new(), 0);
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_string();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    buf.drain(..end + 4);
                    break (head, length);
                }
            };
            while buf.len() < length {
                let n = stream.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let status = statuses.next().unwrap_or(200);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            let _ = tx.send((head, buf));
        }
    });
    (url, rx)
}

/// A SQLite database with two quiet months of late deliveries and a spike yesterday.
fn spiky_database(env: &Env) {
    let store = horrors::store::Store::open(&env.db()).unwrap();
    store
        .apply_config(&horrors::config::parse(CONFIG).unwrap())
        .unwrap();
    let now = store.now();
    let tick = |back: i64, qty: i64| horrors::ticks::NewTick {
        horror: "late-delivery".into(),
        qty,
        occurred_at: now - chrono::Duration::days(back),
        source: horrors::ticks::Source::Internal,
        department: None,
        note: None,
        cost_minor: None,
        idempotency: None,
        site: None,
    };
    let ticks = (2..=56).map(|b| tick(b, 2)).chain([tick(1, 30)]).collect();
    store.record_ticks(None, "seed", ticks).unwrap();
    store.close().unwrap();
}

/// `X-Horrors-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, checked
/// independently of the server's code.
fn check_signature(head: &str, body: &[u8], secret: &[u8]) {
    use hmac::Mac;
    let header = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("x-horrors-signature: ")
                .or_else(|| l.strip_prefix("X-Horrors-Signature: "))
        })
        .unwrap_or_else(|| panic!("no signature header in {head}"));
    let (t, v1) = header
        .split_once(',')
        .and_then(|(t, v)| Some((t.strip_prefix("t=")?, v.strip_prefix("v1=")?)))
        .unwrap_or_else(|| panic!("signature {header}"));
    let t: i64 = t.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - t).abs() < 300, "t = {t}");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    assert_eq!(v1, hex::encode(mac.finalize().into_bytes()));
}

#[test]
fn alerts_send_posts_each_event_once_signed_and_retries_failures_at_once() {
    let env = Env::new();
    spiky_database(&env);
    // The first delivery fails (500): the event stays queued, with its attempt recorded.
    let (url, received) = webhook(vec![500]);
    let config =
        format!("{CONFIG}\n[alerts]\nwebhook_url = \"{url}\"\nwebhook_secret = \"s3cret\"\n");
    std::fs::write(env.config(), &config).unwrap();
    let send = || {
        run(horrors(env.path())
            .args(["alerts", "send", "--config"])
            .arg(env.config())
            .arg("--db")
            .arg(env.db()))
    };
    let first = send();
    assert!(
        !first.status.success(),
        "a failed delivery is an error exit"
    );
    assert!(stderr(&first).contains("retried"), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("late-delivery"),
        "{}",
        stdout(&first)
    );
    let (head, body) = received.recv_timeout(Duration::from_secs(10)).unwrap();
    check_signature(&head, &body, b"s3cret");
    let event: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["event"], "opened");
    assert_eq!(event["alert"]["horror"], "late-delivery");
    assert_eq!(event["alert"]["count"], 30);
    assert_eq!(event["alert"]["closed"], Value::Null);
    assert!(event["alert"]["signals"]
        .as_array()
        .unwrap()
        .contains(&json!("above")));
    assert!(event["sent_at"].is_string(), "{event}");
    let id = event["id"].as_str().unwrap().to_string();
    assert!(
        id.starts_with("late-delivery||") && id.ends_with("|opened"),
        "{id}"
    );
    let store = horrors::store::Store::open(&env.db()).unwrap();
    let (attempts, error, delivered): (i64, Option<String>, Option<i64>) = store
        .read(|c| {
            c.one_row(
                "SELECT attempts, last_error, delivered_at FROM alert_deliveries",
                &[],
                |r| Ok((r.int(0)?, r.opt_text(1)?, r.opt_int(2)?)),
            )
        })
        .unwrap();
    assert_eq!(
        (attempts, error.as_deref(), delivered),
        (1, Some("HTTP 500"), None)
    );
    store.close().unwrap();
    drop(store);
    // `alerts send` retries a pending event now, whatever its backoff: delivered, once.
    let again = send();
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stderr(&again).contains("delivered 1"), "{}", stderr(&again));
    let (head, again_body) = received.recv_timeout(Duration::from_secs(10)).unwrap();
    check_signature(&head, &again_body, b"s3cret");
    let again_event: Value = serde_json::from_slice(&again_body).unwrap();
    assert_eq!(
        (&again_event["id"], &again_event["alert"]),
        (&event["id"], &event["alert"])
    );
    let third = send();
    assert!(stderr(&third).contains("delivered 0"), "{}", stderr(&third));
    assert!(
        received.recv_timeout(Duration::from_millis(500)).is_err(),
        "sent twice"
    );
}

#[test]
fn a_webhook_urls_credentials_are_never_logged_nor_stored() {
    let env = Env::new();
    spiky_database(&env);
    // Nothing listens on this port: the delivery fails in transport.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = format!(
        "{CONFIG}\n[alerts]\nwebhook_url = \"http://hook-user:hunter2@127.0.0.1:{port}/hook\"\nwebhook_secret = \"s3cret\"\n"
    );
    std::fs::write(env.config(), &config).unwrap();
    let out = run(horrors(env.path())
        .args(["alerts", "send", "--config"])
        .arg(env.config())
        .arg("--db")
        .arg(env.db()));
    assert!(!out.status.success());
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!text.contains("hunter2"), "{text}");
    let store = horrors::store::Store::open(&env.db()).unwrap();
    let stored: Vec<String> = store
        .read(|c| {
            c.rows(
                "SELECT COALESCE(last_error, '') || body FROM alert_deliveries",
                &[],
                |r| r.text(0),
            )
        })
        .unwrap();
    assert!(!stored.is_empty());
    for row in stored {
        assert!(!row.contains("hunter2"), "{row}");
    }
    let raw = std::fs::read(env.db()).unwrap();
    assert!(
        !raw.windows(7).any(|w| w == b"hunter2"),
        "the password is in the database file"
    );
}
#[test]
fn alert_settings_are_checked_like_the_rest_of_the_file() {
    let env = Env::new();
    for (table, expected) in [
        (
            "webhook_url = \"ftp://x\"\nwebhook_secret = \"s\"",
            "alerts.webhook_url",
        ),
        ("webhook_url = \"https://x/y\"", "alerts.webhook_secret"),
        ("lookback_days = 3", "alerts.lookback_days"),
        ("colour = \"red\"", "colour"),
    ] {
        std::fs::write(env.config(), format!("{CONFIG}\n[alerts]\n{table}\n")).unwrap();
        let out = run(horrors(env.path())
            .args(["alerts", "send", "--config"])
            .arg(env.config())
            .arg("--db")
            .arg(env.db()));
        assert!(!out.status.success(), "{table}");
        let err = stderr(&out);
        assert!(
            err.contains(expected) && err.trim_end().lines().count() == 1,
            "{table}: {err}"
        );
    }
}

/// The fixture with three sites appended (SPEC §16).
fn sites_config() -> String {
    format!(
        "{CONFIG}\n[[sites]]\nkey = \"north\"\nname = \"North\"\n\n[[sites]]\nkey = \"south\"\nname = \"South\"\ntimezone = \"Asia/Tokyo\"\n"
    )
}

fn volume_rows(db: &Path) -> Vec<(String, String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT day, site, units FROM volume ORDER BY day, site")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn volume_import_takes_every_row_or_none_and_names_the_bad_line() {
    let env = Env::new();
    std::fs::write(env.config(), sites_config()).unwrap();
    create_token(env.path(), &env.db(), "viewer", "seed");
    let import = |text: &str| {
        let csv = env.path().join("volume.csv");
        std::fs::write(&csv, text).unwrap();
        run(horrors(env.path())
            .args(["volume", "import", "--csv"])
            .arg(&csv)
            .arg("--config")
            .arg(env.config())
            .arg("--db")
            .arg(env.db()))
    };
    // Each bad file: a one-line error naming the line, and nothing imported.
    for (text, line, what) in [
        (
            "day,site,units\n2026-01-05,north,100\n2026-01-06,north,-3\n",
            "line 3",
            "units",
        ),
        ("day,site,units\n2026-01-05,north,1.5\n", "line 2", "units"),
        // Blank lines count: the line is the file's, not the row's.
        (
            "day,site,units\n\n2026-01-05,north,100\n\n2026-01-06,north,-3\n",
            "line 5",
            "units",
        ),
        (
            "day,site,units\n2026-01-05,north,100\n2026-01-05,west,7\n",
            "line 3",
            "west",
        ),
        ("day,site,units\n2026-01-05,,100\n", "line 2", "site"),
        (
            "day,site,units\n2999-01-05,north,100\n",
            "line 2",
            "after today",
        ),
        (
            "day,site,units\n2026-02-30,north,100\n",
            "line 2",
            "not a date",
        ),
        (
            "day,site,units\n2026-01-05,north,100\n2026-01-05,north,5\n",
            "line 3",
            "twice",
        ),
        ("day,site,units\n2026-01-05,north\n", "line 2", ""),
        ("day,units\n2026-01-05,100\n", "line 1", "header"),
        (
            "day,site,units\n2026-01-05,north,1000000000001\n",
            "line 2",
            "units",
        ),
        (
            "day,site,units\n1969-12-31,north,5\n",
            "line 2",
            "before 1970",
        ),
        ("day,site,units\n", "header", "but no rows"),
        ("day,site,units\r\n\r\n", "header", "but no rows"),
        ("", "empty", "day,site,units"),
    ] {
        let output = import(text);
        assert!(!output.status.success(), "{text:?} was accepted");
        let err = stderr(&output);
        assert_eq!(err.trim().lines().count(), 1, "{text:?}: {err}");
        assert!(err.contains(line) && err.contains(what), "{text:?}: {err}");
        assert!(err.contains("nothing imported"), "{err}");
        assert!(volume_rows(&env.db()).is_empty(), "{text:?} imported rows");
    }
    // A huge cell is quoted, not repeated whole.
    let cell = "7".repeat(5_000_000);
    let output = import(&format!("day,site,units\n2026-01-05,north,{cell}\n"));
    let err = stderr(&output);
    assert!(!output.status.success());
    assert!(err.len() < 400, "{} bytes", err.len());
    assert!(err.contains(&format!("\"{}\"…", "7".repeat(60))), "{err}");
    // A good file: every row, and a second import replaces a day's value.
    let output =
        import("day,site,units\n2026-01-05,north,100\n2026-01-05,south,250\n2026-01-06,north,0\n");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("imported 3"),
        "{}",
        stderr(&output)
    );
    let output = import("day,site,units\n2026-01-05,north,120\n");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        volume_rows(&env.db()),
        [
            ("2026-01-05".into(), "north".into(), 120),
            ("2026-01-05".into(), "south".into(), 250),
            ("2026-01-06".into(), "north".into(), 0),
        ]
    );
}

#[test]
fn token_create_binds_a_token_to_a_configured_site_only() {
    let env = Env::new();
    std::fs::write(env.config(), sites_config()).unwrap();
    create_token(env.path(), &env.db(), "viewer", "seed");
    // The sites become known once the configuration is applied (by any reading command).
    let output = run(horrors(env.path())
        .args(["rank", "--config"])
        .arg(env.config())
        .arg("--db")
        .arg(env.db()));
    assert!(output.status.success(), "{}", stderr(&output));
    let create = |role: &str, site: &str| {
        run(horrors(env.path())
            .args([
                "token", "create", "--role", role, "--name", "t", "--site", site, "--db",
            ])
            .arg(env.db()))
    };
    for (role, site, message) in [("admin", "north", "admin"), ("staff", "west", "west")] {
        let output = create(role, site);
        assert!(!output.status.success());
        let err = stderr(&output);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(message), "{err}");
    }
    assert_eq!(token_names(&env.db()), ["seed"]);
    let output = create("staff", "south");
    assert!(output.status.success(), "{}", stderr(&output));
    let secret = stdout(&output).trim().lines().last().unwrap().to_string();
    let store = horrors::store::Store::open(&env.db()).unwrap();
    let who = store.authenticate(&secret).unwrap().unwrap();
    assert_eq!(who.site.as_deref(), Some("south"));
}

#[test]
fn a_one_site_annual_review_is_named_after_its_site() {
    use std::io::Read;
    let env = Env::new();
    std::fs::write(env.config(), sites_config()).unwrap();
    create_token(env.path(), &env.db(), "viewer", "seed");
    let export = |args: &[&str]| {
        run(horrors(env.path())
            .args(["export", "annual", "--year", "2025"])
            .args(args)
            .arg("--config")
            .arg(env.config())
            .arg("--db")
            .arg(env.db()))
    };
    let output = export(&["--site", "south"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let zip = env.path().join("horrors-annual-2025-south.zip");
    assert!(
        stderr(&output).contains("horrors-annual-2025-south.zip"),
        "{}",
        stderr(&output)
    );
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut readme = String::new();
    archive
        .by_name("README.txt")
        .unwrap()
        .read_to_string(&mut readme)
        .unwrap();
    assert!(
        readme
            .lines()
            .next()
            .unwrap()
            .ends_with(", site South (south)"),
        "{readme}"
    );
    assert!(readme.contains("one site only: South (south)"), "{readme}");
    // Without --site: the organization's name; an unknown site is one line, nothing written.
    let output = export(&[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(env.path().join("horrors-annual-2025.zip").exists());
    let output = export(&["--site", "west"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("--site: no site with key \"west\"") && err.contains("north, south"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!env.path().join("horrors-annual-2025-west.zip").exists());
}

// ---------------------------------------------------------------- rolling it out

/// `horrors doctor` with `args` after it, in `env`.
fn doctor(env: &Env, args: &[&str]) -> Output {
    run(horrors(env.path())
        .args(["doctor", "--config"])
        .arg(env.config())
        .args(args))
}

/// The state column of the doctor table's row `name`.
fn doctor_state(out: &str, name: &str) -> String {
    out.lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or_else(|| panic!("no {name} row in {out}"))
        .to_string()
}

#[test]
fn doctor_passes_on_a_healthy_install_and_fails_on_each_broken_part() {
    let env = Env::new();
    let db = env.db();
    let db_arg = db.to_str().unwrap();
    // No database yet: the database check fails, and nothing is created.
    let output = doctor(&env, &["--db", db_arg]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let out = stdout(&output);
    assert!(out.starts_with("check"), "{out}");
    assert_eq!(doctor_state(&out, "configuration"), "ok");
    assert_eq!(doctor_state(&out, "database"), "FAIL");
    assert_eq!(doctor_state(&out, "schema"), "skip");
    let err = stderr(&output);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("checks failed"), "{err}");
    assert!(!db.exists(), "doctor created the database");

    // A migrated database: every check passes or is skipped.
    create_token(env.path(), &db, "admin", "root");
    let output = doctor(&env, &["--db", db_arg]);
    let out = stdout(&output);
    assert!(output.status.success(), "{out}{}", stderr(&output));
    for (name, state) in [
        ("configuration", "ok"),
        ("database", "ok"),
        ("schema", "ok"),
        ("clock", "ok"),
        ("webhook", "skip"),
        ("oidc", "skip"),
    ] {
        assert_eq!(doctor_state(&out, name), state, "{out}");
    }
    assert!(["ok", "warn"].contains(&doctor_state(&out, "disk").as_str()));

    // A webhook nobody answers.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        env.config(),
        format!(
            "{CONFIG}\n[alerts]\nwebhook_url = \"http://127.0.0.1:{port}/hook\"\nwebhook_secret = \"s3cret\"\n"
        ),
    )
    .unwrap();
    let output = doctor(&env, &["--db", db_arg]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(doctor_state(&stdout(&output), "webhook"), "FAIL");
    assert!(!stdout(&output).contains("s3cret"));

    // A broken configuration.
    std::fs::write(env.config(), CONFIG.replace("pain = 9", "pain = 11")).unwrap();
    let output = doctor(&env, &["--db", db_arg]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert_eq!(doctor_state(&out, "configuration"), "FAIL", "{out}");
    assert!(out.contains("pain"), "{out}");
    assert_eq!(doctor_state(&out, "database"), "ok", "{out}");
}

#[test]
#[ignore = "needs PostgreSQL: HORRORS_TEST_DATABASE_URL, run with --ignored on_postgres"]
fn doctor_on_postgres_compares_the_clocks_and_sees_an_unmigrated_database() {
    // Ignored unless asked for; asked for, it fails without a database.
    let base = std::env::var("HORRORS_TEST_DATABASE_URL")
        .expect("this test needs PostgreSQL: set HORRORS_TEST_DATABASE_URL");
    let env = Env::new();
    let name = format!("doctor_{}", std::process::id());
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    let output = doctor(&env, &["--database-url", &url]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert_eq!(doctor_state(&out, "schema"), "FAIL", "{out}");
    assert!(out.contains("version 0 of"), "{out}");
    assert_eq!(doctor_state(&out, "clock"), "ok", "{out}");
    assert!(out.contains("ms against the database server"), "{out}");
    let output = run(horrors(env.path())
        .args([
            "token",
            "create",
            "--role",
            "admin",
            "--name",
            "a",
            "--database-url",
        ])
        .arg(&url));
    assert!(output.status.success(), "{}", stderr(&output));
    let output = doctor(&env, &["--database-url", &url]);
    assert!(output.status.success(), "{}", stdout(&output));
}

#[test]
fn json_logs_are_one_object_per_line_without_secrets() {
    let env = Env::new();
    let mut child = horrors(env.path())
        .args(["serve", "--bind", "127.0.0.1:0", "--config"])
        .arg(env.config())
        .arg("--db")
        .arg(env.db())
        .env("HORRORS_LOG", "info,access=info")
        .env("HORRORS_LOG_FORMAT", "json")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let token = out
        .by_ref()
        .map_while(Result::ok)
        .find(|l| is_token(l))
        .expect("the one-time admin token");
    let listening = Listening::wait(&mut child);
    let base = listening.base();
    let mut lines = listening.before;
    let note = "the customer's name is Alice Secretname";
    let (status, _) = request(
        "POST",
        &format!("{base}/api/ticks"),
        &token,
        Some(&json!({"horror": "damaged", "note": note})),
    );
    assert_eq!(status, 201);
    let (status, _) = request("GET", &format!("{base}/api/me"), "hrr_wrong", None);
    assert_eq!(status, 401);
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    assert!(child.wait().unwrap().success());
    lines.extend(listening.after.iter());
    // The lines for the person at the terminal ("database: ...", "listening on") stay
    // plain; every log event is one JSON object.
    let events: Vec<Value> = lines
        .iter()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    for line in lines.iter().filter(|l| !l.starts_with('{')) {
        assert!(
            [
                "database:",
                "horrors stopped",
                "lost the admin token",
                "No admin token"
            ]
            .iter()
            .any(|p| line.starts_with(p)),
            "a log line that is not JSON: {line}"
        );
    }
    for event in &events {
        assert!(
            event["timestamp"].is_string() && event["level"].is_string(),
            "{event}"
        );
    }
    let access: Vec<&Value> = events.iter().filter(|e| e["target"] == "access").collect();
    assert!(
        access
            .iter()
            .any(|e| e["fields"]["path"] == "/api/ticks" && e["fields"]["status"] == 201),
        "{access:?}"
    );
    let all = lines.join("\n");
    assert!(!all.contains(&token) && !all.contains("hrr_wrong"), "{all}");
    assert!(!all.contains("Secretname"), "{all}");

    // An unknown format is refused at once.
    let output = run(horrors(env.path())
        .args(["doctor", "--config"])
        .arg(env.config())
        .env("HORRORS_LOG_FORMAT", "xml"));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("HORRORS_LOG_FORMAT"));
}

#[test]
fn the_systemd_unit_is_hardened_and_systemd_analyze_verify_accepts_it() {
    let unit = include_str!("../deploy/horrors.service");
    for line in [
        "DynamicUser=yes",
        "StateDirectory=horrors",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=",
    ] {
        assert!(unit.lines().any(|l| l == line), "missing {line}");
    }
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED systemd-analyze verify: systemd-analyze is not installed");
        return;
    }
    // verify wants the ExecStart binary to exist: point it at the one just built.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("horrors.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/horrors", BIN)).unwrap();
    let output = run(Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&path));
    assert!(output.status.success(), "{}", stderr(&output));
    // Unknown or misspelt keys are only warnings: there must be none.
    assert_eq!(stderr(&output).trim(), "", "systemd-analyze verify warned");
}

#[test]
fn a_session_revoked_with_the_cli_while_serving_ends_within_a_second() {
    let env = Env::new();
    let token = create_token(env.path(), &env.db(), "viewer", "exec laptop");
    let server = serve(env.path(), &env.config(), &env.db());
    // A browser's sign-in.
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let login = match agent
        .post(&format!("{}/login", server.base))
        .set("Origin", &server.base)
        .send_form(&[("token", token.as_str())])
    {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(login.status(), 303);
    let cookie = login
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = |agent: &ureq::Agent| match agent
        .get(&format!("{}/dashboard", server.base))
        .set("Cookie", &cookie)
        .call()
    {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r.status(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(page(&agent), 200);
    let list = run(horrors(env.path())
        .args(["session", "list", "--db"])
        .arg(env.db()));
    assert!(list.status.success(), "{}", stderr(&list));
    let out = stdout(&list);
    assert!(out.starts_with("id"), "{out}");
    let row = out
        .lines()
        .find(|l| l.contains("exec laptop"))
        .unwrap_or_else(|| panic!("the session is listed: {out}"));
    assert!(row.contains("viewer"), "{row}");
    assert!(!out.contains(&token) && !out.contains(cookie.split('=').nth(1).unwrap()));
    let id = row.split_whitespace().next().unwrap().to_string();
    assert_eq!(id.len(), 16, "{row}");
    let revoked = run(horrors(env.path())
        .args(["session", "revoke", &id, "--db"])
        .arg(env.db()));
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    let started = Instant::now();
    while page(&agent) == 200 {
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "the session still works after 3 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(page(&agent), 303, "sent to log in again");
    // The token itself still works; a second revoke is a one-line error.
    assert_eq!(
        request("GET", &format!("{}/api/me", server.base), &token, None).0,
        200
    );
    let again = run(horrors(env.path())
        .args(["session", "revoke", &id, "--db"])
        .arg(env.db()));
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(stderr(&again).trim().lines().count(), 1);
    assert!(stderr(&again).contains("no live session"));
}

/// `[auth.oidc]` for a provider at `issuer`, with `redirect_url`.
fn oidc_config(issuer: &str, redirect_url: &str) -> String {
    format!(
        "{CONFIG}\n[auth.oidc]\nissuer = \"{issuer}\"\nclient_id = \"horrors\"\nclient_secret_env = \"HORRORS_OIDC_SECRET\"\nredirect_url = \"{redirect_url}\"\ndisplay_name = \"Acme login\"\n[auth.oidc.roles]\nviewer = [\"executives\"]\n"
    )
}

#[test]
fn oidc_settings_are_refused_at_start_in_one_line_and_checked_by_doctor() {
    let env = Env::new();
    let db = env.db();
    let serve = |secret: Option<&str>| {
        let mut command = horrors(env.path());
        command
            .args(["serve", "--bind", "127.0.0.1:0", "--config"])
            .arg(env.config())
            .arg("--db")
            .arg(&db)
            .env_remove("HORRORS_OIDC_SECRET");
        if let Some(secret) = secret {
            command.env("HORRORS_OIDC_SECRET", secret);
        }
        run(&mut command)
    };
    // A redirect URL that is not the callback: refused, naming the key.
    std::fs::write(
        env.config(),
        oidc_config("https://login.example.com", "https://h.example.com/cb"),
    )
    .unwrap();
    let output = serve(Some("s3cret"));
    assert!(!output.status.success());
    let err = stderr(&output);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("auth.oidc.redirect_url"), "{err}");
    // No secret in the environment: refused, naming the key, nothing written.
    std::fs::write(
        env.config(),
        oidc_config(
            "https://login.example.com",
            "https://h.example.com/auth/callback",
        ),
    )
    .unwrap();
    let output = serve(None);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("auth.oidc.client_secret_env") && err.contains("HORRORS_OIDC_SECRET"),
        "{err}"
    );
    assert!(
        !db.exists(),
        "nothing is written before the settings are valid"
    );

    // doctor: a provider nobody answers for fails the oidc row; a live one passes.
    create_token(env.path(), &db, "admin", "root");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        env.config(),
        oidc_config(
            &format!("http://127.0.0.1:{port}"),
            "https://h.example.com/auth/callback",
        ),
    )
    .unwrap();
    let db_arg = db.to_str().unwrap();
    let output = run(horrors(env.path())
        .args(["doctor", "--config"])
        .arg(env.config())
        .args(["--db", db_arg])
        .env("HORRORS_OIDC_SECRET", "s3cret"));
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert_eq!(doctor_state(&stdout(&output), "oidc"), "FAIL");
    assert!(!stdout(&output).contains("s3cret"));

    let Some(provider) = oidc_mock::MockProvider::start(&[]) else {
        return;
    };
    std::fs::write(
        env.config(),
        oidc_config(&provider.issuer, "https://h.example.com/auth/callback"),
    )
    .unwrap();
    let output = run(horrors(env.path())
        .args(["doctor", "--config"])
        .arg(env.config())
        .args(["--db", db_arg])
        .env("HORRORS_OIDC_SECRET", "s3cret"));
    let out = stdout(&output);
    assert_eq!(doctor_state(&out, "oidc"), "ok", "{out}");
    assert!(out.contains("/oauth2/token"), "{out}");
    assert!(output.status.success(), "{out}{}", stderr(&output));
}
