#!/usr/bin/env python3
"""plan_independence.py ARABICA DATA_DIR WORKDIR

The fit for a cutoff is a function of the data and the spec only (issue 13
item 2): on the canonical coffee file, SARIMAX(1,1,1) + 5 exog, every cutoff
of a weekly plan has the same llf (1e-9 relative) and parameters as the same
cutoff in a daily (every_row) plan and an every-7-rows plan. Dates bounded so
the three backfills take seconds; they include cutoffs where warm starts from
the chain used to move the daily plan to another optimum. Exits 77 (skipped)
without the data.
"""
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np

EXOG = "wx_temperature_2m_max_wavg,wx_precipitation_sum_wavg,wx_wind_speed_10m_max_wavg,brl_usd,inr_usd"
START, END = "2022-03-01", "2022-06-30"
PLANS = {"weekly": ["--schedule", "weekly"],
         "daily": ["--schedule", "every_row"],
         "every_7_rows": ["--schedule", "every_n_rows", "--step-rows", "7"]}


def fits(h5_path: Path) -> dict:
    with h5py.File(h5_path, "r") as h5:
        cutoffs = h5["cutoff"][()]
        llf, params, status = h5["llf"][0], h5["params"][0], h5["status"][0]
        return {int(c): (float(l), p.copy()) for c, l, p, s in zip(cutoffs, llf, params, status) if s == 1}


def main() -> int:
    arabica, data_dir, work = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    csv = data_dir / "coffee_kc_daily_features_2015_2024.csv"
    if not csv.is_file():
        print(f"skipped: no {csv}")
        return 77
    work.mkdir(parents=True, exist_ok=True)
    by_plan = {}
    for name, schedule in PLANS.items():
        out = work / f"{name}.h5"
        out.unlink(missing_ok=True)
        subprocess.run([arabica, "backfill", "--csv", str(csv), "--exog", EXOG, "--start", START,
                        "--end", END, *schedule, "--model", "sarimax", "--paths", "100", "--quiet",
                        "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
        by_plan[name] = fits(out)
    weekly = by_plan["weekly"]
    failures = []
    if len(weekly) < 10:
        failures.append(f"only {len(weekly)} trained weekly folds")
    if not set(weekly) <= set(by_plan["daily"]):
        failures.append("the daily plan lacks weekly cutoffs")
    for a, b in (("weekly", "daily"), ("every_7_rows", "daily"), ("weekly", "every_7_rows")):
        common = sorted(set(by_plan[a]) & set(by_plan[b]))
        for c in common:
            (l_a, p_a), (l_b, p_b) = by_plan[a][c], by_plan[b][c]
            if abs(l_a - l_b) > 1e-9 * abs(l_a) or not np.allclose(p_a, p_b, rtol=1e-6, atol=1e-9):
                date = np.datetime64("1970-01-01") + np.timedelta64(c, "D")
                failures.append(f"{date}: {a} llf {l_a:.9f} params {p_a} vs {b} {l_b:.9f} {p_b}")
        print(f"{a} vs {b}: {len(common)} shared cutoffs")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
