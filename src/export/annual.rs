//! The annual review ZIP (SPEC §11): the year and the year before, as CSV, XLSX, a
//! self-contained HTML report and charts. Ticks stream from the database into the archive;
//! at no point are all of a year's ticks in memory.

use std::io::{Seek, Write};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use maud::{html, Markup, PreEscaped};
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

use crate::calendar::Window;
use crate::cycles::CycleDetail;
use crate::error::{Error, Result};
use crate::i18n::{t, Lang};
use crate::money::Minor;
use crate::ranking::{By, Ranking};
use crate::report;
use crate::sites::Scope;
use crate::store::Store;
use crate::tr;

/// Years the annual review accepts.
pub const YEARS: std::ops::RangeInclusive<i32> = 1970..=9998;

fn zip_error(e: zip::result::ZipError) -> Error {
    Error::internal(format!("writing ZIP: {e}"))
}

fn io_error(e: std::io::Error) -> Error {
    Error::internal(format!("writing ZIP: {e}"))
}

/// Why a `year` was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum YearError {
    #[error("year {} is not a number such as 2026", crate::text::echo(.0))]
    NotANumber(String),
    /// Outside [`YEARS`].
    #[error("year must be between {start} and {end}, got {0}", start = YEARS.start(), end = YEARS.end())]
    OutOfRange(i32),
}

/// Parses and checks a `year` parameter.
pub fn parse_year(text: &str) -> std::result::Result<i32, YearError> {
    let year: i32 = text
        .parse()
        .map_err(|_| YearError::NotANumber(text.to_string()))?;
    if YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(YearError::OutOfRange(year))
    }
}

/// Everything computed for one year.
struct Year {
    year: i32,
    window: Window,
    ranking: Ranking,
    months: Vec<(String, Ranking)>,
}

fn year(store: &Store, year: i32, scope: &Scope) -> Result<Year> {
    let window = Window::year(year)
        .ok_or_else(|| Error::invalid("invalid_year", format!("no such year {year}")))?;
    let ranking = report::ranking(store, &window, By::Priority, scope)?;
    let mut months = Vec::with_capacity(12);
    for month in 1..=12 {
        let from =
            NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| Error::internal("bad month"))?;
        let month_window = crate::calendar::Bucket::Month.window_at(from);
        let ranking = report::ranking(store, &month_window, By::Priority, scope)?;
        months.push((format!("{year}-{month:02}"), ranking));
    }
    Ok(Year {
        year,
        window,
        ranking,
        months,
    })
}

/// Writes the annual review of `year` as a ZIP to `out`, in the organization's language.
pub fn write<W: Write + Seek>(
    store: &Store,
    year_number: i32,
    now: DateTime<Utc>,
    out: W,
) -> Result<()> {
    let lang = store.snapshot()?.settings.language;
    write_in(store, year_number, now, lang, &Scope::ALL, out)
}

