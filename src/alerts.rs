//! Alerts (docs/statistics.md "Alerts"): episodes of days on which a series' day control
//! chart signals high, and their delivery to a webhook — one POST when an episode opens
//! and one when it closes, signed with a timestamp, retried with backoff for 24 h, with
//! the delivery state in the database so it survives restarts and is shared by every
//! instance.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::{Bucket, Window};
use crate::config::Settings;
use crate::control::{self, BaselineKind, Spec};
use crate::error::{Error, Result};
use crate::reading::{self, Series, MAX_REACH_BACK_DAYS};
use crate::sites::Scope;
use crate::stats::rev2::{ControlPoint, Signal};
use crate::store::Store;

/// Signal days at most this many days apart belong to one episode; an episode closes
/// this many days after its last signal day.
pub const EPISODE_GAP_DAYS: i64 = 7;
/// The longest backtest (`to` − `from` + 1).
pub const MAX_BACKTEST_DAYS: i64 = 366;

/// The `[alerts]` table of the configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertsConfig {
    /// Complete days each alert's control chart covers; default 28.
    pub lookback_days: i64,
    pub webhook: Option<Webhook>,
    /// The longest one POST to the webhook may take; default 10 s.
    pub delivery_timeout_seconds: u64,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            lookback_days: 28,
            webhook: None,
            delivery_timeout_seconds: DEFAULT_DELIVERY_TIMEOUT_SECONDS,
        }
    }
}

pub use crate::config::DEFAULT_DELIVERY_TIMEOUT_SECONDS;

impl AlertsConfig {
    /// The longest one POST to the webhook may take.
    pub fn delivery_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.delivery_timeout_seconds)
    }

    /// How long a claimed event is left to the instance sending it: six times the delivery
    /// timeout, so a claim does not expire while its delivery runs.
    pub fn lease(&self) -> Duration {
        Duration::seconds(6 * self.delivery_timeout_seconds as i64)
    }
}

/// Where alerts are POSTed and the secret they are signed with.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: String,
    pub secret: String,
}

impl Webhook {
    /// The URL without `user:password@`: what logs may show.
    pub fn redacted_url(&self) -> String {
        redact(&self.url)
    }
}

/// `scheme://user:pass@host/…` → `scheme://host/…`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rfind('@') {
        Some(at) => format!("{scheme}://{}{path}", &authority[at + 1..]),
        None => url.to_string(),
    }
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret, nor credentials in the URL.
        f.debug_struct("Webhook")
            .field("url", &self.redacted_url())
            .finish_non_exhaustive()
    }
}

/// One alert episode: signal days of one series at most 7 days apart.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Episode {
    pub horror: String,
    /// The site whose series signalled; null for the whole organization's.
    pub site: Option<String>,
    /// The first signal day.
    pub opened: String,
    pub last_signal: String,
    /// `last_signal` + 7 once that day is reached; null while open.
    pub closed: Option<String>,
    /// How many signal days it holds.
    pub signal_days: u32,
    /// The kinds of signal seen (`above`, `cusum`).
    pub signals: Vec<Signal>,
    /// Count, rate, upper limit and expected count of the last signal day.
    pub count: u64,
    pub rate: Option<f64>,
    pub ucl: Option<f64>,
    pub expected: Option<f64>,
    /// `day`, or the volume unit (rates per 1,000 of it).
    pub rate_unit: String,
    /// The usual rate (the chart's centre ū) of the last signal day: what pages quote
    /// the rate against.
    #[serde(skip)]
    pub usual: Option<f64>,
}

impl Episode {
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    /// The identity of an episode: horror, site and opening day.
    pub fn id(&self) -> String {
        format!(
            "{}|{}|{}",
            self.horror,
            self.site.as_deref().unwrap_or(""),
            self.opened
        )
    }
}

/// `GET /api/alerts`.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Alerts {
    pub alerts: Vec<Episode>,
}

/// Which episodes a reading keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Open as of the last day.
    Open,
    All,
}

impl State {
    pub fn parse(text: &str) -> std::result::Result<State, crate::text::NotAllowed> {
        match text {
            "open" => Ok(State::Open),
            "all" => Ok(State::All),
            other => Err(crate::text::NotAllowed::new("state", "open or all", other)),
        }
    }
}

