//! SPEC §18 (revision 2) assembled independently of the service, for the ranking, group,
//! volume and cycle tests: the tested period (complete days only), the scope's first day,
//! each day's exposure, the daily counts and the dispersion φ are all written out here
//! from what a test posted. Only the special-function numerics (the scaled exact test's
//! incomplete beta, Benjamini–Hochberg's sort, the one-sided tail of `ahead_of_next`) are
//! called from `horrors::stats::rev2`: those are checked against scipy in its unit tests.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use horrors::stats::rev2;
use serde_json::{json, Value};

/// The last day that is over at every timezone in `zones`: the earliest local today, less
/// one day.
pub fn last_complete(now: DateTime<Utc>, zones: &[Tz]) -> NaiveDate {
    let today = zones
        .iter()
        .map(|tz| now.with_timezone(tz).date_naive())
        .min()
        .expect("at least one timezone");
    today - Duration::days(1)
}

/// The tested period of [from, to]: up to `last`; `None` when no day of it is over.
pub fn tested(from: NaiveDate, to: NaiveDate, last: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    (from <= last).then(|| (from, to.min(last)))
}

/// `{"from","to"}` of a tested period.
pub fn tested_json(t: Option<(NaiveDate, NaiveDate)>) -> Value {
    match t {
        Some((from, to)) => json!({"from": from.to_string(), "to": to.to_string()}),
        None => json!({"from": null, "to": null}),
    }
}

/// One scope's daily counts (by horror key), its first day, and — with volume exposure —
/// each covered day's units ÷ 1000.
#[derive(Clone, Debug, Default)]
pub struct Daily {
    pub counts: BTreeMap<(String, NaiveDate), u64>,
    /// The local day of the scope's earliest counted tick.
    pub first: Option<NaiveDate>,
    /// `None`: days exposure (1 a day); `Some`: volume exposure (0 where absent).
    pub volume: Option<BTreeMap<NaiveDate, f64>>,
}

impl Daily {
    /// From (key, local day, qty) of every counted (non-voided) tick of the scope.
    pub fn new<'a>(ticks: impl IntoIterator<Item = (&'a str, NaiveDate, u64)>) -> Daily {
        let mut daily = Daily::default();
        for (key, day, qty) in ticks {
            *daily.counts.entry((key.to_string(), day)).or_default() += qty;
            if qty > 0 {
                daily.first = Some(daily.first.map_or(day, |f: NaiveDate| f.min(day)));
            }
        }
        daily
    }

    /// e_d: 0 before the first day; else 1, or the day's units ÷ 1000.
    pub fn exposure(&self, day: NaiveDate) -> f64 {
        match self.first {
            Some(first) if day >= first => match &self.volume {
                None => 1.0,
                Some(units) => units.get(&day).copied().unwrap_or(0.0),
            },
            _ => 0.0,
        }
    }

    pub fn count(&self, key: &str, day: NaiveDate) -> u64 {
        self.counts
            .get(&(key.to_string(), day))
            .copied()
            .unwrap_or(0)
    }

    /// (c_d, e_d) of every day of [from, to].
    pub fn days(&self, key: &str, (from, to): (NaiveDate, NaiveDate)) -> Vec<(u64, f64)> {
        let mut out = Vec::new();
        let mut day = from;
        while day <= to {
            out.push((self.count(key, day), self.exposure(day)));
            day += Duration::days(1);
        }
        out
    }

    /// (Σc, Σe) over [from, to].
    pub fn sum(&self, key: &str, period: (NaiveDate, NaiveDate)) -> (u64, f64) {
        self.days(key, period)
            .iter()
            .fold((0, 0.0), |(c, e), d| (c + d.0, e + d.1))
    }

    /// φ of `key` over T and P (or T alone): the sample reaches back before the earlier
    /// of them (group X) until it holds 56 days with exposure or passes the first day.
    pub fn phi(
        &self,
        key: &str,
        t: (NaiveDate, NaiveDate),
        p: Option<(NaiveDate, NaiveDate)>,
    ) -> f64 {
        let tested = self.days(key, t);
        let previous = p.map(|p| self.days(key, p)).unwrap_or_default();
        let held = |days: &[(u64, f64)]| days.iter().filter(|d| d.1 > 0.0).count();
        let mut n = held(&tested) + held(&previous);
        let mut back = Vec::new();
        let mut day = p.map_or(t.0, |p| p.0.min(t.0)) - Duration::days(1);
        while n < 56 && self.first.is_some_and(|first| day >= first) {
            let e = self.exposure(day);
            if e > 0.0 {
                back.push((self.count(key, day), e));
                n += 1;
            }
            day -= Duration::days(1);
        }
        dispersion(&[&tested, &previous, &back])
    }

    /// What one ranking item's tests are computed from.
    pub fn evidence(
        &self,
        key: &str,
        t: Option<(NaiveDate, NaiveDate)>,
        p: (NaiveDate, NaiveDate),
    ) -> Evidence {
        let (b, eb) = self.sum(key, p);
        match t {
            None => Evidence {
                b,
                eb,
                ..Evidence::default()
            },
            Some(t) => {
                let (a, ea) = self.sum(key, t);
                Evidence {
                    a,
                    b,
                    ea,
                    eb,
                    phi: self.phi(key, t, Some(p)),
                    phi_tested: self.phi(key, t, None),
                }
            }
        }
    }
}

