#!/usr/bin/env python3
"""Monte Carlo throughput: numpy vs arabica's path backend, in one run.

Both sides do the same work for SARIMAX(1,1,1) + 5 exog fitted once (untimed)
on the same rows: draw the filtered end state a + L xi (L L' = P_{n|n}), step
the state space `horizon` days (state = T state + R sigma eps,
price = Z state + x' beta with repeat-last future exog) for N float32 paths
with normal shocks, then per-day mean, std, skewness, excess kurtosis (scipy's
biased definitions), the 9 numpy.percentile levels (linear) and P(up).

  * build/bench/bench_paths fits the model and times Backend::simulate; its
    JSON also carries the fitted parameters.
  * numpy takes T, Z, R and the filtered end state from statsmodels' SARIMAX
    filtered at those parameters, and is timed end to end, vectorised over
    paths in chunks (the float32 values are kept whole for the percentiles).

The day-h mean and std of both are checked against each other and against
the exact Kalman forecast within Monte Carlo error. Prints a markdown report
and writes it to bench/results/paths.md. Data: the shared coffee file when
present, else the demo generator's synthetic prices.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from make_demo_data import EXOG, simulate  # noqa: E402
from run_fit_bench import COFFEE, cpu_name  # noqa: E402
from sarimax_reference import DataSpec, ModelSpec, build_model, load_data  # noqa: E402

LEVELS = np.array([1, 5, 10, 25, 50, 75, 90, 95, 99], dtype=float)
Z_LIMIT = 4.0  # |z| beyond this is a disagreement, not Monte Carlo noise


@dataclass
class NumpyModel:
    """The path model in float32, as arabica's PathModel holds it."""

    transition: np.ndarray  # T, k x k
    design: np.ndarray  # Z, k
    selection: np.ndarray  # R, k
    sigma: np.float32
    anchor: np.ndarray  # a_{n|n}, k
    anchor_factor: np.ndarray  # L with L L' = P_{n|n}, k x k
    regression: np.ndarray  # x_h' beta, horizon
    exact_mean: np.ndarray  # Kalman forecast mean, horizon (float64)
    exact_std: np.ndarray  # Kalman forecast standard error, horizon (float64)


@dataclass
class DayStats:
    """Per-day statistics, as arabica's PathStats."""

    mean: np.ndarray
    std: np.ndarray
    skewness: np.ndarray
    kurtosis: np.ndarray
    p_up: np.ndarray
    quantiles: np.ndarray  # horizon x 9


@dataclass
class Timing:
    implementation: str
    paths: int
    seconds: list[float]
    mean: float  # last day
    std: float
    kurtosis: float
    gpu: dict[str, float] | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def rate(self, horizon: int) -> float:
        return self.paths * horizon / self.median


def numpy_model(data: DataSpec, fitted: dict[str, Any], horizon: int) -> NumpyModel:
    """arabica's fitted parameters in statsmodels' state space, filtered to the last row."""
    loaded = load_data(data)
    model = build_model(loaded, ModelSpec())
    names, params = fitted["param_names"], fitted["params"]
    if list(model.param_names) != names or len(loaded.endog) != fitted["rows"]:
        raise SystemExit(f"statsmodels has {len(loaded.endog)} rows and parameters {model.param_names}; "
                         f"arabica {fitted['rows']} rows and {names}")
    result = model.filter(np.asarray(params))
    # Trend "n" and no measurement error: no state or observation intercept
    # beyond the exog regression, which statsmodels keeps in obs_intercept.
    future = loaded.exog.to_numpy()[-horizon:]  # repeat-last
    beta = np.asarray(params[: len(data.exog)])
    forecast = result.get_forecast(horizon, exog=future)
    # P_{n|n} is singular (the observed price is known exactly): factor it
    # through its eigen-decomposition rather than Cholesky.
    w, v = np.linalg.eigh(result.filtered_state_cov[:, :, -1])
    f32 = np.float32
    return NumpyModel(
        transition=model.ssm["transition"].astype(f32),  # time-invariant: 2-D
        design=model.ssm["design"].ravel().astype(f32),
        selection=model.ssm["selection"].ravel().astype(f32),
        sigma=f32(math.sqrt(params[-1])),
        anchor=result.filtered_state[:, -1].astype(f32),
        anchor_factor=(v * np.sqrt(np.clip(w, 0.0, None))).astype(f32),
        regression=(future @ beta).astype(f32),
        exact_mean=np.asarray(forecast.predicted_mean, dtype=float),
        exact_std=np.asarray(forecast.se_mean, dtype=float),
    )


