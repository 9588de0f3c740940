//! What a statistical reading is computed from (the "Exposure", "Complete days" and
//! "Dispersion" rules of docs/statistics.md): the days that are over, each scope's first
//! day, and per-day counts with their exposure. Pure functions over what the store read.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::calendar::{local_day, Window};
use crate::config::Settings;
use crate::sites::Scope;
use crate::stats::rev2;
use crate::stats::Exposure;
use crate::trend::DayTally;
use crate::volume::Coverage;

/// The last day that is over at every site a reading counts: yesterday in the timezone
/// of the site (or, for every site, of each active site and the organization).
pub fn last_complete_day(settings: &Settings, scope: &Scope, now: DateTime<Utc>) -> NaiveDate {
    match &scope.site {
        Some(site) => last_complete_day_in(settings.site_tz(Some(site)), now),
        None => settings
            .active_sites()
            .map(|site| last_complete_day_in(site.tz(), now))
            .fold(last_complete_day_in(settings.tz(), now), NaiveDate::min),
    }
}

/// Yesterday in `tz`: the last day that is over there.
pub fn last_complete_day_in(tz: chrono_tz::Tz, now: DateTime<Utc>) -> NaiveDate {
    let today = local_day(now, tz);
    today.pred_opt().unwrap_or(today)
}

/// The tested period of `window`: up to its last complete day; `None` when none of its
/// days is over.
pub fn tested(window: &Window, last_complete: NaiveDate) -> Option<Window> {
    Window::spanning(window.from(), window.to().min(last_complete))
}

/// `{"from","to"}` of a tested period (both null when no day is over).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Tested {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Tested {
    pub fn of(period: Option<&Window>) -> Tested {
        Tested {
            from: period.map(|w| w.from().to_string()),
            to: period.map(|w| w.to().to_string()),
        }
    }
}

/// The first day of a scope: of the whole organization (its earliest tick anywhere), or
/// of one site (`""`: ticks without a site).
pub fn first_day(
    first_days: &BTreeMap<String, NaiveDate>,
    site: Option<&str>,
) -> Option<NaiveDate> {
    match site {
        Some(site) => first_days.get(site).copied(),
        None => first_days.values().min().copied(),
    }
}

/// How far the dispersion sample and the control baseline may reach back.
pub const MAX_REACH_BACK_DAYS: i64 = 364;

/// Per-day counts of each horror within one scope over a span of days, and each day's
/// exposure: 0 before the scope's first day; else 1 (days) or the day's units ÷ 1000
/// (volume; 0 on a day not covered for every counted site).
#[derive(Clone, Debug)]
pub struct Series {
    span: Window,
    kind: Exposure,
    exposure: Vec<f64>,
    /// Running sums (n + 1 entries) of each day's exposure in whole units (days, or units
    /// of volume: exposure × `scale`) and of each key's and all counts, so that any
    /// period's sum is two lookups and exact.
    cum_weight: Vec<i64>,
    scale: f64,
    cum_counts: HashMap<String, Vec<u64>>,
    cum_all: Vec<u64>,
    /// The scope's first day (`None`: no tick yet).
    first_day: Option<NaiveDate>,
}

/// The day of `span` at `day`'s place (`None` outside it).
fn index_in(span: Window, n: usize, day: NaiveDate) -> Option<usize> {
    use chrono::Datelike;
    let i = i64::from(day.num_days_from_ce()) - i64::from(span.from().num_days_from_ce());
    (0..n as i64).contains(&i).then_some(i as usize)
}

