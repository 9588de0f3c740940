//! The method tested by simulation, through the API (docs/statistics.md "Simulation"):
//! seeded stable processes must raise few alert episodes and few "clear changes", and
//! real doublings must be found and stay flagged. Deterministic: the same seed gives the
//! same ticks, so the figures printed here are the ones recorded in the docs.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{json, Value};

use crate::helpers::TestApp;

/// SplitMix64: small, seeded, good enough to draw counts.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// Knuth's method (the means here are small).
    fn poisson(&mut self, mean: f64) -> u64 {
        let limit = (-mean).exp();
        let (mut k, mut p) = (0, 1.0);
        loop {
            p *= self.uniform();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }

    /// Marsaglia and Tsang (shape ≥ 1).
    fn gamma(&mut self, shape: f64, scale: f64) -> f64 {
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v > 0.0 && self.uniform().ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v * scale;
            }
        }
    }

    /// Negative binomial with mean `mean` and shape `k` (a gamma–Poisson mixture).
    fn negative_binomial(&mut self, mean: f64, k: f64) -> u64 {
        let rate = self.gamma(k, mean / k);
        self.poisson(rate)
    }
}

/// Busier weekdays: Monday first, averaging 1.
const WEEKDAY: [f64; 7] = [1.25, 1.1, 1.0, 1.0, 1.05, 0.8, 0.8];

#[derive(Clone, Copy)]
enum Process {
    /// Poisson events, each a tick of qty 1.
    Poisson,
    /// Poisson events, one in ten a clump recorded as one tick of qty 2 or 3.
    Clumped,
    /// Negative binomial counts, k = 8.
    NegativeBinomial,
}

/// The ticks of one series on one day: (qty per tick).
fn day_ticks(rng: &mut Rng, process: Process, mean: f64) -> Vec<u64> {
    match process {
        Process::Poisson => vec![1; rng.poisson(mean) as usize],
        Process::Clumped => {
            // Events are Poisson; a clump of 2-3 keeps the mean of Σ qty at `mean`.
            let events = rng.poisson(mean / 1.15);
            (0..events)
                .map(|_| {
                    if rng.uniform() < 0.1 {
                        2 + (rng.next() % 2)
                    } else {
                        1
                    }
                })
                .collect()
        }
        Process::NegativeBinomial => vec![1; rng.negative_binomial(mean, 8.0) as usize],
    }
}

fn config(sites: usize, horrors: &[&str]) -> String {
    let mut text = String::from(
        "[organization]\nname = \"Simulated Freight\"\ntimezone = \"UTC\"\ncurrency = \"USD\"\n\n",
    );
    for s in 0..sites {
        text.push_str(&format!(
            "[[sites]]\nkey = \"s{s:02}\"\nname = \"Site {s:02}\"\n\n"
        ));
    }
    for key in horrors {
        text.push_str(&format!(
            "[[horrors]]\nkey = \"{key}\"\nname = \"{key}\"\npain = 5\nunit_cost = \"10.00\"\n\n"
        ));
    }
    text
}

/// Posts every tick (noon of its day) in batches of 1000.
fn post_all(app: &TestApp, ticks: &[(NaiveDate, String, String, u64)]) {
    for chunk in ticks.chunks(1000) {
        let items: Vec<Value> = chunk
            .iter()
            .map(|(day, site, horror, qty)| {
                json!({
                    "horror": horror,
                    "site": site,
                    "qty": qty,
                    "occurred_at": format!("{day}T12:00:00Z"),
                })
            })
            .collect();
        let reply = app.post("/api/ticks/batch", &app.staff, &json!({ "ticks": items }));
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
}

/// Today in the simulations (the server's clock): noon on 2026-07-01.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
}

fn start_app(config: &str) -> TestApp {
    let app = TestApp::spawn_with(config);
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap());
    app
}

fn alerts(app: &TestApp, query: &str) -> Vec<Value> {
    let reply = app.get(&format!("/api/alerts?{query}"), &app.viewer);
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["alerts"].as_array().unwrap().clone()
}

const STABLE_HORRORS: [(&str, f64); 6] = [
    ("late", 3.0),
    ("lost", 0.5),
    ("damaged", 2.0),
    ("wrong", 1.0),
    ("billing", 1.5),
    ("rude", 0.3),
];

