#!/usr/bin/env python3
"""SARIMAX(1,1,1) + 5 exog fit time: statsmodels vs arabica, in one run.

Times, on the same rows and with the same number of repeats:
  * statsmodels' legacy call  SARIMAX(...).fit(disp=False);
  * statsmodels with the reference's tight settings (scripts/sarimax_reference.py);
  * build/bench/bench_fit (arabica's fit_sarimax).
Prints a markdown table and writes it to bench/results/fit.md. Data: the
shared coffee file when present, else the demo generator's synthetic prices.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from make_demo_data import EXOG, simulate  # noqa: E402  (the demo data uses the coffee columns)
from sarimax_reference import TIGHT_FIT, DataSpec, ModelSpec, build_model, load_data  # noqa: E402

COFFEE = REPO.parent / "shared" / "data" / "coffee_kc_daily_features_2015_2024.csv"


@dataclass
class Timing:
    implementation: str
    seconds: list[float]
    llf: float
    converged: bool

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def time_statsmodels(data: DataSpec, label: str, repeat: int, fit_kwargs: dict[str, Any]) -> Timing:
    loaded = load_data(data)
    seconds: list[float] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy call warns when it stops at maxiter
        for _ in range(repeat):
            start = time.perf_counter()
            result = build_model(loaded, ModelSpec()).fit(disp=False, **fit_kwargs)
            seconds.append(time.perf_counter() - start)
    return Timing(label, seconds, float(result.llf), bool(result.mle_retvals["converged"]))


def time_arabica(exe: Path, data: DataSpec, repeat: int) -> Timing:
    command = [str(exe), "--csv", data.csv, "--date-column", data.date_column, "--target", data.target,
               "--exog", ",".join(data.exog), "--order", "1,1,1", "--rows", str(data.head), "--repeat", str(repeat)]
    out = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return Timing("arabica fit_sarimax (C++)", out["seconds"], out["llf"], out["converged"])


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def render(timings: list[Timing], data: DataSpec, rows: int, repeat: int) -> str:
    baseline, tight = timings[0].median, timings[1].median
    lines = [
        "# SARIMAX fit benchmark",
        "",
        f"SARIMAX(1,1,1), trend n, 5 exog ({', '.join(data.exog)}); first {rows} rows of "
        f"`{Path(data.csv).name}`; median of {repeat} fits each, one process per implementation, same run.",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {cpu_name()} ({os.cpu_count()} CPUs), "
        f"Python {platform.python_version()}; load average at start {os.getloadavg()[0]:.2f} "
        "(the machine may be shared, so treat small differences as noise).",
        "",
        "| implementation | median s/fit | llf | converged | speedup vs statsmodels fit(disp=False) "
        "| speedup vs statsmodels tight |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for t in timings:
        lines.append(f"| {t.implementation} | {t.median:.4f} | {t.llf:.6f} | {t.converged} "
                     f"| {baseline / t.median:.2f}x | {tight / t.median:.2f}x |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, help="price CSV (default: shared coffee file, else synthetic demo data)")
    parser.add_argument("--rows", type=int, default=2500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--bench-exe", type=Path, default=REPO / "build" / "bench" / "bench_fit")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "fit.md")
    args = parser.parse_args(argv)

    csv = args.csv or (COFFEE if COFFEE.exists() else None)
    if csv is None:
        csv = REPO / "out" / "bench" / "demo_prices.csv"
        csv.parent.mkdir(parents=True, exist_ok=True)
        simulate(args.rows, seed=20150102).to_csv(csv, index=False, float_format="%.6g")
    if not args.bench_exe.exists():
        parser.error(f"{args.bench_exe} not found: build first (scripts/setup --no-demo)")

    data = DataSpec(csv=str(csv), exog=EXOG, head=args.rows)
    timings = [
        time_statsmodels(data, "statsmodels fit(disp=False) (legacy default)", args.repeat, {}),
        time_statsmodels(data, "statsmodels tight (reference settings)", args.repeat, dict(TIGHT_FIT)),
        time_arabica(args.bench_exe, data, args.repeat),
    ]
    table = render(timings, data, len(load_data(data).endog), args.repeat)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table)
    print(table)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
