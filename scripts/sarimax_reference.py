#!/usr/bin/env python3
"""statsmodels SARIMAX reference for arabica's parity tests.

Fits one SARIMAX on a CSV the way arabica does (pandas load, forward fill then
back fill, statsmodels defaults: simple_differencing=False, approximate
diffuse initialisation) and prints a JSON document with the fit, an h-step
forecast and log-likelihood evaluations at fixed parameters.

Two fits are made:
  * the reference: L-BFGS-B with complex-step gradients and tight tolerances,
    so the optimum is determined to far better than the 1e-4 parity budget;
  * the legacy call `SARIMAX(...).fit(disp=False)` (maxiter=50, finite
    difference gradients, scipy's default tolerances), for information only.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
import statsmodels
from statsmodels.tsa.statespace.sarimax import SARIMAX

# L-BFGS-B settings of the reference fit. The objective is statsmodels' mean
# negative log-likelihood in unconstrained space, so pgtol bounds the mean
# score; factr * 2.2e-16 bounds the relative decrease that still continues.
TIGHT_FIT: dict[str, Any] = {
    "method": "lbfgs",
    "maxiter": 1000,
    "optim_score": "approx",  # complex step: exact to rounding, unlike the default finite differences
    "pgtol": 1e-10,
    "factr": 10.0,
    "m": 20,
}


@dataclass(frozen=True)
class ModelSpec:
    order: tuple[int, int, int] = (1, 1, 1)
    seasonal_order: tuple[int, int, int, int] = (0, 0, 0, 0)
    trend: str = "n"
    enforce_stationarity: bool = False
    enforce_invertibility: bool = False

    def describe(self) -> str:
        p, d, q = self.order
        P, D, Q, s = self.seasonal_order
        return f"SARIMAX({p},{d},{q})({P},{D},{Q},{s}) trend={self.trend}"

    def to_json(self) -> dict[str, Any]:
        return {
            "order": list(self.order),
            "seasonal_order": list(self.seasonal_order),
            "trend": self.trend,
            "enforce_stationarity": self.enforce_stationarity,
            "enforce_invertibility": self.enforce_invertibility,
        }


@dataclass(frozen=True)
class DataSpec:
    csv: str
    date_column: str = "date"
    target: str = "close"
    exog: Sequence[str] = field(default_factory=tuple)
    head: int = 0  # keep only the first `head` rows (0: all), applied after filling
    tail: int = 0  # keep only the last `tail` rows (0: all), applied after head


@dataclass
class LoadedData:
    dates: pd.Series
    endog: pd.Series
    exog: pd.DataFrame | None


def load_data(data: DataSpec) -> LoadedData:
    """Legacy loading: ascending unique dates, forward fill then back fill."""
    columns = [data.date_column, data.target, *data.exog]
    frame = pd.read_csv(data.csv, usecols=columns)
    frame[data.date_column] = pd.to_datetime(frame[data.date_column])
    frame = frame.sort_values(data.date_column, kind="stable")
    frame = frame.drop_duplicates(subset=data.date_column, keep="first")
    frame = frame.ffill().bfill()
    if data.head:
        frame = frame.iloc[: data.head]
    if data.tail:
        frame = frame.iloc[-data.tail :]
    # A RangeIndex keeps statsmodels from guessing a frequency for trading days;
    # forecasts are step-indexed either way.
    frame = frame.reset_index(drop=True)
    exog = frame[list(data.exog)].astype(float) if data.exog else None
    return LoadedData(frame[data.date_column], frame[data.target].astype(float), exog)


def build_model(loaded: LoadedData, spec: ModelSpec) -> SARIMAX:
    return SARIMAX(
        loaded.endog,
        exog=loaded.exog,
        order=spec.order,
        seasonal_order=spec.seasonal_order,
        trend=spec.trend,
        enforce_stationarity=spec.enforce_stationarity,
        enforce_invertibility=spec.enforce_invertibility,
    )


def floats(values: Any) -> list[float | None]:
    """Plain floats (repr precision in JSON); non-finite values become null."""
    return [float(v) if math.isfinite(float(v)) else None for v in np.asarray(values, dtype=float).ravel()]


def param_distance(a: np.ndarray, reference: np.ndarray) -> float:
    """Largest parity error: absolute where |reference| < 1, relative otherwise."""
    scale = np.maximum(np.abs(reference), 1.0)
    return float(np.max(np.abs(a - reference) / scale))


def perturbations(params: np.ndarray, count: int = 2) -> list[np.ndarray]:
    # Shrinking every coefficient keeps stationary/invertible AR(1)/MA(1)
    # polynomials so and sigma2 positive, so the enforced models stay defined.
    return [params * (1.0 - 0.01 * k) for k in range(1, count + 1)]


def reflect_to_invertible(ma: np.ndarray) -> tuple[np.ndarray, float]:
    """Root-reflected twin of 1 + ma_1 w + ... and the factor sigma2 scales by.

    Mapping a root r inside the unit circle to 1/conj(r) keeps the spectral
    density when sigma2 is divided by |r|^2.
    """
    roots = np.roots(np.r_[1.0, ma][::-1])
    inside = np.abs(roots) < 1.0
    reflected = np.where(inside, 1.0 / np.conj(roots), roots)
    poly = np.real(np.poly(reflected))[::-1]  # increasing powers
    return poly[1:] / poly[0], float(np.prod(np.abs(roots[inside]) ** -2.0))


def invertible_twin(names: Sequence[str], params: np.ndarray) -> np.ndarray | None:
    """Root-reflected start for a non-invertible MA/seasonal MA fit, else None."""
    twin = params.copy()
    scale = 1.0
    for prefix in ("ma.L", "ma.S.L"):
        index = [i for i, n in enumerate(names) if n.startswith(prefix)]
        if index and np.any(np.abs(np.roots(np.r_[1.0, params[index]][::-1])) < 1.0):
            twin[index], factor = reflect_to_invertible(params[index])
            scale *= factor
    if scale == 1.0:
        return None
    twin[list(names).index("sigma2")] *= scale
    return twin


def forecast_json(result: Any, future_exog: np.ndarray | None, horizon: int) -> dict[str, Any]:
    forecast = result.get_forecast(steps=horizon, exog=future_exog)
    return {
        "horizon": horizon,
        "future_exog": "last_horizon_rows",
        "mean": floats(forecast.predicted_mean),
        "se": floats(forecast.se_mean),
    }


def max_rel_diff(a: Sequence[float], reference: Sequence[float]) -> float:
    return float(np.max(np.abs(np.asarray(a) - np.asarray(reference)) / np.abs(np.asarray(reference))))


def fit_timed(model: SARIMAX, **kwargs: Any) -> tuple[Any, float, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        result = model.fit(disp=False, **kwargs)
        seconds = time.perf_counter() - start
    return result, seconds, sorted({f"{w.category.__name__}: {w.message}" for w in caught})


def run_reference(data: DataSpec, spec: ModelSpec, horizon: int = 7) -> dict[str, Any]:
    loaded = load_data(data)
    model = build_model(loaded, spec)

    result, seconds, fit_warnings = fit_timed(model, **TIGHT_FIT)
    params = np.asarray(result.params, dtype=float)
    legacy, legacy_seconds, legacy_warnings = fit_timed(model)
    legacy_params = np.asarray(legacy.params, dtype=float)
    # A second tight fit from another start shows whether the optimum is pinned
    # down well inside the parity budget (flat ridges would show up here).
    restart, _, _ = fit_timed(model, start_params=legacy_params, **TIGHT_FIT)

    # Legacy future-exog policy: the last `horizon` known covariate rows.
    future_exog = loaded.exog.iloc[-horizon:].to_numpy() if loaded.exog is not None else None
    forecast = forecast_json(result, future_exog, horizon)
    legacy_forecast = forecast_json(legacy, future_exog, horizon)

    # Without enforced invertibility a non-invertible MA optimum has an
    # invertible twin with (nearly) the same likelihood; a fit that reports
    # the twin is an equally valid MLE, so the twin's optimum is recorded.
    equivalent = None
    twin_start = invertible_twin(model.param_names, params)
    if twin_start is not None:
        twin, _, _ = fit_timed(model, start_params=twin_start, **TIGHT_FIT)
        twin_params = np.asarray(twin.params, dtype=float)
        equivalent = {
            "reason": "MA roots reflected to invertible, then refitted",
            "params": floats(twin_params),
            "llf": float(twin.llf),
            "converged": bool(twin.mle_retvals["converged"]),
            "invertible": invertible_twin(model.param_names, twin_params) is None,
            "forecast": forecast_json(twin, future_exog, horizon),
        }

    checks = [params, *perturbations(params)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = model.score(params)  # constrained-space score at the optimum, for information
    return {
        "statsmodels_version": statsmodels.__version__,
        "spec": spec.to_json(),
        "describe": spec.describe(),
        "data": {
            "rows": int(len(loaded.endog)),
            "first_date": loaded.dates.iloc[0].strftime("%Y-%m-%d"),
            "last_date": loaded.dates.iloc[-1].strftime("%Y-%m-%d"),
        },
        "param_names": list(model.param_names),
        "params": floats(params),
        "bse": floats(result.bse),  # statsmodels' default cov_type: OPG
        "llf": float(result.llf),
        "aic": float(result.aic),
        "bic": float(result.bic),
        "hqic": float(result.hqic),
        "nobs": int(result.nobs),
        "loglikelihood_burn": int(result.loglikelihood_burn),
        "converged": bool(result.mle_retvals["converged"]),
        "iterations": int(result.mle_retvals["iterations"]),
        # scipy's L-BFGS-B: 0 converged, 1 iteration limit, 2 stopped otherwise
        # (e.g. the line search cannot improve at rounding level).
        "warnflag": int(result.mle_retvals["warnflag"]),
        "fit_seconds": seconds,
        "fit_settings": TIGHT_FIT,
        "fit_warnings": fit_warnings,
        "score_at_params": floats(score),
        "restart_check": {
            "start": "legacy_default_fit.params",
            "llf": float(restart.llf),
            "converged": bool(restart.mle_retvals["converged"]),
            "max_param_distance_to_reference": param_distance(np.asarray(restart.params, dtype=float), params),
        },
        "start_params": floats(model.start_params),
        "loglike_checks": [{"params": floats(p), "llf": float(model.loglike(p))} for p in checks],
        "forecast": forecast,
        "equivalent_optimum": equivalent,
        "legacy_default_fit": {
            "call": "fit(disp=False)",
            "params": floats(legacy_params),
            "llf": float(legacy.llf),
            "converged": bool(legacy.mle_retvals["converged"]),
            "iterations": int(legacy.mle_retvals["iterations"]),
            "fit_seconds": legacy_seconds,
            "fit_warnings": legacy_warnings,
            "max_param_distance_to_reference": param_distance(legacy_params, params),
            "llf_shortfall": float(result.llf - legacy.llf),
            "forecast_mean_max_rel_diff": max_rel_diff(legacy_forecast["mean"], forecast["mean"]),
            "forecast_se_max_rel_diff": max_rel_diff(legacy_forecast["se"], forecast["se"]),
        },
    }


def parse_ints(text: str, count: int, what: str) -> tuple[int, ...]:
    values = tuple(int(v) for v in text.split(","))
    if len(values) != count:
        raise argparse.ArgumentTypeError(f"{what} needs {count} comma separated integers, got {text!r}")
    return values


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--date-column", default="date")
    parser.add_argument("--target", default="close")
    parser.add_argument("--exog", default="", help="comma separated exog columns (empty: none)")
    parser.add_argument("--order", default="1,1,1", help="p,d,q")
    parser.add_argument("--seasonal", default="0,0,0,0", help="P,D,Q,s")
    parser.add_argument("--trend", default="n", choices=["n", "c", "t", "ct"])
    parser.add_argument("--enforce-stationarity", action="store_true")
    parser.add_argument("--enforce-invertibility", action="store_true")
    parser.add_argument("--horizon", type=int, default=7)
    parser.add_argument("--head", type=int, default=0, help="use only the first N rows (after filling)")
    parser.add_argument("--tail", type=int, default=0, help="use only the last N rows (after filling and --head)")
    args = parser.parse_args(argv)

    data = DataSpec(
        csv=args.csv,
        date_column=args.date_column,
        target=args.target,
        exog=tuple(c for c in args.exog.split(",") if c),
        head=args.head,
        tail=args.tail,
    )
    spec = ModelSpec(
        order=parse_ints(args.order, 3, "--order"),
        seasonal_order=parse_ints(args.seasonal, 4, "--seasonal"),
        trend=args.trend,
        enforce_stationarity=args.enforce_stationarity,
        enforce_invertibility=args.enforce_invertibility,
    )
    json.dump(run_reference(data, spec, args.horizon), sys.stdout, indent=1, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
