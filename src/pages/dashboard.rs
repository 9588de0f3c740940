//! `/dashboard`: the executives' page, rendered on the server so it works without script.
//! It opens with one sentence answering "what should we fix first?", then the window
//! picker, the ranked table with tiers and the change against the previous window, the
//! charts and the exports.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Datelike;
use maud::{html, Markup};

use super::layout::{self, Chrome, Nav};
use super::session;
use crate::auth::Role;
use crate::calendar::Window;
use crate::cycles::CycleSummary;
use crate::error::{Error, Result};
use crate::http::extract::Params;
use crate::money::Currency;
use crate::ranking::{change_pct, By, RankedItem, Ranking, Tier};
use crate::report;
use crate::store::Store;

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
    pub fn of(choice: &Choice, window: &Window) -> Span {
        let days = window.days();
        let previous = if days == 1 {
            "the day before".to_string()
        } else {
            format!("the previous {days} days")
        };
        match choice {
            Choice::Days(1) => Span {
                this: "today".into(),
                previous,
            },
            Choice::Days(n) => Span {
                this: format!("in the last {n} days"),
                previous,
            },
            Choice::Custom => Span {
                this: format!("from {} to {}", window.from, window.to),
                previous,
            },
            Choice::Cycle(_, name) => Span {
                this: format!("during cycle “{name}”"),
                previous: if days == 1 {
                    "the day before it".into()
                } else {
                    format!("the {days} days before it")
                },
            },
        }
    }
}

/// One sentence from the data answering "what should we fix first?".
pub fn fix_first(ranking: &Ranking, currency: Currency, span: &Span) -> String {
    let Some(top) = ranking.items.first().filter(|item| item.count > 0) else {
        return format!(
            "Nothing was recorded {}: tally every horror as it happens, then come back to see what to fix first.",
            span.this
        );
    };
    let occurrences = if top.count == 1 {
        "occurrence"
    } else {
        "occurrences"
    };
    let complaints = match top.complaints {
        0 => String::new(),
        1 => " (1 complaint)".to_string(),
        n => format!(" ({} complaints)", group(n)),
    };
    let change = match top.change_pct {
        Some(p) if p > 0.0 => format!("up {} on {}", percent(p), span.previous),
        Some(p) if p < 0.0 => format!("down {} on {}", percent(-p), span.previous),
        Some(_) => format!("the same as {}", span.previous),
        None => format!("none in {}", span.previous),
    };
    format!(
        "Fix first: {} — {} of the priority score, {} {occurrences}{complaints} costing {} {}, {change}.",
        top.name,
        percent((top.score * 100.0).round()),
        group(top.count),
        currency.format_grouped(top.cost_minor),
        span.this,
    )
}

