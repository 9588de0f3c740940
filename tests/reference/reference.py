#!/usr/bin/env python3
"""Independent reference values for src/stats.rs (SPEC §18), computed with scipy/numpy.

Usage:
    python3 -m venv .venv && .venv/bin/pip install scipy numpy
    .venv/bin/python reference.py > reference.out

Prints Rust table literals (REF_EXACT, REF_CP, REF_CYCLE, REF_CONTROL_*) that are
pasted into the `tests` module of stats.rs. Nothing here shares code with the
Rust implementation: the SPEC formulas are written out again directly.

* exact test: p = min(1, 2*min(P(X <= a), P(X >= a))), X ~ Binomial(a+b, Ea/(Ea+Eb)),
  with binom.cdf(a) and binom.sf(a-1) (NOT binomtest, which orders by likelihood);
  1 when n = 0 or Ea = 0 or Eb = 0.
* Clopper-Pearson 95 %: beta.ppf(0.025, a, n-a+1), beta.ppf(0.975, a+1, n-a); the
  complements 1-pi are taken from the mirrored quantile (1 - Q(u; x, y) = Q(1-u; y, x))
  so that odds pi/(1-pi) stay accurate near 1.
* control chart: Laney u' in numpy, exactly as in SPEC §18 (positive exposures only).

If mpmath is installed (`pip install mpmath`), a second, tighter table is printed
(REF_MP_EXACT, REF_MP_CP): the same quantities in 40-digit arithmetic by summing the
binomial pmf term by term over mean ± 15 sd (plus the distance to a), and solving the
Clopper-Pearson equations P(X >= a | pi) = 0.025 / P(X <= a | pi) = 0.025 with
mpmath.findroot. scipy (Boost) itself is only good to ~1e-11 relative on some of these
(e.g. the exact test 10 vs 999990 and the CP upper bound for 1 of 10^7).
"""
import sys

import numpy as np
import scipy
from scipy.stats import beta, binom


def rust_f64(x):
    x = float(x)
    if x == 0.0:
        return "0.0"
    r = repr(x)
    if "e" in r or "E" in r:
        mant, exp = r.split("e")
        if "." not in mant:
            mant += ".0"
        return f"{mant}e{int(exp)}"
    if "." not in r:
        r += ".0"
    return r


def rust_opt(x):
    return "None" if x is None else f"Some({rust_f64(x)})"


def exact_p(a, b, ea, eb):
    n = a + b
    if n == 0 or ea == 0 or eb == 0:
        return 1.0
    p0 = ea / (ea + eb)
    lower = binom.cdf(a, n, p0)
    upper = binom.sf(a - 1, n, p0)  # P(X >= a); sf(-1) = 1
    return min(1.0, 2.0 * min(lower, upper))


def cp(a, n):
    """(piL, 1-piL, piU, 1-piU)"""
    if a == 0:
        lo, lo_c = 0.0, 1.0
    else:
        lo = beta.ppf(0.025, a, n - a + 1)
        lo_c = beta.ppf(0.975, n - a + 1, a)
    if a == n:
        hi, hi_c = 1.0, 0.0
    else:
        hi = beta.ppf(0.975, a + 1, n - a)
        hi_c = beta.ppf(0.025, n - a, a + 1)
    return float(lo), float(lo_c), float(hi), float(hi_c)


EXACT_CASES = [
    # (a, b, ea, eb)
    (0, 0, 1.0, 1.0),
    (3, 0, 1.0, 1.0),
    (5, 5, 1.0, 1.0),
    (3, 0, 0.0, 1.0),
    (1, 0, 1.0, 1.0),
    (0, 1, 1.0, 1.0),
    (4000, 3800, 1.0, 1.0),
    (4000, 3800, 30.0, 28.0),
    (12, 3, 7.0, 30.0),
    (2, 4, 7.0, 7.0),
    (2, 4, 7.0, 30.0),
    (50, 20, 1234.567, 999.1),
    (0, 25, 1.0, 1.0),
    (25, 0, 1.0, 1.0),
    (0, 10, 7.0, 30.0),
    (10, 0, 7.0, 30.0),
    (500000, 500000, 1.0, 1.0),
    (499000, 501000, 1.0, 1.0),
    (5000000, 5000000, 1.0, 1.0),
    (4990000, 5010000, 1.0, 1.0),
    (10, 999990, 1.0, 19999.0),
    (100, 200, 3.0, 7.0),
    (7, 1, 1.0, 1.0),
    (9, 1, 1.0, 3.0),
    (300, 200, 1.0, 1.0),
    (900, 0, 1.0, 1.0),
    (123456, 120000, 5000.5, 4900.25),
    (3, 17, 0.001, 0.5),
    (17, 3, 1e-6, 1e6),
    (2, 40000000, 1.0, 20000000.0),
    (40, 60, 365.0, 366.0),
    (6, 1, 14.0, 14.0),
    (1, 999999, 1.0, 1.0),
    (70, 1000000, 1.0, 10000.0),
]

