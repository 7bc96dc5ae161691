#!/usr/bin/env python3
"""Builds arabica's outside SARIMAX reference set: tests/data/golden/sarimax_reference_set.json.

Every case holds its data (public datasets: Stata's wpi1/air2/friedman2 as
shipped in statsmodels' test results, R's datasets package), arabica's model
options and up to two references:

* ``published``: a value arabica's tests never produced: Stata's results
  (statsmodels' results_sarimax.py and its 53-row coverage grid) or R 4.2's
  ``stats::arima(method="ML")`` run here through Debian's r-base-core, with
  the likelihood convention it uses (Stata and R: the likelihood of the
  differenced series with a stationary ARMA prior = arabica's
  ``--simple-differencing --enforce-stationarity``);
* ``statsmodels``: statsmodels 0.14's SARIMAX in the matching convention
  (simple_differencing / use_exact_diffuse), fitted tightly from its own start
  and from the published parameters, the best optimum kept.

Parameters are in arabica's order and form (trend as a state intercept, MA
with statsmodels' sign, variance not standard deviation); where a published
model is in mean form (Stata's ``c``/``t`` regressors, R's include.mean) the
trend coefficients are converted and marked so.

    scripts/setup --with-r && .venv/bin/python scripts/make_reference_set.py [--only NAME,...] [--no-r]
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from statsmodels.tsa.statespace import sarimax as sm_sarimax
from statsmodels.tsa.statespace.tests.results import results_sarimax as stata

REPO = Path(__file__).resolve().parent.parent
COVERAGE_CSV = Path(stata.__file__).with_name("results_sarimax_coverage.csv")


@dataclass
class Case:
    name: str
    source: str                      # where the published value comes from
    y: np.ndarray
    exog: dict[str, np.ndarray] = field(default_factory=dict)
    order: tuple[int, int, int] = (0, 0, 0)
    seasonal: tuple[int, int, int, int] = (0, 0, 0, 0)
    trend: str = "n"
    enforce_stationarity: bool = False
    enforce_invertibility: bool = False
    init: str = "approximate"
    simple_differencing: bool = False
    published: dict[str, Any] | None = None   # {"llf", "params", "convention", ...}
    notes: str = ""

    def model(self) -> sm_sarimax.SARIMAX:
        exog = np.column_stack(list(self.exog.values())) if self.exog else None
        return sm_sarimax.SARIMAX(
            self.y, exog=exog, order=self.order, seasonal_order=self.seasonal, trend=self.trend,
            # arabica's exact diffuse prior gives the ARMA block its
            # stationary law, as statsmodels does when enforcing stationarity.
            enforce_stationarity=self.enforce_stationarity or self.init == "exact-diffuse",
            enforce_invertibility=self.enforce_invertibility,
            simple_differencing=self.simple_differencing,
            use_exact_diffuse=self.init == "exact-diffuse")


def case_from(item: dict[str, Any]) -> Case:
    """A case back from its entry in the committed reference set."""
    spec = item["spec"]
    return Case(item["name"], item["source"], np.asarray(item["y"], dtype=float),
                exog={n: np.asarray(v, dtype=float) for n, v in zip(item["exog_names"], item["exog"])},
                order=tuple(spec["order"]), seasonal=tuple(spec["seasonal_order"]), trend=spec["trend"],
                enforce_stationarity=spec["enforce_stationarity"],
                enforce_invertibility=spec["enforce_invertibility"], init=spec["init"],
                simple_differencing=spec["simple_differencing"])


def floats(values: Any) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=float).ravel()]


# ---------------------------------------------------------------- Stata ---

def reduced_ar_terms(ar: Sequence[float], sar: Sequence[float], s: int) -> tuple[float, float]:
    """A(1) and sum i*A_i of A(L) = phi(L)Phi(L^s) = 1 - sum A_i L^i."""
    phi = np.r_[1.0, -np.asarray(ar, dtype=float)]
    seasonal = np.zeros(len(sar) * s + 1)
    seasonal[0] = 1.0
    for i, c in enumerate(sar):
        seasonal[(i + 1) * s] = -c
    poly = np.convolve(phi, seasonal)
    a = -poly[1:]
    return 1.0 - a.sum(), float(np.sum(np.arange(1, len(a) + 1) * a))


def mean_to_intercept(mean: Sequence[float], ar: Sequence[float], sar: Sequence[float],
                      s: int) -> list[float]:
    """Regression-with-ARMA-errors trend (a + b t) as the state intercept
    statsmodels and arabica estimate: A(L)(a + b t) = A(1) a + b sum i A_i + A(1) b t."""
    at_one, weighted = reduced_ar_terms(ar, sar, s)
    if len(mean) == 1:
        return [at_one * mean[0]]
    a, b = mean
    return [at_one * a + b * weighted, at_one * b]


def stata_cases() -> list[Case]:
    wpi = np.asarray(stata.wpi1_data, dtype=float)
    air2 = np.asarray(stata.air2_data, dtype=float)
    cases: list[Case] = []
    convention = "Stata arima: likelihood of the differenced series, stationary ARMA prior"

    # Stata time-series manual examples (results_sarimax.py).
    r = stata.wpi1_ar3
    cases.append(Case("stata_wpi1_ar3_d1", "Stata (results_sarimax.wpi1_ar3)", wpi, order=(3, 1, 0),
                      enforce_stationarity=True, simple_differencing=True,
                      published={"llf": r["loglike"], "params": r["params_ar"] + r["params_variance"],
                                 "convention": convention, "llf_tolerance": stata_llf_tolerance(r["loglike"])}))
    r = stata.wpi1_stationary
    ar, ma, mean = r["params_ar"], r["params_ma"], r["params_mean"]
    cases.append(Case("stata_wpi1_arima111_c", "Stata (results_sarimax.wpi1_stationary)", wpi,
                      order=(1, 1, 1), trend="c", enforce_stationarity=True, simple_differencing=True,
                      published={"llf": r["loglike"],
                                 "params": mean_to_intercept(mean, ar, [], 1) + ar + ma + r["params_variance"],
                                 "convention": convention, "trend_converted_from_mean": True,
                                 "llf_tolerance": stata_llf_tolerance(r["loglike"])}))
    for scale, label in ((1e-3, "1e-3"), (1e-4, "1e-4"), (100.0, "1e2")):
        # The same fit on rescaled data: llf moves by -n_used log(scale), the
        # intercept by scale and sigma2 by scale^2 (issue: small variances).
        n_used = len(wpi) - 1
        cases.append(Case(f"stata_wpi1_arima111_c_scaled_{label}", "Stata (wpi1_stationary, data rescaled)",
                          wpi * scale, order=(1, 1, 1), trend="c", enforce_stationarity=True,
                          simple_differencing=True,
                          published={"llf": r["loglike"] - n_used * math.log(scale),
                                     "params": [mean_to_intercept(mean, ar, [], 1)[0] * scale] + ar + ma
                                     + [r["params_variance"][0] * scale**2],
                                     "convention": convention, "trend_converted_from_mean": True,
                                     "llf_tolerance": stata_llf_tolerance(r["loglike"])},
                          notes=f"wpi1 times {label}: levels {wpi.min() * scale:.3g}..{wpi.max() * scale:.3g}"))
    r = stata.air2_stationary
    cases.append(Case("stata_air2_airline", "Stata (results_sarimax.air2_stationary)", np.log(air2),
                      order=(0, 1, 1), seasonal=(0, 1, 1, 12), enforce_stationarity=True,
                      simple_differencing=True,
                      published={"llf": r["loglike"],
                                 "params": r["params_ma"] + r["params_seasonal_ma"] + r["params_variance"],
                                 "convention": convention, "llf_tolerance": 5e-5}))
    r = stata.friedman2_mle
    consump = np.asarray(stata.friedman2_data["consump"], dtype=float)[:92]
    m2 = np.asarray(stata.friedman2_data["m2"], dtype=float)[:92]
    published = {"llf": r["loglike"], "convention": "Stata arima, stationary ARMA prior",
                 "llf_tolerance": stata_llf_tolerance(r["loglike"]),
                 "params": [r["params_exog"][1], r["params_exog"][0]] + r["params_ar"] + r["params_ma"]
                 + r["params_variance"]}
    cases.append(Case("stata_friedman2_armax", "Stata (results_sarimax.friedman2_mle)", consump,
                      exog={"m2": m2, "const": np.ones_like(m2)}, order=(1, 0, 1),
                      enforce_stationarity=True, published=published))
    # Regressors on scales 1e10 apart: the coefficients scale inversely.
    scaled = dict(published)
    scaled["params"] = [r["params_exog"][1] / 1e6, r["params_exog"][0] / 1e-4] + published["params"][2:]
    cases.append(Case("stata_friedman2_armax_exog_scales", "Stata (friedman2_mle, regressors rescaled)",
                      consump, exog={"m2_times_1e6": m2 * 1e6, "const_times_1e-4": np.full_like(m2, 1e-4)},
                      order=(1, 0, 1), enforce_stationarity=True, published=scaled,
                      notes="m2 times 1e6 and the constant times 1e-4"))

    # The coverage grid (results_sarimax_coverage.csv, 53 Stata fits on wpi1):
    # every row arabica's model class holds (no 'diffuse' = approximate prior
    # with variance 1e9, no polynomial trend t3).
    x = (wpi - np.floor(wpi)) ** 2
    with COVERAGE_CSV.open() as handle:
        rows = list(csv.DictReader(handle))
    for index, row in enumerate(rows):
        command = row["mod"]
        if "diffuse" in command or "t3" in command or "wpi2" in command:
            continue
        case = grid_case(index, command, float(row["llf"]),
                         [float(v) for v in row["parameters"].split(",")], wpi, x, convention)
        cases.append(case)
    return cases


def stationary(ar: Sequence[float]) -> bool:
    if not len(ar):
        return True
    return bool(np.all(np.abs(np.roots(np.r_[1.0, -np.asarray(ar, dtype=float)][::-1])) > 1.0))


def stata_llf_tolerance(llf: float) -> float:
    """Half a unit of the last printed digit (Stata's results keep 7
    significant digits) plus the rounding of the printed parameters."""
    text = repr(llf)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0 ** -decimals + 2e-5


def parse_stata_orders(command: str) -> tuple[tuple[int, int, int], tuple[int, int, int, int]]:
    """(p,d,q), (P,D,Q,s) of "arima(3,0,2) sarima(0,2,0,4)"."""
    plain = re.search(r"(?<!s)arima\((\d+),(\d+),(\d+)\)", command)
    seasonal = re.search(r"sarima\((\d+),(\d+),(\d+),(\d+)\)", command)
    order = tuple(int(v) for v in plain.groups()) if plain else (0, 0, 0)
    return order, tuple(int(v) for v in seasonal.groups()) if seasonal else (0, 0, 0, 0)  # type: ignore[return-value]


def grid_case(index: int, command: str, llf: float, values: list[float], wpi: np.ndarray,
              x: np.ndarray, convention: str) -> Case:
    head = command.split(",")[0].split()  # arima wpi [c] [t] [x]
    regressors = head[2:]
    order, seasonal = parse_stata_orders(command)
    p, d, q = order
    P, D, Q, s = seasonal
    values[-1] = values[-1] ** 2  # Stata reports the standard deviation
    k_reg = len(regressors)
    mean, rest = values[:k_reg], values[k_reg:]
    ar, ma = rest[:p], rest[p:p + q]
    sar = rest[p + q:p + q + P]
    trend = {"": "n", "c": "c", "c t": "ct", "x": "n"}[" ".join(regressors)]
    exog: dict[str, np.ndarray] = {}
    published: dict[str, Any] = {"llf": llf, "convention": convention,
                                 "llf_tolerance": stata_llf_tolerance(llf)}
    if regressors == ["c", "t"]:
        # Stata's "c t" is a regression on a + b t with ARMA errors whose
        # stationary prior is centred on the trend line; statsmodels' and
        # arabica's trend is a state intercept whose prior is centred on its
        # first value: another likelihood, so only statsmodels is compared.
        published["comparable"] = False
    if not (stationary(ar) and stationary(sar)):
        # Stata reports a non-stationary AR part here: its stationary prior
        # (and so its llf) is not defined in arabica's convention.
        published["comparable"] = False
    if regressors == ["x"]:
        exog = {"x": x}
        published["params"] = values
    else:
        published["params"] = mean_to_intercept(mean, ar, sar, s) + rest if mean else values
        if mean:
            published["trend_converted_from_mean"] = True
    return Case(f"stata_grid_{index:02d}", f"Stata coverage grid row {index}: {command}", wpi,
                exog=exog, order=order, seasonal=seasonal, trend=trend, enforce_stationarity=True,
                simple_differencing=d + D > 0, published=published)


# -------------------------------------------------------------------- R ---

R_SERIES = {
    "AirPassengers": "log(AirPassengers)", "USAccDeaths": "USAccDeaths", "LakeHuron": "LakeHuron",
    "lh": "lh", "Nile": "Nile", "lynx": "log10(lynx)", "BJsales": "BJsales", "UKgas": "log(UKgas)",
    "ldeaths": "ldeaths", "WWWusage": "WWWusage", "nottem": "nottem",
}


@dataclass
class RSpec:
    name: str
    series: str
    order: tuple[int, int, int]
    seasonal: tuple[int, int, int, int] = (0, 0, 0, 0)
    xreg: str = ""            # an R expression of the series' time index, or a dataset
    include_mean: bool = False
    head: int = 0             # keep the first `head` observations (short series)
    notes: str = ""


R_SPECS = [
    RSpec("r_airpassengers_airline", "AirPassengers", (0, 1, 1), (0, 1, 1, 12)),
    RSpec("r_airpassengers_112_011", "AirPassengers", (1, 1, 2), (0, 1, 1, 12),
          notes="issue item 1: statsmodels' default start stops at llf 244.70"),
    RSpec("r_airpassengers_212_012", "AirPassengers", (2, 1, 2), (0, 1, 2, 12)),
    RSpec("r_airpassengers_short36_airline", "AirPassengers", (0, 1, 1), (0, 1, 1, 12), head=36),
    RSpec("r_airpassengers_short48_110_010", "AirPassengers", (1, 1, 0), (0, 1, 0, 12), head=48),
    RSpec("r_usaccdeaths_airline", "USAccDeaths", (0, 1, 1), (0, 1, 1, 12),
          notes="issue item 9: levels ~1e4, exact ML ma -0.4303 sigma2 99347"),
    RSpec("r_usaccdeaths_100_011", "USAccDeaths", (1, 0, 0), (0, 1, 1, 12)),
    RSpec("r_lakehuron_ar2_time", "LakeHuron", (2, 0, 0), xreg="time", include_mean=True),
    RSpec("r_lakehuron_arma11", "LakeHuron", (1, 0, 1), include_mean=True),
    RSpec("r_lh_ar1", "lh", (1, 0, 0), include_mean=True),
    RSpec("r_lh_ar3", "lh", (3, 0, 0), include_mean=True),
    RSpec("r_lh_arma11", "lh", (1, 0, 1), include_mean=True),
    RSpec("r_nile_arima011", "Nile", (0, 1, 1)),
    RSpec("r_nile_arma11", "Nile", (1, 0, 1), include_mean=True),
    RSpec("r_lynx_ar2", "lynx", (2, 0, 0), include_mean=True),
    RSpec("r_lynx_arma21", "lynx", (2, 0, 1), include_mean=True),
    RSpec("r_bjsales_arima011_lead", "BJsales", (0, 1, 1), xreg="BJsales.lead"),
    RSpec("r_bjsales_arima111", "BJsales", (1, 1, 1)),
    RSpec("r_ukgas_airline", "UKgas", (0, 1, 1), (0, 1, 1, 4)),
    RSpec("r_ldeaths_sar", "ldeaths", (1, 0, 0), (1, 1, 0, 12)),
    RSpec("r_wwwusage_arima311", "WWWusage", (3, 1, 1)),
    RSpec("r_wwwusage_arima120", "WWWusage", (1, 2, 0)),
    RSpec("r_nottem_sarima", "nottem", (1, 0, 0), (2, 1, 0, 12)),
]

R_PROGRAM = r"""
args <- commandArgs(trailingOnly = TRUE)
expr <- args[1]; p <- as.integer(args[2:4]); sp <- as.integer(args[5:8])
xreg_kind <- args[9]; include_mean <- args[10] == "1"; head_n <- as.integer(args[11])
x <- eval(parse(text = expr))
xreg <- NULL
if (xreg_kind == "time") xreg <- as.numeric(time(x))
if (xreg_kind == "BJsales.lead") xreg <- as.numeric(BJsales.lead)
if (head_n > 0) { x <- ts(x[1:head_n], frequency = frequency(x)); if (!is.null(xreg)) xreg <- xreg[1:head_n] }
seasonal <- list(order = sp[1:3], period = if (sp[4] > 0) sp[4] else NA)
fit <- arima(x, order = p, seasonal = seasonal, xreg = xreg, include.mean = include_mean,
             method = "ML", optim.control = list(maxit = 2000, reltol = 1e-13))
