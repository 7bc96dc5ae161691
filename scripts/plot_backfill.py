#!/usr/bin/env python3
"""Calibration plots of an `arabica backfill` store, one model at a time:

  fan.png          the path quantiles for one day ahead across the cutoffs
                   (p1-p99, p5-p95, p25-p75 bands, median, Kalman mean) with
                   the realised prices;
  pit.png          a PIT histogram over the stored quantile levels: the share
                   of realised prices between consecutive levels, divided by
                   the share expected (1 everywhere when calibrated);
  reliability.png  P(up) against the observed frequency of the price ending
                   above the cutoff price, in equal-width bins (ties left out,
                   as in the directional accuracy).

    scripts/plot_backfill.py backfill.h5 --out-dir plots/ [--model NAME] [--day-ahead H]

The numbers behind pit.png and reliability.png go to calibration.json.
Needs matplotlib (scripts/setup installs it).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

import numpy as np
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from arabica_store import FAILED, open_backfill  # noqa: E402


def scored(ds: xr.Dataset, model: str) -> xr.Dataset:
    """The model's folds that have forecasts (its fit did not fail)."""
    one = ds.sel(model=model)
    return one.isel(cutoff=np.flatnonzero(one.status.values != FAILED))


def pit_bins(one: xr.Dataset) -> dict:
    """Counts of realised prices between consecutive quantile levels (the
    bins below the lowest and above the highest included), over every
    (cutoff, day ahead) whose price is known."""
    levels = one["q"].values
    quantiles = one.quantiles.values.reshape(-1, levels.size)
    actual = one.actual.values.ravel()
    known = np.isfinite(actual)
    bins = np.array([np.searchsorted(q, y, side="right") for q, y in zip(quantiles[known], actual[known])], dtype=int)
    counts = np.bincount(bins, minlength=levels.size + 1)
    expected = np.diff(np.concatenate(([0.0], levels, [1.0])))
    n = int(known.sum())
    return {"edges": [0.0, *levels.tolist(), 1.0], "counts": counts.tolist(), "expected_share": expected.tolist(),
            "observed_over_expected": (counts / max(n, 1) / expected).tolist(), "n": n}


def reliability_bins(one: xr.Dataset, bins: int = 10) -> dict:
    """P(up) forecasts in equal-width bins against the observed frequency of
    actual > cutoff price; ties and unknown prices left out."""
    p_up = one.p_up.values.ravel()
    actual = one.actual.values.ravel()
    last = np.repeat(one.last_price.values, one.sizes["day_ahead"])
    keep = np.isfinite(actual) & np.isfinite(p_up) & (actual != last)
    p, up = p_up[keep], (actual[keep] > last[keep]).astype(float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore"):
        mean_forecast = np.bincount(which, weights=p, minlength=bins) / counts
        observed = np.bincount(which, weights=up, minlength=bins) / counts
    as_list = lambda a: [None if not np.isfinite(x) else float(x) for x in a]  # noqa: E731
    return {"edges": np.linspace(0.0, 1.0, bins + 1).tolist(), "counts": counts.tolist(),
            "mean_forecast": as_list(mean_forecast), "observed_frequency": as_list(observed), "n": int(keep.sum())}


def plot(one: xr.Dataset, model: str, day_ahead: int, pit: dict, reliability: dict, out_dir: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    day = one.sel(day_ahead=day_ahead)
    dates = day.forecast_date.values
    q = day.quantiles.sel
    fig, ax = plt.subplots(figsize=(11, 4.5))
    for lo, hi, alpha in ((0.01, 0.99, 0.15), (0.05, 0.95, 0.25), (0.25, 0.75, 0.4)):
        ax.fill_between(dates, q(q=lo, method="nearest"), q(q=hi, method="nearest"), alpha=alpha,
                        color="tab:blue", linewidth=0, label=f"p{round(lo * 100)}-p{round(hi * 100)}")
    ax.plot(dates, q(q=0.5, method="nearest"), color="tab:blue", linewidth=1, label="median")
    ax.plot(dates, day.forecast_mean, color="black", linewidth=0.8, linestyle="--", label="Kalman mean")
    ax.plot(dates, day.actual, "o", color="tab:red", markersize=2.5, label="realised")
    ax.set_title(f"{model}: {day_ahead}-day-ahead path quantiles by forecast date")
    ax.set_ylabel("price")
    ax.legend(loc="upper left", fontsize=8, ncol=3)
    fig.tight_layout()
    fig.savefig(out_dir / "fan.png", dpi=120)
    plt.close(fig)

    edges = np.array(pit["edges"])
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(edges[:-1], pit["observed_over_expected"], width=np.diff(edges), align="edge", edgecolor="white")
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xlabel("quantile level of the realised price")
    ax.set_ylabel("observed / expected share")
    ax.set_title(f"{model}: PIT over quantile bins (n = {pit['n']})")
    fig.tight_layout()
    fig.savefig(out_dir / "pit.png", dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="black", linewidth=0.8)
    shown = [(f, o, c) for f, o, c in zip(reliability["mean_forecast"], reliability["observed_frequency"],
                                           reliability["counts"]) if c]
    if shown:
        f, o, c = map(np.array, zip(*shown))
        ax.scatter(f, o, s=10 + 200 * c / c.max())
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("forecast P(up)")
    ax.set_ylabel("observed frequency of up")
    ax.set_title(f"{model}: reliability (n = {reliability['n']})")
    fig.tight_layout()
    fig.savefig(out_dir / "reliability.png", dpi=120)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store")
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--model", help="a model of the store (default: the first)")
    parser.add_argument("--day-ahead", type=int, help="day of the fan chart (default: the horizon)")
    args = parser.parse_args(argv)
    if not Path(args.store).is_file():
        parser.error(f"{args.store}: no such file")
    with open_backfill(args.store) as ds:
        models = [str(m) for m in ds.model.values]
        model = args.model or models[0]
        if model not in models:
            parser.error(f"--model: '{model}' is not in the store (it has {', '.join(models)})")
        days = ds.day_ahead.values.tolist()
        day_ahead = args.day_ahead or days[-1]
        if day_ahead not in days:
            parser.error(f"--day-ahead: {day_ahead} outside 1..{days[-1]}")
        one = scored(ds, model).load()
    if one.sizes["cutoff"] == 0:
        parser.error(f"{args.store}: no committed fold of '{model}' to plot")
    pit, reliability = pit_bins(one), reliability_bins(one)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    plot(one, model, day_ahead, pit, reliability, args.out_dir)
    (args.out_dir / "calibration.json").write_text(
        json.dumps({"model": model, "pit": pit, "reliability": reliability}, indent=1) + "\n")
    print(f"wrote fan.png, pit.png, reliability.png, calibration.json to {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
