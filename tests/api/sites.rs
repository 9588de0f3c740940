//! Sites (SPEC §16), as an outside tester sees them: the list, ticks at a site and in its
//! timezone, site-bound tokens, `site=` on every read, retirement, and rankings grouped by
//! site, department and source, each group recomputed independently by §8.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Chicago;
use chrono_tz::Asia::Tokyo;
use chrono_tz::Tz;
use serde_json::{json, Value};

use crate::helpers::{TestApp, CONFIG};
use crate::rev2;

/// Three sites: one in the organization's zone, one far east, one without a zone of its own.
pub const SITES: &str = r#"
[[sites]]
key = "chicago-hub"
name = "Chicago hub"
timezone = "America/Chicago"

[[sites]]
key = "tokyo"
name = "Tokyo depot"
timezone = "Asia/Tokyo"

[[sites]]
key = "berlin"
name = "Berlin"
"#;

pub fn config_with_sites() -> String {
    format!("{CONFIG}\n{SITES}")
}

pub fn spawn_sites() -> TestApp {
    TestApp::spawn_with(&config_with_sites())
}

/// Today in the organization's timezone (America/Chicago), by the server's clock.
pub fn today(app: &TestApp) -> NaiveDate {
    Chicago
        .from_utc_datetime(&app.now().naive_utc())
        .date_naive()
}

/// The timezone a site's days are counted in (berlin has none: the organization's).
pub fn tz_of(site: Option<&str>) -> Tz {
    match site {
        Some("tokyo") => Tokyo,
        _ => Chicago,
    }
}

/// Local noon of `day` in `tz`, as an RFC 3339 instant in UTC.
pub fn noon(day: NaiveDate, tz: Tz) -> String {
    tz.from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
        .to_rfc3339()
}

pub fn site_name(key: &str) -> &'static str {
    match key {
        "chicago-hub" => "Chicago hub",
        "tokyo" => "Tokyo depot",
        "berlin" => "Berlin",
        _ => panic!("no site {key}"),
    }
}

/// Creates a token through the API (admin) and returns its secret.
pub fn token(app: &TestApp, name: &str, role: &str, site: Option<&str>) -> String {
    let mut body = json!({"name": name, "role": role});
    if let Some(site) = site {
        body["site"] = json!(site);
    }
    let reply = app.post("/api/tokens", &app.admin, &body);
    assert_eq!(reply.status, 201, "{body}: {}", reply.text);
    assert_eq!(reply.body["site"], json!(site), "{}", reply.text);
    assert_eq!(reply.body["role"], role);
    reply.body["token"].as_str().unwrap().to_string()
}

/// The catalogue of `CONFIG`: key, name, pain, unit cost in cents.
pub const HORRORS: [(&str, &str, u64, i64); 5] = [
    ("late-delivery", "Late delivery", 9, 3500),
    ("lost-package", "Lost package", 10, 12000),
    ("damaged", "Damaged package 📦", 8, 6000),
    ("wrong-address", "配送先の誤り", 7, 2550),
    ("missed-pickup", "Missed pickup", 6, 99),
];

pub fn usd(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

/// A tick as the test remembers it; `day` is the local day at its site.
#[derive(Clone, Debug)]
pub struct T {
    pub key: &'static str,
    pub qty: u64,
    pub site: Option<&'static str>,
    pub department: Option<&'static str>,
    pub complaint: bool,
    pub cost: Option<i64>,
    pub day: NaiveDate,
    pub voided: bool,
}

impl T {
    pub fn new(key: &'static str, qty: u64, site: Option<&'static str>, day: NaiveDate) -> T {
        T {
            key,
            qty,
            site,
            department: None,
            complaint: false,
            cost: None,
            day,
            voided: false,
        }
    }

    pub fn dept(mut self, department: &'static str) -> T {
        self.department = Some(department);
        self
    }

    pub fn complaint(mut self) -> T {
        self.complaint = true;
        self
    }

    pub fn cost_minor(&self) -> i64 {
        let unit = HORRORS.iter().find(|h| h.0 == self.key).unwrap().3;
        self.cost.unwrap_or(unit * self.qty as i64)
    }
}

/// Posts `ticks` in one batch with the unbound staff token (each at local noon of its day
/// at its site), checks each answer's `day` and `site`, and voids those marked voided.
pub fn post_ticks(app: &TestApp, ticks: &[T]) {
    let items: Vec<Value> = ticks
        .iter()
        .map(|t| {
            let mut body =
                json!({"horror": t.key, "qty": t.qty, "occurred_at": noon(t.day, tz_of(t.site))});
            if let Some(site) = t.site {
                body["site"] = json!(site);
            }
            if let Some(department) = t.department {
                body["department"] = json!(department);
            }
            if t.complaint {
                body["source"] = json!("complaint");
            }
            if let Some(cost) = t.cost {
                body["cost"] = json!(usd(cost));
            }
            body
        })
        .collect();
    for (chunk, items) in ticks.chunks(500).zip(items.chunks(500)) {
        let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": items}));
        assert_eq!(reply.status, 201, "{}", reply.text);
        let answered = reply.body["ticks"].as_array().unwrap();
        assert_eq!(answered.len(), chunk.len());
        for (t, tick) in chunk.iter().zip(answered) {
            assert_eq!(tick["day"], t.day.to_string(), "{t:?}: {tick}");
            assert_eq!(tick["site"], json!(t.site), "{t:?}: {tick}");
            if t.voided {
                let id = tick["id"].as_i64().unwrap();
                let reply = app.call(
                    "POST",
                    &format!("/api/ticks/{id}/void"),
                    Some(&app.admin),
                    None,
                    None,
                    &[],
                );
                assert_eq!(reply.status, 200, "{}", reply.text);
            }
        }
    }
}

/// The ticks that count in [from, to] and pass `keep`.
pub fn select<'a>(
    ticks: &'a [T],
    from: NaiveDate,
    to: NaiveDate,
    keep: &dyn Fn(&T) -> bool,
) -> Vec<&'a T> {
    ticks
        .iter()
        .filter(|t| !t.voided && t.day >= from && t.day <= to && keep(t))
        .collect()
}

#[derive(Clone, Copy, Default, Debug, PartialEq)]
pub struct Sums {
    pub count: u64,
    pub complaints: u64,
    pub cost_minor: i64,
}

fn sums(ticks: &[&T], key: &str) -> Sums {
    let mut s = Sums::default();
    for t in ticks.iter().filter(|t| t.key == key) {
        s.count += t.qty;
        if t.complaint {
            s.complaints += t.qty;
        }
        s.cost_minor += t.cost_minor();
    }
    s
}

/// One expected ranking item (§8 with the fixture's weights 0.5/0.5 and tiers 0.5/0.8).
#[derive(Debug)]
pub struct Row {
    pub key: &'static str,
    pub name: &'static str,
    pub pain: u64,
    pub unit: i64,
    pub now: Sums,
    pub prev: Sums,
    pub pain_points: u64,
    pub score: f64,
    pub tier: &'static str,
}

impl Row {
    fn measure(&self, by: &str) -> f64 {
        match by {
            "priority" => self.score,
            "count" => self.now.count as f64,
            "cost" => self.now.cost_minor as f64,
            "pain" => self.pain_points as f64,
            _ => unreachable!(),
        }
    }
}

