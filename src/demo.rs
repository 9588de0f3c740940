//! Demo data: about 120 days of realistic ticks for an empty database, so every page and
//! chart has something to show. Deterministic (seeded), so screenshots are stable.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::keys::SiteKey;
use crate::store::Snapshot;
use crate::ticks::{NewTick, Source};
use crate::volume::NewVolume;

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

/// Share of the work and base daily units of the demo's sites, in configured order
/// (sites past the third repeat the pattern at a smaller size).
const SITE_SIZES: [(f64, i64); 3] = [(0.5, 4200), (0.3, 2500), (0.2, 1400)];

fn site_size(index: usize) -> (f64, i64) {
    let (share, units) = SITE_SIZES[index % SITE_SIZES.len()];
    let shrink = 1.0 / (1 + index / SITE_SIZES.len()) as f64;
    (share * shrink, (units as f64 * shrink) as i64)
}

/// Ticks for the `DEMO_DAYS` local days ending today, none after `now`.
///
/// Each horror gets a base daily rate (the first listed happen most), weekends are
/// busier, the top horror improves over the last month (as if a cycle had focused on it)
/// and about one tick in five comes from a complaint. With sites, the work is split
/// between them by size, and one real shift happens at one site: the third horror rises
/// at the second site over the last 40 days (without sites, it rises everywhere).
pub fn ticks(snapshot: &Snapshot, now: DateTime<Utc>) -> Vec<NewTick> {
    let departments = &snapshot.settings.departments;
    let mut rng = Rng(0x005E_ED0F_4011_0125);
    let mut out = Vec::new();
    let active: Vec<_> = snapshot.active().collect();
    let sites: Vec<(Option<SiteKey>, Tz, f64)> = if snapshot.settings.sites.is_empty() {
        vec![(None, snapshot.settings.tz(), 1.0)]
    } else {
        snapshot
            .settings
            .active_sites()
            .enumerate()
            .map(|(i, site)| (Some(site.key.clone()), site.tz(), site_size(i).0))
            .collect()
    };
    for (site_index, (site, tz, share)) in sites.iter().enumerate() {
        let today = now.with_timezone(tz).date_naive();
        for offset in (0..DEMO_DAYS).rev() {
            let day: NaiveDate = today - Duration::days(offset);
            let weekend = matches!(day.format("%u").to_string().as_str(), "6" | "7");
            for (i, horror) in active.iter().enumerate() {
                let mut rate = [6.0, 4.5, 3.2, 2.4, 1.6, 1.1, 0.7, 0.4][i.min(7)] * share;
                if weekend {
                    rate *= 1.3;
                }
                if i == 0 && offset < 30 {
                    rate *= 0.55; // the focus of the last cycle is getting better
                }
                let shifted = site.is_none() || site_index == 1;
                if i == 2 && shifted && offset < 40 {
                    rate *= if site.is_none() { 1.4 } else { 2.6 }; // a real shift
                }
                for _ in 0..rng.poisson(rate) {
                    let minute = 7 * 60 + rng.below(13 * 60) as i64;
                    let local = day.and_hms_opt(0, 0, 0).expect("midnight exists")
                        + Duration::minutes(minute);
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
                        horror: horror.key.to_string(),
                        qty,
                        occurred_at: at,
                        source: if rng.below(5) == 0 {
                            Source::Complaint
                        } else {
                            Source::Internal
                        },
                        department: (!departments.is_empty()).then(|| {
                            departments[rng.below(departments.len() as u64) as usize].clone()
                        }),
                        note: None,
                        cost_minor: None,
                        idempotency: None,
                        site: site.clone(),
                    });
                }
            }
        }
    }
    out.sort_by_key(|t| t.occurred_at);
    out
}

/// Units handled per site and day for the demo's days up to yesterday (a day's volume is
/// known once it is over): each site's base size, busier at weekends, ±10 % noise.
pub fn volume(snapshot: &Snapshot, now: DateTime<Utc>) -> Vec<NewVolume> {
    let mut rng = Rng(0x0000_0B0C_0DE5_1735);
    let mut out = Vec::new();
    let sites: Vec<(String, Tz, i64)> = if snapshot.settings.sites.is_empty() {
        vec![(String::new(), snapshot.settings.tz(), 8000)]
    } else {
        snapshot
            .settings
            .active_sites()
            .enumerate()
            .map(|(i, site)| (site.key.to_string(), site.tz(), site_size(i).1))
            .collect()
    };
    for (key, tz, base) in sites {
        let today = now.with_timezone(&tz).date_naive();
        for offset in 1..=DEMO_DAYS {
            let day = today - Duration::days(offset);
            let weekend = matches!(day.format("%u").to_string().as_str(), "6" | "7");
            let size = base as f64 * if weekend { 1.3 } else { 1.0 };
            let units = (size * (0.9 + 0.2 * rng.unit())).round() as i64;
            out.push(NewVolume {
                day,
                site: key.clone(),
                units,
            });
        }
    }
    out
}

