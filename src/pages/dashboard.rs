//! `/dashboard`: the executives' page, rendered on the server so it works without script.
//! It opens with one sentence answering "what should we fix first?", then the site and
//! window pickers, the ranked table with tiers and the change against the previous window,
//! the sites side by side, the charts, the exports, and a form for the day's volume
//! (`dashboard.js` sends it to `PUT /api/volume`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Datelike;
use maud::{html, Markup};

use super::layout::{self, Chrome, Here, Nav};
use super::session;
use crate::auth::Role;
use crate::calendar::Window;
use crate::cycles::CycleSummary;
use crate::error::{Error, Result};
use crate::http::extract::{lang_of, Params};
use crate::i18n::{rich, t, Lang};
use crate::money::Currency;
use crate::ranking::{change_pct, By, RankedItem, Ranking, Tier};
use crate::report::{self, GroupedRanking};
use crate::sites::{Scope, Site};
use crate::stats::rev2::ChangeVerdict;
use crate::store::rollup::Group;
use crate::store::Store;
use crate::tr;

/// The messages `dashboard.js` uses: its key, the message id, and the placeholders it fills.
const SCRIPT_MESSAGES: &[(&str, &str, &[&str])] = &[
    ("unreachable", "admin-unreachable", &[]),
    ("serverAnswered", "admin-server-answered", &["status"]),
    ("unitsWhole", "volume-units-whole", &[]),
    ("saving", "volume-saving", &[]),
    ("saved", "volume-saved", &["units", "unit", "day"]),
    (
        "savedAt",
        "volume-saved-at",
        &["units", "unit", "day", "site"],
    ),
];

/// The windows offered as one-click choices, in days.
const QUICK_DAYS: [i64; 4] = [7, 30, 90, 365];

/// How the window was chosen, for the words around it.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// The last N days (the configured default when nothing was asked for).
    Days(i64),
    /// Explicit `from` and `to`.
    Custom,
    /// An improvement cycle, by id and name.
    Cycle(i64, String),
}

/// The words for a window and for the window before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// "in the last 30 days", "from 2026-01-01 to 2026-01-31", "during cycle “Q1”".
    pub this: String,
    /// "the previous 30 days", "the 30 days before it".
    pub previous: String,
}

impl Span {
    /// The words for `window`, chosen as `choice` says, in `lang`.
    pub fn of(lang: Lang, choice: &Choice, window: &Window) -> Span {
        let days = window.days();
        let previous = if days == 1 {
            t(lang, "span-previous-day")
        } else {
            tr!(lang, "span-previous-days", days = days)
        };
        match choice {
            Choice::Days(1) => Span {
                this: t(lang, "span-today"),
                previous,
            },
            Choice::Days(n) => Span {
                this: tr!(lang, "span-last-days", days = *n),
                previous,
            },
            Choice::Custom => Span {
                this: tr!(
                    lang,
                    "span-custom",
                    from = window.from.to_string(),
                    to = window.to.to_string()
                ),
                previous,
            },
            Choice::Cycle(_, name) => Span {
                this: tr!(lang, "span-cycle", name = name.as_str()),
                previous: if days == 1 {
                    t(lang, "span-cycle-previous-day")
                } else {
                    tr!(lang, "span-cycle-previous-days", days = days)
                },
            },
        }
    }
}

/// One sentence from the data answering "what should we fix first?".
pub fn fix_first(lang: Lang, ranking: &Ranking, currency: Currency, span: &Span) -> String {
    let Some(top) = ranking.items.first().filter(|item| item.count > 0) else {
        return tr!(lang, "fix-first-nothing", span = span.this.as_str());
    };
    let previous = span.previous.as_str();
    // The verdict, with the change in rate over complete days beside it: never a bare
    // percentage that may be noise.
    let pct = top.change_rate_pct.unwrap_or_default().abs();
    let change = match top.change_verdict {
        ChangeVerdict::Up => tr!(
            lang,
            "change-clear-up",
            pct = percent(pct),
            previous = previous
        ),
        ChangeVerdict::Down => {
            tr!(
                lang,
                "change-clear-down",
                pct = percent(pct),
                previous = previous
            )
        }
        ChangeVerdict::NoClearChange => tr!(lang, "change-unclear", previous = previous),
        ChangeVerdict::TooFew if top.previous.count == 0 => {
            tr!(lang, "change-none", previous = previous)
        }
        ChangeVerdict::TooFew => tr!(lang, "change-unknown", previous = previous),
    };
    tr!(
        lang,
        "fix-first",
        name = top.name.as_str(),
        share = percent((top.score * 100.0).round()),
        count = top.count,
        complaints = top.complaints,
        cost = currency.format_grouped(top.cost_minor),
        span = span.this.as_str(),
        change = change,
    )
}

/// "The top 2 of 6 horrors make up 83 % of the priority score." (the 80/20 view), when
/// there is anything to say.
pub fn pareto_line(lang: Lang, ranking: &Ranking) -> Option<String> {
    let counted = ranking.items.iter().filter(|item| item.count > 0).count();
    if counted < 2 {
        return None;
    }
    let mut cumulative = 0.0;
    for (i, item) in ranking.items.iter().enumerate() {
        cumulative += item.score;
        if cumulative >= 0.8 - 1e-9 {
            return Some(tr!(
                lang,
                "pareto-line",
                top = i + 1,
                total = ranking.items.len(),
                share = percent((cumulative * 100.0).round())
            ));
        }
    }
    None
}

