//! The pages in real headless Chromium, against the real binary.
//!
//! Starts `horrors serve --demo` on a fresh database and port 0, makes tokens with
//! `horrors token create`, then drives Debian's Chromium over the DevTools protocol:
//! login redirect and cookie flags, one tap = one tick (checked over the API), undo, the
//! offline queue across a reload, the dashboard, the admin page and its refusal for staff,
//! logout, and that no request ever leaves the server.
//!
//! The tests run in order and share the server, the browser and the staff phone, as a
//! person would use them; this file is its own test harness (`harness = false`), so a
//! failed test is reported and the next ones still run. Arguments: substrings of test
//! names to run (`--skip NAME`, `--exact` and `--list` work as with libtest).
//!
//! Screenshots go to `target/screenshots/`, or to `$HORRORS_SCREENSHOTS` (relative to
//! the repository) — `scripts/screenshots` refreshes `docs/screenshots/` that way.
//! `$CHROMIUM` overrides `/usr/bin/chromium`.

mod cdp;
#[path = "../common/mod.rs"]
mod common;
mod method;
mod oidc;
mod proxy;
mod server;
mod sites;

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use cdp::{js, q, Browser, Page, DESKTOP, PHONE};
use proxy::Proxy;
use server::Server;

const CONFIG: &str = include_str!("../../data/horrors.toml");

type Test = (&'static str, fn(&mut Suite));

const TESTS: &[Test] = &[
    (
        "pages without a session redirect to /login with a local next",
        redirect_to_login,
    ),
    (
        "a wrong token is refused on the login page itself",
        wrong_token,
    ),
    (
        "login sets an HttpOnly, SameSite=Strict session cookie and returns to the page asked for",
        session_cookie,
    ),
    (
        "the tally shows one big full-width button per active horror with today's count",
        tally_buttons,
    ),
    (
        "one tap records one tick, shown at once and then confirmed",
        one_tap,
    ),
    (
        "the complaint toggle and the \"more\" quantity apply to the next tap only",
        extras_for_next_tap,
    ),
    ("undo voids the last tick", undo),
    (
        "offline: taps queue, survive a reload, and sync exactly once",
        offline_queue,
    ),
    (
        "a tap in flight when the page reloads is replayed, not doubled",
        in_flight_replayed,
    ),
    (
        "a tap the server refuses without naming it is set aside; the others still sync",
        refused_set_aside,
    ),
    (
        "the tally works in dark mode and with large text",
        dark_and_large_text,
    ),
    (
        "the department picker is required when departments exist, and remembered",
        departments,
    ),
    (
        "pages above one's role say which role they need (403)",
        forbidden,
    ),
    (
        "the dashboard answers \"what to fix first\", ranks, charts and exports",
        dashboard,
    ),
    (
        "admin: catalogue errors inline, tokens shown once and revoked, cycles with focus",
        admin,
    ),
    ("logout ends the session on the server", logout),
    ("a session dies with its token", session_dies_with_token),
    (
        "every page reads in English, Simplified and Traditional Chinese; the switcher remembers",
        languages,
    ),
    (
        "sites: the tally asks an unbound phone for its site first, remembers it, and taps land there",
        sites::tally_picker,
    ),
    (
        "sites: a phone bound to a site never sees the picker",
        sites::bound_phone,
    ),
    (
        "sites: the dashboard's site picker limits the ranking, charts and exports to one site",
        sites::dashboard_site_picker,
    ),
    (
        "sites: compare sites shows a small Pareto per site and one row per site",
        sites::compare_sites,
    ),
    (
        "sites: the volume form sets a day's volume at a site, and rates per 1,000 follow",
        sites::volume_form,
    ),
    (
        "sites: admin creates a token bound to a site",
        sites::admin_site_token,
    ),
    (
        "devices: a QR code from the admin page signs a phone in at its site, once",
        sites::enrol_phone,
    ),
    (
        "method: /tally?horror=KEY (a check sheet's QR code) puts that horror first, chosen and focused",
        method::tally_preselects,
    ),
    (
        "method: the nominations page proposes, lists by support, supports and declines",
        method::nominations,
    ),
    (
        "method: a paper sheet entered on the dashboard is counted in the ranking",
        method::sheet_form,
    ),
    (
        "assets are embedded, typed and cached; no request ever leaves the server",
        assets_and_requests,
    ),
    // After the request check: this one visits a second local origin, the provider.
    (
        "oidc: an executive signs in with the identity provider's button and lands on the dashboard as a viewer",
        oidc::executive_signs_in,
    ),
];

// ------------------------------------------------------------------ harness

fn main() {
    let mut filters = Vec::new();
    let mut skips = Vec::new();
    let (mut exact, mut list, mut ignored) = (false, false, false);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--list" => list = true,
            "--exact" => exact = true,
            "--ignored" => ignored = true,
            "--skip" => skips.extend(args.next()),
            // libtest options that take a value, and any other flag: accepted, unused.
            "--test-threads" | "--color" | "--format" | "--logfile" | "-Z" => {
                args.next();
            }
            flag if flag.starts_with('-') => {}
            filter => filters.push(filter.to_string()),
        }
    }
    let matches = |name: &str, pattern: &String| {
        if exact {
            name == pattern
        } else {
            name.contains(pattern.as_str())
        }
    };
    let selected: Vec<&Test> = TESTS
        .iter()
        .filter(|_| !ignored) // none of these tests is #[ignore]d
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| matches(name, f)))
        .filter(|(name, _)| !skips.iter().any(|s| matches(name, s)))
        .collect();
    if list {
        for (name, _) in &selected {
            println!("{name}: test");
        }
        return;
    }
    let filtered_out = TESTS.len() - selected.len();
    println!("\nrunning {} tests", selected.len());
    let started = Instant::now();
    let mut failed = Vec::new();
    if !selected.is_empty() {
        let chromium = cdp::chromium_path();
        if !chromium.exists() {
            eprintln!(
                "browser tests: Chromium is missing at {}: run ./scripts/test, or apt-get install chromium (or set CHROMIUM)",
                chromium.display()
            );
            std::process::exit(1);
        }
        let mut suite = Suite::start(&chromium);
        for (name, test) in &selected {
            let t0 = Instant::now();
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test(&mut suite)));
            let took = t0.elapsed().as_secs_f64();
            match result {
                Ok(()) => println!("test {name} ... ok ({took:.1} s)"),
                Err(_) => {
                    println!("test {name} ... FAILED ({took:.1} s)");
                    failed.push(*name);
                }
            }
        }
        println!("\nscreenshots: {}", suite.shots.display());
    }
    if !failed.is_empty() {
        println!("\nfailures:");
        for name in &failed {
            println!("    {name}");
        }
    }
    println!(
        "\ntest result: {}. {} passed; {} failed; 0 ignored; 0 measured; {filtered_out} filtered out; finished in {:.2}s\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        selected.len() - failed.len(),
        failed.len(),
        started.elapsed().as_secs_f64()
    );
    if !failed.is_empty() {
        std::process::exit(101);
    }
}

