//! Pure statistics for SPEC §18 (and the day control chart §19 relies on).
//!
//! Everything here is a pure function of its arguments: no I/O, no clock, no
//! project types. The HTTP layer decides *which* counts and exposures to pass
//! (periods, sites, coverage → [`Exposure`]) and turns the results into JSON.
//!
//! # Numerical method
//!
//! The binomial tails behind [`exact_test`] and [`clopper_pearson`] are computed
//! here rather than with `statrs`: `statrs` 0.18's regularized incomplete beta
//! stops its continued fraction after 140 terms, so `Binomial::cdf`/`sf` and
//! `Beta::inverse_cdf` are silently wrong once n reaches ~10⁵–10⁶ near the mean
//! (e.g. P(X ≤ 5·10⁶) for n = 10⁷, π = ½ comes out as 0.365 instead of 0.500,
//! and the Clopper–Pearson upper bound for 0 of 10⁶ is off by 1.3·10⁻⁴
//! relative). Instead:
//!
//! * one probability mass P(X = k) is computed with Loader's saddle-point
//!   expansion (the algorithm of R's `dbinom`, C. Loader 2000, "Fast and
//!   accurate computation of binomial probabilities"), accurate to ~1e-14
//!   relative for any n;
//! * the tail on the far side of the mean is summed outward from k with the
//!   ratio recurrence P(k±1)/P(k). Past the mean the terms decrease
//!   monotonically, so the sum stops as soon as the geometric bound on what is
//!   left is below 2⁻⁵⁶ of the sum: O(1 + √(nπ(1−π))) terms, never O(n)
//!   (about 15 000 terms for n = 10⁷, π = ½ right at the mean; a handful in
//!   the far tails);
//! * the tail on the near side of the mean is its complement, which is then
//!   always ≥ ½ (the binomial median lies between ⌊nπ⌋ and ⌈nπ⌉), so the
//!   subtraction loses nothing.
//!
//! Measured precision (tests below, tables from `reference.py`): against
//! 40-digit mpmath, p-values within 1.2e-13 relative and Clopper–Pearson
//! bounds within 4.5e-16; against scipy 1.17.1 (Boost), within 5.5e-12 and
//! 6.7e-11, the larger gaps being scipy's own error (mpmath sides with this
//! code). The module needs no crate but `serde`. Probabilities below ~1e-308
//! underflow to 0 (or a subnormal); every decision here is a comparison with
//! 0.05, so that is harmless. Cost grows like √n (release build, one core):
//! an exact test takes ≤ 50 µs and a Clopper–Pearson interval ≤ 5 ms up to
//! n = 10⁷; for n in the thousands, ~1 µs and ~0.1 ms.

use serde::{Deserialize, Serialize};

pub mod rev2;
pub mod special;

/// Significance level used for every "significant"/"distinct"/verdict decision.
pub const ALPHA: f64 = 0.05;

/// `p < 0.05`, the significance rule used throughout SPEC §18.
#[must_use]
pub fn significant(p_value: f64) -> bool {
    p_value < ALPHA
}

// ---------------------------------------------------------------------------
// Exposure
// ---------------------------------------------------------------------------

/// Which exposure a comparison or chart uses (SPEC §18 "Exposure").
///
/// `Volume` when every day of every compared period is covered for every
/// counted site (exposure = units ÷ 1000), otherwise `Days` (exposure = the
/// number of days in the period). Serialises as `"volume"` / `"days"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Exposure {
    Volume,
    Days,
}

/// An amount of exposure: thousands of units (volume) or days.
///
/// Always finite and ≥ 0 (the constructors reject anything else). Serialises
/// as a bare number.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize)]
#[serde(transparent)]
pub struct ExposureAmount(f64);

impl ExposureAmount {
    /// Zero exposure.
    pub const ZERO: Self = Self(0.0);

    /// `Some` when `value` is finite and ≥ 0 (−0.0 is normalised to 0.0);
    /// `None` for negative, NaN or infinite values.
    #[must_use]
    pub fn new(value: f64) -> Option<Self> {
        if value.is_finite() && value >= 0.0 {
            Some(Self(value + 0.0)) // + 0.0 turns −0.0 into +0.0
        } else {
            None
        }
    }

    /// Volume exposure: `units / 1000`.
    #[must_use]
    pub fn from_units(units: u64) -> Self {
        Self(units as f64 / 1000.0)
    }

    /// Days exposure: the number of days.
    #[must_use]
    pub fn from_days(days: u32) -> Self {
        Self(f64::from(days))
    }

    /// The amount as a plain number.
    #[must_use]
    pub fn get(self) -> f64 {
        self.0
    }
}

impl std::ops::Add for ExposureAmount {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        // Finite + finite may overflow to +∞ only beyond 1.8e308 units.
        Self(self.0 + rhs.0)
    }
}

impl std::iter::Sum for ExposureAmount {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |acc, x| acc + x)
    }
}

impl From<ExposureAmount> for f64 {
    fn from(e: ExposureAmount) -> f64 {
        e.0
    }
}

/// `x > 0` and finite (false for NaN).
fn positive(x: f64) -> bool {
    x > 0.0 && x.is_finite()
}

// ---------------------------------------------------------------------------
// Exact test
// ---------------------------------------------------------------------------

/// The SPEC §18 exact test of count `a` (tested) against count `b` (other),
/// with exposures `ea` and `eb`.
///
/// ```text
/// n = a + b,  π0 = Ea / (Ea + Eb),  X ~ Binomial(n, π0)
/// p = min(1, 2 · min(P(X ≤ a), P(X ≥ a)))
/// p = 1 when n = 0 or Ea = 0 or Eb = 0
/// ```
///
/// Exposures that are not finite and > 0 (0, negative, NaN, ∞) give 1: no
/// evidence either way. Accurate to ~1e-12 relative for any n (see the module
/// docs); cost O(1 + √(n·π0·(1−π0))).
#[must_use]
pub fn exact_test(a: u64, b: u64, ea: f64, eb: f64) -> f64 {
    let Some(n) = a.checked_add(b) else {
        return 1.0; // > 1.8e19 events: not a real input
    };
    if n == 0 || !positive(ea) || !positive(eb) {
        return 1.0;
    }
    let (p, q) = split(ea, eb);
    let (lower, upper) = binom_tails(a, n, p, q);
    (2.0 * lower.min(upper)).min(1.0)
}

/// `distinct_from_next`: the exact test of `a` against `b` with π0 = ½
/// (equal exposures). Compare the result with [`significant`].
#[must_use]
pub fn distinct(a: u64, b: u64) -> f64 {
    exact_test(a, b, 1.0, 1.0)
}

/// (π0, 1 − π0) = (Ea, Eb) / (Ea + Eb), each computed directly (no 1 − x).
fn split(ea: f64, eb: f64) -> (f64, f64) {
    let s = ea + eb;
    if s.is_finite() {
        (ea / s, eb / s)
    } else {
        (1.0 / (1.0 + eb / ea), 1.0 / (1.0 + ea / eb))
    }
}

// ---------------------------------------------------------------------------
// Clopper–Pearson
// ---------------------------------------------------------------------------

/// Two-sided 95 % Clopper–Pearson interval for a proportion: `a` successes out
/// of `n`.
///
/// ```text
/// πL = Beta(a, n−a+1).quantile(0.025)   (0 when a = 0)
/// πU = Beta(a+1, n−a).quantile(0.975)   (1 when a = n)
/// ```
///
/// `None` when `n = 0` or `a > n`. Computed by bisection on the binary
/// representation of π (or 1 − π above ½) with the accurate binomial tails
/// (πL solves P(X ≥ a | n, π) = 0.025, πU solves P(X ≤ a | n, π) = 0.025);
/// within a few ulps of the true quantile (4.5e-16 relative against mpmath).
/// About 60 tail evaluations per bound: ~0.1 ms for n in the thousands, a
/// few ms for n = 10⁶–10⁷.
#[must_use]
pub fn clopper_pearson(a: u64, n: u64) -> Option<(f64, f64)> {
    let bounds = cp_bounds(a, n)?;
    Some((bounds.lower.p, bounds.upper.p))
}

/// A probability together with its complement, each to full relative
/// precision (so odds π/(1−π) stay accurate when π is close to 1).
#[derive(Debug, Clone, Copy)]
struct Prob {
    p: f64,
    q: f64,
}

impl Prob {
    const ZERO: Self = Self { p: 0.0, q: 1.0 };
    const ONE: Self = Self { p: 1.0, q: 0.0 };
}

struct CpBounds {
    lower: Prob,
    upper: Prob,
}

const CP_TAIL: f64 = 0.025;

fn cp_bounds(a: u64, n: u64) -> Option<CpBounds> {
    if n == 0 || a > n {
        return None;
    }
    let lower = if a == 0 {
        Prob::ZERO
    } else {
        // P(X ≥ a | π) increases with π.
        solve_increasing(|p, q| binom_tails(a, n, p, q).1 >= CP_TAIL)
    };
    let upper = if a == n {
        Prob::ONE
    } else {
        // P(X ≤ a | π) decreases with π.
        solve_increasing(|p, q| binom_tails(a, n, p, q).0 <= CP_TAIL)
    };
    Some(CpBounds { lower, upper })
}