/// The series an alert reading covers: the organization's and every active site's, or
/// one site's.
pub fn scopes(settings: &Settings, scope: &Scope) -> Vec<Scope> {
    match &scope.site {
        Some(_) => vec![scope.clone()],
        None => std::iter::once(Scope::ALL)
            .chain(settings.active_sites().map(|s| Scope::site(s.key.clone())))
            .collect(),
    }
}

/// The default period of `GET /api/alerts`: the `lookback_days` complete days ending
/// yesterday (of every site).
pub fn default_period(settings: &Settings, now: DateTime<Utc>) -> Window {
    let to = reading::last_complete_day(settings, &Scope::ALL, now);
    Window::days_ending(to, settings.alerts_lookback_days)
}

/// The episodes of every series in `scopes` that overlap `period`, judged as of its last
/// day (or the last complete day, when that is earlier), newest first.
pub fn episodes(
    store: &Store,
    scopes: &[Scope],
    period: &Window,
    state: State,
) -> Result<Vec<Episode>> {
    let snapshot = store.snapshot()?;
    let now = store.now();
    // Each scope's series is read and judged on its own: the scopes are shared out over
    // the cores (an organization of 500 sites asks for thousands of charts).
    let parts = crate::parallel::map(scopes, SCOPES_PER_THREAD, |scope| {
        scope_episodes(store, &snapshot, scope, period, state, now)
    });
    let mut out = Vec::new();
    for part in parts {
        out.extend(part?);
    }
    out.sort_by(|a, b| {
        b.opened
            .cmp(&a.opened)
            .then_with(|| a.horror.cmp(&b.horror))
            .then_with(|| a.site.cmp(&b.site))
    });
    Ok(out)
}

/// Scopes a thread takes on at least (fewer are not worth a thread).
const SCOPES_PER_THREAD: usize = 16;

/// The episodes of one scope's series (see [`episodes`]).
fn scope_episodes(
    store: &Store,
    snapshot: &crate::store::Snapshot,
    scope: &Scope,
    period: &Window,
    state: State,
    now: DateTime<Utc>,
) -> Result<Vec<Episode>> {
    let settings = &snapshot.settings;
    let lookback = settings.alerts_lookback_days;
    let last_complete = reading::last_complete_day(settings, scope, now);
    let judged = period.to().min(last_complete);
    if judged < period.from() - Duration::days(EPISODE_GAP_DAYS) {
        return Ok(Vec::new());
    }
    // Room to walk back to an episode's opening, the chart's window and its baseline
    // at their longest reach. Most series need far less: the usual span is read first,
    // and the longest only when a chart looked further back than it and the scope has
    // ticks before it.
    let earliest = period.from() - Duration::days(MAX_REACH_BACK_DAYS);
    let longest = earliest - Duration::days(lookback + MAX_REACH_BACK_DAYS);
    let usual = period.from()
        - Duration::days(2 * EPISODE_GAP_DAYS + lookback + settings.signals.control_baseline_days);
    // Both start well over EPISODE_GAP_DAYS before the period, so before `judged`.
    let reaching_back = |from: NaiveDate| {
        Window::spanning(from, judged)
            .ok_or_else(|| Error::internal(format!("alert span from {from} ends before it")))
    };
    let compared = [reaching_back(
        period.from() - Duration::days(lookback + settings.signals.control_baseline_days),
    )?];
    let mut found = None;
    for from in [usual.max(longest), longest] {
        let span = reaching_back(from)?;
        let series = crate::series::of_scope(store, settings, scope, span, &compared)?;
        let reached = std::cell::Cell::new(judged);
        let mut episodes = Vec::new();
        for horror in snapshot.active() {
            let judge = |day: NaiveDate| {
                let (point, from) = signal_on(&series, settings, &horror.key, day, scope);
                reached.set(reached.get().min(from));
                point
            };
            episodes.extend(
                series_episodes(judge, period.from(), judged, earliest)
                    .into_iter()
                    .map(|(signals, last)| {
                        episode(
                            &horror.key,
                            scope,
                            &signals,
                            &last,
                            judged,
                            &series,
                            settings,
                        )
                    })
                    .filter(|e| state == State::All || e.is_open()),
            );
        }
        found = Some(episodes);
        if series.covers_from(reached.get()) {
            break;
        }
    }
    Ok(found.unwrap_or_default())
}

