#!/usr/bin/env python3
"""Reference values of tests/host/backtest/significance_test.cpp, from
statsmodels (Newey-West: OLS on a constant, cov_type="HAC",
use_correction=False) and scipy (normal, Student-t and chi-square tails), on
fixed data: an MA(2) loss difference (61 values, 6 decimals), 80 directional
hits, and 90 clustered VaR exceedances for Kupiec's and Christoffersen's tests
(written out from their likelihoods with scipy's xlogy, as in the papers).

    .venv/bin/python scripts/make_significance_reference.py
"""
import numpy as np
import statsmodels.api as sm
from scipy import stats


def hac_variance_of_mean(x: np.ndarray, lags: int) -> float:
    fit = sm.OLS(x, np.ones_like(x)).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False})
    return float(fit.bse[0] ** 2)


def main() -> None:
    rng = np.random.default_rng(7)
    e = rng.standard_normal(63)
    d = np.round(0.3 + e[2:] + 0.6 * e[1:-1] + 0.3 * e[:-2], 6)
    print("loss differences:", ", ".join(f"{v:.6f}" for v in d))
    for lags in (0, 2, 6):
        print(f"newey-west variance of the mean, lags {lags}: {hac_variance_of_mean(d, lags)!r}")
    lags, n = 2, len(d)
    h = lags + 1
    dm = d.mean() / np.sqrt(hac_variance_of_mean(d, lags)) * np.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    print(f"Diebold-Mariano (HLN), lags 2: {float(dm)!r}, p {float(2 * stats.t.sf(abs(dm), n - 1))!r}")
    hits = (rng.uniform(size=80) < 0.6).astype(float)
    print("hits:", "".join(str(int(v)) for v in hits))
    z = (hits.mean() - 0.5) / np.sqrt(hac_variance_of_mean(hits, 3))
    print(f"HAC direction test, lags 3: z {float(z)!r}, p {float(stats.norm.sf(z))!r}")
    # Exceedances that come in pairs (a clustered sequence) at the 95% level.
    starts = rng.uniform(size=90) < 0.05
    hits = (starts | np.roll(starts, 1)).astype(int)
    hits[0] = starts[0]
    print("exceedances:", "".join(str(v) for v in hits))
    kupiec, christoffersen = var_tests(hits, 0.05)
    print(f"Kupiec LR {kupiec!r}, p {float(stats.chi2.sf(kupiec, 1))!r}")
    print(f"Christoffersen independence LR {christoffersen!r}, p {float(stats.chi2.sf(christoffersen, 1))!r}")


def var_tests(hits: np.ndarray, p: float) -> tuple[float, float]:
    from scipy.special import xlogy
    n, x = len(hits), hits.sum()
    kupiec = -2 * (xlogy(n - x, 1 - p) + xlogy(x, p) - xlogy(n - x, 1 - x / n) - xlogy(x, x / n))
    pairs = list(zip(hits[:-1], hits[1:]))
    n00, n01, n10, n11 = (sum(1 for a, b in pairs if (a, b) == c) for c in ((0, 0), (0, 1), (1, 0), (1, 1)))
    pi0, pi1, pi = n01 / (n00 + n01), n11 / (n10 + n11), (n01 + n11) / len(pairs)
    restricted = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi)
    free = xlogy(n00, 1 - pi0) + xlogy(n01, pi0) + xlogy(n10, 1 - pi1) + xlogy(n11, pi1)
    return float(kupiec), float(-2 * (restricted - free))


if __name__ == "__main__":
    main()
