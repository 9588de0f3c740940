//! PostgreSQL with real processes (SPEC §15): two `horrors serve` against one database
//! behave as one service; an instance frozen in the middle of a write stalls nobody else;
//! a server that loses PostgreSQL answers 503 and recovers by itself; `migrate --to`
//! copies a SQLite installation and proves it; bad URLs are one-line errors.
//!
//! Each test starts its own throwaway cluster with `scripts/pg` (Debian's PostgreSQL
//! binaries, a temporary folder, a private port), so the outage test can stop it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;

use common::reply::Reply;
use common::server::{horrors, Listening};

const CONFIG: &str = include_str!("fixtures/horrors.toml");

fn scripts_pg() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg")
}

/// A private PostgreSQL cluster, removed when dropped.
struct Cluster {
    dir: tempfile::TempDir,
    port: u16,
    url: String,
}

impl Cluster {
    fn start() -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("horrors-pg")
            .tempdir()
            .unwrap();
        let port = {
            let probe = TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let output = Command::new(scripts_pg())
            .arg("start")
            .arg(dir.path().join("pg"))
            .arg(port.to_string())
            .output()
            .expect("scripts/pg runs");
        assert!(
            output.status.success(),
            "scripts/pg start failed (is Debian's postgresql installed? scripts/test installs it): {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let base = String::from_utf8_lossy(&output.stdout).trim().to_string();
        let (prefix, _) = base.rsplit_once('/').unwrap();
        let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
        admin.batch_execute("CREATE DATABASE horrors").unwrap();
        Cluster {
            dir,
            port,
            url: format!("{prefix}/horrors"),
        }
    }

    fn pg(&self, command: &str) {
        let status = Command::new(scripts_pg())
            .arg(command)
            .arg(self.dir.path().join("pg"))
            .arg(self.port.to_string())
            .status()
            .unwrap();
        assert!(status.success(), "scripts/pg {command}");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(scripts_pg())
            .arg("stop")
            .arg(self.dir.path().join("pg"))
            .status();
    }
}

fn run(command: &mut Command) -> Output {
    command.output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

fn token(dir: &Path, url: &str, role: &str, name: &str) -> String {
    let out = run(horrors(dir).args([
        "token",
        "create",
        "--role",
        role,
        "--name",
        name,
        "--database-url",
        url,
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).lines().last().unwrap().to_string()
}

/// A running `horrors serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, url: &str) -> Server {
    let mut child = horrors(dir)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--config",
            "horrors.toml",
            "--database-url",
            url,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let address = Listening::wait(&mut child).address;
    Server {
        child,
        base: format!("http://{address}"),
    }
}

fn call(
    method: &str,
    url: &str,
    token: &str,
    key: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut req = ureq::request(method, url).set("Authorization", &format!("Bearer {token}"));
    if let Some(key) = key {
        req = req.set("Idempotency-Key", key);
    }
    let result = match body {
        Some(b) => req.send_json(b.clone()),
        None => req.call(),
    };
    let reply = Reply::read(result, &format!("{method} {url}"));
    (reply.status, reply.body)
}

/// Polls `check` every 50 ms for up to `limit`; returns how long it took to pass.
fn within(limit: Duration, mut check: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() <= limit {
        if check() {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

fn setup() -> (Cluster, tempfile::TempDir) {
    let cluster = Cluster::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("horrors.toml"), CONFIG).unwrap();
    (cluster, dir)
}

#[test]
fn two_instances_on_one_database_behave_as_one_service() {
    let (cluster, dir) = setup();
    let url = &cluster.url;
    let admin = token(dir.path(), url, "admin", "boss");
    let staff = token(dir.path(), url, "staff", "ana");
    let a = serve(dir.path(), url);
    let b = serve(dir.path(), url);
    let servers = [&a.base, &b.base];

    // Concurrent ticks to both, every key sent to both: each recorded exactly once.
    let per_thread = 40;
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (servers, staff) = ([a.base.clone(), b.base.clone()], staff.clone());
            std::thread::spawn(move || {
                let mut first_ids = Vec::new();
                for i in 0..per_thread {
                    let key = format!("k-{t}-{i}");
                    let body = json!({"horror": if i % 3 == 0 { "damaged" } else { "late-delivery" }, "qty": 1 + i % 4});
                    let (s1, first) = call("POST", &format!("{}/api/ticks", servers[i % 2]), &staff, Some(&key), Some(&body));
                    assert_eq!(s1, 201, "{first}");
                    let (s2, again) = call("POST", &format!("{}/api/ticks", servers[(i + 1) % 2]), &staff, Some(&key), Some(&body));
                    assert_eq!(s2, 200, "the other instance replays: {again}");
                    assert_eq!(again["id"], first["id"]);
                    first_ids.push((first["id"].as_i64().unwrap(), 1 + (i % 4) as i64));
                }
                first_ids
            })
        })
        .collect();
    let recorded: Vec<(i64, i64)> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let total: i64 = recorded.iter().map(|(_, q)| q).sum();
    // A batch's client_id replays across instances too.
    let batch = json!({"ticks": [{"horror": "damaged", "client_id": "phone-1:1"}]});
    let (s, first) = call(
        "POST",
        &format!("{}/api/ticks/batch", a.base),
        &staff,
        None,
        Some(&batch),
    );
    assert_eq!(s, 201, "{first}");
    let (s, again) = call(
        "POST",
        &format!("{}/api/ticks/batch", b.base),
        &staff,
        None,
        Some(&batch),
    );
    assert_eq!((s, again["replayed"].as_i64()), (201, Some(1)), "{again}");
    assert_eq!(again["ticks"][0]["id"], first["ticks"][0]["id"]);
    let total = total + 1;

    // The rollup is exact under concurrent writers: both instances rank the same totals.
    for base in servers {
        let (s, ranking) = call(
            "GET",
            &format!("{base}/api/ranking?days=1"),
            &admin,
            None,
            None,
        );
        assert_eq!(s, 200);
        assert_eq!(
            ranking["totals"]["count"].as_i64(),
            Some(total),
            "{base}: {ranking}"
        );
    }
    let check = run(horrors(dir.path()).args(["check", "--database-url", url]));
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(
        text(&check.stdout).starts_with("ok:"),
        "{}",
        text(&check.stdout)
    );

    // Catalogue changes made through A are seen by B within a second.
    let (_, mut catalogue) = call(
        "GET",
        &format!("{}/api/horrors", b.base),
        &admin,
        None,
        None,
    );
    let mut horrors: Vec<Value> = catalogue["horrors"].as_array().unwrap().clone();
    for h in &mut horrors {
        let h = h.as_object_mut().unwrap();
        h.retain(|k, _| {
            [
                "key",
                "name",
                "description",
                "pain",
                "unit_cost",
                "operational",
            ]
            .contains(&k.as_str())
        });
    }
    horrors[0]["name"] = json!("Late, late delivery");
    let (s, body) = call(
        "PUT",
        &format!("{}/api/horrors", a.base),
        &admin,
        None,
        Some(&json!({"horrors": horrors})),
    );
    assert_eq!(s, 200, "{body}");
    let seen = within(Duration::from_millis(1000), || {
        (_, catalogue) = call(
            "GET",
            &format!("{}/api/horrors", b.base),
            &admin,
            None,
            None,
        );
        catalogue["horrors"][0]["name"] == "Late, late delivery"
    });
    assert!(seen.is_some(), "B still shows {}", catalogue["horrors"][0]);

    // Cycles made on A are on B.
    let cycle =
        json!({"name": "Q1 push", "start": "2026-01-01", "days": 30, "focus": ["late-delivery"]});
    let (s, made) = call(
        "POST",
        &format!("{}/api/cycles", a.base),
        &admin,
        None,
        Some(&cycle),
    );
    assert_eq!(s, 201, "{made}");
    let (s, on_b) = call(
        "GET",
        &format!("{}/api/cycles/{}", b.base, made["id"]),
        &admin,
        None,
        None,
    );
    assert_eq!((s, &on_b["name"]), (200, &json!("Q1 push")));

    // A token revoked through A is refused by B within a second (B had it cached).
    let doomed = token(dir.path(), url, "viewer", "temp");
    assert_eq!(
        call(
            "GET",
            &format!("{}/api/ranking", b.base),
            &doomed,
            None,
            None
        )
        .0,
        200
    );
    let (_, list) = call("GET", &format!("{}/api/tokens", a.base), &admin, None, None);
    let id = list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "temp")
        .unwrap()["id"]
        .clone();
    let (s, _) = call(
        "POST",
        &format!("{}/api/tokens/{id}/revoke", a.base),
        &admin,
        None,
        None,
    );
    assert_eq!(s, 200);
    let refused = within(Duration::from_millis(1000), || {
        call(
            "GET",
            &format!("{}/api/ranking", b.base),
            &doomed,
            None,
            None,
        )
        .0 == 401
    });
    assert!(refused.is_some(), "B still accepts a token revoked on A");

    // A session made on A works on B.
    let no_redirects = ureq::AgentBuilder::new().redirects(0).build();
    let login = no_redirects
        .post(&format!("{}/login", a.base))
        .set("Origin", &a.base)
        .send_form(&[("token", staff.as_str())]);
    let login = match login {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("login: {e}"),
    };
    let cookie = login
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("horrors_session="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .expect("a session cookie");
    let page = ureq::get(&format!("{}/api/horrors", b.base))
        .set("Cookie", &cookie)
        .call()
        .unwrap();
    assert_eq!(page.status(), 200);
}

/// One answered tick of the freeze test.
struct Sent {
    instance: usize,
    key: String,
    qty: i64,
    status: u16,
    code: String,
    started: Instant,
    took: Duration,
    id: Option<i64>,
}

/// Ticks with keys of their own to `base` until `stop`, each answer kept.
fn tick_load(
    instance: usize,
    thread: usize,
    base: String,
    staff: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<Vec<Sent>> {
    std::thread::spawn(move || {
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(120))
            .build();
        let mut sent = Vec::new();
        let mut i = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            i += 1;
            let key = format!("{instance}-{thread}-{i}");
            let qty = 1 + (i % 3) as i64;
            let horror = if i % 2 == 0 {
                "damaged"
            } else {
                "late-delivery"
            };
            let started = Instant::now();
            // A kept-alive connection the server closed meanwhile (the frozen instance's,
            // after the thaw) resets the next request on it: resend with the same key, as
            // any client would; the key makes the resend safe.
            let mut resent = 0;
            let result = loop {
                let result = agent
                    .post(&format!("{base}/api/ticks"))
                    .set("Authorization", &format!("Bearer {staff}"))
                    .set("Idempotency-Key", &key)
                    .send_json(json!({"horror": horror, "qty": qty}));
                match result {
                    Err(ureq::Error::Transport(_)) if resent < 3 => resent += 1,
                    other => break other,
                }
            };
            let took = started.elapsed();
            let response = match result {
                Ok(r) | Err(ureq::Error::Status(_, r)) => r,
                Err(e) => panic!("{key}: {e}"),
            };
            let status = response.status();
            let body: Value = response.into_json().unwrap_or(Value::Null);
            sent.push(Sent {
                instance,
                key,
                qty,
                status,
                code: body["error"]["code"].as_str().unwrap_or("").to_string(),
                started,
                took,
                id: body["id"].as_i64(),
            });
        }
        sent
    })
}

fn signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal}");
}