/// Smallest π (to one ulp of min(π, 1 − π)) where the monotone predicate
/// `at_or_above(π, 1 − π)` becomes true, assuming it is false at π = 0 and true
/// at π = 1 and flips strictly inside (0, 1).
fn solve_increasing(at_or_above: impl Fn(f64, f64) -> bool) -> Prob {
    // Bisection on the IEEE bit patterns of x ∈ [0, ½]: for non-negative
    // doubles the bit pattern is monotone in the value, so ≤ 63 steps pin the
    // root down to adjacent doubles, whatever its magnitude (1e-200 or 0.4).
    let half = 0.5_f64.to_bits();
    if at_or_above(0.5, 0.5) {
        // Root in (0, ½]: bisect on x = π.
        let (mut lo, mut hi) = (0_u64, half); // pred(lo) false, pred(hi) true
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let x = f64::from_bits(mid);
            if at_or_above(x, 1.0 - x) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        let x = f64::from_bits(hi);
        Prob { p: x, q: 1.0 - x }
    } else {
        // Root in (½, 1): bisect on x = 1 − π; the predicate is then
        // decreasing in x: pred(x = 0) true, pred(x = ½) false.
        let (mut lo, mut hi) = (0_u64, half); // pred(lo) true, pred(hi) false
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let x = f64::from_bits(mid);
            if at_or_above(1.0 - x, x) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let x = f64::from_bits(lo);
        Prob { p: 1.0 - x, q: x }
    }
}

// ---------------------------------------------------------------------------
// Cycle verdicts
// ---------------------------------------------------------------------------

/// Verdict of a cycle comparison. Serialises in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No day of the cycle is over yet.
    NotStarted,
    /// p < 0.05 and a/Ea < b/Eb.
    Improved,
    /// p < 0.05 and a/Ea > b/Eb.
    Worse,
    /// Anything else.
    NoClearChange,
}

/// Result of comparing a cycle (*during*) with the window of the same length
/// just before it (*before*). Field names match the JSON of SPEC §18.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CycleComparison {
    /// (a/Ea)/(b/Eb); `None` when b = 0, Ea = 0 or Eb = 0.
    pub rate_ratio: Option<f64>,
    /// [`exact_test`]`(a, b, Ea, Eb)`.
    pub p_value: f64,
    /// Clopper–Pearson 95 % interval of a out of n = a + b as rate ratios
    /// π/(1−π)·Eb/Ea. `None` when n = 0, Ea = 0 or Eb = 0; a bound that is
    /// infinite (πU = 1, i.e. b = 0) is `None`; πL = 0 (a = 0) gives a lower
    /// bound of 0.
    pub ci95: Option<[Option<f64>; 2]>,
    pub verdict: Verdict,
}

/// Compare a cycle's *during* count `a` (exposure `ea`) with the *before*
/// count `b` (exposure `eb`). `started` is false when no day of the cycle is
/// over yet; the numbers are still computed from what is passed, only the
/// verdict becomes `not_started`.
///
/// ```text
/// rate_ratio = (a/Ea) / (b/Eb)
/// p_value    = exact_test(a, b, Ea, Eb)
/// ci95       = [πL/(1−πL)·Eb/Ea, πU/(1−πU)·Eb/Ea],  [πL, πU] = CP95(a, a+b)
/// verdict    = not_started | improved (p<0.05, a/Ea<b/Eb)
///            | worse (p<0.05, a/Ea>b/Eb) | no_clear_change
/// ```
#[must_use]
pub fn compare_cycle(a: u64, b: u64, ea: f64, eb: f64, started: bool) -> CycleComparison {
    let exposures_ok = positive(ea) && positive(eb);

    let rate_ratio = if exposures_ok && b > 0 {
        finite((a as f64 / ea) / (b as f64 / eb))
    } else {
        None
    };

    let p_value = exact_test(a, b, ea, eb);

    let ci95 = match a.checked_add(b) {
        Some(n) if n > 0 && exposures_ok => cp_bounds(a, n).map(|cp| {
            let scale = eb / ea;
            let to_ratio = |pr: Prob| finite(pr.p / pr.q * scale);
            [to_ratio(cp.lower), to_ratio(cp.upper)]
        }),
        _ => None,
    };

    let verdict = if !started {
        Verdict::NotStarted
    } else if significant(p_value) {
        // p < 0.05 implies both exposures are positive and finite. Compare
        // a/Ea with b/Eb by cross-multiplication: a·Eb vs b·Ea.
        let during = a as f64 * eb;
        let before = b as f64 * ea;
        if during < before {
            Verdict::Improved
        } else if during > before {
            Verdict::Worse
        } else {
            Verdict::NoClearChange
        }
    } else {
        Verdict::NoClearChange
    };

    CycleComparison {
        rate_ratio,
        p_value,
        ci95,
        verdict,
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

// ---------------------------------------------------------------------------
// Control chart (Laney u′)
// ---------------------------------------------------------------------------

/// A control-chart signal. Serialises in lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Signal {
    /// uᵢ > UCLᵢ.
    Above,
    /// uᵢ < LCLᵢ.
    Below,
    /// The 8th or later consecutive bucket strictly on one side of ū; which
    /// side is [`ControlPoint::side`].
    Run,
}

/// Which side of the centre line a point lies on. Serialises as
/// `"high"` / `"low"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    High,
    Low,
}

/// One bucket of a control chart. The HTTP layer adds `start`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ControlPoint {
    pub count: u64,
    pub exposure: f64,
    /// uᵢ = cᵢ/nᵢ; `None` when nᵢ = 0.
    pub rate: Option<f64>,
    /// ū + 3φσᵢ; `None` when the rate or the centre is undefined.
    pub ucl: Option<f64>,
    /// max(0, ū − 3φσᵢ); `None` when the rate or the centre is undefined.
    pub lcl: Option<f64>,
    /// In the order above, below, run (at most one of above/below).
    pub signals: Vec<Signal>,
    /// Side of ū the rate lies on; `None` on the centre (within 1e-12
    /// relative) or when the rate is undefined.
    pub side: Option<Side>,
    /// zᵢ = (uᵢ − ū)/σᵢ (0 when σᵢ = 0); `None` when the rate or the centre is
    /// undefined. Not part of the JSON.
    #[serde(skip)]
    pub z: Option<f64>,
}

impl ControlPoint {
    /// SPEC §19 alert rule: `above`, or `run` on the high side.
    #[must_use]
    pub fn is_high_alert(&self) -> bool {
        self.signals.contains(&Signal::Above)
            || (self.signals.contains(&Signal::Run) && self.side == Some(Side::High))
    }
}

/// A computed control chart. The HTTP layer adds window, bucket, horror, site
/// and exposure.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Control {
    /// ū = Σc/Σn over all buckets; `None` when Σn = 0 (including no buckets).
    pub center: Option<f64>,
    pub phi: f64,
    pub points: Vec<ControlPoint>,
}

/// Number of consecutive same-side points that makes a run.
pub const RUN_LENGTH: usize = 8;

/// Laney's d₂ constant as written in SPEC §18.
const D2: f64 = 1.128;

/// Rates within this relative distance of ū count as "on the centre". Exact
/// for days exposure (integers); absorbs rounding when volume exposures make
/// a bucket's rate equal to ū in exact arithmetic but not in floating point.
const CENTRE_REL_TOL: f64 = 1e-12;