/// 20 sites × 6 horrors, 300 days of stable processes (Poisson with clumps at half the
/// sites, negative binomial k = 8 at the other half, both busier early in the week).
#[test]
fn stable_processes_raise_few_alerts_and_few_clear_changes() {
    let keys: Vec<&str> = STABLE_HORRORS.iter().map(|h| h.0).collect();
    let app = start_app(&config(20, &keys));
    let mut rng = Rng(20_261_205);
    let mut ticks = Vec::new();
    let first = today() - Duration::days(300);
    for s in 0..20 {
        let process = if s < 10 {
            Process::Clumped
        } else {
            Process::NegativeBinomial
        };
        let site_factor = 0.7 + 0.6 * (s as f64 / 19.0);
        for (key, rate) in STABLE_HORRORS {
            for d in 0..300 {
                let day = first + Duration::days(d);
                let weekday = WEEKDAY[day.weekday().num_days_from_monday() as usize];
                for qty in day_ticks(&mut rng, process, rate * site_factor * weekday) {
                    ticks.push((day, format!("s{s:02}"), key.to_string(), qty));
                }
            }
        }
    }
    post_all(&app, &ticks);

    // Alerts: a 180-day backtest of 126 series (the organization's 6 and 120 at sites).
    let from = today() - Duration::days(180);
    let to = today() - Duration::days(1);
    let episodes = alerts(&app, &format!("from={from}&to={to}&state=all"));
    let opened: Vec<&Value> = episodes
        .iter()
        .filter(|e| e["opened"].as_str().unwrap() >= from.to_string().as_str())
        .collect();
    let per_week = opened.len() as f64 / (180.0 / 7.0);
    let at_sites = opened.iter().filter(|e| !e["site"].is_null()).count();
    println!(
        "stable: {} episodes opened in 180 days ({per_week:.2} a week; {at_sites} at sites), {} tick rows",
        opened.len(),
        ticks.len()
    );
    assert!(
        per_week <= 4.0,
        "{per_week:.2} false episodes a week on stable processes (at most 4)"
    );

    // Rankings: 30-day screens every 14 days, the organization's and each site's.
    let mut screens = 0;
    let mut flagged = 0;
    let mut end = from + Duration::days(29);
    while end <= to {
        let start = end - Duration::days(29);
        for site in std::iter::once(None).chain((0..20).map(Some)) {
            let site_query = site.map_or(String::new(), |s| format!("&site=s{s:02}"));
            let ranking = app.ranking(&format!("from={start}&to={end}{site_query}"));
            let items = ranking["items"].as_array().unwrap();
            screens += 1;
            if items.iter().any(|i| i["change_significant"] == true) {
                flagged += 1;
            }
        }
        end += Duration::days(14);
    }
    let share = flagged as f64 / screens as f64;
    println!(
        "stable: {flagged} of {screens} ranking screens show a clear change ({:.1} %)",
        share * 100.0
    );
    assert!(
        share <= 0.075,
        "{flagged} of {screens} stable ranking screens show a clear change"
    );
}

/// 20 sites × 2 horrors (Poisson, 2 a day and 1 a day), stable for 244 days, then
/// doubled for the last 56: every series is a real shift to find.
#[test]
fn doublings_are_found_and_stay_flagged() {
    // Five horrors at least: three stay untouched.
    let app = start_app(&config(
        20,
        &["fast", "slow", "quiet-a", "quiet-b", "quiet-c"],
    ));
    let mut rng = Rng(19_850_105);
    let first = today() - Duration::days(300);
    let shift = today() - Duration::days(56);
    let mut ticks = Vec::new();
    for s in 0..20 {
        for (key, rate) in [("fast", 2.0), ("slow", 1.0)] {
            for d in 0..300 {
                let day = first + Duration::days(d);
                let factor = if day >= shift { 2.0 } else { 1.0 };
                for qty in day_ticks(&mut rng, Process::Poisson, rate * factor) {
                    ticks.push((day, format!("s{s:02}"), key.to_string(), qty));
                }
            }
        }
    }
    post_all(&app, &ticks);

    // How many sites' series have an episode (open, or any) as of a day that signalled
    // on or after the shift.
    let flagged = |day: NaiveDate, horror: &str, state: &str| -> usize {
        let list = alerts(&app, &format!("from={shift}&to={day}&state={state}"));
        list.iter()
            .filter(|e| {
                e["horror"] == horror
                    && !e["site"].is_null()
                    && e["last_signal"].as_str().unwrap() >= shift.to_string().as_str()
            })
            .map(|e| e["site"].as_str().unwrap().to_string())
            .collect::<std::collections::BTreeSet<String>>()
            .len()
    };
    let day = |n: i64| shift + Duration::days(n - 1);
    let fast = [
        flagged(day(14), "fast", "all"),
        flagged(day(21), "fast", "open"),
        flagged(day(56), "fast", "open"),
    ];
    let slow = [
        flagged(day(14), "slow", "all"),
        flagged(day(28), "slow", "all"),
    ];
    println!(
        "doubling at 2 a day: found within 14 days in {}/20, open on day 21 in {}/20 and on day 56 in {}/20",
        fast[0], fast[1], fast[2]
    );
    println!(
        "doubling at 1 a day: found within 14 days in {}/20, within 28 in {}/20",
        slow[0], slow[1]
    );
    assert!(
        fast[0] >= 18,
        "2 a day doubled: found within 14 days in {}/20",
        fast[0]
    );
    assert!(
        fast[1] >= 16 && fast[2] >= 16,
        "2 a day doubled: still open {fast:?}"
    );
    assert!(
        slow[0] > 10,
        "1 a day doubled: within 14 days {}/20",
        slow[0]
    );
    assert!(
        slow[1] >= 17,
        "1 a day doubled: within 28 days {}/20",
        slow[1]
    );
}
