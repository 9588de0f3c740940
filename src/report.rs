//! Reports computed from the store: the ranking and the trend of a window. Computed once
//! here and used by the API, the CLI, the charts and the exports.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar::{local_day, Bucket, Window};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::keys::SiteKey;
use crate::ranking::{
    self, By, Evidence, Group, GroupedRanking, Ranking, RankingGroup, RankingInput, Tally,
};
use crate::reading::{self, ExposureRule, Series, Tested};
use crate::series::ScopeExposure;
use crate::sites::Scope;
use crate::store::{Snapshot, Store};
use crate::trend::{self, Trend};
use crate::volume::{self, Coverage, VolumeSummary};

mod cycles;
pub use cycles::{cycle_detail, cycle_list};

/// Today in the organization's timezone.
pub fn today(store: &Store, now: DateTime<Utc>) -> Result<chrono::NaiveDate> {
    Ok(local_day(now, store.snapshot()?.settings.tz()))
}

/// The volume summary of `window` (SPEC §17) at `site` (`None`: every site in scope);
/// `None` when no (day, site) pair it counts has any.
pub fn volume_summary(
    settings: &Settings,
    coverage: &Coverage,
    site: Option<&str>,
    window: &Window,
) -> Option<VolumeSummary> {
    let (units, pairs) = coverage.sum(window, site);
    (pairs > 0).then(|| VolumeSummary {
        unit: settings.volume_unit.clone(),
        units,
        days_covered: pairs,
    })
}

/// The tallies one ranking orders: the window's, the previous window's, and with the
/// volume summary those on covered (day, site) pairs.
struct Tallies<'a> {
    current: &'a BTreeMap<String, Tally>,
    previous: &'a BTreeMap<String, Tally>,
    volume: Option<(VolumeSummary, &'a BTreeMap<String, Tally>)>,
}

/// One scope's daily counts and exposures for a comparison of the tested period with the
/// previous window, and each horror's evidence.
struct Compared {
    tested: Option<Window>,
    series: Series,
}

impl Compared {
    /// Ranks the horrors of `snapshot` in `window` by `by` from `tallies`, with this
    /// comparison's exposure, tested period and evidence.
    fn rank(
        &self,
        snapshot: &Snapshot,
        window: &Window,
        by: By,
        focus: &HashSet<String>,
        tallies: Tallies<'_>,
    ) -> Ranking {
        let settings = &snapshot.settings;
        let evidence = self.evidence(&snapshot.horrors, window);
        ranking::rank(&RankingInput {
            horrors: &snapshot.horrors,
            current: tallies.current,
            previous: tallies.previous,
            focus,
            weights: settings.weights(),
            currency: settings.currency(),
            window: window.echo(settings.tz()),
            by,
            exposure: self.series.kind(),
            tested: Tested::of(self.tested.as_ref()),
            evidence: &evidence,
            volume: tallies.volume,
        })
    }

    fn new(
        window: &Window,
        last_complete: NaiveDate,
        days: &reading::DayCounts,
        rule: &ExposureRule<'_>,
    ) -> Compared {
        let tested = reading::tested(window, last_complete);
        let previous = window.previous();
        let mut compared = vec![previous];
        compared.extend(tested);
        let span = reading::span_with_sample(&[previous, *window]);
        Compared {
            tested,
            series: Series::of_counts(span, days, rule, &compared),
        }
    }

    fn evidence(
        &self,
        horrors: &[crate::catalogue::Horror],
        window: &Window,
    ) -> BTreeMap<String, Evidence> {
        let previous = window.previous();
        horrors
            .iter()
            .map(|h| {
                let key = Some(h.key.as_str());
                let (b, eb) = self.series.sum(key, &previous);
                let evidence = match &self.tested {
                    Some(t) => {
                        let (a, ea) = self.series.sum(key, t);
                        Evidence {
                            a,
                            b,
                            ea,
                            eb,
                            phi: self.series.dispersion(key, t, Some(&previous)),
                            phi_tested: self.series.dispersion(key, t, None),
                        }
                    }
                    None => Evidence {
                        b,
                        eb,
                        ..Evidence::default()
                    },
                };
                (h.key.to_string(), evidence)
            })
            .collect()
    }
}