/// The quasi-Poisson dispersion of SPEC §18, written out: per group r_g = Σc/Σe, X² over
/// the days with r_g·e_d > 0, df = m − #(groups with r_g > 0); max(1, X²/df) when m ≥ 10.
pub fn dispersion(groups: &[&[(u64, f64)]]) -> f64 {
    let (mut x2, mut m, mut rated) = (0.0, 0_usize, 0_usize);
    for days in groups {
        let c: f64 = days.iter().map(|d| d.0 as f64).sum();
        let e: f64 = days.iter().map(|d| d.1).sum();
        if e <= 0.0 {
            continue;
        }
        let r = c / e;
        if r > 0.0 {
            rated += 1;
        }
        for &(c, e) in *days {
            let mu = r * e;
            if mu > 0.0 {
                x2 += (c as f64 - mu).powi(2) / mu;
                m += 1;
            }
        }
    }
    if m >= 10 && m > rated {
        (x2 / (m - rated) as f64).max(1.0)
    } else {
        1.0
    }
}

/// Counts and exposures of the tested period (a, Ea) and the previous window (b, Eb),
/// φ over both and φ over the tested period alone.
#[derive(Clone, Copy, Debug)]
pub struct Evidence {
    pub a: u64,
    pub b: u64,
    pub ea: f64,
    pub eb: f64,
    pub phi: f64,
    pub phi_tested: f64,
}

impl Default for Evidence {
    fn default() -> Self {
        Evidence {
            a: 0,
            b: 0,
            ea: 0.0,
            eb: 0.0,
            phi: 1.0,
            phi_tested: 1.0,
        }
    }
}

/// The revision 2 fields of one ranking item.
#[derive(Clone, Debug)]
pub struct Stats {
    pub p: Option<f64>,
    pub q: Option<f64>,
    pub rate_pct: Option<f64>,
    pub verdict: &'static str,
    pub phi: f64,
    pub ahead_p: Option<f64>,
    /// a/Ea against b/Eb: +1, −1 or 0.
    direction: i8,
}

/// The stats of items in response order; `w` = the ordering measure per occurrence over
/// the window (1 for count, pain, average cost, score ÷ count; 0 without occurrences).
/// The q-values are filled by [`judge`] over the whole response.
pub fn stats(evidence: &[Evidence], w: &[f64]) -> Vec<Stats> {
    evidence
        .iter()
        .enumerate()
        .map(|(i, ev)| {
            let p = if ev.a + ev.b == 0 || ev.ea <= 0.0 || ev.eb <= 0.0 {
                None
            } else {
                // Too few: min(n'π0, n'(1−π0)) < 5 (the library says None then too).
                let n1 = (ev.a + ev.b) as f64 / ev.phi;
                let pi0 = ev.ea / (ev.ea + ev.eb);
                if (n1 * pi0).min(n1 * (1.0 - pi0)) < 5.0 {
                    None
                } else {
                    Some(
                        rev2::scaled_test(ev.a, ev.b, ev.ea, ev.eb, ev.phi)
                            .expect("a p-value when not too few")
                            .p_value,
                    )
                }
            };
            let rate_pct = (ev.b > 0 && ev.ea > 0.0 && ev.eb > 0.0).then(|| {
                let ratio = (ev.a as f64 / ev.ea) / (ev.b as f64 / ev.eb);
                ((ratio - 1.0) * 1000.0).round() / 10.0
            });
            let ahead_p = evidence.get(i + 1).and_then(|next| {
                if ev.a == 0 || next.a == 0 || w[i] <= 0.0 || w[i + 1] <= 0.0 {
                    return None;
                }
                let phi = ev.phi_tested.max(next.phi_tested);
                let n1 = (ev.a + next.a) as f64 / phi;
                let pi0 = w[i + 1] / (w[i] + w[i + 1]);
                if (n1 * pi0).min(n1 * (1.0 - pi0)) < 5.0 {
                    return None;
                }
                Some(
                    rev2::ahead_of_next_p(ev.a, next.a, w[i], w[i + 1], phi)
                        .expect("a p-value when not too few"),
                )
            });
            let now = ev.a as f64 * ev.eb;
            let before = ev.b as f64 * ev.ea;
            Stats {
                p,
                q: None,
                rate_pct,
                verdict: "too_few",
                phi: ev.phi,
                ahead_p,
                direction: if now > before {
                    1
                } else if now < before {
                    -1
                } else {
                    0
                },
            }
        })
        .collect()
}

