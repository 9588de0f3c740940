//! Control charts (docs/statistics.md "Control charts"): the complete buckets of a window
//! against a baseline before it (or the window itself), with probability limits and an
//! upward CUSUM. Computed from a [`Series`] read once, so that alerts can chart many days
//! of many series from one read.

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::{Bucket, Window, WindowEcho};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::reading::{self, KeySeries, Series, MAX_REACH_BACK_DAYS};
use crate::sites::Scope;
use crate::stats::rev2::{self, ControlPoint};
use crate::stats::Exposure;
use crate::store::Store;

/// Where a chart's limits come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BaselineKind {
    /// The buckets before the window.
    Before,
    /// The window's own points (a retrospective chart).
    Window,
    /// Not enough history: no limits, no signals.
    TooFew,
}

impl BaselineKind {
    /// Parses the `baseline` option: `before` or `window`.
    pub fn parse(text: &str) -> std::result::Result<Self, crate::text::NotAllowed> {
        match text {
            "before" => Ok(BaselineKind::Before),
            "window" => Ok(BaselineKind::Window),
            other => Err(crate::text::NotAllowed::new(
                "baseline",
                "before or window",
                other,
            )),
        }
    }
}

/// `"baseline": {"from","to","kind"}`: the first and last bucket used.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Baseline {
    pub from: Option<String>,
    pub to: Option<String>,
    pub kind: BaselineKind,
}

/// One point of a control chart: its bucket's first day and its statistics.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ControlPointAt {
    /// First day of the bucket.
    pub start: String,
    #[serde(flatten)]
    pub point: ControlPoint,
}

/// `GET /api/control`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ControlChart {
    pub window: WindowEcho,
    pub bucket: Bucket,
    /// The horror charted; null for all horrors together.
    pub horror: Option<String>,
    /// The site charted; null for every site.
    pub site: Option<String>,
    /// `volume` (a bucket's exposure is its units ÷ 1000) or `days`.
    pub exposure: Exposure,
    /// `day`, or the volume unit (rates per 1,000 of it).
    pub rate_unit: String,
    pub baseline: Baseline,
    /// ū = Σc/Σn over the baseline; null without one.
    pub center: Option<f64>,
    /// The dispersion φ (≥ 1) the limits and the CUSUM use.
    pub phi: f64,
    pub points: Vec<ControlPointAt>,
}

/// What to chart.
#[derive(Clone, Debug)]
pub struct Spec {
    pub window: Window,
    pub bucket: Bucket,
    pub horror: Option<String>,
    pub laney: bool,
    pub baseline: BaselineKind,
}

/// The buckets of `window` that lie wholly inside it and are over by `last_complete`.
pub fn complete_buckets(window: &Window, bucket: Bucket, last_complete: NaiveDate) -> Vec<Window> {
    bucket
        .starts(window)
        .into_iter()
        .map(|start| bucket.window_at(start))
        .filter(|b| b.from() >= window.from() && b.to() <= window.to() && b.to() <= last_complete)
        .collect()
}

/// The first day of a chart's points (the window's first whole bucket).
fn anchor(window: &Window, bucket: Bucket) -> NaiveDate {
    let start = bucket.start_of(window.from());
    if start < window.from() {
        bucket.next(start)
    } else {
        start
    }
}

/// `length` days (for weeks: ⌊length/7⌋ ISO weeks) of buckets ending the day before
/// `anchor`.
fn buckets_before(anchor: NaiveDate, bucket: Bucket, length: i64) -> Vec<Window> {
    let (n, size) = match bucket {
        Bucket::Week => (length / 7, 7),
        _ => (length, 1),
    };
    (1..=n)
        .rev()
        .map(|k| Window::days_from(anchor - Duration::days(k * size), size))
        .collect()
}

/// The span of days a chart of `window` may read: a year before its first point.
pub fn span(window: &Window, bucket: Bucket) -> Window {
    // The anchor is at most a bucket after the window's first day, so a year before it
    // is before the window: the span runs from there to the window's last day.
    Window::day(anchor(window, bucket) - Duration::days(MAX_REACH_BACK_DAYS)).through(window)
}