fmt <- function(v) paste(formatC(as.numeric(v), digits = 17, format = "g"), collapse = ",")
cat("y=", fmt(x), "\n", sep = "")
if (!is.null(xreg)) cat("xreg=", fmt(xreg), "\n", sep = "")
cat("names=", paste(names(coef(fit)), collapse = ","), "\n", sep = "")
cat("coef=", fmt(coef(fit)), "\n", sep = "")
cat("sigma2=", fmt(fit$sigma2), "\n", sep = "")
cat("loglik=", fmt(fit$loglik), "\n", sep = "")
cat("nobs=", fit$nobs, "\n", sep = "")
cat("version=", R.version.string, "\n", sep = "")
"""


def r_case(spec: RSpec) -> Case:
    out = subprocess.run(
        ["Rscript", "--vanilla", "-e", R_PROGRAM, R_SERIES[spec.series], *map(str, spec.order),
         *map(str, spec.seasonal), spec.xreg or "none", "1" if spec.include_mean else "0", str(spec.head)],
        check=True, capture_output=True, text=True).stdout
    fields = dict(line.split("=", 1) for line in out.strip().splitlines())
    y = np.array([float(v) for v in fields["y"].split(",")])
    names = fields["names"].split(",")
    coef = dict(zip(names, (float(v) for v in fields["coef"].split(","))))
    p, d, q = spec.order
    P, D, Q, s = spec.seasonal
    ar = [coef[f"ar{i}"] for i in range(1, p + 1)]
    ma = [coef[f"ma{i}"] for i in range(1, q + 1)]
    sar = [coef[f"sar{i}"] for i in range(1, P + 1)]
    sma = [coef[f"sma{i}"] for i in range(1, Q + 1)]
    params: list[float] = []
    exog: dict[str, np.ndarray] = {}
    trend = "n"
    differenced = d + D > 0
    published: dict[str, Any] = {
        "llf": float(fields["loglik"]),
        "convention": "R arima(method='ML'): likelihood of the differenced series, stationary ARMA prior",
        "r_version": fields["version"],
        # R's differencing states get kappa = 1e6 (in units of sigma2), not
        # an exact diffuse prior: on these series its llf sits up to ~5e-3
        # from the exact differenced likelihood (and its optimum moves by as
        # much); without differencing R's likelihood is exact.
        "llf_tolerance": 1e-2 if differenced else 1e-6 * max(1.0, abs(float(fields["loglik"]))),
        "params_tolerance": 2e-2 if differenced else 1e-3,
    }
    if spec.include_mean:
        trend = "c"
        params += mean_to_intercept([coef["intercept"]], ar, sar, s or 1)
        published["trend_converted_from_mean"] = True
    if "xreg" in fields:
        exog = {spec.xreg: np.array([float(v) for v in fields["xreg"].split(",")])}
        params += [coef[names[-1]]]
    params += ar + ma + sar + sma + [float(fields["sigma2"])]
    published["params"] = params
    return Case(spec.name, f"R {spec.series} arima({spec.order}, seasonal {spec.seasonal})", y,
                exog=exog, order=spec.order, seasonal=spec.seasonal, trend=trend,
                enforce_stationarity=True, simple_differencing=d + D > 0,
                published=published, notes=spec.notes)


# ---------------------------------------------- statsmodels-only cases ---

def statsmodels_cases() -> list[Case]:
    """Cases whose reference is statsmodels in arabica's default convention
    (approximate diffuse prior) or its exact diffuse one."""
    air = np.log(np.asarray(stata.air2_data, dtype=float))
    wpi = np.asarray(stata.wpi1_data, dtype=float)
    rng = np.random.default_rng(20261205)
    walk = 0.012 + np.cumsum(rng.normal(0.0, math.sqrt(5.6e-6), 400))
    return [
        Case("sm_air2_airline_approximate", "statsmodels", air, order=(0, 1, 1), seasonal=(0, 1, 1, 12),
             notes="issue item 6"),
        Case("sm_air2_short36_airline_approximate", "statsmodels", air[:36], order=(0, 1, 1),
             seasonal=(0, 1, 1, 12), notes="issue item 6: 36 rows"),
        Case("sm_air2_212_012_free", "statsmodels", air, order=(2, 1, 2), seasonal=(0, 1, 2, 12),
             notes="issue items 6 and 10"),
        Case("sm_air2_101_111_c", "statsmodels", air, order=(1, 0, 1), seasonal=(1, 1, 1, 12), trend="c",
             notes="issue item 6"),
        Case("sm_air2_112_011_enforced", "statsmodels", air, order=(1, 1, 2), seasonal=(0, 1, 1, 12),
             enforce_stationarity=True, notes="issue item 1 in statsmodels' convention"),
        Case("sm_wpi1_arma303", "statsmodels", wpi, order=(3, 0, 3), notes="issue item 6 (Stata grid (3,0,3))"),
        Case("sm_wpi1_arima111_ct_exact_diffuse", "statsmodels", wpi, order=(1, 1, 1), trend="ct",
             init="exact-diffuse"),
        Case("sm_air2_airline_exact_diffuse", "statsmodels", air, order=(0, 1, 1), seasonal=(0, 1, 1, 12),
             init="exact-diffuse", enforce_stationarity=True),
        Case("sm_wpi1_arima211_exact_diffuse", "statsmodels", wpi, order=(2, 1, 1), init="exact-diffuse",
             notes="stationarity not enforced: the exact diffuse prior still gives the ARMA block its "
                   "stationary law"),
        Case("sm_usaccdeaths_like_1e4_exact_diffuse", "statsmodels", wpi * 100.0, order=(1, 1, 1), trend="c",
             init="exact-diffuse", notes="levels ~1e4: the exact prior is scale-free"),
        Case("sm_random_walk_small_variance", "statsmodels", walk, order=(0, 1, 1),
             notes="issue item 3: increments with variance 5.6e-6 around 0.012"),
        Case("sm_wpi1_1e-3_arima111_c_enforced", "statsmodels", wpi * 1e-3, order=(1, 1, 1), trend="c",
             enforce_stationarity=True, enforce_invertibility=True, notes="issue item 3"),
    ]


# ------------------------------------------------------------ fitting ---

def arabica_start(case: Case, arabica: Path, workdir: Path) -> np.ndarray | None:
    """arabica's own optimum, as one more start for statsmodels: the reference
    is statsmodels' polish of the best point any start reaches."""
    path = workdir / f"{case.name}.csv"
    columns = ["y", *case.exog]
    with path.open("w") as handle:
        handle.write("date," + ",".join(columns) + "\n")
        day = np.datetime64("2000-01-03")
        for t in range(len(case.y)):
            values = [case.y[t], *(v[t] for v in case.exog.values())]
            handle.write(f"{day + t}," + ",".join(repr(float(v)) for v in values) + "\n")
    out = workdir / f"{case.name}.json"
    command = [str(arabica), "fit", "--csv", str(path), "--target", "y", "--min-rows", "1",
               "--order", ",".join(map(str, case.order)), "--seasonal", ",".join(map(str, case.seasonal)),
               "--trend", case.trend, "--init", case.init, "--allow-nonpositive", "--json", str(out)]
    if case.exog:
        command += ["--exog", ",".join(case.exog)]
    command += ["--enforce-stationarity"] * case.enforce_stationarity
    command += ["--enforce-invertibility"] * case.enforce_invertibility
    command += ["--simple-differencing"] * case.simple_differencing
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        print(f"  {case.name}: arabica fit failed: {run.stderr.strip()}", file=sys.stderr)
        return None
    return np.asarray(json.loads(out.read_text())["params"], dtype=float)