/// The point of `day` on the day chart of the `lookback_days` complete days ending it,
/// when it signals high (`above` or `cusum`), and the earliest day the chart looked at.
fn signal_on(
    series: &Series,
    settings: &Settings,
    key: &str,
    day: NaiveDate,
    scope: &Scope,
) -> (Option<ControlPoint>, NaiveDate) {
    let spec = Spec {
        window: Window::days_ending(day, settings.alerts_lookback_days),
        bucket: Bucket::Day,
        horror: Some(key.to_string()),
        laney: true,
        baseline: BaselineKind::Before,
    };
    // A chart whose window holds no tick cannot signal (the upper limit is at least 1,
    // and the CUSUM only falls on an empty day): most rare series need no chart at all.
    if series.of(Some(key)).sum(&spec.window).0 == 0 {
        return (None, spec.window.from());
    }
    let (chart, reached) =
        control::chart_reaching(series, &spec, day, settings, scope.stored(), true);
    let point = chart
        .points
        .last()
        .map(|p| p.point.clone())
        .filter(ControlPoint::is_high_alert);
    (point, reached)
}

/// One episode's signal days (each with its kinds) and the last day's point.
type EpisodeDays = (Vec<(NaiveDate, Vec<Signal>)>, ControlPoint);

/// Signal days grouped into episodes (each: its days, and the last day's point) that
/// reach into [from, judged]: days from `from` to `judged`, and before `from` as far as
/// an episode reaching `from` goes back (at most to `earliest`).
fn series_episodes(
    judge: impl Fn(NaiveDate) -> Option<ControlPoint>,
    from: NaiveDate,
    judged: NaiveDate,
    earliest: NaiveDate,
) -> Vec<EpisodeDays> {
    let gap = Duration::days(EPISODE_GAP_DAYS);
    let mut found: Vec<(NaiveDate, ControlPoint)> = Vec::new();
    let mut day = from;
    while day <= judged {
        if let Some(point) = judge(day) {
            found.push((day, point));
        }
        day += Duration::days(1);
    }
    // Walk back while a signal day could still belong to an episode that reaches `from`
    // (closed on or after it).
    let mut reach = from - gap;
    let mut day = from - Duration::days(1);
    let mut before = Vec::new();
    while day >= reach && day >= earliest {
        if let Some(point) = judge(day) {
            reach = day - gap;
            before.push((day, point));
        }
        day -= Duration::days(1);
    }
    before.reverse();
    before.extend(found);
    let mut episodes: Vec<EpisodeDays> = Vec::new();
    for (day, point) in before {
        let kinds = point.signals.clone();
        match episodes.last_mut() {
            Some((days, last)) if day - days.last().map_or(day, |d| d.0) <= gap => {
                days.push((day, kinds));
                *last = point;
            }
            _ => episodes.push((vec![(day, kinds)], point)),
        }
    }
    episodes
}

fn episode(
    horror: &str,
    scope: &Scope,
    days: &[(NaiveDate, Vec<Signal>)],
    last: &ControlPoint,
    judged: NaiveDate,
    series: &Series,
    settings: &Settings,
) -> Episode {
    let opened = days.first().map(|d| d.0).unwrap_or(judged);
    let last_signal = days.last().map(|d| d.0).unwrap_or(judged);
    let closes = last_signal + Duration::days(EPISODE_GAP_DAYS);
    let mut signals: Vec<Signal> = Vec::new();
    for kind in [Signal::Above, Signal::Cusum] {
        if days.iter().any(|d| d.1.contains(&kind)) {
            signals.push(kind);
        }
    }
    Episode {
        horror: horror.to_string(),
        site: scope.site.clone().map(String::from),
        opened: opened.to_string(),
        last_signal: last_signal.to_string(),
        closed: (closes <= judged).then(|| closes.to_string()),
        signal_days: days.len() as u32,
        signals,
        count: last.count,
        rate: last.rate,
        ucl: last.ucl,
        expected: last.expected,
        rate_unit: control::rate_unit(settings, series.kind()),
        usual: match (last.expected, last.exposure) {
            (Some(expected), n) if n > 0.0 => Some(expected / n),
            _ => None,
        },
    }
}

mod delivery;
pub use delivery::*;

#[cfg(test)]
mod tests;