/// The kind of exposure of a series over `span`, and each day's weight: volume only when
/// every counted day of the `compared` periods is covered for every required site.
fn exposure_weights(
    span: Window,
    rule: &ExposureRule<'_>,
    compared: &[Window],
) -> (Exposure, Vec<i64>) {
    let n = span.days().max(0) as usize;
    let index = |day: NaiveDate| index_in(span, n, day);
    // Units per day of the site(s) counted, and how many required sites are covered.
    let mut units = vec![0_i64; n];
    let mut covered = vec![0_usize; n];
    let required: std::collections::HashSet<&str> =
        rule.required.iter().map(String::as_str).collect();
    for (day, site, u) in rule.coverage.iter() {
        let Some(i) = index(day) else { continue };
        if rule.site.is_none_or(|s| s == site) {
            units[i] += u;
        }
        if required.contains(site) {
            covered[i] += 1;
        }
    }
    let counted = |i: usize| {
        rule.first_day
            .is_some_and(|first| span.from() + Duration::days(i as i64) >= first)
    };
    let full = |i: usize| !required.is_empty() && covered[i] == required.len();
    let mut any = false;
    let mut all = true;
    for period in compared {
        let mut day = period.from().max(span.from());
        while day <= period.to().min(span.to()) {
            if let Some(i) = index(day) {
                if counted(i) {
                    any = true;
                    all &= full(i);
                }
            }
            day += Duration::days(1);
        }
    }
    let kind = if any && all {
        Exposure::Volume
    } else {
        Exposure::Days
    };
    let weight = (0..n)
        .map(|i| match (counted(i), kind) {
            (false, _) => 0,
            (true, Exposure::Days) => 1,
            (true, Exposure::Volume) if full(i) => units[i],
            (true, Exposure::Volume) => 0,
        })
        .collect();
    (kind, weight)
}

/// Each horror's count on each day of a span, from its first day on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DayCounts {
    /// The span's first day: every key's counts start on it.
    pub from: NaiveDate,
    /// The horrors with ticks, each with a count per day.
    pub by_key: Vec<(std::sync::Arc<str>, Vec<u64>)>,
}

impl DayCounts {
    /// The tallies of `days` inside `span` (days outside it ignored).
    pub fn of(span: Window, days: &[DayTally]) -> DayCounts {
        let n = span.days().max(0) as usize;
        // A reading names a few horrors in thousands of tallies: a short list searched
        // by the shared key's address first costs less than hashing every key.
        let mut by_key: Vec<(std::sync::Arc<str>, Vec<u64>)> = Vec::new();
        for tally in days {
            if let Some(i) = index_in(span, n, tally.day) {
                let found = by_key
                    .iter()
                    .position(|(k, _)| std::sync::Arc::ptr_eq(k, &tally.key))
                    .or_else(|| by_key.iter().position(|(k, _)| *k == tally.key));
                match found {
                    Some(at) => by_key[at].1[i] += tally.count,
                    None => {
                        let mut c = vec![0; n];
                        c[i] = tally.count;
                        by_key.push((tally.key.clone(), c));
                    }
                }
            }
        }
        DayCounts {
            from: span.from(),
            by_key,
        }
    }

    /// One key's counts on the `n` days of a span from `from` (0 where none is known).
    fn over(&self, counts: &[u64], from: NaiveDate, n: usize) -> Vec<u64> {
        if self.from == from && counts.len() == n {
            return counts.to_vec();
        }
        let mut out = vec![0; n];
        let shift = (self.from - from).num_days();
        for (i, &c) in counts.iter().enumerate() {
            let at = i as i64 + shift;
            if (0..n as i64).contains(&at) {
                out[at as usize] = c;
            }
        }
        out
    }
}

fn running<T: Copy + std::ops::Add<Output = T> + Default>(values: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(values.len() + 1);
    let mut total = T::default();
    out.push(total);
    for &v in values {
        total = total + v;
        out.push(total);
    }
    out
}

/// What decides a series' exposure.
pub struct ExposureRule<'a> {
    pub coverage: &'a Coverage,
    /// The sites whose every day must be covered (the counted ones).
    pub required: &'a [String],
    /// Units of this site only (`None`: of every entry in the coverage).
    pub site: Option<&'a str>,
    pub first_day: Option<NaiveDate>,
}