def tight_fit(case: Case, extra_starts: Sequence[tuple[str, np.ndarray | None]] = ()) -> dict[str, Any]:
    model = case.model()
    starts = [("default", None)]
    if case.published:
        starts.append(("published", np.asarray(case.published["params"], dtype=float)))
    starts += [(label, start) for label, start in extra_starts if start is not None]
    best: dict[str, Any] | None = None
    by_start: dict[str, float] = {}
    for label, start in starts:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                first = model.fit(start_params=start, method="lbfgs", maxiter=5000, disp=False,
                                  pgtol=1e-10, factr=10.0)
                polished = model.fit(start_params=first.params, method="bfgs", maxiter=5000, disp=False,
                                     gtol=1e-9)
        except Exception as error:  # noqa: BLE001 - a start outside the model's space
            print(f"  {case.name}: statsmodels from {label} start failed: {error}", file=sys.stderr)
            continue
        for result in (first, polished):
            if not np.isfinite(result.llf):
                continue
            by_start[label] = max(by_start.get(label, -math.inf), float(result.llf))
            if best is None or result.llf > best["llf"]:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    bse = result.bse  # OPG, statsmodels' default cov_type
                best = {"llf": float(result.llf), "params": floats(result.params),
                        "bse_opg": floats(bse), "start": label,
                        "param_names": list(model.param_names)}
    if best is None:
        raise RuntimeError(f"{case.name}: no statsmodels fit")
    best["llf_by_start"] = by_start
    # The published parameters' likelihood in the matching convention.
    if case.published:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            best["llf_at_published_params"] = float(
                model.loglike(np.asarray(case.published["params"], dtype=float)))
    return best