/// Laney u′ control chart over `buckets` = (count cᵢ, exposure nᵢ), in time
/// order.
///
/// ```text
/// uᵢ = cᵢ/nᵢ,  ū = Σc/Σn,  σᵢ = √(ū/nᵢ),  zᵢ = (uᵢ − ū)/σᵢ  (0 when σᵢ = 0)
/// φ = mean(|zᵢ − zᵢ₋₁|, i ≥ 2) / 1.128   when laney and ≥ 3 buckets, else 1
/// UCLᵢ = ū + 3φσᵢ,  LCLᵢ = max(0, ū − 3φσᵢ)
/// above: uᵢ > UCLᵢ;  below: uᵢ < LCLᵢ;
/// run: the 8th or later consecutive bucket strictly on one side of ū
/// ```
///
/// Edge cases (beyond the SPEC):
/// * no buckets, or Σn = 0: `center` = `None`, φ = 1, every point has no
///   rate, limits or signals;
/// * a bucket with nᵢ = 0 (volume exposure on a covered day with no units):
///   its count still enters Σc (ū is exactly Σc/Σn), but its rate, z and
///   limits are `None`, it has no side and no signals, it breaks a run, and
///   the moving ranges |zᵢ − zᵢ₋₁| that involve it are left out of φ (φ = 1 if
///   none is left);
/// * all counts 0 (ū = 0): σᵢ = 0, every z = 0, so φ = 0 when laney applies,
///   and UCL = LCL = 0 with no signals; φ is reported as computed;
/// * φ is not floored at 1 (a φ < 1 narrows the limits, as the formula says);
/// * a rate within 1e-12 relative of ū is on the centre: no side, breaks a
///   run, and cannot be `above`/`below` (so limits that collapse onto ū when
///   φ = 0 do not turn rounding noise into signals).
///
/// Exposures that are negative or not finite are treated as 0.
#[must_use]
pub fn control(buckets: &[(u64, f64)], laney: bool) -> Control {
    let exposure_of = |n: f64| if positive(n) { n } else { 0.0 };
    let total_count: f64 = buckets.iter().map(|&(c, _)| c as f64).sum();
    let total_exposure: f64 = buckets.iter().map(|&(_, n)| exposure_of(n)).sum();
    let center = if positive(total_exposure) {
        finite(total_count / total_exposure)
    } else {
        None
    };

    // Per-bucket rate, σ and z.
    struct Raw {
        count: u64,
        exposure: f64,
        rate: Option<f64>,
        sigma: Option<f64>,
        z: Option<f64>,
    }
    let raw: Vec<Raw> = buckets
        .iter()
        .map(|&(count, n)| {
            let exposure = exposure_of(n);
            let rate = if exposure > 0.0 {
                finite(count as f64 / exposure)
            } else {
                None
            };
            let (sigma, z) = match (rate, center) {
                (Some(u), Some(ubar)) => {
                    let sigma = (ubar / exposure).sqrt();
                    let z = if sigma > 0.0 { (u - ubar) / sigma } else { 0.0 };
                    (finite(sigma), finite(z))
                }
                _ => (None, None),
            };
            let (sigma, z) = match (sigma, z) {
                (Some(s), Some(z)) => (Some(s), Some(z)),
                _ => (None, None),
            };
            Raw {
                count,
                exposure,
                rate: if sigma.is_some() { rate } else { None },
                sigma,
                z,
            }
        })
        .collect();

    // Laney's φ from the mean moving range of z.
    let phi = if laney && raw.len() >= 3 {
        let ranges: Vec<f64> = raw
            .windows(2)
            .filter_map(|w| Some((w[1].z? - w[0].z?).abs()))
            .collect();
        if ranges.is_empty() {
            1.0
        } else {
            let mean = ranges.iter().sum::<f64>() / ranges.len() as f64;
            finite(mean / D2).unwrap_or(1.0)
        }
    } else {
        1.0
    };

    let mut points = Vec::with_capacity(raw.len());
    let mut run: Option<(Side, usize)> = None;
    for r in raw {
        let mut signals = Vec::new();
        let (ucl, lcl, side) = match (r.rate, r.sigma, center) {
            (Some(u), Some(sigma), Some(ubar)) => {
                let half_width = 3.0 * phi * sigma;
                let ucl = ubar + half_width;
                let lcl = (ubar - half_width).max(0.0);
                let side = if (u - ubar).abs() <= CENTRE_REL_TOL * ubar {
                    None
                } else if u > ubar {
                    Some(Side::High)
                } else {
                    Some(Side::Low)
                };
                // UCL ≥ ū ≥ LCL, so above/below imply a side; gating on the
                // side keeps a rate equal to ū (up to rounding) from crossing
                // limits that collapsed onto ū (φ = 0).
                if side == Some(Side::High) && u > ucl {
                    signals.push(Signal::Above);
                } else if side == Some(Side::Low) && u < lcl {
                    signals.push(Signal::Below);
                }
                (Some(ucl), Some(lcl), side)
            }
            _ => (None, None, None),
        };
        run = match (side, run) {
            (None, _) => None,
            (Some(s), Some((prev, len))) if prev == s => Some((s, len + 1)),
            (Some(s), _) => Some((s, 1)),
        };
        if matches!(run, Some((_, len)) if len >= RUN_LENGTH) {
            signals.push(Signal::Run);
        }
        points.push(ControlPoint {
            count: r.count,
            exposure: r.exposure,
            rate: r.rate,
            ucl,
            lcl,
            signals,
            side,
            z: r.z,
        });
    }

    Control {
        center,
        phi,
        points,
    }
}

// ---------------------------------------------------------------------------
// Binomial tails (Loader's pmf + outward summation)
// ---------------------------------------------------------------------------

/// (P(X ≤ a), P(X ≥ a)) for X ~ Binomial(n, p), with q = 1 − p given
/// separately (both accurate). Requires a ≤ n, 0 ≤ p, q ≤ 1.
///
/// The tail on the far side of the mean is summed outward from a (terms
/// decrease monotonically there); the other is its complement, which is then
/// ≥ ½ (⌊np⌋ ≤ median ≤ ⌈np⌉), so no precision is lost.
fn binom_tails(a: u64, n: u64, p: f64, q: f64) -> (f64, f64) {
    debug_assert!(a <= n);
    if n == 0 {
        return (1.0, 1.0);
    }
    let pmf_a = dbinom(a, n, p, q);
    let nf = n as f64;
    if (a as f64) <= nf * p {
        // Lower tail, summed downward: P(k−1)/P(k) = k·q / ((n−k+1)·p).
        let mut sum = pmf_a;
        let mut term = pmf_a;
        let mut k = a;
        while k > 0 && term > 0.0 {
            let r = (k as f64 * q) / ((n - k + 1) as f64 * p);
            term *= r;
            sum += term;
            k -= 1;
            if r < 1.0 && term * r <= sum * TAIL_EPS * (1.0 - r) {
                break;
            }
        }
        let lower = sum.min(1.0);
        let upper = (1.0 - lower + pmf_a).clamp(0.0, 1.0);
        (lower, upper)
    } else {
        // Upper tail, summed upward: P(k+1)/P(k) = (n−k)·p / ((k+1)·q).
        let mut sum = pmf_a;
        let mut term = pmf_a;
        let mut k = a;
        while k < n && term > 0.0 {
            let r = ((n - k) as f64 * p) / ((k + 1) as f64 * q);
            term *= r;
            sum += term;
            k += 1;
            if r < 1.0 && term * r <= sum * TAIL_EPS * (1.0 - r) {
                break;
            }
        }
        let upper = sum.min(1.0);
        let lower = (1.0 - upper + pmf_a).clamp(0.0, 1.0);
        (lower, upper)
    }
}

/// Relative size of the neglected remainder of a tail sum (2⁻⁵⁶).
const TAIL_EPS: f64 = 1.0 / 72_057_594_037_927_936.0;

/// P(X = x) for X ~ Binomial(n, p), q = 1 − p: Loader's algorithm (R's
/// `dbinom_raw`).
fn dbinom(x: u64, n: u64, p: f64, q: f64) -> f64 {
    if p == 0.0 {
        return if x == 0 { 1.0 } else { 0.0 };
    }
    if q == 0.0 {
        return if x == n { 1.0 } else { 0.0 };
    }
    let nf = n as f64;
    if x == 0 {
        if n == 0 {
            return 1.0;
        }
        let lc = if p < 0.1 {
            -bd0(nf, nf * q) - nf * p
        } else {
            nf * q.ln()
        };
        return lc.exp();
    }
    if x == n {
        let lc = if q < 0.1 {
            -bd0(nf, nf * p) - nf * q
        } else {
            nf * p.ln()
        };
        return lc.exp();
    }
    if x > n {
        return 0.0;
    }
    let xf = x as f64;
    let lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(xf, nf * p) - bd0(nf - xf, nf * q);
    // ln(1 − x/n), well conditioned on both sides (ln_1p(−x/n) loses
    // digits when x/n is close to 1).
    let ln_rest = if 2 * x <= n {
        (-xf / nf).ln_1p()
    } else {
        ((n - x) as f64 / nf).ln()
    };
    let lf = LN_2PI + xf.ln() + ln_rest;
    (lc - 0.5 * lf).exp()
}

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Deviance term bd0(x, np) = x·ln(x/np) + np − x, computed without
/// cancellation when x ≈ np (Loader 2000).
fn bd0(x: f64, np: f64) -> f64 {
    if (x - np).abs() < 0.1 * (x + np) {
        let mut v = (x - np) / (x + np);
        let mut s = (x - np) * v;
        if s.abs() < f64::MIN_POSITIVE {
            return s;
        }
        let mut ej = 2.0 * x * v;
        v *= v;
        for j in 1..1000_u32 {
            ej *= v;
            let s1 = s + ej / f64::from(2 * j + 1);
            if s1 == s {
                return s1;
            }
            s = s1;
        }
    }
    let ratio = x / np;
    let log_ratio = if ratio.is_finite() && ratio > 0.0 {
        ratio.ln()
    } else {
        x.ln() - np.ln()
    };
    x * log_ratio + np - x
}

