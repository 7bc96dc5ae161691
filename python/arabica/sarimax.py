"""`arabica.fit`: SARIMAX(p,d,q)(P,D,Q,s) with covariates by exact maximum
likelihood (Kalman filter), the same fit as `arabica fit`, with
statsmodels' result attributes."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from statistics import NormalDist
from typing import Sequence

import numpy as np
import pandas as pd

from . import _core
from ._frames import csv_lines, days_since_epoch, value_matrix
from .errors import ArabicaWarning


def _order_text(order: Sequence[int], size: int, name: str) -> str:
    values = tuple(order)
    if len(values) != size:
        raise _core.InputError(f"{name}: expected {size} integers, got {values!r}")
    return ",".join(str(int(v)) for v in values)


@dataclass
class SarimaxResults:
    """A fitted model: `params`, `bse` (pandas Series by parameter name),
    `llf`, `aic`, `bic`, `hqic`, `nobs`, `resid`, `converged`, and
    `forecast()`. `engine` is the extension's fit (for `arabica.simulate`)."""

    engine: _core.Fit
    index: pd.Index

    @property
    def param_names(self) -> list[str]:
        return list(self.engine.param_names)

    @property
    def params(self) -> pd.Series:
        return pd.Series(np.asarray(self.engine.params), index=self.param_names, name="params")

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.asarray(self.engine.standard_errors), index=self.param_names, name="bse")

    @property
    def resid(self) -> pd.Series:
        return pd.Series(np.asarray(self.engine.resid), index=self.index, name="resid")

    llf = property(lambda self: self.engine.llf)
    aic = property(lambda self: self.engine.aic)
    bic = property(lambda self: self.engine.bic)
    hqic = property(lambda self: self.engine.hqic)
    nobs = property(lambda self: self.engine.nobs)
    converged = property(lambda self: self.engine.converged)
    iterations = property(lambda self: self.engine.iterations)
    cov_type = property(lambda self: self.engine.cov_type)
    spec = property(lambda self: self.engine.spec)

    def forecast(self, h: int, X_future=None, level: Sequence[float] = (95,)) -> pd.DataFrame:
        """The h-step forecast: `mean`, `se` and, per level, `lo-L`/`hi-L`
        (Gaussian intervals). Covariates over the horizon: `X_future` (h
        rows, the fit's columns), or "repeat-last" (the last h observed rows,
        the legacy rule) or "hold-last"; required when the model has
        covariates, as in statsmodels."""
        policy, rows = _horizon_exog(self.engine, h, X_future)
        mean, se = self.engine.forecast(int(h), policy, rows)
        frame = pd.DataFrame({"mean": np.asarray(mean), "se": np.asarray(se)},
                             index=pd.RangeIndex(1, int(h) + 1, name="h"))
        for value in level:
            if not 0 < float(value) < 100:
                raise _core.InputError(f"level: {value!r} is not a percentage in (0, 100)")
            z = NormalDist().inv_cdf(0.5 + float(value) / 200)
            frame[f"lo-{value:g}"] = frame["mean"] - z * frame["se"]
            frame[f"hi-{value:g}"] = frame["mean"] + z * frame["se"]
        return frame

    def summary(self) -> str:
        table = pd.DataFrame({"coef": self.params, "std err": self.bse, "z": self.params / self.bse})
        return (f"{self.spec}: nobs {self.nobs}, llf {self.llf:.6f}, aic {self.aic:.4f}, bic {self.bic:.4f}, "
                f"converged {self.converged}\n{table.to_string()}")


