//! Revision 2 of the statistics (the rules that keep alerts and verdicts honest):
//! quasi-Poisson dispersion, the scaled exact test, Benjamini–Hochberg q-values,
//! cycle verdicts with an interim bar, and control charts against a baseline with
//! probability limits and an upward CUSUM. Pure functions, as the parent module;
//! the formulas are written beside each function and in docs/statistics.md.

use serde::{Deserialize, Serialize};

use super::special;

mod control;
mod verdicts;

pub use control::*;
pub use verdicts::*;

/// `x > 0` and finite (false for NaN).
fn positive(x: f64) -> bool {
    x > 0.0 && x.is_finite()
}

/// `Some(x)` when `x` is finite.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// (π0, 1 − π0) = (wa, wb) / (wa + wb), each computed directly (no 1 − x).
fn split(wa: f64, wb: f64) -> (f64, f64) {
    let s = wa + wb;
    if s.is_finite() {
        (wa / s, wb / s)
    } else {
        (1.0 / (1.0 + wb / wa), 1.0 / (1.0 + wa / wb))
    }
}

// ---------------------------------------------------------------------------
// Revision 2: dispersion, the scaled exact test, Benjamini–Hochberg
// ---------------------------------------------------------------------------

/// The bar of a final verdict and of every ranking decision.
pub const BAR_FINAL: f64 = 0.05;
/// The bar of an interim verdict (a running cycle; Haybittle–Peto).
pub const BAR_INTERIM: f64 = 0.001;
/// A test has a p-value only when both expected counts n'·π0 and n'·(1−π0)
/// reach this.
pub const MIN_EXPECTED: f64 = 5.0;
/// A dispersion sample reaches back until it holds this many days with
/// exposure (or the scope's first day).
pub const DISPERSION_SAMPLE_DAYS: usize = 56;
/// φ needs at least this many Pearson terms; with fewer it is 1.
pub const DISPERSION_MIN_TERMS: usize = 10;

/// Quasi-Poisson dispersion φ over a sample made of groups of days
/// (count c_d, exposure e_d), one group per period (tested, previous, the
/// days reached back):
///
/// ```text
/// r_g = Σc/Σe per group;  X² = Σ over days with r_g·e_d > 0 of (c_d − r_g·e_d)²/(r_g·e_d)
/// m = the number of those terms;  df = m − #(groups with r_g > 0)
/// φ = max(1, X²/df) when m ≥ 10, else 1
/// ```
#[must_use]
pub fn dispersion(groups: &[&[(u64, f64)]]) -> f64 {
    let mut x2 = 0.0;
    let mut m = 0_usize;
    let mut rated = 0_usize;
    for days in groups {
        let count: f64 = days.iter().map(|&(c, _)| c as f64).sum();
        let exposure: f64 = days.iter().map(|&(_, e)| e).filter(|e| positive(*e)).sum();
        if !positive(exposure) {
            continue;
        }
        let rate = count / exposure;
        if rate > 0.0 {
            rated += 1;
        }
        for &(c, e) in *days {
            let expected = rate * e;
            if positive(expected) {
                let d = c as f64 - expected;
                x2 += d * d / expected;
                m += 1;
            }
        }
    }
    if m < DISPERSION_MIN_TERMS || m <= rated {
        return 1.0;
    }
    let phi = x2 / (m - rated) as f64;
    if phi.is_finite() {
        phi.max(1.0)
    } else {
        1.0
    }
}

/// The two tails of the scaled exact test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaledTest {
    /// P(X ≤ a') = I_{1−π0}(n' − a', a' + 1) (1 when b = 0).
    pub lower: f64,
    /// P(X ≥ a') = I_{π0}(a', n' − a' + 1) (1 when a = 0).
    pub upper: f64,
    /// min(1, 2·min(lower, upper)).
    pub p_value: f64,
}

