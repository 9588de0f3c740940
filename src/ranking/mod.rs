//! The ranking of horrors (SPEC §8): counts, pain points, cost, priority score, tiers and
//! the change against the previous window. Pure functions over totals, computed once and
//! rendered many times (API, CLI, charts, exports).

mod grouped;

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::stats::rev2::{self, ChangeVerdict};
use crate::stats::Exposure;
use utoipa::ToSchema;

use crate::calendar::WindowEcho;
use crate::catalogue::Horror;
pub use crate::config::Weights;
use crate::money::{Currency, Minor};
pub use grouped::{Group, GroupedRanking, RankingGroup};

/// Totals of one horror over a window, voided ticks excluded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Σ qty.
    pub count: u64,
    /// Σ qty of ticks with `source = complaint`.
    pub complaints: u64,
    /// Σ tick cost in minor units.
    pub cost_minor: Minor,
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        self.count += other.count;
        self.complaints += other.complaints;
        self.cost_minor += other.cost_minor;
    }
}

/// The measure a ranking is ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum By {
    Priority,
    Count,
    Cost,
    Pain,
}

impl By {
    /// Parses `priority`, `count`, `cost` or `pain`.
    pub fn parse(text: &str) -> Result<Self, crate::text::NotAllowed> {
        match text {
            "priority" => Ok(By::Priority),
            "count" => Ok(By::Count),
            "cost" => Ok(By::Cost),
            "pain" => Ok(By::Pain),
            _ => Err(crate::text::NotAllowed::new(
                "by",
                "one of priority, count, cost, pain",
                text,
            )),
        }
    }
}

/// Bad, worse, worst: where a horror falls in the priority order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Worst,
    Worse,
    Bad,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Worst => "worst",
            Tier::Worse => "worse",
            Tier::Bad => "bad",
        }
    }
}

/// Count and cost of the window of equal length just before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Previous {
    pub count: u64,
    #[schema(value_type = i64)]
    pub cost_minor: Minor,
}

/// One ranked horror.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct RankedItem {
    pub rank: u32,
    pub key: String,
    pub name: String,
    pub pain: u8,
    /// Current unit cost, decimal string.
    pub unit_cost: String,
    pub count: u64,
    pub complaints: u64,
    /// Σ tick cost, decimal string with the currency's minor digits.
    pub cost: String,
    #[schema(value_type = i64)]
    pub cost_minor: Minor,
    /// count × current pain.
    pub pain_points: u64,
    /// Priority score; scores sum to 1 when there is any tick.
    pub score: f64,
    /// This item's part of the ordering measure's total.
    pub share: f64,
    /// Running sum of `share` down the order.
    pub cumulative_share: f64,
    pub tier: Tier,
    pub retired: bool,
    /// A focus of a cycle whose window overlaps this one.
    pub focus: bool,
    pub previous: Previous,
    /// (count − previous count) / previous count × 100, one decimal; null when previous is 0.
    pub change_pct: Option<f64>,
    /// The scaled exact test of the tested period's count against the previous window's,
    /// with the reading's exposure and dispersion; null when too few to tell.
    pub change_p_value: Option<f64>,
    /// Benjamini–Hochberg q-value over every p-value of the response; null with the p-value.
    pub change_q_value: Option<f64>,
    /// `change_q_value` < 0.05: a change worth acting on, not noise.
    pub change_significant: bool,
    /// `up` / `down` (significant), `no_clear_change` or `too_few`.
    pub change_verdict: ChangeVerdict,
    /// ((a/Ea)/(b/Eb) − 1) × 100, one decimal: the change in rate over complete days;
    /// null when the previous count or the tested exposure is 0.
    pub change_rate_pct: Option<f64>,
    /// The dispersion φ of this horror's counts (≥ 1) used by the change test.
    pub phi: f64,
    /// Whether this item's measure is clearly larger than the next item's (one-sided
    /// scaled test, p < 0.05); null for the last item and when too few.
    pub ahead_of_next: Option<bool>,
    pub ahead_of_next_p_value: Option<f64>,
    /// Σ qty of its ticks on (day, site) pairs with recorded volume × 1000 / Σ units of
    /// those pairs, 2 decimals (SPEC §17); null when there are no such units.
    pub rate_per_1000: Option<f64>,
    /// What the tests were computed from.
    #[serde(skip)]
    pub evidence: Evidence,
}

