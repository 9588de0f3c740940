//! Reports computed from the store: the ranking and the trend of a window. Computed once
//! here and used by the API, the CLI, the charts and the exports.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::calendar::{local_day, Bucket, Window};
use crate::error::{Error, Result};
use crate::ranking::{self, By, Ranking, RankingInput};
use crate::stats::Exposure;
use crate::store::Store;
use crate::trend::{self, Trend};

/// Today in the organization's timezone.
pub fn today(store: &Store, now: DateTime<Utc>) -> Result<chrono::NaiveDate> {
    Ok(local_day(now, store.snapshot()?.settings.tz()))
}

/// The ranking of `window` (with its previous window for `change_pct`).
pub fn ranking(store: &Store, window: &Window, by: By) -> Result<Ranking> {
    let snapshot = store.snapshot()?;
    let focus: HashSet<String> = store.focus_keys(window)?;
    let focus = &focus;
    let settings = &snapshot.settings;
    let current = store.tallies(window)?;
    let before = window.previous();
    let previous = store.tallies(&before)?;
    Ok(ranking::rank(&RankingInput {
        horrors: &snapshot.horrors,
        current: &current,
        previous: &previous,
        focus,
        weights: settings.weights(),
        currency: settings.currency(),
        window: window.echo(settings.tz()),
        by,
        // Volume exposure arrives with recorded volume (SPEC §17); until then, days.
        exposure: (Exposure::Days, window.days() as f64, before.days() as f64),
    }))
}

/// The zero-filled trend of `window`, for every horror or just `horror`.
pub fn trend(
    store: &Store,
    window: &Window,
    bucket: Bucket,
    horror: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<Trend> {
    let snapshot = store.snapshot()?;
    let horrors: Vec<_> = match horror {
        None => snapshot.horrors.clone(),
        Some(key) => {
            let found = snapshot.horror(key).ok_or_else(|| {
                Error::invalid("unknown_horror", format!("no horror with key {key:?}"))
            })?;
            // Asked for by name, a retired horror still gets its (possibly empty) series.
            vec![crate::catalogue::Horror {
                retired: false,
                ..found.clone()
            }]
        }
    };
    let days = store.day_tallies(window)?;
    Ok(trend::build(
        &horrors,
        &days,
        window,
        window.echo(snapshot.settings.tz()),
        bucket,
        today,
    ))
}

/// A cycle with its ranking and the before/during result of each focus horror.
pub fn cycle_detail(
    store: &Store,
    id: i64,
    now: DateTime<Utc>,
) -> Result<crate::cycles::CycleDetail> {
    use crate::cycles;
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let row = store
        .cycle(id)?
        .ok_or_else(|| Error::NotFound(format!("no cycle with id {id}")))?;
    let window = cycles::window(&row);
    let today = local_day(now, settings.tz());
    let ranking = ranking(store, &window, By::Priority)?;
    let during = store.tallies(&window)?;
    let before = store.tallies(&window.preceding())?;
    let over = match cycles::days_over(&window, today) {
        Some(w) => store.tallies(&w)?,
        None => Default::default(),
    };
    let results = row
        .focus
        .iter()
        .map(|key| {
            let name = snapshot.horror(key).map(|h| h.name.as_str()).unwrap_or(key);
            let tally = |m: &std::collections::BTreeMap<String, ranking::Tally>| {
                m.get(key).copied().unwrap_or_default()
            };
            cycles::result(
                key,
                name,
                tally(&before),
                tally(&during),
                tally(&over),
                &window,
                today,
                settings.tz(),
                settings.currency(),
            )
        })
        .collect();
    Ok(cycles::CycleDetail {
        cycle: cycles::summary(&row, settings.tz(), today),
        results,
        ranking,
    })
}

/// Every cycle, newest first.
pub fn cycle_list(store: &Store, now: DateTime<Utc>) -> Result<Vec<crate::cycles::CycleSummary>> {
    let settings = store.snapshot()?.settings.clone();
    let today = local_day(now, settings.tz());
    Ok(store
        .cycles()?
        .iter()
        .map(|row| crate::cycles::summary(row, settings.tz(), today))
        .collect())
}

/// What to draw: a chart, its format and size, the window, and for `compare` the two
/// windows (default: the previous window against this one).
#[derive(Debug, Clone)]
pub struct ChartRequest {
    pub name: crate::charts::ChartName,
    pub format: crate::charts::Format,
    pub window: Window,
    pub compare: Option<(Window, Window)>,
    pub bucket: Option<Bucket>,
    pub width: u32,
    pub height: u32,
    /// Today in the organization's timezone: the trend stops here.
    pub today: chrono::NaiveDate,
    /// The language of the chart's words; `None` is the organization's.
    pub lang: Option<crate::i18n::Lang>,
    /// The control chart's horror (all together when `None`) and Laney's correction.
    pub horror: Option<String>,
    pub laney: bool,
}

/// The bucket a trend chart uses by default: days up to 92 days, then weeks.
pub fn default_bucket(window: &Window) -> Bucket {
    if window.days() > 92 {
        Bucket::Week
    } else {
        Bucket::Day
    }
}

/// Renders one chart from the same ranking and trend the API returns.
pub fn chart(store: &Store, request: &ChartRequest) -> Result<Vec<u8>> {
    use crate::charts::{render, ChartContext, ChartData, ChartName};
    let snapshot = store.snapshot()?;
    let ctx = ChartContext {
        organization: snapshot.settings.name.clone(),
        lang: request.lang.unwrap_or(snapshot.settings.language),
        currency: snapshot.settings.currency(),
        width: request.width,
        height: request.height,
    };
    let failed = |e: crate::charts::ChartError| {
        Error::internal(format!("rendering {}: {e}", request.name.as_str()))
    };
    match request.name {
        ChartName::Trend => {
            let bucket = request
                .bucket
                .unwrap_or_else(|| default_bucket(&request.window));
            let trend = trend(store, &request.window, bucket, None, request.today)?;
            render(
                &ctx,
                &ChartData::Trend(&trend, &snapshot.horrors),
                request.format,
            )
            .map_err(failed)
        }
        ChartName::Control => {
            let bucket = match request.bucket {
                Some(Bucket::Week) => Bucket::Week,
                _ => Bucket::Day,
            };
            let horror = request.horror.as_deref();
            let chart = control(
                store,
                &request.window,
                bucket,
                horror,
                request.laney,
                request.today,
            )?;
            let name = match horror.and_then(|key| snapshot.horror(key)) {
                Some(h) => h.name.clone(),
                None => crate::i18n::t(ctx.lang, "chart-control-all"),
            };
            render(&ctx, &ChartData::Control(&chart, &name), request.format).map_err(failed)
        }
        ChartName::Compare => {
            let (a, b) = request
                .compare
                .unwrap_or((request.window.previous(), request.window));
            let a = ranking(store, &a, By::Priority)?;
            let b = ranking(store, &b, By::Priority)?;
            render(&ctx, &ChartData::Compare { a: &a, b: &b }, request.format).map_err(failed)
        }
        name => {
            let ranking = ranking(store, &request.window, By::Priority)?;
            let data = match name {
                ChartName::Pareto => ChartData::Pareto(&ranking),
                ChartName::Cost => ChartData::Cost(&ranking),
                _ => ChartData::Matrix(&ranking),
            };
            render(&ctx, &data, request.format).map_err(failed)
        }
    }
}

/// One point of a control chart: its bucket's first day and the statistics of SPEC §18.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ControlPointAt {
    /// First day of the bucket.
    pub start: String,
    #[serde(flatten)]
    pub point: crate::stats::ControlPoint,
}