/// Writes the annual review of `year` as a ZIP to `out`, its README, review.html,
/// workbook and charts in `lang` (the CSV files stay English, SPEC §20).
// Over 80 lines: the ZIP's files (README, review, workbook, charts, CSV) written in order.
pub fn write_in<W: Write + Seek>(
    store: &Store,
    year_number: i32,
    now: DateTime<Utc>,
    lang: Lang,
    scope: &Scope,
    out: W,
) -> Result<()> {
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let covers = Covers::of(lang, settings, scope);
    let currency = settings.currency();
    let this = year(store, year_number, scope)?;
    let before = year(store, year_number - 1, scope)?;
    let cycles: Vec<CycleDetail> = report::cycle_list(store, now)?
        .into_iter()
        .filter(|c| {
            c.start.as_str() <= this.window.to().to_string().as_str()
                && c.end.as_str() >= this.window.from().to_string().as_str()
        })
        .map(|c| report::cycle_detail(store, c.id, now, scope))
        .collect::<Result<_>>()?;

    let mut zip = ZipWriter::new(out);
    let local = now.with_timezone(&settings.tz()).naive_local();
    let stamp = zip::DateTime::from_date_and_time(
        local.year().clamp(1980, 2107) as u16,
        local.month() as u8,
        local.day() as u8,
        chrono::Timelike::hour(&local) as u8,
        chrono::Timelike::minute(&local) as u8,
        chrono::Timelike::second(&local) as u8,
    )
    .unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true)
        .last_modified_time(stamp);
    let file =
        |zip: &mut ZipWriter<W>, name: &str| zip.start_file(name, options).map_err(zip_error);

    file(&mut zip, "README.txt")?;
    zip.write_all(readme(lang, settings, &covers, &this, &before, now).as_bytes())
        .map_err(io_error)?;

    file(&mut zip, "ranking.csv")?;
    super::csv::ranking(&this.ranking, &mut zip)?;
    if before.ranking.totals.count > 0 {
        file(&mut zip, &format!("ranking-{}.csv", before.year))?;
        super::csv::ranking(&before.ranking, &mut zip)?;
    }
    file(&mut zip, "ranking-by-month.csv")?;
    super::csv::ranking_by_month(&this.months, &mut zip)?;
    if before.ranking.totals.count > 0 {
        file(&mut zip, &format!("ranking-by-month-{}.csv", before.year))?;
        super::csv::ranking_by_month(&before.months, &mut zip)?;
    }
    // Per-site rankings of both years where sites exist and the export covers them all.
    if !settings.sites.is_empty() && scope.site.is_none() {
        for y in [&this, &before] {
            if y.year == this.year || y.ranking.totals.count > 0 {
                let grouped = report::grouped_ranking(
                    store,
                    &y.window,
                    By::Priority,
                    crate::store::rollup::Group::Site,
                    scope,
                )?;
                let name = if y.year == this.year {
                    "ranking-by-site.csv".to_string()
                } else {
                    format!("ranking-by-site-{}.csv", y.year)
                };
                file(&mut zip, &name)?;
                super::csv::ranking_by_group(&grouped, &mut zip)?;
            }
        }
    }
    file(&mut zip, "ticks.csv")?;
    super::csv::ticks(store, &this.window, scope, false, &mut zip)?;
    file(&mut zip, "cycles.csv")?;
    super::csv::cycles(&cycles, &mut zip)?;
    // The year's nominations and their fate: where next year's run of the method starts.
    let tz = settings.tz();
    // The first instant of a local day (a day that starts in a DST gap starts at 01:00).
    let midnight = |day: NaiveDate| -> DateTime<Utc> {
        use chrono::TimeZone;
        (0..3)
            .find_map(|h| {
                tz.from_local_datetime(&day.and_hms_opt(h, 0, 0)?)
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    let next = NaiveDate::from_ymd_opt(year_number + 1, 1, 1).unwrap_or(this.window.to());
    let proposed = store.nominations_between(midnight(this.window.from()), midnight(next))?;
    file(&mut zip, "nominations.csv")?;
    super::csv::nominations(&proposed, &mut zip)?;

    let scratch = tempfile::NamedTempFile::new().map_err(io_error)?;
    super::xlsx::write(
        store,
        &super::xlsx::Review {
            year: this.year,
            scope,
            currency,
            ranking: &this.ranking,
            previous_year: &before.ranking,
            months: &this.months,
            cycles: &cycles,
            window: this.window,
            lang,
        },
        scratch.path(),
    )?;
    file(&mut zip, "review.xlsx")?;
    let mut xlsx = std::fs::File::open(scratch.path()).map_err(io_error)?;
    std::io::copy(&mut xlsx, &mut zip).map_err(io_error)?;

    let mut charts: Vec<(String, Vec<u8>)> = Vec::new();
    for y in [&this, &before] {
        if y.year == this.year || y.ranking.totals.count > 0 {
            charts.extend(super::charts_in(
                store,
                &y.window,
                &format!("{}-", y.year),
                report::today(store, now)?,
                Some(lang),
                scope,
            )?);
        }
    }
    file(&mut zip, "review.html")?;
    zip.write_all(
        review_html(
            lang, settings, &covers, &this, &before, &cycles, &charts, now,
        )
        .into_string()
        .as_bytes(),
    )
    .map_err(io_error)?;
    for (name, bytes) in &charts {
        file(&mut zip, &format!("charts/{name}"))?;
        zip.write_all(bytes).map_err(io_error)?;
    }
    zip.finish().map_err(zip_error)?;
    Ok(())
}

/// Writes the ZIP (in `lang`) to a temporary file and returns it, rewound, for streaming.
pub fn to_tempfile(
    store: &Store,
    year: i32,
    now: DateTime<Utc>,
    lang: Lang,
    scope: &Scope,
) -> Result<std::fs::File> {
    let mut file = tempfile::tempfile().map_err(io_error)?;
    write_in(store, year, now, lang, scope, &mut file)?;
    file.rewind().map_err(io_error)?;
    Ok(file)
}

/// Whom a review covers, as its texts name it: the organization, or one of its sites.
struct Covers {
    /// The organization's name, followed by the site's where the review covers one.
    organization: String,
    /// `(name, key)` of the one site covered.
    site: Option<(String, String)>,
}

impl Covers {
    fn of(lang: Lang, settings: &crate::config::Settings, scope: &Scope) -> Covers {
        let site = scope.site.as_deref().map(|key| {
            let name = settings
                .site(key)
                .map_or_else(|| key.to_string(), |s| s.name.clone());
            (name, key.to_string())
        });
        let organization = match &site {
            None => settings.name.clone(),
            Some((name, key)) => tr!(
                lang,
                "review-organization-site",
                organization = settings.name.as_str(),
                site = name.as_str(),
                key = key.as_str()
            ),
        };
        Covers { organization, site }
    }

    /// The title: "Annual review 2026", or "Annual review 2026: Site name".
    fn title(&self, lang: Lang, year: &str) -> String {
        match &self.site {
            None => tr!(lang, "review-title", year = year),
            Some((name, _)) => tr!(lang, "review-title-site", year = year, site = name.as_str()),
        }
    }
}

/// The file name of a review: `horrors-annual-2026.zip`, or `horrors-annual-2026-KEY.zip`
/// for one site's.
pub fn file_name(year: i32, scope: &Scope) -> String {
    match &scope.site {
        None => format!("horrors-annual-{year}.zip"),
        Some(key) => format!("horrors-annual-{year}-{key}.zip"),
    }
}

/// README.txt: what is inside and how every number is computed, with CRLF line ends.
fn readme(
    lang: Lang,
    settings: &crate::config::Settings,
    covers: &Covers,
    this: &Year,
    before: &Year,
    now: DateTime<Utc>,
) -> String {
    let text = tr!(
        lang,
        "readme",
        year = this.year.to_string(),
        previous_year = before.year.to_string(),
        organization = covers.organization.as_str(),
        made = crate::ticks::rfc3339(now),
        timezone = settings.timezone.name(),
        from = this.window.from().to_string(),
        to = this.window.to().to_string(),
        currency = settings.currency.code(),
        pain_weight = settings.pain_weight.to_string(),
        cost_weight = settings.cost_weight.to_string(),
        worst = settings.worst.to_string(),
        worse = settings.worse.to_string(),
        count = this.ranking.totals.count,
        cost = this.ranking.totals.cost.as_str(),
        previous_count = before.ranking.totals.count,
        previous_cost = before.ranking.totals.cost.as_str(),
    );
    let mut text = text;
    if let Some((name, key)) = &covers.site {
        // Right under the title, so nobody reads it as the whole organization's.
        let note = tr!(
            lang,
            "readme-site",
            site = name.as_str(),
            key = key.as_str()
        );
        text = match text.split_once("\n\n") {
            Some((head, rest)) => format!("{head}\n\n{note}\n\n{rest}"),
            None => format!("{text}\n\n{note}"),
        };
    }
    let mut out = text.replace('\n', "\r\n");
    out.push_str("\r\n");
    out
}

/// The system fonts review.html falls back to after its embedded ones.
const SYSTEM_FONTS: &str =
    r#"system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK JP", sans-serif"#;

const REVIEW_CSS: &str = r#"
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { color: #1b1f24; margin: 0 auto; max-width: 190mm; line-height: 1.4; }
h1 { font-size: 22pt; margin: 0 0 2mm; } h2 { font-size: 14pt; margin: 8mm 0 2mm; border-bottom: 1px solid #c9d1d9; padding-bottom: 1mm; }
p.lede { font-size: 12pt; margin: 0 0 4mm; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; page-break-inside: auto; }
th, td { border-bottom: 1px solid #d8dee4; padding: 1.2mm 1.5mm; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
.tier { display: inline-block; padding: 0 2mm; border-radius: 2mm; font-size: 8pt; font-weight: 600; }
.worst { background: #fbe3d6; color: #8a2b00; } .worse { background: #fdf0cc; color: #6b4b00; } .bad { background: #e4ecf4; color: #24425e; }
figure { margin: 4mm 0; page-break-inside: avoid; } figure svg { width: 100%; height: auto; }
figcaption { font-size: 9pt; color: #57606a; }
.muted { color: #57606a; }
@media print { h2 { page-break-after: avoid; } figure { page-break-inside: avoid; } }
"#;

// Over 80 lines: the review's HTML in reading order, in one template.
#[allow(clippy::too_many_arguments)]
fn review_html(
    lang: Lang,
    settings: &crate::config::Settings,
    covers: &Covers,
    this: &Year,
    before: &Year,
    cycles: &[CycleDetail],
    charts: &[(String, Vec<u8>)],
    now: DateTime<Utc>,
) -> Markup {
    // Each inlined chart gets its own glyph ids: one HTML document has one id namespace.
    let svg = |name: &str| {
        charts.iter().position(|(n, _)| n == name).map(|i| {
            let text = String::from_utf8_lossy(&charts[i].1);
            PreEscaped(crate::charts::scope_ids(
                strip_xml_declaration(&text),
                &format!("c{i}"),
            ))
        })
    };
    let top = this.ranking.items.first().filter(|i| i.count > 0);
    let currency = settings.currency();
    let money = |minor: Minor| currency.format_grouped(minor);
    let (year, previous_year) = (this.year.to_string(), before.year.to_string());
    let pct = |value: f64| format!("{value:+.1} %");
    let verdict =
        |r: &crate::cycles::FocusResult| crate::cycles::verdict_words(lang, r.verdict, r.is_final);
    let captions = [
        ("pareto", "review-caption-pareto"),
        ("cost", "review-caption-cost"),
        ("matrix", "review-caption-matrix"),
        ("trend", "review-caption-trend"),
        ("compare", "review-caption-compare"),
    ];
    let body = html! {
        h1 { (covers.title(lang, &year)) }
        p.lede {
            (tr!(lang, "review-lede", organization = covers.organization.as_str(),
                from = this.window.from().to_string(), to = this.window.to().to_string(),
                timezone = settings.timezone.name()))
            " "
            @if let Some(top) = top {
                (crate::i18n::rich(lang, "review-fix-first", &[
                    ("name", html! { strong { (top.name) } }),
                    ("details", html! { (tr!(lang, "review-fix-first-details",
                        count = top.count,
                        cost = money(top.cost_minor),
                        share = format!("{:.0} %", top.score * 100.0))) }),
                ]))
            } @else {
                (t(lang, "review-no-ticks"))
            }
        }
        p.muted { (tr!(lang, "review-totals",
            count = this.ranking.totals.count, year = year.as_str(),
            previous_count = before.ranking.totals.count, previous_year = previous_year.as_str(),
            cost = money(this.ranking.totals.cost_minor),
            previous_cost = money(before.ranking.totals.cost_minor))) }
        h2 { (tr!(lang, "review-ranking", year = year.as_str())) }
        table {
            thead { tr {
                th.n { "#" } th { (t(lang, "col-horror")) } th { (t(lang, "col-tier")) }
                th.n { (t(lang, "col-count")) } th.n { (t(lang, "col-complaints")) }
                th.n { (tr!(lang, "review-col-cost", currency = settings.currency.code())) }
                th.n { (t(lang, "review-col-pain-points")) } th.n { (t(lang, "review-col-score")) }
                th.n { (tr!(lang, "review-col-versus", year = previous_year.as_str())) }
            } }
            tbody {
                @for item in &this.ranking.items {
                    @let prev = before.ranking.items.iter().find(|p| p.key == item.key).map(|p| p.count).unwrap_or(0);
                    tr {
                        td.n { (item.rank) }
                        td { (item.name) @if item.retired { span.muted { " (" (t(lang, "badge-retired")) ")" } } }
                        td { span class={"tier " (item.tier.as_str())} { (t(lang, &format!("tier-{}", item.tier.as_str()))) } }
                        td.n { (item.count) } td.n { (item.complaints) } td.n { (currency.format_separated(item.cost_minor)) } td.n { (item.pain_points) }
                        td.n { (format!("{:.1} %", item.score * 100.0)) }
                        td.n { (crate::ranking::change_pct(item.count, prev).map(pct).unwrap_or_else(|| "—".into())) }
                    }
                }
            }
        }
        @for (name, caption) in captions {
            @if let Some(chart) = svg(&format!("{}-{name}.svg", this.year)) {
                figure { (chart) figcaption { (tr!(lang, caption, year = year.as_str())) } }
            }
        }
        h2 { (t(lang, "review-cycles")) }
        @if cycles.is_empty() {
            p.muted { (tr!(lang, "review-no-cycles", year = year.as_str())) }
        } @else {
            table {
                thead { tr {
                    th { (t(lang, "review-col-cycle")) } th { (t(lang, "review-col-window")) } th { (t(lang, "review-col-focus")) }
                    th.n { (t(lang, "review-col-before")) } th.n { (t(lang, "review-col-during")) } th.n { (t(lang, "col-change")) }
                    th { (t(lang, "review-col-verdict")) }
                } }
                tbody {
                    @for c in cycles {
                        @if c.results.is_empty() {
                            tr { td { (c.cycle.name) } td { (c.cycle.start) " – " (c.cycle.end) } td colspan="5" { (t(lang, "review-no-focus")) } }
                        }
                        @for r in &c.results {
                            tr { td { (c.cycle.name) } td { (c.cycle.start) " – " (c.cycle.end) } td { (r.name) } td.n { (r.before.count) } td.n { (r.during.count) }
                                td.n { (r.change_pct.map(pct).unwrap_or_else(|| "—".into())) }
                                td { (verdict(r)) } }
                        }
                    }
                }
            }
        }
        h2 { (t(lang, "review-by-month")) }
        table {
            thead { tr {
                th { (t(lang, "review-col-month")) } th.n { (t(lang, "col-count")) }
                th.n { (tr!(lang, "review-col-cost", currency = settings.currency.code())) }
                th { (t(lang, "review-col-worst-horror")) }
            } }
            tbody {
                @for (month, ranking) in &this.months {
                    tr { td { (month) } td.n { (ranking.totals.count) } td.n { (currency.format_separated(ranking.totals.cost_minor)) }
                        td { (ranking.items.first().filter(|i| i.count > 0).map(|i| i.name.as_str()).unwrap_or("—")) } }
                }
            }
        }
        @if before.ranking.totals.count > 0 {
            h2 { (tr!(lang, "review-year-before", year = previous_year.as_str())) }
            @if let Some(chart) = svg(&format!("{}-pareto.svg", before.year)) {
                figure { (chart) figcaption { (tr!(lang, "review-caption-pareto-before", year = previous_year.as_str())) } }
            }
        }
        p.muted { (tr!(lang, "review-made", made = now.format("%Y-%m-%d %H:%M UTC").to_string())) }
    };
    // The text is drawn with subsets of the charts' embedded fonts, so it renders (CJK and
    // emoji included) where the reader has no fonts for it; the charts carry their own glyphs.
    let (font_css, families) = match crate::fonts::web_fonts(&visible_text(&body.0)) {
        Ok(fonts) => (fonts.css, fonts.families),
        Err(e) => {
            tracing::warn!("review.html goes without embedded fonts: {e}");
            (String::new(), String::new())
        }
    };
    let body_font = if families.is_empty() {
        format!("body {{ font-family: {SYSTEM_FONTS}; }}")
    } else {
        format!("body {{ font-family: {families}, {SYSTEM_FONTS}; }}")
    };
    let head = html! {
        title { (covers.title(lang, &year)) " — " (covers.organization) }
        style { (PreEscaped(font_css)) (PreEscaped(body_font)) (PreEscaped(REVIEW_CSS)) }
    };
    crate::html::document(lang, head, body)
}

/// The characters HTML `markup` shows as text: outside tags and outside inline `<svg>`
/// (charts draw their own glyphs), with character references decoded.
fn visible_text(markup: &str) -> String {
    let mut out = String::with_capacity(markup.len() / 2);
    let mut rest = markup;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('&') {
            let end = rest.find(';').filter(|&e| e <= 10);
            let decoded = end.and_then(|e| match &rest[1..e] {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{A0}'),
                r if r.starts_with("#x") || r.starts_with("#X") => u32::from_str_radix(&r[2..], 16)
                    .ok()
                    .and_then(char::from_u32),
                r if r.starts_with('#') => r[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            });
            match (end, decoded) {
                (Some(e), Some(c)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                _ => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        } else if rest.starts_with("<svg") {
            rest = match rest.find("</svg>") {
                Some(e) => &rest[e + "</svg>".len()..],
                None => "",
            };
        } else {
            rest = match rest.find('>') {
                Some(e) => &rest[e + 1..],
                None => "",
            };
        }
    }
    out.push_str(rest);
    out
}

fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// The year of today in the organization's timezone (the default for the CLI).
pub fn current_year(store: &Store, now: DateTime<Utc>) -> Result<i32> {
    Ok(report::today(store, now)?.year())
}

#[cfg(test)]
mod tests;
