//! Unit tests of `stats::rev2`.

use super::reference::*;
use super::*;

fn close(got: f64, want: f64, tol: f64, what: &str) {
    let err = if got == want {
        0.0
    } else {
        (got - want).abs() / want.abs().max(1e-300)
    };
    assert!(
        err <= tol,
        "{what}: got {got:e}, want {want:e} (rel {err:e})"
    );
}

fn close_opt(got: Option<f64>, want: Option<f64>, tol: f64, what: &str) {
    match (got, want) {
        (Some(g), Some(w)) => close(g, w, tol, what),
        (None, None) => {}
        other => panic!("{what}: {other:?}"),
    }
}

#[test]
fn scaled_test_matches_scipy() {
    for &(a, b, wa, wb, phi, want) in REF_SCALED {
        let got = scaled_test(a, b, wa, wb, phi);
        let what = format!("scaled_test({a}, {b}, {wa}, {wb}, {phi})");
        match (got, want) {
            (None, None) => {}
            (Some(t), Some((l, u, p))) => {
                close(t.lower, l, 1e-9, &format!("{what} L"));
                close(t.upper, u, 1e-9, &format!("{what} U"));
                close(t.p_value, p, 1e-9, &format!("{what} p"));
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[test]
fn scaled_test_with_phi_one_is_the_binomial_test() {
    for (a, b, ea, eb) in [
        (40, 25, 30.0, 30.0),
        (123, 80, 812.5, 640.25),
        (7, 20, 3.0, 5.0),
    ] {
        let t = scaled_test(a, b, ea, eb, 1.0).unwrap();
        // The two binomial tails summed term by term (n ≤ 203, so log-factorials
        // summed in f64 are exact to ~1e-13).
        let n = a + b;
        let p0 = ea / (ea + eb);
        let ln_fact = |k: u64| (1..=k).map(|i| (i as f64).ln()).sum::<f64>();
        let pmf = |k: u64| {
            (ln_fact(n) - ln_fact(k) - ln_fact(n - k)
                + k as f64 * p0.ln()
                + (n - k) as f64 * (1.0 - p0).ln())
            .exp()
        };
        let lower: f64 = (0..=a).map(pmf).sum();
        let upper: f64 = (a..=n).map(pmf).sum();
        close(t.p_value, (2.0 * lower.min(upper)).min(1.0), 1e-9, "φ = 1");
    }
    // φ widens: the same counts are less surprising.
    let p1 = scaled_test(40, 20, 1.0, 1.0, 1.0).unwrap().p_value;
    let p3 = scaled_test(40, 20, 1.0, 1.0, 3.0).unwrap().p_value;
    assert!(p3 > p1 * 10.0, "{p1} {p3}");
    // Too few: n'·min(π0, 1 − π0) < 5.
    assert_eq!(scaled_test(6, 3, 1.0, 1.0, 1.0), None);
    assert!(scaled_test(6, 4, 1.0, 1.0, 1.0).is_some());
    assert_eq!(scaled_test(60, 40, 1.0, 1.0, 11.0), None);
}

#[test]
fn ahead_of_next_is_one_sided_in_the_measure() {
    // Equal weights: U of Binomial(60, ½) at 40 = P(X ≥ 40), scipy
    // binom.sf(39, 60, 0.5) = 0.00674464686559593;
    let p = ahead_of_next_p(40, 20, 1.0, 1.0, 1.0).unwrap();
    close(p, 0.006_744_646_865_595_93, 1e-9, "U(40 of 60)");
    // By pain: 20 ticks of pain 9 against 40 of pain 3 — the measure
    // (180 vs 120) is ahead, but not clearly: π0 = 3/12.
    let p = ahead_of_next_p(20, 40, 9.0, 3.0, 1.0).unwrap();
    // scipy betainc(20, 41, 3/12) = 0.09248427056127835.
    close(p, 0.092_484_270_561_278_35, 1e-9, "U by pain");
    assert_eq!(ahead_of_next_p(0, 20, 1.0, 1.0, 1.0), None);
    assert_eq!(ahead_of_next_p(20, 20, 0.0, 1.0, 1.0), None);
    assert_eq!(ahead_of_next_p(3, 2, 1.0, 1.0, 1.0), None);
}

#[test]
fn bh_matches_scipy() {
    let p: Vec<Option<f64>> = REF_BH_P.iter().copied().map(Some).collect();
    let q = bh_q_values(&p);
    for (i, (got, want)) in q.iter().zip(REF_BH_Q).enumerate() {
        close(got.unwrap(), *want, 1e-15, &format!("q[{i}]"));
    }
    // Nulls stay null and are not counted in m.
    let q = bh_q_values(&[Some(0.01), None, Some(0.04)]);
    assert_eq!(q[1], None);
    close(q[0].unwrap(), 0.02, 1e-15, "m = 2");
    close(q[2].unwrap(), 0.04, 1e-15, "m = 2");
}

#[test]
fn dispersion_matches_numpy() {
    for (i, &(groups, phi)) in REF_DISPERSION.iter().enumerate() {
        close(dispersion(groups), phi, 1e-12, &format!("dispersion[{i}]"));
    }
    // Fewer than 10 terms: 1. Under-dispersed data: floored at 1.
    assert_eq!(dispersion(&[&[(3, 1.0), (9, 1.0)]]), 1.0);
    let even: Vec<(u64, f64)> = (0..20).map(|_| (4, 1.0)).collect();
    assert_eq!(dispersion(&[&even]), 1.0);
}

#[test]
fn change_rate_and_verdict() {
    assert_eq!(change_rate_pct(141, 100, 1.0, 1.0), Some(41.0));
    assert_eq!(change_rate_pct(10, 0, 1.0, 1.0), None);
    assert_eq!(change_rate_pct(10, 5, 0.0, 1.0), None);
    assert_eq!(change_rate_pct(30, 30, 15.0, 30.0), Some(100.0));
    assert_eq!(change_verdict(None, 1, 2, 1.0, 1.0), ChangeVerdict::TooFew);
    assert_eq!(
        change_verdict(Some(0.01), 30, 10, 1.0, 1.0),
        ChangeVerdict::Up
    );
    assert_eq!(
        change_verdict(Some(0.01), 10, 30, 1.0, 1.0),
        ChangeVerdict::Down
    );
    assert_eq!(
        change_verdict(Some(0.05), 10, 30, 1.0, 1.0),
        ChangeVerdict::NoClearChange
    );
    assert_eq!(
        serde_json::to_value(ChangeVerdict::NoClearChange).unwrap(),
        "no_clear_change"
    );
}

#[test]
fn cycle_matches_scipy() {
    for &(a, b, ea, eb, phi, is_final, rr, p, has_ci, lo, hi, level, verdict) in REF_CYCLE {
        let got = compare_cycle(a, b, ea, eb, phi, true, is_final);
        let what = format!("cycle({a}, {b}, {ea}, {eb}, {phi}, {is_final})");
        close_opt(got.rate_ratio, rr, 1e-14, &format!("{what} rate_ratio"));
        close_opt(got.p_value, p, 1e-9, &format!("{what} p"));
        assert_eq!(got.ci.is_some(), has_ci, "{what} ci");
        if let Some([l, h]) = got.ci {
            close_opt(l, lo, 1e-9, &format!("{what} ci lower"));
            close_opt(h, hi, 1e-9, &format!("{what} ci upper"));
        }
        assert_eq!(got.ci_level, level);
        assert_eq!(got.verdict, verdict, "{what}");
    }
    let c = compare_cycle(10, 60, 28.0, 56.0, 1.0, false, false);
    assert_eq!(c.verdict, Verdict::NotStarted);
    let v = serde_json::to_value(c).unwrap();
    assert_eq!(v["final"], false);
    assert_eq!(v["ci_level"], 0.999);
}

#[allow(clippy::type_complexity)]
fn check_chart(
    name: &str,
    baseline: &[(u64, f64)],
    laney: bool,
    (center, phi): (f64, f64),
    rows: &[(u64, f64, f64, Option<f64>, Option<f64>, f64, &[Signal])],
) {
    let points: Vec<(u64, f64)> = rows.iter().map(|r| (r.0, r.1)).collect();
    let opts = ControlOptions {
        laney,
        ..ControlOptions::default()
    };
    let chart = control(&points, Some(baseline), opts);
    close(
        chart.center.unwrap(),
        center,
        1e-14,
        &format!("{name} centre"),
    );
    close(chart.phi, phi, 1e-12, &format!("{name} φ"));
    for (i, (pt, row)) in chart.points.iter().zip(rows).enumerate() {
        let what = format!("{name}[{i}]");
        close(
            pt.expected.unwrap(),
            row.2,
            1e-14,
            &format!("{what} expected"),
        );
        close_opt(pt.ucl, row.3, 1e-14, &format!("{what} ucl"));
        close_opt(pt.lcl, row.4, 1e-14, &format!("{what} lcl"));
        close(pt.cusum.unwrap(), row.5, 1e-12, &format!("{what} cusum"));
        assert_eq!(pt.signals, row.6, "{what} signals");
    }
}

#[test]
fn control_matches_scipy() {
    check_chart(
        "A",
        REF_CONTROL_A_BASELINE,
        REF_CONTROL_A_LANEY,
        REF_CONTROL_A_CENTER_PHI,
        REF_CONTROL_A,
    );
    check_chart(
        "B",
        REF_CONTROL_B_BASELINE,
        REF_CONTROL_B_LANEY,
        REF_CONTROL_B_CENTER_PHI,
        REF_CONTROL_B,
    );
    check_chart(
        "C",
        REF_CONTROL_C_BASELINE,
        REF_CONTROL_C_LANEY,
        REF_CONTROL_C_CENTER_PHI,
        REF_CONTROL_C,
    );
}

#[test]
fn control_without_baseline_has_no_limits() {
    let chart = control(&[(3, 1.0), (9, 1.0)], None, ControlOptions::default());
    assert_eq!(chart.center, None);
    assert!(chart
        .points
        .iter()
        .all(|p| p.ucl.is_none() && p.cusum.is_none() && p.signals.is_empty()));
    assert_eq!(chart.points[0].rate, Some(3.0));
    assert!(!baseline_enough(&[(30, 1.0); 9]));
    assert!(!baseline_enough(&[(1, 1.0); 19]));
    assert!(baseline_enough(&[(2, 1.0); 10]));
    // The 3-sigma tail at λ = 2 (φ = 1): P(Y ≥ 7) = 0.0045 > 0.00135 ≥ P(Y ≥ 8).
    assert_eq!(upper_limit_count(2.0, 1.0), 8);
    assert_eq!(lower_limit_count(2.0, 1.0), None);
    // λ = 100: the limits bracket 100 ± ~3·10.
    let (lo, hi) = (
        lower_limit_count(100.0, 1.0).unwrap(),
        upper_limit_count(100.0, 1.0),
    );
    assert!(
        (68..=72).contains(&lo) && (130..=134).contains(&hi),
        "{lo} {hi}"
    );
}
