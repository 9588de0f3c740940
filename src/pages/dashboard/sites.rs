//! The sites side by side: a small Pareto per site and each site's totals.

use maud::{html, Markup};

use crate::calendar::Window;
use crate::i18n::{t, Lang};
use crate::money::Minor;
use crate::ranking::GroupedRanking;
use crate::tr;

use super::data::{Choice, Data};
use super::pickers::dashboard_href;
use super::sentences::{group, rate};
use super::table::tier_badge;

/// The sites side by side: one small Pareto per site and a table of each site's totals.
// Over 80 lines: the comparison's charts and table in one `html!` template.
pub(super) fn compare_sites(
    lang: Lang,
    data: &Data,
    compare: &GroupedRanking,
    choice: &Choice,
    window: &Window,
    chart_query: &str,
) -> Markup {
    // Every active site has a row, those without ticks in the window too.
    let mut rows: Vec<(Option<&str>, String, Option<&crate::ranking::RankingGroup>)> = compare
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
                                td.num { (data.currency.format_separated(found.map_or(Minor::ZERO, |g| g.totals.cost_minor))) }
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
pub(super) fn g_count(row: Option<&crate::ranking::RankingGroup>) -> u64 {
    row.map_or(0, |g| g.totals.count)
}
