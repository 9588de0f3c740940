//! CSV exports: RFC 4180 via the `csv` crate, UTF-8 with a BOM (so Excel reads CJK), and
//! every text cell that a spreadsheet would run as a formula neutralised.

use std::borrow::Cow;
use std::io::Write;

use crate::calendar::Window;
use crate::cycles::CycleDetail;
use crate::error::{Error, Result};
use crate::ranking::Ranking;
use crate::sites::Scope;
use crate::store::Store;

/// UTF-8 byte order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Prefixes `'` to a cell starting with `=`, `+`, `-`, `@`, tab or CR, which spreadsheets
/// would otherwise evaluate (OWASP's CSV injection advice).
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['\t', '\r']) {
        return Cow::Owned(format!("'{cell}"));
    }
    // Spreadsheets skip leading blanks before a formula: " =1+1" is a formula too.
    match cell.trim_start().chars().next() {
        Some('=' | '+' | '-' | '@') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::internal(format!("writing CSV: {e}"))
}

fn writer<W: Write>(mut out: W) -> Result<csv::Writer<W>> {
    out.write_all(BOM)
        .map_err(|e| Error::internal(e.to_string()))?;
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out))
}

/// Column names of `ticks.csv`.
pub const TICK_COLUMNS: [&str; 17] = [
    "id",
    "day",
    "occurred_at",
    "horror",
    "horror_name",
    "qty",
    "source",
    "department",
    "note",
    "cost",
    "cost_minor",
    "recorded_at",
    "recorded_by",
    "voided",
    "void_reason",
    "site",
    "sheet",
];

/// Streams the window's ticks, oldest first, without holding them in memory.
pub fn ticks<W: Write>(
    store: &Store,
    window: &Window,
    scope: &Scope,
    include_voided: bool,
    out: W,
) -> Result<()> {
    let snapshot = store.snapshot()?;
    let names: std::collections::HashMap<&str, &str> = snapshot
        .horrors
        .iter()
        .map(|h| (h.key.as_str(), h.name.as_str()))
        .collect();
    let mut csv = writer(out)?;
    csv.write_record(TICK_COLUMNS).map_err(csv_error)?;
    store.for_each_tick(window, scope, include_voided, |t: crate::ticks::Tick| {
        let id = t.id.to_string();
        let qty = t.qty.to_string();
        let cost_minor = t.cost_minor.to_string();
        let name = names.get(t.horror.as_str()).copied().unwrap_or("");
        let sheet = t.sheet.map(|id| id.to_string()).unwrap_or_default();
        let record: [&str; 17] = [
            &id,
            &t.day,
            &t.occurred_at,
            &neutralise(&t.horror),
            &neutralise(name),
            &qty,
            t.source.as_str(),
            &neutralise(t.department.as_deref().unwrap_or("")),
            &neutralise(t.note.as_deref().unwrap_or("")),
            &t.cost,
            &cost_minor,
            &t.recorded_at,
            &neutralise(&t.recorded_by),
            if t.voided { "true" } else { "false" },
            &neutralise(t.void_reason.as_deref().unwrap_or("")),
            &neutralise(t.site.as_deref().unwrap_or("")),
            &sheet,
        ];
        csv.write_record(record).map_err(csv_error)
    })?;
    csv.flush().map_err(|e| Error::internal(e.to_string()))
}

/// Column names of `ranking.csv`.
pub const RANKING_COLUMNS: [&str; 26] = [
    "rank",
    "key",
    "name",
    "tier",
    "count",
    "complaints",
    "cost",
    "cost_minor",
    "pain",
    "pain_points",
    "score",
    "share",
    "cumulative_share",
    "previous_count",
    "previous_cost_minor",
    "change_pct",
    "retired",
    "focus",
    "from",
    "to",
    "rate_per_1000",
    "change_rate_pct",
    "change_p_value",
    "change_q_value",
    "change_verdict",
    "ahead_of_next",
];

