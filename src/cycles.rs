//! Improvement cycles (SPEC §10): a window in which the team fixes up to three focus
//! horrors, and the before/during comparison that says whether it worked.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::{Window, WindowEcho};
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

pub fn validate_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err("name must be 1 to 100 characters".into());
    }
    if !crate::text::clean_name(name) {
        return Err(format!("name {}", crate::text::NAME_CONTROL));
    }
    Ok(name.to_string())
}

pub fn validate_note(note: Option<&str>) -> Result<Option<String>, String> {
    match note {
        Some(n) if n.chars().count() > 2000 => Err("note must be at most 2000 characters".into()),
        Some(n) if !crate::text::clean_note(n) => {
            Err(format!("note {}", crate::text::NOTE_CONTROL))
        }
        Some(n) if n.trim().is_empty() => Ok(None),
        other => Ok(other.map(str::to_string)),
    }
}

pub fn validate_focus(focus: &[String]) -> Result<(), String> {
    if focus.len() > MAX_FOCUS {
        return Err(format!(
            "a cycle focuses on at most {MAX_FOCUS} horrors, got {}",
            focus.len()
        ));
    }
    for (i, key) in focus.iter().enumerate() {
        if focus[..i].contains(key) {
            return Err(format!("focus lists {} twice", crate::text::echo(key)));
        }
    }
    Ok(())
}

pub fn validate_days(days: i64) -> Result<(), String> {
    if (1..=MAX_CYCLE_DAYS).contains(&days) {
        Ok(())
    } else {
        Err(format!(
            "days must be between 1 and {MAX_CYCLE_DAYS}, got {days}"
        ))
    }
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
        assert!(validate_focus(&["a".into(), "b".into(), "c".into()]).is_ok());
        assert!(validate_focus(&["a".into(), "b".into(), "c".into(), "d".into()]).is_err());
        assert!(validate_focus(&["a".into(), "a".into()]).is_err());
        assert!(
            validate_days(0).is_err() && validate_days(367).is_err() && validate_days(30).is_ok()
        );
        assert!(validate_name("  ").is_err());
        assert_eq!(validate_name(" Q1 ").unwrap(), "Q1");
    }
}
