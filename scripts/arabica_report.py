#!/usr/bin/env python3
"""A report of an `arabica backfill` store: Markdown plus PNGs, every model of
the store in each figure.

    scripts/arabica_report.py backfill.h5 --out report/ [--models A,B] [--series KC]

writes into report/ (a universe store: one series, --series):

  report.md              the metrics table per model (directional accuracy with
                         ties, block CI and HAC p; RMSE, CRPS and skill against
                         naive; Gaussian and path coverage, PIT KS; pinball and
                         Winkler scores; 95% VaR exceedances with Kupiec's and
                         Christoffersen's p-values), then the figures;
  by_horizon.png         CRPS and the paths' 95% coverage by day ahead;
  rolling_coverage.png   the share of actuals inside the paths' 95% interval
                         over the last --rolling folds, by cutoff;
  pit.png                the PIT (the actual's rank among the paths, stored per
                         fold and day) in 10 uniform bins, with the 95% band of
                         a calibrated model's bin share;
  reliability.png        P(up) against the observed frequency of a rise, in 10
                         bins, each point labelled with its count;
  fan.png                the forward cone from the latest cutoff: the last
                         prices and each model's path quantiles (1-99, 5-95,
                         25-75%, median) over the horizon, in the series' units;
  report.json            the numbers behind the figures.

Scores are the ones `arabica backfill` stored; the figures are computed from the
stored per-fold values. Needs matplotlib (scripts/setup installs it). Bad
input: one line on stderr and exit 2; nothing in --out is replaced until every
file is written.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from arabica_store import FAILED, StoreError, open_backfill, open_store  # noqa: E402

PIT_BINS = 10
RELIABILITY_BINS = 10

# Two tables of stored overall scores: (column header, stored variable,
# format); "-" where the store has NaN.
ACCURACY = [
    ("n", "n_scored_overall", "{:.0f}"),
    ("ties", "directional_ties_overall", "{:.0f}"),
    ("dir. acc.", "directional_accuracy_overall", "{:.4f}"),
    ("block 95% CI", None, None),
    ("HAC p", "directional_hac_p_overall", "{:.3g}"),
    ("always up", "directional_always_up_overall", "{:.4f}"),
    ("RMSE", "rmse_overall", "{:.4g}"),
    ("RMSE skill", "rmse_skill_overall", "{:+.4f}"),
    ("CRPS", "mean_crps_overall", "{:.4g}"),
    ("CRPS skill", "crps_skill_overall", "{:+.4f}"),
    ("DM CRPS p", "dm_crps_p_overall", "{:.3g}"),
]
CALIBRATION = [
    ("Gauss 95%", "coverage_95_overall", "{:.3f}"),
    ("path 50%", "path_coverage_50_overall", "{:.3f}"),
    ("path 80%", "path_coverage_80_overall", "{:.3f}"),
    ("path 90%", "path_coverage_90_overall", "{:.3f}"),
    ("path 95%", "path_coverage_95_overall", "{:.3f}"),
    ("PIT KS", "pit_ks_overall", "{:.3f}"),
    ("pinball", "pinball_overall", "{:.4g}"),
    ("Winkler 95%", "winkler_95_overall", "{:.4g}"),
    ("VaR95 exc.", "var_95_exceedance_overall", "{:.3f}"),
    ("Kupiec p", "var_95_kupiec_p_overall", "{:.3g}"),
    ("Christoffersen p", "var_95_christoffersen_p_overall", "{:.3g}"),
]


class ReportError(Exception):
    """Bad input, reported in one line."""


def formatted(value: float, fmt: str) -> str:
    return "-" if not np.isfinite(value) else fmt.format(value)


def metrics_table(ds: xr.Dataset, models: list[str], columns: list, records: dict) -> str:
    rows = ["| model | " + " | ".join(name for name, _, _ in columns) + " |", "|" + "---|" * (len(columns) + 1)]
    for model in models:
        one = ds.sel(model=model)
        cells, record = [], records.setdefault(model, {"model": model})
        for name, variable, fmt in columns:
            if variable is None:  # the block bootstrap interval
                low, high = float(one.directional_ci_low_overall), float(one.directional_ci_high_overall)
                cells.append("-" if not np.isfinite(low) else f"{low:.3f}-{high:.3f}")
                record["directional_ci"] = [low, high]
                continue
            value = float(one[variable])
            cells.append(formatted(value, fmt))
            record[variable] = value if np.isfinite(value) else None
        rows.append(f"| {model} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def scored(ds: xr.Dataset, model: str) -> xr.Dataset:
    """The model's folds whose fit did not fail."""
    one = ds.sel(model=model)
    return one.isel(cutoff=np.flatnonzero(one.status.values != FAILED))