CP_CASES = [
    (0, 1), (1, 1), (1, 2), (0, 5), (5, 5), (3, 7), (5, 10), (2, 6), (12, 15),
    (0, 1000), (1000, 1000), (1, 1000000), (0, 1000000), (1000000, 1000000),
    (999999, 1000000), (500000, 1000000), (4000, 7800), (5000000, 10000000),
    (1, 10000000), (9999990, 10000000),
]

CYCLE_CASES = [
    # (a during, b before, ea, eb, started)
    (2, 4, 14.0, 14.0, True),      # "4 before, 2 during": no clear change
    (2, 20, 14.0, 14.0, True),     # improved
    (30, 10, 14.0, 14.0, True),    # worse
    (50, 80, 1234.567, 999.1, True),
    (5, 0, 7.0, 7.0, True),        # b = 0: no rate ratio, upper CI bound infinite
    (0, 12, 7.0, 7.0, True),       # a = 0: ratio 0, lower bound 0
    (0, 7, 0.0, 7.0, False),       # not started
    (0, 0, 3.0, 7.0, True),        # n = 0
    (4000, 3800, 30.0, 28.0, True),
    (999999, 1, 1.0, 1.0, True),   # pi_L close to 1
]


def cycle(a, b, ea, eb):
    n = a + b
    rr = None if (b == 0 or ea == 0 or eb == 0) else (a / ea) / (b / eb)
    p = exact_p(a, b, ea, eb)
    ci = None
    if n > 0 and ea > 0 and eb > 0:
        lo, lo_c, hi, hi_c = cp(a, n)
        lo_r = lo / lo_c * eb / ea
        hi_r = None if hi_c == 0.0 else hi / hi_c * eb / ea
        ci = (lo_r, hi_r)
    return rr, p, ci


def laney(counts, exposures, laney=True):
    c = np.asarray(counts, dtype=float)
    n = np.asarray(exposures, dtype=float)
    u = c / n
    ubar = c.sum() / n.sum()
    sigma = np.sqrt(ubar / n)
    z = np.where(sigma > 0, (u - ubar) / np.where(sigma > 0, sigma, 1.0), 0.0)
    if laney and len(c) >= 3:
        phi = np.mean(np.abs(np.diff(z))) / 1.128
    else:
        phi = 1.0
    ucl = ubar + 3 * phi * sigma
    lcl = np.maximum(0.0, ubar - 3 * phi * sigma)
    return ubar, phi, u, ucl, lcl


CONTROL_SERIES = {
    "A": ([3, 5, 2, 8, 4, 6, 15, 3, 4, 5], [7.0] * 10, True),
    "B": ([12, 30, 7, 19, 25], [10.5, 22.25, 8.0, 15.125, 30.0], True),
    "C": ([0, 1, 0, 2, 9, 1], [1.2, 0.8, 1.0, 1.5, 1.1, 0.9], True),
    "D": ([100, 120, 90, 300, 110], [50.0, 60.0, 45.0, 55.0, 52.0], False),
}


def main():
    out = sys.stdout
    out.write(f"// Generated by reference.py with Python {sys.version.split()[0]}, "
              f"scipy {scipy.__version__}, numpy {np.__version__}.\n")
    out.write("// (a, b, ea, eb, p_value)\n")
    out.write("const REF_EXACT: &[(u64, u64, f64, f64, f64)] = &[\n")
    for a, b, ea, eb in EXACT_CASES:
        out.write(f"    ({a}, {b}, {rust_f64(ea)}, {rust_f64(eb)}, {rust_f64(exact_p(a, b, ea, eb))}),\n")
    out.write("];\n\n")

    out.write("// (a, n, piL, 1-piL, piU, 1-piU)\n")
    out.write("const REF_CP: &[(u64, u64, f64, f64, f64, f64)] = &[\n")
    for a, n in CP_CASES:
        lo, lo_c, hi, hi_c = cp(a, n)
        out.write(f"    ({a}, {n}, {rust_f64(lo)}, {rust_f64(lo_c)}, {rust_f64(hi)}, {rust_f64(hi_c)}),\n")
    out.write("];\n\n")

    out.write("// (a, b, ea, eb, started, rate_ratio, p_value, ci95)\n")
    out.write("#[allow(clippy::type_complexity)]\n")
    out.write("const REF_CYCLE: &[(u64, u64, f64, f64, bool, Option<f64>, f64, Option<(f64, Option<f64>)>)] = &[\n")
    for a, b, ea, eb, started in CYCLE_CASES:
        rr, p, ci = cycle(a, b, ea, eb)
        ci_s = "None" if ci is None else f"Some(({rust_f64(ci[0])}, {rust_opt(ci[1])}))"
        out.write(f"    ({a}, {b}, {rust_f64(ea)}, {rust_f64(eb)}, {str(started).lower()}, "
                  f"{rust_opt(rr)}, {rust_f64(p)}, {ci_s}),\n")
    out.write("];\n\n")

    for name, (counts, exposures, lan) in CONTROL_SERIES.items():
        ubar, phi, u, ucl, lcl = laney(counts, exposures, lan)
        out.write(f"// series {name}: laney = {str(lan).lower()}; "
                  f"(center, phi), then per bucket (count, exposure, rate, ucl, lcl)\n")
        out.write(f"const REF_CONTROL_{name}_LANEY: bool = {str(lan).lower()};\n")
        out.write(f"const REF_CONTROL_{name}_CENTER_PHI: (f64, f64) = ({rust_f64(ubar)}, {rust_f64(phi)});\n")
        out.write(f"const REF_CONTROL_{name}: &[(u64, f64, f64, f64, f64)] = &[\n")
        for ci, ni, ui, hi, lo in zip(counts, exposures, u, ucl, lcl):
            out.write(f"    ({ci}, {rust_f64(ni)}, {rust_f64(ui)}, {rust_f64(hi)}, {rust_f64(lo)}),\n")
        out.write("];\n\n")

    try:
        import mpmath  # noqa: F401
    except ImportError:
        return
    mp_main(out)


