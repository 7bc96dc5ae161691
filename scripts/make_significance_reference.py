#!/usr/bin/env python3
"""Reference values of tests/host/backtest/significance_test.cpp, from
statsmodels (Newey-West: OLS on a constant, cov_type="HAC",
use_correction=False) and scipy (normal and Student-t tails), on fixed data:
an MA(2) loss difference (61 values, 6 decimals) and 80 directional hits.

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


if __name__ == "__main__":
    main()