impl Row {
    /// The measure per occurrence over the window `ahead_of_next` weighs counts by.
    pub fn per_occurrence(&self, by: &str) -> f64 {
        match (self.now.count, by) {
            (0, _) => 0.0,
            (_, "count") => 1.0,
            (n, _) => self.measure(by) / n as f64,
        }
    }
}

/// The revision 2 evidence of `rows` in `daily` (q-values still to be judged).
pub fn row_stats(
    rows: &[Row],
    by: &str,
    daily: &rev2::Daily,
    tested: Option<(NaiveDate, NaiveDate)>,
    previous: (NaiveDate, NaiveDate),
) -> Vec<rev2::Stats> {
    let evidence: Vec<rev2::Evidence> = rows
        .iter()
        .map(|r| daily.evidence(r.key, tested, previous))
        .collect();
    let w: Vec<f64> = rows.iter().map(|r| r.per_occurrence(by)).collect();
    rev2::stats(&evidence, &w)
}

/// The daily counts of the ticks that pass `keep`, with the first day of the scope whose
/// ticks pass `in_scope`.
pub fn daily_of(
    ticks: &[T],
    keep: &dyn Fn(&T) -> bool,
    in_scope: &dyn Fn(&T) -> bool,
) -> rev2::Daily {
    let counted = |t: &&T| !t.voided;
    let mut daily = rev2::Daily::new(
        ticks
            .iter()
            .filter(counted)
            .filter(|t| keep(t))
            .map(|t| (t.key, t.day, t.qty)),
    );
    daily.first = ticks
        .iter()
        .filter(counted)
        .filter(|t| in_scope(t))
        .map(|t| t.day)
        .min();
    daily
}

/// The timezones whose days must be over for a reading of `site` (every active site's
/// and the organization's when `None`).
pub fn zones(site: Option<&str>) -> Vec<Tz> {
    match site {
        Some(site) => vec![tz_of(Some(site))],
        None => vec![Chicago, Tokyo, Chicago],
    }
}

pub fn sort_rows(rows: &mut [Row], by: &str) {
    rows.sort_by(|a, b| {
        b.measure(by)
            .partial_cmp(&a.measure(by))
            .unwrap()
            .then(b.now.count.cmp(&a.now.count))
            .then(a.key.cmp(b.key))
    });
}

/// §8 over `now` (the window's ticks) and `prev` (the previous window's), in `by` order.
pub fn rows(now: &[&T], prev: &[&T], by: &str) -> Vec<Row> {
    let mut rows: Vec<Row> = HORRORS
        .iter()
        .map(|&(key, name, pain, unit)| {
            let now = sums(now, key);
            Row {
                key,
                name,
                pain,
                unit,
                now,
                prev: sums(prev, key),
                pain_points: now.count * pain,
                score: 0.0,
                tier: "bad",
            }
        })
        .collect();
    let pain_total: u64 = rows.iter().map(|r| r.pain_points).sum();
    let cost_total: i64 = rows.iter().map(|r| r.now.cost_minor).sum();
    let w = if pain_total > 0 { 0.5 } else { 0.0 } + if cost_total > 0 { 0.5 } else { 0.0 };
    for r in &mut rows {
        let pain_share = if pain_total > 0 {
            r.pain_points as f64 / pain_total as f64
        } else {
            0.0
        };
        let cost_share = if cost_total > 0 {
            r.now.cost_minor as f64 / cost_total as f64
        } else {
            0.0
        };
        r.score = if w > 0.0 {
            (0.5 * pain_share + 0.5 * cost_share) / w
        } else {
            0.0
        };
    }
    sort_rows(&mut rows, "priority");
    let mut before = 0.0;
    for r in &mut rows {
        r.tier = if r.score == 0.0 {
            "bad"
        } else if before < 0.5 {
            "worst"
        } else if before < 0.8 {
            "worse"
        } else {
            "bad"
        };
        before += r.score;
    }
    sort_rows(&mut rows, by);
    rows
}

#[track_caller]
pub fn close(actual: &Value, expected: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {actual} is not a number"));
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: got {actual}, expected {expected}"
    );
}

/// (count − previous) / previous × 100 to one decimal, half away from zero.
fn change_pct(count: u64, previous: u64) -> Option<f64> {
    if previous == 0 {
        return None;
    }
    let diff = count as i128 - previous as i128;
    let p = previous as i128;
    let tenths = (diff.abs() * 2000 + p) / (2 * p);
    Some(diff.signum() as f64 * tenths as f64 / 10.0)
}

/// Every §8/§18 field of `items` against `rows`, and the revision 2 fields against
/// `stats` (one per row, in the same order; see [`rev2::stats`]).
#[track_caller]
pub fn check_items(items: &Value, rows: &[Row], by: &str, stats: &[rev2::Stats], what: &str) {
    let items = items
        .as_array()
        .unwrap_or_else(|| panic!("{what}: no items"));
    let got: Vec<&str> = items.iter().map(|i| i["key"].as_str().unwrap()).collect();
    let want: Vec<&str> = rows.iter().map(|r| r.key).collect();
    assert_eq!(got, want, "{what}: order by {by}");
    let total: f64 = rows.iter().map(|r| r.measure(by)).sum();
    let mut cumulative = 0.0;
    for (index, (item, r)) in items.iter().zip(rows).enumerate() {
        let what = format!("{what} by={by} {}", r.key);
        assert_eq!(item["rank"], index as u64 + 1, "{what}");
        assert_eq!(item["name"], r.name, "{what}");
        assert_eq!(item["pain"], r.pain, "{what}");
        assert_eq!(item["unit_cost"], usd(r.unit), "{what}");
        assert_eq!(item["count"], r.now.count, "{what}");
        assert_eq!(item["complaints"], r.now.complaints, "{what}");
        assert_eq!(item["cost_minor"], r.now.cost_minor, "{what}");
        assert_eq!(item["cost"], usd(r.now.cost_minor), "{what}");
        assert_eq!(item["pain_points"], r.pain_points, "{what}");
        close(&item["score"], r.score, &format!("{what} score"));
        let share = if total > 0.0 {
            r.measure(by) / total
        } else {
            0.0
        };
        cumulative += share;
        close(&item["share"], share, &format!("{what} share"));
        close(
            &item["cumulative_share"],
            cumulative,
            &format!("{what} cumulative_share"),
        );
        assert_eq!(item["tier"], r.tier, "{what}");
        assert_eq!(item["retired"], false, "{what}");
        assert_eq!(
            item["previous"],
            json!({"count": r.prev.count, "cost_minor": r.prev.cost_minor}),
            "{what}"
        );
        match change_pct(r.now.count, r.prev.count) {
            None => assert_eq!(item["change_pct"], Value::Null, "{what}"),
            Some(pct) => close(&item["change_pct"], pct, &format!("{what} change_pct")),
        }
        rev2::check_item(item, &stats[index], &what);
    }
}

