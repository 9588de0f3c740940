//! Zero-filled trend series by day, week or month (SPEC §8), built from daily totals.
//! The daily `pain_points` total is the weighted failure index, in the spirit of FedEx's SQI.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::{Bucket, Window, WindowEcho};
use crate::catalogue::Horror;
use crate::money::Minor;

/// Totals of one horror on one local day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayTally {
    pub day: NaiveDate,
    /// Shared: the thousands of tallies of a reading name a few horrors.
    pub key: std::sync::Arc<str>,
    pub count: u64,
    pub cost_minor: Minor,
}

/// One bucket of a series.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Point {
    /// Calendar start of the bucket, `YYYY-MM-DD`.
    #[schema(value_type = String)]
    pub start: NaiveDate,
    pub count: u64,
    #[schema(value_type = i64)]
    pub cost_minor: Minor,
    pub pain_points: u64,
    /// The bucket is not over yet (it holds today): its counts are still growing.
    pub partial: bool,
    /// Σ units of the bucket's (day, site) pairs with recorded volume (SPEC §17); null
    /// when it has none.
    pub units: Option<i64>,
    /// Σ qty of ticks on those pairs × 1000 / `units`, 2 decimals; null without units.
    pub rate_per_1000: Option<f64>,
}

/// The points of one horror.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Series {
    pub key: String,
    pub name: String,
    pub points: Vec<Point>,
}

/// `GET /api/trend`.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Trend {
    pub window: WindowEcho,
    pub bucket: Bucket,
    pub series: Vec<Series>,
    pub totals: Vec<Point>,
}

/// Builds zero-filled series for `horrors` (active ones always, retired ones only when they
/// have ticks in the window) from daily totals; days outside the window are ignored. No
/// bucket starts after `today`; the bucket holding `today` is marked partial.
pub fn build(
    horrors: &[Horror],
    days: &[DayTally],
    window: &Window,
    echo: WindowEcho,
    bucket: Bucket,
    today: NaiveDate,
) -> Trend {
    let mut starts = bucket.starts(window);
    starts.retain(|start| *start <= today);
    let index: HashMap<NaiveDate, usize> =
        starts.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let empty: Vec<Point> = starts
        .iter()
        .map(|&start| Point {
            start,
            count: 0,
            cost_minor: Minor::ZERO,
            pain_points: 0,
            partial: bucket.next(start) > today,
            units: None,
            rate_per_1000: None,
        })
        .collect();

    let mut by_key: HashMap<&str, Vec<Point>> = HashMap::new();
    let pain: HashMap<&str, u64> = horrors
        .iter()
        .map(|h| (h.key.as_str(), u64::from(h.pain)))
        .collect();
    for row in days {
        if row.day < window.from() || row.day > window.to() {
            continue;
        }
        let Some(&pain) = pain.get(&*row.key) else {
            continue;
        };
        let Some(&slot) = index.get(&bucket.start_of(row.day)) else {
            continue;
        };
        let points = by_key.entry(&*row.key).or_insert_with(|| empty.clone());
        let point = &mut points[slot];
        point.count += row.count;
        point.cost_minor += row.cost_minor;
        point.pain_points += row.count * pain;
    }

    let mut totals = empty.clone();
    let series: Vec<Series> = horrors
        .iter()
        .filter_map(|horror| {
            let points = match by_key.remove(horror.key.as_str()) {
                Some(points) => points,
                None if horror.retired => return None,
                None => empty.clone(),
            };
            for (total, point) in totals.iter_mut().zip(&points) {
                total.count += point.count;
                total.cost_minor += point.cost_minor;
                total.pain_points += point.pain_points;
            }
            Some(Series {
                key: horror.key.to_string(),
                name: horror.name.clone(),
                points,
            })
        })
        .collect();

    Trend {
        window: echo,
        bucket,
        series,
        totals,
    }
}

