//! Control charts against a baseline: probability limits from the quasi-Poisson
//! dispersion, and an upward CUSUM.

use serde::{Deserialize, Serialize};

use super::*;

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
    let (buckets, count) = baseline
        .iter()
        .filter(|b| positive(b.1))
        .fold((0_usize, 0_u64), |(m, c), b| (m + 1, c + b.0));
    buckets >= BASELINE_MIN_BUCKETS && count >= BASELINE_MIN_COUNT
}

/// φ over baseline buckets with centre ū (all exposures > 0): the largest of
/// 1, Laney's (mean moving range of z / 1.128)² and the quasi-Poisson
/// Σ(c − ū n)²/(ū n)/(m − 1); 1 when not laney.
#[must_use]
pub fn control_phi(baseline: &[(u64, f64)], center: f64, laney: bool) -> f64 {
    if !laney || !positive(center) {
        return 1.0;
    }
    // Read in one pass each, without collecting (alert backtests ask this of thousands
    // of baselines); the sums run in the same order as over a collected list.
    let usable = || {
        baseline
            .iter()
            .filter(|b| positive(b.1))
            .map(|&(c, n)| (c as f64, n))
    };
    let m = usable().count();
    let mut phi = 1.0_f64;
    if m >= 2 {
        let mut previous: Option<f64> = None;
        let mr = usable()
            .map(|(c, n)| (c / n - center) / (center / n).sqrt())
            .filter_map(|z| {
                let range = previous.map(|p| (z - p).abs());
                previous = Some(z);
                range
            })
            .sum::<f64>()
            / (m - 1) as f64;
        let laney_phi = (mr / D2).powi(2);
        let x2: f64 = usable()
            .map(|(c, n)| {
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