def pit_histogram(one: xr.Dataset) -> dict:
    """The stored PIT in uniform bins, with the central 95% range of a bin's
    count under uniformity (binomial, normal approximation)."""
    pit = one.pit.values.ravel()
    pit = pit[np.isfinite(pit)]
    counts, edges = np.histogram(pit, bins=PIT_BINS, range=(0.0, 1.0))
    n, p = len(pit), 1.0 / PIT_BINS
    half = 1.959963984540054 * np.sqrt(n * p * (1 - p)) if n else 0.0
    return {"edges": edges.tolist(), "counts": counts.tolist(), "n": int(n),
            "band": [max(n * p - half, 0.0), n * p + half]}


def reliability(one: xr.Dataset) -> dict:
    """P(up) in equal-width bins against the observed frequency of a rise;
    unknown prices and ties (actual equal to the cutoff price) left out."""
    p_up = one.p_up.values.ravel()
    actual = one.actual.values.ravel()
    last = np.repeat(one.last_price.values, one.sizes["day_ahead"])
    keep = np.isfinite(actual) & np.isfinite(p_up) & (actual != last)
    p, up = p_up[keep], (actual[keep] > last[keep]).astype(float)
    which = np.minimum((p * RELIABILITY_BINS).astype(int), RELIABILITY_BINS - 1)
    counts = np.bincount(which, minlength=RELIABILITY_BINS)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_forecast = np.bincount(which, weights=p, minlength=RELIABILITY_BINS) / counts
        observed = np.bincount(which, weights=up, minlength=RELIABILITY_BINS) / counts
    as_list = lambda a: [None if not np.isfinite(x) else float(x) for x in a]  # noqa: E731
    return {"edges": np.linspace(0.0, 1.0, RELIABILITY_BINS + 1).tolist(), "counts": counts.tolist(),
            "mean_forecast": as_list(mean_forecast), "observed_frequency": as_list(observed), "n": int(keep.sum())}


def rolling_coverage(one: xr.Dataset, window: int) -> dict:
    """Per cutoff, the share of the last `window` folds' known actuals (all
    days) inside the paths' central 95% interval (from the stored PIT)."""
    pit = one.pit.values
    inside = ((pit >= 0.025) & (pit <= 0.975)).astype(float)
    known = np.isfinite(pit).astype(float)
    inside_sum = np.convolve(inside.sum(axis=1), np.ones(window))[: len(pit)]
    known_sum = np.convolve(known.sum(axis=1), np.ones(window))[: len(pit)]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(np.arange(len(pit)) >= window - 1, inside_sum / known_sum, np.nan)
    return {"cutoff": [str(c)[:10] for c in one.cutoff.values], "coverage": share.tolist(), "window": window}


