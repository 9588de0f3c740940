//! Improvement cycles (SPEC §10): a window in which the team fixes up to three focus
//! horrors, and the before/during comparison that says whether it worked.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::{Window, WindowEcho};
use crate::error::Error;
use crate::money::{Currency, Minor};
use crate::ranking::{change_pct, Ranking, Tally};
use crate::store::CycleRow;

/// Most focus horrors in one cycle: a few at a time is why the method works.
pub const MAX_FOCUS: usize = 3;
/// Longest cycle, in days.
pub const MAX_CYCLE_DAYS: i64 = 366;
/// A change in the daily rate smaller than this (in %) is "unchanged".
pub const UNCHANGED_BAND_PCT: f64 = 5.0;

/// `POST /api/cycles`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CycleInput {
    /// 1 to 100 characters once trimmed, no control characters.
    #[schema(
        pattern = r"^[\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\u0000-\u001f\u007f-\u009f]{0,98}[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: String,
    /// First local day, `YYYY-MM-DD`; the cycle must end by 9999-12-31.
    #[schema(format = Date)]
    pub start: String,
    /// Length in days, 1..=366 (default: the configured window).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 366)]
    pub days: Option<i64>,
    /// Up to three different active horror keys.
    #[serde(default)]
    #[schema(max_items = 3, value_type = Vec<FocusKey>)]
    pub focus: Vec<String>,
    /// At most 2000 characters; newline and tab are the only control characters allowed.
    #[serde(default)]
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub note: Option<String>,
}

/// The key of a horror (an active one where a cycle's focus is set).
#[derive(ToSchema)]
#[schema(pattern = r"^[a-z0-9-]{1,40}$")]
#[allow(dead_code)]
pub struct FocusKey(String);

/// `PUT /api/cycles/{id}`: only name, focus and note change.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CycleUpdate {
    /// 1 to 100 characters once trimmed, no control characters.
    #[serde(default)]
    #[schema(
        pattern = r"^[\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\u0000-\u001f\u007f-\u009f]{0,98}[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    pub name: Option<String>,
    /// Up to three different active horror keys.
    #[serde(default)]
    #[schema(max_items = 3, value_type = Option<Vec<FocusKey>>)]
    pub focus: Option<Vec<String>>,
    /// At most 2000 characters; null or blank clears the note.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 2000, pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$")]
    pub note: Option<Option<String>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

/// A new cycle, checked: what the store records.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCycle {
    pub name: String,
    pub window: Window,
    pub note: Option<String>,
    pub focus: Vec<String>,
}

/// What a `PUT` changes, checked; `None` leaves a field as it is (`Some(None)` clears the
/// note).
#[derive(Debug, Clone, PartialEq)]
pub struct CycleChange {
    pub name: Option<String>,
    pub note: Option<Option<String>>,
    pub focus: Option<Vec<String>>,
}

impl CycleInput {
    /// Checks a new cycle; `default_days` (the configured window) stands in for a missing
    /// `days`. Whether the focus horrors exist and are active is the store's to say.
    pub fn validate(self, default_days: i64) -> Result<NewCycle, Error> {
        let name = validate_name(&self.name)?;
        let note = validate_note(self.note.as_deref())?;
        validate_focus(&self.focus)?;
        let start = crate::calendar::parse_date(&self.start)
            .map_err(|m| Error::invalid("invalid_start", format!("start: {m}")))?;
        let days = self.days.unwrap_or(default_days);
        if !(1..=MAX_CYCLE_DAYS).contains(&days) {
            return Err(Error::invalid(
                "invalid_days",
                format!("days must be between 1 and {MAX_CYCLE_DAYS}, got {days}"),
            ));
        }
        let end = start + chrono::Duration::days(days - 1);
        if chrono::Datelike::year(&end) > 9999 {
            return Err(Error::invalid(
                "invalid_days",
                "the cycle would end after the year 9999",
            ));
        }
        let window =
            Window::new(start, end).map_err(|e| Error::invalid("invalid_days", e.to_string()))?;
        Ok(NewCycle {
            name,
            window,
            note,
            focus: self.focus,
        })
    }
}

impl CycleUpdate {
    /// Checks a change of name, note or focus.
    pub fn validate(self) -> Result<CycleChange, Error> {
        let name = self.name.as_deref().map(validate_name).transpose()?;
        let note = match &self.note {
            None => None,
            Some(note) => Some(validate_note(note.as_deref())?),
        };
        if let Some(focus) = &self.focus {
            validate_focus(focus)?;
        }
        Ok(CycleChange {
            name,
            note,
            focus: self.focus,
        })
    }
}

fn validate_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid(
            "invalid_name",
            "name must be 1 to 100 characters",
        ));
    }
    if !crate::text::clean_name(name) {
        return Err(Error::invalid(
            "invalid_name",
            format!("name {}", crate::text::NAME_CONTROL),
        ));
    }
    Ok(name.to_string())
}

