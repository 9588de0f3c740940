//! Demo data: about 120 days of realistic ticks for an empty database, so every page and
//! chart has something to show. Deterministic (seeded), so screenshots are stable.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::store::Snapshot;
use crate::ticks::{NewTick, Source};

/// Days of history the demo fills.
pub const DEMO_DAYS: i64 = 120;

/// A small, seeded generator (SplitMix64); no need for a crate to make demo data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Poisson-distributed count with mean `lambda` (Knuth; lambda is small here).
    fn poisson(&mut self, lambda: f64) -> u64 {
        let limit = (-lambda).exp();
        let mut k = 0;
        let mut p = 1.0;
        loop {
            p *= self.unit();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }
}

/// Ticks for the `DEMO_DAYS` local days ending today, none after `now`.
///
/// Each horror gets a base daily rate (the first listed happen most), weekends are
/// busier, the top horror improves over the last month (as if a cycle had focused on it)
/// and about one tick in five comes from a complaint.
pub fn ticks(snapshot: &Snapshot, now: DateTime<Utc>) -> Vec<NewTick> {
    let tz: Tz = snapshot.settings.tz();
    let today = now.with_timezone(&tz).date_naive();
    let departments = &snapshot.settings.departments;
    let mut rng = Rng(0x005E_ED0F_4011_0125);
    let mut out = Vec::new();
    let active: Vec<_> = snapshot.active().collect();
    for offset in (0..DEMO_DAYS).rev() {
        let day: NaiveDate = today - Duration::days(offset);
        let weekend = matches!(day.format("%u").to_string().as_str(), "6" | "7");
        for (i, horror) in active.iter().enumerate() {
            let mut rate = [6.0, 4.5, 3.2, 2.4, 1.6, 1.1, 0.7, 0.4][i.min(7)];
            if weekend {
                rate *= 1.3;
            }
            if i == 0 && offset < 30 {
                rate *= 0.55; // the focus of the last cycle is getting better
            }
            if i == 2 && offset < 45 {
                rate *= 1.4; // and one horror is getting worse
            }
            for _ in 0..rng.poisson(rate) {
                let minute = 7 * 60 + rng.below(13 * 60) as i64;
                let local =
                    day.and_hms_opt(0, 0, 0).expect("midnight exists") + Duration::minutes(minute);
                let Some(at) = tz.from_local_datetime(&local).earliest() else {
                    continue;
                };
                let at = at.with_timezone(&Utc);
                if at > now {
                    continue;
                }
                let qty = if rng.below(10) == 0 {
                    2 + rng.below(3) as i64
                } else {
                    1
                };
                out.push(NewTick {
                    horror: horror.key.clone(),
                    qty,
                    occurred_at: at,
                    source: if rng.below(5) == 0 {
                        Source::Complaint
                    } else {
                        Source::Internal
                    },
                    department: (!departments.is_empty())
                        .then(|| departments[rng.below(departments.len() as u64) as usize].clone()),
                    note: None,
                    cost_minor: None,
                    idempotency: None,
                    site: None,
                });
            }
        }
    }
    out.sort_by_key(|t| t.occurred_at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    #[test]
    fn demo_is_realistic_and_never_in_the_future() {
        let config = config::parse(include_str!("../data/horrors.toml")).unwrap();
        let snapshot = Snapshot {
            settings: config.settings,
            horrors: config.horrors,
        };
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 15, 0, 0).unwrap();
        let ticks = ticks(&snapshot, now);
        assert!(
            ticks.len() > 1500 && ticks.len() < 4000,
            "{} ticks",
            ticks.len()
        );
        assert!(ticks.iter().all(|t| t.occurred_at <= now));
        assert!(ticks.first().unwrap().occurred_at >= now - Duration::days(DEMO_DAYS + 1));
        let complaints = ticks
            .iter()
            .filter(|t| t.source == Source::Complaint)
            .count();
        assert!(complaints * 10 > ticks.len() && complaints * 3 < ticks.len());
        // Same seed, same data.
        assert_eq!(ticks, super::ticks(&snapshot, now));
    }
}
