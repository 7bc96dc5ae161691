#!/usr/bin/env python3
"""Synthetic daily commodity prices with 5 covariates, for the demo and for
benchmarks when ../shared/data is absent.

The price follows a regression with ARIMA(1,1,1) errors, which is exactly the
model SARIMAX(1,1,1) with exog estimates:
    close_t = beta' x_t + u_t,   (1 - phi L)(1 - L) u_t = (1 + theta L) e_t.
Covariates mimic the coffee file's: production-weighted weather (seasonal
temperature, rain, wind) and two FX rates (random walks in logs). A few FX
cells are left blank, like exchange holidays, to exercise the loader's
forward fill. The generating parameters go to a sidecar JSON.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

EXOG = (
    "wx_temperature_2m_max_wavg",
    "wx_precipitation_sum_wavg",
    "wx_wind_speed_10m_max_wavg",
    "brl_usd",
    "inr_usd",
)
BETA = (-0.05, 0.01, 0.02, -15.0, -0.3)  # cents/lb per unit of each covariate
PHI, THETA, SIGMA = -0.4, 0.25, 3.0
SHOCK_NU = 5.0  # Student-t shocks: daily commodity moves are fat-tailed
START_PRICE = 160.0


def ar1(rng: np.random.Generator, n: int, rho: float, scale: float) -> np.ndarray:
    shocks = rng.normal(0.0, scale, n)
    out = np.empty(n)
    out[0] = shocks[0] / np.sqrt(1.0 - rho**2)
    for t in range(1, n):
        out[t] = rho * out[t - 1] + shocks[t]
    return out


def simulate(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-02", periods=rows)
    season = 2.0 * np.pi * dates.day_of_year.to_numpy() / 365.25

    temperature = 27.0 + 2.5 * np.cos(season) + ar1(rng, rows, 0.7, 0.8)
    wet_season = 1.0 + 0.8 * np.cos(season)
    precipitation = rng.gamma(0.6, 6.0 * wet_season) * (rng.random(rows) < 0.6)
    wind = np.clip(12.0 + ar1(rng, rows, 0.5, 1.5), 2.0, None)
    brl = 2.7 * np.exp(np.cumsum(rng.normal(0.0002, 0.009, rows)))
    inr = 63.0 * np.exp(np.cumsum(rng.normal(0.0001, 0.003, rows)))
    exog = np.column_stack([temperature, precipitation, wind, brl, inr])

    # Scaled to standard deviation SIGMA (a t(nu) draw has variance nu/(nu-2)).
    shocks = rng.standard_t(SHOCK_NU, rows + 1) * SIGMA / np.sqrt(SHOCK_NU / (SHOCK_NU - 2.0))
    arma = np.zeros(rows)
    for t in range(rows):
        arma[t] = (PHI * arma[t - 1] if t else 0.0) + shocks[t + 1] + THETA * shocks[t]
    errors = np.cumsum(arma)
    close = START_PRICE - exog[0] @ BETA + exog @ BETA + errors
    if close.min() <= 0.0:
        raise ValueError(f"seed {seed} gives a non-positive price ({close.min():.2f}); pick another seed")

    frame = pd.DataFrame(exog, columns=list(EXOG))
    frame.insert(0, "close", np.round(close, 2))
    frame.insert(0, "date", dates.strftime("%Y-%m-%d"))
    # FX fixings are missing on some exchange holidays (never on the first row).
    holidays = rng.choice(np.arange(1, rows), size=rows // 200, replace=False)
    frame.loc[holidays, ["brl_usd", "inr_usd"]] = np.nan
    return frame


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="CSV to write")
    parser.add_argument("--rows", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=20150102)
    args = parser.parse_args(argv)

    frame = simulate(args.rows, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False, float_format="%.6g")
    truth = {"model": "SARIMAX(1,1,1) with exog, trend n", "exog": list(EXOG), "beta": list(BETA),
             "ar.L1": PHI, "ma.L1": THETA, "sigma2": SIGMA**2,
             "shocks": f"student_t(nu={SHOCK_NU:g}) scaled to variance sigma2", "seed": args.seed, "rows": args.rows}
    args.out.with_suffix(".truth.json").write_text(json.dumps(truth) + "\n")
    print(f"wrote {args.out}: {len(frame)} business days {frame['date'].iloc[0]} .. {frame['date'].iloc[-1]}, "
          f"close {frame['close'].min():.2f} .. {frame['close'].max():.2f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