def plot_all(ds: xr.Dataset, models: list[str], units: str, numbers: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = ds.day_ahead.values
    fig, (crps_ax, cover_ax) = plt.subplots(1, 2, figsize=(11, 4))
    for model in models:
        one = ds.sel(model=model)
        crps_ax.plot(days, one.mean_crps.values, marker="o", label=model)
        cover_ax.plot(days, one.path_coverage_95.values, marker="o", label=model)
    crps_ax.set(xlabel="day ahead", ylabel=f"mean CRPS ({units})", title="CRPS by horizon")
    cover_ax.axhline(0.95, color="black", linewidth=0.8, linestyle="--")
    cover_ax.set(xlabel="day ahead", ylabel="share inside", title="paths' 95% interval coverage by horizon")
    crps_ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "by_horizon.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(11, 4))
    for model in models:
        rolling = numbers["rolling_coverage"][model]
        ax.plot(np.array(rolling["cutoff"], dtype="datetime64[D]"), rolling["coverage"], label=model)
    ax.axhline(0.95, color="black", linewidth=0.8, linestyle="--")
    window = numbers["rolling_window"]
    ax.set(xlabel="cutoff", ylabel="share inside",
           title=f"paths' 95% interval coverage over the last {window} folds (all days)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "rolling_coverage.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 4.5))
    first = numbers["pit"][models[0]]
    edges = np.array(first["edges"])
    for model in models:
        pit = numbers["pit"][model]
        share = np.array(pit["counts"]) / max(pit["n"], 1) * PIT_BINS
        ax.step(edges, np.append(share, share[-1]), where="post", label=f"{model} (n={pit['n']})")
    low, high = (np.array(first["band"]) / max(first["n"], 1) * PIT_BINS).tolist()
    ax.axhspan(low, high, color="grey", alpha=0.25, label="95% band of a calibrated bin")
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set(xlim=(0, 1), xlabel="PIT (share of paths below the actual)", ylabel="density",
           title="PIT histogram (flat at 1 when calibrated)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "pit.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 6))
    ax.plot([0, 1], [0, 1], color="black", linewidth=0.8)
    for model in models:
        r = numbers["reliability"][model]
        shown = [(f, o, c) for f, o, c in zip(r["mean_forecast"], r["observed_frequency"], r["counts"]) if c]
        if not shown:
            continue
        f, o, c = map(np.array, zip(*shown))
        ax.plot(f, o, marker="o", label=f"{model} (n={r['n']})")
        for x, y, count in zip(f, o, c):
            ax.annotate(str(count), (x, y), fontsize=6, xytext=(3, 3), textcoords="offset points")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="forecast P(up)", ylabel="observed frequency of a rise",
           title="reliability of P(up) (labels: forecasts per bin)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "reliability.png", dpi=110)
    plt.close(fig)

    fan = numbers["fan"]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    ax.plot(np.array(fan["history_dates"], dtype="datetime64[D]"), fan["history"], color="black",
            linewidth=1, label="price")
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, model in enumerate(models):
        cone = fan["models"].get(model)
        if cone is None:
            continue
        dates = np.array([fan["cutoff"], *fan["dates"]], dtype="datetime64[D]")
        colour = colours[k % len(colours)]
        for lo, hi, alpha in (("0.01", "0.99", 0.08), ("0.05", "0.95", 0.14), ("0.25", "0.75", 0.22)):
            ax.fill_between(dates, [fan["last_price"], *cone[lo]], [fan["last_price"], *cone[hi]], color=colour,
                            alpha=alpha, linewidth=0)
        ax.plot(dates, [fan["last_price"], *cone["0.5"]], color=colour, linewidth=1.2, label=f"{model} median")
    ax.set(ylabel=f"price ({units})",
           title=f"forward cone from the latest cutoff {fan['cutoff']} (bands: 1-99, 5-95, 25-75% of the paths)")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(out / "fan.png", dpi=110)
    plt.close(fig)


def fan_numbers(ds: xr.Dataset, models: list[str], history: int) -> dict:
    """The latest cutoff's path quantiles per model (whose fit there did not
    fail) and the prices before it."""
    last = ds.sizes["cutoff"] - 1
    fold = ds.isel(cutoff=last)
    levels = [float(q) for q in ds["q"].values]
    cone = {}
    for model in models:
        one = fold.sel(model=model)
        if int(one.status) == FAILED:
            continue
        cone[model] = {f"{level:g}": one.quantiles.sel(q=level).values.tolist() for level in levels}
    # The prices up to the cutoff: each fold's cutoff price, the latest folds'.
    cutoffs = ds.cutoff.values[-history:]
    return {"cutoff": str(ds.cutoff.values[last])[:10], "last_price": float(fold.last_price),
            "dates": [str(d)[:10] for d in fold.forecast_date.values], "models": cone,
            "history_dates": [str(c)[:10] for c in cutoffs],
            "history": ds.last_price.values[-history:].tolist()}


