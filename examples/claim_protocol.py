#!/usr/bin/env python3
"""The design documents' claim, rerun honestly (issue #17).

The documents claim 54.95% directional accuracy for SARIMAX(1,1,1) on
coffee (p = 0.0003, 1,204 predictions, 172 folds, Dec 2020 - Oct 2025):
7-day forecasts from cutoffs every 7 rows, scored with a plain binomial
test. This runs that protocol on the softs file's coffee series (kc_close)
for every phase of the 7-row grid (--phase 0..6: the grid moved by one row
at a time), SARIMAX(1,1,1) and the naive forecast, and prints per phase the
directional accuracy with the binomial p-value the claim used, the tests
that respect the 7-day overlap (moving-block bootstrap 95% interval, HAC
p-value), the always-up baseline and the Diebold-Mariano p-values against
naive; then the spread of the accuracy across phases.

    .venv/bin/python examples/claim_protocol.py [--out-dir claim] [--threads 0]

Run from the repository root with ../shared beside it and build/arabica
built (scripts/setup). The table is in bench/results/claim_protocol.md.
"""
from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys

import h5py
import numpy as np

DATA = "../shared/data/softs_coffee_sugar_soy_daily_2007_2026.csv"
STEP = 7


def run_phase(arabica: str, out: pathlib.Path, phase: int | str, threads: int) -> str:
    out.unlink(missing_ok=True)
    return subprocess.run([arabica, "backfill", "--csv", DATA, "--target", "kc_close", "--units", "USc/lb",
                    "--missing", "drop", "--order", "1,1,1", "--model", "sarimax,naive",
                    "--start", "2020-12-01", "--end", "2025-10-31",
                    "--schedule", "every_n_rows", "--step-rows", str(STEP), "--phase", str(phase),
                    "--min-train-rows", "1500", "--horizon", "7", "--refit", "every_fold",
                    "--paths", "2000", "--seed", "1", "--threads", str(threads),
                    "--out", str(out), "--quiet"], check=True, stdout=subprocess.PIPE, text=True).stdout


def overall(f: h5py.File, name: str, m: int = 0) -> float:
    return float(f[name + "_overall"][m])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arabica", default="build/arabica")
    parser.add_argument("--out-dir", default="claim")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--check", action="store_true",
                        help="also check that the phases' cutoffs are every row once and that one "
                             "--phase all run scores each phase alike (ctest)")
    args = parser.parse_args()
    if not pathlib.Path(DATA).exists():
        print(f"skip: {DATA} is not here (../shared beside the repository)")
        return 77
    out_dir = pathlib.Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    print("| phase | folds | n | dir.acc | binomial p | block 95% CI | HAC p | always up | "
          "DM p (MSE) | DM p (CRPS) | rmse vs naive |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    accuracies, cutoffs = [], []
    for phase in range(STEP):
        store = out_dir / f"claim_phase_{phase}.h5"
        run_phase(args.arabica, store, phase, args.threads)
        with h5py.File(store, "r") as f:
            folds = int(f["fold_complete"][()].sum())
            cutoffs.extend(int(c) for c in f["cutoff"][()])
            da = overall(f, "directional_accuracy")
            accuracies.append(da)
            print(f"| {phase} | {folds} | {int(overall(f, 'n_directional'))} | {da:.4f} | "
                  f"{overall(f, 'p_value'):.3g} | {overall(f, 'directional_ci_low'):.3f}-"
                  f"{overall(f, 'directional_ci_high'):.3f} | {overall(f, 'directional_hac_p'):.3g} | "
                  f"{overall(f, 'directional_always_up'):.4f} | {overall(f, 'dm_mse_p'):.3g} | "
                  f"{overall(f, 'dm_crps_p'):.3g} | {overall(f, 'rmse') / overall(f, 'rmse', 1):.3f} |")
    if args.check:  # the 7 grids together: every data row in the range, once
        import pandas as pd
        days = (pd.to_datetime(pd.read_csv(DATA, usecols=["date", "kc_close"]).dropna()["date"])
                .values.astype("datetime64[D]").astype(np.int64))
        expected = days[(days >= np.datetime64("2020-12-01", "D").astype(np.int64)) &
                        (days <= np.datetime64("2025-10-31", "D").astype(np.int64))]
        if sorted(cutoffs) != sorted(expected.tolist()):
            print(f"FAIL: the phases' {len(cutoffs)} cutoffs are not the {len(expected)} data rows")
            return 1
        # One run of every phase (--phase all) prints each phase's accuracy:
        # the same as the seven runs.
        printed = run_phase(args.arabica, out_dir / "claim_all_phases.h5", "all", args.threads)
        row = next(line.split() for line in printed.splitlines() if line.startswith("sarimax(1,1,1) ")
                   and len(line.split()) == 4 + STEP)
        if [float(v) for v in row[4:]] != [round(a, 4) for a in accuracies]:
            print(f"FAIL: --phase all printed {row[4:]}, the phases' runs {accuracies}")
            return 1
    a = np.array(accuracies)
    print(f"\nDirectional accuracy across the {STEP} phases: min {a.min():.4f}, max {a.max():.4f}, "
          f"mean {a.mean():.4f}, sd {a.std(ddof=1):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