def to_json(case: Case) -> dict[str, Any]:
    return {
        "name": case.name, "source": case.source, "notes": case.notes,
        "y": floats(case.y), "exog_names": list(case.exog), "exog": [floats(v) for v in case.exog.values()],
        "spec": {"order": list(case.order), "seasonal_order": list(case.seasonal), "trend": case.trend,
                 "enforce_stationarity": case.enforce_stationarity,
                 "enforce_invertibility": case.enforce_invertibility,
                 "init": case.init, "simple_differencing": case.simple_differencing},
        "published": case.published,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "tests/data/golden/sarimax_reference_set.json")
    parser.add_argument("--only", default="",
                        help="comma separated case names: rebuild these and keep the other cases of --out")
    parser.add_argument("--no-r", action="store_true", help="leave out the R cases")
    parser.add_argument("--arabica", type=Path, action="append",
                        help="arabica binary whose optimum is one more statsmodels start; repeat it to "
                             "keep the optima of earlier builds as starts, so that a new build cannot "
                             "lower a reference (default: build/arabica; skipped when missing)")
    args = parser.parse_args(argv)

    cases = stata_cases()
    if not args.no_r:
        if shutil.which("Rscript") is None:
            print("make_reference_set: Rscript not found (scripts/setup --with-r installs it; or --no-r)",
                  file=sys.stderr)
            return 2
        cases += [r_case(spec) for spec in R_SPECS]
    cases += statsmodels_cases()
    wanted = {n for n in args.only.split(",") if n}
    binaries = [b for b in (args.arabica or [REPO / "build" / "arabica"]) if b.exists()]
    # The optimum each case has now is one more start: rebuilding never
    # lowers a reference because a new arabica build stops lower.
    previous = {item["name"]: item for item in json.loads(args.out.read_text())} if args.out.exists() else {}
    out = []
    for case in cases:
        if wanted and case.name not in wanted:
            continue
        start = time.perf_counter()
        item = to_json(case)
        extra = []
        if case.name in previous:
            extra.append(("previous", np.asarray(previous[case.name]["statsmodels"]["params"], dtype=float)))
        for index, binary in enumerate(binaries):
            with tempfile.TemporaryDirectory() as workdir:
                label = "arabica" if index == 0 else f"arabica{index + 1}"
                extra.append((label, arabica_start(case, binary, Path(workdir))))
        item["statsmodels"] = tight_fit(case, extra)
        sm = item["statsmodels"]
        published = case.published["llf"] if case.published else float("nan")
        at_pub = sm.get("llf_at_published_params", float("nan"))
        print(f"{case.name}: statsmodels {sm['llf']:.6f} ({sm['start']} start), published {published:.6f}, "
              f"llf at published params {at_pub:.6f} [{time.perf_counter() - start:.1f} s]", file=sys.stderr)
        out.append(item)
    if wanted and args.out.exists():
        rebuilt = {item["name"]: item for item in out}
        out = [rebuilt.pop(name, item) for name, item in previous.items()] + list(rebuilt.values())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {len(out)} cases to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