/// The scaled exact test of count `a` (weight `wa`: an exposure, or the
/// measure per occurrence) against `b` (weight `wb`), dispersion `phi`:
///
/// ```text
/// π0 = wa/(wa+wb);  a' = a/φ, b' = b/φ, n' = a' + b'
/// L = I_{1−π0}(b', a'+1)  (1 when b = 0);  U = I_{π0}(a', b'+1)  (1 when a = 0)
/// p = min(1, 2·min(L, U))
/// ```
///
/// `None` (too few) when n = 0, wa or wb is not > 0, or
/// min(n'·π0, n'·(1−π0)) < 5. With φ = 1 these are the binomial tails.
#[must_use]
pub fn scaled_test(a: u64, b: u64, wa: f64, wb: f64, phi: f64) -> Option<ScaledTest> {
    if a == 0 && b == 0 || !positive(wa) || !positive(wb) {
        return None;
    }
    let phi = if phi.is_finite() && phi >= 1.0 {
        phi
    } else {
        1.0
    };
    let (p0, q0) = split(wa, wb);
    let a1 = a as f64 / phi;
    let b1 = b as f64 / phi;
    let n1 = a1 + b1;
    if (n1 * p0).min(n1 * q0) < MIN_EXPECTED {
        return None;
    }
    let lower = if b == 0 {
        1.0
    } else {
        special::inc_beta(b1, a1 + 1.0, q0, p0).0
    };
    let upper = if a == 0 {
        1.0
    } else {
        special::inc_beta(a1, b1 + 1.0, p0, q0).0
    };
    Some(ScaledTest {
        lower,
        upper,
        p_value: (2.0 * lower.min(upper)).min(1.0),
    })
}

/// `ahead_of_next_p_value`: is this item's measure (count `a`, measure per
/// occurrence `w_a`) really larger than the next item's (`b`, `w_b`)? The
/// one-sided U of the scaled test with π0 = w_b/(w_a + w_b), φ = the larger
/// of the two horrors' φ. `None` when either count or either w is 0, or too
/// few. `ahead_of_next` = p < 0.05.
#[must_use]
pub fn ahead_of_next_p(a: u64, b: u64, w_a: f64, w_b: f64, phi: f64) -> Option<f64> {
    if a == 0 || b == 0 || !positive(w_a) || !positive(w_b) {
        return None;
    }
    // π0 = w_b/(w_a + w_b): the weights swap places against scaled_test's.
    scaled_test(a, b, w_b, w_a, phi).map(|t| t.upper)
}

/// Benjamini–Hochberg q-values over the family of p-values that are
/// present (`None` stays `None`):
///
/// ```text
/// p(1) ≤ … ≤ p(m);  q(j) = min over k ≥ j of min(1, m·p(k)/k)
/// ```
///
/// Equal p-values get equal q-values.
#[must_use]
pub fn bh_q_values(p_values: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut order: Vec<(usize, f64)> = p_values
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| (i, p)))
        .collect();
    order.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
    let m = order.len() as f64;
    let mut out = vec![None; p_values.len()];
    let mut running = 1.0_f64;
    for (k, &(i, p)) in order.iter().enumerate().rev() {
        let q = (m * p / (k + 1) as f64).min(1.0);
        running = running.min(q);
        out[i] = Some(running);
    }
    out
}

/// The verdict of a ranking item's change (`change_verdict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeVerdict {
    Up,
    Down,
    NoClearChange,
    TooFew,
}

/// `change_verdict` from the q-value and the two rates a/Ea, b/Eb.
#[must_use]
pub fn change_verdict(q_value: Option<f64>, a: u64, b: u64, ea: f64, eb: f64) -> ChangeVerdict {
    match q_value {
        None => ChangeVerdict::TooFew,
        Some(q) if q < BAR_FINAL => {
            // Both exposures are > 0 when there is a p-value.
            let now = a as f64 * eb;
            let before = b as f64 * ea;
            if now > before {
                ChangeVerdict::Up
            } else if now < before {
                ChangeVerdict::Down
            } else {
                ChangeVerdict::NoClearChange
            }
        }
        Some(_) => ChangeVerdict::NoClearChange,
    }
}

/// `change_rate_pct` = ((a/Ea)/(b/Eb) − 1) × 100 rounded to one decimal;
/// `None` when b = 0 or Ea = 0 (or Eb = 0).
#[must_use]
pub fn change_rate_pct(a: u64, b: u64, ea: f64, eb: f64) -> Option<f64> {
    if b == 0 || !positive(ea) || !positive(eb) {
        return None;
    }
    let ratio = (a as f64 / ea) / (b as f64 / eb);
    finite(((ratio - 1.0) * 1000.0).round() / 10.0)
}

#[cfg(test)]
#[allow(
    clippy::unreadable_literal,
    clippy::excessive_precision,
    clippy::type_complexity
)]
mod reference {
    use super::{Signal, Verdict};
    include!("rev2_reference.rs");
}

#[cfg(test)]
mod tests;