/// `31 %`, `12.5 %` (one decimal at most, none when whole; a no-break space before `%`
/// so the sign never wraps onto a line of its own).
fn percent(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}\u{a0}%")
    } else {
        format!("{rounded:.1}\u{a0}%")
    }
}

/// "2.9 a day" or "2.9 per 1,000 shipments" (a rate always says its unit).
fn rate_words(lang: Lang, value: Option<f64>, unit: &str) -> String {
    // Two decimals below 10 ("0.82"), where one would blur a rise into noise.
    let number = value.map_or("–".to_string(), |v| {
        if v < 10.0 {
            format!("{v:.2}")
        } else {
            format!("{v:.1}")
        }
    });
    if unit == "day" {
        tr!(lang, "rate-per-day", rate = number)
    } else {
        tr!(lang, "rate-per-volume", rate = number, unit = unit)
    }
}

/// `12,345`.
fn group(n: u64) -> String {
    crate::i18n::group(i64::try_from(n).unwrap_or(i64::MAX))
}

struct Data {
    alerts: Vec<crate::alerts::Episode>,
    ranking: Ranking,
    cycles: Vec<CycleSummary>,
    currency: Currency,
    organization: String,
    default_days: i64,
    /// Every site, active ones first (empty without sites).
    sites: Vec<Site>,
    /// The caller's token is bound to a site: no picker, no comparison.
    bound: bool,
    /// The site shown, or every site.
    scope: Scope,
    /// Each site's own ranking, when every site is shown to a caller who may see them all.
    compare: Option<GroupedRanking>,
    volume_unit: String,
    /// The local day before today, at the site shown: the volume form's default day.
    yesterday: String,
    today: String,
    /// Active horrors (key, name) in catalogue order: the paper sheet's rows.
    horrors: Vec<(String, String)>,
    departments: Vec<String>,
}

/// `GET /dashboard` (viewer): takes the API's window options (`days`, `from`+`to`, `cycle`)
/// and `lang`.
pub async fn page(req: HttpRequest, store: web::Data<Store>) -> Result<HttpResponse> {
    let session = match session::require(&req, &store, Role::Viewer).await? {
        Ok(session) => session,
        Err(response) => return Ok(response),
    };
    let lang = lang_of(&req, &store);
    let (choice, window, problem) = match choose(&req, &store).await {
        Ok((choice, window)) => (choice, window, None),
        Err(Error::Invalid { message, .. }) => {
            let (choice, window) = default_window(&store)?;
            (choice, window, Some(message))
        }
        Err(other) => return Err(other),
    };
    let scope = site_scope(&req, &store, &session)?;
    let bound = session.identity.site.is_some();
    let inner = store.clone().into_inner();
    let data = web::block(move || -> Result<Data> {
        let snapshot = inner.snapshot()?;
        let settings = &snapshot.settings;

        let compare = if !bound && scope.site.is_none() && !settings.sites.is_empty() {
            Some(report::grouped_ranking(
                &inner,
                &window,
                By::Priority,
                Group::Site,
                &Scope::ALL,
            )?)
        } else {
            None
        };
        let local_today =
            crate::calendar::local_day(inner.now(), settings.site_tz(scope.site.as_deref()));
        let yesterday = local_today.pred_opt().unwrap_or(local_today);
        Ok(Data {
            horrors: snapshot
                .active()
                .map(|h| (h.key.clone(), h.name.clone()))
                .collect(),
            departments: settings.departments.clone(),
            compare,
            sites: settings.sites.clone(),
            bound,
            volume_unit: settings.volume_unit.clone(),
            yesterday: yesterday.to_string(),
            today: local_today.to_string(),
            alerts: {
                let period = crate::alerts::default_period(settings, inner.now());
                crate::alerts::episodes(
                    &inner,
                    &crate::alerts::scopes(settings, &scope),
                    &period,
                    crate::alerts::State::Open,
                )?
            },
            ranking: report::ranking(&inner, &window, By::Priority, &scope)?,
            cycles: report::cycle_list(&inner, inner.now())?,
            currency: snapshot.settings.currency(),
            organization: snapshot.settings.name.clone(),
            default_days: snapshot.settings.window_days,
            scope,
        })
    })
    .await
    .map_err(|e| Error::internal(format!("dashboard task failed: {e}")))??;
    let content = content(lang, &data, &choice, &window, problem.as_deref());
    let title = t(lang, "dashboard-title");
    let chrome = Chrome {
        title: &title,
        organization: &data.organization,
        session: Some(&session),
        nav: Nav::Dashboard,
        script: Some("dashboard.js"),
        lang,
        here: Here::of(&req),
    };
    Ok(layout::respond(
        StatusCode::OK,
        layout::page(&chrome, content),
    ))
}

async fn choose(req: &HttpRequest, store: &Store) -> Result<(Choice, Window)> {
    let params = Params::parse(req, &["lang"], true)?;
    let window = params.window(store).await?;
    let choice = if let Some(id) = params.get("cycle") {
        let id: i64 = id.parse().unwrap_or_default();
        let name = store
            .call(move |s| s.cycle(id))
            .await?
            .map(|row| row.name)
            .unwrap_or_default();
        Choice::Cycle(id, name)
    } else if params.get("from").is_some() {
        Choice::Custom
    } else {
        Choice::Days(window.days())
    };
    Ok((choice, window))
}

