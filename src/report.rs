//! Reports computed from the store: the ranking and the trend of a window. Computed once
//! here and used by the API, the CLI, the charts and the exports.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};

use crate::calendar::{local_day, Bucket, Window};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::ranking::{self, By, Ranking, RankingInput};
use crate::sites::Scope;
use crate::stats::Exposure;
use crate::store::rollup::Group;
use crate::store::Store;
use crate::trend::{self, Trend};
use crate::volume::{self, Coverage, VolumeSummary};

/// Today in the organization's timezone.
pub fn today(store: &Store, now: DateTime<Utc>) -> Result<chrono::NaiveDate> {
    Ok(local_day(now, store.snapshot()?.settings.tz()))
}

/// The exposure of a comparison of `now` with `before` (SPEC §18), the volume summary of
/// `now` (SPEC §17) and its units, for the ticks at `site` (`None`: every site in scope).
pub struct VolumeView {
    pub exposure: (Exposure, f64, f64),
    pub summary: Option<VolumeSummary>,
}

impl VolumeView {
    pub fn of(
        settings: &Settings,
        coverage: &Coverage,
        required: &[String],
        site: Option<&str>,
        now: &Window,
        before: &Window,
    ) -> VolumeView {
        let (units_now, pairs_now) = coverage.sum(now, site);
        let (units_before, _) = coverage.sum(before, site);
        let complete = coverage.complete(now, required) && coverage.complete(before, required);
        VolumeView {
            exposure: if complete {
                (
                    Exposure::Volume,
                    units_now as f64 / 1000.0,
                    units_before as f64 / 1000.0,
                )
            } else {
                (Exposure::Days, now.days() as f64, before.days() as f64)
            },
            summary: (pairs_now > 0).then(|| VolumeSummary {
                unit: settings.volume_unit.clone(),
                units: units_now,
                days_covered: pairs_now,
            }),
        }
    }
}

/// The ranking of `window` within `scope` (with its previous window for the changes).
pub fn ranking(store: &Store, window: &Window, by: By, scope: &Scope) -> Result<Ranking> {
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let focus: HashSet<String> = store.focus_keys(window)?;
    let current = store.tallies(window, scope)?;
    let before = window.previous();
    let previous = store.tallies(&before, scope)?;
    let coverage = store.volume(&before.through(window), scope)?;
    let view = VolumeView::of(
        settings,
        &coverage,
        &volume::required_sites(settings, scope),
        None,
        window,
        &before,
    );
    let covered = match &view.summary {
        Some(_) => store.covered_tallies(window, scope)?,
        None => Default::default(),
    };
    Ok(ranking::rank(&RankingInput {
        horrors: &snapshot.horrors,
        current: &current,
        previous: &previous,
        focus: &focus,
        weights: settings.weights(),
        currency: settings.currency(),
        window: window.echo(settings.tz()),
        by,
        exposure: view.exposure,
        volume: view.summary.map(|s| (s, &covered)),
    }))
}

/// One group of a grouped ranking (SPEC §16).
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RankingGroup {
    /// The site key, department or source; null for ticks without one.
    pub value: Option<String>,
    /// The site's name (the value for departments and sources); null with the value.
    pub name: Option<String>,
    pub exposure: Exposure,
    pub volume: Option<VolumeSummary>,
    pub items: Vec<ranking::RankedItem>,
    pub totals: ranking::Totals,
}

/// `GET /api/ranking?group=...`: one ranking per group value.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct GroupedRanking {
    pub window: crate::calendar::WindowEcho,
    pub by: By,
    pub currency: String,
    pub group: Group,
    /// Most ticks first, then by value; the group without a value last.
    pub groups: Vec<RankingGroup>,
}