/// What the tests share: the demo server, its tokens, the browser, and the staff phone.
/// (Dropped in this order: the phone's page, then the browser, then the server.)
///
/// The browser reaches the server through `proxy` (`origin` and `url` are the proxy's), so
/// that a test can cut its network for real; the tests' own calls go to `server` directly.
struct Suite {
    /// The staff phone, logged in, used by several tests in turn.
    phone: OnceCell<Page>,
    browser: Browser,
    /// The server with three sites (SPEC §16), for the sites tests.
    sites: OnceCell<sites::Sites>,
    server: Server,
    proxy: Proxy,
    staff: String,
    viewer: String,
    admin: String,
    shots: PathBuf,
    /// The second server's origin (with departments), also a local origin.
    origin2: Option<String>,
}

impl Suite {
    fn start(chromium: &Path) -> Suite {
        let server = Server::start(CONFIG, true);
        // The demo has sites: the phone's token is bound to one, as a station's would be.
        let staff = server.site_token("staff", "Tally phone", "chicago-hub");
        let viewer = server.token("viewer", "Board");
        let admin = server.token("admin", "Ops admin");
        let shots = match std::env::var_os("HORRORS_SCREENSHOTS") {
            Some(dir) => Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
            None => Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .unwrap()
                .join("screenshots"),
        };
        std::fs::create_dir_all(&shots).unwrap();
        Suite {
            proxy: Proxy::start(&server.origin),
            server,
            staff,
            viewer,
            admin,
            browser: Browser::launch(chromium),
            shots,
            phone: OnceCell::new(),
            sites: OnceCell::new(),
            origin2: None,
        }
    }

    /// The server's origin as the browser sees it (the proxy's).
    fn origin(&self) -> &str {
        &self.proxy.origin
    }

    fn url(&self, route: &str) -> String {
        format!("{}{route}", self.origin())
    }

    /// The staff phone, logged in on /tally (opened by the first test that needs it).
    fn phone(&self) -> &Page {
        self.phone.get_or_init(|| {
            let page = self.browser.page(PHONE);
            login(&page, self.origin(), &self.staff, Some("/tally"));
            page
        })
    }

    /// Takes `page` offline for real until the guard is dropped: the proxy cut (nothing
    /// can reach the server) and the page emulating offline (so `navigator.onLine` is false).
    fn offline<'a>(&'a self, page: &'a Page) -> Offline<'a> {
        self.proxy.cut();
        // The guard first: it gives the network back even if going offline fails.
        let offline = Offline {
            page,
            proxy: &self.proxy,
        };
        page.set_offline(true);
        // The cut is real: not even a plain request gets through.
        assert!(
            ureq::get(&self.url("/healthz")).call().is_err(),
            "the proxy lets requests through while cut"
        );
        offline
    }

    fn shot(&self, page: &Page, name: &str) {
        page.screenshot(&self.shots.join(name), false);
    }

    fn shot_full(&self, page: &Page, name: &str) {
        page.screenshot(&self.shots.join(name), true);
    }

    /// Ticks recorded by the token called `name` (today, voided included), newest first.
    fn ticks_by(&self, name: &str, horror: &str) -> Vec<Value> {
        let route = format!("/api/ticks?days=1&limit=1000&include_voided=true&horror={horror}");
        let reply = self.server.api(&self.viewer, "GET", &route, None);
        assert_eq!(reply.status, 200, "{}", reply.text);
        let ticks = reply.body["ticks"].as_array().unwrap();
        ticks
            .iter()
            .filter(|t| t["recorded_by"] == name)
            .cloned()
            .collect()
    }

    fn horrors(&self, secret: &str) -> Vec<Value> {
        let reply = self.server.api(secret, "GET", "/api/horrors", None);
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.body["horrors"].as_array().unwrap().clone()
    }
}

/// A page offline (see [`Suite::offline`]), back online when dropped: also when the test
/// fails, so that the tests after it still have a network.
struct Offline<'a> {
    page: &'a Page,
    proxy: &'a Proxy,
}

impl Drop for Offline<'_> {
    fn drop(&mut self) {
        // The network before the page: going online makes the page sync at once.
        self.proxy.restore();
        if let Err(e) = self.page.try_set_offline(false) {
            // A second panic while a failed test unwinds would abort the whole run.
            if std::thread::panicking() {
                eprintln!("going back online: {e}");
            } else {
                panic!("going back online: {e}");
            }
        }
    }
}

// ------------------------------------------------------------------ helpers

