#!/usr/bin/env python3
"""`arabica.cross_validation` against statsforecast's `cross_validation` and
the `arabica backfill` command on the same folds, in one run (issue 18).

The coffee case: KC close with the 5 weather/FX covariates (missing cells
filled forward, then back, on both sides), SARIMAX(1,1,1) + exog by exact
ML refitted at every fold, h = 7, the last --windows cutoffs one row apart
(statsforecast's n_windows, step_size 1), covariates over the horizon as
statsforecast takes them (the realised rows: --future-exog realized).

  * statsforecast: `StatsForecast([ARIMA(order=(1,1,1), method="ML")],
    freq=1, n_jobs=1).cross_validation(df, h=7, n_windows=N, step_size=1,
    level=[95])` on an integer time index (trading days); numba compiled by
    a one-window run before the clock starts;
  * arabica (Python): `arabica.cross_validation(df, h=7, n_windows=N,
    models=["sarimax"], n_paths=2000, future_exog="realized")`, one thread
    and all cores; it also simulates 2,000 paths per fold and writes the
    resumable store, which statsforecast does not;
  * arabica (CLI): `arabica backfill` on the frame written as CSV, the same
    plan, one thread; its store is checked equal to the Python call's.

Wall times include reading the frame's store back into the returned frame
(arabica) and building the output frame (statsforecast). Writes
bench/results/python_cv.md.

    PYTHONPATH=build/python .venv/bin/python bench/run_python_cv_bench.py [--windows 250]
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "bench"))

import arabica  # noqa: E402
from compare_backfills import compare  # noqa: E402
from run_fit_bench import COFFEE, cpu_name  # noqa: E402

EXOG = ["wx_temperature_2m_max_wavg", "wx_precipitation_sum_wavg", "wx_wind_speed_10m_max_wavg",
        "brl_usd", "inr_usd"]


def coffee_frame() -> pd.DataFrame:
    data = pd.read_csv(COFFEE, parse_dates=["date"], float_precision="round_trip")
    frame = pd.DataFrame({"unique_id": "KC", "ds": data["date"], "y": data["close"]})
    for column in EXOG:
        frame[column] = data[column].ffill().bfill()
    return frame


def time_statsforecast(df: pd.DataFrame, windows: int) -> tuple[float, pd.DataFrame] | None:
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import ARIMA
    except ImportError:
        return None
    frame = df.assign(ds=np.arange(len(df)))  # trading days as an integer index
    forecaster = StatsForecast(models=[ARIMA(order=(1, 1, 1), method="ML")], freq=1, n_jobs=1)
    forecaster.cross_validation(df=frame, h=7, n_windows=1, step_size=1, level=[95])  # numba, not timed
    start = time.perf_counter()
    cv = forecaster.cross_validation(df=frame, h=7, n_windows=windows, step_size=1, level=[95])
    return time.perf_counter() - start, cv


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--windows", type=int, default=250)
    parser.add_argument("--arabica", default=str(REPO / "build" / "arabica"))
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "python_cv.md"))
    args = parser.parse_args()
    if not COFFEE.is_file():
        print(f"skipped: {COFFEE} absent")
        return 77
    df = coffee_frame()
    load_before = os.getloadavg()
    plan = dict(h=7, n_windows=args.windows, step_size=1, models=["sarimax"], n_paths=2000,
                future_exog="realized")
    rows = []
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        timings = {}
        for threads in (1, 0):
            start = time.perf_counter()
            cv = arabica.cross_validation(df, threads=threads, store_path=work / f"py{threads}.h5", **plan)
            timings[threads] = time.perf_counter() - start
        dates = np.sort(df.ds.to_numpy())
        first, last = len(dates) - 8 - (args.windows - 1), len(dates) - 8
        df.to_csv(work / "kc.csv", index=False, date_format="%Y-%m-%d")
        command = [args.arabica, "backfill", "--csv", str(work / "kc.csv"), "--date-column", "ds",
                   "--target", "y", "--series", "KC", "--exog", ",".join(EXOG),
                   "--start", str(dates[first])[:10], "--end", str(dates[last])[:10], "--min-train-rows", "1",
                   "--model", "sarimax", "--paths", "2000", "--future-exog", "realized", "--threads", "1",
                   "--quiet", "--out", str(work / "cli.h5")]
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cli_seconds = time.perf_counter() - start
        same = not [d for d in compare(str(work / "cli.h5"), str(work / "py1.h5"), "/", "KC")
                    if not d.startswith(("attribute config", "attribute source", "attribute series"))]
        sf = time_statsforecast(df, args.windows)
    load_after = os.getloadavg()
    folds = args.windows
    lines = ["# `arabica.cross_validation` vs statsforecast's `cross_validation` and the CLI", "",
             f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {cpu_name()} "
             f"({os.cpu_count()} cores), Python {platform.python_version()}; load average "
             f"{load_before[0]:.2f} before, {load_after[0]:.2f} after. Coffee KC close + 5 covariates, "
             f"SARIMAX(1,1,1) + exog by ML refitted at each of {folds} folds (the last {folds} cutoffs, "
             "step 1), h = 7, realised covariates over the horizon.", "",
             "Command: `PYTHONPATH=build/python .venv/bin/python bench/run_python_cv_bench.py "
             f"--windows {args.windows}`", "",
             "| run | wall s | folds/s | vs statsforecast |", "|---|---:|---:|---:|"]

    def row(name: str, seconds: float) -> str:
        ratio = f"{sf[0] / seconds:.1f}x" if sf else "n/a"
        return f"| {name} | {seconds:.2f} | {folds / seconds:.1f} | {ratio} |"
    if sf:
        lines.append(row("statsforecast `cross_validation`, ARIMA ML, 1 process (forecast only)", sf[0]))
    lines.append(row("arabica.cross_validation, 1 thread (+ 2,000 paths/fold, CRPS, store)", timings[1]))
    lines.append(row(f"arabica.cross_validation, all {os.cpu_count()} cores", timings[0]))
    lines.append(row("arabica backfill (CLI), 1 thread, same plan", cli_seconds))
    lines += ["", f"The Python call's store equals the CLI's, fold for fold: {'yes' if same else 'NO'}."]
    if sf:
        merged = sf[1].reset_index(drop=True)
        ours = cv.reset_index(drop=True)
        if len(merged) == len(ours):
            gap = np.abs(merged["ARIMA"].to_numpy() - ours["sarimax(1,1,1)"].to_numpy())
            lines.append(f"Point forecasts, arabica vs statsforecast: median |difference| {np.median(gap):.4f}, "
                         f"max {gap.max():.3f} USc/lb (two ML optimisers; arabica matches statsmodels).")
        lines.append(f"Per core, arabica.cross_validation is {sf[0] / timings[1]:.1f}x statsforecast on "
                     "the same folds, while also simulating and storing 2,000 paths per fold.")
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text)
    print(text)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
