//! `review.xlsx`: the annual review as a workbook with typed cells, money as numbers in
//! the currency's format, frozen header rows and sensible column widths.

use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::calendar::Window;
use crate::cycles::CycleDetail;
use crate::error::{Error, Result};
use crate::i18n::{t, Lang};
use crate::money::{Currency, Minor};
use crate::ranking::Ranking;
use crate::store::Store;

/// Most tick rows in the workbook; `ticks.csv` beside it always has them all.
pub const MAX_TICK_ROWS: u32 = 200_000;

fn xlsx(e: XlsxError) -> Error {
    Error::internal(format!("writing XLSX: {e}"))
}

/// Everything the workbook shows.
pub struct Review<'a> {
    pub year: i32,
    /// The site (or every site) the review covers.
    pub scope: &'a crate::sites::Scope,
    pub currency: Currency,
    pub ranking: &'a Ranking,
    pub previous_year: &'a Ranking,
    pub months: &'a [(String, Ranking)],
    pub cycles: &'a [CycleDetail],
    pub window: Window,
    /// The language of sheet names, headers and notes (names and keys stay as written).
    pub lang: Lang,
}

fn money_format(currency: Currency) -> Format {
    let digits = currency.minor_digits() as usize;
    let pattern = if digits == 0 {
        "#,##0".to_string()
    } else {
        format!("#,##0.{}", "0".repeat(digits))
    };
    Format::new().set_num_format(format!("{pattern} \"{}\"", currency.code()))
}

fn major(minor: Minor, currency: Currency) -> f64 {
    // Exact for every amount below 2^53 minor units; only the cell display uses floats.
    minor.get() as f64 / 10f64.powi(currency.minor_digits() as i32)
}

/// Writes a day (`YYYY-MM-DD`) or an instant (RFC 3339, UTC) as a real spreadsheet date,
/// so it sorts and filters as one; text only if it cannot be read (never expected).
fn date_cell(sheet: &mut Worksheet, r: u32, c: u16, text: &str, format: &Format) -> Result<()> {
    let parsed = if text.len() > 10 {
        chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| {
                t.with_timezone(&chrono::Utc)
                    .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                    .to_string()
            })
            .and_then(|t| ExcelDateTime::parse_from_str(&t).ok())
    } else {
        ExcelDateTime::parse_from_str(text).ok()
    };
    match parsed {
        Some(date) => sheet.write_datetime_with_format(r, c, &date, format),
        None => sheet.write_string(r, c, text),
    }
    .map_err(xlsx)?;
    Ok(())
}

fn day_format() -> Format {
    Format::new().set_num_format("yyyy-mm-dd")
}

fn instant_format() -> Format {
    Format::new().set_num_format("yyyy-mm-dd hh:mm:ss")
}