#[track_caller]
pub fn check_totals(totals: &Value, rows: &[Row], what: &str) {
    let count: u64 = rows.iter().map(|r| r.now.count).sum();
    let complaints: u64 = rows.iter().map(|r| r.now.complaints).sum();
    let cost: i64 = rows.iter().map(|r| r.now.cost_minor).sum();
    let pain: u64 = rows.iter().map(|r| r.pain_points).sum();
    for (field, want) in [
        ("count", json!(count)),
        ("complaints", json!(complaints)),
        ("cost", json!(usd(cost))),
        ("cost_minor", json!(cost)),
        ("pain_points", json!(pain)),
    ] {
        assert_eq!(totals[field], want, "{what} totals.{field}: {totals}");
    }
}

/// The window of equal length just before [from, to] (the tests' windows are never a
/// whole calendar month or year).
pub fn previous(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    let days = (to - from).num_days() + 1;
    assert!(days < 28);
    (from - Duration::days(days), from - Duration::days(1))
}

pub fn window_json(from: NaiveDate, to: NaiveDate) -> Value {
    json!({"from": from.to_string(), "to": to.to_string(), "days": (to - from).num_days() + 1, "timezone": "America/Chicago"})
}

/// `path` with `site=KEY` appended.
fn with_site(path: &str, site: &str) -> String {
    let joiner = if path.contains('?') { '&' } else { '?' };
    format!("{path}{joiner}site={site}")
}

/// Every read endpoint, chart and export (each with a valid window).
fn reads(app: &TestApp) -> Vec<String> {
    let year = today(app).year();
    [
        "/api/ranking?days=7",
        "/api/ranking?days=7&group=department",
        "/api/trend?days=7",
        "/api/ticks?days=7",
        "/api/control?days=7",
        "/api/alerts",
        "/api/volume?days=7",
        "/api/export/ticks.csv?days=7",
        "/api/export/ranking.csv?days=7",
        "/charts/pareto.svg?days=7",
        "/charts/trend.png?days=7",
        "/charts/control.svg?days=7",
        "/charts/cost.svg?days=7",
    ]
    .iter()
    .map(|p| p.to_string())
    .chain([format!("/api/export/annual.zip?year={year}")])
    .collect()
}

// ---------------------------------------------------------------------------------------
// GET /api/sites

#[test]
fn sites_are_listed_in_configured_order_with_their_effective_timezone() {
    let app = spawn_sites();
    let want = json!({"sites": [
        {"key": "chicago-hub", "name": "Chicago hub", "timezone": "America/Chicago", "retired": false},
        {"key": "tokyo", "name": "Tokyo depot", "timezone": "Asia/Tokyo", "retired": false},
        {"key": "berlin", "name": "Berlin", "timezone": "America/Chicago", "retired": false},
    ]});
    let bound = token(&app, "tokyo phone", "staff", Some("tokyo"));
    for who in [&app.staff, &app.viewer, &app.admin, &bound] {
        let reply = app.get("/api/sites", who);
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body, want);
    }
    let anonymous = app.call("GET", "/api/sites", None, None, None, &[]);
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    // A site's zone follows the organization's when it has none of its own.
    let app = TestApp::spawn_with(&config_with_sites().replace(
        "timezone = \"America/Chicago\"\ncurrency",
        "timezone = \"Europe/Berlin\"\ncurrency",
    ));
    let sites = app.get("/api/sites", &app.viewer).body;
    assert_eq!(sites["sites"][0]["timezone"], "America/Chicago");
    assert_eq!(sites["sites"][2]["key"], "berlin");
    assert_eq!(sites["sites"][2]["timezone"], "Europe/Berlin");
}

#[test]
fn without_sites_the_list_is_empty_and_naming_a_site_is_unknown() {
    let app = TestApp::spawn();
    let reply = app.get("/api/sites", &app.staff);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body, json!({"sites": []}));

    let count = app.tick_count();
    app.tick(json!({"horror": "damaged", "site": "tokyo"}))
        .assert_error(422, "unknown_site");
    let reply = app.post(
        "/api/ticks/batch",
        &app.staff,
        &json!({"ticks": [{"horror": "damaged"}, {"horror": "damaged", "site": "tokyo"}]}),
    );
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(
        reply.body["error"]["details"][0]["index"], 1,
        "{}",
        reply.text
    );
    assert_eq!(
        reply.body["error"]["details"][0]["code"], "unknown_site",
        "{}",
        reply.text
    );
    assert_eq!(app.tick_count(), count);

    // Without sites a tick has a null site.
    let reply = app.tick(json!({"horror": "damaged"}));
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["site"], Value::Null, "{}", reply.text);
    let listed = app.get("/api/ticks?days=1", &app.viewer);
    assert_eq!(listed.body["ticks"][0]["site"], Value::Null);

    let tokens = app.get("/api/tokens", &app.admin).body;
    app.post(
        "/api/tokens",
        &app.admin,
        &json!({"name": "x", "role": "staff", "site": "tokyo"}),
    )
    .assert_error(422, "unknown_site");
    assert_eq!(app.get("/api/tokens", &app.admin).body, tokens);
    for t in tokens["tokens"].as_array().unwrap() {
        assert_eq!(t["site"], Value::Null, "{t}");
    }

    for path in reads(&app) {
        app.get(&with_site(&path, "tokyo"), &app.viewer)
            .assert_error(422, "unknown_site");
    }
}

// ---------------------------------------------------------------------------------------
// Ticks at sites

#[test]
fn a_tick_from_an_unbound_token_must_name_a_known_active_site() {
    let app = spawn_sites();
    let cases = [
        (json!({"horror": "damaged"}), Some("site_required")),
        (
            json!({"horror": "damaged", "site": null}),
            Some("site_required"),
        ),
        (
            json!({"horror": "damaged", "site": "paris"}),
            Some("unknown_site"),
        ),
        (
            json!({"horror": "damaged", "site": "Tokyo"}),
            Some("unknown_site"),
        ),
        (json!({"horror": "damaged", "site": "tokyo "}), None),
        (json!({"horror": "damaged", "site": ""}), None),
        (
            json!({"horror": "damaged", "site": 5}),
            Some("invalid_body"),
        ),
        (
            json!({"horror": "damaged", "site": ["tokyo"]}),
            Some("invalid_body"),
        ),
        (
            json!({"horror": "damaged", "site": {"key": "tokyo"}}),
            Some("invalid_body"),
        ),
        (
            json!({"horror": "nope", "site": "tokyo"}),
            Some("unknown_horror"),
        ),
    ];
    for (body, code) in &cases {
        for who in [&app.staff, &app.admin] {
            let reply = app.post("/api/ticks", who, body);
            match code {
                Some(code) => reply.assert_error(422, code),
                None => assert_eq!(reply.status, 422, "{body}: {}", reply.text),
            }
        }
    }
    assert_eq!(app.tick_count(), 0);
    // The same in a batch: all or nothing, with the item's index.
    let reply = app.post(
        "/api/ticks/batch",
        &app.staff,
        &json!({"ticks": [{"horror": "damaged", "site": "tokyo"}, {"horror": "damaged"}]}),
    );
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(
        reply.body["error"]["details"][0]["index"], 1,
        "{}",
        reply.text
    );
    assert_eq!(
        reply.body["error"]["details"][0]["code"], "site_required",
        "{}",
        reply.text
    );
    assert_eq!(app.tick_count(), 0);
    assert_eq!(
        app.get("/api/ticks?days=30", &app.viewer).body["ticks"],
        json!([])
    );

    // Two days ago at noon in Chicago: the day before yesterday there, yesterday in Tokyo.
    let at = noon(today(&app) - Duration::days(2), Chicago);
    let reply = app.tick(json!({"horror": "damaged", "site": "tokyo", "occurred_at": at}));
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["site"], "tokyo");
    assert_eq!(
        reply.body["day"],
        (today(&app) - Duration::days(1)).to_string()
    );
    let reply = app.post(
        "/api/ticks",
        &app.admin,
        &json!({"horror": "late-delivery", "site": "berlin", "occurred_at": at}),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["site"], "berlin");
    assert_eq!(
        reply.body["day"],
        (today(&app) - Duration::days(2)).to_string()
    );
    let reply = app.post(
        "/api/ticks/batch",
        &app.staff,
        &json!({"ticks": [{"horror": "damaged", "site": "chicago-hub", "occurred_at": at}, {"horror": "lost-package", "site": "tokyo", "occurred_at": at}]}),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["ticks"][0]["site"], "chicago-hub");
    assert_eq!(reply.body["ticks"][1]["site"], "tokyo");
    assert_eq!(app.tick_count(), 4);
    let listed = app.get("/api/ticks?days=3", &app.viewer);
    let mut sites: Vec<&str> = listed.body["ticks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["site"].as_str().unwrap())
        .collect();
    sites.sort_unstable();
    assert_eq!(sites, ["berlin", "chicago-hub", "tokyo", "tokyo"]);
}

