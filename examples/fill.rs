//! Fills a database with N synthetic ticks spread over the last 400 days, through the
//! same store code the server uses (so the daily rollup is maintained as in production).
//! Usage: `fill CONFIG DB N`.

use chrono::{Duration, Utc};
use horrors::store::Store;
use horrors::ticks::{NewTick, Source};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, config, db, n] = args.as_slice() else {
        return Err("usage: fill CONFIG DB N".into());
    };
    let n: u64 = n.parse()?;
    let config = horrors::config::load(std::path::Path::new(config))?;
    let store = Store::open(std::path::Path::new(db))?;
    store.apply_config(&config)?;
    let keys: Vec<String> = config.horrors.iter().map(|h| h.key.clone()).collect();
    let now = Utc::now();
    let span_ms = Duration::days(400).num_milliseconds() as u64;
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
