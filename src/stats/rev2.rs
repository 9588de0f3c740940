//! Revision 2 of the statistics (the rules that keep alerts and verdicts honest):
//! quasi-Poisson dispersion, the scaled exact test, Benjamini–Hochberg q-values,
//! cycle verdicts with an interim bar, and control charts against a baseline with
//! probability limits and an upward CUSUM. Pure functions, as the parent module;
//! the formulas are written beside each function and in docs/statistics.md.

use serde::{Deserialize, Serialize};

use super::special;

/// `x > 0` and finite (false for NaN).
fn positive(x: f64) -> bool {
    x > 0.0 && x.is_finite()
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

// ---------------------------------------------------------------------------
// Cycle verdicts (revision 2)
// ---------------------------------------------------------------------------

/// Verdict of a cycle comparison. Serialises in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No day of the cycle is over yet.
    NotStarted,
    /// No p-value (too few counts for the test).
    TooFew,
    /// p below the bar and a/Ea < b/Eb.
    Improved,
    /// p below the bar and a/Ea > b/Eb.
    Worse,
    /// Anything else.
    NoClearChange,
}

/// Result of comparing a cycle (*during*) with its reference (*before*).
/// Field names match the JSON.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CycleComparison {
    /// (a/Ea)/(b/Eb); `None` when b = 0, Ea = 0 or Eb = 0.
    pub rate_ratio: Option<f64>,
    /// The scaled exact test; `None` when too few.
    pub p_value: Option<f64>,
    /// The dispersion used.
    pub phi: f64,
    /// Clopper–Pearson interval of a' out of n' at `ci_level`, as rate
    /// ratios; `None` when n = 0, Ea = 0 or Eb = 0; an infinite bound is
    /// `None`.
    pub ci: Option<[Option<f64>; 2]>,
    /// 0.95 when final, 0.999 while running.
    pub ci_level: f64,
    /// The cycle's last day is complete.
    #[serde(rename = "final")]
    pub is_final: bool,
    pub verdict: Verdict,
}

/// Compare a cycle's *during* count `a` (exposure `ea`) with the *before*
/// count `b` (exposure `eb`) under dispersion `phi`. `started`: a day of the
/// cycle is complete; `is_final`: its last day is.
///
/// ```text
/// p = scaled_test(a, b, Ea, Eb, φ);  bar = 0.05 final, 0.001 running
/// ci = [B⁻¹(α/2; a', n'−a'+1), B⁻¹(1−α/2; a'+1, n'−a')] as π/(1−π)·Eb/Ea
/// verdict = not_started | too_few | improved | worse | no_clear_change
/// ```
#[must_use]
pub fn compare_cycle(
    a: u64,
    b: u64,
    ea: f64,
    eb: f64,
    phi: f64,
    started: bool,
    is_final: bool,
) -> CycleComparison {
    let exposures_ok = positive(ea) && positive(eb);
    let phi = if phi.is_finite() && phi >= 1.0 {
        phi
    } else {
        1.0
    };
    let rate_ratio = if exposures_ok && b > 0 {
        finite((a as f64 / ea) / (b as f64 / eb))
    } else {
        None
    };
    let p_value = scaled_test(a, b, ea, eb, phi).map(|t| t.p_value);
    let ci_level = if is_final { 0.95 } else { 0.999 };
    let ci = if exposures_ok && (a > 0 || b > 0) {
        let alpha = 1.0 - ci_level;
        let a1 = a as f64 / phi;
        let b1 = b as f64 / phi;
        let scale = eb / ea;
        let to_ratio = |pr: special::Prob| finite(pr.p / pr.q * scale);
        let lower = if a == 0 {
            Some(0.0)
        } else {
            special::inv_beta(alpha / 2.0, a1, b1 + 1.0).and_then(to_ratio)
        };
        let upper = if b == 0 {
            None
        } else {
            special::inv_beta(1.0 - alpha / 2.0, a1 + 1.0, b1).and_then(to_ratio)
        };
        Some([lower, upper])
    } else {
        None
    };
    let bar = if is_final { BAR_FINAL } else { BAR_INTERIM };
    let verdict = if !started {
        Verdict::NotStarted
    } else {
        match p_value {
            None => Verdict::TooFew,
            Some(p) if p < bar => {
                let during = a as f64 * eb;
                let before = b as f64 * ea;
                if during < before {
                    Verdict::Improved
                } else if during > before {
                    Verdict::Worse
                } else {
                    Verdict::NoClearChange
                }
            }
            Some(_) => Verdict::NoClearChange,
        }
    };
    CycleComparison {
        rate_ratio,
        p_value,
        phi,
        ci,
        ci_level,
        is_final,
        verdict,
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

// ---------------------------------------------------------------------------
// Control chart (revision 2: baseline, probability limits, CUSUM)
// ---------------------------------------------------------------------------

/// A control-chart signal. Serialises in lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Signal {
    /// cᵢ ≥ c_U (the upper probability limit).
    Above,
    /// cᵢ ≤ c_L (the lower probability limit).
    Below,
    /// The upward CUSUM Sᵢ ≥ h.
    Cusum,
}

/// One bucket of a control chart. The HTTP layer adds `start`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ControlPoint {
    pub count: u64,
    pub exposure: f64,
    /// λᵢ = ū·nᵢ; `None` without a centre.
    pub expected: Option<f64>,
    /// uᵢ = cᵢ/nᵢ; `None` when nᵢ = 0.
    pub rate: Option<f64>,
    /// c_U/nᵢ; `None` without limits or when nᵢ = 0.
    pub ucl: Option<f64>,
    /// c_L/nᵢ; `None` without limits, when nᵢ = 0, or when no c_L exists.
    pub lcl: Option<f64>,
    /// Sᵢ; `None` without limits.
    pub cusum: Option<f64>,
    /// In the order above, below, cusum.
    pub signals: Vec<Signal>,
}

