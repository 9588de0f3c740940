//! Fills a database with N synthetic ticks spread over the last 400 days, through the
//! same store code the server uses (so the daily rollup is maintained as in production).
//! Usage: `fill CONFIG DB N [YEAR]`; with YEAR, the ticks are spread over that calendar
//! year instead (2 January to 30 December UTC, so that every one falls in YEAR in any
//! time zone), for the annual export benchmark. With `[[sites]]` in CONFIG, ticks are spread
//! evenly over the sites.

use chrono::{Duration, TimeZone, Utc};
use horrors::store::Store;
use horrors::ticks::{NewTick, Source};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (config, db, n, year) = match args.as_slice() {
        [_, config, db, n] => (config, db, n, None),
        [_, config, db, n, year] => (config, db, n, Some(year.parse::<i32>()?)),
        _ => return Err("usage: fill CONFIG DB N [YEAR]".into()),
    };
    let n: u64 = n.parse()?;
    let config = horrors::config::load(std::path::Path::new(config))?;
    let store = Store::open(std::path::Path::new(db))?;
    store.apply_config(&config)?;
    let keys: Vec<String> = config.horrors.iter().map(|h| h.key.to_string()).collect();
    // With sites configured, ticks are spread evenly over them.
    let sites: Vec<horrors::keys::SiteKey> = config
        .settings
        .sites
        .iter()
        .map(|s| s.key.clone())
        .collect();
    // Ticks fall in (end - span, end].
    let (now, span_ms) = match year {
        None => (Utc::now(), Duration::days(400).num_milliseconds() as u64),
        Some(year) => {
            let end = Utc
                .with_ymd_and_hms(year, 12, 30, 0, 0, 0)
                .single()
                .ok_or("YEAR is out of range")?;
            let start = Utc.with_ymd_and_hms(year, 1, 2, 0, 0, 0).unwrap();
            (end, (end - start).num_milliseconds() as u64)
        }
    };
    let mut state = 0x1234_5678_9abc_def0_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let started = std::time::Instant::now();
    let chunk = 50_000;
    let mut done = 0;
    while done < n {
        let size = chunk.min(n - done);
        let ticks: Vec<NewTick> = (0..size)
            .map(|_| {
                let r = next();
                NewTick {
                    horror: keys[(r % keys.len() as u64) as usize].clone(),
                    qty: 1 + (r >> 20) as i64 % 2,
                    occurred_at: now - Duration::milliseconds(((r >> 8) % span_ms) as i64),
                    source: if (r >> 40) % 5 == 0 {
                        Source::Complaint
                    } else {
                        Source::Internal
                    },
                    department: None,
                    note: None,
                    cost_minor: None,
                    idempotency: None,
                    site: (!sites.is_empty())
                        .then(|| sites[((r >> 44) % sites.len() as u64) as usize].clone()),
                }
            })
            .collect();
        store.record_ticks(None, "fill", ticks)?;
        done += size;
    }
    eprintln!(
        "filled {done} ticks in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