/// The periods whose coverage decides a chart's exposure: its points and the first
/// `baseline_days` before them.
pub fn compared(window: &Window, bucket: Bucket, baseline_days: i64) -> Vec<Window> {
    let first = anchor(window, bucket);
    let mut out = buckets_before(first, bucket, baseline_days);
    // A window shorter than its first whole bucket charts that one bucket start.
    out.push(Window::spanning(first, window.to()).unwrap_or(Window::day(first)));
    out
}

/// The chart of `spec` from `series` (which must cover [`span`]), with limits, and the
/// point, only of the last bucket when `last_only` (what an alert judges; the CUSUM still
/// runs over every point); and the earliest day its baseline looked at (a reader of a
/// shorter series than the chart needed reads again, longer).
pub fn chart_reaching(
    series: &Series,
    spec: &Spec,
    last_complete: NaiveDate,
    settings: &Settings,
    site: Option<&str>,
    last_only: bool,
) -> (ControlChart, NaiveDate) {
    let of = series.of(spec.horror.as_deref());
    let buckets = complete_buckets(&spec.window, spec.bucket, last_complete);
    let points: Vec<(u64, f64)> = buckets.iter().map(|w| of.sum(w)).collect();
    let (baseline, used, reached) = baseline(&of, spec, settings, &buckets, &points);
    let kind = match (&baseline, spec.baseline) {
        (None, _) => BaselineKind::TooFew,
        (Some(_), kind) => kind,
    };
    let limits_from = if last_only {
        points.len().saturating_sub(1)
    } else {
        0
    };
    let chart = rev2::control_from(
        &points,
        baseline.as_deref(),
        settings.signals.control_options(spec.laney),
        limits_from,
    );
    let chart = ControlChart {
        window: spec.window.echo(settings.tz()),
        bucket: spec.bucket,
        horror: spec.horror.clone(),
        site: site.map(str::to_string),
        exposure: series.kind(),
        rate_unit: rate_unit(settings, series.kind()),
        baseline: Baseline {
            from: used.map(|u| u.0.to_string()),
            to: used.map(|u| u.1.to_string()),
            kind,
        },
        center: chart.center,
        phi: chart.phi,
        // With limits on the last point only (an alert's question), only that point is
        // kept: a backtest asks it of thousands of charts.
        points: buckets
            .iter()
            .zip(chart.points)
            .skip(limits_from)
            .map(|(b, point)| ControlPointAt {
                start: b.from().to_string(),
                point,
            })
            .collect(),
    };
    (chart, reached)
}

/// A baseline's values: (count, exposure) of each bucket with exposure.
type Values = Vec<(u64, f64)>;
/// A baseline's first and last bucket with exposure.
type Used = Option<(NaiveDate, NaiveDate)>;