fn validate_note(note: Option<&str>) -> Result<Option<String>, Error> {
    let invalid = |message: String| Err(Error::invalid("invalid_note", message));
    match note {
        Some(n) if n.chars().count() > 2000 => {
            invalid("note must be at most 2000 characters".into())
        }
        Some(n) if !crate::text::clean_note(n) => {
            invalid(format!("note {}", crate::text::NOTE_CONTROL))
        }
        Some(n) if n.trim().is_empty() => Ok(None),
        other => Ok(other.map(str::to_string)),
    }
}

fn validate_focus(focus: &[String]) -> Result<(), Error> {
    let invalid = |message: String| Err(Error::invalid("invalid_focus", message));
    if focus.len() > MAX_FOCUS {
        return invalid(format!(
            "a cycle focuses on at most {MAX_FOCUS} horrors, got {}",
            focus.len()
        ));
    }
    for (i, key) in focus.iter().enumerate() {
        if focus[..i].contains(key) {
            return invalid(format!("focus lists {} twice", crate::text::echo(key)));
        }
    }
    Ok(())
}

/// The window a cycle covers.
pub fn window(row: &CycleRow) -> Window {
    Window::days_from(row.start, row.days)
}

pub use crate::stats::rev2::Verdict;

/// Count and cost in one of the two windows.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Period {
    pub window: WindowEcho,
    /// Days of this window that have already happened.
    pub elapsed_days: i64,
    pub count: u64,
    pub cost: String,
    #[schema(value_type = i64)]
    pub cost_minor: Minor,
}

/// One focus horror's before/during result.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FocusResult {
    pub key: String,
    pub name: String,
    pub before: Period,
    pub during: Period,
    /// Change of the count, as in the ranking; null when before is 0.
    pub change_pct: Option<f64>,
    /// Change of the daily rate (count per elapsed day), which is fair while the cycle runs.
    pub rate_change_pct: Option<f64>,
    /// What the test divides counts by: `days` until volume is recorded.
    pub exposure: crate::stats::Exposure,
    /// Days of the cycle that are over (at every site counted): the tested period.
    pub days_over: i64,
    /// Count on those days (`a` of the test; `b` is `before.count`).
    pub count_over: u64,
    /// (a/Ea) / (b/Eb); null when b = 0 or nothing is over yet.
    pub rate_ratio: Option<f64>,
    /// The scaled exact test of a against b; null when too few to tell.
    pub p_value: Option<f64>,
    /// The dispersion φ (≥ 1) of the horror's daily counts over both periods.
    pub phi: f64,
    /// Clopper–Pearson interval of the rate ratio at `ci_level`; an infinite bound is null.
    #[schema(value_type = Option<Vec<Option<f64>>>)]
    pub ci: Option<[Option<f64>; 2]>,
    /// 0.95 once final, 0.999 while the cycle runs.
    pub ci_level: f64,
    /// The cycle's last day is over: the verdict is final (else interim).
    #[serde(rename = "final")]
    pub is_final: bool,
    /// `not_started`, `too_few`, `improved`, `worse` or `no_clear_change`; the bar is
    /// p < 0.05 when final and p < 0.001 while running.
    pub verdict: Verdict,
}

/// A cycle as listed.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CycleSummary {
    pub id: i64,
    pub name: String,
    pub start: String,
    pub end: String,
    pub days: i64,
    pub focus: Vec<String>,
    pub note: Option<String>,
    pub window: WindowEcho,
    /// `planned`, `running` or `finished`, relative to today.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
}

/// `GET /api/cycles/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CycleDetail {
    #[serde(flatten)]
    pub cycle: CycleSummary,
    pub results: Vec<FocusResult>,
    pub ranking: Ranking,
}

pub fn summary(row: &CycleRow, tz: chrono_tz::Tz, today: NaiveDate) -> CycleSummary {
    let w = window(row);
    let status = if today < w.from() {
        "planned"
    } else if today > w.to() {
        "finished"
    } else {
        "running"
    };
    CycleSummary {
        id: row.id,
        name: row.name.clone(),
        start: w.from().to_string(),
        end: w.to().to_string(),
        days: row.days,
        focus: row.focus.clone(),
        note: row.note.clone(),
        window: w.echo(tz),
        status: status.into(),
        created_at: row.created_at.clone(),
        updated_at: row.updated_at.clone(),
    }
}

/// Days of `window` up to and including `today`.
pub fn elapsed_days(window: &Window, today: NaiveDate) -> i64 {
    if today < window.from() {
        0
    } else {
        (today.min(window.to()) - window.from()).num_days() + 1
    }
}