/// The ranking of `window` within `scope` (with its previous window for the changes).
pub fn ranking(store: &Store, window: &Window, by: By, scope: &Scope) -> Result<Ranking> {
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let focus: HashSet<String> = store.focus_keys(window)?;
    let before = window.previous();
    let span = reading::span_with_sample(&[before, *window]);
    // The days of the span and both windows' totals in one read (the span holds both).
    let (days, totals) = store.grouped_days_and_totals(&span, &[*window, before], scope, None)?;
    let mut totals = totals
        .into_iter()
        .map(|t| t.into_values().next().unwrap_or_default());
    let (current, previous) = (
        totals.next().unwrap_or_default(),
        totals.next().unwrap_or_default(),
    );
    let days = days.into_values().next().unwrap_or_default();
    let exposure = ScopeExposure::read(store, settings, scope, &span)?;
    let last_complete = reading::last_complete_day(settings, scope, store.now());
    let compared = Compared::new(window, last_complete, &days, &exposure.rule());
    let summary = volume_summary(settings, &exposure.coverage, None, window);
    let covered = match &summary {
        Some(_) => store.covered_tallies(window, scope)?,
        None => Default::default(),
    };
    let tallies = Tallies {
        current: &current,
        previous: &previous,
        volume: summary.map(|s| (s, &covered)),
    };
    Ok(compared.rank(&snapshot, window, by, &focus, tallies))
}

/// Whether `year`'s ranking reads the same from two stores (`horrors migrate` proves its
/// copy with it).
pub fn same_ranking(source: &Store, copy: &Store, year: i32) -> Result<bool> {
    let window = Window::year(year)
        .ok_or_else(|| Error::internal(format!("year {year} is out of range")))?;
    let (a, b) = (
        ranking(source, &window, By::Priority, &Scope::ALL)?,
        ranking(copy, &window, By::Priority, &Scope::ALL)?,
    );
    let (a, b) = (
        serde_json::to_value(&a).map_err(|e| Error::internal(e.to_string()))?,
        serde_json::to_value(&b).map_err(|e| Error::internal(e.to_string()))?,
    );
    Ok(a == b)
}

/// The ranking of each group's ticks alone (SPEC §16), within `scope`. The q-values of
/// the changes are computed over every group together (one family).
pub fn grouped_ranking(
    store: &Store,
    window: &Window,
    by: By,
    group: Group,
    scope: &Scope,
) -> Result<GroupedRanking> {
    let reads = GroupReads::read(store, window, group, scope)?;
    let settings = &reads.snapshot.settings;
    // Each group is ranked on its own: hundreds of sites are shared out over the cores.
    let current: Vec<_> = reads.current.iter().collect();
    let mut groups: Vec<RankingGroup> =
        crate::parallel::map(&current, GROUPS_PER_THREAD, |(value, tallies)| {
            reads.rank(value, tallies, by)
        })
        .into_iter()
        .filter(|g| g.totals.count > 0)
        .collect();
    ranking::judge(groups.iter_mut().flat_map(|g| g.items.iter_mut()));
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
        tested: Tested::of(reading::tested(window, reads.last_complete).as_ref()),
        groups,
    })
}

/// Groups a thread ranks at least (fewer are not worth a thread).
const GROUPS_PER_THREAD: usize = 32;

/// What a grouped ranking reads from the store, once for every group.
struct GroupReads {
    snapshot: std::sync::Arc<crate::store::Snapshot>,
    window: Window,
    group: Group,
    focus: HashSet<String>,
    current: crate::store::rollup::Grouped,
    previous: crate::store::rollup::Grouped,
    /// Ticks on (day, site) pairs with volume, by group (empty without any volume).
    covered: crate::store::rollup::Grouped,
    coverage: Coverage,
    days: crate::store::rollup::GroupedDays,
    /// Each site's own first day for site groups; none for the others.
    first_days: BTreeMap<String, NaiveDate>,
    scope_first: Option<NaiveDate>,
    required: Vec<String>,
    now: DateTime<Utc>,
    last_complete: NaiveDate,
}

