#!/usr/bin/env python3
"""Fit time over the outside reference set: statsmodels vs arabica, in one run.

For every case of tests/data/golden/sarimax_reference_set.json, on one core
each and with the same number of repeats (median):
  * statsmodels' default call  SARIMAX(...).fit(disp=False);
  * statsmodels' tight fit (L-BFGS pgtol 1e-10, then BFGS gtol 1e-9, as
    scripts/make_reference_set.py);
  * build/bench/bench_reference_fits (arabica's fit_sarimax).
Writes a markdown table (per case and summary ratios) to
bench/results/fit_reference.md.

    .venv/bin/python bench/run_reference_fit_bench.py [--repeat 3] [--only NAME,...]
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
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core each side
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from make_reference_set import case_from  # noqa: E402

REFERENCE_SET = REPO / "tests" / "data" / "golden" / "sarimax_reference_set.json"


def timed(fit, repeat: int) -> tuple[float, float]:
    """Median seconds and llf; NaN when statsmodels raises (its default start
    fails on some Stata-grid cases: "LU decomposition error")."""
    seconds, llf = [], float("nan")
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = fit()
        except Exception:  # noqa: BLE001 - recorded as a failed fit
            return float("nan"), float("nan")
        seconds.append(time.perf_counter() - start)
        llf = float(result.llf)
    return statistics.median(seconds), llf


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=REPO / "build")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="comma separated case names")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "fit_reference.md")
    args = parser.parse_args(argv)

    items = json.loads(REFERENCE_SET.read_text())
    wanted = {n for n in args.only.split(",") if n}
    if wanted:
        items = [i for i in items if i["name"] in wanted]
    load_before = os.getloadavg()[0]
    binary = args.build / "bench" / "bench_reference_fits"
    ours = {r["name"]: r for r in json.loads(subprocess.run(
        [str(binary), "--repeat", str(args.repeat)], check=True, capture_output=True, text=True).stdout)}

    rows = []
    for item in items:
        case = case_from(item)
        model = case.model()
        default_s, default_llf = timed(lambda: model.fit(disp=False), args.repeat)
        tight_s, tight_llf = timed(lambda: model.fit(
            start_params=model.fit(method="lbfgs", maxiter=5000, disp=False, pgtol=1e-10, factr=10.0).params,
            method="bfgs", maxiter=5000, disp=False, gtol=1e-9), args.repeat)
        a = ours[item["name"]]
        rows.append({"name": item["name"], "spec": a["spec"], "rows": a["rows"], "states": a["states"],
                     "seasonal": item["spec"]["seasonal_order"][3] > 0,
                     "arabica_s": a["median_seconds"], "arabica_llf": a["llf"],
                     "default_s": default_s, "default_llf": default_llf,
                     "tight_s": tight_s, "tight_llf": tight_llf})
        r = rows[-1]
        print(f"{r['name']}: arabica {r['arabica_s'] * 1e3:.1f} ms, statsmodels default "  # NaN: failed
              f"{default_s * 1e3:.1f} ms ({default_s / r['arabica_s']:.1f}x), tight {tight_s * 1e3:.1f} ms "
              f"({tight_s / r['arabica_s']:.1f}x)", file=sys.stderr)
    load_after = os.getloadavg()[0]

    def ratios(key: str, subset: list[dict[str, Any]]) -> list[float]:
        return [r[key] / r["arabica_s"] for r in subset if np.isfinite(r[key])]

    seasonal = [r for r in rows if r["seasonal"]]
    lines = [
        "# Fit time over the outside reference set",
        "",
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load_before:.2f} before / {load_after:.2f} after; "
        f"one core each side, median of {args.repeat}. Command: "
        "`.venv/bin/python bench/run_reference_fit_bench.py`.",
        "",
        "| cases | speed-up vs statsmodels default: median | min | max | vs statsmodels tight: median | min | statsmodels failed (default / tight) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, subset in (("all", rows), ("seasonal", seasonal), ("non-seasonal", [r for r in rows if not r["seasonal"]])):
        if not subset:
            continue
        d, t = ratios("default_s", subset), ratios("tight_s", subset)
        failed = f"{len(subset) - len(d)} / {len(subset) - len(t)}"
        lines.append(f"| {label} ({len(subset)}) | {statistics.median(d):.1f}x | {min(d):.2f}x | {max(d):.1f}x | "
                     f"{statistics.median(t):.1f}x | {min(t):.2f}x | {failed} |")
    lines += ["", "| case | spec | rows | states | arabica ms | default ms | tight ms | arabica llf - default llf |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['name']} | {r['spec']} | {r['rows']} | {r['states']} | {r['arabica_s'] * 1e3:.1f} | "
                     f"{r['default_s'] * 1e3:.1f} | {r['tight_s'] * 1e3:.1f} | {r['arabica_llf'] - r['default_llf']:.3g} |")
    text = "\n".join(lines) + "\n"
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