/// The site the dashboard shows: `site=` (empty or a bad one falls back to every site the
/// caller may see), or a site-bound token's own.
fn site_scope(
    req: &HttpRequest,
    store: &Store,
    session: &super::session::Session,
) -> Result<Scope> {
    let asked = layout::query_value(req, "site").filter(|site| !site.is_empty());
    let settings = &store.snapshot()?.settings;
    crate::http::extract::scope(asked.as_deref(), &session.identity, settings)
        .or_else(|_| crate::http::extract::scope(None, &session.identity, settings))
}

fn default_window(store: &Store) -> Result<(Choice, Window)> {
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let today = crate::calendar::local_day(store.now(), settings.tz());
    let window = Window::ending(today, settings.window_days).map_err(Error::internal)?;
    Ok((Choice::Days(settings.window_days), window))
}

/// `from=…&to=…` for the charts and exports: pinned dates, the same on every link, and
/// `&site=…` when one site is shown.
fn window_query(window: &Window, scope: &Scope) -> String {
    let mut pairs = vec![
        ("from", window.from.to_string()),
        ("to", window.to.to_string()),
    ];
    pairs.extend(scope.site.clone().map(|site| ("site", site)));
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// `&site=…` when one site is shown, for the window picker's links.
fn site_suffix(scope: &Scope) -> String {
    scope
        .site
        .as_ref()
        .map(|site| {
            format!(
                "&{}",
                serde_urlencoded::to_string([("site", site)]).unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

/// The query parameters that chose the window, so that switching site keeps it.
fn window_params(choice: &Choice, window: &Window) -> Vec<(&'static str, String)> {
    match choice {
        Choice::Days(days) => vec![("days", days.to_string())],
        Choice::Custom => vec![
            ("from", window.from.to_string()),
            ("to", window.to.to_string()),
        ],
        Choice::Cycle(id, _) => vec![("cycle", id.to_string())],
    }
}

/// A rate per 1,000 units, or a dash when there is none.
fn rate(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), |r| format!("{r:.2}"))
}

/// The name of the site shown, if one is.
fn site_name(data: &Data) -> Option<&str> {
    let key = data.scope.site.as_deref()?;
    Some(
        data.sites
            .iter()
            .find(|s| s.key == key)
            .map_or(key, |s| s.name.as_str()),
    )
}

fn content(
    lang: Lang,
    data: &Data,
    choice: &Choice,
    window: &Window,
    problem: Option<&str>,
) -> Markup {
    let ranking = &data.ranking;
    let span = Span::of(lang, choice, window);
    let previous = window.previous();
    let query = window_query(window, &data.scope);
    // Charts and the annual review are drawn in the page's language (CSV stays English).
    let chart_query = format!("{query}&lang={}", lang.tag());
    let site_query = site_suffix(&data.scope);
    let volume = ranking.volume.as_ref();
    let totals = &ranking.totals;
    let previous_total: u64 = ranking.items.iter().map(|item| item.previous.count).sum();
    let tier = |tier: Tier| tier_badge(lang, tier);
    html! {
        @if !data.alerts.is_empty() {
            section.alerts role="alert" aria-labelledby="alerts-heading" {
                h2 #alerts-heading { (tr!(lang, "alerts-heading", count = data.alerts.len())) }
                ul {
                    @for alert in &data.alerts {
                        @let name = ranking.items.iter().find(|i| i.key == alert.horror).map_or(alert.horror.as_str(), |i| i.name.as_str());
                        @let site = alert.site.as_deref().filter(|_| data.scope.site.is_none())
                            .map(|key| data.sites.iter().find(|s| s.key == key).map_or(key, |s| s.name.as_str()));
                        @let rate = |value: Option<f64>| rate_words(lang, value, &alert.rate_unit);
                        li { @match site {
                            Some(site) => { (tr!(lang, "alert-episode-site", horror = name, site = site, since = alert.opened.as_str(),
                                days = alert.signal_days, rate = rate(alert.rate), usual = rate(alert.usual))) }
                            None => { (tr!(lang, "alert-episode", horror = name, since = alert.opened.as_str(),
                                days = alert.signal_days, rate = rate(alert.rate), usual = rate(alert.usual))) }
                        } }
                    }
                }
            }
        }
        section.headline aria-labelledby="fix-first-heading" {
            h1 #fix-first-heading {
                @match site_name(data) {
                    Some(site) => { (tr!(lang, "dashboard-question-site", site = site)) }
                    None => { (t(lang, "dashboard-question")) }
                }
            }
            p.fix-first #fix-first { (fix_first(lang, ranking, data.currency, &span)) }
            @if let Some(line) = pareto_line(lang, ranking) {
                p.pareto-line { (line) }
            }
        }
        @if let Some(problem) = problem {
            p.error role="alert" {
                (tr!(lang, "dashboard-bad-window", problem = problem, days = data.default_days))
            }
        }
        @if !data.sites.is_empty() && !data.bound {
            (site_picker(lang, data, choice, window))
        }
        (picker(lang, data, choice, window))
        section aria-labelledby="ranking-heading" {
            h2 #ranking-heading { (t(lang, "dashboard-ranking")) }
            p.window-note {
                (tr!(lang, "dashboard-window-note",
                    from = window.from.to_string(),
                    to = window.to.to_string(),
                    days = window.days(),
                    previous_from = previous.from.to_string(),
                    previous_to = previous.to.to_string(),
                    count = totals.count,
                    cost = data.currency.format_grouped(totals.cost_minor),
                    change = change_words(lang, change_pct(totals.count, previous_total), previous_total)))
            }
            div.table-scroll role="region" aria-labelledby="ranking-heading" tabindex="0" {
                table.ranking #ranking {
                    caption.visually-hidden { (tr!(lang, "dashboard-caption", span = span.this.as_str())) }
                    thead {
                        tr {
                            th scope="col" { (t(lang, "col-rank")) }
                            th scope="col" { (t(lang, "col-horror")) }
                            th scope="col" { (t(lang, "col-tier")) }
                            th.num scope="col" { (t(lang, "col-count")) }
                            th.num scope="col" { (t(lang, "col-complaints")) }
                            th.num scope="col" { (tr!(lang, "col-cost-in", currency = data.currency.code())) }
                            th.num scope="col" { (t(lang, "col-previous")) }
                            th.num scope="col" { (t(lang, "col-change")) }
                            @if let Some(volume) = volume {
                                th.num scope="col" { (tr!(lang, "col-rate", unit = volume.unit.as_str())) }
                            }
                        }
                    }
                    tbody {
                        @for item in &ranking.items {
                            (row(lang, item, data.currency, volume.is_some()))
                        }
                    }
                    tfoot {
                        tr {
                            th scope="row" colspan="3" { (t(lang, "dashboard-total")) }
                            td.num { (group(totals.count)) }
                            td.num { (group(totals.complaints)) }
                            td.num { (data.currency.format_separated(totals.cost_minor)) }
                            td.num { (group(previous_total)) }
                            td.num { (change_cell(lang, change_pct(totals.count, previous_total), totals.count)) }
                            @if volume.is_some() {
                                td.num { (rate(totals.rate_per_1000)) }
                            }
                        }
                    }
                }
            }
            p.hint {
                (rich(lang, "dashboard-tiers-hint", &[
                    ("worst", tier(Tier::Worst)),
                    ("worse", tier(Tier::Worse)),
                    ("bad", tier(Tier::Bad)),
                ]))
            }
            @if let Some(volume) = volume {
                p.hint #volume-note {
                    (tr!(lang, "dashboard-volume-note",
                        unit = volume.unit.as_str(),
                        units = crate::i18n::group(volume.units),
                        pairs = volume.days_covered))
                }
            }
        }
        @if let Some(compare) = &data.compare {
            (compare_sites(lang, data, compare, choice, window, &chart_query))
        }
        section aria-labelledby="charts-heading" {
            h2 #charts-heading { (t(lang, "dashboard-charts")) }
            div.charts {
                @for name in ["pareto", "compare", "cost", "trend", "matrix"] {
                    (chart(lang, name, &chart_query))
                }
            }
        }
        section aria-labelledby="exports-heading" {
            h2 #exports-heading { (t(lang, "dashboard-exports")) }
            ul.exports {
                li { a href={ "/api/export/ranking.csv?" (query) } download { (t(lang, "export-ranking")) } " — " (t(lang, "export-this-window")) }
                li { a href={ "/api/export/ticks.csv?" (query) } download { (t(lang, "export-ticks")) } " — " (t(lang, "export-this-window")) }
                @let year = window.to.year();
                li { a href={ "/api/export/annual.zip?year=" (year) "&lang=" (lang.tag()) (site_query) } download { (tr!(lang, "export-annual", year = year.to_string())) } " — " (t(lang, "export-annual-note")) }
                li { a href={ "/api/export/annual.zip?year=" (year - 1) "&lang=" (lang.tag()) (site_query) } download { (tr!(lang, "export-annual", year = (year - 1).to_string())) } }
            }
        }
        (volume_form(lang, data))
        (sheet_form(lang, data, window))
    }
}