impl GroupReads {
    fn read(store: &Store, window: &Window, group: Group, scope: &Scope) -> Result<GroupReads> {
        let snapshot = store.snapshot()?;
        let settings = &snapshot.settings;
        let focus: HashSet<String> = store.focus_keys(window)?;
        let before = window.previous();
        let span = reading::span_with_sample(&[before, *window]);
        // The days of the span and both windows' totals in one read (the span holds both).
        let (days, totals) =
            store.grouped_days_and_totals(&span, &[*window, before], scope, Some(group))?;
        let [current, previous]: [crate::store::rollup::Grouped; 2] = totals
            .try_into()
            .map_err(|_| Error::internal("two windows, two totals"))?;
        let coverage = store.volume(&span, scope)?;
        let covered = if coverage.is_empty() {
            Default::default()
        } else {
            store.grouped_tallies(window, scope, group, true)?
        };
        // Each site's own first day for site groups; the scope's for the others.
        let first_days = match group {
            Group::Site => store.first_days()?,
            _ => Default::default(),
        };
        let scope_first = store.first_day(scope.stored())?;
        let required = volume::required_sites(settings, scope);
        let now = store.now();
        let last_complete = reading::last_complete_day(settings, scope, now);
        Ok(GroupReads {
            window: *window,
            group,
            focus,
            current,
            previous,
            covered,
            coverage,
            days,
            first_days,
            scope_first,
            required,
            now,
            last_complete,
            snapshot,
        })
    }

    /// The ranking of one group's ticks. A site's group is read against that site's
    /// volume, first day and clock; other groups against those of every site in scope.
    fn rank(
        &self,
        value: &Option<String>,
        tallies: &BTreeMap<String, crate::ranking::Tally>,
        by: By,
    ) -> RankingGroup {
        let (settings, window, group) = (&self.snapshot.settings, &self.window, self.group);
        let empty = BTreeMap::new();
        let (site, required, last) = match (group, value) {
            (Group::Site, value) => {
                // The group of ticks without a site (recorded before sites were
                // configured) is read on the organization's clock.
                let last = match value {
                    Some(key) => {
                        let scope = Scope::site(SiteKey::from_stored(key.clone()));
                        reading::last_complete_day(settings, &scope, self.now)
                    }
                    None => reading::last_complete_day_in(settings.tz(), self.now),
                };
                let column = value.clone().unwrap_or_default();
                (Some(column.clone()), vec![column], last)
            }
            _ => (None, self.required.clone(), self.last_complete),
        };
        let rule = ExposureRule {
            coverage: &self.coverage,
            required: &required,
            site: site.as_deref(),
            first_day: match &site {
                Some(site) => self.first_days.get(site).copied(),
                None => self.scope_first,
            },
        };
        let none = reading::DayCounts::default();
        let days = self.days.get(value).unwrap_or(&none);
        let compared = Compared::new(window, last, days, &rule);
        let summary = volume_summary(settings, &self.coverage, site.as_deref(), window);
        let tallies = Tallies {
            current: tallies,
            previous: self.previous.get(value).unwrap_or(&empty),
            volume: summary.map(|s| (s, self.covered.get(value).unwrap_or(&empty))),
        };
        let ranked = compared.rank(&self.snapshot, window, by, &self.focus, tallies);
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
            tested: ranked.tested,
            volume: ranked.volume,
            items: ranked.items,
            totals: ranked.totals,
        }
    }
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
    /// The control chart's horror (all together when `None`), Laney's correction and
    /// baseline.
    pub horror: Option<String>,
    pub laney: bool,
    pub baseline: crate::control::BaselineKind,
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
// Over 80 lines: one arm per chart, each reading what that chart draws and no more.
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
            let chart = crate::control::chart(
                store,
                &crate::control::Spec {
                    window: request.window,
                    bucket,
                    horror: request.horror.clone(),
                    laney: request.laney,
                    baseline: request.baseline,
                },
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