/// Gives every point its units and rate per 1,000 (SPEC §17): `covered` are the day totals
/// of ticks on covered (day, site) pairs, `coverage` the recorded volume.
pub fn add_volume(
    trend: &mut Trend,
    covered: &[DayTally],
    coverage: &crate::volume::Coverage,
    window: &Window,
) {
    let bucket = trend.bucket;
    let index: HashMap<NaiveDate, usize> = trend
        .totals
        .iter()
        .enumerate()
        .map(|(i, p)| (p.start, i))
        .collect();
    let slot = |day: NaiveDate| {
        (window.from() <= day && day <= window.to())
            .then(|| index.get(&bucket.start_of(day)).copied())
            .flatten()
    };
    let mut units: Vec<Option<i64>> = vec![None; trend.totals.len()];
    for (day, _, u) in coverage.iter() {
        if let Some(i) = slot(day) {
            *units[i].get_or_insert(0) += u;
        }
    }
    let mut counts: HashMap<&str, Vec<u64>> = HashMap::new();
    let mut total = vec![0u64; trend.totals.len()];
    for row in covered {
        if let Some(i) = slot(row.day) {
            counts
                .entry(&*row.key)
                .or_insert_with(|| vec![0; units.len()])[i] += row.count;
            total[i] += row.count;
        }
    }
    let fill = |points: &mut [Point], counts: Option<&Vec<u64>>| {
        for (i, point) in points.iter_mut().enumerate() {
            point.units = units[i];
            point.rate_per_1000 =
                units[i].and_then(|u| crate::volume::rate_per_1000(counts.map_or(0, |c| c[i]), u));
        }
    };
    for series in &mut trend.series {
        fill(&mut series.points, counts.get(series.key.as_str()));
    }
    fill(&mut trend.totals, Some(&total));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    fn d(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    fn horror(key: &str, pain: u8, retired: bool) -> Horror {
        Horror {
            key: crate::keys::HorrorKey::parse(key).unwrap(),
            name: key.into(),
            description: None,
            pain,
            unit_cost_minor: crate::money::Minor::new(0),
            operational: false,
            position: 0,
            playbook: Default::default(),
            retired,
        }
    }

    fn day(day: &str, key: &str, count: u64) -> DayTally {
        DayTally {
            day: d(day),
            key: key.into(),
            count,
            cost_minor: crate::money::Minor::new(count as i64 * 100),
        }
    }

    /// [`build`] in UTC, as on `today`.
    fn utc_build(
        horrors: &[Horror],
        days: &[DayTally],
        window: &Window,
        bucket: Bucket,
        today: &str,
    ) -> Trend {
        build(
            horrors,
            days,
            window,
            window.echo(chrono_tz::UTC),
            bucket,
            d(today),
        )
    }

    #[test]
    fn weekly_buckets_zero_fill_and_clip_to_the_window() {
        let horrors = [
            horror("a", 3, false),
            horror("b", 5, false),
            horror("gone", 1, true),
        ];
        let window = Window::new(d("2026-03-04"), d("2026-03-16")).unwrap();
        let days = [
            day("2026-03-03", "a", 100), // before the window: ignored
            day("2026-03-04", "a", 2),
            day("2026-03-08", "a", 1), // Sunday: still the week of Monday 03-02
            day("2026-03-09", "b", 4),
            day("2026-03-16", "a", 1), // Monday of the third week
        ];
        let trend = utc_build(&horrors, &days, &window, Bucket::Week, "2026-12-31");
        assert_eq!(trend.series.len(), 2, "retired without ticks is left out");
        let a = &trend.series[0];
        let counts: Vec<_> = a.points.iter().map(|p| (p.start, p.count)).collect();
        assert_eq!(
            counts,
            [
                (d("2026-03-02"), 3),
                (d("2026-03-09"), 0),
                (d("2026-03-16"), 1)
            ]
        );
        let totals: Vec<_> = trend
            .totals
            .iter()
            .map(|p| (p.count, p.pain_points, p.cost_minor.get()))
            .collect();
        assert_eq!(totals, [(3, 9, 300), (4, 20, 400), (1, 3, 100)]);
    }

    #[test]
    fn no_bucket_after_today_and_the_current_one_is_partial() {
        let horrors = [horror("a", 1, false)];
        // A whole year asked for on Wednesday 2026-11-18: weeks stop at Monday 11-16.
        let window = Window::year(2026).unwrap();
        let days = [day("2026-11-16", "a", 2), day("2026-11-18", "a", 1)];
        let trend = utc_build(&horrors, &days, &window, Bucket::Week, "2026-11-18");
        let last = trend.totals.last().unwrap();
        assert_eq!(
            (last.start, last.count, last.partial),
            (d("2026-11-16"), 3, true)
        );
        assert!(trend.totals[..trend.totals.len() - 1]
            .iter()
            .all(|p| !p.partial));
        assert_eq!(
            trend.totals.len(),
            47,
            "2025-12-29 .. 2026-11-16, ISO weeks"
        );
        // A week that ended yesterday is over; days: today is partial, yesterday is not.
        let window = Window::new(d("2026-11-09"), d("2026-11-16")).unwrap();
        let trend = utc_build(&horrors, &days, &window, Bucket::Day, "2026-11-16");
        let flags: Vec<_> = trend.totals.iter().map(|p| p.partial).collect();
        assert_eq!(
            flags,
            [false, false, false, false, false, false, false, true]
        );
        let trend = utc_build(&horrors, &days, &window, Bucket::Week, "2026-11-16");
        let weeks: Vec<_> = trend.totals.iter().map(|p| (p.start, p.partial)).collect();
        assert_eq!(weeks, [(d("2026-11-09"), false), (d("2026-11-16"), true)]);
    }

    #[test]
    fn daily_buckets_cover_every_day() {
        let horrors = [horror("a", 2, false)];
        let window = Window::new(d("2024-02-27"), d("2024-03-01")).unwrap();
        let trend = utc_build(
            &horrors,
            &[day("2024-02-29", "a", 7)],
            &window,
            Bucket::Day,
            "2024-12-31",
        );
        let counts: Vec<_> = trend
            .totals
            .iter()
            .map(|p| (p.start.to_string(), p.count))
            .collect();
        assert_eq!(
            counts,
            [
                ("2024-02-27".into(), 0),
                ("2024-02-28".into(), 0),
                ("2024-02-29".into(), 7),
                ("2024-03-01".into(), 0)
            ]
        );
    }
}