/// `GET /api/control`: a u-chart (Laney's u′ by default) of occurrences per day.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ControlChart {
    pub window: crate::calendar::WindowEcho,
    pub bucket: Bucket,
    /// The horror charted; null for all horrors together.
    pub horror: Option<String>,
    /// The site charted; null for every site.
    pub site: Option<String>,
    /// `days`: a bucket's exposure is its number of days (volume arrives with SPEC §17).
    pub exposure: crate::stats::Exposure,
    /// ū = Σc / Σn, occurrences per day; null when there is no bucket.
    pub center: Option<f64>,
    /// Laney's φ (1 when `laney=false` or with fewer than 3 buckets).
    pub phi: f64,
    pub points: Vec<ControlPointAt>,
}

/// The buckets of `window` that lie wholly inside it and are over by `today`.
pub fn closed_buckets(window: &Window, bucket: Bucket, today: chrono::NaiveDate) -> Vec<Window> {
    bucket
        .starts(window)
        .into_iter()
        .map(|start| Window {
            from: start,
            to: bucket.next(start).pred_opt().unwrap_or(start),
        })
        .filter(|b| b.from >= window.from && b.to <= window.to && b.to < today)
        .collect()
}

/// The control chart of `window` (SPEC §18), from the daily rollup.
pub fn control(
    store: &Store,
    window: &Window,
    bucket: Bucket,
    horror: Option<&str>,
    laney: bool,
    today: chrono::NaiveDate,
) -> Result<ControlChart> {
    let snapshot = store.snapshot()?;
    if let Some(key) = horror {
        if snapshot.horror(key).is_none() {
            return Err(Error::invalid(
                "unknown_horror",
                format!("no horror with key {key:?}"),
            ));
        }
    }
    let days = store.day_tallies(window)?;
    Ok(control_of(
        &days,
        window,
        bucket,
        horror,
        laney,
        today,
        snapshot.settings.tz(),
    ))
}

/// The control chart of `window` from its day tallies (read once by callers that chart
/// several horrors over the same window).
pub fn control_of(
    days: &[crate::trend::DayTally],
    window: &Window,
    bucket: Bucket,
    horror: Option<&str>,
    laney: bool,
    today: chrono::NaiveDate,
    tz: chrono_tz::Tz,
) -> ControlChart {
    let buckets = closed_buckets(window, bucket, today);
    let mut counts = vec![0u64; buckets.len()];
    for day in days {
        if horror.is_some_and(|key| key != day.key) {
            continue;
        }
        if let Some(i) = buckets
            .iter()
            .position(|b| b.from <= day.day && day.day <= b.to)
        {
            counts[i] += day.count;
        }
    }
    let series: Vec<(u64, f64)> = buckets
        .iter()
        .zip(&counts)
        .map(|(b, c)| (*c, b.days() as f64))
        .collect();
    let chart = crate::stats::control(&series, laney);
    ControlChart {
        window: window.echo(tz),
        bucket,
        horror: horror.map(str::to_string),
        site: None,
        exposure: crate::stats::Exposure::Days,
        center: chart.center,
        phi: chart.phi,
        points: buckets
            .iter()
            .zip(chart.points)
            .map(|(b, point)| ControlPointAt {
                start: b.from.to_string(),
                point,
            })
            .collect(),
    }
}