/// "The top 2 of 6 horrors make up 83 % of the priority score." (the 80/20 view), when
/// there is anything to say.
pub fn pareto_line(ranking: &Ranking) -> Option<String> {
    let counted = ranking.items.iter().filter(|item| item.count > 0).count();
    if counted < 2 {
        return None;
    }
    let mut cumulative = 0.0;
    for (i, item) in ranking.items.iter().enumerate() {
        cumulative += item.score;
        if cumulative >= 0.8 - 1e-9 {
            let k = i + 1;
            return Some(format!(
                "The top {k} of {} horrors make up {} of the priority score.",
                ranking.items.len(),
                percent((cumulative * 100.0).round())
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

/// `12,345`.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

struct Data {
    ranking: Ranking,
    cycles: Vec<CycleSummary>,
    currency: Currency,
    organization: String,
    default_days: i64,
}

/// `GET /dashboard` (viewer): takes the API's window options (`days`, `from`+`to`, `cycle`).
pub async fn page(req: HttpRequest, store: web::Data<Store>) -> Result<HttpResponse> {
    let session = match session::require(&req, &store, Role::Viewer).await? {
        Ok(session) => session,
        Err(response) => return Ok(response),
    };
    let (choice, window, problem) = match choose(&req, &store).await {
        Ok((choice, window)) => (choice, window, None),
        Err(Error::Invalid { message, .. }) => {
            let (choice, window) = default_window(&store)?;
            (choice, window, Some(message))
        }
        Err(other) => return Err(other),
    };
    let inner = store.clone().into_inner();
    let data = web::block(move || -> Result<Data> {
        let snapshot = inner.snapshot()?;
        Ok(Data {
            ranking: report::ranking(&inner, &window, By::Priority)?,
            cycles: report::cycle_list(&inner, inner.now())?,
            currency: snapshot.settings.currency(),
            organization: snapshot.settings.name.clone(),
            default_days: snapshot.settings.window_days,
        })
    })
    .await
    .map_err(|e| Error::internal(format!("dashboard task failed: {e}")))??;
    let content = content(&data, &choice, &window, problem.as_deref());
    let chrome = Chrome {
        title: "Dashboard",
        organization: &data.organization,
        session: Some(&session),
        nav: Nav::Dashboard,
        script: None,
    };
    Ok(layout::respond(
        StatusCode::OK,
        layout::page(&chrome, content),
    ))
}

async fn choose(req: &HttpRequest, store: &Store) -> Result<(Choice, Window)> {
    let params = Params::parse(req, &[], true)?;
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

fn default_window(store: &Store) -> Result<(Choice, Window)> {
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let today = crate::calendar::local_day(store.now(), settings.tz());
    let window = Window::ending(today, settings.window_days).map_err(Error::internal)?;
    Ok((Choice::Days(settings.window_days), window))
}

/// `from=…&to=…` for the charts and exports: pinned dates, the same on every link.
fn window_query(window: &Window) -> String {
    serde_urlencoded::to_string([
        ("from", window.from.to_string()),
        ("to", window.to.to_string()),
    ])
    .unwrap_or_default()
}

fn content(data: &Data, choice: &Choice, window: &Window, problem: Option<&str>) -> Markup {
    let ranking = &data.ranking;
    let span = Span::of(choice, window);
    let previous = window.previous();
    let query = window_query(window);
    let totals = &ranking.totals;
    let previous_total: u64 = ranking.items.iter().map(|item| item.previous.count).sum();
    html! {
        section.headline aria-labelledby="fix-first-heading" {
            h1 #fix-first-heading { "What should we fix first?" }
            p.fix-first #fix-first { (fix_first(ranking, data.currency, &span)) }
            @if let Some(line) = pareto_line(ranking) {
                p.pareto-line { (line) }
            }
        }
        @if let Some(problem) = problem {
            p.error role="alert" {
                "That window cannot be shown (" (problem) "); showing the last "
                (data.default_days) " days instead."
            }
        }
        (picker(data, choice, window))
        section aria-labelledby="ranking-heading" {
            h2 #ranking-heading { "Ranking" }
            p.window-note {
                (window.from) " to " (window.to) " (" (window.days()) " days), compared with "
                (previous.from) " to " (previous.to) ". Total "
                (group(totals.count)) " " (if totals.count == 1 { "occurrence" } else { "occurrences" })
                " costing " (data.currency.format_grouped(totals.cost_minor)) "; "
                (change_words(change_pct(totals.count, previous_total), previous_total)) "."
            }
            div.table-scroll role="region" aria-labelledby="ranking-heading" tabindex="0" {
                table.ranking #ranking {
                    caption.visually-hidden { "Horrors in priority order " (span.this) }
                    thead {
                        tr {
                            th scope="col" { "Rank" }
                            th scope="col" { "Horror" }
                            th scope="col" { "Tier" }
                            th.num scope="col" { "Count" }
                            th.num scope="col" { "Complaints" }
                            th.num scope="col" { "Cost (" (data.currency.code()) ")" }
                            th.num scope="col" { "Previous" }
                            th.num scope="col" { "Change" }
                        }
                    }
                    tbody {
                        @for item in &ranking.items {
                            (row(item, data.currency))
                        }
                    }
                    tfoot {
                        tr {
                            th scope="row" colspan="3" { "Total" }
                            td.num { (group(totals.count)) }
                            td.num { (group(totals.complaints)) }
                            td.num { (data.currency.format_separated(totals.cost_minor)) }
                            td.num { (group(previous_total)) }
                            td.num { (change_cell(change_pct(totals.count, previous_total), totals.count)) }
                        }
                    }
                }
            }
            p.hint {
                "Tiers follow the priority score (pain and cost): "
                span.tier.tier-worst { "worst" } " first, then "
                span.tier.tier-worse { "worse" } ", then "
                span.tier.tier-bad { "bad" } ". A rising count is shown in red."
            }
        }
        section aria-labelledby="charts-heading" {
            h2 #charts-heading { "Charts" }
            div.charts {
                (chart("pareto", "Pareto: priority order and cumulative share",
                    "Bars of each horror's priority score in priority order, coloured by tier, with the cumulative share and an 80 % line.", &query))
                (chart("compare", "This window against the previous one",
                    "Each horror's count in the previous window beside its count in this window.", &query))
                (chart("cost", "Cost per horror",
                    "Total cost of each horror in this window.", &query))
                (chart("trend", "Trend",
                    "Counts per horror over time with the weighted failure index.", &query))
                (chart("matrix", "Pain against cost",
                    "Each horror placed by customer pain and cost, bubble size by count; the top-right quadrant hurts most.", &query))
            }
        }
        section aria-labelledby="exports-heading" {
            h2 #exports-heading { "Exports" }
            ul.exports {
                li { a href={ "/api/export/ranking.csv?" (query) } download { "Ranking (CSV)" } " — this window" }
                li { a href={ "/api/export/ticks.csv?" (query) } download { "Every tick (CSV)" } " — this window" }
                @let year = window.to.year();
                li { a href={ "/api/export/annual.zip?year=" (year) } download { "Annual review " (year) " (ZIP)" } " — spreadsheet, charts, printable report" }
                li { a href={ "/api/export/annual.zip?year=" (year - 1) } download { "Annual review " (year - 1) " (ZIP)" } }
            }
        }
    }
}

fn picker(data: &Data, choice: &Choice, window: &Window) -> Markup {
    let (custom_from, custom_to) = (window.from.to_string(), window.to.to_string());
    html! {
        section.picker aria-labelledby="window-heading" {
            h2 #window-heading { "Window" }
            ul.chips {
                @for days in QUICK_DAYS {
                    li {
                        @if *choice == Choice::Days(days) {
                            a href={ "/dashboard?days=" (days) } aria-current="true" { "Last " (days) " days" }
                        } @else {
                            a href={ "/dashboard?days=" (days) } { "Last " (days) " days" }
                        }
                    }
                }
            }
            div.picker-forms {
                form.custom method="get" action="/dashboard" {
                    fieldset {
                        legend { "Custom dates" }
                        div.field { label for="from" { "From" } input #from type="date" name="from" value=(custom_from) required; }
                        div.field { label for="to" { "To" } input #to type="date" name="to" value=(custom_to) required; }
                        button type="submit" { "Show" }
                    }
                }
                form.cycle method="get" action="/dashboard" {
                    fieldset {
                        legend { "Improvement cycle" }
                        @if data.cycles.is_empty() {
                            p.hint { "No cycles yet. An admin starts one on the Admin page." }
                        } @else {
                            div.field {
                                label for="cycle" { "Cycle" }
                                select #cycle name="cycle" {
                                    @for cycle in &data.cycles {
                                        @let selected = matches!(choice, Choice::Cycle(id, _) if *id == cycle.id);
                                        option value=(cycle.id) selected[selected] {
                                            (cycle.name) " (" (cycle.start) " to " (cycle.end) ", " (cycle.status) ")"
                                        }
                                    }
                                }
                            }
                            button type="submit" { "Show" }
                        }
                    }
                }
            }
        }
    }
}

fn row(item: &RankedItem, currency: Currency) -> Markup {
    html! {
        tr data-key=(item.key) {
            td { (item.rank) }
            th scope="row" {
                (item.name)
                @if item.focus { " " span.badge.focus title="A focus of an improvement cycle in this window" { "focus" } }
                @if item.retired { " " span.badge.retired { "retired" } }
            }
            td { (tier_badge(item.tier)) }
            td.num { (group(item.count)) }
            td.num { (group(item.complaints)) }
            td.num { (currency.format_separated(item.cost_minor)) }
            td.num { (group(item.previous.count)) }
            td.num { (change_cell(item.change_pct, item.count)) }
        }
    }
}

fn tier_badge(tier: Tier) -> Markup {
    let class = match tier {
        Tier::Worst => "tier tier-worst",
        Tier::Worse => "tier tier-worse",
        Tier::Bad => "tier tier-bad",
    };
    html! { span class=(class) { (tier.as_str()) } }
}

/// ▲ for more horrors (bad, red), ▼ for fewer (good, green), "new" when there were none.
fn change_cell(change: Option<f64>, count: u64) -> Markup {
    html! {
        @match change {
            Some(p) if p > 0.0 => span.change.up { span aria-hidden="true" { "▲ " } span.visually-hidden { "up " } (percent(p)) },
            Some(p) if p < 0.0 => span.change.down { span aria-hidden="true" { "▼ " } span.visually-hidden { "down " } (percent(-p)) },
            Some(_) => span.change.same { span aria-hidden="true" { "= " } span.visually-hidden { "unchanged " } "0\u{a0}%" },
            None if count > 0 => span.change.up { span aria-hidden="true" { "▲ " } "new" },
            None => span.change.same { "—" },
        }
    }
}

fn change_words(change: Option<f64>, previous: u64) -> String {
    match change {
        Some(p) if p > 0.0 => format!(
            "up {} on the previous window ({})",
            percent(p),
            group(previous)
        ),
        Some(p) if p < 0.0 => format!(
            "down {} on the previous window ({})",
            percent(-p),
            group(previous)
        ),
        Some(_) => format!("the same as the previous window ({})", group(previous)),
        None => "nothing in the previous window".to_string(),
    }
}

fn chart(name: &str, title: &str, alt: &str, query: &str) -> Markup {
    html! {
        figure.chart #{ "chart-" (name) } {
            figcaption { (title) " " a.png href={ "/charts/" (name) ".png?" (query) } { "PNG" } }
            img src={ "/charts/" (name) ".svg?" (query) } alt=(alt) width="960" height="540" decoding="async";
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
            previous: Previous::default(),
            change_pct,
            change_p_value: 1.0,
            change_significant: false,
            distinct_from_next: None,
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
            exposure: crate::stats::Exposure::Days,
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
        Span::of(&Choice::Days(30), &window)
    }

    #[test]
    fn the_sentence_names_the_top_horror_with_its_numbers() {
        let usd = Currency::parse("USD").unwrap();
        let r = ranking(vec![
            item(1, "Late delivery", 104, 0.312, Some(12.0)),
            item(2, "Lost package", 3, 0.2, None),
        ]);
        assert_eq!(
            fix_first(&r, usd, &last_30()),
            "Fix first: Late delivery — 31\u{a0}% of the priority score, 104 occurrences costing USD 3,640.00 in the last 30 days, up 12\u{a0}% on the previous 30 days."
        );
    }

    #[test]
    fn the_sentence_covers_falls_firsts_and_complaints() {
        let usd = Currency::parse("USD").unwrap();
        let mut top = item(1, "Damaged package", 1, 1.0, Some(-50.0));
        top.complaints = 1;
        assert_eq!(
            fix_first(&ranking(vec![top]), usd, &last_30()),
            "Fix first: Damaged package — 100\u{a0}% of the priority score, 1 occurrence (1 complaint) costing USD 35.00 in the last 30 days, down 50\u{a0}% on the previous 30 days."
        );
        let r = ranking(vec![item(1, "Late delivery", 2000, 0.6, None)]);
        assert!(fix_first(&r, usd, &last_30()).ends_with("2,000 occurrences costing USD 70,000.00 in the last 30 days, none in the previous 30 days."));
        let r = ranking(vec![item(1, "Late delivery", 7, 0.6, Some(12.5))]);
        assert!(fix_first(&r, usd, &last_30()).ends_with("up 12.5\u{a0}% on the previous 30 days."));
    }

    #[test]
    fn an_empty_window_says_so() {
        let usd = Currency::parse("USD").unwrap();
        let r = ranking(vec![item(1, "Late delivery", 0, 0.0, None)]);
        assert!(
            fix_first(&r, usd, &last_30()).starts_with("Nothing was recorded in the last 30 days")
        );
        assert_eq!(pareto_line(&r), None);
    }

    #[test]
    fn spans_read_naturally() {
        let window = Window::new(
            parse_date("2026-03-01").unwrap(),
            parse_date("2026-03-31").unwrap(),
        )
        .unwrap();
        assert_eq!(
            Span::of(&Choice::Custom, &window).this,
            "from 2026-03-01 to 2026-03-31"
        );
        let cycle = Span::of(&Choice::Cycle(1, "Q1 push".into()), &window);
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
            pareto_line(&r).unwrap(),
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