/// The days of `cycle` that are over by `today` (up to yesterday); `None` before the first.
pub fn days_over(cycle: &Window, today: NaiveDate) -> Option<Window> {
    let last = today.pred_opt()?.min(cycle.to());
    Window::spanning(cycle.from(), last)
}

/// A verdict in words: "improved", or "interim: no clear change yet" while the cycle runs.
pub fn verdict_words(lang: crate::i18n::Lang, verdict: Verdict, is_final: bool) -> String {
    let name = serde_json::to_value(verdict)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let interim = !is_final && !matches!(verdict, Verdict::NotStarted);
    let id = if interim {
        format!("verdict-interim-{name}")
    } else {
        format!("verdict-{name}")
    };
    crate::i18n::t(lang, &id)
}

/// The reference a cycle is compared with: the max(cycle days, `baseline_days`) days
/// ending the day before it starts.
pub fn reference(cycle: &Window, baseline_days: i64) -> Window {
    cycle.days_before(cycle.days().max(baseline_days))
}

/// Counts and exposures of one focus horror: the reference period (`before`), the
/// cycle so far (`during`), its complete days (`over`, exposure `e_over`), φ, and whether
/// the cycle's last day is over.
pub struct Observed {
    pub before: Tally,
    pub e_before: f64,
    pub during: Tally,
    pub over: Tally,
    pub e_over: f64,
    pub days_over: i64,
    pub phi: f64,
    pub exposure: crate::stats::Exposure,
    pub is_final: bool,
}