def parse_family(described: str) -> tuple[str, dict[str, float]]:
    """arabica's describe() line, e.g. "skew_t(alpha=0.19, nu=3.85)", as (name, parameters)."""
    name, _, rest = described.partition("(")
    params = dict(item.split("=") for item in rest.rstrip(")").split(", ") if "=" in item)
    return name, {k: float(v) for k, v in params.items()}


def numpy_shocks(rng: np.random.Generator, family: tuple[str, dict[str, float]], shape: tuple[int, int]):
    """Standardised (mean 0, variance 1) float32 innovations as a numpy user draws them."""
    name, p = family
    if name == "normal":
        return rng.standard_normal(shape, dtype=np.float32)
    if name == "student_t":
        nu = p["nu"]
        return (rng.standard_t(nu, shape) * math.sqrt((nu - 2.0) / nu)).astype(np.float32)
    if name == "skew_t":  # Azzalini: skew-normal / sqrt(chi2_nu / nu), then standardised
        alpha, nu = p["alpha"], p["nu"]
        delta = alpha / math.sqrt(1.0 + alpha * alpha)
        skew_normal = delta * np.abs(rng.standard_normal(shape)) + math.sqrt(1.0 - delta**2) * rng.standard_normal(shape)
        raw = skew_normal / np.sqrt(rng.chisquare(nu, shape) / nu)
        mean = delta * math.sqrt(nu / math.pi) * math.exp(math.lgamma((nu - 1) / 2) - math.lgamma(nu / 2))
        return ((raw - mean) / math.sqrt(nu / (nu - 2.0) - mean * mean)).astype(np.float32)
    raise SystemExit(f"no numpy reference for {name} innovations")


def numpy_paths(m: NumpyModel, n: int, chunk: int, last_price: float, seed: int,
                family: tuple[str, dict[str, float]]) -> DayStats:
    rng = np.random.default_rng(seed)
    horizon, k = len(m.regression), len(m.anchor)
    values = np.empty((horizon, n), dtype=np.float32)  # every value, for exact percentiles
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        state = m.anchor[:, None] + m.anchor_factor @ rng.standard_normal((k, size), dtype=np.float32)
        shocks = numpy_shocks(rng, family, (horizon, size))
        shocks *= m.sigma
        for h in range(horizon):
            state = m.transition @ state + m.selection[:, None] * shocks[h]
            np.add(m.design @ state, m.regression[h], out=values[h, start : start + size])
    # Moments in float64 around the mean: prices sit far from 0.
    mean = values.mean(axis=1, dtype=np.float64)
    central = np.empty((horizon, 3))  # m2, m3, m4
    for h in range(horizon):
        d = values[h] - mean[h]
        d2 = d * d
        central[h] = d2.mean(), (d2 * d).mean(), (d2 * d2).mean()
    m2, m3, m4 = central.T
    return DayStats(
        mean=mean,
        std=np.sqrt(m2),
        skewness=m3 / m2**1.5,
        kurtosis=m4 / m2**2 - 3.0,
        p_up=np.count_nonzero(values > last_price, axis=1) / n,
        quantiles=np.percentile(values, LEVELS, axis=1).T,
    )


def time_numpy(m: NumpyModel, n: int, chunk: int, last_price: float, seed: int, repeat: int,
               family: tuple[str, dict[str, float]]) -> Timing:
    seconds: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        stats = numpy_paths(m, n, chunk, last_price, seed, family)
        seconds.append(time.perf_counter() - start)
    return Timing("numpy (float32, vectorised over paths)", n, seconds,
                  float(stats.mean[-1]), float(stats.std[-1]), float(stats.kurtosis[-1]))