#[test]
fn a_ticks_day_is_the_local_date_at_its_site() {
    let app = spawn_sites();
    // 16:00 UTC is 10:00 in Chicago and 01:00 the next day in Tokyo.
    let at = "2026-03-10T16:00:00Z";
    for (site, day) in [
        ("tokyo", "2026-03-11"),
        ("chicago-hub", "2026-03-10"),
        ("berlin", "2026-03-10"),
    ] {
        let reply = app.tick(json!({"horror": "damaged", "site": site, "occurred_at": at}));
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.body["day"], day, "{site}");
        assert_eq!(reply.body["site"], site);
        assert_eq!(reply.body["occurred_at"], at);
    }
    // 14:59 UTC on 2026-03-10 is still 23:59 on 2026-03-10 in Tokyo.
    let reply = app.tick(
        json!({"horror": "lost-package", "site": "tokyo", "occurred_at": "2026-03-10T14:59:59Z"}),
    );
    assert_eq!(reply.body["day"], "2026-03-10", "{}", reply.text);
    // Windows count each tick on its day.
    let count = |query: &str| app.ranking(query)["totals"]["count"].clone();
    assert_eq!(count("from=2026-03-11&to=2026-03-11"), 1);
    assert_eq!(count("from=2026-03-11&to=2026-03-11&site=tokyo"), 1);
    assert_eq!(count("from=2026-03-10&to=2026-03-10"), 3);
    assert_eq!(count("from=2026-03-10&to=2026-03-10&site=tokyo"), 1);
    assert_eq!(count("from=2026-03-10&to=2026-03-10&site=berlin"), 1);
    assert_eq!(count("from=2026-03-10&to=2026-03-10&site=chicago-hub"), 1);
    let listed = app.get("/api/ticks?from=2026-03-11&to=2026-03-11", &app.viewer);
    let ticks = listed.body["ticks"].as_array().unwrap();
    assert_eq!(ticks.len(), 1, "{}", listed.text);
    assert_eq!(ticks[0]["site"], "tokyo");
    assert_eq!(ticks[0]["horror"], "damaged");
}

// ---------------------------------------------------------------------------------------
// Site-bound tokens

