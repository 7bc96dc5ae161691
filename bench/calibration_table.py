#!/usr/bin/env python3
"""Markdown table of the path calibration of every model in a backfill store
(bench/results/calibration_*.md): directional accuracy, RMSE, the Kalman
interval's coverage (gauss95), the paths' central-interval coverage at 50, 80,
90 and 95% and the PIT's KS distance, CRPS and its skill against naive, the
Winkler score of the paths' 95% interval, the 95% VaR's exceedance rate on
the last day and its Kupiec p-value; one table per series of a universe store
(and its pooled scores).

    .venv/bin/python bench/calibration_table.py calibration.h5 > table.md
"""
from __future__ import annotations

import argparse
import json

import h5py


def table(group: h5py.Group, crps_units: str) -> str:
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in group["model"][()]]
    rows = ["| model | dir.acc | rmse | gauss95 | path50 | path80 | path90 | path95 | pit_ks | "
            f"crps ({crps_units}) | crps skill | winkler95 | var95 exc. | kupiec p |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for m, name in enumerate(names):
        def overall(variable: str, digits: int = 3) -> str:
            value = float(group[variable + "_overall"][m])
            return "-" if value != value else f"{value:.{digits}f}"
        rows.append(f"| {name} | {overall('directional_accuracy', 4)} | {overall('rmse', 4)} | "
                    f"{overall('coverage_95')} | {overall('path_coverage_50')} | "
                    f"{overall('path_coverage_80')} | {overall('path_coverage_90')} | "
                    f"{overall('path_coverage_95')} | {overall('pit_ks')} | {overall('mean_crps', 4)} | "
                    f"{overall('crps_skill', 4)} | {overall('winkler_95', 3)} | "
                    f"{overall('var_95_exceedance')} | {overall('var_95_kupiec_p')} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store")
    args = parser.parse_args()
    with h5py.File(args.store, "r") as f:
        if "series" in f.attrs:  # a universe: one group per series, and the pooled scores
            for name in json.loads(f.attrs["series"]):
                group = f[name]
                units = group["crps"].attrs.get("units", "1")
                folds = int(group["fold_complete"][()].sum())
                print(f"### {name} ({folds} folds, {units})\n\n{table(group, units)}\n")
            print("### pooled (CRPS as a fraction of the cutoff price)\n\n"
                  f"{table(f['pooled'], 'fraction')}")
        else:
            print(table(f, f["crps"].attrs.get("units", "1")))


if __name__ == "__main__":
    main()