impl ControlPoint {
    /// The alert rule: `above` or `cusum`.
    #[must_use]
    pub fn is_high_alert(&self) -> bool {
        self.signals.contains(&Signal::Above) || self.signals.contains(&Signal::Cusum)
    }
}

/// A computed control chart. The HTTP layer adds window, bucket, horror,
/// site, exposure, rate unit and the baseline's dates.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Control {
    /// ū = Σc/Σn over the baseline; `None` when there is no usable baseline.
    pub center: Option<f64>,
    pub phi: f64,
    pub points: Vec<ControlPoint>,
}

/// The tunables of a chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlOptions {
    pub laney: bool,
    /// R, the rise the CUSUM is tuned to (> 1).
    pub cusum_ratio: f64,
    /// h, the CUSUM's decision interval (> 0).
    pub cusum_h: f64,
}

impl Default for ControlOptions {
    fn default() -> Self {
        Self {
            laney: true,
            cusum_ratio: 2.0,
            cusum_h: 5.0,
        }
    }
}

/// Probability of a point beyond each limit (the 3-sigma tail).
pub const LIMIT_TAIL: f64 = 0.00135;
/// A baseline needs this many buckets …
pub const BASELINE_MIN_BUCKETS: usize = 10;
/// … and this many counts.
pub const BASELINE_MIN_COUNT: u64 = 20;

/// Laney's d₂ constant.
const D2: f64 = 1.128;

/// Whether baseline buckets (exposure > 0 only) are enough for limits.
#[must_use]
pub fn baseline_enough(baseline: &[(u64, f64)]) -> bool {
    let usable: Vec<&(u64, f64)> = baseline.iter().filter(|b| positive(b.1)).collect();
    usable.len() >= BASELINE_MIN_BUCKETS
        && usable.iter().map(|b| b.0).sum::<u64>() >= BASELINE_MIN_COUNT
}

/// φ over baseline buckets with centre ū (all exposures > 0): the largest of
/// 1, Laney's (mean moving range of z / 1.128)² and the quasi-Poisson
/// Σ(c − ū n)²/(ū n)/(m − 1); 1 when not laney.
#[must_use]
pub fn control_phi(baseline: &[(u64, f64)], center: f64, laney: bool) -> f64 {
    if !laney || !positive(center) {
        return 1.0;
    }
    let usable: Vec<(f64, f64)> = baseline
        .iter()
        .filter(|b| positive(b.1))
        .map(|&(c, n)| (c as f64, n))
        .collect();
    let m = usable.len();
    let mut phi = 1.0_f64;
    if m >= 2 {
        let z: Vec<f64> = usable
            .iter()
            .map(|&(c, n)| (c / n - center) / (center / n).sqrt())
            .collect();
        let mr = z.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (m - 1) as f64;
        let laney_phi = (mr / D2).powi(2);
        let x2: f64 = usable
            .iter()
            .map(|&(c, n)| {
                let e = center * n;
                (c - e) * (c - e) / e
            })
            .sum();
        let qp = x2 / (m - 1) as f64;
        for v in [laney_phi, qp] {
            if v.is_finite() {
                phi = phi.max(v);
            }
        }
    }
    phi
}