#[test]
fn tokens_can_be_bound_to_a_site_but_admin_tokens_cannot() {
    let app = spawn_sites();
    let created = app.post(
        "/api/tokens",
        &app.admin,
        &json!({"name": "tokyo phone", "role": "staff", "site": "tokyo"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["site"], "tokyo");
    let staff_id = created.body["id"].clone();
    let created = app.post(
        "/api/tokens",
        &app.admin,
        &json!({"name": "berlin screen", "role": "viewer", "site": "berlin"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["site"], "berlin");
    let viewer_id = created.body["id"].clone();
    let created = app.post(
        "/api/tokens",
        &app.admin,
        &json!({"name": "roaming", "role": "staff"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["site"], Value::Null);

    let before = app.get("/api/tokens", &app.admin).body;
    let listed = before["tokens"].as_array().unwrap();
    assert_eq!(listed.len(), 7);
    for t in listed {
        let want = if t["id"] == staff_id {
            json!("tokyo")
        } else if t["id"] == viewer_id {
            json!("berlin")
        } else {
            Value::Null
        };
        assert_eq!(t["site"], want, "{t}");
    }

    let bad = [
        (
            json!({"name": "x", "role": "admin", "site": "tokyo"}),
            Some("invalid_site"),
        ),
        (
            json!({"name": "x", "role": "staff", "site": "paris"}),
            Some("unknown_site"),
        ),
        (
            json!({"name": "x", "role": "viewer", "site": "TOKYO"}),
            Some("unknown_site"),
        ),
        (
            json!({"name": "x", "role": "staff", "site": 7}),
            Some("invalid_body"),
        ),
        (
            json!({"name": "x", "role": "staff", "site": ["tokyo"]}),
            Some("invalid_body"),
        ),
        (json!({"name": "x", "role": "staff", "site": ""}), None),
    ];
    for (body, code) in bad {
        let reply = app.post("/api/tokens", &app.admin, &body);
        match code {
            Some(code) => reply.assert_error(422, code),
            None => assert_eq!(reply.status, 422, "{body}: {}", reply.text),
        }
    }
    assert_eq!(app.get("/api/tokens", &app.admin).body, before);
    // Not an admin: no tokens at all.
    app.post(
        "/api/tokens",
        &app.viewer,
        &json!({"name": "x", "role": "staff", "site": "tokyo"}),
    )
    .assert_error(403, "forbidden");
    assert_eq!(app.get("/api/tokens", &app.admin).body, before);
}

#[test]
fn a_site_bound_staff_token_records_only_at_its_site() {
    let app = spawn_sites();
    let phone = token(&app, "tokyo phone", "staff", Some("tokyo"));
    let at = "2026-03-10T16:00:00Z";
    let reply = app.post(
        "/api/ticks",
        &phone,
        &json!({"horror": "damaged", "occurred_at": at}),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["site"], "tokyo");
    assert_eq!(reply.body["day"], "2026-03-11", "its site's local day");
    assert_eq!(reply.body["recorded_by"], "tokyo phone");
    let at = noon(today(&app) - Duration::days(2), Chicago);
    let reply = app.post(
        "/api/ticks",
        &phone,
        &json!({"horror": "damaged", "site": "tokyo", "occurred_at": at}),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["site"], "tokyo");
    let reply = app.post(
        "/api/ticks/batch",
        &phone,
        &json!({"ticks": [{"horror": "late-delivery", "occurred_at": at}, {"horror": "lost-package", "site": "tokyo", "occurred_at": at}]}),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["ticks"][0]["site"], "tokyo");
    assert_eq!(reply.body["ticks"][1]["site"], "tokyo");
    assert_eq!(app.tick_count(), 4);

    for site in ["chicago-hub", "berlin"] {
        app.post(
            "/api/ticks",
            &phone,
            &json!({"horror": "damaged", "site": site}),
        )
        .assert_error(403, "wrong_site");
    }
    // A batch with one item at another site records nothing.
    let reply = app.post(
        "/api/ticks/batch",
        &phone,
        &json!({"ticks": [{"horror": "damaged"}, {"horror": "damaged", "site": "berlin"}]}),
    );
    assert!(reply.status == 403 || reply.status == 422, "{}", reply.text);
    assert!(reply.text.contains("wrong_site"), "{}", reply.text);
    assert_eq!(app.tick_count(), 4);
    let listed = app.get("/api/ticks?days=3660&limit=1000", &app.viewer);
    let ticks = listed.body["ticks"].as_array().unwrap();
    assert_eq!(ticks.len(), 4);
    assert!(
        ticks.iter().all(|t| t["site"] == "tokyo"),
        "{}",
        listed.text
    );
}

#[test]
fn a_site_bound_viewer_sees_only_its_site_everywhere() {
    let app = spawn_sites();
    let t = today(&app);
    let d = |n: i64| t - Duration::days(n);
    post_ticks(
        &app,
        &[
            T::new("damaged", 3, Some("tokyo"), d(2)),
            T::new("late-delivery", 2, Some("tokyo"), d(3)),
            T::new("damaged", 5, Some("chicago-hub"), d(2)),
            T::new("lost-package", 4, Some("berlin"), d(3)),
        ],
    );
    let volume = json!({"entries": [
        {"day": d(2).to_string(), "site": "tokyo", "units": 1000},
        {"day": d(2).to_string(), "site": "berlin", "units": 3000},
    ]});
    let reply = app.put("/api/volume", &app.admin, &volume);
    assert_eq!(reply.status, 200, "{}", reply.text);
    let screen = token(&app, "tokyo screen", "viewer", Some("tokyo"));

    for path in reads(&app) {
        let (mine, _, mine_bytes) = app.download(&path, &screen, &[]);
        let (own, _, own_bytes) = app.download(&with_site(&path, "tokyo"), &screen, &[]);
        let (filtered, _, filtered_bytes) =
            app.download(&with_site(&path, "tokyo"), &app.viewer, &[]);
        assert_eq!(
            (mine, own, filtered),
            (200, 200, 200),
            "{path}: {}",
            String::from_utf8_lossy(&mine_bytes)
        );
        if path.starts_with("/api/") && !path.contains(".zip") {
            // JSON and CSV: the bound view is exactly the filtered one.
            assert_eq!(
                String::from_utf8_lossy(&mine_bytes),
                String::from_utf8_lossy(&filtered_bytes),
                "{path}"
            );
            assert_eq!(mine_bytes, own_bytes, "{path}");
        }
        for other in ["berlin", "chicago-hub"] {
            app.get(&with_site(&path, other), &screen)
                .assert_error(403, "wrong_site");
        }
    }
    // And the filtered view is only Tokyo's.
    let ranking = app.get("/api/ranking?days=7", &screen);
    assert_eq!(ranking.body["totals"]["count"], 5, "{}", ranking.text);
    let ticks = app.get("/api/ticks?days=7", &screen);
    let sites: Vec<&str> = ticks.body["ticks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["site"].as_str().unwrap())
        .collect();
    assert_eq!(sites, ["tokyo", "tokyo"]);
    let volume = app.get("/api/volume?days=7", &screen);
    assert_eq!(
        volume.body["entries"],
        json!([{"day": d(2).to_string(), "site": "tokyo", "units": 1000}])
    );
    let grouped = app.get("/api/ranking?days=7&group=site", &screen);
    assert_eq!(grouped.status, 200, "{}", grouped.text);
    for g in grouped.body["groups"].as_array().unwrap() {
        assert!(
            g["value"] == "tokyo" || g["totals"]["count"] == 0,
            "{}",
            grouped.text
        );
    }
    // The unbound viewer still sees everything.
    assert_eq!(app.ranking("days=7")["totals"]["count"], 14);
}

// ---------------------------------------------------------------------------------------
// site= on reads

#[test]
fn every_read_filters_by_site_and_refuses_an_unknown_one() {
    let app = spawn_sites();
    let t = today(&app);
    let d = |n: i64| t - Duration::days(n);
    post_ticks(
        &app,
        &[
            T::new("damaged", 3, Some("tokyo"), d(2)),
            T::new("late-delivery", 2, Some("tokyo"), d(3)),
            T::new("damaged", 5, Some("chicago-hub"), d(2)),
            T::new("lost-package", 1, Some("berlin"), d(3)),
            T::new("lost-package", 7, Some("berlin"), d(4)).complaint(),
        ],
    );
    let (from, to) = (d(6), d(1));
    let w = format!("from={from}&to={to}");
    for path in reads(&app) {
        for site in ["paris", "Tokyo", "chicago_hub"] {
            app.get(&with_site(&path, site), &app.viewer)
                .assert_error(422, "unknown_site");
        }
        app.get(
            &with_site(&with_site(&path, "tokyo"), "berlin"),
            &app.viewer,
        )
        .assert_error(422, "repeated_parameter");
    }

    for (site, count, ticks) in [
        (None, 18, 5),
        (Some("tokyo"), 5, 2),
        (Some("chicago-hub"), 5, 1),
        (Some("berlin"), 8, 2),
    ] {
        let q = site.map_or(w.clone(), |s| format!("{w}&site={s}"));
        let ranking = app.ranking(&q);
        assert_eq!(ranking["totals"]["count"], count, "{q}");
        let trend = app.get(&format!("/api/trend?{q}"), &app.viewer);
        let total: u64 = trend.body["totals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["count"].as_u64().unwrap())
            .sum();
        assert_eq!(total, count, "trend {q}");
        let control = app.get(&format!("/api/control?{q}"), &app.viewer);
        assert_eq!(control.status, 200, "{}", control.text);
        assert_eq!(control.body["site"], json!(site), "control {q}");
        let total: u64 = control.body["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["count"].as_u64().unwrap())
            .sum();
        assert_eq!(total, count, "control {q}");
        let listed = app.get(&format!("/api/ticks?{q}"), &app.viewer);
        let listed = listed.body["ticks"].as_array().unwrap();
        assert_eq!(listed.len(), ticks, "ticks {q}");
        if let Some(site) = site {
            assert!(listed.iter().all(|t| t["site"] == site), "{q}");
        }
        let (status, _, csv) =
            app.download(&format!("/api/export/ticks.csv?{q}"), &app.viewer, &[]);
        assert_eq!(status, 200);
        let rows = csv_rows(&csv);
        assert_eq!(rows.len(), 1 + ticks, "ticks.csv {q}");
        let (status, _, csv) =
            app.download(&format!("/api/export/ranking.csv?{q}"), &app.viewer, &[]);
        assert_eq!(status, 200);
        let rows = csv_rows(&csv);
        let column = rows[0].iter().position(|c| c == "count").unwrap();
        let total: u64 = rows[1..]
            .iter()
            .map(|r| r[column].parse::<u64>().unwrap())
            .sum();
        assert_eq!(total, count, "ranking.csv {q}");
    }
    // Site filters combine with the others.
    let ranking = app.ranking(&format!("{w}&site=berlin&by=count"));
    assert_eq!(ranking["items"][0]["key"], "lost-package");
    assert_eq!(ranking["items"][0]["count"], 8);
    assert_eq!(ranking["items"][0]["complaints"], 7);
    let listed = app.get(
        &format!("/api/ticks?{w}&site=tokyo&horror=damaged"),
        &app.viewer,
    );
    assert_eq!(listed.body["ticks"].as_array().unwrap().len(), 1);
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Retirement

#[test]
fn a_retired_site_keeps_its_ticks_and_refuses_new_ones_until_it_returns() {
    let app = spawn_sites();
    let t = today(&app);
    let d = |n: i64| t - Duration::days(n);
    post_ticks(
        &app,
        &[
            T::new("damaged", 4, Some("berlin"), d(2)),
            T::new("damaged", 1, Some("tokyo"), d(2)),
        ],
    );
    let reply = app.put(
        "/api/volume",
        &app.admin,
        &json!({"entries": [{"day": d(2).to_string(), "site": "berlin", "units": 500}]}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let bound = token(&app, "berlin phone", "staff", Some("berlin"));

    // Berlin leaves the configuration (the file changes; it is applied again).
    let without_berlin =
        config_with_sites().replace("\n[[sites]]\nkey = \"berlin\"\nname = \"Berlin\"\n", "\n");
    assert!(!without_berlin.contains("berlin"));
    app.store
        .apply_config(&horrors::config::parse(&without_berlin).unwrap())
        .unwrap();
    let sites = app.get("/api/sites", &app.staff);
    assert_eq!(
        sites.body,
        json!({"sites": [
            {"key": "chicago-hub", "name": "Chicago hub", "timezone": "America/Chicago", "retired": false},
            {"key": "tokyo", "name": "Tokyo depot", "timezone": "Asia/Tokyo", "retired": false},
            {"key": "berlin", "name": "Berlin", "timezone": "America/Chicago", "retired": true},
        ]})
    );

    let count = app.tick_count();
    app.tick(json!({"horror": "damaged", "site": "berlin"}))
        .assert_error(422, "retired_site");
    app.post("/api/ticks", &bound, &json!({"horror": "damaged"}))
        .assert_error(422, "retired_site");
    let reply = app.post(
        "/api/ticks/batch",
        &app.staff,
        &json!({"ticks": [{"horror": "damaged", "site": "tokyo"}, {"horror": "damaged", "site": "berlin"}]}),
    );
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(
        reply.body["error"]["details"][0]["code"], "retired_site",
        "{}",
        reply.text
    );
    assert_eq!(app.tick_count(), count);
    let reply = app.post(
        "/api/tokens",
        &app.admin,
        &json!({"name": "x", "role": "viewer", "site": "berlin"}),
    );
    assert_eq!(
        reply.status, 422,
        "a token bound to a retired site: {}",
        reply.text
    );

    // Its history stays readable.
    assert_eq!(app.ranking("days=7")["totals"]["count"], 5);
    assert_eq!(app.ranking("days=7&site=berlin")["totals"]["count"], 4);
    let listed = app.get("/api/ticks?days=7&site=berlin", &app.viewer);
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.body["ticks"].as_array().unwrap().len(), 1);
    let volume = app.get("/api/volume?days=7&site=berlin", &app.viewer);
    assert_eq!(volume.status, 200, "{}", volume.text);
    assert_eq!(volume.body["units"], 500);
    let grouped = app.ranking("days=7&group=site");
    let berlin = grouped["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["value"] == "berlin")
        .expect("a retired site with ticks keeps its group");
    assert_eq!(berlin["totals"]["count"], 4);
    assert_eq!(berlin["name"], "Berlin");

    // Re-adding the key brings it back.
    app.store
        .apply_config(&horrors::config::parse(&config_with_sites()).unwrap())
        .unwrap();
    assert_eq!(
        app.get("/api/sites", &app.staff).body["sites"][2]["retired"],
        false
    );
    let reply = app.tick(json!({"horror": "damaged", "site": "berlin"}));
    assert_eq!(reply.status, 201, "{}", reply.text);

    // Volume is recorded "with site as for ticks" (SPEC §17): not at a retired site.
    app.store
        .apply_config(&horrors::config::parse(&without_berlin).unwrap())
        .unwrap();
    let volume = app.get("/api/volume?days=30", &app.viewer).body;
    app.put(
        "/api/volume",
        &app.admin,
        &json!({"entries": [{"day": d(1).to_string(), "site": "berlin", "units": 9}]}),
    )
    .assert_error(422, "retired_site");
    assert_eq!(app.get("/api/volume?days=30", &app.viewer).body, volume);
}

// ---------------------------------------------------------------------------------------
// Grouped rankings

/// The group a tick falls in.
fn group_value(t: &T, group: &str) -> Option<&'static str> {
    match group {
        "site" => t.site,
        "department" => t.department,
        "source" => Some(if t.complaint { "complaint" } else { "internal" }),
        _ => unreachable!(),
    }
}

/// Fetches `group=` for [from, to] (optionally `site=`), and checks the groups with ticks
/// come in `want` order and each group equals §8 over its own ticks.
#[allow(clippy::too_many_arguments)]
fn check_groups(
    app: &TestApp,
    ticks: &[T],
    group: &str,
    by: &str,
    from: NaiveDate,
    to: NaiveDate,
    site: Option<&str>,
    want: &[Option<&str>],
) {
    let mut query = format!("from={from}&to={to}&group={group}&by={by}");
    if let Some(site) = site {
        query.push_str(&format!("&site={site}"));
    }
    let body = app.ranking(&query);
    assert_eq!(body["group"], group);
    assert_eq!(body["by"], by);
    assert_eq!(body["currency"], "USD");
    assert_eq!(body["window"], window_json(from, to));
    let groups = body["groups"].as_array().unwrap();
    let with_ticks: Vec<Value> = groups
        .iter()
        .filter(|g| g["totals"]["count"] != 0)
        .map(|g| g["value"].clone())
        .collect();
    let want: Vec<Value> = want.iter().map(|v| json!(v)).collect();
    assert_eq!(with_ticks, want, "{query}");
    let counts: Vec<u64> = groups
        .iter()
        .map(|g| g["totals"]["count"].as_u64().unwrap())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "{query}: {counts:?}"
    );
    let (pfrom, pto) = previous(from, to);
    let now = app.now();
    let in_site = |t: &T| site.is_none_or(|s| t.site == Some(s));
    assert_eq!(
        body["tested"],
        rev2::tested_json(rev2::tested(
            from,
            to,
            rev2::last_complete(now, &zones(site))
        )),
        "{query}"
    );
    // First every group's evidence, then Benjamini–Hochberg over all groups together.
    let mut all_rows = Vec::new();
    let mut all_stats = Vec::new();
    for g in groups {
        let value = g["value"].as_str();
        let keep = |t: &T| group_value(t, group) == value && in_site(t);
        let now_ticks = select(ticks, from, to, &keep);
        let prev = select(ticks, pfrom, pto, &keep);
        let rows = rows(&now_ticks, &prev, by);
        // A site's group is read on that site's clock and from its first day; other
        // groups on the clock and first day of the scope.
        let (daily, last) = if group == "site" {
            let at = |t: &T| t.site == value;
            (
                daily_of(ticks, &keep, &at),
                rev2::last_complete(now, &zones(value)),
            )
        } else {
            (
                daily_of(ticks, &keep, &in_site),
                rev2::last_complete(now, &zones(site)),
            )
        };
        let tested = rev2::tested(from, to, last);
        assert_eq!(g["tested"], rev2::tested_json(tested), "{query} {value:?}");
        assert_eq!(g["exposure"], "days", "{query} {value:?}");
        all_stats.push(row_stats(&rows, by, &daily, tested, (pfrom, pto)));
        all_rows.push(rows);
    }
    rev2::judge(&mut all_stats.iter_mut().flatten().collect::<Vec<_>>());
    for ((g, rows), stats) in groups.iter().zip(&all_rows).zip(&all_stats) {
        let value = g["value"].as_str();
        let what = format!("{query} group {value:?}");
        if let Some(value) = value {
            let name = if group == "site" {
                site_name(value)
            } else {
                value
            };
            assert_eq!(g["name"], name, "{what}");
        }
        check_items(&g["items"], rows, by, stats, &what);
        check_totals(&g["totals"], rows, &what);
    }
}

/// Ticks across sites, departments and sources, in a five-day window [t-5, t-1], the five
/// days before it, and outside both. Window totals: sites chicago-hub 12, tokyo 7, berlin
/// 7; departments Dispatch 10, Warehouse 8, Drivers 4, none 4; internal 15, complaint 11.
fn grouped_ticks(t: NaiveDate) -> Vec<T> {
    let d = |n: i64| t - Duration::days(n);
    let (c, k, b) = (Some("chicago-hub"), Some("tokyo"), Some("berlin"));
    let mut cheap = T::new("damaged", 3, c, d(3)).dept("Dispatch").complaint();
    cheap.cost = Some(100);
    let mut voided = T::new("damaged", 50, k, d(2)).dept("Dispatch");
    voided.voided = true;
    vec![
        T::new("late-delivery", 5, c, d(5)).dept("Dispatch"),
        T::new("lost-package", 2, c, d(4))
            .dept("Warehouse")
            .complaint(),
        cheap,
        T::new("wrong-address", 2, c, d(2)),
        T::new("late-delivery", 4, k, d(4)).dept("Warehouse"),
        T::new("missed-pickup", 3, k, d(1))
            .dept("Drivers")
            .complaint(),
        voided,
        T::new("damaged", 2, b, d(5)).dept("Dispatch"),
        T::new("lost-package", 1, b, d(3))
            .dept("Drivers")
            .complaint(),
        T::new("wrong-address", 2, b, d(1)).complaint(),
        T::new("late-delivery", 2, b, d(2)).dept("Warehouse"),
        // The previous window.
        T::new("late-delivery", 3, c, d(9)).dept("Dispatch"),
        T::new("damaged", 6, k, d(8)).dept("Warehouse").complaint(),
        T::new("lost-package", 1, b, d(10)),
        T::new("late-delivery", 9, b, d(6)).dept("Warehouse"),
        // Before both.
        T::new("damaged", 9, k, d(20)).dept("Drivers"),
    ]
}

#[test]
fn ranking_by_site_is_one_independent_ranking_per_site() {
    let app = spawn_sites();
    let t = today(&app);
    let ticks = grouped_ticks(t);
    post_ticks(&app, &ticks);
    let (from, to) = (t - Duration::days(5), t - Duration::days(1));
    let order = [Some("chicago-hub"), Some("berlin"), Some("tokyo")];
    for by in ["priority", "count", "cost", "pain"] {
        check_groups(&app, &ticks, "site", by, from, to, None, &order);
    }
    // One site only: one group.
    check_groups(
        &app,
        &ticks,
        "site",
        "priority",
        from,
        to,
        Some("tokyo"),
        &[Some("tokyo")],
    );
    // The groups add up to the ungrouped ranking.
    let grouped = app.ranking(&format!("from={from}&to={to}&group=site"));
    let total: u64 = grouped["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["totals"]["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 26);
    assert_eq!(
        app.ranking(&format!("from={from}&to={to}"))["totals"]["count"],
        26
    );
    // A window of a single day at the edge, where Tokyo's day differs from Chicago's.
    let one = t - Duration::days(1);
    check_groups(
        &app,
        &ticks,
        "site",
        "priority",
        one,
        one,
        None,
        &[Some("tokyo"), Some("berlin")],
    );
}

#[test]
fn ranking_by_department_and_source_groups_the_same_ticks() {
    let app = spawn_sites();
    let t = today(&app);
    let ticks = grouped_ticks(t);
    post_ticks(&app, &ticks);
    let (from, to) = (t - Duration::days(5), t - Duration::days(1));
    // Drivers and the ticks without a department both have 4: the value comes first.
    let departments = [Some("Dispatch"), Some("Warehouse"), Some("Drivers"), None];
    for by in ["priority", "count"] {
        check_groups(&app, &ticks, "department", by, from, to, None, &departments);
        check_groups(
            &app,
            &ticks,
            "source",
            by,
            from,
            to,
            None,
            &[Some("internal"), Some("complaint")],
        );
    }
    // Within one site: Tokyo has Warehouse 4 and Drivers 3.
    check_groups(
        &app,
        &ticks,
        "department",
        "priority",
        from,
        to,
        Some("tokyo"),
        &[Some("Warehouse"), Some("Drivers")],
    );
    check_groups(
        &app,
        &ticks,
        "source",
        "count",
        from,
        to,
        Some("berlin"),
        &[Some("internal"), Some("complaint")],
    );
}

#[test]
fn groups_with_equal_counts_are_ordered_by_value() {
    let app = spawn_sites();
    let t = today(&app);
    let d = t - Duration::days(1);
    let ticks = vec![
        T::new("damaged", 2, Some("tokyo"), d).dept("Drivers"),
        T::new("lost-package", 2, Some("berlin"), d).dept("Drivers"),
        T::new("late-delivery", 2, Some("chicago-hub"), d).dept("Warehouse"),
        T::new("late-delivery", 1, Some("tokyo"), d).dept("Dispatch"),
        T::new("damaged", 1, Some("tokyo"), d),
    ];
    post_ticks(&app, &ticks);
    // Sites: tokyo 4, then berlin and chicago-hub with 2 each, by key.
    check_groups(
        &app,
        &ticks,
        "site",
        "priority",
        d,
        d,
        None,
        &[Some("tokyo"), Some("berlin"), Some("chicago-hub")],
    );
    // Departments: Drivers 4, Warehouse 2, then Dispatch and no department with 1 each:
    // the null value comes last.
    check_groups(
        &app,
        &ticks,
        "department",
        "priority",
        d,
        d,
        None,
        &[Some("Drivers"), Some("Warehouse"), Some("Dispatch"), None],
    );
}

#[test]
fn a_bad_group_is_refused() {
    let app = spawn_sites();
    for query in [
        "group=",
        "group=sites",
        "group=Site",
        "group=horror",
        "group=day",
        "group=site,department",
    ] {
        app.get(&format!("/api/ranking?{query}"), &app.viewer)
            .assert_error(422, "invalid_parameter");
    }
    app.get("/api/ranking?group=site&group=source", &app.viewer)
        .assert_error(422, "repeated_parameter");
    app.get("/api/ranking?group=site", &app.staff)
        .assert_error(403, "forbidden");
    let (status, _, body) = app.download("/charts/pareto.svg?group=nope", &app.viewer, &[]);
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
    // Grouping by site without sites: one group, the implicit site (null).
    let plain = TestApp::spawn();
    assert_eq!(
        plain
            .tick(json!({"horror": "damaged", "occurred_at": noon(today(&plain) - Duration::days(1), Chicago)}))
            .status,
        201
    );
    let grouped = plain.ranking("days=7&group=site");
    let groups = grouped["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{grouped}");
    assert_eq!(groups[0]["value"], Value::Null);
    assert_eq!(groups[0]["totals"]["count"], 1);
}

// ---------------------------------------------------------------------------------------
// The Pareto chart by group

#[test]
fn the_pareto_chart_draws_at_most_twelve_groups_most_ticks_first() {
    let mut config = CONFIG.to_string();
    for i in 1..=14 {
        config.push_str(&format!(
            "\n[[sites]]\nkey = \"depot-{i:02}\"\nname = \"Depot {i:02}\"\n"
        ));
    }
    let app = TestApp::spawn_with(&config);
    let day = today(&app) - Duration::days(1);
    let ticks: Vec<Value> = (1..=14)
        .map(|i| json!({"horror": "damaged", "qty": i, "site": format!("depot-{i:02}"), "occurred_at": noon(day, Chicago)}))
        .collect();
    let reply = app.post("/api/ticks/batch", &app.staff, &json!({"ticks": ticks}));
    assert_eq!(reply.status, 201, "{}", reply.text);
    let (status, headers, bytes) =
        app.download("/charts/pareto.svg?days=7&group=site", &app.viewer, &[]);
    let svg = String::from_utf8_lossy(&bytes);
    assert_eq!(status, 200, "{svg}");
    let content_type = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str());
    assert_eq!(content_type, Some("image/svg+xml"));
    assert!(svg.contains("<svg"));
    for i in 3..=14 {
        assert!(
            svg.contains(&format!("Depot {i:02}")),
            "Depot {i:02} missing"
        );
    }
    for i in 1..=2 {
        assert!(
            !svg.contains(&format!("Depot {i:02}")),
            "Depot {i:02} has the fewest ticks and is left out"
        );
    }
    let (status, headers, png) =
        app.download("/charts/pareto.png?days=7&group=site", &app.viewer, &[]);
    assert_eq!(status, 200);
    assert!(png.starts_with(b"\x89PNG"));
    assert!(headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v == "image/png"));
    for group in ["department", "source"] {
        let (status, _, _) = app.download(
            &format!("/charts/pareto.svg?days=7&group={group}"),
            &app.viewer,
            &[],
        );
        assert_eq!(status, 200, "{group}");
    }
}

#[test]
fn the_pareto_chart_by_site_names_each_site() {
    let app = spawn_sites();
    let t = today(&app);
    post_ticks(&app, &grouped_ticks(t));
    let (status, _, bytes) = app.download("/charts/pareto.svg?days=7&group=site", &app.viewer, &[]);
    let svg = String::from_utf8_lossy(&bytes);
    assert_eq!(status, 200, "{svg}");
    for name in ["Chicago hub", "Tokyo depot", "Berlin"] {
        assert!(svg.contains(name), "{name} missing");
    }
}

/// Regression: a one-site annual review read as the whole organization's: README.txt,
/// review.html's title and lede, and the file name said nothing of the site.
#[test]
fn a_one_site_annual_review_names_its_site_in_every_language() {
    use std::io::Read;
    let app = spawn_sites();
    let year = today(&app).year();
    assert_eq!(
        app.tick(json!({"horror": "damaged", "site": "tokyo"}))
            .status,
        201
    );
    let read = |query: &str, token: &str| {
        let (status, headers, bytes) = app.download(
            &format!("/api/export/annual.zip?year={year}{query}"),
            token,
            &[],
        );
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        let disposition = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-disposition"))
            .map(|(_, v)| v.clone())
            .unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut text = |name: &str| {
            let mut out = String::new();
            zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
            out
        };
        (disposition, text("README.txt"), text("review.html"))
    };
    // (lang, README's site line, the title, the lede's organization)
    let cases = [
        (
            "en",
            "This review covers one site only: Tokyo depot (tokyo).",
            format!("Annual review {year}: Tokyo depot"),
            "Example Freight, site Tokyo depot (tokyo)",
        ),
        (
            "zh-Hans",
            "本回顾只涵盖一个站点：Tokyo depot（tokyo）。",
            format!("{year} 年度回顾：Tokyo depot"),
            "Example Freight，站点 Tokyo depot（tokyo）",
        ),
        (
            "zh-Hant",
            "本檢討只涵蓋一個站點：Tokyo depot（tokyo）。",
            format!("{year} 年度檢討：Tokyo depot"),
            "Example Freight，站點 Tokyo depot（tokyo）",
        ),
    ];
    for (lang, site_line, title, lede) in cases {
        let (disposition, readme, html) = read(&format!("&site=tokyo&lang={lang}"), &app.viewer);
        assert!(
            disposition.contains(&format!("horrors-annual-{year}-tokyo.zip")),
            "{disposition}"
        );
        let first = readme.lines().next().unwrap();
        assert!(first.ends_with(lede), "{lang}: {first}");
        assert!(readme.contains(site_line), "{lang}: {readme}");
        assert!(
            html.contains(&format!("<h1>{title}</h1>")),
            "{lang}: {html}"
        );
        assert!(
            html.contains(&format!("<title>{title} — {lede}</title>")),
            "{lang}"
        );
        assert!(
            html.contains(&format!("<p class=\"lede\">{lede}")),
            "{lang}: the lede names the site"
        );
    }
    // The whole organization's review says nothing of a site, and neither does its name.
    let (disposition, readme, html) = read("&lang=en", &app.viewer);
    assert!(
        disposition.contains(&format!("horrors-annual-{year}.zip")),
        "{disposition}"
    );
    assert!(!readme.contains("one site only"), "{readme}");
    assert!(html.contains(&format!("<h1>Annual review {year}</h1>")));
    assert!(!html.contains("Tokyo depot"));
    // A site-bound token gets its own site's review, named after it.
    let bound = token(&app, "tokyo viewer", "viewer", Some("tokyo"));
    let (disposition, readme, _) = read("&lang=en", &bound);
    assert!(disposition.contains("-tokyo.zip"), "{disposition}");
    assert!(readme.contains("one site only: Tokyo depot (tokyo)"));
}