def run_arabica(command: list[str]) -> dict[str, Any]:
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def arabica_timings(out: dict[str, Any]) -> list[Timing]:
    return [Timing(f"arabica {out['backend']} (C++)", r["paths"], r["seconds_each"], r["day_mean"][-1],
                   r["day_std"][-1], r["day_kurtosis"][-1], r.get("gpu")) for r in out["runs"]]


def std_error_of_std(std: float, kurtosis: float, n: int) -> float:
    """Large-sample standard error of the sample sd (excess kurtosis given)."""
    return std * math.sqrt((kurtosis + 2.0) / (4.0 * n))


def agreement(a: Timing, b: Timing, exact_mean: float, exact_std: float) -> tuple[list[str], bool]:
    """Table rows comparing the last day's mean and std of two runs and the exact values, as z-scores."""
    rows: list[str] = []
    ok = True
    for stat, va, vb, exact, se_a, se_b in (
        ("mean", a.mean, b.mean, exact_mean, a.std / math.sqrt(a.paths), b.std / math.sqrt(b.paths)),
        ("std", a.std, b.std, exact_std, std_error_of_std(a.std, a.kurtosis, a.paths),
         std_error_of_std(b.std, b.kurtosis, b.paths)),
    ):
        z = ((va - vb) / math.hypot(se_a, se_b), (va - exact) / se_a, (vb - exact) / se_b)
        ok &= all(abs(v) < Z_LIMIT for v in z)
        rows.append(f"| {a.paths:,} | {stat} | {va:.6f} | {vb:.6f} | {exact:.6f} | {se_a:.6f} "
                    f"| {z[0]:+.2f} | {z[1]:+.2f} | {z[2]:+.2f} |")
    return rows, ok