/// c_U: the smallest integer c ≥ 1 with P_reg(c/φ, λ/φ) ≤ 0.00135.
#[must_use]
pub fn upper_limit_count(lambda: f64, phi: f64) -> u64 {
    let x = lambda / phi;
    let q = |c: u64| special::inc_gamma(c as f64 / phi, x).0;
    // A guess near the answer, then step.
    let guess = (lambda + 3.0 * (lambda * phi).sqrt()).floor().max(1.0);
    let mut c = if guess < 1e15 { guess as u64 } else { 1 };
    if q(c) <= LIMIT_TAIL {
        while c > 1 && q(c - 1) <= LIMIT_TAIL {
            c -= 1;
        }
    } else {
        let mut step = 1_u64;
        // Find an upper bracket, then bisect.
        let mut lo = c; // q(lo) > tail
        let mut hi = c + step;
        while q(hi) > LIMIT_TAIL {
            lo = hi;
            step = step.saturating_mul(2);
            hi = hi.saturating_add(step);
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if q(mid) <= LIMIT_TAIL {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        c = hi;
    }
    c
}

/// c_L: the largest integer c ≥ 0 with 1 − P_reg(c/φ + 1, λ/φ) ≤ 0.00135;
/// `None` when even c = 0 is above that.
#[must_use]
pub fn lower_limit_count(lambda: f64, phi: f64) -> Option<u64> {
    let x = lambda / phi;
    let below = |c: u64| special::inc_gamma(c as f64 / phi + 1.0, x).1;
    if below(0) > LIMIT_TAIL {
        return None;
    }
    let guess = (lambda - 3.0 * (lambda * phi).sqrt()).floor().max(0.0);
    let mut c = if guess < 1e15 { guess as u64 } else { 0 };
    if below(c) <= LIMIT_TAIL {
        let (mut lo, mut step) = (c, 1_u64);
        let mut hi = c + step;
        while below(hi) <= LIMIT_TAIL {
            lo = hi;
            step = step.saturating_mul(2);
            hi = hi.saturating_add(step);
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if below(mid) <= LIMIT_TAIL {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        c = lo;
    } else {
        while c > 0 && below(c) > LIMIT_TAIL {
            c -= 1;
        }
    }
    Some(c)
}

/// A control chart of `points` = (count cᵢ, exposure nᵢ) against
/// `baseline` (buckets with exposure > 0; `None` when the baseline is too
/// short, then there are no limits and no signals).
///
/// ```text
/// ū = Σc/Σn over the baseline;  λᵢ = ū·nᵢ;  φ = control_phi (≥ 1)
/// c_U = min{c ≥ 1: P_reg(c/φ, λᵢ/φ) ≤ 0.00135},  UCLᵢ = c_U/nᵢ,  above: cᵢ ≥ c_U
/// c_L = max{c ≥ 0: 1 − P_reg(c/φ+1, λᵢ/φ) ≤ 0.00135}, LCLᵢ = c_L/nᵢ, below: cᵢ ≤ c_L
/// Sᵢ = max(0, Sᵢ₋₁ + (cᵢ·ln R − (R−1)·λᵢ)/φ),  cusum: Sᵢ ≥ h
/// ```
///
/// A point with nᵢ = 0 has no rate and no limits, no signal, and leaves S
/// unchanged.
#[must_use]
pub fn control(
    points: &[(u64, f64)],
    baseline: Option<&[(u64, f64)]>,
    opts: ControlOptions,
) -> Control {
    control_from(points, baseline, opts, 0)
}

/// [`control`], with the limits (and `above`/`below`) computed only for the points from
/// index `limits_from` on: the alerts judge one day at a time and need only its point's
/// limits, while the CUSUM runs over every point.
// Over 80 lines: the centre, the dispersion φ, the limits and the CUSUM computed in turn.
#[must_use]
pub fn control_from(
    points: &[(u64, f64)],
    baseline: Option<&[(u64, f64)]>,
    opts: ControlOptions,
    limits_from: usize,
) -> Control {
    let exposure_of = |n: f64| if positive(n) { n } else { 0.0 };
    let center = baseline.and_then(|base| {
        let count: f64 = base
            .iter()
            .filter(|b| positive(b.1))
            .map(|b| b.0 as f64)
            .sum();
        let exposure: f64 = base.iter().filter(|b| positive(b.1)).map(|b| b.1).sum();
        if positive(exposure) {
            finite(count / exposure)
        } else {
            None
        }
    });
    let phi = match (baseline, center) {
        (Some(base), Some(c)) => control_phi(base, c, opts.laney),
        _ => 1.0,
    };
    let limits = center.filter(|c| *c > 0.0);
    let ln_r = opts.cusum_ratio.ln();
    let mut s = 0.0_f64;
    let out = points
        .iter()
        .enumerate()
        .map(|(index, &(count, n))| {
            let exposure = exposure_of(n);
            let rate = if exposure > 0.0 {
                finite(count as f64 / exposure)
            } else {
                None
            };
            let expected = center.map(|c| c * exposure);
            let mut signals = Vec::new();
            let (mut ucl, mut lcl, mut cusum) = (None, None, None);
            if let Some(ubar) = limits {
                if exposure > 0.0 {
                    let lambda = ubar * exposure;
                    if index >= limits_from {
                        let cu = upper_limit_count(lambda, phi);
                        ucl = finite(cu as f64 / exposure);
                        if count >= cu {
                            signals.push(Signal::Above);
                        }
                        if let Some(cl) = lower_limit_count(lambda, phi) {
                            lcl = finite(cl as f64 / exposure);
                            if count <= cl {
                                signals.push(Signal::Below);
                            }
                        }
                    }
                    s = (s + (count as f64 * ln_r - (opts.cusum_ratio - 1.0) * lambda) / phi)
                        .max(0.0);
                    if s >= opts.cusum_h {
                        signals.push(Signal::Cusum);
                    }
                }
                cusum = Some(s);
            }
            ControlPoint {
                count,
                exposure,
                expected,
                rate,
                ucl,
                lcl,
                cusum,
                signals,
            }
        })
        .collect();
    Control {
        center,
        phi,
        points: out,
    }
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