/// stirlerr(n) = ln(n!) − ln(√(2π)·(n/e)ⁿ·√n), the error of Stirling's
/// formula, for integer n ≥ 1.
fn stirlerr(n: u64) -> f64 {
    // Exact values for n = 1..=15 (mpmath, 40 digits, rounded to f64).
    const TABLE: [f64; 16] = [
        0.0,                   // n = 0: not used
        0.08106146679532726,   // n = 1
        0.0413406959554093,    // n = 2
        0.02767792568499834,   // n = 3
        0.020790672103765093,  // n = 4
        0.016644691189821193,  // n = 5
        0.013876128823070748,  // n = 6
        0.01189670994589177,   // n = 7
        0.010411265261972096,  // n = 8
        0.009255462182712733,  // n = 9
        0.00833056343336287,   // n = 10
        0.007573675487951841,  // n = 11
        0.00694284010720953,   // n = 12
        0.006408994188004207,  // n = 13
        0.0059513701127588475, // n = 14
        0.005554733551962801,  // n = 15
    ];
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    if n <= 15 {
        // usize conversion is lossless for n ≤ 15.
        return TABLE[n as usize];
    }
    let nf = n as f64;
    let nn = nf * nf;
    if n > 500 {
        (S0 - S1 / nn) / nf
    } else if n > 80 {
        (S0 - (S1 - S2 / nn) / nn) / nf
    } else if n > 35 {
        (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / nf
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / nf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // ---------------------------------------------------------------------
    // Reference tables: generated by `reference.py` (kept beside this file;
    // in the repo under tests/reference/), pasted verbatim.
    // ---------------------------------------------------------------------

    // Generated by reference.py with Python 3.11.7, scipy 1.17.1, numpy 2.4.6.
    // (a, b, ea, eb, p_value)
    const REF_EXACT: &[(u64, u64, f64, f64, f64)] = &[
        (0, 0, 1.0, 1.0, 1.0),
        (3, 0, 1.0, 1.0, 0.25),
        (5, 5, 1.0, 1.0, 1.0),
        (3, 0, 0.0, 1.0, 1.0),
        (1, 0, 1.0, 1.0, 1.0),
        (0, 1, 1.0, 1.0, 1.0),
        (4000, 3800, 1.0, 1.0, 0.02423838324378805),
        (4000, 3800, 30.0, 28.0, 0.4412610095336522),
        (12, 3, 7.0, 30.0, 1.0766722554410365e-6),
        (2, 4, 7.0, 7.0, 0.6875),
        (2, 4, 7.0, 30.0, 0.6361757092550548),
        (50, 20, 1234.567, 999.1, 0.008202982149716743),
        (0, 25, 1.0, 1.0, 5.960464477539063e-8),
        (25, 0, 1.0, 1.0, 5.960464477539063e-8),
        (0, 10, 7.0, 30.0, 0.2455982693730256),
        (10, 0, 7.0, 30.0, 1.1748790376655745e-7),
        (500000, 500000, 1.0, 1.0, 1.0),
        (499000, 501000, 1.0, 1.0, 0.0456082998653896),
        (5000000, 5000000, 1.0, 1.0, 1.0),
        (4990000, 5010000, 1.0, 1.0, 2.5448004911550766e-10),
        (10, 999990, 1.0, 19999.0, 1.2889928545498382e-11),
        (100, 200, 3.0, 7.0, 0.23263309447285133),
        (7, 1, 1.0, 1.0, 0.0703125),
        (9, 1, 1.0, 3.0, 5.91278076171875e-5),
        (300, 200, 1.0, 1.0, 8.940066542253288e-6),
        (900, 0, 1.0, 1.0, 2.3661043723335494e-271),
        (123456, 120000, 5000.5, 4900.25, 0.04482087237119033),
        (3, 17, 0.001, 0.5, 1.7675424361339223e-5),
        (17, 3, 1.0e-6, 1000000.0, 2.279999999954778e-201),
        (2, 40000000, 1.0, 20000000.0, 1.0),
        (40, 60, 365.0, 366.0, 0.0586913284498357),
        (6, 1, 14.0, 14.0, 0.125),
        (1, 999999, 1.0, 1.0, 0.0),
        (70, 1000000, 1.0, 10000.0, 0.0019438198816971958),
    ];

    // (a, n, piL, 1-piL, piU, 1-piU)
    const REF_CP: &[(u64, u64, f64, f64, f64, f64)] = &[
        (0, 1, 0.0, 1.0, 0.975, 0.025),
        (1, 1, 0.025, 0.975, 1.0, 0.0),
        (
            1,
            2,
            0.01257911709342505,
            0.9874208829065749,
            0.9874208829065749,
            0.01257911709342505,
        ),
        (0, 5, 0.0, 1.0, 0.5218237501049814, 0.4781762498950185),
        (5, 5, 0.4781762498950185, 0.5218237501049814, 1.0, 0.0),
        (
            3,
            7,
            0.09898827844250786,
            0.9010117215574921,
            0.8159484323599169,
            0.184051567640083,
        ),
        (
            5,
            10,
            0.18708602844739855,
            0.8129139715526015,
            0.8129139715526015,
            0.18708602844739855,
        ),
        (
            2,
            6,
            0.043271868292741676,
            0.9567281317072583,
            0.7772219044964879,
            0.22277809550351213,
        ),
        (
            12,
            15,
            0.5191088661931469,
            0.48089113380685305,
            0.9566879948941633,
            0.0433120051058366,
        ),
        (0, 1000, 0.0, 1.0, 0.003682083896865671, 0.9963179161031344),
        (
            1000,
            1000,
            0.9963179161031344,
            0.003682083896865671,
            1.0,
            0.0,
        ),
        (
            1,
            1000000,
            2.5317807663794178e-8,
            0.9999999746821924,
            5.571630655166939e-6,
            0.9999944283693448,
        ),
        (
            0,
            1000000,
            0.0,
            1.0,
            3.688872650206488e-6,
            0.9999963111273498,
        ),
        (
            1000000,
            1000000,
            0.9999963111273498,
            3.688872650206488e-6,
            1.0,
            0.0,
        ),
        (
            999999,
            1000000,
            0.9999944283693448,
            5.571630655166939e-6,
            0.9999999746821924,
            2.5317807663794178e-8,
        ),
        (
            500000,
            1000000,
            0.49901951919531184,
            0.5009804808046882,
            0.5009804808046882,
            0.49901951919531184,
        ),
        (
            4000,
            7800,
            0.5016608989982241,
            0.4983391010017759,
            0.5239705411772178,
            0.4760294588227823,
        ),
        (
            5000000,
            10000000,
            0.4996900525213711,
            0.5003099474786289,
            0.5003099474786289,
            0.4996900525213711,
        ),
        (
            1,
            10000000,
            2.5317807952240303e-9,
            0.9999999974682192,
            5.571642116990813e-7,
            0.9999994428357883,
        ),
        (
            9999990,
            10000000,
            0.9999981609651672,
            1.8390348327998327e-6,
            0.9999995204610296,
            4.795389704270113e-7,
        ),
    ];

    // (a, b, ea, eb, started, rate_ratio, p_value, ci95)
    #[allow(clippy::type_complexity)]
    const REF_CYCLE: &[(
        u64,
        u64,
        f64,
        f64,
        bool,
        Option<f64>,
        f64,
        Option<(f64, Option<f64>)>,
    )] = &[
        (
            2,
            4,
            14.0,
            14.0,
            true,
            Some(0.5),
            0.6875,
            Some((0.04522901214948501, Some(3.4887716529753474))),
        ),
        (
            2,
            20,
            14.0,
            14.0,
            true,
            Some(0.09999999999999999),
            0.00012111663818359375,
            Some((0.011332574158762073, Some(0.411657237022616))),
        ),
        (
            30,
            10,
            14.0,
            14.0,
            true,
            Some(3.0),
            0.0022214337732293643,
            Some((1.427408470151585, Some(6.879301771018324))),
        ),
        (
            50,
            80,
            1234.567,
            999.1,
            true,
            Some(0.5057947442301634),
            0.00017162907825886265,
            Some((0.34793057923424187, Some(0.7291125473453877))),
        ),
        (
            5,
            0,
            7.0,
            7.0,
            true,
            None,
            0.0625,
            Some((0.9163558573154599, None)),
        ),
        (
            0,
            12,
            7.0,
            7.0,
            true,
            Some(0.0),
            0.00048828125,
            Some((0.0, Some(0.35989381728770414))),
        ),
        (0, 7, 0.0, 7.0, false, None, 1.0, None),
        (0, 0, 3.0, 7.0, true, None, 1.0, None),
        (
            4000,
            3800,
            30.0,
            28.0,
            true,
            Some(0.9824561403508772),
            0.4412610095336522,
            Some((0.9395546890135369, Some(1.0273296383269932))),
        ),
        (
            999999,
            1,
            1.0,
            1.0,
            true,
            Some(999999.0),
            0.0,
            Some((179479.66946480636, Some(39497889.705207214))),
        ),
    ];

    // series A: laney = true; (center, phi), then per bucket (count, exposure, rate, ucl, lcl)
    const REF_CONTROL_A_LANEY: bool = true;
    const REF_CONTROL_A_CENTER_PHI: (f64, f64) = (0.7857142857142857, 1.680068686805441);
    const REF_CONTROL_A: &[(u64, f64, f64, f64, f64)] = &[
        (3, 7.0, 0.42857142857142855, 2.4743329956095916, 0.0),
        (5, 7.0, 0.7142857142857143, 2.4743329956095916, 0.0),
        (2, 7.0, 0.2857142857142857, 2.4743329956095916, 0.0),
        (8, 7.0, 1.1428571428571428, 2.4743329956095916, 0.0),
        (4, 7.0, 0.5714285714285714, 2.4743329956095916, 0.0),
        (6, 7.0, 0.8571428571428571, 2.4743329956095916, 0.0),
        (15, 7.0, 2.142857142857143, 2.4743329956095916, 0.0),
        (3, 7.0, 0.42857142857142855, 2.4743329956095916, 0.0),
        (4, 7.0, 0.5714285714285714, 2.4743329956095916, 0.0),
        (5, 7.0, 0.7142857142857143, 2.4743329956095916, 0.0),
    ];

    // series B: laney = true; (center, phi), then per bucket (count, exposure, rate, ucl, lcl)
    const REF_CONTROL_B_LANEY: bool = true;
    const REF_CONTROL_B_CENTER_PHI: (f64, f64) = (1.0829694323144106, 1.3205069105652076);
    const REF_CONTROL_B: &[(u64, f64, f64, f64, f64)] = &[
        (12, 10.5, 1.1428571428571428, 2.355227995782482, 0.0),
        (
            30,
            22.25,
            1.348314606741573,
            1.9569565365654877,
            0.2089823280633334,
        ),
        (7, 8.0, 0.875, 2.540524724976464, 0.0),
        (
            19,
            15.125,
            1.256198347107438,
            2.143009645159541,
            0.022929219469280282,
        ),
        (
            25,
            30.0,
            0.8333333333333334,
            1.8356477489352923,
            0.33029111569352887,
        ),
    ];

    // series C: laney = true; (center, phi), then per bucket (count, exposure, rate, ucl, lcl)
    const REF_CONTROL_C_LANEY: bool = true;
    const REF_CONTROL_C_CENTER_PHI: (f64, f64) = (2.0, 2.3394220015387734);
    const REF_CONTROL_C: &[(u64, f64, f64, f64, f64)] = &[
        (0, 1.2, 0.0, 11.06054245171089, 0.0),
        (1, 0.8, 1.25, 13.096852899758689, 0.0),
        (0, 1.0, 0.0, 11.925326968070436, 0.0),
        (2, 1.5, 1.3333333333333333, 10.103995534019264, 0.0),
        (9, 1.1, 8.181818181818182, 11.46342795008554, 0.0),
        (1, 0.9, 1.1111111111111112, 12.46221324699863, 0.0),
    ];

    // series D: laney = false; (center, phi), then per bucket (count, exposure, rate, ucl, lcl)
    const REF_CONTROL_D_LANEY: bool = false;
    const REF_CONTROL_D_CENTER_PHI: (f64, f64) = (2.7480916030534353, 1.0);
    const REF_CONTROL_D: &[(u64, f64, f64, f64, f64)] = &[
        (100, 50.0, 2.0, 3.4514098017015424, 2.044773404405328),
        (120, 60.0, 2.0, 3.3901303405592147, 2.106052865547656),
        (90, 45.0, 2.0, 3.489454078911694, 2.0067291271951766),
        (
            300,
            55.0,
            5.454545454545454,
            3.4186791938000054,
            2.077504012306865,
        ),
        (
            110,
            52.0,
            2.1153846153846154,
            3.4377518375095173,
            2.058431368597353,
        ),
    ];

    // High-precision references (mpmath 1.4.1, 40 digits; see reference.py).
    // (a, b, ea, eb, p_value) with pi0 = the double ea / (ea + eb), as the Rust code uses.
    const REF_MP_EXACT: &[(u64, u64, f64, f64, f64)] = &[
        (4000, 3800, 1.0, 1.0, 0.024238383243788165),
        (4000, 3800, 30.0, 28.0, 0.44126100953365277),
        (12, 3, 7.0, 30.0, 1.0766722554410365e-6),
        (50, 20, 1234.567, 999.1, 0.00820298214971674),
        (499000, 501000, 1.0, 1.0, 0.04560829986538208),
        (4990000, 5010000, 1.0, 1.0, 2.5448004911551733e-10),
        (10, 999990, 1.0, 19999.0, 1.288992854542736e-11),
        (123456, 120000, 5000.5, 4900.25, 0.04482087237118745),
        (17, 3, 1.0e-6, 1000000.0, 2.2799999999547772e-201),
        (70, 1000000, 1.0, 10000.0, 0.0019438198816971912),
        (900, 0, 1.0, 1.0, 2.3661043723335494e-271),
    ];

    // (a, n, piL, 1-piL, piU, 1-piU)
    const REF_MP_CP: &[(u64, u64, f64, f64, f64, f64)] = &[
        (
            3,
            7,
            0.09898827844250786,
            0.9010117215574921,
            0.815948432359917,
            0.184051567640083,
        ),
        (
            1,
            1000000,
            2.5317807663794178e-8,
            0.9999999746821924,
            5.571630655172244e-6,
            0.9999944283693448,
        ),
        (
            0,
            1000000,
            0.0,
            1.0,
            3.688872650206489e-6,
            0.9999963111273498,
        ),
        (
            999999,
            1000000,
            0.9999944283693448,
            5.571630655172244e-6,
            0.9999999746821924,
            2.5317807663794178e-8,
        ),
        (
            500000,
            1000000,
            0.49901951919531184,
            0.5009804808046882,
            0.5009804808046882,
            0.49901951919531184,
        ),
        (
            4000,
            7800,
            0.5016608989982241,
            0.4983391010017759,
            0.5239705411772176,
            0.47602945882278236,
        ),
        (
            1,
            10000000,
            2.5317807952240303e-9,
            0.9999999974682192,
            5.571642117360731e-7,
            0.9999994428357882,
        ),
        (
            9999990,
            10000000,
            0.9999981609651674,
            1.8390348326936415e-6,
            0.9999995204610296,
            4.795389704270114e-7,
        ),
    ];

    // ---------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------

    /// Relative tolerance against scipy. Achieved: see `worst_*` prints.
    const REL_TOL: f64 = 1e-9;

    fn rel_err(got: f64, want: f64) -> f64 {
        if got == want {
            0.0
        } else {
            (got - want).abs() / want.abs().max(f64::MIN_POSITIVE)
        }
    }

    /// `got ≈ want` within `REL_TOL` relative when want > 1e-300, else
    /// |got − want| ≤ 1e-300 (underflow territory).
    #[track_caller]
    fn assert_close(got: f64, want: f64, what: &str) -> f64 {
        if want.abs() > 1e-300 {
            let e = rel_err(got, want);
            assert!(
                e <= REL_TOL,
                "{what}: got {got:e}, want {want:e}, rel err {e:e}"
            );
            e
        } else {
            assert!(
                (got - want).abs() <= 1e-300,
                "{what}: got {got:e}, want {want:e}"
            );
            0.0
        }
    }

    #[track_caller]
    fn assert_close_opt(got: Option<f64>, want: Option<f64>, what: &str) -> f64 {
        match (got, want) {
            (Some(g), Some(w)) => assert_close(g, w, what),
            (None, None) => 0.0,
            _ => panic!("{what}: got {got:?}, want {want:?}"),
        }
    }

    fn binom_pmf_exact(k: u64, n: u64, p: f64) -> f64 {
        // Product form, fine for the small n used in the hand checks.
        let mut c = 1.0;
        for i in 0..k {
            c *= (n - i) as f64 / (i + 1) as f64;
        }
        c * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32)
    }

    // ---------------------------------------------------------------------
    // Exact test
    // ---------------------------------------------------------------------

    #[test]
    fn exact_test_hand_computed() {
        assert_eq!(exact_test(0, 0, 1.0, 1.0), 1.0);
        // P(X ≥ 3 | 3, ½) = 1/8 ⇒ p = 1/4.
        assert!((exact_test(3, 0, 1.0, 1.0) - 0.25).abs() < 1e-15);
        assert!((exact_test(0, 3, 1.0, 1.0) - 0.25).abs() < 1e-15);
        assert_eq!(exact_test(5, 5, 1.0, 1.0), 1.0);
        // Ea = 0 or Eb = 0 ⇒ 1.
        assert_eq!(exact_test(3, 0, 0.0, 1.0), 1.0);
        assert_eq!(exact_test(3, 9, 1.0, 0.0), 1.0);
        // Invalid exposures ⇒ 1.
        assert_eq!(exact_test(3, 9, -1.0, 1.0), 1.0);
        assert_eq!(exact_test(3, 9, f64::NAN, 1.0), 1.0);
        assert_eq!(exact_test(3, 9, 1.0, f64::INFINITY), 1.0);
        // n = 1: P(X ≥ 1) = ½ ⇒ p = 1.
        assert_eq!(exact_test(1, 0, 1.0, 1.0), 1.0);
        // 6 vs 1: P(X ≥ 6 | 7, ½) = 8/128 ⇒ p = 0.125.
        assert!((exact_test(6, 1, 14.0, 14.0) - 0.125).abs() < 1e-15);
        // 7 vs 1: P(X ≥ 7 | 8, ½) = 9/256 ⇒ p = 9/128.
        assert!((exact_test(7, 1, 1.0, 1.0) - 9.0 / 128.0).abs() < 1e-15);
        // 2 vs 4, equal exposures: P(X ≤ 2 | 6, ½) = 22/64 ⇒ p = 44/64.
        assert!((exact_test(2, 4, 7.0, 7.0) - 44.0 / 64.0).abs() < 1e-15);
        // a = 0, π0 = 1/4, n = 3: P(X ≤ 0) = 27/64 ⇒ p = 54/64.
        assert!((exact_test(0, 3, 1.0, 3.0) - 54.0 / 64.0).abs() < 1e-15);
        // a = 3, π0 = 1/4, n = 3: P(X ≥ 3) = 1/64 ⇒ p = 2/64.
        assert!((exact_test(3, 0, 1.0, 3.0) - 2.0 / 64.0).abs() < 1e-15);
        assert!((distinct(3, 0) - 0.25).abs() < 1e-15);
        assert_eq!(distinct(5, 5), 1.0);
    }

    #[test]
    fn exact_test_matches_brute_force_small_n() {
        // Sum the pmf directly for every (a, b) with n ≤ 30 and a few π0.
        for &(ea, eb) in &[
            (1.0, 1.0),
            (7.0, 30.0),
            (30.0, 7.0),
            (1234.567, 999.1),
            (1.0, 9.0),
        ] {
            for n in 0..=30_u64 {
                for a in 0..=n {
                    let p0 = ea / (ea + eb);
                    let lower: f64 = (0..=a).map(|k| binom_pmf_exact(k, n, p0)).sum();
                    let upper: f64 = (a..=n).map(|k| binom_pmf_exact(k, n, p0)).sum();
                    let want = if n == 0 {
                        1.0
                    } else {
                        (2.0 * lower.min(upper)).min(1.0)
                    };
                    let got = exact_test(a, n - a, ea, eb);
                    assert!(
                        rel_err(got, want) < 1e-11,
                        "a={a} n={n} ea={ea} eb={eb}: got {got:e} want {want:e}"
                    );
                }
            }
        }
    }

    #[test]
    fn exact_test_matches_scipy() {
        let mut worst: f64 = 0.0;
        for &(a, b, ea, eb, want) in REF_EXACT {
            let got = exact_test(a, b, ea, eb);
            worst = worst.max(assert_close(
                got,
                want,
                &format!("exact_test({a}, {b}, {ea}, {eb})"),
            ));
        }
        println!("worst relative error of exact_test vs scipy: {worst:e}");
    }

    /// Tighter tolerance against the 40-digit mpmath references.
    const MP_REL_TOL: f64 = 1e-12;

    #[test]
    fn exact_test_matches_mpmath() {
        let mut worst: f64 = 0.0;
        for &(a, b, ea, eb, want) in REF_MP_EXACT {
            let got = exact_test(a, b, ea, eb);
            let e = rel_err(got, want);
            assert!(
                e <= MP_REL_TOL,
                "exact_test({a}, {b}, {ea}, {eb}): got {got:e}, want {want:e}, rel {e:e}"
            );
            worst = worst.max(e);
        }
        println!("worst relative error of exact_test vs mpmath: {worst:e}");
    }

    #[test]
    fn exact_test_is_symmetric() {
        // Swapping the roles of (a, Ea) and (b, Eb) gives the same p.
        for &(a, b, ea, eb, _) in REF_EXACT {
            let p1 = exact_test(a, b, ea, eb);
            let p2 = exact_test(b, a, eb, ea);
            assert!(
                rel_err(p1, p2) < 1e-11 || (p1 - p2).abs() < 1e-300,
                "{a} {b} {ea} {eb}: {p1:e} vs {p2:e}"
            );
        }
    }

    #[test]
    fn exact_test_huge_n_is_fast_and_sane() {
        // n = 2·10⁸ right at the mean: ~40 000 terms, not 10⁸.
        let t = std::time::Instant::now();
        let p = exact_test(100_000_000, 100_000_000, 1.0, 1.0);
        assert_eq!(p, 1.0);
        let p = exact_test(99_990_000, 100_010_000, 1.0, 1.0);
        // z = −10000/√(2·10⁸·¼) = −√2 ⇒ p ≈ 2Φ(−√2) = 0.1573 (normal approx).
        assert!((p - 0.1573).abs() < 1e-3, "{p}");
        assert!(t.elapsed().as_secs_f64() < 2.0);
        // Underflow: far beyond 1e-308 gives 0, never NaN.
        assert_eq!(exact_test(0, 5000, 1.0, 1.0), 0.0);
        assert_eq!(exact_test(1, 999_999, 1.0, 1.0), 0.0);
    }

    #[test]
    fn binom_tails_sum_to_one_plus_pmf() {
        for &(a, n, p) in &[
            (3_u64, 10_u64, 0.3),
            (0, 1, 0.9),
            (1, 1, 0.9),
            (50, 100, 0.5),
            (7, 1000, 0.01),
        ] {
            let (l, u) = binom_tails(a, n, p, 1.0 - p);
            let pmf = dbinom(a, n, p, 1.0 - p);
            assert!((l + u - 1.0 - pmf).abs() < 1e-14, "{a} {n} {p}");
        }
    }

    // ---------------------------------------------------------------------
    // Clopper–Pearson
    // ---------------------------------------------------------------------

    #[test]
    fn clopper_pearson_hand_computed() {
        assert_eq!(clopper_pearson(0, 0), None);
        assert_eq!(clopper_pearson(3, 2), None);
        // n = 1: [0, 0.975] and [0.025, 1].
        let (lo, hi) = clopper_pearson(0, 1).unwrap();
        assert_eq!(lo, 0.0);
        assert!((hi - 0.975).abs() < 1e-15);
        let (lo, hi) = clopper_pearson(1, 1).unwrap();
        assert!((lo - 0.025).abs() < 1e-15);
        assert_eq!(hi, 1.0);
        // 0 of n: upper = 1 − 0.025^(1/n).
        for n in [2_u64, 5, 30, 1000] {
            let (_, hi) = clopper_pearson(0, n).unwrap();
            let want = -(0.025_f64.ln() / n as f64).exp_m1();
            assert!(rel_err(hi, want) < 1e-12, "n={n}: {hi} vs {want}");
        }
        // n of n: lower = 0.025^(1/n).
        for n in [2_u64, 5, 30, 1000] {
            let (lo, _) = clopper_pearson(n, n).unwrap();
            let want = (0.025_f64.ln() / n as f64).exp();
            assert!(rel_err(lo, want) < 1e-12, "n={n}: {lo} vs {want}");
        }
    }

    #[test]
    fn clopper_pearson_matches_scipy() {
        let mut worst: f64 = 0.0;
        for &(a, n, lo, lo_c, hi, hi_c) in REF_CP {
            let b = cp_bounds(a, n).unwrap();
            let what = format!("CP({a}, {n})");
            worst = worst.max(assert_close(b.lower.p, lo, &format!("{what} lower")));
            worst = worst.max(assert_close(b.lower.q, lo_c, &format!("{what} 1-lower")));
            worst = worst.max(assert_close(b.upper.p, hi, &format!("{what} upper")));
            worst = worst.max(assert_close(b.upper.q, hi_c, &format!("{what} 1-upper")));
            assert_eq!(clopper_pearson(a, n), Some((b.lower.p, b.upper.p)));
        }
        println!("worst relative error of Clopper–Pearson vs scipy: {worst:e}");
    }

    #[test]
    fn clopper_pearson_matches_mpmath() {
        let mut worst: f64 = 0.0;
        for &(a, n, lo, lo_c, hi, hi_c) in REF_MP_CP {
            let b = cp_bounds(a, n).unwrap();
            for (got, want, what) in [
                (b.lower.p, lo, "lower"),
                (b.lower.q, lo_c, "1-lower"),
                (b.upper.p, hi, "upper"),
                (b.upper.q, hi_c, "1-upper"),
            ] {
                let e = rel_err(got, want);
                assert!(
                    e <= MP_REL_TOL,
                    "CP({a}, {n}) {what}: got {got:e}, want {want:e}, rel {e:e}"
                );
                worst = worst.max(e);
            }
        }
        println!("worst relative error of Clopper–Pearson vs mpmath: {worst:e}");
    }

    #[test]
    fn clopper_pearson_is_mirror_symmetric() {
        for &(a, n) in &[(3_u64, 7_u64), (1, 1_000_000), (12, 15), (0, 40)] {
            let x = cp_bounds(a, n).unwrap();
            let y = cp_bounds(n - a, n).unwrap();
            assert!(rel_err(x.lower.p, y.upper.q) < 1e-12);
            assert!(rel_err(x.upper.p, y.lower.q) < 1e-12);
        }
    }

    // ---------------------------------------------------------------------
    // Cycle verdicts
    // ---------------------------------------------------------------------

    #[test]
    fn compare_cycle_matches_scipy() {
        let mut worst: f64 = 0.0;
        for &(a, b, ea, eb, started, rr, p, ci) in REF_CYCLE {
            let got = compare_cycle(a, b, ea, eb, started);
            let what = format!("compare_cycle({a}, {b}, {ea}, {eb}, {started})");
            worst = worst.max(assert_close_opt(
                got.rate_ratio,
                rr,
                &format!("{what} rate_ratio"),
            ));
            worst = worst.max(assert_close(got.p_value, p, &format!("{what} p")));
            match (got.ci95, ci) {
                (None, None) => {}
                (Some([Some(lo), hi]), Some((want_lo, want_hi))) => {
                    if want_lo == 0.0 {
                        assert_eq!(lo, 0.0, "{what} ci lower");
                    } else {
                        worst = worst.max(assert_close(lo, want_lo, &format!("{what} ci lower")));
                    }
                    worst = worst.max(assert_close_opt(hi, want_hi, &format!("{what} ci upper")));
                }
                other => panic!("{what}: ci95 {other:?}"),
            }
        }
        println!("worst relative error of compare_cycle vs scipy: {worst:e}");
    }

    #[test]
    fn verdicts() {
        // "4 before, 2 during" ⇒ no clear change (p = 0.6875).
        let c = compare_cycle(2, 4, 14.0, 14.0, true);
        assert_eq!(c.verdict, Verdict::NoClearChange);
        assert_eq!(c.rate_ratio, Some(0.5));
        assert!((c.p_value - 0.6875).abs() < 1e-15);
        // 20 before, 2 during ⇒ improved.
        assert_eq!(
            compare_cycle(2, 20, 14.0, 14.0, true).verdict,
            Verdict::Improved
        );
        // 10 before, 30 during ⇒ worse.
        assert_eq!(
            compare_cycle(30, 10, 14.0, 14.0, true).verdict,
            Verdict::Worse
        );
        // Same counts but a cycle half as long so far: 10 during 7 days vs 10
        // in 14 days ⇒ rate doubled, p ≈ 0.10 ⇒ no clear change.
        let c = compare_cycle(10, 10, 7.0, 14.0, true);
        assert_eq!(c.rate_ratio, Some(2.0));
        assert_eq!(c.verdict, Verdict::NoClearChange);
        // Exposure decides the direction: more events but far more volume.
        let c = compare_cycle(60, 20, 3000.0, 200.0, true);
        assert_eq!(c.verdict, Verdict::Improved);
        // Not started: verdict forced, numbers from the inputs.
        let c = compare_cycle(0, 7, 0.0, 7.0, false);
        assert_eq!(c.verdict, Verdict::NotStarted);
        assert_eq!(c.rate_ratio, None);
        assert_eq!(c.p_value, 1.0);
        assert_eq!(c.ci95, None);
        // Even with data, started = false wins.
        assert_eq!(
            compare_cycle(30, 1, 7.0, 7.0, false).verdict,
            Verdict::NotStarted
        );
    }

    #[test]
    fn compare_cycle_edge_cases() {
        // n = 0: p = 1, no ratio, no interval.
        let c = compare_cycle(0, 0, 7.0, 7.0, true);
        assert_eq!((c.rate_ratio, c.p_value, c.ci95), (None, 1.0, None));
        assert_eq!(c.verdict, Verdict::NoClearChange);
        // b = 0: ratio null, upper bound infinite ⇒ null, lower finite.
        let c = compare_cycle(5, 0, 7.0, 7.0, true);
        assert_eq!(c.rate_ratio, None);
        let [lo, hi] = c.ci95.unwrap();
        assert!(lo.unwrap() > 0.0 && hi.is_none());
        // b = 0 but significant: still a verdict (rates compared by a·Eb vs b·Ea).
        let c = compare_cycle(9, 0, 7.0, 7.0, true);
        assert!(c.p_value < 0.05);
        assert_eq!(c.verdict, Verdict::Worse);
        // a = 0: ratio 0, lower bound 0 (finite), upper finite.
        let c = compare_cycle(0, 12, 7.0, 7.0, true);
        assert_eq!(c.rate_ratio, Some(0.0));
        let [lo, hi] = c.ci95.unwrap();
        assert_eq!(lo, Some(0.0));
        assert!(hi.unwrap() > 0.0);
        assert_eq!(c.verdict, Verdict::Improved);
        // Ea = 0 (started but nothing exposed): everything null, p = 1.
        let c = compare_cycle(3, 4, 0.0, 7.0, true);
        assert_eq!((c.rate_ratio, c.p_value, c.ci95), (None, 1.0, None));
        assert_eq!(c.verdict, Verdict::NoClearChange);
        // Eb = 0.
        let c = compare_cycle(3, 4, 7.0, 0.0, true);
        assert_eq!((c.rate_ratio, c.p_value, c.ci95), (None, 1.0, None));
    }

    #[test]
    fn serde_shapes() {
        let c = compare_cycle(5, 0, 7.0, 7.0, true);
        let v = serde_json::to_value(c).unwrap();
        assert_eq!(v["rate_ratio"], serde_json::Value::Null);
        assert!(v["ci95"][0].is_f64());
        assert_eq!(v["ci95"][1], serde_json::Value::Null);
        assert_eq!(v["verdict"], "no_clear_change");
        assert_eq!(
            serde_json::to_value(Verdict::NotStarted).unwrap(),
            "not_started"
        );
        assert_eq!(serde_json::to_value(Verdict::Improved).unwrap(), "improved");
        assert_eq!(serde_json::to_value(Verdict::Worse).unwrap(), "worse");
        assert_eq!(serde_json::to_value(Exposure::Volume).unwrap(), "volume");
        assert_eq!(serde_json::to_value(Exposure::Days).unwrap(), "days");
        assert_eq!(
            serde_json::from_str::<Exposure>("\"days\"").unwrap(),
            Exposure::Days
        );
        assert_eq!(serde_json::to_value(Signal::Run).unwrap(), "run");
        assert_eq!(serde_json::to_value(Side::High).unwrap(), "high");
        assert_eq!(
            serde_json::to_value(ExposureAmount::from_units(1500)).unwrap(),
            1.5
        );
        let ctl = control(&[(1, 2.0)], true);
        let v = serde_json::to_value(&ctl).unwrap();
        let keys: Vec<&str> = v["points"][0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["count", "exposure", "lcl", "rate", "side", "signals", "ucl"]
        );
        assert_eq!(v["center"], 0.5);
        assert_eq!(v["phi"], 1.0);
        assert_eq!(
            serde_json::to_value(control(&[], true)).unwrap()["center"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn exposure_amount() {
        assert_eq!(ExposureAmount::new(-1.0), None);
        assert_eq!(ExposureAmount::new(f64::NAN), None);
        assert_eq!(ExposureAmount::new(f64::INFINITY), None);
        assert_eq!(ExposureAmount::new(0.0), Some(ExposureAmount::ZERO));
        assert!(ExposureAmount::new(-0.0).unwrap().get().is_sign_positive());
        assert_eq!(ExposureAmount::new(2.5).map(ExposureAmount::get), Some(2.5));
        assert_eq!(ExposureAmount::from_units(1234).get(), 1.234);
        assert_eq!(ExposureAmount::from_days(7).get(), 7.0);
        let total: ExposureAmount = [1.0, 2.0, 3.5]
            .iter()
            .map(|&x| ExposureAmount::new(x).unwrap())
            .sum();
        assert_eq!(f64::from(total), 6.5);
        assert!(significant(0.0499));
        assert!(!significant(0.05));
    }

    // ---------------------------------------------------------------------
    // Control chart
    // ---------------------------------------------------------------------

    fn check_against_reference(
        name: &str,
        laney: bool,
        (center, phi): (f64, f64),
        rows: &[(u64, f64, f64, f64, f64)],
    ) -> f64 {
        let buckets: Vec<(u64, f64)> = rows.iter().map(|&(c, n, ..)| (c, n)).collect();
        let ctl = control(&buckets, laney);
        let mut worst = assert_close(ctl.center.unwrap(), center, &format!("{name} center"));
        worst = worst.max(assert_close(ctl.phi, phi, &format!("{name} phi")));
        for (i, (pt, &(c, n, u, ucl, lcl))) in ctl.points.iter().zip(rows).enumerate() {
            assert_eq!((pt.count, pt.exposure), (c, n));
            worst = worst.max(assert_close_opt(
                pt.rate,
                Some(u),
                &format!("{name}[{i}] rate"),
            ));
            worst = worst.max(assert_close_opt(
                pt.ucl,
                Some(ucl),
                &format!("{name}[{i}] ucl"),
            ));
            if lcl == 0.0 {
                assert_eq!(pt.lcl, Some(0.0));
            } else {
                worst = worst.max(assert_close_opt(
                    pt.lcl,
                    Some(lcl),
                    &format!("{name}[{i}] lcl"),
                ));
            }
            assert_eq!(
                pt.signals.contains(&Signal::Above),
                u > ucl,
                "{name}[{i}] above"
            );
            assert_eq!(
                pt.signals.contains(&Signal::Below),
                u < lcl,
                "{name}[{i}] below"
            );
        }
        worst
    }

    #[test]
    fn control_matches_numpy() {
        let mut worst: f64 = 0.0;
        worst = worst.max(check_against_reference(
            "A",
            REF_CONTROL_A_LANEY,
            REF_CONTROL_A_CENTER_PHI,
            REF_CONTROL_A,
        ));
        worst = worst.max(check_against_reference(
            "B",
            REF_CONTROL_B_LANEY,
            REF_CONTROL_B_CENTER_PHI,
            REF_CONTROL_B,
        ));
        worst = worst.max(check_against_reference(
            "C",
            REF_CONTROL_C_LANEY,
            REF_CONTROL_C_CENTER_PHI,
            REF_CONTROL_C,
        ));
        worst = worst.max(check_against_reference(
            "D",
            REF_CONTROL_D_LANEY,
            REF_CONTROL_D_CENTER_PHI,
            REF_CONTROL_D,
        ));
        println!("worst relative error of control vs numpy: {worst:e}");
        // Series D (p chart without Laney) has three points below and one above.
        let d: Vec<(u64, f64)> = REF_CONTROL_D.iter().map(|&(c, n, ..)| (c, n)).collect();
        let ctl = control(&d, false);
        let sig: Vec<Vec<Signal>> = ctl.points.iter().map(|p| p.signals.clone()).collect();
        assert_eq!(
            sig,
            vec![
                vec![Signal::Below],
                vec![Signal::Below],
                vec![Signal::Below],
                vec![Signal::Above],
                vec![],
            ]
        );
        assert!(ctl.points[3].is_high_alert());
        assert!(!ctl.points[0].is_high_alert());
    }

    #[test]
    fn control_hand_computed_three_buckets() {
        // c = (2, 4, 9), n = 10 each: ū = 0.5, σ = √0.05, u = (0.2, 0.4, 0.9),
        // z·σ = (−0.3, −0.1, 0.4), mean |Δz|·σ = (0.2 + 0.5)/2 = 0.35,
        // 3φσ = 3·0.35/1.128 = 1.05/1.128.
        let ctl = control(&[(2, 10.0), (4, 10.0), (9, 10.0)], true);
        let sigma = 0.05_f64.sqrt();
        assert_eq!(ctl.center, Some(0.5));
        assert!(
            rel_err(ctl.phi, 0.35 / sigma / 1.128) < 1e-14,
            "{}",
            ctl.phi
        );
        for pt in &ctl.points {
            assert!(rel_err(pt.ucl.unwrap(), 0.5 + 1.05 / 1.128) < 1e-14);
            assert_eq!(pt.lcl, Some(0.0));
            assert!(pt.signals.is_empty());
        }
        assert_eq!(
            ctl.points
                .iter()
                .map(|p| p.rate.unwrap())
                .collect::<Vec<_>>(),
            [0.2, 0.4, 0.9]
        );
        assert_eq!(
            ctl.points.iter().map(|p| p.side).collect::<Vec<_>>(),
            [Some(Side::Low), Some(Side::Low), Some(Side::High)]
        );
        let z: Vec<f64> = ctl.points.iter().map(|p| p.z.unwrap()).collect();
        for (got, want) in z.iter().zip([-0.3, -0.1, 0.4]) {
            assert!((got - want / sigma).abs() < 1e-14);
        }
        // Without Laney: φ = 1, UCL = 0.5 + 3√0.05, LCL = max(0, 0.5 − 0.67) = 0.
        let p = control(&[(2, 10.0), (4, 10.0), (9, 10.0)], false);
        assert_eq!(p.phi, 1.0);
        assert!(rel_err(p.points[0].ucl.unwrap(), 0.5 + 3.0 * sigma) < 1e-15);
        assert_eq!(p.points[0].lcl, Some(0.0));
    }

    #[test]
    fn control_phi_needs_three_buckets() {
        let two = control(&[(2, 10.0), (9, 10.0)], true);
        assert_eq!(two.phi, 1.0);
        let one = control(&[(2, 10.0)], true);
        assert_eq!(one.phi, 1.0);
        assert_eq!(one.points[0].side, None); // its own rate is the centre
        let three = control(&[(2, 10.0), (9, 10.0), (2, 10.0)], true);
        assert_ne!(three.phi, 1.0);
    }

    fn run_series(pattern: &[u64]) -> Control {
        // Exposure 1 each, laney off: the tests pick counts whose mean is 5.
        control(
            &pattern.iter().map(|&c| (c, 1.0)).collect::<Vec<_>>(),
            false,
        )
    }

    fn runs(ctl: &Control) -> Vec<bool> {
        ctl.points
            .iter()
            .map(|p| p.signals.contains(&Signal::Run))
            .collect()
    }

    #[test]
    fn run_of_seven_is_not_a_signal_eight_is() {
        // Centre 5: seven 6s then seven 4s (and a balancing pair) ⇒ no run.
        let seven = run_series(&[6, 6, 6, 6, 6, 6, 6, 4, 4, 4, 4, 4, 4, 4]);
        assert_eq!(seven.center, Some(5.0));
        assert!(runs(&seven).iter().all(|&r| !r));
        // Eight 6s then eight 4s ⇒ the 8th of each side is flagged.
        let eight = run_series(&[6, 6, 6, 6, 6, 6, 6, 6, 4, 4, 4, 4, 4, 4, 4, 4]);
        assert_eq!(eight.center, Some(5.0));
        let r = runs(&eight);
        assert_eq!(r.iter().filter(|&&x| x).count(), 2);
        assert!(r[7] && r[15]);
        assert_eq!(eight.points[7].side, Some(Side::High));
        assert!(eight.points[7].is_high_alert());
        assert_eq!(eight.points[15].side, Some(Side::Low));
        assert!(
            !eight.points[15].is_high_alert(),
            "a low run is not an alert"
        );
        // Ten 6s then ten 4s ⇒ 8th, 9th, 10th of each run are flagged.
        let ten = run_series(&[6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]);
        let r = runs(&ten);
        let flagged: Vec<usize> = (0..r.len()).filter(|&i| r[i]).collect();
        assert_eq!(flagged, [7, 8, 9, 17, 18, 19]);
        // Signals order: above before run.
        assert!(ten.points.iter().all(|p| p.signals.len() <= 2));
    }

    #[test]
    fn a_point_on_the_centre_breaks_a_run() {
        // Centre 5; a 5 in the middle of nine 6s splits them into 4 + 5, so
        // no high run; nine 4s (indices 10..=18) flag their 8th and 9th; the
        // 5s at the end are on the centre.
        let ctl = run_series(&[
            6, 6, 6, 6, 5, 6, 6, 6, 6, 6, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5,
        ]);
        assert_eq!(ctl.center, Some(5.0));
        assert_eq!(ctl.points[4].side, None);
        let r = runs(&ctl);
        assert!(r[..10].iter().all(|&x| !x), "{r:?}");
        let flagged: Vec<usize> = (0..r.len()).filter(|&i| r[i]).collect();
        assert_eq!(flagged, [17, 18]);
        assert_eq!(ctl.points[19].side, None);
    }

    #[test]
    fn centre_tolerance_with_volume_exposures() {
        // Every bucket has exactly the same rate 0.37/unit in exact
        // arithmetic; floating point must not invent sides or runs.
        let buckets: Vec<(u64, f64)> = (0..12).map(|_| (37, 100.1)).collect();
        let ctl = control(&buckets, true);
        assert!(ctl
            .points
            .iter()
            .all(|p| p.side.is_none() && p.signals.is_empty()));
    }

    #[test]
    fn control_all_zero_counts() {
        let ctl = control(&[(0, 7.0), (0, 7.0), (0, 7.0), (0, 7.0)], true);
        assert_eq!(ctl.center, Some(0.0));
        assert_eq!(ctl.phi, 0.0);
        for p in &ctl.points {
            assert_eq!(
                (p.rate, p.ucl, p.lcl, p.z),
                (Some(0.0), Some(0.0), Some(0.0), Some(0.0))
            );
            assert!(p.signals.is_empty());
            assert_eq!(p.side, None);
        }
        let ctl = control(&[(0, 7.0), (0, 7.0)], true);
        assert_eq!(ctl.phi, 1.0);
    }

    #[test]
    fn control_empty_and_zero_exposure() {
        let empty = control(&[], true);
        assert_eq!(
            (empty.center, empty.phi, empty.points.len()),
            (None, 1.0, 0)
        );

        // Σn = 0: no centre, nothing computed, counts kept.
        let none = control(&[(3, 0.0), (0, 0.0), (1, 0.0)], true);
        assert_eq!((none.center, none.phi), (None, 1.0));
        for p in &none.points {
            assert_eq!(
                (p.rate, p.ucl, p.lcl, p.side, p.z),
                (None, None, None, None, None)
            );
            assert!(p.signals.is_empty());
        }
        assert_eq!(none.points[0].count, 3);

        // A zero-exposure bucket in the middle: its count is in ū, it has no
        // rate/limits/side, its moving ranges are left out of φ, and it breaks
        // a run.
        let ctl = control(&[(2, 10.0), (4, 10.0), (5, 0.0), (9, 10.0)], true);
        assert_eq!(ctl.center, Some(20.0 / 30.0));
        let mid = &ctl.points[2];
        assert_eq!(
            (mid.rate, mid.ucl, mid.lcl, mid.side, mid.z),
            (None, None, None, None, None)
        );
        let z: Vec<f64> = ctl.points.iter().filter_map(|p| p.z).collect();
        assert_eq!(z.len(), 3);
        let want_phi = (z[1] - z[0]).abs() / 1.128; // only the (0, 1) range survives
        assert!(rel_err(ctl.phi, want_phi) < 1e-15);

        let mut series: Vec<(u64, f64)> = vec![(6, 1.0); 4];
        series.push((6, 0.0));
        series.extend(vec![(6, 1.0); 4]);
        series.extend(vec![(4, 1.0); 9]);
        let ctl = control(&series, false);
        let r = runs(&ctl);
        let flagged: Vec<usize> = (0..r.len()).filter(|&i| r[i]).collect();
        assert_eq!(
            flagged,
            [16, 17],
            "zero-exposure bucket breaks the high run"
        );

        // Negative / NaN exposures are treated as 0.
        let bad = control(&[(1, -3.0), (1, f64::NAN), (2, 4.0)], true);
        assert_eq!(bad.center, Some(1.0));
        assert_eq!(bad.points[0].exposure, 0.0);
        assert_eq!(bad.points[1].rate, None);
    }
}