def blas_note() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        pools = f"threadpoolctl not installed; numpy built with {blas['name']} {blas['version']}"
    else:
        pools = "; ".join(f"{p['internal_api']} {p.get('version')} {p['num_threads']} threads"
                          f" ({p.get('threading_layer', '')} {p.get('architecture', '')})"
                          for p in threadpool_info()) or "no native thread pools loaded"
    env = ", ".join(f"{k}={os.environ.get(k, 'unset')}"
                    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"))
    return f"numpy {np.__version__}: {pools}; {env}"


def shown(arg: str) -> str:
    """A path inside the checkout relative to it, so the command reads as run from there."""
    path = Path(arg)
    return str(path.relative_to(REPO)) if path.is_absolute() and path.is_relative_to(REPO) else arg


def render(numpy_runs: list[Timing], arabica_runs: list[Timing], checks: list[str], agree: bool,
           out: dict[str, Any], horizon: int, chunk: int, repeat: int, load: tuple[float, float],
           commands: tuple[str, str]) -> str:
    gpu = any(t.gpu for t in arabica_runs)
    lines = [
        "# Monte Carlo throughput benchmark",
        "",
        f"{out['spec']}, 5 exog ({', '.join(EXOG)}) fitted once (untimed) on {out['rows']} rows of "
        f"`{Path(out['csv']).name}` (cutoff {out['data_cutoff_date']}, last price {out['last_price']:g}); "
        f"{horizon}-day float32 price paths from the filtered end state with {out['innovations']} shocks "
        "(shape fitted to the residuals) and repeat-last "
        "future exog, then per-day mean, std, skewness, kurtosis, 9 exact percentiles and P(up). "
        f"Median of {repeat} runs per path count, both implementations in the same run; "
        "a path-step is one path advanced one day.",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {cpu_name()} ({os.cpu_count()} CPUs), "
        f"Python {platform.python_version()}; load average {load[0]:.2f} at start, {load[1]:.2f} at end "
        "(the latter includes this run's own work; the machine may be shared, so treat small differences "
        "as noise).",
        f"numpy runs single-threaded except the small k x k matmul ({blas_note()}), "
        "drawing the same family with numpy's own generators, "
        f"in chunks of {chunk:,} paths; arabica used {out['backend']}.",
        "",
        "| implementation | paths | median s | path-steps/s | speed-up vs numpy |"
        + (" % of DRAM roof | % of instruction roof |" if gpu else ""),
        "|---|---:|---:|---:|---:|" + ("---:|---:|" if gpu else ""),
    ]
    baseline = {t.paths: t.median for t in numpy_runs}
    for t in sorted(numpy_runs + arabica_runs, key=lambda t: (t.paths, t.implementation.startswith("arabica"))):
        row = (f"| {t.implementation} | {t.paths:,} | {t.median:.4f} | {t.rate(horizon):.3e} "
               f"| {baseline[t.paths] / t.median:.2f}x |")
        if gpu:
            row += (f" {t.gpu['percent_of_dram_roof']:.1f}% | {t.gpu['percent_of_instruction_roof']:.1f}% |"
                    if t.gpu else " | |")
        lines.append(row)
    lines += [
        "",
        f"Day-{horizon} agreement (a: numpy, b: arabica; exact: statsmodels' Kalman forecast, which the path "
        f"distribution equals). z-scores use each estimate's Monte Carlo standard error; |z| < {Z_LIMIT:g} "
        f"counts as agreement: **{'agree' if agree else 'DISAGREE'}**.",
        "",
        "| paths | statistic | numpy | arabica | exact | MC s.e. (each) | z (a - b) | z (a - exact) | z (b - exact) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
        *checks,
        "",
    ]
    if gpu:
        lines.append("GPU roofs (bench/H200_MODEL.md): DRAM, peak bandwidth / 12 bytes per path-step; "
                     "instruction issue, 4 x 32 thread-instructions per SM per clock / 190 instructions per "
                     "path-step.")
    else:
        lines.append("GPU: no CUDA device was available to this run, so there is no GPU figure yet. On a CUDA "
                     "build with a device, `build/bench/bench_paths --device cuda` (or this script with "
                     "`--device cuda`) times the CUDA backend and reports its throughput against the DRAM "
                     "and instruction roofs of bench/H200_MODEL.md.")
    lines += ["", "Commands:", "", "```", *commands, "```"]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, help="price CSV (default: shared coffee file, else synthetic demo data)")
    parser.add_argument("--paths", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--horizon", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=1_000_000, help="numpy paths per chunk")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="arabica backend")
    parser.add_argument("--threads", type=int, default=1,
                        help="arabica CPU threads (default 1: per core, as numpy; 0: all cores)")
    parser.add_argument("--innovations", choices=("normal", "student_t", "skew_t"), default="normal")
    parser.add_argument("--bench-exe", type=Path, default=REPO / "build" / "bench" / "bench_paths")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "paths.md")
    args = parser.parse_args(argv)

    csv = args.csv or (COFFEE if COFFEE.exists() else None)
    if csv is None:
        csv = REPO / "out" / "bench" / "demo_prices.csv"
        csv.parent.mkdir(parents=True, exist_ok=True)
        simulate(2500, seed=20150102).to_csv(csv, index=False, float_format="%.6g")
    if not args.bench_exe.exists():
        parser.error(f"{args.bench_exe} not found: build first (scripts/build)")
    data = DataSpec(csv=str(csv), exog=EXOG)

    load_start = os.getloadavg()[0]
    command = [str(args.bench_exe), "--csv", str(csv), "--exog", ",".join(EXOG), "--horizon", str(args.horizon),
               "--paths", ",".join(map(str, args.paths)), "--repeat", str(args.repeat), "--seed", str(args.seed),
               "--device", args.device, "--threads", str(args.threads), "--innovations", args.innovations]
    # arabica first: its JSON carries the fitted parameters numpy simulates with.
    out = run_arabica(command)
    model = numpy_model(data, out, args.horizon)
    family = parse_family(out["innovations"])
    numpy_runs = [time_numpy(model, n, args.chunk, out["last_price"], args.seed, args.repeat, family)
                  for n in args.paths]
    arabica_runs = arabica_timings(out)
    load_end = os.getloadavg()[0]

    checks: list[str] = []
    agree = True
    for a, b in zip(numpy_runs, arabica_runs):
        rows, ok = agreement(a, b, float(model.exact_mean[-1]), float(model.exact_std[-1]))
        checks += rows
        agree &= ok
    commands = (shlex.join(map(shown, [sys.executable, *sys.argv])), shlex.join(map(shown, command)))
    report = render(numpy_runs, arabica_runs, checks, agree, out, args.horizon, args.chunk, args.repeat,
                    (load_start, load_end), commands)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