def _horizon_exog(engine: _core.Fit, h: int, X_future) -> tuple[str, np.ndarray]:
    k = len(engine.exog_names)
    if X_future is None:
        if k:
            raise _core.InputError(f"X_future: the model has {k} covariates ({', '.join(engine.exog_names)}): "
                                   "give their h future rows, or 'repeat-last' / 'hold-last'")
        return "repeat-last", np.zeros((0, 0))
    if isinstance(X_future, str):
        return X_future, np.zeros((0, 0))
    if isinstance(X_future, pd.DataFrame):
        missing = [c for c in engine.exog_names if c not in X_future.columns]
        if missing:
            raise _core.InputError(f"X_future: no column {missing[0]!r} (the fit's covariates: "
                                   f"{', '.join(engine.exog_names)})")
        X_future = X_future[list(engine.exog_names)]
    rows = np.asarray(X_future, dtype=np.float64)
    return "", rows.reshape(len(rows), -1) if rows.ndim < 2 else rows


def fit(y, X=None, order: Sequence[int] = (1, 1, 1), seasonal_order: Sequence[int] = (0, 0, 0, 0),
        trend: str = "n", enforce_stationarity: bool = False, enforce_invertibility: bool = False,
        initialization: str = "approximate", simple_differencing: bool = False, cov_type: str = "opg",
        allow_nonpositive: bool = True, missing: str = "error") -> SarimaxResults:
    """SARIMAX by exact maximum likelihood, statsmodels' parameterisation and
    defaults (`enforce_*` False as in the engine's CLI; `initialization`
    "approximate" is statsmodels' diffuse prior, "exact-diffuse" the exact
    one). `y`: a pandas Series (a DatetimeIndex is checked for order and
    repeats) or 1-D array; `X`: covariates, a DataFrame or 2-D array of the
    same rows. Missing values are refused with the row and column
    (`missing="error"`), or handled as the CLI's --missing does:
    "ffill-bfill" or "drop" (rows without a target)."""
    target = y if isinstance(y, pd.Series) else pd.Series(np.asarray(y, dtype=np.float64), name="y")
    target_name = str(target.name) if target.name is not None else "y"
    if X is None:
        exog = pd.DataFrame(index=target.index)
    elif isinstance(X, pd.DataFrame):
        exog = X
    else:
        matrix = np.asarray(X, dtype=np.float64)
        matrix = matrix.reshape(len(matrix), -1)
        exog = pd.DataFrame(matrix, columns=[f"x{k + 1}" for k in range(matrix.shape[1])], index=target.index)
    if len(exog) != len(target):
        raise _core.InputError(f"X: {len(exog)} rows for {len(target)} values of y")
    if isinstance(target.index, pd.DatetimeIndex):
        dates = days_since_epoch(target.index)
    else:  # no dates: business days, so that no weekend warning is made up
        dates = days_since_epoch(pd.bdate_range("2000-01-03", periods=len(target)))
    arguments = _core.FitArguments()
    arguments.order = _order_text(order, 3, "order")
    arguments.seasonal = _order_text(seasonal_order, 4, "seasonal_order")
    arguments.trend = trend
    arguments.enforce_stationarity = enforce_stationarity
    arguments.enforce_invertibility = enforce_invertibility
    arguments.init = initialization
    arguments.simple_differencing = simple_differencing
    arguments.cov_type = cov_type
    arguments.allow_nonpositive = allow_nonpositive
    arguments.missing = missing
    exog_names = [str(c) for c in exog.columns]
    values = value_matrix([target.to_numpy(dtype=np.float64)] + [exog[c].to_numpy(dtype=np.float64)
                                                                  for c in exog.columns])
    # Located as in pd.concat([y, X], axis=1).to_csv(index=False).
    positions = list(range(0, len(exog_names) + 2))
    engine = _core.fit("fit(y, X)", dates, values, target_name, exog_names, positions,
                       csv_lines(np.arange(len(target))), arguments)
    for message in engine.warnings:
        warnings.warn(message, ArabicaWarning, stacklevel=2)
    # The rows the fit used (sorted, without dropped ones), under the caller's labels.
    label_of = dict(zip(dates.tolist(), target.index))
    index = pd.Index([label_of[int(day)] for day in engine.dates], name=target.index.name)
    return SarimaxResults(engine, index)