impl Series {
    /// `days` may hold days outside `span` (ignored). `compared` are the periods the
    /// reading compares: volume exposure only when every one of their days from the first
    /// day on is covered for every required site.
    pub fn new(
        span: Window,
        days: &[DayTally],
        rule: &ExposureRule<'_>,
        compared: &[Window],
    ) -> Series {
        Series::of_counts(span, &DayCounts::of(span, days), rule, compared)
    }

    /// [`Series::new`] of counts already by day (of any span: days outside `span` are
    /// ignored, days it lacks are 0).
    pub fn of_counts(
        span: Window,
        days: &DayCounts,
        rule: &ExposureRule<'_>,
        compared: &[Window],
    ) -> Series {
        let (kind, weight) = exposure_weights(span, rule, compared);
        let scale = match kind {
            Exposure::Days => 1.0,
            Exposure::Volume => 1000.0,
        };
        let exposure = weight.iter().map(|&w| w as f64 / scale).collect();
        let n = weight.len();
        let counts: Vec<(&str, Vec<u64>)> = days
            .by_key
            .iter()
            .map(|(k, c)| (&**k, days.over(c, span.from(), n)))
            .collect();
        let cum_counts = counts
            .iter()
            .map(|(k, c)| (k.to_string(), running(c)))
            .collect();
        let mut all = vec![0_u64; weight.len()];
        for (_, c) in &counts {
            for (a, v) in all.iter_mut().zip(c) {
                *a += v;
            }
        }
        Series {
            span,
            kind,
            cum_weight: running(&weight),
            scale,
            exposure,
            cum_counts,
            cum_all: running(&all),
            first_day: rule.first_day,
        }
    }

    /// Whether this series reads as one reaching back to `day` would: `day` is inside its
    /// span, or nothing was ticked before the span (no counts, no exposure).
    pub fn covers_from(&self, day: NaiveDate) -> bool {
        day >= self.span.from() || self.first_day.is_none_or(|first| first >= self.span.from())
    }

    pub fn kind(&self) -> Exposure {
        self.kind
    }

    fn range(&self, window: &Window) -> std::ops::Range<usize> {
        use chrono::Datelike;
        let n = self.exposure.len() as i64;
        let first = i64::from(self.span.from().num_days_from_ce());
        let start = (i64::from(window.from().num_days_from_ce()) - first).clamp(0, n);
        let end = (i64::from(window.to().num_days_from_ce()) - first + 1).clamp(start, n);
        start as usize..end as usize
    }

    /// (count, exposure) of each day of `window` for `key` (`None`: every horror).
    pub fn days(&self, key: Option<&str>, window: &Window) -> Vec<(u64, f64)> {
        self.of(key).days(window)
    }

    /// Σ count and Σ exposure over `window` (the part of it inside the span).
    pub fn sum(&self, key: Option<&str>, window: &Window) -> (u64, f64) {
        self.of(key).sum(window)
    }

    /// The series of `key` (`None`: every horror), looked up once for many sums.
    pub fn of(&self, key: Option<&str>) -> KeySeries<'_> {
        const NONE: &[u64] = &[];
        KeySeries {
            series: self,
            cum: match key {
                Some(key) => self.cum_counts.get(key).map_or(NONE, Vec::as_slice),
                None => &self.cum_all,
            },
        }
    }
}

/// One key's running sums within a [`Series`].
#[derive(Clone, Copy)]
pub struct KeySeries<'a> {
    series: &'a Series,
    /// Empty when the key has no ticks in the span.
    cum: &'a [u64],
}

