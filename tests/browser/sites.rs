//! Sites and volume on the pages (SPEC §16, §17): the tally's site picker, site-bound
//! phones, the dashboard's site picker, the sites compared, the volume form, and tokens
//! bound to a site on the admin page. They share a second server with three sites.

use serde_json::{json, Value};

use crate::cdp::{q, Page, DESKTOP, PHONE};
use crate::server::Server;
use crate::{button, login, shown_count, Suite, CONFIG};

/// The three sites, each with its own name (and Denver its own timezone).
const SITES: &str = r#"[organization]
name = "Three Sites Freight"
timezone = "America/Chicago"
currency = "USD"
volume_unit = "shipments"

[window]
days = 30

[ranking]
pain_weight = 0.5
cost_weight = 0.5
worst = 0.5
worse = 0.8

[[sites]]
key = "chicago-hub"
name = "Chicago hub"

[[sites]]
key = "memphis"
name = "Memphis station"

[[sites]]
key = "denver"
name = "Denver station"
timezone = "America/Denver"

"#;

/// The server with three sites and its tokens.
pub struct Sites {
    pub server: Server,
    admin: String,
    viewer: String,
    /// Staff, not bound: must pick a site.
    staff: String,
    /// Staff bound to Memphis.
    memphis: String,
}

impl Sites {
    /// The three-site catalogue (the repository's horrors), with ticks today at each site:
    /// Chicago 5 late deliveries and a damaged package, Memphis 6 missing updates, Denver
    /// 2 missed pickups.
    fn start() -> Sites {
        let horrors = &CONFIG[CONFIG.find("[[horrors]]").expect("horrors in the config")..];
        let server = Server::start(&format!("{SITES}{horrors}"), false);
        let admin = server.token("admin", "Head office");
        let create = |name: &str, role: &str, site: Option<&str>| -> String {
            let mut body = json!({"name": name, "role": role});
            if let Some(site) = site {
                body["site"] = json!(site);
            }
            let reply = server.api(&admin, "POST", "/api/tokens", Some(&body));
            assert_eq!(reply.status, 201, "{}", reply.text);
            reply.body["token"].as_str().unwrap().to_string()
        };
        let viewer = create("Board", "viewer", None);
        let staff = create("Floor phone", "staff", None);
        let memphis = create("Memphis phone", "staff", Some("memphis"));
        let tick = |horror: &str, site: &str, qty: u32| json!({"horror": horror, "site": site, "qty": qty});
        let batch = json!({"ticks": [
            tick("late-delivery", "chicago-hub", 5),
            tick("damaged-package", "chicago-hub", 1),
            tick("no-update", "memphis", 6),
            tick("missed-pickup", "denver", 2),
        ]});
        let reply = server.api(&admin, "POST", "/api/ticks/batch", Some(&batch));
        assert_eq!(reply.status, 201, "{}", reply.text);
        Sites {
            server,
            admin,
            viewer,
            staff,
            memphis,
        }
    }

    /// Today's ticks at `site` (newest first).
    fn ticks_at(&self, site: &str) -> Vec<Value> {
        let route = format!("/api/ticks?days=1&limit=1000&site={site}");
        let reply = self.server.api(&self.viewer, "GET", &route, None);
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.body["ticks"].as_array().unwrap().clone()
    }

    /// (yesterday, today) in the organization's timezone.
    fn yesterday_and_today(&self) -> (String, String) {
        let reply = self
            .server
            .api(&self.viewer, "GET", "/api/volume?days=2", None);
        assert_eq!(reply.status, 200, "{}", reply.text);
        let window = &reply.body["window"];
        (
            window["from"].as_str().unwrap().to_string(),
            window["to"].as_str().unwrap().to_string(),
        )
    }
}

impl Suite {
    /// The three-site server (started by the first test that needs it).
    fn sites(&self) -> &Sites {
        self.sites.get_or_init(Sites::start)
    }
}

