//! Cycle verdicts: a cycle's focus horrors before against during, with an interim bar
//! while the cycle runs.

use serde::{Deserialize, Serialize};

use super::*;

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