/// Compares a focus horror before and during the cycle (docs/statistics.md "Cycle
/// verdicts").
#[allow(clippy::too_many_arguments)]
pub fn result(
    key: &str,
    name: &str,
    observed: &Observed,
    before_window: &Window,
    cycle: &Window,
    today: NaiveDate,
    tz: chrono_tz::Tz,
    currency: Currency,
) -> FocusResult {
    let o = observed;
    let during_days = elapsed_days(cycle, today);
    let before_rate = o.before.count as f64 / before_window.days() as f64;
    let rate_change_pct = if during_days == 0 || o.before.count == 0 {
        None
    } else {
        let during_rate = o.during.count as f64 / during_days as f64;
        Some(((during_rate - before_rate) / before_rate * 1000.0).round() / 10.0)
    };
    let comparison = crate::stats::rev2::compare_cycle(
        o.over.count,
        o.before.count,
        o.e_over,
        o.e_before,
        o.phi,
        o.days_over > 0,
        o.is_final,
    );
    let period = |w: &Window, t: Tally, elapsed: i64| Period {
        window: w.echo(tz),
        elapsed_days: elapsed,
        count: t.count,
        cost: currency.format(t.cost_minor),
        cost_minor: t.cost_minor,
    };
    FocusResult {
        key: key.to_string(),
        name: name.to_string(),
        before: period(before_window, o.before, before_window.days()),
        during: period(cycle, o.during, during_days),
        change_pct: change_pct(o.during.count, o.before.count),
        rate_change_pct,
        exposure: o.exposure,
        days_over: o.days_over,
        count_over: o.over.count,
        rate_ratio: comparison.rate_ratio,
        p_value: comparison.p_value,
        phi: comparison.phi,
        ci: comparison.ci,
        ci_level: comparison.ci_level,
        is_final: comparison.is_final,
        verdict: comparison.verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    fn d(t: &str) -> NaiveDate {
        parse_date(t).unwrap()
    }

    fn tally(count: u64) -> Tally {
        Tally {
            count,
            complaints: 0,
            cost_minor: Minor::new(count as i64 * 100),
        }
    }

    #[test]
    fn the_reference_is_at_least_baseline_days_long() {
        let cycle = Window::new(d("2026-10-01"), d("2026-10-30")).unwrap();
        let r = reference(&cycle, 56);
        assert_eq!((r.from(), r.to()), (d("2026-08-06"), d("2026-09-30")));
        let long = Window::new(d("2026-10-01"), d("2026-12-29")).unwrap();
        assert_eq!(reference(&long, 56).days(), 90);
    }

    #[test]
    fn verdicts_use_the_interim_bar_until_the_cycle_is_over() {
        let usd = Currency::parse("USD").unwrap();
        let cycle = Window::new(d("2026-10-01"), d("2026-10-30")).unwrap();
        let before_window = reference(&cycle, 30);
        let tz = chrono_tz::UTC;
        let run = |before: u64, over: u64, e_over: f64, is_final: bool, today: &str| {
            let observed = Observed {
                before: tally(before),
                e_before: 30.0,
                during: tally(over),
                over: tally(over),
                e_over,
                days_over: e_over as i64,
                phi: 1.0,
                exposure: crate::stats::Exposure::Days,
                is_final,
            };
            result(
                "a",
                "A",
                &observed,
                &before_window,
                &cycle,
                d(today),
                tz,
                usd,
            )
        };
        // Finished: 30 in 30 days against 60 in 30. With equal exposures π0 = ½;
        // p = 2 · P(X ≤ 30 | n = 90, ½) (scipy 1.17.1: binom.cdf).
        let r = run(60, 30, 30.0, true, "2026-11-23");
        assert_eq!(
            (r.verdict, r.rate_ratio, r.ci_level),
            (Verdict::Improved, Some(0.5), 0.95)
        );
        assert!((r.p_value.unwrap() - 0.002_060_265_680_963_074_5).abs() < 1e-12);
        assert_eq!(r.before.window.from, "2026-09-01");
        // The same p while running does not pass the interim bar (0.001).
        let r = run(60, 30, 30.0, false, "2026-10-29");
        assert_eq!((r.verdict, r.ci_level), (Verdict::NoClearChange, 0.999));
        // "4 before, 2 during": too few to tell (expected counts under 5).
        let r = run(4, 2, 30.0, true, "2026-11-23");
        assert_eq!((r.verdict, r.p_value), (Verdict::TooFew, None));
        // Running, 9 days over: π0 = 9/39, n = 45: p = 0.153204... (scipy
        // binom.sf(14, 45, 9/39) doubled).
        let r = run(30, 15, 9.0, false, "2026-10-10");
        assert!((r.p_value.unwrap() - 0.153_204_252_394_400_16).abs() < 1e-12);
        assert_eq!(r.verdict, Verdict::NoClearChange);
        // No day over yet.
        assert_eq!(
            run(9, 0, 0.0, false, "2026-10-01").verdict,
            Verdict::NotStarted
        );
        // Nothing before: no ratio, the interval's upper bound is infinite (null).
        let r = run(0, 30, 30.0, true, "2026-11-23");
        assert_eq!(r.rate_ratio, None);
        assert!(matches!(r.ci, Some([Some(_), None])), "{:?}", r.ci);
    }

    #[test]
    fn validates_inputs() {
        let input = |json: &str| -> CycleInput { serde_json::from_str(json).unwrap() };
        // (body, default days) → the error code, or the window it makes
        let cases = [
            (
                r#"{"name":" Q1 ","start":"2026-01-01","focus":["a","b","c"]}"#,
                Ok("2026-01-01..2026-01-30"),
            ),
            (
                r#"{"name":"Q1","start":"2024-02-01","days":29}"#,
                Ok("2024-02-01..2024-02-29"),
            ),
            (
                r#"{"name":"Q1","start":"9999-12-31","days":1}"#,
                Ok("9999-12-31..9999-12-31"),
            ),
            (
                r#"{"name":"Q1","start":"9999-12-31","days":2}"#,
                Err("invalid_days"),
            ),
            (
                r#"{"name":"Q1","start":"2026-01-01","days":0}"#,
                Err("invalid_days"),
            ),
            (
                r#"{"name":"Q1","start":"2026-01-01","days":367}"#,
                Err("invalid_days"),
            ),
            (
                r#"{"name":"Q1","start":"2026-02-30"}"#,
                Err("invalid_start"),
            ),
            (r#"{"name":"  ","start":"2026-01-01"}"#, Err("invalid_name")),
            (
                r#"{"name":"a\u0007b","start":"2026-01-01"}"#,
                Err("invalid_name"),
            ),
            (
                r#"{"name":"Q1","start":"2026-01-01","note":"a\rb"}"#,
                Err("invalid_note"),
            ),
            (
                r#"{"name":"Q1","start":"2026-01-01","focus":["a","b","c","d"]}"#,
                Err("invalid_focus"),
            ),
            (
                r#"{"name":"Q1","start":"2026-01-01","focus":["a","a"]}"#,
                Err("invalid_focus"),
            ),
        ];
        for (json, want) in cases {
            let got = input(json).validate(30);
            let got = got
                .as_ref()
                .map(|c| format!("{}..{}", c.window.from(), c.window.to()))
                .map_err(Error::code);
            assert_eq!(got.as_deref().map_err(|c| *c), want, "{json}");
        }
        let cycle = input(r#"{"name":" Q1 ","start":"2026-01-01","note":"  "}"#)
            .validate(30)
            .unwrap();
        assert_eq!((cycle.name.as_str(), cycle.note), ("Q1", None));
        let update: CycleUpdate = serde_json::from_str(r#"{"note":null}"#).unwrap();
        let change = update.validate().unwrap();
        assert_eq!(
            (change.name, change.note, change.focus),
            (None, Some(None), None)
        );
        let update: CycleUpdate = serde_json::from_str(r#"{"focus":["x","x"]}"#).unwrap();
        assert_eq!(update.validate().unwrap_err().code(), "invalid_focus");
    }
}