/// Logs in through the login page and waits to land on a page other than /login.
fn login(page: &Page, origin: &str, secret: &str, next: Option<&str>) {
    let query = next
        .map(|n| format!("?next={}", encode(n)))
        .unwrap_or_default();
    page.goto(&format!("{origin}/login{query}"));
    page.fill(&q("#token"), secret);
    page.click_navigating(&q(r#"form[action="/login"] button[type="submit"]"#));
    page.wait_for("!location.pathname.startsWith('/login')");
}

/// `encodeURIComponent`.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'!' | b'~' | b'*' => {
                (b as char).to_string()
            }
            b'\'' | b'(' | b')' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn button(key: &str) -> String {
    q(&format!(r#"button.horror[data-key="{key}"]"#))
}

fn shown_count(page: &Page, key: &str) -> i64 {
    let text = page.text(&format!("{}.querySelector('.count')", button(key)));
    text.trim().parse().unwrap()
}

/// The session cookie of the page's browser context, if any.
fn session_cookie_of(page: &Page, origin: &str) -> Option<Value> {
    page.cookies(&[origin])
        .into_iter()
        .find(|c| c["name"] == "horrors_session")
}

/// Whether `parts` all occur in `text`, in this order (a regex `a.*b.*c`, without a crate).
fn in_order(text: &str, parts: &[&str]) -> bool {
    let mut rest = text;
    for part in parts {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

fn as_i64(value: &Value) -> i64 {
    value
        .as_i64()
        .unwrap_or_else(|| panic!("{value} is not an integer"))
}

fn strip_commas(text: &str) -> String {
    text.replace(',', "")
}

// ------------------------------------------------------------------ tests

fn redirect_to_login(s: &mut Suite) {
    for (route, expected) in [
        ("/tally", "/login?next=%2Ftally"),
        ("/dashboard?days=7", "/login?next=%2Fdashboard%3Fdays%3D7"),
        ("/admin", "/login?next=%2Fadmin"),
        ("/", "/login"),
    ] {
        let reply = s.server.get(route, &[]);
        assert_eq!(reply.status, 303, "{route}");
        assert_eq!(reply.header("location"), Some(expected), "{route}");
    }
    let page = s.browser.page(PHONE);
    page.goto(&s.url("/tally"));
    assert_eq!(page.path(), "/login");
    let next = page.eval("new URL(location.href).searchParams.get('next')");
    assert_eq!(next, "/tally");
    assert!(page.is_visible(&q(r#"label[for="token"]"#)));
    s.shot(&page, "login-phone.png");
    // An outside next is dropped: login then lands on the role's own page.
    login(&page, s.origin(), &s.staff, Some("//evil.example/"));
    assert_eq!(page.url(), s.url("/tally"));
}

fn wrong_token(s: &mut Suite) {
    let page = s.browser.page(PHONE);
    page.goto(&s.url("/login"));
    page.fill(&q("#token"), "hrr_not_a_token");
    let status = page.click_navigating(&q(r#"form[action="/login"] button"#));
    assert_eq!(status, 401);
    assert!(page
        .text(&q("#login-error"))
        .contains("unknown or has been revoked"));
    assert_eq!(page.cookies(&[s.origin()]), Vec::<Value>::new());
    // A login POST from another origin is refused (CSRF).
    let reply = s.server.post_form(
        "/login",
        &[("Origin", "http://evil.example")],
        &format!("token={}", s.staff),
    );
    assert_eq!(reply.status, 403);
    assert_eq!(reply.header("set-cookie"), None);
}

fn session_cookie(s: &mut Suite) {
    let page = s.browser.page(PHONE);
    page.goto(&s.url("/tally"));
    login(&page, s.origin(), &s.staff, None);
    assert_eq!(page.url(), s.url("/tally"));
    let cookies = page.cookies(&[s.origin()]);
    let session = session_cookie_of(&page, s.origin())
        .unwrap_or_else(|| panic!("no session cookie in {cookies:?}"));
    assert_eq!(session["httpOnly"], true);
    assert_eq!(session["sameSite"], "Strict");
    assert_eq!(session["path"], "/");
    assert_eq!(
        session["secure"], false,
        "plain HTTP on 127.0.0.1 is not Secure"
    );
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let days = (session["expires"].as_f64().unwrap() - now.as_secs_f64()) / 86_400.0;
    assert!(days > 29.0 && days <= 30.01, "cookie lives {days} days");
    assert!(!page.eval_bool("document.cookie.includes('horrors_session')"));
    // A forwarded "https" from a peer that is not a trusted proxy changes nothing (a
    // trusted proxy makes the cookie Secure: tests/api/robustness.rs).
    let reply = s.server.post_form(
        "/login",
        &[("X-Forwarded-Proto", "https")],
        &format!("token={}", s.staff),
    );
    assert_eq!(reply.status, 303);
    assert!(!reply.header("set-cookie").unwrap().contains("Secure"));
}

fn tally_buttons(s: &mut Suite) {
    let catalogue = s.horrors(&s.staff);
    let page = s.phone();
    let keys: Vec<&str> = catalogue
        .iter()
        .map(|h| h["key"].as_str().unwrap())
        .collect();
    let shown =
        page.eval("[...document.querySelectorAll('button.horror')].map(b => b.dataset.key)");
    assert_eq!(shown, json!(keys));
    for h in &catalogue {
        let key = h["key"].as_str().unwrap();
        let (width, height) = page.size(&button(key));
        assert!(height >= 48.0, "{key} is {height}px tall");
        assert!(width >= 390.0 - 2.0 * 16.0 - 1.0, "{key} is {width}px wide");
        let name = page.text(&format!("{}.querySelector('.name')", button(key)));
        assert_eq!(name, h["name"].as_str().unwrap());
        assert_eq!(shown_count(page, key), as_i64(&h["today"]));
    }
    assert!(
        page.eval_bool("document.documentElement.scrollWidth <= window.innerWidth"),
        "no sideways scrolling"
    );
}

fn one_tap(s: &mut Suite) {
    let before = s.ticks_by("Tally phone", "late-delivery");
    let page = s.phone();
    let shown = shown_count(page, "late-delivery");
    // The confirmation is synchronous with the tap: measured inside the page.
    let timing = page.eval(
        "(() => {
          const b = document.querySelector('button.horror[data-key=\"late-delivery\"]');
          const t0 = performance.now();
          b.click();
          return { count: b.querySelector('.count').textContent, ms: performance.now() - t0, state: b.className };
        })()",
    );
    let count: i64 = timing["count"].as_str().unwrap().parse().unwrap();
    assert_eq!(count, shown + 1);
    let ms = timing["ms"].as_f64().unwrap();
    assert!(ms < 100.0, "confirmed after {ms} ms");
    assert!(timing["state"].as_str().unwrap().contains("bumped"));
    page.wait_for(&format!(
        "{}.querySelector('.state').textContent.includes('saved')",
        button("late-delivery")
    ));
    page.wait_for("document.getElementById('last').textContent.includes('saved')");
    let after = s.ticks_by("Tally phone", "late-delivery");
    assert_eq!(after.len(), before.len() + 1);
    let tick = &after[0];
    assert_eq!(tick["qty"], 1);
    assert_eq!(tick["source"], "internal");
    assert_eq!(tick["voided"], false);
    assert_eq!(shown_count(page, "late-delivery"), shown + 1);
    s.shot(page, "tally-phone.png");
}

fn extras_for_next_tap(s: &mut Suite) {
    let page = s.phone();
    page.tap(&q("label.toggle.complaint"));
    page.tap(&q("#more summary"));
    page.fill(&q("#qty"), "2");
    page.fill(&q("#note"), "Box crushed <script>alert(1)</script>");
    page.tap(&button("damaged-package"));
    page.wait_for("document.getElementById('last').textContent.includes('saved')");
    let complaint_checked = page.eval_bool(&format!("{}.checked", q("#complaint")));
    let qty = page.value(&q("#qty"));
    let ticks = s.ticks_by("Tally phone", "damaged-package");
    let tick = &ticks[0];
    assert_eq!(tick["source"], "complaint");
    assert_eq!(tick["qty"], 2);
    assert_eq!(tick["note"], "Box crushed <script>alert(1)</script>");
    assert!(!complaint_checked);
    assert_eq!(qty, "1");
    // A complaint tap shows that horror's playbook at once (it is in the page), over the
    // bottom of the screen; "Done" puts it away so the next taps reach their buttons.
    let playbook = q("#playbook-damaged-package");
    page.wait_for(&format!("!{playbook}.hidden"));
    assert!(page.is_visible(&playbook));
    page.tap(&q("#playbook-damaged-package button.close-playbook"));
    page.wait_for(&format!("{playbook}.hidden"));
    assert!(!page.is_visible(&playbook));
}

fn undo(s: &mut Suite) {
    let page = s.phone();
    let shown = shown_count(page, "late-delivery");
    page.tap(&button("late-delivery"));
    page.wait_for("document.getElementById('last').textContent.includes('saved')");
    let tick = s.ticks_by("Tally phone", "late-delivery").remove(0);
    assert_eq!(tick["voided"], false);
    assert_eq!(shown_count(page, "late-delivery"), shown + 1);
    assert!(page.is_visible(&q("#undo")));
    page.tap(&q("#undo"));
    page.wait_for("document.getElementById('last').textContent.startsWith('Undone')");
    let voided = s.ticks_by("Tally phone", "late-delivery").remove(0);
    assert_eq!(voided["id"], tick["id"]);
    assert_eq!(voided["voided"], true);
    assert_eq!(voided["void_reason"], "undo");
    page.wait_for(&format!(
        "Number({}.querySelector('.count').textContent) === {shown}",
        button("late-delivery")
    ));
    assert!(!page.is_visible(&q("#undo")));
}

fn offline_queue(s: &mut Suite) {
    let key = "missed-pickup";
    let page = s.phone();
    // The service worker keeps /tally loadable without a network.
    page.eval(
        "(async () => {
          await navigator.serviceWorker.ready;
          for (let i = 0; i < 100 && !(await caches.match('/tally')); i++) await new Promise((r) => setTimeout(r, 50));
        })()",
    );
    let before = s.ticks_by("Tally phone", key);
    let shown = shown_count(page, key);
    let offline = s.offline(page);
    for _ in 0..3 {
        page.tap(&button(key));
    }
    page.wait_for("document.getElementById('sync').textContent.startsWith('3 waiting to sync')");
    assert_eq!(shown_count(page, key), shown + 3);
    assert_eq!(
        s.ticks_by("Tally phone", key).len(),
        before.len(),
        "nothing reached the server"
    );
    s.shot(page, "tally-phone-offline.png");

    page.reload();
    page.wait_for(&q("button.horror"));
    assert!(
        page.eval_bool("navigator.serviceWorker.controller"),
        "served by the service worker"
    );
    page.wait_for("document.getElementById('sync').textContent.startsWith('3 waiting to sync')");
    assert_eq!(shown_count(page, key), shown + 3);
    assert_eq!(s.ticks_by("Tally phone", key).len(), before.len());

    // Back online (the guard would do it too, had an assertion above failed).
    drop(offline);
    page.wait_for("document.getElementById('sync').textContent === 'All taps saved.'");
    let after = s.ticks_by("Tally phone", key);
    assert_eq!(after.len(), before.len() + 3);
    let ids: std::collections::HashSet<String> =
        after.iter().map(|t| t["id"].to_string()).collect();
    assert_eq!(ids.len(), after.len());
    // Reload online: nothing is sent twice, and the count stays right.
    page.reload();
    page.wait_for("document.getElementById('sync').textContent === 'All taps saved.'");
    assert_eq!(s.ticks_by("Tally phone", key).len(), before.len() + 3);
    assert_eq!(shown_count(page, key), shown + 3);
    assert_eq!(
        page.eval("JSON.parse(localStorage.getItem('horrors.queue.v1'))"),
        json!([])
    );
}

fn in_flight_replayed(s: &mut Suite) {
    let key = "no-update";
    let before = s.ticks_by("Tally phone", key);
    let page = s.phone();
    // Put a tap in the queue as if the page died right after the batch went out.
    page.eval(&format!(
        "(async (k) => {{
          const item = {{ client_id: crypto.randomUUID(), horror: k, occurred_at: new Date().toISOString() }};
          localStorage.setItem('horrors.queue.v1', JSON.stringify([item]));
          const csrf = document.querySelector('meta[name=\"csrf-token\"]').content;
          const res = await fetch('/api/ticks/batch', {{ method: 'POST', headers: {{ 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }}, body: JSON.stringify({{ ticks: [item] }}) }});
          if (res.status !== 201) throw new Error(`batch ${{res.status}}`);
        }})({})",
        js(key)
    ));
    page.reload();
    page.wait_for("document.getElementById('sync').textContent === 'All taps saved.'");
    assert_eq!(s.ticks_by("Tally phone", key).len(), before.len() + 1);
}

fn refused_set_aside(s: &mut Suite) {
    let key = "lost-package";
    let before = s.ticks_by("Tally phone", key);
    let page = s.phone();
    // A lone surrogate makes the whole batch unreadable JSON (400, no details).
    page.eval(&format!(
        r"((k) => {{
          const good = () => ({{ client_id: crypto.randomUUID(), horror: k, occurred_at: new Date().toISOString() }});
          const bad = {{ client_id: crypto.randomUUID(), horror: k, note: 'ab\ud83d' }};
          localStorage.setItem('horrors.queue.v1', JSON.stringify([good(), bad, good()]));
        }})({})",
        js(key)
    ));
    page.reload();
    page.wait_for("document.getElementById('sync').textContent === 'All taps saved.'");
    assert_eq!(
        s.ticks_by("Tally phone", key).len(),
        before.len() + 2,
        "the two good taps are recorded once each"
    );
    assert_eq!(
        page.eval("JSON.parse(localStorage.getItem('horrors.queue.v1'))"),
        json!([])
    );
}