/// The ranking of each group's ticks alone (SPEC §16), within `scope`.
pub fn grouped_ranking(
    store: &Store,
    window: &Window,
    by: By,
    group: Group,
    scope: &Scope,
) -> Result<GroupedRanking> {
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let focus: HashSet<String> = store.focus_keys(window)?;
    let before = window.previous();
    let current = store.grouped_tallies(window, scope, group, false)?;
    let previous = store.grouped_tallies(&before, scope, group, false)?;
    let coverage = store.volume(&before.through(window), scope)?;
    let covered = if coverage.is_empty() {
        Default::default()
    } else {
        store.grouped_tallies(window, scope, group, true)?
    };
    let required = volume::required_sites(settings, scope);
    let empty = BTreeMap::new();
    let mut groups: Vec<RankingGroup> = current
        .iter()
        .map(|(value, tallies)| {
            // A site's group is read against that site's volume; other groups against
            // the volume of every site in scope.
            let (site, required) = match (group, value) {
                (Group::Site, Some(site)) => (Some(site.as_str()), vec![site.clone()]),
                (Group::Site, None) => (Some(""), vec![String::new()]),
                _ => (None, required.clone()),
            };
            let view = VolumeView::of(settings, &coverage, &required, site, window, &before);
            let ranked = ranking::rank(&RankingInput {
                horrors: &snapshot.horrors,
                current: tallies,
                previous: previous.get(value).unwrap_or(&empty),
                focus: &focus,
                weights: settings.weights(),
                currency: settings.currency(),
                window: window.echo(settings.tz()),
                by,
                exposure: view.exposure,
                volume: view
                    .summary
                    .map(|s| (s, covered.get(value).unwrap_or(&empty))),
            });
            let name = match (group, value) {
                (Group::Site, Some(key)) => {
                    Some(settings.site(key).map_or(key.clone(), |s| s.name.clone()))
                }
                (_, value) => value.clone(),
            };
            RankingGroup {
                value: value.clone(),
                name,
                exposure: ranked.exposure,
                volume: ranked.volume,
                items: ranked.items,
                totals: ranked.totals,
            }
        })
        .filter(|g| g.totals.count > 0)
        .collect();
    groups.sort_by(|a, b| {
        b.totals
            .count
            .cmp(&a.totals.count)
            .then_with(|| match (&a.value, &b.value) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
    });
    Ok(GroupedRanking {
        window: window.echo(settings.tz()),
        by,
        currency: settings.currency().code().to_string(),
        group,
        groups,
    })
}

/// The zero-filled trend of `window` within `scope`, for every horror or just `horror`.
pub fn trend(
    store: &Store,
    window: &Window,
    bucket: Bucket,
    horror: Option<&str>,
    today: chrono::NaiveDate,
    scope: &Scope,
) -> Result<Trend> {
    let snapshot = store.snapshot()?;
    let horrors: Vec<_> = match horror {
        None => snapshot.horrors.clone(),
        Some(key) => {
            let found = snapshot.horror(key).ok_or_else(|| {
                Error::invalid(
                    "unknown_horror",
                    format!("no horror with key {}", crate::text::echo(key)),
                )
            })?;
            // Asked for by name, a retired horror still gets its (possibly empty) series.
            vec![crate::catalogue::Horror {
                retired: false,
                ..found.clone()
            }]
        }
    };
    let days = store.day_tallies(window, scope)?;
    let mut trend = trend::build(
        &horrors,
        &days,
        window,
        window.echo(snapshot.settings.tz()),
        bucket,
        today,
    );
    let coverage = store.volume(window, scope)?;
    if !coverage.is_empty() {
        let covered = store.covered_day_tallies(window, scope)?;
        trend::add_volume(&mut trend, &covered, &coverage, window);
    }
    Ok(trend)
}

/// A cycle with its ranking and the before/during result of each focus horror, within
/// `scope`.
pub fn cycle_detail(
    store: &Store,
    id: i64,
    now: DateTime<Utc>,
    scope: &Scope,
) -> Result<crate::cycles::CycleDetail> {
    use crate::cycles;
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let row = store
        .cycle(id)?
        .ok_or_else(|| Error::NotFound(format!("no cycle with id {id}")))?;
    let window = cycles::window(&row);
    let today = local_day(now, settings.tz());
    let ranking = ranking(store, &window, By::Priority, scope)?;
    let during = store.tallies(&window, scope)?;
    let preceding = window.preceding();
    let before = store.tallies(&preceding, scope)?;
    let days_over = cycles::days_over(&window, today);
    let over = match &days_over {
        Some(w) => store.tallies(w, scope)?,
        None => Default::default(),
    };
    // The exposures of the days over against the window before, by the ranking's rule.
    let volume = match &days_over {
        Some(w) => {
            let coverage = store.volume(&preceding.through(&window), scope)?;
            let required = volume::required_sites(settings, scope);
            match VolumeView::of(settings, &coverage, &required, None, w, &preceding).exposure {
                (Exposure::Volume, over, before) => Some((over, before)),
                (Exposure::Days, ..) => None,
            }
        }
        None => None,
    };
    let results = row
        .focus
        .iter()
        .map(|key| {
            let name = snapshot.horror(key).map(|h| h.name.as_str()).unwrap_or(key);
            let tally =
                |m: &BTreeMap<String, ranking::Tally>| m.get(key).copied().unwrap_or_default();
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
                volume,
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
    /// The site (or every site) the chart counts.
    pub scope: Scope,
    /// Pareto: one small chart per group value (SPEC §16).
    pub group: Option<Group>,
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
            let trend = trend(
                store,
                &request.window,
                bucket,
                None,
                request.today,
                &request.scope,
            )?;
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
                &request.scope,
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
            let a = ranking(store, &a, By::Priority, &request.scope)?;
            let b = ranking(store, &b, By::Priority, &request.scope)?;
            render(&ctx, &ChartData::Compare { a: &a, b: &b }, request.format).map_err(failed)
        }
        ChartName::Pareto if request.group.is_some() => {
            let group = request.group.unwrap_or(Group::Site);
            let grouped =
                grouped_ranking(store, &request.window, By::Priority, group, &request.scope)?;
            render(&ctx, &ChartData::ParetoGroups(&grouped), request.format).map_err(failed)
        }
        name => {
            let ranking = ranking(store, &request.window, By::Priority, &request.scope)?;
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
    /// `volume`: a bucket's exposure is its units ÷ 1000, when every day of every bucket
    /// is covered for every site counted; else `days`, its number of days.
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
    scope: &Scope,
) -> Result<ControlChart> {
    let snapshot = store.snapshot()?;
    if let Some(key) = horror {
        if snapshot.horror(key).is_none() {
            return Err(Error::invalid(
                "unknown_horror",
                format!("no horror with key {}", crate::text::echo(key)),
            ));
        }
    }
    let observed = Observed {
        days: store.day_tallies(window, scope)?,
        coverage: store.volume(window, scope)?,
        required: volume::required_sites(&snapshot.settings, scope),
        scope: scope.clone(),
    };
    Ok(control_of(
        &observed,
        window,
        bucket,
        horror,
        laney,
        today,
        snapshot.settings.tz(),
    ))
}

/// What a window's control charts are drawn from, read once: its day tallies and volume
/// within a scope, and the sites whose every day must be covered for volume exposure.
pub struct Observed {
    pub days: Vec<crate::trend::DayTally>,
    pub coverage: Coverage,
    pub required: Vec<String>,
    pub scope: Scope,
}

/// The control chart of `window` from its day tallies (read once by callers that chart
/// several horrors over the same window).
pub fn control_of(
    observed: &Observed,
    window: &Window,
    bucket: Bucket,
    horror: Option<&str>,
    laney: bool,
    today: chrono::NaiveDate,
    tz: chrono_tz::Tz,
) -> ControlChart {
    let (days, scope) = (&observed.days, &observed.scope);
    let buckets = closed_buckets(window, bucket, today);
    // Volume exposure (thousands of units) when every day of every bucket is covered for
    // every site counted; else days.
    let coverage = &observed.coverage;
    let by_volume = (!buckets.is_empty()
        && buckets
            .iter()
            .all(|b| coverage.complete(b, &observed.required)))
    .then_some(coverage);
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
        .map(|(b, c)| match by_volume {
            Some(coverage) => (*c, coverage.sum(b, None).0 as f64 / 1000.0),
            None => (*c, b.days() as f64),
        })
        .collect();
    let chart = crate::stats::control(&series, laney);
    ControlChart {
        window: window.echo(tz),
        bucket,
        horror: horror.map(str::to_string),
        site: scope.site.clone(),
        exposure: if by_volume.is_some() {
            Exposure::Volume
        } else {
            Exposure::Days
        },
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
