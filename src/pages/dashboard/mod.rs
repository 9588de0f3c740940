//! `/dashboard`: the executives' page, rendered on the server so it works without script.
//! It opens with one sentence answering "what should we fix first?", then the site and
//! window pickers, the ranked table with tiers and the change against the previous window,
//! the sites side by side, the charts, the exports, and a form for the day's volume
//! (`dashboard.js` sends it to `PUT /api/volume`).

mod data;
mod forms;
mod pickers;
mod sentences;
mod sites;
mod table;

pub use sentences::{fix_first, pareto_line, Span};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Datelike;
use maud::{html, Markup};

use crate::auth::Role;
use crate::calendar::Window;
use crate::error::{Error, Result};
use crate::http::extract::lang_of;
use crate::i18n::{rich, t, Lang};
use crate::pages::guard;
use crate::pages::layout::{self, Chrome, Here, Nav};
use crate::ranking::{change_pct, By, Tier};
use crate::report::{self};
use crate::sites::Scope;
use crate::store::rollup::Group;
use crate::store::Store;
use crate::tr;

use data::{
    choose, default_window, site_name, site_scope, site_suffix, window_query, Choice, Data,
};
use forms::{sheet_form, volume_form};
use pickers::{picker, site_picker};
use sentences::{change_words, group, rate, rate_words};
use sites::compare_sites;
use table::{change_cell, row, tier_badge};

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

/// `GET /dashboard` (viewer): takes the API's window options (`days`, `from`+`to`, `cycle`)
/// and `lang`.
// Over 80 lines: everything the page shows read in one place, then rendered.
pub async fn page(req: HttpRequest, store: web::Data<Store>) -> Result<HttpResponse> {
    let session = match guard::require(&req, &store, Role::Viewer).await? {
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
                .map(|h| (h.key.to_string(), h.name.clone()))
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

// Over 80 lines: the page's sections in reading order, in one `html!` template.
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
                    from = window.from().to_string(),
                    to = window.to().to_string(),
                    days = window.days(),
                    previous_from = previous.from().to_string(),
                    previous_to = previous.to().to_string(),
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
                @let year = window.to().year();
                li { a href={ "/api/export/annual.zip?year=" (year) "&lang=" (lang.tag()) (site_query) } download { (tr!(lang, "export-annual", year = year.to_string())) } " — " (t(lang, "export-annual-note")) }
                li { a href={ "/api/export/annual.zip?year=" (year - 1) "&lang=" (lang.tag()) (site_query) } download { (tr!(lang, "export-annual", year = (year - 1).to_string())) } }
            }
        }
        (volume_form(lang, data))
        (sheet_form(lang, data, window))
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
mod tests;