/// What an item's tests are computed from: the counts of the tested period (a) and the
/// previous window (b), their exposures, φ over both periods and φ over the tested
/// period alone (for `ahead_of_next`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evidence {
    pub a: u64,
    pub b: u64,
    pub ea: f64,
    pub eb: f64,
    pub phi: f64,
    pub phi_tested: f64,
}

impl Default for Evidence {
    fn default() -> Self {
        Evidence {
            a: 0,
            b: 0,
            ea: 0.0,
            eb: 0.0,
            phi: 1.0,
            phi_tested: 1.0,
        }
    }
}

/// Sums over every ranked item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct Totals {
    pub count: u64,
    pub complaints: u64,
    pub cost: String,
    #[schema(value_type = i64)]
    pub cost_minor: Minor,
    pub pain_points: u64,
    /// The rate of all items together, as each item's.
    pub rate_per_1000: Option<f64>,
}

/// `GET /api/ranking`.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Ranking {
    pub window: WindowEcho,
    pub by: By,
    pub currency: String,
    /// What the change tests divide counts by: `days` until volume is recorded for every
    /// day compared.
    pub exposure: Exposure,
    /// The complete days the tests use (the window up to the last day over everywhere).
    pub tested: crate::reading::Tested,
    /// The window's recorded volume (SPEC §17); null when no (day, site) pair it counts
    /// has any.
    pub volume: Option<crate::volume::VolumeSummary>,
    pub items: Vec<RankedItem>,
    pub totals: Totals,
}

/// Everything a ranking is computed from.
pub struct RankingInput<'a> {
    /// Every horror, active and retired, in catalogue order.
    pub horrors: &'a [Horror],
    /// Totals in the window, by horror key.
    pub current: &'a BTreeMap<String, Tally>,
    /// Totals in the previous window, by horror key.
    pub previous: &'a BTreeMap<String, Tally>,
    /// Keys that are the focus of a cycle overlapping the window.
    pub focus: &'a HashSet<String>,
    pub weights: Weights,
    pub currency: Currency,
    pub window: WindowEcho,
    pub by: By,
    /// The kind of exposure, the tested period and each horror's evidence.
    pub exposure: Exposure,
    pub tested: crate::reading::Tested,
    pub evidence: &'a BTreeMap<String, Evidence>,
    /// The volume summary, the totals of ticks on covered pairs, and their units.
    pub volume: Option<(crate::volume::VolumeSummary, &'a BTreeMap<String, Tally>)>,
}

/// Ranks the horrors exactly as SPEC §8 says, with the tests of SPEC §18: the rows, their
/// totals, the scores, the tiers, then the requested order with its shares and tests.
pub fn rank(input: &RankingInput<'_>) -> Ranking {
    let mut items = rows(input);
    let totals = totals(&mut items, input);
    score(&mut items, &totals, input.weights);
    tier(&mut items, input.weights);
    order_and_test(&mut items, input.by);
    Ranking {
        window: input.window.clone(),
        by: input.by,
        currency: input.currency.code().to_string(),
        exposure: input.exposure,
        tested: input.tested.clone(),
        volume: input.volume.as_ref().map(|(summary, _)| summary.clone()),
        items,
        totals,
    }
}

