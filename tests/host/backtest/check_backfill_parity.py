#!/usr/bin/env python3
"""Compares an arabica backfill store with scripts/backfill_reference.py's
statsmodels + numpy run of the same protocol: same folds (plan hash and
cutoffs), forecasts within 1e-6 relative, and the same accuracy metrics.

    check_backfill_parity.py STORE.h5 REFERENCE.json [MODEL]
"""
from __future__ import annotations

import json
import sys

import h5py
import numpy as np

TOLERANCE = 1e-6


def relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.abs(b)))


def main(store: str, reference_path: str, model: str = "sarimax(1,1,1)") -> int:
    with open(reference_path) as f:
        ref = json.load(f)
    failures = []
    with h5py.File(store, "r") as h5:
        config = json.loads(h5.attrs["config"])
        if config["plan_hash"] != ref["plan_hash"]:
            failures.append(f"plan hash {config['plan_hash']} != reference {ref['plan_hash']}")
        models = [m.decode() if isinstance(m, bytes) else m for m in h5["model"][()]]
        m = models.index(model)
        cutoffs = np.datetime64("1970-01-01") + h5["cutoff"][()].astype("timedelta64[D]")
        ref_cutoffs = np.array([f["cutoff"] for f in ref["folds"]], dtype="datetime64[D]")
        if not np.array_equal(cutoffs, ref_cutoffs):
            failures.append("the folds' cutoffs differ")
        if not h5["fold_complete"][()].all() or (h5["status"][m] == 3).any():
            failures.append("the store has incomplete or failed folds")
        mean, std = h5["forecast_mean"][m], h5["forecast_std"][m]
        ref_mean = np.array([f["forecast_mean"] for f in ref["folds"]])
        ref_std = np.array([f["forecast_std"] for f in ref["folds"]])
        worst_mean, worst_std = relative(mean, ref_mean), relative(std, ref_std)
        print(f"{len(ref_cutoffs)} folds x {mean.shape[1]} days: forecast mean max rel diff "
              f"{worst_mean:.2e}, std {worst_std:.2e}")
        for name, worst in (("forecast_mean", worst_mean), ("forecast_std", worst_std)):
            if not worst <= TOLERANCE:
                failures.append(f"{name} differs by {worst:.2e} relative (> {TOLERANCE})")

        def compare(label, ours, theirs):
            d_ours, d_ref = ours["direction"], theirs["direction"]
            print(f"{label:>8}: directional accuracy {d_ours['hits']}/{d_ours['n']} vs "
                  f"{d_ref['hits']}/{d_ref['n']}, p {d_ours['p_value']:.6g} vs {d_ref['p_value']:.6g}, "
                  f"rmse {ours['rmse']:.8g} vs {theirs['rmse']:.8g}")
            if (d_ours["hits"], d_ours["n"], d_ours["ties"]) != (d_ref["hits"], d_ref["n"], d_ref["ties"]):
                failures.append(f"{label}: directional counts differ")
            for key in ("rmse", "mae", "mape"):
                if abs(ours[key] - theirs[key]) > TOLERANCE * abs(theirs[key]):
                    failures.append(f"{label}: {key} {ours[key]} != {theirs[key]}")
            if abs(d_ours["p_value"] - d_ref["p_value"]) > TOLERANCE * d_ref["p_value"]:
                failures.append(f"{label}: p-value {d_ours['p_value']} != {d_ref['p_value']}")
            if ours["coverage_95"] != theirs["coverage_95"]:
                failures.append(f"{label}: coverage {ours['coverage_95']} != {theirs['coverage_95']}")

        def stored(h: int | None):
            suffix = "_overall" if h is None else ""
            pick = (lambda v: float(h5[v + suffix][m])) if h is None else (lambda v: float(h5[v][m, h]))
            hits = round(pick("directional_accuracy") * pick("n_directional"))
            return {"direction": {"hits": hits, "n": round(pick("n_directional")),
                                  "ties": round(pick("directional_ties")), "p_value": pick("p_value")},
                    "rmse": pick("rmse"), "mae": pick("mae"), "mape": pick("mape"),
                    "coverage_95": pick("coverage_95")}

        for h, theirs in enumerate(ref["metrics_by_horizon"]):
            compare(f"day {h + 1}", stored(h), theirs)
        compare("pooled", stored(None), ref["metrics_overall"])
    for line in failures:
        print("FAIL:", line)
    if not failures:
        print("backfill matches the statsmodels + numpy protocol")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