/// The messages the paper sheet's form uses (in `dashboard.js`).
const SHEET_MESSAGES: &[(&str, &str, &[&str])] = &[
    ("unreachable", "method-unreachable", &[]),
    ("serverAnswered", "method-server-answered", &["status"]),
    ("saved", "sheet-form-saved", &["count"]),
];

/// The paper check sheet's entry form (METHOD step 2), shaped like the printed sheet: a
/// row per horror, a column per day of the window (its last 31 days, up to today).
fn sheet_form(lang: Lang, data: &Data, window: &Window) -> Markup {
    let today = data.today.parse().unwrap_or(window.to);
    let last = window.to.min(today);
    let first = window
        .from
        .max(last - chrono::Days::new(crate::sheets::pdf::DAYS_PER_PAGE as u64 - 1));
    let days: Vec<chrono::NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let active: Vec<&Site> = data.sites.iter().filter(|s| !s.retired).collect();
    let print = format!(
        "/sheets/check-sheet.pdf?lang={}{}",
        lang.tag(),
        site_suffix(&data.scope)
    );
    html! {
        section #sheet-entry aria-labelledby="sheet-heading" data-messages=(crate::i18n::script_messages(lang, SHEET_MESSAGES)) {
            h2 #sheet-heading { (t(lang, "sheet-form-title")) }
            p.hint { (t(lang, "sheet-form-intro")) }
            p { a #print-sheet href=(print) { (t(lang, "sheet-form-print")) } }
            form #sheet-form novalidate {
                div.inline {
                    @if !data.bound && !active.is_empty() {
                        div.field {
                            label for="sheet-site" { (t(lang, "sheet-form-site")) }
                            select #sheet-site name="site" {
                                @for site in &active {
                                    option value=(site.key) selected[data.scope.site.as_deref() == Some(site.key.as_str())] { (site.name) }
                                }
                            }
                        }
                    }
                    div.field {
                        label for="sheet-department" { (t(lang, "sheet-form-department")) }
                        @if data.departments.is_empty() {
                            input #sheet-department name="department" maxlength="60";
                        } @else {
                            select #sheet-department name="department" {
                                option value="" { "—" }
                                @for department in &data.departments {
                                    option value=(department) { (department) }
                                }
                            }
                        }
                    }
                }
                div.sheet-grid {
                    table {
                        thead {
                            tr {
                                th scope="col" { (t(lang, "col-horror")) }
                                @for day in &days {
                                    th scope="col" { time datetime=(day) { (day.format("%-m/%-d")) } }
                                }
                            }
                        }
                        tbody {
                            @for (key, name) in &data.horrors {
                                tr {
                                    th scope="row" { (name) }
                                    @for day in &days {
                                        td {
                                            input.count type="number" min="0" max="1000" step="1" inputmode="numeric"
                                                data-day=(day) data-key=(key) aria-label={ (name) " " (day) };
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                button.primary type="submit" { (t(lang, "sheet-form-submit")) }
                p.form-error #sheet-error role="alert" {}
                p.form-status #sheet-status role="status" aria-live="polite" {}
            }
        }
    }
}

/// The site picker: every site or one, keeping the window; a link down to the comparison.
fn site_picker(lang: Lang, data: &Data, choice: &Choice, window: &Window) -> Markup {
    let chosen = data.scope.site.as_deref();
    html! {
        section.site-picker aria-labelledby="site-heading" {
            h2 #site-heading { (t(lang, "picker-site-heading")) }
            form.inline #site-form method="get" action="/dashboard" {
                @for (name, value) in window_params(choice, window) {
                    input type="hidden" name=(name) value=(value);
                }
                div.field {
                    select #site name="site" aria-labelledby="site-heading" {
                        option value="" selected[chosen.is_none()] { (t(lang, "picker-all-sites")) }
                        @for site in data.sites.iter().filter(|s| !s.retired) {
                            option value=(site.key) selected[chosen == Some(site.key.as_str())] { (site.name) }
                        }
                        @for site in data.sites.iter().filter(|s| s.retired) {
                            option value=(site.key) selected[chosen == Some(site.key.as_str())] {
                                (tr!(lang, "picker-site-retired", site = site.name.as_str()))
                            }
                        }
                    }
                }
                button type="submit" { (t(lang, "picker-show")) }
                @if data.compare.is_some() {
                    a.compare-link href="#compare-sites" { (t(lang, "compare-sites-link")) }
                } @else {
                    a.compare-link href={ (dashboard_href(choice, window, None)) "#compare-sites" } { (t(lang, "compare-sites-link")) }
                }
            }
        }
    }
}

/// The sites side by side: one small Pareto per site and a table of each site's totals.
fn compare_sites(
    lang: Lang,
    data: &Data,
    compare: &GroupedRanking,
    choice: &Choice,
    window: &Window,
    chart_query: &str,
) -> Markup {
    // Every active site has a row, those without ticks in the window too.
    let mut rows: Vec<(Option<&str>, String, Option<&report::RankingGroup>)> = compare
        .groups
        .iter()
        .map(|g| {
            let name = match (&g.value, &g.name) {
                (Some(_), Some(name)) => name.clone(),
                (Some(value), None) => value.clone(),
                (None, _) => t(lang, "compare-no-site"),
            };
            (g.value.as_deref(), name, Some(g))
        })
        .collect();
    for site in data.sites.iter().filter(|s| !s.retired) {
        if !compare
            .groups
            .iter()
            .any(|g| g.value.as_deref() == Some(site.key.as_str()))
        {
            rows.push((Some(site.key.as_str()), site.name.clone(), None));
        }
    }
    let unit = compare
        .groups
        .iter()
        .find_map(|g| g.volume.as_ref())
        .map(|v| v.unit.clone());
    html! {
        section #compare-sites aria-labelledby="compare-heading" {
            h2 #compare-heading { (t(lang, "compare-sites")) }
            p.hint { (t(lang, "compare-sites-intro")) }
            div.table-scroll role="region" aria-labelledby="compare-heading" tabindex="0" {
                table.sites #site-table {
                    thead {
                        tr {
                            th scope="col" { (t(lang, "col-site")) }
                            th.num scope="col" { (t(lang, "col-count")) }
                            th.num scope="col" { (tr!(lang, "col-cost-in", currency = data.currency.code())) }
                            @if let Some(unit) = &unit {
                                th.num scope="col" { (tr!(lang, "col-rate", unit = unit.as_str())) }
                            }
                            th scope="col" { (t(lang, "col-top-horror")) }
                        }
                    }
                    tbody {
                        @for (key, name, found) in &rows {
                            tr data-site=(key.unwrap_or("")) {
                                th scope="row" {
                                    @match key {
                                        Some(key) => a href=(dashboard_href(choice, window, Some(key))) { (name) },
                                        None => { (name) }
                                    }
                                }
                                td.num { (group(g_count(*found))) }
                                td.num { (data.currency.format_separated(found.map_or(0, |g| g.totals.cost_minor))) }
                                @if unit.is_some() {
                                    td.num { (rate(found.and_then(|g| g.totals.rate_per_1000))) }
                                }
                                td {
                                    @match found.and_then(|g| g.items.iter().find(|i| i.count > 0)) {
                                        Some(top) => { (top.name) " " (tier_badge(lang, top.tier)) }
                                        None => { "—" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            figure.chart.wide #chart-sites {
                figcaption { (t(lang, "dashboard-chart-sites")) " " a.png href={ "/charts/pareto.png?group=site&" (chart_query) } { "PNG" } }
                img src={ "/charts/pareto.svg?group=site&" (chart_query) } alt=(t(lang, "dashboard-chart-sites-alt")) width="960" height="540" decoding="async";
            }
        }
    }
}

/// A row's count: its group's, or 0 for a site without ticks.
fn g_count(row: Option<&report::RankingGroup>) -> u64 {
    row.map_or(0, |g| g.totals.count)
}

/// This dashboard (same window) for one site, or for every site.
fn dashboard_href(choice: &Choice, window: &Window, site: Option<&str>) -> String {
    let mut params = window_params(choice, window);
    params.extend(site.map(|site| ("site", site.to_string())));
    format!(
        "/dashboard?{}",
        serde_urlencoded::to_string(&params).unwrap_or_default()
    )
}

/// The form a supervisor uses to record a day's volume at a site (SPEC §17).
fn volume_form(lang: Lang, data: &Data) -> Markup {
    let unit = data.volume_unit.as_str();
    let active: Vec<&Site> = data.sites.iter().filter(|s| !s.retired).collect();
    html! {
        section #volume aria-labelledby="volume-heading" data-messages=(crate::i18n::script_messages(lang, SCRIPT_MESSAGES)) {
            h2 #volume-heading { (t(lang, "volume-heading")) }
            p.hint { (tr!(lang, "volume-intro", unit = unit)) }
            form.inline #volume-form novalidate data-unit=(unit) {
                div.field {
                    label for="volume-day" { (t(lang, "volume-day")) }
                    input #volume-day type="date" name="day" value=(data.yesterday) max=(data.today) required;
                }
                @if data.bound {
                    @if let Some(name) = site_name(data) {
                        p.fixed-site { (t(lang, "volume-site")) " " strong { (name) } }
                    }
                } @else if !active.is_empty() {
                    div.field {
                        label for="volume-site" { (t(lang, "volume-site")) }
                        select #volume-site name="site" {
                            @for site in &active {
                                option value=(site.key) selected[data.scope.site.as_deref() == Some(site.key.as_str())] { (site.name) }
                            }
                        }
                    }
                }
                div.field {
                    label for="volume-units" { (tr!(lang, "volume-units", unit = unit)) }
                    input #volume-units type="number" name="units" min="0" step="1" required inputmode="numeric";
                }
                button.primary type="submit" { (t(lang, "volume-save")) }
                p.form-status #volume-status role="status" aria-live="polite" {}
            }
        }
    }
}

fn picker(lang: Lang, data: &Data, choice: &Choice, window: &Window) -> Markup {
    let (custom_from, custom_to) = (window.from.to_string(), window.to.to_string());
    let site = site_suffix(&data.scope);
    let site_field = html! {
        @if let Some(site) = &data.scope.site {
            input type="hidden" name="site" value=(site);
        }
    };
    html! {
        section.picker aria-labelledby="window-heading" {
            h2 #window-heading { (t(lang, "picker-window")) }
            ul.chips {
                @for days in QUICK_DAYS {
                    li {
                        @if *choice == Choice::Days(days) {
                            a href={ "/dashboard?days=" (days) (site) } aria-current="true" { (tr!(lang, "picker-last-days", days = days)) }
                        } @else {
                            a href={ "/dashboard?days=" (days) (site) } { (tr!(lang, "picker-last-days", days = days)) }
                        }
                    }
                }
            }
            div.picker-forms {
                form.custom method="get" action="/dashboard" {
                    (site_field)
                    fieldset {
                        legend { (t(lang, "picker-custom")) }
                        div.field { label for="from" { (t(lang, "picker-from")) } input #from type="date" name="from" value=(custom_from) required; }
                        div.field { label for="to" { (t(lang, "picker-to")) } input #to type="date" name="to" value=(custom_to) required; }
                        button type="submit" { (t(lang, "picker-show")) }
                    }
                }
                form.cycle method="get" action="/dashboard" {
                    (site_field)
                    fieldset {
                        legend { (t(lang, "picker-cycle-legend")) }
                        @if data.cycles.is_empty() {
                            p.hint { (t(lang, "picker-no-cycles")) }
                        } @else {
                            div.field {
                                label for="cycle" { (t(lang, "picker-cycle")) }
                                select #cycle name="cycle" {
                                    @for cycle in &data.cycles {
                                        @let selected = matches!(choice, Choice::Cycle(id, _) if *id == cycle.id);
                                        option value=(cycle.id) selected[selected] {
                                            (tr!(lang, "picker-cycle-option",
                                                name = cycle.name.as_str(),
                                                start = cycle.start.as_str(),
                                                end = cycle.end.as_str(),
                                                status = crate::i18n::cycle_status(lang, &cycle.status)))
                                        }
                                    }
                                }
                            }
                            button type="submit" { (t(lang, "picker-show")) }
                        }
                    }
                }
            }
        }
    }
}

/// One ranked horror. When the data cannot tell it weighs more than the next one down,
/// the row says so rather than implying an order the data cannot carry; its change is a
/// verdict, with the change in rate beside a clear one.
fn row(lang: Lang, item: &RankedItem, currency: Currency, rates: bool) -> Markup {
    html! {
        tr data-key=(item.key) {
            td { (item.rank) }
            th scope="row" {
                (item.name)
                @if item.focus { " " span.badge.focus title=(t(lang, "badge-focus-title")) { (t(lang, "badge-focus")) } }
                @if item.retired { " " span.badge.retired { (t(lang, "badge-retired")) } }
                @if item.ahead_of_next == Some(false) { " " span.badge.not-ahead title=(t(lang, "badge-not-ahead-title")) { (t(lang, "badge-not-ahead")) } }
            }
            td { (tier_badge(lang, item.tier)) }
            td.num { (group(item.count)) }
            td.num { (group(item.complaints)) }
            td.num { (currency.format_separated(item.cost_minor)) }
            td.num { (group(item.previous.count)) }
            td.num {
                @match item.change_verdict {
                    ChangeVerdict::Up | ChangeVerdict::Down => {
                        span.clear title=(t(lang, "change-clear-title")) {
                            (change_cell(lang, item.change_rate_pct, item.count))
                            br;
                            small { (t(lang, "change-clear")) }
                        }
                    }
                    _ if item.count + item.previous.count == 0 => { (change_cell(lang, item.change_pct, item.count)) }
                    ChangeVerdict::NoClearChange => {
                        span.noise title=(t(lang, "change-noise-title")) { (t(lang, "change-noise")) }
                    }
                    ChangeVerdict::TooFew => {
                        span.noise title=(t(lang, "change-too-few-title")) { (t(lang, "change-too-few")) }
                    }
                }
            }
            @if rates {
                td.num { (rate(item.rate_per_1000)) }
            }
        }
    }
}

/// A tier's name in `lang` (the tier itself stays `worst`, `worse`, `bad` in the API).
pub fn tier_name(lang: Lang, tier: Tier) -> String {
    t(lang, &format!("tier-{}", tier.as_str()))
}

fn tier_badge(lang: Lang, tier: Tier) -> Markup {
    let class = match tier {
        Tier::Worst => "tier tier-worst",
        Tier::Worse => "tier tier-worse",
        Tier::Bad => "tier tier-bad",
    };
    html! { span class=(class) { (tier_name(lang, tier)) } }
}

/// ▲ for more horrors (bad, red), ▼ for fewer (good, green), "new" when there were none.
fn change_cell(lang: Lang, change: Option<f64>, count: u64) -> Markup {
    html! {
        @match change {
            Some(p) if p > 0.0 => span.change.up { span aria-hidden="true" { "▲ " } span.visually-hidden { (t(lang, "change-cell-up")) " " } (percent(p)) },
            Some(p) if p < 0.0 => span.change.down { span aria-hidden="true" { "▼ " } span.visually-hidden { (t(lang, "change-cell-down")) " " } (percent(-p)) },
            Some(_) => span.change.same { span aria-hidden="true" { "= " } span.visually-hidden { (t(lang, "change-cell-same")) " " } "0\u{a0}%" },
            None if count > 0 => span.change.up { span aria-hidden="true" { "▲ " } (t(lang, "change-cell-new")) },
            None => span.change.same { "—" },
        }
    }
}

fn change_words(lang: Lang, change: Option<f64>, previous: u64) -> String {
    match change {
        Some(p) if p > 0.0 => tr!(
            lang,
            "total-change-up",
            pct = percent(p),
            previous = previous
        ),
        Some(p) if p < 0.0 => tr!(
            lang,
            "total-change-down",
            pct = percent(-p),
            previous = previous
        ),
        Some(_) => tr!(lang, "total-change-same", previous = previous),
        None => t(lang, "total-change-none"),
    }
}

fn chart(lang: Lang, name: &str, query: &str) -> Markup {
    html! {
        figure.chart #{ "chart-" (name) } {
            figcaption { (t(lang, &format!("dashboard-chart-{name}"))) " " a.png href={ "/charts/" (name) ".png?" (query) } { "PNG" } }
            img src={ "/charts/" (name) ".svg?" (query) } alt=(t(lang, &format!("dashboard-chart-{name}-alt"))) width="960" height="540" decoding="async";
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{parse_date, WindowEcho};
    use crate::ranking::{Previous, Totals};

    fn item(rank: u32, name: &str, count: u64, score: f64, change_pct: Option<f64>) -> RankedItem {
        RankedItem {
            rank,
            key: name.to_lowercase().replace(' ', "-"),
            name: name.into(),
            pain: 9,
            unit_cost: "35.00".into(),
            count,
            complaints: 0,
            cost: String::new(),
            cost_minor: count as i64 * 3500,
            pain_points: count * 9,
            score,
            share: score,
            cumulative_share: 0.0,
            tier: Tier::Worst,
            retired: false,
            focus: false,
            // A change given is a clear one, in rate over the complete days.
            previous: Previous {
                count: u64::from(change_pct.is_some()),
                cost_minor: 0,
            },
            change_pct,
            change_p_value: None,
            change_q_value: None,
            change_significant: change_pct.is_some(),
            change_verdict: match change_pct {
                Some(p) if p > 0.0 => ChangeVerdict::Up,
                Some(p) if p < 0.0 => ChangeVerdict::Down,
                Some(_) => ChangeVerdict::NoClearChange,
                None => ChangeVerdict::TooFew,
            },
            change_rate_pct: change_pct,
            phi: 1.0,
            ahead_of_next: None,
            ahead_of_next_p_value: None,
            evidence: Default::default(),
            rate_per_1000: None,
        }
    }

    fn ranking(items: Vec<RankedItem>) -> Ranking {
        Ranking {
            window: WindowEcho {
                from: "2026-01-01".into(),
                to: "2026-01-30".into(),
                days: 30,
                timezone: "UTC".into(),
            },
            by: By::Priority,
            currency: "USD".into(),
            tested: crate::reading::Tested::of(None),
            exposure: crate::stats::Exposure::Days,
            volume: None,
            items,
            totals: Totals::default(),
        }
    }

    fn last_30() -> Span {
        let window = Window::new(
            parse_date("2026-01-01").unwrap(),
            parse_date("2026-01-30").unwrap(),
        )
        .unwrap();
        Span::of(Lang::EN, &Choice::Days(30), &window)
    }

    #[test]
    fn the_sentence_names_the_top_horror_with_its_numbers() {
        let usd = Currency::parse("USD").unwrap();
        let r = ranking(vec![
            item(1, "Late delivery", 104, 0.312, Some(12.0)),
            item(2, "Lost package", 3, 0.2, None),
        ]);
        assert_eq!(
            fix_first(Lang::EN, &r, usd, &last_30()),
            "Fix first: Late delivery — 31\u{a0}% of the priority score, 104 occurrences costing USD 3,640.00 in the last 30 days, up 12\u{a0}% on the previous 30 days — a clear change."
        );
    }

    #[test]
    fn the_sentence_covers_falls_firsts_and_complaints() {
        let usd = Currency::parse("USD").unwrap();
        let mut top = item(1, "Damaged package", 1, 1.0, Some(-50.0));
        top.complaints = 1;
        assert_eq!(
            fix_first(Lang::EN, &ranking(vec![top]), usd, &last_30()),
            "Fix first: Damaged package — 100\u{a0}% of the priority score, 1 occurrence (1 complaint) costing USD 35.00 in the last 30 days, down 50\u{a0}% on the previous 30 days — a clear change."
        );
        let r = ranking(vec![item(1, "Late delivery", 2000, 0.6, None)]);
        assert!(fix_first(Lang::EN, &r, usd, &last_30()).ends_with("2,000 occurrences costing USD 70,000.00 in the last 30 days, none in the previous 30 days."));
        let r = ranking(vec![item(1, "Late delivery", 7, 0.6, Some(12.5))]);
        assert!(fix_first(Lang::EN, &r, usd, &last_30())
            .ends_with("up 12.5\u{a0}% on the previous 30 days — a clear change."));
        // Noise is never quoted as a percentage.
        let mut noise = item(1, "Late delivery", 7, 0.6, Some(25.3));
        noise.change_verdict = ChangeVerdict::NoClearChange;
        assert!(fix_first(Lang::EN, &ranking(vec![noise]), usd, &last_30())
            .ends_with("no clear change on the previous 30 days."));
        let mut few = item(1, "Late delivery", 2, 0.6, Some(100.0));
        few.change_verdict = ChangeVerdict::TooFew;
        assert!(fix_first(Lang::EN, &ranking(vec![few]), usd, &last_30())
            .ends_with("too few to tell a change on the previous 30 days."));
    }

    #[test]
    fn an_empty_window_says_so() {
        let usd = Currency::parse("USD").unwrap();
        let r = ranking(vec![item(1, "Late delivery", 0, 0.0, None)]);
        assert!(fix_first(Lang::EN, &r, usd, &last_30())
            .starts_with("Nothing was recorded in the last 30 days"));
        assert_eq!(pareto_line(Lang::EN, &r), None);
    }

    #[test]
    fn spans_read_naturally() {
        let window = Window::new(
            parse_date("2026-03-01").unwrap(),
            parse_date("2026-03-31").unwrap(),
        )
        .unwrap();
        assert_eq!(
            Span::of(Lang::EN, &Choice::Custom, &window).this,
            "from 2026-03-01 to 2026-03-31"
        );
        let cycle = Span::of(Lang::EN, &Choice::Cycle(1, "Q1 push".into()), &window);
        assert_eq!(
            (cycle.this.as_str(), cycle.previous.as_str()),
            ("during cycle “Q1 push”", "the 31 days before it")
        );
    }

    #[test]
    fn pareto_line_counts_items_up_to_eighty_percent() {
        let r = ranking(vec![
            item(1, "A", 10, 0.5, None),
            item(2, "B", 5, 0.33, None),
            item(3, "C", 1, 0.17, None),
        ]);
        assert_eq!(
            pareto_line(Lang::EN, &r).unwrap(),
            "The top 2 of 3 horrors make up 83\u{a0}% of the priority score."
        );
    }

    #[test]
    fn numbers_are_grouped_and_percentages_trimmed() {
        assert_eq!(group(0), "0");
        assert_eq!(group(1234567), "1,234,567");
        assert_eq!(percent(31.0), "31\u{a0}%");
        assert_eq!(percent(12.46), "12.5\u{a0}%");
    }
}