/// The method's own history for the demo: the list workshop's nominations (one adopted as
/// an existing horror, one declined, two open with support) and one paper check sheet
/// entered for the last three days. The people are tokens whose secrets are dropped at
/// once (never shown, so never usable); they appear under Tokens, named "(demo)".
/// Returns a line saying what was added.
// Over 80 lines: the demo's story of the method told in order: nominations, support, adoption, sheets.
pub fn method(store: &crate::store::Store) -> crate::error::Result<String> {
    use crate::auth::Role;
    use crate::nominations::NewNomination;

    let person = |name: &str, role: Role| -> crate::error::Result<crate::auth::Identity> {
        let (_, secret) = store.create_token(name, role)?;
        store
            .authenticate(&secret)?
            .map(std::sync::Arc::unwrap_or_clone)
            .ok_or_else(|| crate::error::Error::internal("a demo token did not authenticate"))
    };
    let desk = person("Call centre (demo)", Role::Staff)?;
    let dock = person("Warehouse lead (demo)", Role::Staff)?;
    let lead = person("Quality lead (demo)", Role::Viewer)?;
    let propose = |who: &crate::auth::Identity, title: &str, description: &str, example: &str| {
        store.create_nomination(
            who.clone(),
            NewNomination {
                title: title.into(),
                description: Some(description.into()),
                example: Some(example.into()),
            },
        )
    };
    let callback = propose(
        &desk,
        "Promised call-back never made",
        "Customers are told someone will call them back about a problem, and nobody does.",
        "\"This is the third time I call; you said you would call me yesterday.\"",
    )?;
    let invoice = propose(
        &dock,
        "Invoice does not match the quote",
        "The amount billed differs from the quote the customer accepted.",
        "A customer disputed a fuel surcharge nobody had mentioned.",
    )?;
    let rain = propose(
        &dock,
        "Parcel left out in the rain",
        "Drivers leave parcels outside the door in bad weather.",
        "A box of books delivered soaked.",
    )?;
    for who in [&dock, &lead] {
        store.support_nomination(callback.id, who.clone())?;
    }
    store.support_nomination(invoice.id, lead.clone())?;
    store.decline_nomination(
        rain.id,
        lead.clone(),
        "Counted as a damaged package already".into(),
    )?;
    let snapshot = store.snapshot()?;
    let keys: Vec<String> = snapshot.active().map(|h| h.key.to_string()).collect();
    // The last horror of the list came from the workshop.
    if let Some(key) = keys.last() {
        let name = snapshot
            .horror(key)
            .map_or(key.as_str(), |h| h.name.as_str());
        let adopted = propose(
            &desk,
            name,
            "What customers ask the call centre about most.",
            "\"Where is my parcel? The page says nothing since Monday.\"",
        )?;
        store.support_nomination(adopted.id, dock.clone())?;
        store.support_nomination(adopted.id, lead.clone())?;
        store.link_adopted(adopted.id, lead.clone(), key.clone())?;
    }
    // One paper sheet from the warehouse: the last three whole days at the first site.
    let settings = &snapshot.settings;
    let site = settings.active_sites().next().map(|s| s.key.to_string());
    let today = crate::calendar::local_day(store.now(), settings.site_tz(site.as_deref()));
    let days = (1..=3u64)
        .rev()
        .map(|back| {
            let day = today - chrono::Days::new(back);
            let counts = keys
                .iter()
                .take(3)
                .enumerate()
                .map(|(i, key)| (key.clone(), ((back as i64 + i as i64) % 3)))
                .collect();
            crate::sheets::SheetDay {
                day: day.to_string(),
                counts,
            }
        })
        .collect();
    let input = crate::sheets::SheetInput {
        site,
        department: settings.departments.first().cloned(),
        days,
    };
    let sheet = crate::sheets::validate(&input, settings, &*snapshot, None, store.now())?;
    let (sheet, _) = store.record_sheet(dock, sheet, None, input.fingerprint())?;
    Ok(format!(
        "demo: 4 nominations (1 adopted, 1 declined, 2 open) and a paper sheet of {} occurrences",
        sheet.ticks.iter().map(|t| t.qty).sum::<i64>()
    ))
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