/// The header row: each column's message id (or text) and width, in `lang`.
fn header(sheet: &mut Worksheet, lang: Lang, columns: &[(&str, f64)]) -> Result<()> {
    let bold = Format::new().set_bold().set_background_color("#E8EEF4");
    for (i, (id, width)) in columns.iter().enumerate() {
        let name = if id.starts_with("xlsx-") {
            t(lang, id)
        } else {
            (*id).to_string()
        };
        sheet
            .write_string_with_format(0, i as u16, name, &bold)
            .map_err(xlsx)?;
        sheet.set_column_width(i as u16, *width).map_err(xlsx)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    Ok(())
}

fn ranking_sheet(
    sheet: &mut Worksheet,
    lang: Lang,
    rows: &[(Option<&str>, &Ranking)],
    currency: Currency,
) -> Result<()> {
    let money = money_format(currency);
    let pct = Format::new().set_num_format("0.0%");
    let month_col = rows.first().is_some_and(|(m, _)| m.is_some());
    let mut columns: Vec<(&str, f64)> = Vec::new();
    if month_col {
        columns.push(("xlsx-month", 9.0));
    }
    columns.extend([
        ("xlsx-rank", 6.0),
        ("xlsx-key", 18.0),
        ("xlsx-horror", 32.0),
        ("xlsx-tier", 8.0),
        ("xlsx-count", 9.0),
        ("xlsx-complaints", 11.0),
        ("xlsx-cost", 16.0),
        ("xlsx-pain", 6.0),
        ("xlsx-pain-points", 11.0),
        ("xlsx-score", 8.0),
        ("xlsx-cumulative", 11.0),
        ("xlsx-change-vs-previous", 18.0),
    ]);
    header(sheet, lang, &columns)?;
    let mut r = 1u32;
    for (month, ranking) in rows {
        for item in &ranking.items {
            let mut c = 0u16;
            if let Some(month) = month {
                sheet.write_string(r, c, *month).map_err(xlsx)?;
                c += 1;
            }
            sheet.write_number(r, c, item.rank).map_err(xlsx)?;
            sheet.write_string(r, c + 1, &item.key).map_err(xlsx)?;
            sheet.write_string(r, c + 2, &item.name).map_err(xlsx)?;
            sheet
                .write_string(r, c + 3, t(lang, &format!("tier-{}", item.tier.as_str())))
                .map_err(xlsx)?;
            sheet
                .write_number(r, c + 4, item.count as f64)
                .map_err(xlsx)?;
            sheet
                .write_number(r, c + 5, item.complaints as f64)
                .map_err(xlsx)?;
            sheet
                .write_number_with_format(r, c + 6, major(item.cost_minor, currency), &money)
                .map_err(xlsx)?;
            sheet.write_number(r, c + 7, item.pain).map_err(xlsx)?;
            sheet
                .write_number(r, c + 8, item.pain_points as f64)
                .map_err(xlsx)?;
            sheet
                .write_number_with_format(r, c + 9, item.score, &pct)
                .map_err(xlsx)?;
            sheet
                .write_number_with_format(r, c + 10, item.cumulative_share, &pct)
                .map_err(xlsx)?;
            if let Some(change) = item.change_pct {
                sheet
                    .write_number_with_format(r, c + 11, change / 100.0, &pct)
                    .map_err(xlsx)?;
            }
            r += 1;
        }
    }
    Ok(())
}

/// Writes the workbook to `path`. The Ticks sheet streams rows (constant memory).
// Over 80 lines: the workbook's sheets written one after another, in the order they appear.
pub fn write(store: &Store, review: &Review<'_>, path: &Path) -> Result<()> {
    let currency = review.currency;
    let lang = review.lang;
    let money = money_format(currency);
    let mut book = Workbook::new();

    let sheet = book
        .add_worksheet()
        .set_name(t(lang, "xlsx-sheet-ranking"))
        .map_err(xlsx)?;
    ranking_sheet(sheet, lang, &[(None, review.ranking)], currency)?;

    let sheet = book
        .add_worksheet()
        .set_name(t(lang, "xlsx-sheet-by-month"))
        .map_err(xlsx)?;
    let months: Vec<(Option<&str>, &Ranking)> = review
        .months
        .iter()
        .map(|(m, r)| (Some(m.as_str()), r))
        .collect();
    ranking_sheet(sheet, lang, &months, currency)?;

    let sheet = book
        .add_worksheet()
        .set_name(t(lang, "xlsx-sheet-cycles"))
        .map_err(xlsx)?;
    header(
        sheet,
        lang,
        &[
            ("xlsx-cycle", 24.0),
            ("xlsx-start", 11.0),
            ("xlsx-end", 11.0),
            ("xlsx-status", 9.0),
            ("xlsx-focus", 28.0),
            ("xlsx-before", 9.0),
            ("xlsx-during", 9.0),
            ("xlsx-cost-before", 16.0),
            ("xlsx-cost-during", 16.0),
            ("xlsx-change", 9.0),
            ("xlsx-verdict", 10.0),
        ],
    )?;
    let status = |status: &str| crate::i18n::cycle_status(lang, status);
    let pct = Format::new().set_num_format("0.0%");
    let day = day_format();
    let mut r = 1u32;
    for detail in review.cycles {
        let c = &detail.cycle;
        if detail.results.is_empty() {
            // A cycle without focus horrors still belongs in the year's record.
            sheet.write_string(r, 0, &c.name).map_err(xlsx)?;
            date_cell(sheet, r, 1, &c.start, &day)?;
            date_cell(sheet, r, 2, &c.end, &day)?;
            sheet.write_string(r, 3, status(&c.status)).map_err(xlsx)?;
            sheet
                .write_string(r, 4, t(lang, "xlsx-no-focus"))
                .map_err(xlsx)?;
            r += 1;
        }
        for result in &detail.results {
            sheet.write_string(r, 0, &c.name).map_err(xlsx)?;
            date_cell(sheet, r, 1, &c.start, &day)?;
            date_cell(sheet, r, 2, &c.end, &day)?;
            sheet.write_string(r, 3, status(&c.status)).map_err(xlsx)?;
            sheet.write_string(r, 4, &result.name).map_err(xlsx)?;
            sheet
                .write_number(r, 5, result.before.count as f64)
                .map_err(xlsx)?;
            sheet
                .write_number(r, 6, result.during.count as f64)
                .map_err(xlsx)?;
            sheet
                .write_number_with_format(r, 7, major(result.before.cost_minor, currency), &money)
                .map_err(xlsx)?;
            sheet
                .write_number_with_format(r, 8, major(result.during.cost_minor, currency), &money)
                .map_err(xlsx)?;
            if let Some(change) = result.change_pct {
                sheet
                    .write_number_with_format(r, 9, change / 100.0, &pct)
                    .map_err(xlsx)?;
            }
            let verdict = crate::cycles::verdict_words(lang, result.verdict, result.is_final);
            sheet.write_string(r, 10, verdict).map_err(xlsx)?;
            r += 1;
        }
    }

    let sheet = book
        .add_worksheet_with_constant_memory()
        .set_name(t(lang, "xlsx-sheet-ticks"))
        .map_err(xlsx)?;
    header(
        sheet,
        lang,
        &[
            ("xlsx-id", 9.0),
            ("xlsx-day", 11.0),
            ("xlsx-occurred-at", 20.0),
            ("xlsx-horror", 28.0),
            ("xlsx-qty", 6.0),
            ("xlsx-source", 10.0),
            ("xlsx-department", 14.0),
            ("xlsx-note", 30.0),
            ("xlsx-cost", 14.0),
            ("xlsx-recorded-by", 14.0),
        ],
    )?;
    let sources: Vec<String> = crate::ticks::Source::ALL
        .iter()
        .map(|s| t(lang, &format!("source-{}", s.as_str())))
        .collect();
    let mut r = 1u32;
    let mut truncated = false;
    let (day, instant) = (day_format(), instant_format());
    let names: std::collections::HashMap<String, String> = store
        .snapshot()?
        .horrors
        .iter()
        .map(|h| (h.key.to_string(), h.name.clone()))
        .collect();
    // One row past the sheet's limit is enough to know it is truncated.
    let limit = i64::from(MAX_TICK_ROWS) + 1;
    store.for_each_tick_up_to(
        &review.window,
        review.scope,
        false,
        limit,
        |t: crate::ticks::Tick| {
            if r > MAX_TICK_ROWS {
                truncated = true;
                return Ok(());
            }
            sheet.write_number(r, 0, t.id as f64).map_err(xlsx)?;
            date_cell(sheet, r, 1, &t.day, &day)?;
            date_cell(sheet, r, 2, &t.occurred_at, &instant)?;
            sheet
                .write_string(
                    r,
                    3,
                    names
                        .get(t.horror.as_str())
                        .map_or(t.horror.as_str(), String::as_str),
                )
                .map_err(xlsx)?;
            sheet.write_number(r, 4, t.qty as f64).map_err(xlsx)?;
            let index = crate::ticks::Source::ALL
                .iter()
                .position(|s| *s == t.source)
                .unwrap_or(0);
            let source = &sources[index];
            sheet.write_string(r, 5, source).map_err(xlsx)?;
            sheet
                .write_string(r, 6, t.department.as_deref().unwrap_or(""))
                .map_err(xlsx)?;
            sheet
                .write_string(r, 7, t.note.as_deref().unwrap_or(""))
                .map_err(xlsx)?;
            sheet
                .write_number_with_format(r, 8, major(t.cost_minor, currency), &money)
                .map_err(xlsx)?;
            sheet.write_string(r, 9, &t.recorded_by).map_err(xlsx)?;
            r += 1;
            Ok(())
        },
    )?;
    if truncated {
        let note = crate::tr!(lang, "xlsx-truncated", rows = MAX_TICK_ROWS);
        sheet.write_string(r, 0, note).map_err(xlsx)?;
    }

    let sheet = book
        .add_worksheet()
        .set_name(t(lang, "xlsx-sheet-year-over-year"))
        .map_err(xlsx)?;
    let (this_year, last_year) = (review.year.to_string(), (review.year - 1).to_string());
    let count_in = |year: &str| crate::tr!(lang, "xlsx-count-in", year = year);
    let cost_in = |year: &str| crate::tr!(lang, "xlsx-cost-in", year = year);
    header(
        sheet,
        lang,
        &[
            ("xlsx-horror", 32.0),
            (&count_in(&last_year), 12.0),
            (&count_in(&this_year), 12.0),
            ("xlsx-change", 9.0),
            (&cost_in(&last_year), 16.0),
            (&cost_in(&this_year), 16.0),
        ],
    )?;
    for (i, item) in review.ranking.items.iter().enumerate() {
        let r = i as u32 + 1;
        let before = review
            .previous_year
            .items
            .iter()
            .find(|p| p.key == item.key);
        let (count_before, cost_before) = before
            .map(|p| (p.count, p.cost_minor))
            .unwrap_or((0, Minor::ZERO));
        sheet.write_string(r, 0, &item.name).map_err(xlsx)?;
        sheet
            .write_number(r, 1, count_before as f64)
            .map_err(xlsx)?;
        sheet.write_number(r, 2, item.count as f64).map_err(xlsx)?;
        if let Some(change) = crate::ranking::change_pct(item.count, count_before) {
            sheet
                .write_number_with_format(r, 3, change / 100.0, &pct)
                .map_err(xlsx)?;
        }
        sheet
            .write_number_with_format(r, 4, major(cost_before, currency), &money)
            .map_err(xlsx)?;
        sheet
            .write_number_with_format(r, 5, major(item.cost_minor, currency), &money)
            .map_err(xlsx)?;
    }

    book.save(path).map_err(xlsx)
}