MP_EXACT_CASES = [
    (4000, 3800, 1.0, 1.0),
    (4000, 3800, 30.0, 28.0),
    (12, 3, 7.0, 30.0),
    (50, 20, 1234.567, 999.1),
    (499000, 501000, 1.0, 1.0),
    (4990000, 5010000, 1.0, 1.0),
    (10, 999990, 1.0, 19999.0),
    (123456, 120000, 5000.5, 4900.25),
    (17, 3, 1e-6, 1e6),
    (70, 1000000, 1.0, 10000.0),
    (900, 0, 1.0, 1.0),
]

MP_CP_CASES = [(3, 7), (1, 1000000), (0, 1000000), (999999, 1000000), (500000, 1000000),
               (4000, 7800), (1, 10000000), (9999990, 10000000)]


def mp_tails(a, n, p):
    """(P(X <= a), P(X >= a)) in mpmath, summed term by term over a wide window."""
    import mpmath as mp
    q = 1 - p
    mean = n * p
    sd = mp.sqrt(n * p * q)
    pa = mp.binomial(n, a) * p**a * q**(n - a)
    lo = max(0, int(mp.floor(min(a, mean) - 15 * sd - 20)))
    hi = min(n, int(mp.ceil(max(a, mean) + 15 * sd + 20)))
    lower = pa
    t = pa
    for k in range(a, lo, -1):  # t = pmf(k) -> pmf(k-1)
        t = t * k / (n - k + 1) * q / p
        lower += t
    upper = pa
    t = pa
    for k in range(a, hi):  # t = pmf(k) -> pmf(k+1)
        t = t * (n - k) / (k + 1) * p / q
        upper += t
    return lower, upper


def mp_main(out):
    import mpmath as mp
    mp.mp.dps = 40
    out.write(f"// High-precision references (mpmath {mp.__version__}, 40 digits; see reference.py).\n")
    out.write("// (a, b, ea, eb, p_value) with pi0 = the double ea / (ea + eb), as the Rust code uses.\n")
    out.write("const REF_MP_EXACT: &[(u64, u64, f64, f64, f64)] = &[\n")
    for a, b, ea, eb in MP_EXACT_CASES:
        p0 = mp.mpf(ea / (ea + eb))
        lower, upper = mp_tails(a, a + b, p0)
        pv = min(mp.mpf(1), 2 * min(lower, upper))
        out.write(f"    ({a}, {b}, {rust_f64(ea)}, {rust_f64(eb)}, {rust_f64(pv)}),\n")
    out.write("];\n\n")
    out.write("// (a, n, piL, 1-piL, piU, 1-piU)\n")
    out.write("const REF_MP_CP: &[(u64, u64, f64, f64, f64, f64)] = &[\n")
    for a, n in MP_CP_CASES:
        lo_s, _, hi_s, _ = cp(a, n)  # scipy values only seed the bracket

        def solve(f, guess):
            g = mp.mpf(guess)
            return mp.findroot(f, (g * (1 - mp.mpf("1e-6")), g * (1 + mp.mpf("1e-6"))), solver="anderson")

        if a == 0:
            lo = mp.mpf(0)
        elif lo_s > 0.5:  # solve for 1 - pi to keep relative precision near 1
            lo = 1 - solve(lambda c: mp_tails(a, n, 1 - c)[1] - mp.mpf("0.025"), 1 - lo_s)
        else:
            lo = solve(lambda x: mp_tails(a, n, x)[1] - mp.mpf("0.025"), lo_s)
        if a == n:
            hi = mp.mpf(1)
        elif hi_s > 0.5:
            hi = 1 - solve(lambda c: mp_tails(a, n, 1 - c)[0] - mp.mpf("0.025"), 1 - hi_s)
        else:
            hi = solve(lambda x: mp_tails(a, n, x)[0] - mp.mpf("0.025"), hi_s)
        out.write(f"    ({a}, {n}, {rust_f64(lo)}, {rust_f64(1 - lo)}, {rust_f64(hi)}, {rust_f64(1 - hi)}),\n")
    out.write("];\n")


if __name__ == "__main__":
    main()