/// How long the freeze test stops instance A: `HORRORS_FREEZE_SECS`, 8 s by default (the
/// outside check used 30 s; 8 s already outlasts the 5 s idle-in-transaction timeout, so
/// A's session is ended under it, as it would be after 30 s).
fn freeze_for() -> Duration {
    Duration::from_secs(
        std::env::var("HORRORS_FREEZE_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(8),
    )
}

#[test]
fn a_frozen_instance_does_not_stall_the_others_ticks() {
    let (cluster, dir) = setup();
    let url = &cluster.url;
    let staff = token(dir.path(), url, "staff", "ana");
    let admin = token(dir.path(), url, "admin", "boss");
    let a = serve(dir.path(), url);
    let b = serve(dir.path(), url);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = Vec::new();
    for (instance, server) in [(0, &a), (1, &b)] {
        for thread in 0..4 {
            load.push(tick_load(
                instance,
                thread,
                server.base.clone(),
                staff.clone(),
                stop.clone(),
            ));
        }
    }
    std::thread::sleep(Duration::from_secs(1));

    // Freeze A in the middle of a write: stopped while its writer has a transaction open
    // (B's transactions end within milliseconds; a frozen one stays open).
    let mut pg = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let mut open_write = || -> i64 {
        pg.query_one(
            "SELECT COUNT(*) FROM pg_stat_activity
             WHERE datname = current_database() AND state = 'idle in transaction'
               AND backend_xid IS NOT NULL",
            &[],
        )
        .unwrap()
        .get(0)
    };
    let mut frozen_at = None;
    for attempt in 0..200 {
        signal(&a.child, "STOP");
        let stopped = Instant::now();
        std::thread::sleep(Duration::from_millis(150));
        if open_write() > 0 {
            frozen_at = Some(stopped);
            break;
        }
        signal(&a.child, "CONT");
        std::thread::sleep(Duration::from_millis(10 + attempt % 7 * 3));
    }
    let frozen_at = frozen_at.expect("A was never caught in the middle of a write");
    let freeze = freeze_for();
    std::thread::sleep(freeze.saturating_sub(frozen_at.elapsed()));
    let thawed_at = Instant::now();
    signal(&a.child, "CONT");
    std::thread::sleep(Duration::from_secs(1));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let sent: Vec<Sent> = load.into_iter().flat_map(|t| t.join().unwrap()).collect();

    // B's ticks during the freeze: all recorded, p99 under 100 ms.
    let mut during: Vec<&Sent> = sent
        .iter()
        .filter(|s| s.instance == 1 && s.started >= frozen_at && s.started + s.took <= thawed_at)
        .collect();
    assert!(
        during.len() > 100,
        "B answered only {} ticks while A was frozen",
        during.len()
    );
    for s in &during {
        assert_eq!(
            s.status, 201,
            "B during the freeze: {} {} {}",
            s.key, s.status, s.code
        );
    }
    during.sort_by_key(|s| s.took);
    let p99 = during[during.len() * 99 / 100].took;
    eprintln!(
        "B during a {freeze:?} freeze of A: {} ticks, p50 {:?}, p99 {:?}, max {:?}",
        during.len(),
        during[during.len() / 2].took,
        p99,
        during.last().unwrap().took
    );
    assert!(
        p99 < Duration::from_millis(100),
        "B's p99 during the freeze: {p99:?}"
    );

    // Every answer is 201 or a clean 503 (A's writes caught by the freeze), never a 500.
    for s in &sent {
        assert!(
            s.status == 201
                || (s.status == 503
                    && ["storage_unavailable", "overloaded"].contains(&s.code.as_str())),
            "{} answered {} {}",
            s.key,
            s.status,
            s.code
        );
    }
    let refused = sent.iter().filter(|s| s.status == 503).count();
    eprintln!("{} ticks sent, {refused} answered 503", sent.len());

    // Nothing acknowledged is lost or doubled: every tick has its own key, and every
    // acknowledged key holds the tick that was answered.
    let stored: std::collections::HashMap<String, i64> = pg
        .query("SELECT key, tick_id FROM idempotency", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let ticks: i64 = pg
        .query_one("SELECT COUNT(*) FROM ticks", &[])
        .unwrap()
        .get(0);
    assert_eq!(ticks as usize, stored.len(), "a tick without its own key");
    for s in sent.iter().filter(|s| s.status == 201) {
        assert_eq!(
            stored.get(&s.key),
            s.id.as_ref(),
            "acknowledged {} lost",
            s.key
        );
    }
    // The rollups recount exactly, and the ranking counts what is stored.
    let check = run(horrors(dir.path()).args(["check", "--database-url", url]));
    assert!(
        check.status.success() && text(&check.stdout).starts_with("ok:"),
        "{} {}",
        text(&check.stdout),
        text(&check.stderr)
    );
    let qty: i64 = pg
        .query_one("SELECT CAST(SUM(qty) AS BIGINT) FROM ticks", &[])
        .unwrap()
        .get(0);
    let acknowledged: i64 = sent.iter().filter(|s| s.status == 201).map(|s| s.qty).sum();
    assert!(qty >= acknowledged);
    for server in [&a, &b] {
        let (s, ranking) = call(
            "GET",
            &format!("{}/api/ranking?days=1", server.base),
            &admin,
            None,
            None,
        );
        assert_eq!(s, 200);
        assert_eq!(ranking["totals"]["count"].as_i64(), Some(qty), "{ranking}");
    }
}

#[test]
fn losing_postgresql_is_503_and_writes_come_back_without_a_restart() {
    let (cluster, dir) = setup();
    let staff = token(dir.path(), &cluster.url, "staff", "ana");
    let viewer = token(dir.path(), &cluster.url, "viewer", "exec");
    let server = serve(dir.path(), &cluster.url);
    let tick = || {
        call(
            "POST",
            &format!("{}/api/ticks", server.base),
            &staff,
            None,
            Some(&json!({"horror": "damaged"})),
        )
    };
    assert_eq!(tick().0, 201);

    cluster.pg("halt");
    let (status, body) = tick();
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "storage_unavailable", "{body}");
    let health = ureq::get(&format!("{}/healthz", server.base)).call();
    assert!(
        matches!(health, Err(ureq::Error::Status(503, _))),
        "{health:?}"
    );
    let reads = call(
        "GET",
        &format!("{}/api/ranking", server.base),
        &viewer,
        None,
        None,
    );
    assert!(
        reads.0 == 503 || reads.0 == 200,
        "reads fail cleanly: {reads:?}"
    );

    cluster.pg("resume");
    let back = within(Duration::from_secs(15), || tick().0 == 201);
    assert!(back.is_some(), "writes never came back");
    let (_, ranking) = call(
        "GET",
        &format!("{}/api/ranking?days=1", server.base),
        &viewer,
        None,
        None,
    );
    assert!(
        ranking["totals"]["count"].as_i64().unwrap() >= 2,
        "{ranking}"
    );
}

#[test]
fn migrate_copies_a_sqlite_installation_and_refuses_a_non_empty_target() {
    let (cluster, dir) = setup();
    let db = dir.path().join("horrors.db");
    // A SQLite installation with history: demo ticks, a token, a cycle, a void.
    {
        let store = horrors::store::Store::open(&db).unwrap();
        store
            .apply_config(&horrors::config::parse(CONFIG).unwrap())
            .unwrap();
        let ticks = horrors::demo::ticks(&store.snapshot().unwrap(), store.now());
        let recorded = store.record_ticks(None, "demo", ticks).unwrap();
        let (admin, _) = store
            .create_token("boss", horrors::auth::Role::Admin)
            .unwrap();
        let who = horrors::auth::Identity {
            token_id: admin.id,
            name: admin.name,
            role: admin.role,
            site: None,
        };
        store
            .void_tick(recorded[0].tick.id, who, Some("typo".into()))
            .unwrap();
        let window = horrors::calendar::Window::ending(
            horrors::calendar::local_day(store.now(), chrono_tz::America::Chicago),
            30,
        )
        .unwrap();
        store
            .create_cycle("Q".into(), window, None, vec!["damaged".into()])
            .unwrap();
        store.close().unwrap();
    }
    let out =
        run(horrors(dir.path()).args(["migrate", "--db", "horrors.db", "--to", &cluster.url]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    assert!(
        printed.contains("ticks") && printed.contains("verified"),
        "{printed}"
    );

    // The same answers from both.
    for args in [
        vec!["rank", "--json", "--days", "120"],
        vec!["token", "list"],
    ] {
        let from_sqlite = run(horrors(dir.path()).args(&args).args([
            "--db",
            "horrors.db",
            "--config",
            "horrors.toml",
        ]));
        let from_pg = run(horrors(dir.path()).args(&args).args([
            "--database-url",
            &cluster.url,
            "--config",
            "horrors.toml",
        ]));
        assert!(from_pg.status.success(), "{}", text(&from_pg.stderr));
        assert_eq!(text(&from_sqlite.stdout), text(&from_pg.stdout), "{args:?}");
    }
    // New rows get new ids after the copied ones.
    let made = token(dir.path(), &cluster.url, "staff", "new");
    assert!(made.starts_with("hrr_"));

    let again =
        run(horrors(dir.path()).args(["migrate", "--db", "horrors.db", "--to", &cluster.url]));
    assert!(!again.status.success());
    let err = text(&again.stderr);
    assert!(
        err.contains("not empty") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn bad_database_urls_and_unreachable_servers_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("horrors.toml"), CONFIG).unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["token", "list", "--database-url", "mysql://x@y/z"],
            "--database-url",
        ),
        (
            &[
                "token",
                "list",
                "--database-url",
                "postgres://x@127.0.0.1:1/db?bogus=1",
            ],
            "--database-url",
        ),
        (
            &[
                "serve",
                "--config",
                "horrors.toml",
                "--bind",
                "127.0.0.1:0",
                "--database-url",
                "postgres://x@127.0.0.1:1/db",
            ],
            "cannot connect",
        ),
        (
            &["migrate", "--db", "missing.db", "--to", "sqlite:other.db"],
            "--to",
        ),
    ];
    for (args, expected) in cases {
        let out = run(horrors(dir.path()).args(args));
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    // [storage] url in the file counts, and its errors name the field.
    std::fs::write(
        dir.path().join("bad.toml"),
        format!("{CONFIG}\n[storage]\nurl = \"ftp://x\"\n"),
    )
    .unwrap();
    let out = run(horrors(dir.path()).args(["token", "list", "--config", "bad.toml"]));
    let err = text(&out.stderr);
    assert!(
        !out.status.success() && err.contains("storage.url"),
        "{err}"
    );
    let out = run(horrors(dir.path()).args([
        "backup",
        "--out",
        "x.db",
        "--database-url",
        "postgres://x@127.0.0.1:1/db",
    ]));
    assert!(
        text(&out.stderr).contains("pg_dump"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("x.db").exists());
}

// ---------------------------------------------------------------- TLS (sslmode, sslrootcert)

/// Runs openssl with `args` in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the openssl command runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        text(&out.stderr)
    );
}

/// A certificate authority `name`.crt/.key in `dir`.
fn make_ca(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.crt"),
        ],
    );
}