impl KeySeries<'_> {
    /// Σ count and Σ exposure over `window` (the part of it inside the span).
    pub fn sum(&self, window: &Window) -> (u64, f64) {
        let s = self.series;
        let r = s.range(window);
        let count = match self.cum {
            [] => 0,
            cum => cum[r.end] - cum[r.start],
        };
        let weight = s.cum_weight[r.end] - s.cum_weight[r.start];
        (count, weight as f64 / s.scale)
    }

    /// (count, exposure) of each day of `window` inside the span.
    pub fn days(&self, window: &Window) -> Vec<(u64, f64)> {
        let s = self.series;
        self.series
            .range(window)
            .map(|i| (self.count_at(i), s.exposure[i]))
            .collect()
    }

    /// The count on the span's day `i`.
    fn count_at(&self, i: usize) -> u64 {
        match self.cum {
            [] => 0,
            cum => cum[i + 1] - cum[i],
        }
    }

    /// Each day of `window` inside the span, with its (count, exposure): the same values
    /// as [`KeySeries::sum`] of that one day.
    pub fn each_day(&self, window: &Window, mut f: impl FnMut(NaiveDate, (u64, f64))) {
        let s = self.series;
        let r = s.range(window);
        let mut day = s.span.from() + Duration::days(r.start as i64);
        for i in r {
            let count = match self.cum {
                [] => 0,
                cum => cum[i + 1] - cum[i],
            };
            let weight = s.cum_weight[i + 1] - s.cum_weight[i];
            f(day, (count, weight as f64 / s.scale));
            day = day.succ_opt().unwrap_or(day);
        }
    }
}

impl Series {
    /// φ of `key` over the tested period `t` and the earlier `p`, reaching back before
    /// the earlier of the two until the sample holds 56 days with exposure (or the
    /// series' start, which callers put at the scope's first day or 364 days back).
    pub fn dispersion(&self, key: Option<&str>, t: &Window, p: Option<&Window>) -> f64 {
        let of = self.of(key);
        let tested = of.days(t);
        let previous = p.map(|p| of.days(p)).unwrap_or_default();
        let with_exposure = |days: &[(u64, f64)]| days.iter().filter(|d| d.1 > 0.0).count();
        let mut held = with_exposure(&tested) + with_exposure(&previous);
        let earliest = p.map_or(t.from(), |p| p.from().min(t.from()));
        let mut back = Vec::new();
        let mut day = earliest - Duration::days(1);
        while held < rev2::DISPERSION_SAMPLE_DAYS && day >= self.span.from() {
            let i = (day - self.span.from()).num_days() as usize;
            let e = self.exposure[i];
            if e > 0.0 {
                back.push((of.count_at(i), e));
                held += 1;
            }
            day -= Duration::days(1);
        }
        rev2::dispersion(&[&tested, &previous, &back])
    }
}