fn dark_and_large_text(s: &mut Suite) {
    let page = s.browser.page(PHONE.dark());
    login(&page, s.origin(), &s.staff, Some("/tally"));
    let background = page.eval("getComputedStyle(document.body).backgroundColor");
    assert_eq!(background, "rgb(17, 19, 23)");
    s.shot(&page, "tally-phone-dark.png");
    page.eval("document.documentElement.style.fontSize = '200%'");
    assert!(
        page.eval_bool("document.documentElement.scrollWidth <= window.innerWidth"),
        "no sideways scrolling at 200 % text"
    );
    let (width, height) = page.size(&button("wrong-address"));
    assert!(
        width >= 390.0 - 2.0 * 32.0 - 1.0 && height >= 96.0,
        "{width} x {height}"
    );
    s.shot(&page, "tally-phone-large-text.png");
}

fn departments(s: &mut Suite) {
    let config = format!("departments = [\"Dispatch\", \"Warehouse\"]\n{CONFIG}");
    let other = Server::start(&config, false);
    s.origin2 = Some(other.origin.clone());
    let staff = other.site_token("staff", "Dock", "memphis");
    let page = s.browser.page(PHONE);
    page.goto(&other.url("/login?next=%2Ftally"));
    page.fill(&q("#token"), &staff);
    page.click_navigating(&q(r#"form[action="/login"] button"#));
    assert_eq!(page.url(), other.url("/tally"));
    page.tap(&button("lost-package"));
    assert!(page
        .text(&q("#last"))
        .contains("Choose your department first"));
    assert_eq!(
        page.eval("JSON.parse(localStorage.getItem('horrors.queue.v1') || '[]')"),
        json!([])
    );
    page.select(&q("#department"), "Warehouse");
    page.tap(&button("lost-package"));
    page.wait_for("document.getElementById('last').textContent.includes('saved')");
    let viewer = other.token("viewer", "v");
    let reply = other.api(&viewer, "GET", "/api/ticks?days=1", None);
    let ticks = reply.body["ticks"].as_array().unwrap();
    assert_eq!(ticks.len(), 1);
    assert_eq!(ticks[0]["department"], "Warehouse");
    page.reload();
    assert_eq!(page.value(&q("#department")), "Warehouse");
}

fn forbidden(s: &mut Suite) {
    let (admin, dashboard) = (s.url("/admin"), s.url("/dashboard"));
    let page = s.phone();
    assert_eq!(page.goto(&admin), 403);
    assert!(page.text(&q("h1")).contains("needs the admin role"));
    assert!(in_order(&page.text(&q("main")), &["Tally phone", "staff"]));
    assert_eq!(page.goto(&dashboard), 403);
    assert!(page.text(&q("h1")).contains("needs the viewer role"));
    s.shot(page, "forbidden-phone.png");
    let viewer = s.browser.page(DESKTOP);
    login(&viewer, s.origin(), &s.viewer, Some("/admin"));
    assert_eq!(viewer.path(), "/admin");
    assert!(viewer.text(&q("h1")).contains("needs the admin role"));
}

fn dashboard(s: &mut Suite) {
    let page = s.browser.page(DESKTOP);
    page.goto(&s.url("/"));
    login(&page, s.origin(), &s.viewer, None);
    assert_eq!(page.path(), "/dashboard");

    let ranking = s.server.api(&s.viewer, "GET", "/api/ranking", None).body;
    let items = ranking["items"].as_array().unwrap();
    let top = &items[0];
    let sentence = page.text(&q("#fix-first"));
    let start = format!("Fix first: {} — ", top["name"].as_str().unwrap());
    assert!(sentence.starts_with(&start), "{sentence}");
    assert!(
        in_order(
            &sentence,
            &["of the priority score, ", " in the last 30 days, "]
        ),
        "{sentence}"
    );

    assert_eq!(page.count("#ranking tbody tr"), items.len());
    for (i, item) in items.iter().enumerate() {
        let cells: Vec<String> = serde_json::from_value(page.eval(&format!(
            "[...document.querySelectorAll('#ranking tbody tr')[{i}].querySelectorAll('th, td')].map(c => c.textContent)"
        )))
        .unwrap();
        assert_eq!(cells[0], item["rank"].to_string());
        assert!(
            cells[1].starts_with(item["name"].as_str().unwrap()),
            "{}",
            cells[1]
        );
        assert_eq!(cells[2], item["tier"].as_str().unwrap());
        assert_eq!(strip_commas(&cells[3]), item["count"].to_string());
        assert_eq!(strip_commas(&cells[4]), item["complaints"].to_string());
        assert_eq!(strip_commas(&cells[5]), item["cost"].as_str().unwrap());
        assert_eq!(
            strip_commas(&cells[6]),
            item["previous"]["count"].to_string()
        );
        // The change is a verdict: a clear one quoted with its change in rate, the rest
        // in words, never a bare percentage.
        let words = match item["change_verdict"].as_str().unwrap() {
            "up" => "▲",
            "down" => "▼",
            "no_clear_change" => "no clear change",
            _ if item["count"] == 0 && item["previous"]["count"] == 0 => "—",
            _ => "too few to tell",
        };
        assert!(cells[7].contains(words), "{} for {}", cells[7], item);
        if matches!(words, "▲" | "▼") {
            assert!(cells[7].contains("clear change"), "{}", cells[7]);
            let pct = item["change_rate_pct"].as_f64().unwrap().abs();
            assert!(
                cells[7].contains(&format!("{pct:.1}")) || cells[7].contains(&format!("{pct:.0}")),
                "{} {pct}",
                cells[7]
            );
        } else {
            assert!(!cells[7].contains('%'), "{}", cells[7]);
        }
        // The demo records volume: each horror's rate per 1,000 shipments (SPEC §17).
        let rate = item["rate_per_1000"]
            .as_f64()
            .map_or("—".to_string(), |r| format!("{r:.2}"));
        assert_eq!(cells[8], rate);
    }
    assert_eq!(ranking["volume"]["unit"], "shipments");
    assert_eq!(
        page.texts("#ranking thead th"),
        [
            "Rank",
            "Horror",
            "Tier",
            "Count",
            "Complaints",
            "Cost (USD)",
            "Previous",
            "Change",
            "Per 1,000 shipments"
        ]
    );

    assert_eq!(page.count("div.charts figure.chart img"), 5);
    let window = &ranking["window"];
    let query = format!(
        "from={}&to={}",
        window["from"].as_str().unwrap(),
        window["to"].as_str().unwrap()
    );
    for name in ["pareto", "compare", "cost", "trend", "matrix"] {
        let img = q(&format!("#chart-{name} img"));
        assert_eq!(
            page.attr(&img, "src").unwrap(),
            format!("/charts/{name}.svg?{query}&lang=en")
        );
        assert!(page.attr(&img, "alt").unwrap().chars().count() > 20);
        page.eval(&format!("({img}).scrollIntoView({{block: 'center'}})"));
        page.wait_for(&format!("({img}).complete && ({img}).naturalWidth > 0"));
    }
    let charts: Vec<_> = page
        .responses()
        .into_iter()
        .filter(|r| r.url.contains("/charts/"))
        .collect();
    assert!(!charts.is_empty(), "no chart was fetched");
    for r in &charts {
        assert_eq!(r.status, 200, "{}", r.url);
        assert!(r.content_type.starts_with("image/svg+xml"), "{r:?}");
    }
    page.eval("window.scrollTo(0, 0)");
    s.shot(&page, "dashboard-desktop.png");
    s.shot_full(&page, "dashboard-desktop-full.png");

    // Exports carry the window and work with the session cookie.
    let export = q(r#"a[href^="/api/export/ranking.csv"]"#);
    assert_eq!(
        page.attr(&export, "href").unwrap(),
        format!("/api/export/ranking.csv?{query}")
    );
    let session = session_cookie_of(&page, s.origin()).expect("a session cookie");
    let cookie = format!("horrors_session={}", session["value"].as_str().unwrap());
    let csv = s.server.get(
        &format!("/api/export/ranking.csv?{query}"),
        &[("Cookie", &cookie)],
    );
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(page.count(r#"a[href^="/api/export/ticks.csv"]"#) > 0);
    assert!(page.count(r#"a[href^="/api/export/annual.zip?year="]"#) > 0);

    // The window picker: 7 days, then custom dates; both without script.
    page.click_navigating(&q(r#"ul.chips a[href="/dashboard?days=7"]"#));
    assert_eq!(
        page.text(&q(r#"ul.chips a[aria-current="true"]"#)),
        "Last 7 days"
    );
    // "in the last 7 days", or "Nothing was recorded in the last 7 days".
    assert!(page.text(&q("#fix-first")).contains("in the last 7 days"));
    page.fill(&q("#from"), "2026-01-01");
    page.fill(&q("#to"), "2026-01-31");
    page.click_navigating(&q("form.custom button"));
    assert!(page
        .text(&q("#fix-first"))
        .contains("from 2026-01-01 to 2026-01-31"));
    assert_eq!(
        page.attr(&q("#chart-pareto img"), "src").unwrap(),
        "/charts/pareto.svg?from=2026-01-01&to=2026-01-31&lang=en"
    );
    // A bad window is explained, not a crash.
    let status = page.goto(&s.url("/dashboard?from=2026-02-30&to=2026-03-01"));
    assert_eq!(status, 200);
    assert!(page.text(&q("p.error")).contains("cannot be shown"));
}

fn admin(s: &mut Suite) {
    let page = s.browser.page(DESKTOP);
    page.accept_dialogs();
    login(&page, s.origin(), &s.admin, Some("/admin"));
    assert_eq!(page.path(), "/admin");
    let before = s.horrors(&s.admin);
    assert_eq!(page.count("li.horror-row"), before.len());
    let names = |horrors: &[Value]| -> Vec<String> {
        horrors
            .iter()
            .map(|h| h["name"].as_str().unwrap().to_string())
            .collect()
    };

    // An empty name: the 422's details land beside the field, and nothing changes.
    let second = "document.querySelectorAll('li.horror-row')[1]";
    let name_field = format!("{second}.querySelector('input[name=\"name\"]')");
    page.fill(&name_field, "");
    page.click(&q(r#"#catalogue-form button[type="submit"]"#));
    page.wait_for(&format!(
        "{second}.querySelector('small.error[data-field=\"name\"]').textContent.length > 0"
    ));
    assert_eq!(
        page.attr(&name_field, "aria-invalid").as_deref(),
        Some("true")
    );
    assert!(page.text(&q("#catalogue-error")).contains("invalid"));
    assert_eq!(names(&s.horrors(&s.admin)), names(&before));

    // A fixed name saves.
    page.fill(&name_field, "Damaged parcel");
    page.click_navigating(&q(r#"#catalogue-form button[type="submit"]"#));
    assert!(page.url().contains("saved=catalogue"), "{}", page.url());
    assert_eq!(s.horrors(&s.admin)[1]["name"], "Damaged parcel");
    assert!(page.text(&q("p.saved")).contains("catalogue was saved"));

    // A new token: its secret is shown once, it works, and revoking it stops it at once.
    page.fill(&q("#token-name"), "Warehouse tablet");
    page.select(&q("#token-role"), "staff");
    page.click(&q(r#"#token-form button[type="submit"]"#));
    page.wait_for(&q("#new-token:not([hidden])"));
    let secret = page.text(&q("#new-token-secret"));
    assert!(
        secret.len() == 68
            && secret.starts_with("hrr_")
            && secret[4..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{secret}"
    );
    assert_eq!(s.server.api(&secret, "GET", "/api/me", None).status, 200);
    let row = "[...document.querySelectorAll('#token-table tbody tr')].find(r => r.textContent.includes('Warehouse tablet'))";
    page.click(&format!("{row}.querySelector('button.revoke')"));
    page.wait_for(&format!(
        "{row}.querySelector('td.status').textContent.includes('revoked')"
    ));
    assert_eq!(s.server.api(&secret, "GET", "/api/me", None).status, 401);

    // A cycle with two focus horrors.
    let focus = |key: &str| q(&format!(r#"#cycle-form input[value="{key}"]"#));
    page.fill(&q("#new-name"), "Winter push");
    page.check(&focus("late-delivery"));
    page.check(&focus("lost-package"));
    page.click_navigating(&q(r#"#cycle-form button[type="submit"]"#));
    assert!(page.url().contains("saved=cycle"), "{}", page.url());
    let cycles = s.server.api(&s.admin, "GET", "/api/cycles", None).body;
    assert_eq!(cycles["cycles"][0]["name"], "Winter push");
    assert_eq!(
        cycles["cycles"][0]["focus"],
        json!(["late-delivery", "lost-package"])
    );
    assert!(page.eval_bool(
        "[...document.querySelectorAll('li.cycle h3')].some(h => h.textContent.includes('Winter push'))"
    ));
    // A fourth focus is refused by the page before it reaches the server.
    page.check(&focus("late-delivery"));
    page.check(&focus("lost-package"));
    page.check(&focus("missed-pickup"));
    assert!(page.eval_bool(&format!("({}).disabled", focus("no-update"))));
    page.goto(&s.url("/admin"));
    s.shot(&page, "admin-desktop.png");
    s.shot_full(&page, "admin-desktop-full.png");
}

fn logout(s: &mut Suite) {
    let origin = s.origin().to_string();
    let page = s.phone();
    let session = session_cookie_of(page, &origin).expect("the phone's session cookie");
    let cookie = format!("horrors_session={}", session["value"].as_str().unwrap());
    let me = |s: &Suite| s.server.get("/api/me", &[("Cookie", &cookie)]).status;
    assert_eq!(me(s), 200);
    page.goto(&s.url("/tally"));
    page.click_navigating(&q("#logout-form button"));
    assert!(page.path().starts_with("/login"));
    assert_eq!(session_cookie_of(page, &origin), None);
    assert_eq!(me(s), 401);
    page.goto(&s.url("/dashboard"));
    assert_eq!(page.path(), "/login");
    // Without the session's CSRF secret, logout is refused.
    let page = s.browser.page(PHONE);
    login(&page, &origin, &s.staff, Some("/tally"));
    let session = session_cookie_of(&page, &origin).expect("a session cookie");
    let cookie = format!("horrors_session={}", session["value"].as_str().unwrap());
    let reply = s
        .server
        .post_form("/logout", &[("Cookie", &cookie)], "csrf=wrong");
    assert_eq!(reply.status, 403);
    page.reload();
    assert_eq!(page.path(), "/tally");
}

fn session_dies_with_token(s: &mut Suite) {
    let body = json!({"name": "Short-lived", "role": "staff"});
    let created = s
        .server
        .api(&s.admin, "POST", "/api/tokens", Some(&body))
        .body;
    let page = s.browser.page(PHONE);
    login(
        &page,
        s.origin(),
        created["token"].as_str().unwrap(),
        Some("/tally"),
    );
    assert_eq!(page.path(), "/tally");
    let id = match &created["id"] {
        Value::String(id) => id.clone(),
        id => id.to_string(),
    };
    let revoke = format!("/api/tokens/{id}/revoke");
    assert_eq!(s.server.api(&s.admin, "POST", &revoke, None).status, 200);
    page.reload();
    assert_eq!(page.path(), "/login");
}

/// The message files, to know what each page should say and which ids must never show.
const LOCALES: [(&str, &str); 3] = [
    ("en", include_str!("../../locales/en/horrors.ftl")),
    ("zh-Hans", include_str!("../../locales/zh-Hans/horrors.ftl")),
    ("zh-Hant", include_str!("../../locales/zh-Hant/horrors.ftl")),
];

/// A one-line message of a locale file, as written (placeholders and all).
fn message(ftl: &str, id: &str) -> String {
    let prefix = format!("{id} = ");
    ftl.lines()
        .find_map(|line| line.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("no one-line message {id}"))
        .to_string()
}

/// Checks a page in a language: `<html lang>`, the texts expected, no Fluent placeholder or
/// message id in what is shown, and at 390 px nothing sticking out of its button.
fn check_language(page: &Page, tag: &str, ftl: &str, what: &str, expected: &[&str]) {
    assert_eq!(
        page.eval_str("document.documentElement.lang"),
        tag,
        "{what}"
    );
    let text = page.eval_str(
        "document.body.textContent + ' ' + [...document.querySelectorAll('[placeholder], [aria-label], [title], [alt]')]
           .map(e => [e.placeholder, e.ariaLabel, e.title, e.alt].filter(Boolean).join(' ')).join(' ')",
    );
    for id in expected {
        let shown = message(ftl, id);
        assert!(
            text.contains(&shown),
            "{what}: {id} ({shown:?}) missing from {text}"
        );
    }
    assert!(
        !text.contains("{ $") && !text.contains("{$"),
        "{what}: a placeholder shows: {text}"
    );
    let ids: Vec<&str> = LOCALES[0]
        .1
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(id, _)| id))
        .filter(|id| id.contains('-') && !id.contains(' '))
        .collect();
    for id in ids {
        assert!(
            !text.contains(id),
            "{what}: message id {id} shows instead of its text"
        );
    }
    let overflowing = page.eval(
        "[...document.querySelectorAll('button, summary, label, header.top a, ul.chips a, .tier, .badge')]
           .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
           .map(e => e.outerHTML.slice(0, 160))",
    );
    assert_eq!(overflowing, json!([]), "{what}: text sticks out of its box");
    assert!(
        page.eval_bool("document.documentElement.scrollWidth <= window.innerWidth"),
        "{what}: the page scrolls sideways"
    );
}

fn languages(s: &mut Suite) {
    let staff = s.browser.page(PHONE);
    login(&staff, s.origin(), &s.staff, Some("/tally"));
    let viewer = s.browser.page(PHONE);
    login(&viewer, s.origin(), &s.viewer, Some("/dashboard"));
    let admin = s.browser.page(PHONE);
    login(&admin, s.origin(), &s.admin, Some("/admin"));
    let stranger = s.browser.page(PHONE);
    for (tag, ftl) in LOCALES {
        let at = |route: &str| {
            s.url(&format!(
                "{route}{}lang={tag}",
                if route.contains('?') { '&' } else { '?' }
            ))
        };
        stranger.goto(&at("/login"));
        check_language(
            &stranger,
            tag,
            ftl,
            &format!("{tag} login"),
            &["login-title", "login-token", "language-name"],
        );
        staff.goto(&at("/tally"));
        check_language(
            &staff,
            tag,
            ftl,
            &format!("{tag} tally"),
            &[
                "tally-lead",
                "tally-complaint",
                "tally-more",
                "nav-tally",
                "layout-logout",
            ],
        );
        assert_eq!(staff.goto(&at("/dashboard")), 403);
        check_language(
            &staff,
            tag,
            ftl,
            &format!("{tag} forbidden"),
            &["forbidden-own-page"],
        );
        viewer.goto(&at("/dashboard?days=7"));
        check_language(
            &viewer,
            tag,
            ftl,
            &format!("{tag} dashboard"),
            &[
                "dashboard-question",
                "dashboard-ranking",
                "col-tier",
                "picker-custom",
                "dashboard-exports",
            ],
        );
        let img = q("#chart-pareto img");
        viewer.eval(&format!("({img}).scrollIntoView({{block: 'center'}})"));
        viewer.wait_for(&format!("({img}).complete && ({img}).naturalWidth > 0"));
        admin.goto(&at("/admin"));
        check_language(
            &admin,
            tag,
            ftl,
            &format!("{tag} admin"),
            &[
                "admin-catalogue",
                "admin-create-token",
                "admin-start-cycle",
                "admin-save-catalogue",
            ],
        );
    }

    // The switcher: a choice made on one page holds on the next, without ?lang.
    staff.goto(&s.url("/tally?lang=zh-Hans"));
    staff.click_navigating(&q(r#"nav.lang a[hreflang="zh-Hant"]"#));
    assert_eq!(staff.eval_str("document.documentElement.lang"), "zh-Hant");
    staff.goto(&s.url("/tally"));
    assert_eq!(staff.eval_str("document.documentElement.lang"), "zh-Hant");
    assert_eq!(
        staff
            .attr(&q(r#"nav.lang a[aria-current="true"]"#), "aria-label")
            .unwrap(),
        "繁體中文"
    );
    // The tally's own messages come with the page, in its language.
    staff.tap(&button("wrong-address"));
    staff.wait_for("document.getElementById('last').textContent.includes('已儲存')");
    staff.wait_for("document.getElementById('sync').textContent === '所有點擊都已儲存。'");
    s.shot(&staff, "tally-phone-zh-Hant.png");
    staff.tap(&q("#undo"));
    staff.wait_for("document.getElementById('last').textContent.startsWith('已復原')");

    staff.goto(&s.url("/tally?lang=zh-Hans"));
    staff.tap(&button("wrong-address"));
    staff.wait_for("document.getElementById('last').textContent.includes('已保存')");
    s.shot(&staff, "tally-phone-zh-Hans.png");
    staff.tap(&q("#undo"));
    staff.wait_for("document.getElementById('last').textContent.startsWith('已撤销')");

    let desk = s.browser.page(DESKTOP);
    login(
        &desk,
        s.origin(),
        &s.viewer,
        Some("/dashboard?lang=zh-Hans"),
    );
    for name in ["pareto", "compare", "cost", "trend", "matrix"] {
        let img = q(&format!("#chart-{name} img"));
        desk.eval(&format!("({img}).scrollIntoView({{block: 'center'}})"));
        desk.wait_for(&format!("({img}).complete && ({img}).naturalWidth > 0"));
    }
    desk.eval("window.scrollTo(0, 0)");
    s.shot(&desk, "dashboard-desktop-zh-Hans.png");
}

fn assets_and_requests(s: &mut Suite) {
    let html = s.server.get("/login", &[]).text;
    let start = html
        .find("href=\"/static/style.css?v=")
        .expect("the stylesheet link")
        + 6;
    let css = &html[start..start + html[start..].find('"').unwrap()];
    assert!(css[css.find("?v=").unwrap() + 3..]
        .bytes()
        .all(|b| b.is_ascii_hexdigit()));
    let reply = s.server.get(css, &[]);
    assert_eq!(reply.status, 200);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("text/css"));
    assert!(reply
        .header("cache-control")
        .unwrap()
        .contains("max-age=31536000"));
    let requests = s.browser.requests();
    assert!(
        requests.len() > 20,
        "only {} requests recorded",
        requests.len()
    );
    let mut local = vec![format!("{}/", s.origin())];
    local.extend(s.origin2.as_ref().map(|o| format!("{o}/")));
    local.extend(s.sites.get().map(|x| format!("{}/", x.server.origin)));
    let outside: Vec<&String> = requests
        .iter()
        .filter(|url| !local.iter().any(|l| url.starts_with(l.as_str())))
        .filter(|url| !url.starts_with("data:") && !url.starts_with("blob:"))
        .collect();
    assert_eq!(outside, Vec::<&String>::new());
}