fn ranking_rows<W: Write>(
    csv: &mut csv::Writer<W>,
    ranking: &Ranking,
    prefix: &[&str],
) -> Result<()> {
    for item in &ranking.items {
        let mut record: Vec<Cow<'_, str>> = prefix.iter().map(|p| Cow::Borrowed(*p)).collect();
        record.extend([
            item.rank.to_string().into(),
            neutralise(&item.key),
            neutralise(&item.name),
            item.tier.as_str().into(),
            item.count.to_string().into(),
            item.complaints.to_string().into(),
            item.cost.as_str().into(),
            item.cost_minor.to_string().into(),
            item.pain.to_string().into(),
            item.pain_points.to_string().into(),
            format!("{:.6}", item.score).into(),
            format!("{:.6}", item.share).into(),
            format!("{:.6}", item.cumulative_share).into(),
            item.previous.count.to_string().into(),
            item.previous.cost_minor.to_string().into(),
            item.change_pct
                .map(|c| format!("{c:.1}"))
                .unwrap_or_default()
                .into(),
            item.retired.to_string().into(),
            item.focus.to_string().into(),
            ranking.window.from.as_str().into(),
            ranking.window.to.as_str().into(),
            item.rate_per_1000
                .map(|r| format!("{r:.2}"))
                .unwrap_or_default()
                .into(),
            item.change_rate_pct
                .map(|c| format!("{c:.1}"))
                .unwrap_or_default()
                .into(),
            item.change_p_value
                .map(|p| format!("{p:e}"))
                .unwrap_or_default()
                .into(),
            item.change_q_value
                .map(|q| format!("{q:e}"))
                .unwrap_or_default()
                .into(),
            snake(&item.change_verdict).into(),
            item.ahead_of_next
                .map(|a| a.to_string())
                .unwrap_or_default()
                .into(),
        ]);
        csv.write_record(record.iter().map(|c| c.as_ref()))
            .map_err(csv_error)?;
    }
    Ok(())
}

/// A unit enum as its JSON name (`no_clear_change`).
fn snake<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// One row per ranked horror.
pub fn ranking<W: Write>(ranking: &Ranking, out: W) -> Result<()> {
    let mut csv = writer(out)?;
    csv.write_record(RANKING_COLUMNS).map_err(csv_error)?;
    ranking_rows(&mut csv, ranking, &[])?;
    csv.flush().map_err(|e| Error::internal(e.to_string()))
}

/// One ranking per group (SPEC §16), the group's value and name in the first columns.
pub fn ranking_by_group<W: Write>(grouped: &crate::ranking::GroupedRanking, out: W) -> Result<()> {
    let mut csv = writer(out)?;
    let group = grouped.group.as_str();
    let name = format!("{group}_name");
    csv.write_record([group, name.as_str()].into_iter().chain(RANKING_COLUMNS))
        .map_err(csv_error)?;
    for g in &grouped.groups {
        let ranking = Ranking {
            window: grouped.window.clone(),
            by: grouped.by,
            currency: grouped.currency.clone(),
            exposure: g.exposure,
            tested: g.tested.clone(),
            volume: g.volume.clone(),
            items: g.items.clone(),
            totals: g.totals.clone(),
        };
        let value = neutralise(g.value.as_deref().unwrap_or(""));
        let name = neutralise(g.name.as_deref().unwrap_or(""));
        ranking_rows(&mut csv, &ranking, &[&value, &name])?;
    }
    csv.flush().map_err(|e| Error::internal(e.to_string()))
}

/// One ranking per month, the month (`YYYY-MM`) in the first column.
pub fn ranking_by_month<W: Write>(months: &[(String, Ranking)], out: W) -> Result<()> {
    let mut csv = writer(out)?;
    csv.write_record(std::iter::once("month").chain(RANKING_COLUMNS))
        .map_err(csv_error)?;
    for (month, ranking) in months {
        ranking_rows(&mut csv, ranking, &[month])?;
    }
    csv.flush().map_err(|e| Error::internal(e.to_string()))
}

