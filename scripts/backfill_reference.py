#!/usr/bin/env python3
"""Independent statsmodels + numpy implementation of arabica's walk-forward
backfill protocol, for the backfill parity test and the backfill benchmark.

Protocol (the legacy loop, made exact): weekly cutoffs (the last trading day
of each ISO week) between --start and --end, expanding window, at least
--min-train-rows rows, one SARIMAX refit per fold, forecast --horizon trading
days ahead with the last `horizon` known covariate rows as future exog.
Directional accuracy, one-sided binomial p-value, RMSE, MAE, MAPE and 95%
coverage come from the point forecasts, per horizon and pooled.

Fits:
  * --fit tight (default): L-BFGS-B with complex-step gradients and tight
    tolerances, plus arabica's invertible-twin policy, so each optimum is
    known well inside the 1e-6 forecast parity budget; from statsmodels'
    start parameters, then arabica's ridge walk (ARMA likelihoods can have
    several local maxima along near-cancellation ridges), so every fit is a
    function of the fold's data only, never of the previous fold's optimum;
  * --fit legacy: `fit(disp=False)` and 2,000 normal numpy paths per fold, as
    the legacy loop ran (for the benchmark).

The fold plan is computed here from the dates alone, and its FNV-1a hash over
the same fields as arabica's plan_hash() is part of the output: equal hashes
mean both sides forecast from the same folds.
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Any, Sequence

# One BLAS thread per process: statsmodels' small matrices gain nothing from
# more, and worker processes would oversubscribe the cores.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.stats import binomtest  # noqa: E402

from sarimax_reference import (  # noqa: E402
    TIGHT_FIT, DataSpec, LoadedData, ModelSpec, build_model, floats, invertible_twin, load_data,
    reflect_to_invertible)

EPOCH = pd.Timestamp("1970-01-01")


@dataclass(frozen=True)
class PlanSpec:
    start: str
    end: str
    min_train_rows: int = 1500
    horizon: int = 7
    warm_start_chain: int = 8

    def describe(self) -> str:
        return (f"start={self.start} end={self.end} schedule=weekly window=expanding "
                f"min_train_rows={self.min_train_rows} horizon={self.horizon} refit=every_fold "
                f"warm_start_chain={self.warm_start_chain}")


@dataclass(frozen=True)
class Fold:
    index: int
    cutoff_row: int
    cutoff_days: int  # days since 1970-01-01
    target_rows: tuple[int, ...]  # -1 past the data


def plan_weekly_folds(dates: pd.Series, spec: PlanSpec) -> list[Fold]:
    """Last data row of each ISO week with start <= date <= end, >= min rows."""
    iso = dates.dt.isocalendar()
    week = list(zip(iso["year"], iso["week"]))
    start, end = pd.Timestamp(spec.start), pd.Timestamp(spec.end)
    n = len(dates)
    folds: list[Fold] = []
    for row in range(n):
        last_of_week = row + 1 == n or week[row + 1] != week[row]
        if not (last_of_week and start <= dates.iloc[row] <= end and row + 1 >= spec.min_train_rows):
            continue
        targets = tuple(row + h if row + h < n else -1 for h in range(1, spec.horizon + 1))
        folds.append(Fold(len(folds), row, int((dates.iloc[row] - EPOCH).days), targets))
    return folds


class Fnv1a:
    def __init__(self) -> None:
        self.value = 14695981039346656037

    def byte(self, b: int) -> None:
        self.value = ((self.value ^ b) * 1099511628211) % (1 << 64)

    def text(self, s: str) -> None:
        for b in s.encode():
            self.byte(b)
        self.byte(0)

    def integer(self, v: int) -> None:
        for b in (v % (1 << 64)).to_bytes(8, "little"):
            self.byte(b)


def plan_hash(spec: PlanSpec, folds: Sequence[Fold]) -> str:
    """arabica's plan_hash(): every fold refits, chains of warm_start_chain refits."""
    h = Fnv1a()
    h.text(spec.describe())
    h.integer(len(folds))
    chain = spec.warm_start_chain
    for f in folds:
        for v in (f.cutoff_days, f.cutoff_row, 0, f.cutoff_row + 1, 1, f.index,
                  f.index - 1 if chain and f.index % chain else -1,
                  f.index // chain if chain else f.index, len(f.target_rows), *f.target_rows):
            h.integer(v)
    return f"{h.value:016x}"


# arabica's ridge walk (host/model/ridge_starts.hpp, fit_sarimax): the leading
# AR coefficient of each AR/MA pair set to each grid value, the MA part keeping
# the first q psi-weights (from |AR| >= RIDGE_BEND_FROM the crest located by a
# parabola through points +-1/sqrt(n_eff) off them), reflected to invertible;
# the best stop that beats the optimum by the margin (relative llf) starts
# another fit; two rounds.
RIDGE_GRID = (-0.9, -0.7, -0.5, -0.3, -0.1, 0.1, 0.3, 0.5, 0.7, 0.9)
RIDGE_ROUNDS = 2
RIDGE_BEND_FROM = 0.5  # |leading AR| from which the MA points off the ridge are tried too
RIDGE_MARGIN = 1e-9


def tight_fit(model: Any, start_params: np.ndarray | None = None) -> Any:
    """Tight L-BFGS fit plus arabica's invertible-twin policy."""
    result = model.fit(disp=False, start_params=start_params, **TIGHT_FIT)
    twin_start = invertible_twin(model.param_names, np.asarray(result.params, dtype=float))
    if twin_start is not None:
        twin = model.fit(disp=False, start_params=twin_start, **TIGHT_FIT)
        twin_params = np.asarray(twin.params, dtype=float)
        if (invertible_twin(model.param_names, twin_params) is None
                and twin.llf >= result.llf - 1e-6 * abs(result.llf)):
            result = twin
    return result


def ridge_ma(ar: np.ndarray, ma: np.ndarray, new_ar: np.ndarray) -> np.ndarray:
    """MA coefficients keeping the first len(ma) psi-weights when AR becomes new_ar."""
    psi = np.zeros(len(ma) + 1)
    psi[0] = 1.0
    for j in range(1, len(ma) + 1):
        psi[j] = ma[j - 1] + sum(ar[i - 1] * psi[j - i] for i in range(1, min(j, len(ar)) + 1))
    return np.array([psi[j] - sum(new_ar[i - 1] * psi[j - i] for i in range(1, min(j, len(new_ar)) + 1))
                     for j in range(1, len(ma) + 1)])


def ridge_steps(names: Sequence[str], params: np.ndarray) -> list[tuple[list[int], list[int], float]]:
    """(AR indices, MA indices, leading AR value) of each stop of the walk, plain pair first."""
    out = []
    for ar_prefix, ma_prefix in (("ar.L", "ma.L"), ("ar.S.L", "ma.S.L")):
        ia = [i for i, n in enumerate(names) if n.startswith(ar_prefix)]
        im = [i for i, n in enumerate(names) if n.startswith(ma_prefix)]
        if not ia or not im:
            continue
        for leading in RIDGE_GRID:
            new_ar = params[ia].copy()
            new_ar[0] = leading
            if np.all(np.abs(np.roots(np.r_[1.0, -new_ar][::-1])) > 1.0):  # stationary
                out.append((ia, im, leading))
    return out


def ridge_point(names: Sequence[str], params: np.ndarray, step: tuple[list[int], list[int], float],
                shift: float) -> np.ndarray:
    """params moved to the step: MA keeping the psi-weights, its leading coefficient moved by shift."""
    ia, im, leading = step
    new_ar = params[ia].copy()
    new_ar[0] = leading
    new_ma = ridge_ma(params[ia], params[im], new_ar)
    new_ma[0] += shift
    moved = params.copy()
    moved[ia] = new_ar
    moved[im], factor = reflect_to_invertible(new_ma)
    moved[list(names).index("sigma2")] *= factor
    return moved


def best_fit(model: Any) -> Any:
    """tight_fit from statsmodels' start, then the ridge walk (a function of the data only)."""
    result = tight_fit(model)
    names = model.param_names
    offset = 1.0 / math.sqrt(max(1.0, model.nobs - model.loglikelihood_burn))
    for _ in range(RIDGE_ROUNDS):
        params = np.asarray(result.params, dtype=float)
        margin = RIDGE_MARGIN * abs(result.llf)
        bar, start = result.llf + margin, None
        for step in ridge_steps(names, params):
            f0 = model.loglike(ridge_point(names, params, step, 0.0))
            value, shift = f0, 0.0
            if abs(step[2]) >= RIDGE_BEND_FROM:
                # The crest bends off the kept psi-weights: the vertex of the
                # parabola through three points across it, not beyond them.
                down = model.loglike(ridge_point(names, params, step, -offset))
                up = model.loglike(ridge_point(names, params, step, offset))
                if not (np.isfinite(down) and np.isfinite(up)):
                    down = up = f0
                slope, curvature = 0.5 * (up - down), 2.0 * f0 - up - down
                shift = min(1.0, max(-1.0, slope / curvature)) if curvature > 0.0 else 0.0
                value = f0 + slope * shift - 0.5 * curvature * shift * shift
            if value > bar:  # NaN never wins
                bar, start = value, ridge_point(names, params, step, shift * offset)
        if start is None:
            break
        escaped = model.fit(disp=False, start_params=start, **TIGHT_FIT)
        usable = invertible_twin(names, np.asarray(escaped.params, dtype=float)) is None
        if not usable or not escaped.llf > result.llf + margin:
            break
        result = escaped
    return result


def fit_and_forecast(loaded: LoadedData, spec: ModelSpec, rows: int, mode: str,
                     horizon: int) -> dict[str, Any]:
    """One fold: fit on the first `rows` rows (tight: best_fit), forecast `horizon` steps."""
    train = LoadedData(loaded.dates[:rows], loaded.endog[:rows],
                       loaded.exog[:rows] if loaded.exog is not None else None)
    model = build_model(train, spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        if mode == "legacy":
            result = model.fit(disp=False)
        else:
            result = best_fit(model)
        seconds = time.perf_counter() - start
        future = train.exog.iloc[-horizon:].to_numpy() if train.exog is not None else None
        f = result.get_forecast(steps=horizon, exog=future)
    return {"params": np.asarray(result.params, dtype=float), "llf": float(result.llf),
            "converged": bool(result.mle_retvals["converged"]), "fit_seconds": seconds,
            "mean": np.asarray(f.predicted_mean, dtype=float), "se": np.asarray(f.se_mean, dtype=float)}


def run_chain(job: tuple[LoadedData, ModelSpec, list[int], str, int]) -> list[dict[str, Any]]:
    """A warm-start chain of folds (arabica's unit of work), in order."""
    loaded, spec, rows, mode, horizon = job
    return [fit_and_forecast(loaded, spec, n, mode, horizon) for n in rows]


def directional(mean: np.ndarray, actual: np.ndarray, last: np.ndarray) -> dict[str, Any]:
    # A forecast within 1e-12 of the last price is no move (arabica's
    # kForecastMoveRounding: rounding gives no direction).
    f = np.where(np.abs(mean - last) <= 1e-12 * np.abs(last), 0.0, np.sign(mean - last))
    a = np.sign(actual - last)
    scored = (f != 0) & (a != 0)
    hits, n = int(np.sum(f[scored] == a[scored])), int(np.sum(scored))
    return {"hits": hits, "n": n, "ties": int(np.sum(~scored)),
            "accuracy": hits / n if n else None,
            "p_value": float(binomtest(hits, n, 0.5, alternative="greater").pvalue) if n else None}


def metrics(mean: np.ndarray, se: np.ndarray, actual: np.ndarray, last: np.ndarray) -> dict[str, Any]:
    known = ~np.isnan(actual)
    mean, se, actual, last = mean[known], se[known], actual[known], last[known]
    err = mean - actual
    z = 1.959963984540054  # statsmodels' norm.ppf(0.975)
    covered = (actual >= mean - z * se) & (actual <= mean + z * se)
    return {"n": int(known.sum()), "direction": directional(mean, actual, last),
            "rmse": float(np.sqrt(np.mean(err ** 2))), "mae": float(np.mean(np.abs(err))),
            "mape": float(100 * np.mean(np.abs(err) / np.abs(actual))),
            "coverage_95": float(np.mean(covered))}


def run(data: DataSpec, spec: ModelSpec, plan: PlanSpec, mode: str, workers: int,
        paths: int, seed: int) -> dict[str, Any]:
    loaded = load_data(data)
    folds = plan_weekly_folds(loaded.dates, plan)
    start = time.perf_counter()
    chain = plan.warm_start_chain if mode == "tight" and plan.warm_start_chain > 0 else 1
    jobs = [(loaded, spec, [f.cutoff_row + 1 for f in folds[i:i + chain]], mode, plan.horizon)
            for i in range(0, len(folds), chain)]
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chains = pool.map(run_chain, jobs, chunksize=1)
    else:
        chains = [run_chain(job) for job in jobs]
    fits = [fit for chain_fits in chains for fit in chain_fits]
    y = loaded.endog.to_numpy()
    rng = np.random.default_rng(seed)
    H = plan.horizon
    mean = np.empty((len(folds), H))
    se = np.empty((len(folds), H))
    actual = np.full((len(folds), H), np.nan)
    last = np.empty(len(folds))
    out_folds = []
    for f, fit in zip(folds, fits):
        mean[f.index], se[f.index] = fit["mean"], fit["se"]
        if mode == "legacy":  # the legacy loop's 2,000 symmetric normal paths per fold
            paths_out = mean[f.index] + se[f.index] * rng.standard_normal((paths, H))
            np.percentile(paths_out, [5, 50, 95], axis=0)
        last[f.index] = y[f.cutoff_row]
        for h, row in enumerate(f.target_rows):
            if row >= 0:
                actual[f.index, h] = y[row]
        out_folds.append({
            "cutoff": loaded.dates.iloc[f.cutoff_row].strftime("%Y-%m-%d"),
            "train_rows": f.cutoff_row + 1, "last_price": float(last[f.index]),
            "forecast_mean": floats(mean[f.index]), "forecast_std": floats(se[f.index]),
            "params": floats(fit["params"]), "llf": fit["llf"], "converged": fit["converged"],
            "fit_seconds": fit["fit_seconds"]})
    seconds = time.perf_counter() - start
    last_by_h = np.repeat(last[:, None], H, axis=1)
    return {
        "protocol": {"plan": plan.describe(), "model": spec.to_json(), "exog": list(data.exog),
                     "future_exog": "repeat-last", "fit": mode},
        "plan_hash": plan_hash(plan, folds),
        "wall_seconds": seconds,
        "workers": workers,
        "folds": out_folds,
        "metrics_by_horizon": [metrics(mean[:, h], se[:, h], actual[:, h], last) for h in range(H)],
        "metrics_overall": metrics(mean.ravel(), se.ravel(), actual.ravel(), last_by_h.ravel()),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--date-column", default="date")
    parser.add_argument("--target", default="close")
    parser.add_argument("--exog", default="")
    parser.add_argument("--start", required=True)
    parser.add_argument("--end", required=True)
    parser.add_argument("--min-train-rows", type=int, default=1500)
    parser.add_argument("--horizon", type=int, default=7)
    parser.add_argument("--warm-start-chain", type=int, default=8)
    parser.add_argument("--fit", choices=["tight", "legacy"], default="tight")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--paths", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="-")
    args = parser.parse_args(argv)
    data = DataSpec(csv=args.csv, date_column=args.date_column, target=args.target,
                    exog=tuple(c for c in args.exog.split(",") if c))
    plan = PlanSpec(args.start, args.end, args.min_train_rows, args.horizon, args.warm_start_chain)
    report = run(data, ModelSpec(), plan, args.fit, args.workers, args.paths, args.seed)
    text = json.dumps(report, indent=1, allow_nan=False) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w") as out:
            out.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