/// Turns `cluster` into one that speaks TLS only: a server certificate for 127.0.0.1 and
/// `db.internal`, signed by `ca`, and a pg_hba.conf that refuses connections without TLS.
fn require_tls(cluster: &Cluster, certs: &Path) {
    std::fs::write(
        certs.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:db.internal\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        certs,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            "/CN=db.internal",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    openssl(
        certs,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    );
    let data = cluster.dir.path().join("pg/data");
    let owner = {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(&data).unwrap();
        (meta.uid(), meta.gid())
    };
    for file in ["server.crt", "server.key"] {
        let to = data.join(file);
        std::fs::copy(certs.join(file), &to).unwrap();
        std::os::unix::fs::chown(&to, Some(owner.0), Some(owner.1)).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let conf = data.join("postgresql.conf");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text.push_str("\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
    std::fs::write(&conf, text).unwrap();
    std::fs::write(
        data.join("pg_hba.conf"),
        "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
    )
    .unwrap();
    cluster.pg("halt");
    cluster.pg("resume");
}

#[test]
fn tls_to_postgres_follows_sslmode_and_sslrootcert() {
    let cluster = Cluster::start();
    let certs = tempfile::tempdir().unwrap();
    make_ca(certs.path(), "ca");
    make_ca(certs.path(), "other-ca");
    require_tls(&cluster, certs.path());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("horrors.toml"), CONFIG).unwrap();
    let ca = certs.path().join("ca.crt");
    let other = certs.path().join("other-ca.crt");
    let url = |host: &str, query: &str| {
        format!(
            "postgres://horrors@{host}:{}/horrors?hostaddr=127.0.0.1&{query}",
            cluster.port
        )
    };
    let create = |url: &str| {
        run(horrors(dir.path()).args([
            "token",
            "create",
            "--role",
            "viewer",
            "--name",
            "tls",
            "--database-url",
            url,
        ]))
    };
    let refused = |url: &str, words: &[&str]| {
        let out = create(url);
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{url} connected");
        assert_eq!(err.trim().lines().count(), 1, "not one line: {err}");
        for word in words {
            assert!(err.contains(word), "{url}: {err:?} lacks {word:?}");
        }
        assert!(!err.contains("is it running"), "{err}");
    };

    // verify-full with the right CA and a name the certificate has.
    for host in ["127.0.0.1", "db.internal"] {
        let good = url(
            host,
            &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
        );
        let out = create(&good);
        assert!(out.status.success(), "{good}: {}", text(&out.stderr));
    }
    // The wrong CA, and a name the certificate does not have.
    refused(
        &url(
            "127.0.0.1",
            &format!("sslmode=verify-full&sslrootcert={}", other.display()),
        ),
        &[
            "TLS",
            "not signed by a certificate authority in sslrootcert",
        ],
    );
    refused(
        &url(
            "elsewhere.internal",
            &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
        ),
        &["TLS", "not for the host"],
    );
    // verify-ca checks the chain, not the name.
    let out = create(&url(
        "elsewhere.internal",
        &format!("sslmode=verify-ca&sslrootcert={}", ca.display()),
    ));
    assert!(out.status.success(), "{}", text(&out.stderr));
    refused(
        &url(
            "127.0.0.1",
            &format!("sslmode=verify-ca&sslrootcert={}", other.display()),
        ),
        &["not signed"],
    );
    // require and the default (prefer) encrypt without checking the certificate.
    for query in ["sslmode=require", "application_name=horrors"] {
        let out = create(&url("127.0.0.1", query));
        assert!(out.status.success(), "{query}: {}", text(&out.stderr));
    }
    // disable against a server that takes TLS connections only.
    refused(
        &url("127.0.0.1", "sslmode=disable"),
        &["no encryption", "sslmode"],
    );
    // A serving instance over verify-full records and reads.
    let good = url(
        "db.internal",
        &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
    );
    let staff = token(dir.path(), &good, "staff", "floor");
    let server = serve(dir.path(), &good);
    let (status, body) = call(
        "POST",
        &format!("{}/api/ticks", server.base),
        &staff,
        None,
        Some(&json!({"horror": "damaged"})),
    );
    assert_eq!(status, 201, "{body}");
}