/// One row per cycle and focus horror with its before/during result.
pub fn cycles<W: Write>(cycles: &[CycleDetail], out: W) -> Result<()> {
    let mut csv = writer(out)?;
    csv.write_record([
        "cycle_id",
        "cycle",
        "start",
        "end",
        "days",
        "status",
        "focus",
        "focus_name",
        "before_count",
        "during_count",
        "before_cost_minor",
        "during_cost_minor",
        "change_pct",
        "rate_change_pct",
        "verdict",
        "p_value",
        "rate_ratio",
        "final",
        "note",
    ])
    .map_err(csv_error)?;
    for detail in cycles {
        let c = &detail.cycle;
        let base = [
            c.id.to_string(),
            neutralise(&c.name).into_owned(),
            c.start.clone(),
            c.end.clone(),
            c.days.to_string(),
            c.status.clone(),
        ];
        let note = neutralise(c.note.as_deref().unwrap_or("")).into_owned();
        if detail.results.is_empty() {
            let mut row: Vec<String> = base.to_vec();
            row.extend(std::iter::repeat_n(String::new(), 12));
            row.push(note.clone());
            csv.write_record(&row).map_err(csv_error)?;
        }
        for r in &detail.results {
            let mut row: Vec<String> = base.to_vec();
            row.extend([
                neutralise(&r.key).into_owned(),
                neutralise(&r.name).into_owned(),
                r.before.count.to_string(),
                r.during.count.to_string(),
                r.before.cost_minor.to_string(),
                r.during.cost_minor.to_string(),
                r.change_pct.map(|c| format!("{c:.1}")).unwrap_or_default(),
                r.rate_change_pct
                    .map(|c| format!("{c:.1}"))
                    .unwrap_or_default(),
                snake(&r.verdict),
                r.p_value.map(|p| format!("{p:e}")).unwrap_or_default(),
                r.rate_ratio.map(|x| format!("{x}")).unwrap_or_default(),
                r.is_final.to_string(),
                note.clone(),
            ]);
            csv.write_record(&row).map_err(csv_error)?;
        }
    }
    csv.flush().map_err(|e| Error::internal(e.to_string()))
}

/// Column names of `nominations.csv` (the annual review's list of the year's nominations).
pub const NOMINATION_COLUMNS: [&str; 12] = [
    "id",
    "created_at",
    "title",
    "description",
    "example",
    "by",
    "support",
    "state",
    "horror",
    "reason",
    "decided_at",
    "decided_by",
];

/// The nominations, most supported first, every text cell neutralised.
pub fn nominations<W: Write>(list: &[crate::nominations::Nomination], out: W) -> Result<()> {
    let mut csv = writer(out)?;
    csv.write_record(NOMINATION_COLUMNS).map_err(csv_error)?;
    for n in list {
        let (id, support) = (n.id.to_string(), n.support.to_string());
        let text = |value: &Option<String>| neutralise(value.as_deref().unwrap_or("")).into_owned();
        let record: [&str; 12] = [
            &id,
            &n.created_at,
            &neutralise(&n.title),
            &text(&n.description),
            &text(&n.example),
            &neutralise(&n.by),
            &support,
            n.state.as_str(),
            &text(&n.horror),
            &text(&n.reason),
            n.decided_at.as_deref().unwrap_or(""),
            &text(&n.decided_by),
        ];
        csv.write_record(record).map_err(csv_error)?;
    }
    csv.flush().map_err(|e| Error::internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_formula_cells() {
        let cases = [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Late delivery", "Late delivery"),
            ("配送", "配送"),
            ("", ""),
            ("a=b", "a=b"),
            (" =1+1", "' =1+1"),
            ("\u{a0}\u{3000}+1", "'\u{a0}\u{3000}+1"),
            ("\n=1", "'\n=1"),
            ("  -", "'  -"),
            ("  ", "  "),
        ];
        for (input, expected) in cases {
            assert_eq!(neutralise(input), expected, "{input:?}");
        }
    }
}