/// The baseline's values (buckets with exposure), its first and last such bucket, and the
/// earliest day looked at: the window itself, or the days before it, reaching back a
/// `control_baseline_days` step at a time until there is enough.
fn baseline(
    of: &KeySeries<'_>,
    spec: &Spec,
    settings: &Settings,
    buckets: &[Window],
    points: &[(u64, f64)],
) -> (Option<Values>, Used, NaiveDate) {
    let sum = |w: &Window| of.sum(w);
    let mut reached = spec.window.from();
    type Taken = (Values, Used);
    let take = |taken: &mut Taken, bucket: &Window, value: (u64, f64)| {
        if value.1 > 0.0 {
            taken.0.push(value);
            let from = taken.1.map_or(bucket.from(), |u| u.0);
            taken.1 = Some((from, bucket.from()));
        }
    };
    let (baseline, used): (Option<Values>, Used) = match spec.baseline {
        BaselineKind::Window => {
            let mut taken: Taken = (Vec::with_capacity(points.len()), None);
            for (bucket, value) in buckets.iter().zip(points.iter().copied()) {
                take(&mut taken, bucket, value);
            }
            if rev2::baseline_enough(&taken.0) {
                (Some(taken.0), taken.1)
            } else {
                (None, None)
            }
        }
        _ => {
            let first = anchor(&spec.window, spec.bucket);
            let step = settings.signals.control_baseline_days;
            let mut length = step;
            let mut taken: Taken = (Vec::new(), None);
            // Day buckets from `scanned` to the day before `first` are in `taken`: each
            // longer reach reads only the days before the last one's.
            let mut scanned = first;
            loop {
                let length_now = length.min(MAX_REACH_BACK_DAYS);
                let from = first - Duration::days(length_now);
                reached = reached.min(from);
                match spec.bucket {
                    // Days are read straight from the series (a backtest asks this of
                    // thousands of charts).
                    Bucket::Day => {
                        let mut earlier: Taken = (Vec::with_capacity(length_now as usize), None);
                        // Nothing is read when the days before `scanned` are all taken.
                        if let Some(before) = Window::spanning(from, scanned - Duration::days(1)) {
                            of.each_day(&before, |day, value| {
                                take(&mut earlier, &Window::day(day), value)
                            });
                        }
                        if let Some((oldest, newest)) = earlier.1 {
                            taken.1 = Some((oldest, taken.1.map_or(newest, |t| t.1)));
                        }
                        earlier.0.append(&mut taken.0);
                        taken.0 = earlier.0;
                        scanned = from;
                    }
                    _ => {
                        taken = (Vec::with_capacity(length_now as usize), None);
                        for bucket in buckets_before(first, spec.bucket, length_now) {
                            take(&mut taken, &bucket, sum(&bucket));
                        }
                    }
                }
                if rev2::baseline_enough(&taken.0) {
                    break (Some(taken.0), taken.1);
                }
                if length_now >= MAX_REACH_BACK_DAYS {
                    break (None, None);
                }
                length += step;
            }
        }
    };
    (baseline, used, reached)
}

/// `day`, or the volume unit when rates are per 1,000 of it.
pub fn rate_unit(settings: &Settings, kind: Exposure) -> String {
    match kind {
        Exposure::Days => "day".into(),
        Exposure::Volume => settings.volume_unit.clone(),
    }
}

/// The control chart of `spec` within `scope`, read from the store.
pub fn chart(store: &Store, spec: &Spec, scope: &Scope) -> Result<ControlChart> {
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    if let Some(key) = &spec.horror {
        if snapshot.horror(key).is_none() {
            return Err(Error::invalid(
                "unknown_horror",
                format!("no horror with key {}", crate::text::echo(key)),
            ));
        }
    }
    let span = span(&spec.window, spec.bucket);
    let compared = compared(
        &spec.window,
        spec.bucket,
        settings.signals.control_baseline_days,
    );
    let series = crate::series::of_scope(store, settings, scope, span, &compared)?;
    let last_complete = reading::last_complete_day(settings, scope, store.now());
    let (chart, _) = chart_reaching(
        &series,
        spec,
        last_complete,
        settings,
        scope.stored(),
        false,
    );
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn weekly_baselines_are_whole_iso_weeks_before_the_first_point() {
        // 2026-03-04 is a Wednesday: the first whole week starts Monday 2026-03-09.
        let window = Window::new(day("2026-03-04"), day("2026-03-31")).unwrap();
        assert_eq!(anchor(&window, Bucket::Week), day("2026-03-09"));
        let weeks = buckets_before(day("2026-03-09"), Bucket::Week, 112);
        assert_eq!(weeks.len(), 16);
        assert_eq!(weeks[15].to(), day("2026-03-08"));
        assert_eq!(weeks[0].from(), day("2025-11-17"));
        let days = buckets_before(day("2026-03-09"), Bucket::Day, 112);
        assert_eq!(days.len(), 112);
        assert_eq!(days[0].from(), day("2025-11-17"));
    }

    #[test]
    fn points_are_complete_buckets_inside_the_window() {
        let window = Window::new(day("2026-03-04"), day("2026-03-31")).unwrap();
        let weeks = complete_buckets(&window, Bucket::Week, day("2026-03-22"));
        let starts: Vec<String> = weeks.iter().map(|w| w.from().to_string()).collect();
        assert_eq!(starts, ["2026-03-09", "2026-03-16"]);
    }
}