def write_report(store: str, out: Path, models: list[str] | None, series: str | None, rolling: int) -> list[str]:
    try:
        with open_store(store) as root:
            universe = None if "fold_complete" in root.variables else root.attrs.get("series")
        if universe is not None:
            names = json.loads(universe)
            if series not in names:
                raise ReportError(f"--series: a universe store: name one of {', '.join(names)}"
                                  if series is None else f"--series: '{series}' is not in the store "
                                  f"(it has {', '.join(names)})")
        elif series is not None:
            raise ReportError(f"--series: {store} holds one series, not a universe")
        ds = open_backfill(store, series)
    except (StoreError, OSError, KeyError, ValueError) as e:
        raise ReportError(str(e) if str(store) in str(e) else f"{store}: {e}") from None
    with ds:
        names = [str(m) for m in ds.model.values]
        chosen = models or names
        for model in chosen:
            if model not in names:
                raise ReportError(f"--models: '{model}' is not in the store (it has {', '.join(names)})")
        if ds.sizes["cutoff"] == 0:
            raise ReportError(f"{store}: no committed fold to report")
        ds = ds.load()
    units = str(ds.actual.attrs.get("units", "1"))
    records: dict = {}
    accuracy = metrics_table(ds, chosen, ACCURACY, records)
    calibration = metrics_table(ds, chosen, CALIBRATION, records)
    numbers = {"store": str(store), "models": chosen, "units": units, "metrics": list(records.values()),
               "rolling_window": rolling, "pit": {}, "reliability": {}, "rolling_coverage": {}}
    for model in chosen:
        one = scored(ds, model)
        numbers["pit"][model] = pit_histogram(one)
        numbers["reliability"][model] = reliability(one)
        numbers["rolling_coverage"][model] = rolling_coverage(one, rolling)
    numbers["fan"] = fan_numbers(ds, chosen, history=26)
    title = ds.attrs.get("title", "arabica backfill")
    plan = ds.attrs.get("fold_plan", "")
    first, last = str(ds.cutoff.values[0])[:10], str(ds.cutoff.values[-1])[:10]
    text = [
        f"# Backfill report: {Path(store).name}" + (f" ({series})" if series else ""),
        "",
        f"{title}. {ds.sizes['cutoff']} folds, cutoffs {first} .. {last}, horizon {ds.sizes['day_ahead']} days, "
        f"prices in {units}." + (f" Plan: `{plan}`." if plan else ""),
        "",
        "## Accuracy and direction (all days pooled)",
        "",
        "Directional accuracy of the median forecast, ties excluded (`ties`); its block bootstrap interval and "
        "HAC p-value respect overlapping horizons; `always up` is the share of rises among the same actuals. "
        f"RMSE and CRPS in {units}; skill: 1 - score / the naive model's on the folds both scored "
        "(positive: better than naive); DM: Diebold-Mariano p-value against naive.",
        "",
        accuracy,
        "",
        "## Calibration and risk (all days pooled; VaR on the last day)",
        "",
        "Gauss 95%: the Kalman interval; path coverage and PIT KS from the actual's rank among the paths. "
        "Pinball: mean over the stored quantile levels; Winkler: interval score of the paths' 2.5-97.5% "
        "interval. VaR95: share of actuals below the paths' 5% quantile on the last day, with Kupiec's "
        "(rate) and Christoffersen's (independence) p-values.",
        "",
        calibration,
        "",
        "## CRPS and coverage by horizon",
        "",
        "![by horizon](by_horizon.png)",
        "",
        f"## Coverage over time ({rolling}-fold rolling window)",
        "",
        "![rolling coverage](rolling_coverage.png)",
        "",
        "## PIT",
        "",
        "![PIT](pit.png)",
        "",
        "## Reliability of P(up)",
        "",
        "![reliability](reliability.png)",
        "",
        "## Forward cone from the latest cutoff",
        "",
        "![fan](fan.png)",
        "",
    ]
    # Everything is written into a temporary directory beside --out, then
    # swapped in: a failure leaves an earlier report as it was.
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        plot_all(ds, chosen, units, numbers, staging)
        (staging / "report.md").write_text("\n".join(text))
        (staging / "report.json").write_text(json.dumps(numbers, indent=1) + "\n")
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            staging.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(p.name for p in out.iterdir())


def split_models(text: str) -> list[str]:
    """--models A,B: the commas between names, not those inside a name's
    orders ("sarimax(1,1,1),naive" is two models)."""
    names, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            names.append(current.strip())
            current = ""
        else:
            current += char
    return [*names, current.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store")
    parser.add_argument("--out", type=Path, required=True, help="report directory (replaced whole)")
    parser.add_argument("--models", help="comma-separated models of the store (default: all)")
    parser.add_argument("--series", help="the series of a universe store")
    parser.add_argument("--rolling", type=int, default=26, help="folds in the rolling coverage window")
    args = parser.parse_args(argv)
    if not Path(args.store).is_file():
        print(f"arabica_report: {args.store}: no such file", file=sys.stderr)
        return 2
    if args.rolling < 1:
        print("arabica_report: --rolling: must be at least 1", file=sys.stderr)
        return 2
    models = split_models(args.models) if args.models else None
    try:
        written = write_report(args.store, args.out, models, args.series, args.rolling)
    except ReportError as e:
        print(f"arabica_report: {e}", file=sys.stderr)
        return 2
    print(f"wrote {', '.join(written)} to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