fn no_sideways_scroll(page: &Page, what: &str) {
    assert!(
        page.eval_bool("document.documentElement.scrollWidth <= window.innerWidth"),
        "{what}: the page scrolls sideways"
    );
}

pub fn tally_picker(s: &mut Suite) {
    let sites = s.sites();
    let origin = sites.server.origin.clone();
    let staff = sites.staff.clone();
    let page = s.browser.page(PHONE);
    login(&page, &origin, &staff, Some("/tally"));
    assert_eq!(page.path(), "/tally");
    // Sites exist and this phone has none yet: the list of sites, not the buttons.
    assert!(page.is_visible(&q("#site-picker")));
    assert_eq!(page.count("button.horror"), 0);
    assert_eq!(
        page.texts("a.site-choice"),
        ["Chicago hub", "Memphis station", "Denver station"]
    );
    for link in page.eval("[...document.querySelectorAll('a.site-choice')].map(a => a.getBoundingClientRect().height)").as_array().unwrap() {
        assert!(link.as_f64().unwrap() >= 48.0, "a site link is {link}px tall");
    }
    no_sideways_scroll(&page, "site picker");
    s.shot(&page, "tally-site-picker-phone.png");

    page.click_navigating(&q(r#"a.site-choice[href="/tally?site=memphis"]"#));
    assert!(page.text(&q("#site")).contains("Memphis station"));
    // Today's counts are Memphis's own: its 6 missing updates, none of Chicago's 5 late ones.
    assert_eq!(shown_count(&page, "no-update"), 6);
    assert_eq!(shown_count(&page, "late-delivery"), 0);
    let sites = s.sites();
    let before = sites.ticks_at("memphis").len();
    page.tap(&button("late-delivery"));
    page.wait_for("document.getElementById('last').textContent.includes('saved')");
    let ticks = sites.ticks_at("memphis");
    assert_eq!(ticks.len(), before + 1);
    assert_eq!(ticks[0]["horror"], "late-delivery");
    assert_eq!(ticks[0]["site"], "memphis");
    assert_eq!(ticks[0]["recorded_by"], "Floor phone");
    assert_eq!(shown_count(&page, "late-delivery"), 1);
    s.shot(&page, "tally-site-phone.png");

    // The choice is remembered on this phone, and can be changed.
    page.goto(&format!("{origin}/tally"));
    assert!(page.text(&q("#site")).contains("Memphis station"));
    page.wait_for("document.getElementById('sync').textContent === 'All taps saved.'");
    assert_eq!(shown_count(&page, "late-delivery"), 1);
    page.click_navigating(&q("a.change-site"));
    assert!(page.is_visible(&q("#site-picker")));
    assert_eq!(
        page.attr(&q(r#"a.site-choice[aria-current="true"]"#), "href")
            .as_deref(),
        Some("/tally?site=memphis")
    );
    page.click_navigating(&q(r#"a.site-choice[href="/tally?site=denver"]"#));
    assert!(page.text(&q("#site")).contains("Denver station"));
    assert_eq!(shown_count(&page, "missed-pickup"), 2);
    assert_eq!(shown_count(&page, "late-delivery"), 0);
    page.goto(&format!("{origin}/tally?lang=zh-Hans&site="));
    assert!(page.text(&q("#site-picker h1")).contains("站点"));
    s.shot(&page, "tally-site-picker-phone-zh-Hans.png");
    page.goto(&format!("{origin}/tally?lang=en"));
}

pub fn bound_phone(s: &mut Suite) {
    let sites = s.sites();
    let origin = sites.server.origin.clone();
    let memphis = sites.memphis.clone();
    let page = s.browser.page(PHONE);
    login(&page, &origin, &memphis, Some("/tally"));
    assert_eq!(page.path(), "/tally");
    assert_eq!(page.count("#site-picker"), 0);
    assert_eq!(page.count("a.change-site"), 0);
    assert!(page.text(&q("#site")).contains("Memphis station"));
    // Asking for another site changes nothing: the token tallies at Memphis only.
    page.goto(&format!("{origin}/tally?site=denver"));
    assert_eq!(page.count("#site-picker"), 0);
    assert!(page.text(&q("#site")).contains("Memphis station"));
    let sites = s.sites();
    let before = sites.ticks_at("memphis").len();
    page.tap(&button("no-update"));
    page.wait_for("document.getElementById('last').textContent.includes('saved')");
    let ticks = sites.ticks_at("memphis");
    assert_eq!(ticks.len(), before + 1);
    assert_eq!(ticks[0]["site"], "memphis");
    assert_eq!(ticks[0]["recorded_by"], "Memphis phone");
}

/// The board's desktop page on the three-site server.
fn board(s: &Suite, device: crate::cdp::Device, next: &str) -> Page {
    let sites = s.sites();
    let (origin, viewer) = (sites.server.origin.clone(), sites.viewer.clone());
    let page = s.browser.page(device);
    login(&page, &origin, &viewer, Some(next));
    page
}

pub fn dashboard_site_picker(s: &mut Suite) {
    let page = board(s, DESKTOP, "/dashboard?days=7");
    assert!(page.is_visible(&q("#site-form")));
    assert_eq!(page.value(&q("#site")), "");
    let top = |route: &str| {
        let sites = s.sites();
        let ranking = sites.server.api(&sites.viewer, "GET", route, None).body;
        ranking["items"][0]["key"].as_str().unwrap().to_string()
    };
    let everywhere = top("/api/ranking?days=7");
    assert_ne!(everywhere, top("/api/ranking?days=7&site=memphis"));
    assert_eq!(
        page.attr(&q("#ranking tbody tr"), "data-key"),
        Some(everywhere.clone())
    );
    page.select(&q("#site"), "memphis");
    page.click_navigating(&q("#site-form button[type=\"submit\"]"));
    let url = page.url();
    assert!(
        url.contains("site=memphis") && url.contains("days=7"),
        "{url}"
    );
    assert!(page
        .text(&q("#fix-first-heading"))
        .contains("Memphis station"));
    assert_eq!(page.value(&q("#site")), "memphis");
    let sites = s.sites();
    let ranking = sites
        .server
        .api(
            &sites.viewer,
            "GET",
            "/api/ranking?days=7&site=memphis",
            None,
        )
        .body;
    let keys: Vec<String> = page
        .eval("[...document.querySelectorAll('#ranking tbody tr')].map(r => r.dataset.key)")
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = ranking["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys, expected);
    let total = page.text(&q("#ranking tfoot td.num"));
    assert_eq!(total, ranking["totals"]["count"].to_string());
    // Every chart and export, and the window picker, keep the site.
    for src in page.eval("[...document.querySelectorAll('figure.chart img, figure.chart a.png, ul.exports a, ul.chips a')].map(e => e.getAttribute('src') || e.getAttribute('href'))").as_array().unwrap() {
        let src = src.as_str().unwrap();
        assert!(src.contains("site=memphis"), "{src} lacks the site");
    }
    assert_eq!(page.count("#compare-sites"), 0);
    let img = q("#chart-pareto img");
    page.eval(&format!("({img}).scrollIntoView({{block: 'center'}})"));
    page.wait_for(&format!("({img}).complete && ({img}).naturalWidth > 0"));
    page.eval("window.scrollTo(0, 0)");
    s.shot(&page, "dashboard-site-desktop.png");
    // The window chips keep the site; "All sites" brings every site back.
    page.click_navigating(&q(r#"ul.chips a[href="/dashboard?days=30&site=memphis"]"#));
    assert_eq!(page.value(&q("#site")), "memphis");
    page.select(&q("#site"), "");
    page.click_navigating(&q("#site-form button[type=\"submit\"]"));
    assert!(page.url().contains("days=30"), "{}", page.url());
    assert_eq!(
        page.attr(&q("#ranking tbody tr"), "data-key"),
        Some(top("/api/ranking?days=30"))
    );
    assert!(page.is_visible(&q("#compare-sites")));

    let phone = board(s, PHONE, "/dashboard?site=memphis");
    assert!(phone.is_visible(&q("#site-form")));
    no_sideways_scroll(&phone, "dashboard on a phone");
    s.shot(&phone, "dashboard-site-phone.png");
}

pub fn compare_sites(s: &mut Suite) {
    let page = board(s, DESKTOP, "/dashboard");
    let sites = s.sites();
    let grouped = sites
        .server
        .api(&sites.viewer, "GET", "/api/ranking?group=site", None)
        .body;
    let rows = page.eval(
        "[...document.querySelectorAll('#site-table tbody tr')].map(r => [r.dataset.site, r.querySelector('th').textContent.trim(), r.querySelector('td.num').textContent.trim()])",
    );
    let expected: Vec<Value> = grouped["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| json!([g["value"], g["name"], g["totals"]["count"].to_string()]))
        .collect();
    assert_eq!(rows.as_array().unwrap().len(), 3, "{rows}");
    assert_eq!(rows, json!(expected));
    let top = page.text(&q("#site-table tbody tr td:last-child"));
    let chicago = &grouped["groups"][0]["items"][0]["name"];
    assert!(top.starts_with(chicago.as_str().unwrap()), "{top}");
    // A site's name opens its own dashboard, same window.
    assert_eq!(
        page.attr(&q(r#"#site-table tr[data-site="denver"] th a"#), "href")
            .as_deref(),
        Some("/dashboard?days=30&site=denver")
    );
    let img = q("#chart-sites img");
    assert!(page
        .attr(&img, "src")
        .unwrap()
        .starts_with("/charts/pareto.svg?group=site&"));
    page.eval(&format!("({img}).scrollIntoView({{block: 'center'}})"));
    page.wait_for(&format!("({img}).complete && ({img}).naturalWidth > 0"));
    s.shot(&page, "dashboard-compare-sites-desktop.png");
    s.shot_full(&page, "dashboard-sites-desktop-full.png");

    // The site picker's link leads here.
    assert_eq!(
        page.attr(&q("a.compare-link"), "href").as_deref(),
        Some("#compare-sites")
    );
    let phone = board(s, PHONE, "/dashboard#compare-sites");
    phone.wait_for(&format!("({img}).complete && ({img}).naturalWidth > 0"));
    no_sideways_scroll(&phone, "compare sites on a phone");
    s.shot(&phone, "dashboard-compare-sites-phone.png");
}

pub fn volume_form(s: &mut Suite) {
    let page = board(s, DESKTOP, "/dashboard?site=memphis");
    let (yesterday, today) = s.sites().yesterday_and_today();
    assert_eq!(page.value(&q("#volume-day")), yesterday);
    assert_eq!(page.value(&q("#volume-site")), "memphis");
    page.select(&q("#volume-site"), "denver");
    page.fill(&q("#volume-units"), "1200");
    page.click(&q("#volume-form button[type=\"submit\"]"));
    page.wait_for(&format!("{}.classList.contains('ok')", q("#volume-status")));
    assert_eq!(
        page.text(&q("#volume-status")),
        format!("Saved: 1,200 shipments at Denver station on {yesterday}.")
    );
    let sites = s.sites();
    let volume = sites
        .server
        .api(&sites.viewer, "GET", "/api/volume?days=7&site=denver", None)
        .body;
    assert_eq!(
        volume["entries"],
        json!([{"day": yesterday, "site": "denver", "units": 1200}])
    );
    // What the server refuses is said, and nothing is set.
    page.fill(&q("#volume-day"), "2999-01-01");
    page.click(&q("#volume-form button[type=\"submit\"]"));
    page.wait_for(&format!(
        "{}.classList.contains('problem')",
        q("#volume-status")
    ));
    let problem = page.text(&q("#volume-status"));
    assert!(problem.contains("after today"), "{problem}");
    // Volume for today at Memphis: the ranking there reads per 1,000 shipments.
    page.fill(&q("#volume-day"), &today);
    page.select(&q("#volume-site"), "memphis");
    page.fill(&q("#volume-units"), "1500");
    page.click(&q("#volume-form button[type=\"submit\"]"));
    page.wait_for(&format!("{}.classList.contains('ok')", q("#volume-status")));
    page.eval("document.getElementById('volume-status').scrollIntoView({block: 'center'})");
    s.shot(&page, "dashboard-volume-desktop.png");
    page.reload();
    assert!(page
        .text(&q("#ranking thead"))
        .contains("Per 1,000 shipments"));
    let sites = s.sites();
    let ranking = sites
        .server
        .api(&sites.viewer, "GET", "/api/ranking?site=memphis", None)
        .body;
    let rate = ranking["items"][0]["rate_per_1000"].as_f64().unwrap();
    let shown = page.eval_str(&format!(
        "{}.querySelector('td:last-child').textContent",
        q("#ranking tbody tr")
    ));
    assert_eq!(shown, format!("{rate:.2}"));
    assert!(page.is_visible(&q("#volume-note")));
    page.eval("document.getElementById('ranking-heading').scrollIntoView()");
    s.shot(&page, "dashboard-rates-desktop.png");
    let phone = board(s, PHONE, "/dashboard?site=memphis#volume");
    no_sideways_scroll(&phone, "volume form on a phone");
    s.shot(&phone, "dashboard-volume-phone.png");
}

pub fn admin_site_token(s: &mut Suite) {
    let sites = s.sites();
    let (origin, admin) = (sites.server.origin.clone(), sites.admin.clone());
    let page = s.browser.page(DESKTOP);
    login(&page, &origin, &admin, Some("/admin#tokens"));
    // Admin tokens cannot be bound: the site is off for them.
    page.select(&q("#token-role"), "admin");
    assert!(page.eval_bool(&format!("{}.disabled", q("#token-site"))));
    page.select(&q("#token-role"), "viewer");
    assert!(!page.eval_bool(&format!("{}.disabled", q("#token-site"))));
    page.fill(&q("#token-name"), "Denver board");
    page.select(&q("#token-site"), "denver");
    page.click(&q(r#"#token-form button[type="submit"]"#));
    page.wait_for(&q("#new-token:not([hidden])"));
    let secret = page.text(&q("#new-token-secret"));
    let row = "[...document.querySelectorAll('#token-table tbody tr')].find(r => r.textContent.includes('Denver board'))";
    assert_eq!(
        page.eval_str(&format!("{row}.querySelector('td.site').textContent")),
        "Denver station"
    );
    // The token reads Denver only.
    let sites = s.sites();
    let own = sites
        .server
        .api(&secret, "GET", "/api/ranking?site=denver", None);
    assert_eq!(own.status, 200, "{}", own.text);
    let other = sites
        .server
        .api(&secret, "GET", "/api/ranking?site=memphis", None);
    assert_eq!(other.status, 403, "{}", other.text);
    let listed = sites.server.api(&admin, "GET", "/api/tokens", None).body;
    let token = listed["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Denver board")
        .cloned()
        .unwrap();
    assert_eq!(token["site"], "denver");
    assert_eq!(token["role"], "viewer");
    // The list rendered by the server says each token's site.
    page.goto(&format!("{origin}/admin"));
    assert_eq!(
        page.eval_str(&format!("{row}.querySelector('td.site').textContent")),
        "Denver station"
    );
    assert_eq!(
        page.eval_str("[...document.querySelectorAll('#token-table tbody tr')].find(r => r.textContent.includes('Memphis phone')).querySelector('td.site').textContent"),
        "Memphis station"
    );
    page.eval("document.getElementById('tokens').scrollIntoView()");
    s.shot(&page, "admin-site-tokens-desktop.png");
    let phone = s.browser.page(PHONE);
    login(&phone, &origin, &admin, Some("/admin#tokens"));
    phone.eval("document.getElementById('tokens').scrollIntoView()");
    s.shot(&phone, "admin-site-tokens-phone.png");

    // A viewer bound to Denver: no site picker, no comparison, Denver's own ranking.
    let board = s.browser.page(DESKTOP);
    login(&board, &origin, &secret, Some("/dashboard"));
    assert_eq!(board.count("#site-form"), 0);
    assert_eq!(board.count("#compare-sites"), 0);
    assert!(board
        .text(&q("#fix-first-heading"))
        .contains("Denver station"));
    assert_eq!(
        board.attr(&q("#ranking tbody tr"), "data-key").as_deref(),
        Some("missed-pickup")
    );
}

/// Devices by QR code: the admin makes a code for a Memphis phone and sees its QR code;
/// the link opened on a phone-sized page signs the phone in and lands on the tally at
/// Memphis; a second opening gets the 410 page; the admin page lists the phone's session
/// and the token, and revoking the token signs the phone out.
pub fn enrol_phone(s: &mut Suite) {
    let sites = s.sites();
    let (origin, admin) = (sites.server.origin.clone(), sites.admin.clone());
    let page = s.browser.page(DESKTOP);
    login(&page, &origin, &admin, Some("/admin#devices"));
    page.fill(&q("#enrol-name"), "Memphis dock 4");
    page.select(&q("#enrol-role"), "staff");
    page.select(&q("#enrol-site"), "memphis");
    page.click(&q(r#"#enrol-form button[type="submit"]"#));
    page.wait_for(&q("#enrolment:not([hidden])"));
    page.wait_for(&format!(
        "{}.complete && {0}.naturalWidth >= 240",
        q("#enrol-qr")
    ));
    let url = page.text(&q("#enrol-url"));
    assert!(url.starts_with(&format!("{origin}/enrol/")), "{url}");
    page.eval("document.getElementById('devices').scrollIntoView()");
    s.shot(&page, "admin-enrol-qr.png");

    let phone = s.browser.page(PHONE);
    phone.goto(&url);
    phone.wait_for("location.pathname === '/tally'");
    assert_eq!(
        phone.eval_str("new URLSearchParams(location.search).get('site')"),
        "memphis"
    );
    phone.wait_for(&format!("{} !== null", q("button.horror")));
    assert!(!phone.eval_bool("document.body.textContent.includes('hrr_')"));
    s.shot(&phone, "phone-after-enrolment.png");

    let second = s.browser.page(PHONE);
    assert_eq!(second.goto(&url), 410);
    assert!(second.text(&q("#enrol-error")).contains("used already"));
    s.shot(&second, "enrol-used.png");

    // The admin page lists the phone's session, and its token under Tokens.
    page.goto(&format!("{origin}/admin"));
    assert!(page.eval_bool(
        "[...document.querySelectorAll('#session-table tbody tr')].some(r => r.textContent.includes('Memphis dock 4'))"
    ));
    let sites = s.sites();
    let listed = sites.server.api(&admin, "GET", "/api/tokens", None).body;
    let device = listed["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Memphis dock 4")
        .cloned()
        .expect("the device's token is listed");
    assert_eq!(device["site"], "memphis");
    let id = device["id"].as_i64().unwrap();
    let revoked = sites
        .server
        .api(&admin, "POST", &format!("/api/tokens/{id}/revoke"), None);
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    phone.goto(&format!("{origin}/tally"));
    phone.wait_for("location.pathname === '/login'");
}