/// The span a reading of `periods` loads: from 56 days (the dispersion sample's reach)
/// before the earliest to the latest.
pub fn span_with_sample(periods: &[Window]) -> Window {
    let all = periods
        .iter()
        .copied()
        .reduce(|a, b| a.through(&b))
        .unwrap_or(Window::day(NaiveDate::default()));
    Window::days_ending(all.to(), all.days() + rev2::DISPERSION_SAMPLE_DAYS as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn window(from: &str, to: &str) -> Window {
        Window::new(day(from), day(to)).unwrap()
    }

    #[test]
    fn day_counts_of_another_span_are_placed_by_their_days() {
        let span = window("2026-03-01", "2026-03-05");
        let counts = DayCounts::of(
            span,
            &[tally("2026-03-02", "a", 2), tally("2026-03-05", "a", 7)],
        );
        // A later span: the first day falls out, the last one moves, the new days are 0.
        let later = window("2026-03-03", "2026-03-08");
        let rule = ExposureRule {
            coverage: &Coverage::default(),
            required: &[],
            site: None,
            first_day: Some(day("2026-03-01")),
        };
        let series = Series::of_counts(later, &counts, &rule, &[later]);
        let got: Vec<u64> = series.days(Some("a"), &later).iter().map(|d| d.0).collect();
        assert_eq!(got, [0, 0, 7, 0, 0, 0]);
        assert_eq!(series.sum(None, &later).0, 7);
    }

    fn tally(d: &str, key: &str, count: u64) -> DayTally {
        DayTally {
            day: day(d),
            key: key.into(),
            count,
            cost_minor: crate::money::Minor::new(0),
        }
    }

    #[test]
    fn days_before_the_first_day_have_no_exposure() {
        let coverage = Coverage::default();
        let rule = ExposureRule {
            coverage: &coverage,
            required: &[String::new()],
            site: None,
            first_day: Some(day("2026-03-05")),
        };
        let span = window("2026-03-01", "2026-03-10");
        let series = Series::new(span, &[tally("2026-03-05", "a", 3)], &rule, &[span]);
        assert_eq!(series.kind(), Exposure::Days);
        assert_eq!(series.sum(Some("a"), &span), (3, 6.0));
        assert_eq!(
            series.sum(None, &window("2026-03-01", "2026-03-04")),
            (0, 0.0)
        );
    }

    #[test]
    fn volume_needs_every_counted_day_covered() {
        let entries = (1..=10).map(|d| (day(&format!("2026-03-{d:02}")), "x".to_string(), 2000));
        let coverage = Coverage::new(entries);
        let required = ["x".to_string()];
        let rule = ExposureRule {
            coverage: &coverage,
            required: &required,
            site: Some("x"),
            first_day: Some(day("2026-03-01")),
        };
        let span = window("2026-02-20", "2026-03-10");
        let covered = Series::new(span, &[], &rule, &[window("2026-03-01", "2026-03-10")]);
        assert_eq!(covered.kind(), Exposure::Volume);
        assert_eq!(covered.sum(None, &span).1, 20.0);
        // A compared day before the first day needs no volume …
        let before = Series::new(span, &[], &rule, &[window("2026-02-28", "2026-03-10")]);
        assert_eq!(before.kind(), Exposure::Volume);
        // … but one after it does: days.
        let rule = ExposureRule {
            first_day: Some(day("2026-02-25")),
            ..rule
        };
        let short = Series::new(span, &[], &rule, &[window("2026-02-28", "2026-03-10")]);
        assert_eq!(short.kind(), Exposure::Days);
    }

    #[test]
    fn the_dispersion_sample_reaches_back_to_56_days() {
        let coverage = Coverage::default();
        let rule = ExposureRule {
            coverage: &coverage,
            required: &[String::new()],
            site: None,
            first_day: Some(day("2026-01-01")),
        };
        // Alternating 0 and 10: strongly over-dispersed, visible only with the sample.
        let days: Vec<DayTally> = (0..90)
            .map(|i| {
                let d = day("2026-01-01") + Duration::days(i);
                DayTally {
                    day: d,
                    key: "a".into(),
                    count: if i % 2 == 0 { 0 } else { 10 },
                    cost_minor: crate::money::Minor::new(0),
                }
            })
            .collect();
        let span = window("2026-01-01", "2026-03-31");
        let series = Series::new(span, &days, &rule, &[span]);
        // Groups of even length, so that every group's rate is 5.
        let t = window("2026-03-24", "2026-03-31");
        let p = window("2026-03-16", "2026-03-23");
        let phi = series.dispersion(Some("a"), &t, Some(&p));
        // Every term: (0 − 5)²/5 or (10 − 5)²/5 = 5; 56 terms, df = 56 − 3.
        assert!((phi - 5.0 * 56.0 / 53.0).abs() < 1e-9, "{phi}");
    }

    #[test]
    fn the_tested_period_stops_at_the_last_complete_day() {
        let w = window("2026-03-01", "2026-03-31");
        assert_eq!(
            tested(&w, day("2026-03-15")),
            Some(window("2026-03-01", "2026-03-15"))
        );
        assert_eq!(tested(&w, day("2026-02-28")), None);
        assert_eq!(tested(&w, day("2026-04-02")), Some(w));
    }
}