/// Benjamini–Hochberg over every item of one response (all groups together) and each
/// item's verdict.
pub fn judge(family: &mut [&mut Stats]) {
    let p: Vec<Option<f64>> = family.iter().map(|s| s.p).collect();
    let q = rev2::bh_q_values(&p);
    for (s, q) in family.iter_mut().zip(q) {
        s.q = q;
        s.verdict = match q {
            None => "too_few",
            Some(q) if q < 0.05 && s.direction > 0 => "up",
            Some(q) if q < 0.05 && s.direction < 0 => "down",
            Some(_) => "no_clear_change",
        };
    }
}

#[track_caller]
pub fn close_opt(got: &Value, want: Option<f64>, what: &str) {
    match want {
        None => assert_eq!(*got, Value::Null, "{what}"),
        Some(want) => {
            let got = got
                .as_f64()
                .unwrap_or_else(|| panic!("{what}: {got} is not a number"));
            assert!(
                (got - want).abs() <= 1e-9 * want.abs() || (got - want).abs() < 1e-12,
                "{what}: got {got}, expected {want}"
            );
        }
    }
}

/// Every revision 2 field of a ranking item.
#[track_caller]
pub fn check_item(item: &Value, s: &Stats, what: &str) {
    close_opt(
        &item["change_p_value"],
        s.p,
        &format!("{what} change_p_value"),
    );
    close_opt(
        &item["change_q_value"],
        s.q,
        &format!("{what} change_q_value"),
    );
    assert_eq!(
        item["change_significant"],
        s.q.is_some_and(|q| q < 0.05),
        "{what} change_significant"
    );
    assert_eq!(item["change_verdict"], s.verdict, "{what} change_verdict");
    close_opt(
        &item["change_rate_pct"],
        s.rate_pct,
        &format!("{what} change_rate_pct"),
    );
    close_opt(&item["phi"], Some(s.phi), &format!("{what} phi"));
    close_opt(
        &item["ahead_of_next_p_value"],
        s.ahead_p,
        &format!("{what} ahead_of_next_p_value"),
    );
    assert_eq!(
        item["ahead_of_next"],
        json!(s.ahead_p.map(|p| p < 0.05)),
        "{what} ahead_of_next"
    );
    assert!(
        item.get("distinct_from_next").is_none(),
        "{what}: distinct_from_next is gone"
    );
}

#[test]
fn the_dispersion_written_here_is_the_specs() {
    // Two groups of 6 days, rates 2 and 4: X² = (1+1+0+0+1+1)/2 + (4+4+0+0+0+0)/4 = 4,
    // m = 12, df = 12 − 2 = 10: φ = max(1, 0.4) = 1.
    let g1 = [(1, 1.0), (3, 1.0), (2, 1.0), (2, 1.0), (1, 1.0), (3, 1.0)];
    let g2 = [(2, 1.0), (6, 1.0), (4, 1.0), (4, 1.0), (4, 1.0), (4, 1.0)];
    assert!((dispersion(&[&g1, &g2]) - 1.0).abs() < 1e-12);
    // Alternating 0 and 10 for 12 days: every term 5, X² = 60, df = 11: φ = 60/11.
    let alt: Vec<(u64, f64)> = (0..12).map(|i| (10 * (i % 2), 1.0)).collect();
    assert!((dispersion(&[&alt]) - 60.0 / 11.0).abs() < 1e-12);
    // Fewer than 10 terms: 1.
    assert_eq!(dispersion(&[&alt[..9]]), 1.0);
}