/// One row per horror that is active or was ticked, before scores and order.
fn rows(input: &RankingInput<'_>) -> Vec<RankedItem> {
    let currency = input.currency;
    input
        .horrors
        .iter()
        .filter_map(|horror| {
            let tally = input
                .current
                .get(horror.key.as_str())
                .copied()
                .unwrap_or_default();
            if horror.retired && tally.count == 0 {
                return None;
            }
            let previous = input
                .previous
                .get(horror.key.as_str())
                .copied()
                .unwrap_or_default();
            Some(RankedItem {
                rank: 0,
                key: horror.key.to_string(),
                name: horror.name.clone(),
                pain: horror.pain,
                unit_cost: currency.format(horror.unit_cost_minor),
                count: tally.count,
                complaints: tally.complaints,
                cost: currency.format(tally.cost_minor),
                cost_minor: tally.cost_minor,
                pain_points: tally.count * u64::from(horror.pain),
                score: 0.0,
                share: 0.0,
                cumulative_share: 0.0,
                tier: Tier::Bad,
                retired: horror.retired,
                focus: input.focus.iter().any(|f| *f == horror.key),
                previous: Previous {
                    count: previous.count,
                    cost_minor: previous.cost_minor,
                },
                change_pct: change_pct(tally.count, previous.count),
                change_p_value: None,
                change_q_value: None,
                change_significant: false,
                change_verdict: ChangeVerdict::TooFew,
                change_rate_pct: None,
                phi: 1.0,
                ahead_of_next: None,
                ahead_of_next_p_value: None,
                rate_per_1000: None,
                evidence: input
                    .evidence
                    .get(horror.key.as_str())
                    .copied()
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// The sums over every row, and each row's rate per 1,000 units when there is volume.
fn totals(items: &mut [RankedItem], input: &RankingInput<'_>) -> Totals {
    let currency = input.currency;
    let totals = Totals {
        count: items.iter().map(|i| i.count).sum(),
        complaints: items.iter().map(|i| i.complaints).sum(),
        cost_minor: items.iter().map(|i| i.cost_minor).sum(),
        cost: String::new(),
        pain_points: items.iter().map(|i| i.pain_points).sum(),
        rate_per_1000: None,
    };
    let mut totals = Totals {
        cost: currency.format(totals.cost_minor),
        ..totals
    };
    if let Some((summary, covered)) = &input.volume {
        let mut all = 0;
        for item in items.iter_mut() {
            let count = covered.get(&item.key).map_or(0, |t| t.count);
            all += count;
            item.rate_per_1000 = crate::volume::rate_per_1000(count, summary.units);
        }
        totals.rate_per_1000 = crate::volume::rate_per_1000(all, summary.units);
    }
    totals
}

/// Each row's priority score: its weighted share of the pain points and of the cost.
fn score(items: &mut [RankedItem], totals: &Totals, w: Weights) {
    let mut weight_sum = 0.0;
    if totals.pain_points > 0 {
        weight_sum += w.pain_weight;
    }
    if totals.cost_minor > Minor::ZERO {
        weight_sum += w.cost_weight;
    }
    for item in items.iter_mut() {
        let pain_share = ratio(item.pain_points as f64, totals.pain_points as f64);
        let cost_share = ratio(item.cost_minor.get() as f64, totals.cost_minor.get() as f64);
        item.score = if weight_sum > 0.0 {
            (w.pain_weight * pain_share + w.cost_weight * cost_share) / weight_sum
        } else {
            0.0
        };
    }
}

/// The tiers, which always follow the priority order, whatever the requested order.
fn tier(items: &mut [RankedItem], w: Weights) {
    sort_by_measure(items, By::Priority);
    let mut before = 0.0;
    for item in items.iter_mut() {
        item.tier = if item.score <= 0.0 {
            Tier::Bad
        } else if before < w.worst {
            Tier::Worst
        } else if before < w.worse {
            Tier::Worse
        } else {
            Tier::Bad
        };
        before += item.score;
    }
}

/// The requested order: ranks, shares, the change tests, whether each row is ahead of the
/// next, then the q-values over the whole family.
fn order_and_test(items: &mut [RankedItem], by: By) {
    sort_by_measure(items, by);
    let measure_total: f64 = items.iter().map(|i| measure(i, by)).sum();
    let mut cumulative = 0.0;
    for (index, item) in items.iter_mut().enumerate() {
        item.rank = index as u32 + 1;
        item.share = ratio(measure(item, by), measure_total);
        cumulative += item.share;
        item.cumulative_share = cumulative;
        let ev = item.evidence;
        item.phi = ev.phi;
        item.change_p_value =
            rev2::scaled_test(ev.a, ev.b, ev.ea, ev.eb, ev.phi).map(|t| t.p_value);
        item.change_rate_pct = rev2::change_rate_pct(ev.a, ev.b, ev.ea, ev.eb);
    }
    for i in 1..items.len() {
        let (above, below) = items.split_at_mut(i);
        let (this, next) = (&mut above[i - 1], &below[0]);
        let p = rev2::ahead_of_next_p(
            this.evidence.a,
            next.evidence.a,
            per_occurrence(this, by),
            per_occurrence(next, by),
            this.evidence.phi_tested.max(next.evidence.phi_tested),
        );
        this.ahead_of_next_p_value = p;
        this.ahead_of_next = p.map(|p| p < rev2::BAR_FINAL);
    }
    judge(items.iter_mut());
}

/// Benjamini–Hochberg over every item given (one family: a whole response, all groups
/// together), then each item's `change_q_value`, `change_significant` and verdict.
pub fn judge<'a>(items: impl IntoIterator<Item = &'a mut RankedItem>) {
    let mut items: Vec<&mut RankedItem> = items.into_iter().collect();
    let p: Vec<Option<f64>> = items.iter().map(|i| i.change_p_value).collect();
    for (item, q) in items.iter_mut().zip(rev2::bh_q_values(&p)) {
        let ev = item.evidence;
        item.change_q_value = q;
        item.change_significant = q.is_some_and(|q| q < rev2::BAR_FINAL);
        item.change_verdict = rev2::change_verdict(q, ev.a, ev.b, ev.ea, ev.eb);
    }
}

/// The ordering measure per occurrence over the window: 1 (count), the pain, the average
/// cost, or score ÷ count; 0 without occurrences.
fn per_occurrence(item: &RankedItem, by: By) -> f64 {
    if item.count == 0 {
        return 0.0;
    }
    match by {
        By::Count => 1.0,
        _ => measure(item, by) / item.count as f64,
    }
}

fn measure(item: &RankedItem, by: By) -> f64 {
    match by {
        By::Priority => item.score,
        By::Count => item.count as f64,
        By::Cost => item.cost_minor.get() as f64,
        By::Pain => item.pain_points as f64,
    }
}

/// Descending by the measure, then by count descending, then by key ascending.
fn sort_by_measure(items: &mut [RankedItem], by: By) {
    items.sort_by(|a, b| {
        let primary = match by {
            By::Priority => b.score.total_cmp(&a.score),
            By::Count => b.count.cmp(&a.count),
            By::Cost => b.cost_minor.cmp(&a.cost_minor),
            By::Pain => b.pain_points.cmp(&a.pain_points),
        };
        primary
            .then(b.count.cmp(&a.count))
            .then_with(|| a.key.cmp(&b.key))
    });
}

fn ratio(part: f64, total: f64) -> f64 {
    if total > 0.0 {
        part / total
    } else {
        0.0
    }
}

/// `(count − previous) / previous × 100` rounded half away from zero to one decimal,
/// computed in integers so that e.g. 1/8 = 12.5 % is exact; `None` when previous is 0.
pub fn change_pct(count: u64, previous: u64) -> Option<f64> {
    if previous == 0 {
        return None;
    }
    let numerator = (i128::from(count) - i128::from(previous)) * 1000;
    let denominator = i128::from(previous);
    let tenths = (2 * numerator.abs() + denominator) / (2 * denominator);
    let signed = if numerator < 0 { -tenths } else { tenths };
    Some(signed as f64 / 10.0)
}

#[cfg(test)]
pub(crate) mod tests;
