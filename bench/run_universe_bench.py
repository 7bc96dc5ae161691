#!/usr/bin/env python3
"""The 14-series universe backfill (examples/universe.toml: 11 Stooq futures,
coffee with 5 covariates, sugar, cocoa; daily cutoffs over 2021, rolling
1,000-row windows, SARIMAX(1,1,1) + naive + drift refitted at every fold,
2,000 paths) against the references on the same folds, in one run:

  * arabica: `arabica backfill --config examples/universe.toml` with one
    thread, all cores, and under `mpirun -np 1` and `-np 2` (one thread per
    rank, alternated --mpi-repeats times, medians; wall time includes rank
    0's merge and scoring), and after each pair two whole one-rank runs at
    once, which bound what two ranks can get from the machine;
  * statsforecast (`scripts/setup --with-bench`): its ARIMA(1,1,1) (method
    ML, the coffee covariates), Naive and RandomWalkWithDrift fitted and
    forecast 7 days with 95% intervals on every fold of every series, one
    process (no paths: arabica also simulates 2,000 per model and fold);
  * the legacy statsmodels loop (`SARIMAX(...).fit(disp=False)`,
    get_forecast, 2,000 normal numpy paths) on every --legacy-every'th
    fold, its per-fold time scaled to all folds.

The folds are checked to be the same: the Python side cleans each file as
the universe file says (missing targets dropped, repeated dates keep the
first row) and every fold's last training price must equal the store's
`last_price`. A model of 8 and 64 ranks (one core each) is built from the
measured per-fold costs: ranks take whole (series, warm-start chain) units
longest first (arabica's partition_plans), plus the per-fold remainder,
fixed cost and serial write (the shard merge) of the measured runs.
Reading the store back is timed three ways: `xr.open_datatree(...)` +
load, `arabica_store.read_universe`, and pandas on the Parquet export,
whose write is timed too; reads under a second are the best of five, on
each side.

Writes bench/results/universe.md. With --mpi-only, only the 1- and 2-rank
runs and their side-by-side bound, to --out (scripts/gpu_check runs it on the
GPU machine, which has more cores than ranks).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

import h5py
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "scripts"))
from run_fit_bench import cpu_name  # noqa: E402
from run_mpi_bench import makespan  # noqa: E402

UNIVERSE = REPO / "examples" / "universe.toml"
H = 7
CHAIN = 8  # arabica's default --warm-start-chain


def load_series(entry: dict, missing: str) -> tuple[pd.Series, pd.DataFrame]:
    """The series as arabica cleans it: target and covariates by date, rows
    without a target dropped (missing = "drop"), repeated dates keeping the
    first row in file order, ascending."""
    assert missing == "drop", missing
    date_column = entry.get("date_column", "date")
    frame = pd.read_csv(REPO / entry["csv"], dtype=str, keep_default_na=False)

    def numbers(column: pd.Series) -> pd.Series:  # "9,099.66": thousands separators
        return pd.to_numeric(column.str.replace(",", "").replace({"": None, "NA": None}))

    dates = pd.to_datetime(frame[date_column], format="mixed", dayfirst="/" in frame[date_column].iloc[0])
    values = numbers(frame[entry["target"]])
    exog = frame[entry.get("exog", [])].apply(numbers)
    keep = values.notna().to_numpy()
    table = pd.DataFrame({"date": dates[keep].to_numpy(), "y": values[keep].to_numpy()})
    table = pd.concat([table, exog[keep].reset_index(drop=True)], axis=1)
    table = table.drop_duplicates("date", keep="first").sort_values("date", kind="stable")
    table = table.set_index("date")
    return table["y"], table.drop(columns="y").ffill().bfill()


def arabica_runs(arabica: str, outs: list[Path], extra: list[str], launch: list[str] | None = None,
                 keep: bool = False) -> float:
    """Wall time of universe backfills into each of `outs` at once (each
    removed first unless `keep`), until the last one ends. Each run's
    stdout goes to OUT.log (merge_seconds reads it)."""
    for out in outs:
        for old in out.parent.glob(out.name + "*"):
            if not keep:
                old.unlink()
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    logs = [open(out.parent / (out.name + ".log"), "w") for out in outs]
    start = time.perf_counter()
    runs = [subprocess.Popen([*(launch or []), arabica, "backfill", "--config", str(UNIVERSE), "--quiet",
                              "--out", str(out), *extra], cwd=REPO, env=env,
                             stdout=log, stderr=subprocess.DEVNULL) for out, log in zip(outs, logs)]
    codes = [run.wait() for run in runs]
    for log in logs:
        log.close()
    seconds = time.perf_counter() - start
    if any(codes):
        raise SystemExit(f"arabica backfill exited with {codes}")
    return seconds


def arabica_run(arabica: str, out: Path, extra: list[str], launch: list[str] | None = None,
                keep: bool = False) -> float:
    """Wall time of the universe backfill into `out` (removed first unless `keep`)."""
    return arabica_runs(arabica, [out], extra, launch, keep)


def merge_seconds(out: Path) -> float:
    """The seconds of the merge a sharded run into `out` printed ("rank 0
    merged ... in S s")."""
    found = re.search(r"merged \d+ folds.* in ([0-9.]+) s$", (out.parent / (out.name + ".log")).read_text(), re.M)
    if not found:
        raise SystemExit(f"no merge line in {out}.log")
    return float(found.group(1))


def mpi_launch(mpirun: str, ranks: int) -> list[str]:
    """`mpirun -np RANKS`, unbound: OpenMPI's default binding puts a rank's
    worker and store writer on one core."""
    return [mpirun, "-np", str(ranks), "--oversubscribe", "--bind-to", "none"]


def mpi_label(ranks: int) -> str:
    return f"arabica, mpirun -np {ranks} (1 thread per rank; median)"


def folds_of(store: Path) -> dict[str, dict]:
    """Per series: cutoffs, last prices and per-fold fit seconds (all models)."""
    out = {}
    with h5py.File(store, "r") as f:
        for name in __import__("json").loads(f.attrs["series"]):
            g = f[name]
            out[name] = {"cutoffs": pd.to_datetime(g["cutoff"][()], unit="D"),
                         "last_price": g["last_price"][()],
                         "fit_seconds": g["fit_seconds"][()].sum(axis=0)}
    return out


def training_windows(y: pd.Series, cutoffs: pd.DatetimeIndex, last_price: np.ndarray,
                     window: int) -> list[int]:
    rows = y.index.get_indexer(cutoffs)
    assert (rows >= window - 1).all(), "a cutoff without a full window"
    if not np.array_equal(y.to_numpy()[rows], last_price):
        raise SystemExit("the Python cleaning does not give arabica's folds (last prices differ)")
    return [int(r) + 1 for r in rows]


def time_statsforecast(data: dict, folds: dict, window: int) -> float | None:
    try:
        from statsforecast.models import ARIMA, Naive, RandomWalkWithDrift
    except ImportError:
        return None
    jobs = []
    for name, (y, exog) in data.items():
        ends = training_windows(y, folds[name]["cutoffs"], folds[name]["last_price"], window)
        jobs += [(y.to_numpy(), exog.to_numpy() if exog.shape[1] else None, end) for end in ends]

    def fold(y: np.ndarray, X: np.ndarray | None, end: int) -> None:
        train = slice(end - window, end)
        model = ARIMA(order=(1, 1, 1), method="ML").fit(y[train], None if X is None else X[train])
        model.predict(h=H, X=None if X is None else X[end - H:end], level=[95])
        for baseline in (Naive(), RandomWalkWithDrift()):
            baseline.fit(y[train]).predict(h=H, level=[95])

    fold(*jobs[0])  # numba compilation, not timed
    start = time.perf_counter()
    for job in jobs:
        fold(*job)
    return time.perf_counter() - start


def time_legacy(data: dict, folds: dict, window: int, every: int) -> tuple[float, int]:
    """Seconds per fold of the statsmodels loop on every `every`th fold."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    rng = np.random.default_rng(1)
    sample = []
    for name, (y, exog) in data.items():
        ends = training_windows(y, folds[name]["cutoffs"], folds[name]["last_price"], window)
        sample += [(y.to_numpy(), exog.to_numpy() if exog.shape[1] else None, end) for end in ends[::every]]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for y, X, end in sample:
            train = slice(end - window, end)
            result = SARIMAX(y[train], exog=None if X is None else X[train], order=(1, 1, 1)).fit(disp=False)
            f = result.get_forecast(steps=H, exog=None if X is None else X[end - H:end])
            paths = f.predicted_mean + f.se_mean * rng.standard_normal((2000, H))
            np.percentile(paths, [5, 50, 95], axis=0)
    return (time.perf_counter() - start) / len(sample), len(sample)


READ_REPEATS = 5  # the reads under a second: best of five, each side alike


def best_time(read, repeats: int = READ_REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        read()
        times.append(time.perf_counter() - start)
    return min(times)


def time_reads(store: Path, work: Path) -> dict[str, float]:
    import xarray as xr
    import arabica_store as st

    def datatree():
        with xr.open_datatree(store, engine="h5netcdf") as tree:
            for name in tree.children:
                tree[name].to_dataset().load()
    def arabica_engine():
        xr.open_datatree(store, engine="arabica")  # read whole when opened
    series = st.read_universe(store)
    times = {"xr.open_datatree(engine=\"h5netcdf\") + load": best_time(datatree, 1),
             "xr.open_datatree(engine=\"arabica\") (every variable, read when opened)": best_time(arabica_engine),
             "arabica_store.read_universe (every variable: forecasts, scores, registry, text)":
                 best_time(lambda: st.read_universe(store)),
             "arabica_store.read_universe, the Parquet table's variables (LONG_TABLE_VARIABLES)":
                 best_time(lambda: st.read_universe(store, variables=st.LONG_TABLE_VARIABLES)),
             "Parquet export (to_long_table + write_parquet)":
                 best_time(lambda: st.write_parquet(st.to_long_table(series), work / "universe.parquet"), 1),
             "pd.read_parquet of the export": best_time(lambda: pd.read_parquet(work / "universe.parquet"))}
    return times


def measure_mpi(args, work: Path, extra: list[str]) -> tuple[list[tuple[float, float]], list[float], list[float]]:
    """1 and 2 ranks alternated, --mpi-repeats pairs of wall times: one
    pair's ratio spreads by 20-30% on a shared machine (report medians).
    After each pair, two whole one-rank runs at once (its wall time): what
    two processes that share nothing get from this machine, the most two
    ranks of half the work each could get. Also the two-rank runs' merge
    seconds (rank 0's, with the ranks' values handed over)."""
    pairs, side_by_side, merges = [], [], []
    for _ in range(args.mpi_repeats):
        pairs.append(tuple(arabica_run(args.arabica, work / f"np{ranks}.h5", [*extra, "--threads", "1"],
                                       mpi_launch(args.mpirun, ranks)) for ranks in (1, 2)))
        merges.append(merge_seconds(work / "np2.h5"))
        side_by_side.append(arabica_runs(args.arabica, [work / "side-a.h5", work / "side-b.h5"],
                                         [*extra, "--threads", "1"], mpi_launch(args.mpirun, 1)))
    return pairs, side_by_side, merges


def mpi_only(args, work: Path, extra: list[str]) -> int:
    """--mpi-only: the MPI goal's measurement alone (scripts/gpu_check runs it
    on the GPU machine, whose cores outnumber the ranks), to --out."""
    if not args.mpirun:
        print("--mpi-only needs mpirun", file=sys.stderr)
        return 2
    load_before = os.getloadavg()[0]
    pairs, side_by_side, _ = measure_mpi(args, work, extra)
    np1, np2 = (float(np.median([p[i] for p in pairs])) for i in (0, 1))
    side = float(np.median(side_by_side))
    lines = ["# Universe backfill under MPI (issue 15's goal: 2 ranks >= 1.8x 1 rank)", "",
             f"`examples/universe.toml`{' from ' + args.start if args.start else ''}, one thread per rank; "
             f"measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {cpu_name()} ({os.cpu_count()} CPUs); "
             f"load average {load_before:.2f} at start, {os.getloadavg()[0]:.2f} at end.", "",
             "| run | wall s (median) | runs |", "|---|---:|---|",
             f"| mpirun -np 1 | {np1:.2f} | {', '.join(f'{a:.2f}' for a, _ in pairs)} |",
             f"| mpirun -np 2 | {np2:.2f} | {', '.join(f'{b:.2f}' for _, b in pairs)} |",
             f"| two -np 1 runs at once | {side:.2f} | {', '.join(f'{s:.2f}' for s in side_by_side)} |", "",
             f"2 ranks: **{np1 / np2:.2f}x** 1 rank (pairs: {', '.join(f'{a / b:.2f}x' for a, b in pairs)}); "
             f"the most two processes get from this machine: {2 * np1 / side:.2f}x.", "",
             f"Command: `{' '.join(['.venv/bin/python', 'bench/run_universe_bench.py', *sys.argv[1:]])}`", ""]
    text = "\n".join(lines)
    print(text)
    Path(args.out).write_text(text)
    shutil.rmtree(work, ignore_errors=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arabica", default=str(REPO / "build" / "arabica"))
    parser.add_argument("--mpirun", default=shutil.which("mpirun"))
    parser.add_argument("--legacy-every", type=int, default=50)
    parser.add_argument("--mpi-repeats", type=int, default=3, help="pairs of 1- and 2-rank runs, alternated")
    parser.add_argument("--start", help="first cutoff (default: the universe file's), for a quick check")
    parser.add_argument("--mpi-only", action="store_true",
                        help="only the 1- and 2-rank runs and the side-by-side bound (a short report to --out)")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "universe.md"))
    args = parser.parse_args(argv)
    spec = tomllib.loads(UNIVERSE.read_text())
    if not (REPO / spec["series"][0]["csv"]).exists():
        print("needs ../shared/data beside the repository", file=sys.stderr)
        return 2
    extra = ["--start", args.start] if args.start else []
    if args.start:
        spec["start"] = args.start
    work = Path(tempfile.mkdtemp(prefix="arabica_universe_bench_"))
    if args.mpi_only:
        return mpi_only(args, work, extra)
    load_before = os.getloadavg()[0]
    wall = {"arabica, 1 thread": arabica_run(args.arabica, work / "t1.h5", [*extra, "--threads", "1"]),
            f"arabica, all {os.cpu_count()} cores": arabica_run(args.arabica, work / "all.h5", extra)}
    mpi_pairs: list[tuple[float, float]] = []
    side_by_side: list[float] = []
    mpi_merges: list[float] = []
    if args.mpirun:
        mpi_pairs, side_by_side, mpi_merges = measure_mpi(args, work, extra)
        for i, ranks in enumerate((1, 2)):
            wall[mpi_label(ranks)] = float(np.median([p[i] for p in mpi_pairs]))
    folds = folds_of(work / "t1.h5")
    n_folds = sum(len(f["cutoffs"]) for f in folds.values())
    data = {s["name"]: load_series(s, spec["missing"]) for s in spec["series"]}
    window = spec["window_rows"]
    sf = time_statsforecast(data, folds, window)
    legacy_per_fold, legacy_sample = time_legacy(data, folds, window, args.legacy_every)
    reads = time_reads(work / "t1.h5", work)
    load_after = os.getloadavg()[0]

    # Model: a rank's time is its (series, chain) units' fit work plus a
    # per-fold remainder; the job adds the fixed cost of the measured runs.
    units = []
    for f in folds.values():
        cost = f["fit_seconds"]
        units += [(cost[i:i + CHAIN].sum(), len(cost[i:i + CHAIN])) for i in range(0, len(cost), CHAIN)]
    fit_work = sum(c for c, _ in units)
    # The fixed cost (loading 14 files, checking the store, scoring) is a
    # rerun on the complete store. One rank's serial write is its rewrite
    # for reading, taken as the `--merge` of the two-rank run's shards (the
    # same store, every fold read back from one-fold chunks); several
    # ranks' is rank 0's merge under mpirun, the ranks' values handed over
    # (the seconds the two-rank runs printed). The per-fold remainder
    # (paths, writes, commits) is what the one-rank run spent besides fits,
    # the fixed cost and its write.
    fixed = arabica_run(args.arabica, work / "t1.h5", [*extra, "--threads", "1"], keep=True)
    one = wall.get(mpi_label(1), wall["arabica, 1 thread"])
    merge = merge_mpi = 0.0
    if args.mpirun:
        for k in range(2):
            shutil.copy(work / f"np2.h5.shard-{k}-of-2", work / f"merge.h5.shard-{k}-of-2")
        merge = arabica_run(args.arabica, work / "merge.h5", [*extra, "--num-shards", "2", "--merge"],
                            keep=True) - fixed
        merge_mpi = float(np.median(mpi_merges))
    per_fold = max((one - fit_work - fixed - merge) / n_folds, 0.0)

    def predict(ranks: int) -> float:
        return makespan([c + per_fold * n for c, n in units], ranks) + fixed + (merge if ranks == 1 else merge_mpi)

    lines = [
        "# Universe backfill benchmark (issue 15)",
        "",
        f"`examples/universe.toml`: {len(folds)} series, {n_folds} daily folds ({spec['start']}..{spec['end']}, "
        f"rolling {window}-row windows) x 3 models (SARIMAX(1,1,1), + 5 covariates on coffee; naive; drift), "
        f"refitted at every fold, {spec['paths']:,} paths per (model, fold) with arabica.",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {cpu_name()} ({os.cpu_count()} CPUs); "
        f"load average {load_before:.2f} at start, {load_after:.2f} at end.",
        "",
        "| run | wall s | folds/s | vs statsforecast (per core) |",
        "|---|---:|---:|---:|",
    ]
    for label, seconds in wall.items():
        cores = os.cpu_count() if "all" in label else 2 if "-np 2" in label else 1
        ratio = f"{sf / seconds / cores:.1f}x" if sf else "-"
        lines.append(f"| {label} | {seconds:.2f} | {n_folds / seconds:.0f} | {ratio} |")
    if sf:
        lines.append(f"| statsforecast ARIMA + Naive + RWD, fit + 7-day forecast, 1 process | {sf:.2f} | "
                     f"{n_folds / sf:.0f} | 1.0x |")
    legacy_total = legacy_per_fold * n_folds
    lines.append(f"| legacy statsmodels loop, 1 process ({legacy_sample} folds timed, scaled) | "
                 f"{legacy_total:.1f} | {1 / legacy_per_fold:.1f} | "
                 f"{sf / legacy_total:.2f}x |" if sf else f"| legacy statsmodels loop | {legacy_total:.1f} | | |")
    if args.mpirun:
        np1, np2 = (wall[mpi_label(r)] for r in (1, 2))
        pairs = ", ".join(f"{a / b:.2f}x" for a, b in mpi_pairs)
        side = float(np.median(side_by_side))
        ceiling = 2 * np1 / side
        lines += ["", f"MPI: 2 ranks {np1 / np2:.2f}x 1 rank (goal 1.8x; medians of {len(mpi_pairs)} alternated "
                  f"pairs, whose own ratios were {pairs}) on {os.cpu_count()} cores, where each "
                  "rank's store writer competes with the other rank's worker for a core. What this machine "
                  f"allows two processes: two whole one-rank runs side by side (`mpirun -np 1` twice at once, "
                  f"after each pair) took {side:.2f} s (median; {', '.join(f'{s:.2f}' for s in side_by_side)}), "
                  f"so two ranks of half the work each could reach at most {ceiling:.2f}x here (each pair's "
                  f"one-rank run over half its side-by-side run: "
                  f"{', '.join(f'{2 * a / s:.2f}x' for (a, _), s in zip(mpi_pairs, side_by_side))}); the two-rank "
                  f"run reaches {np1 / np2 / ceiling:.0%} of that. Model of ranks with "
                  f"a core each, from the measured costs: {fit_work:.2f} s of fits over {len(units)} (series, "
                  f"warm-start chain) units, {per_fold * 1e3:.2f} ms per fold besides (paths, writes, commits), "
                  f"{fixed:.2f} s fixed (a rerun on the complete store: loading, checks, scoring) and "
                  f"serial writing: {merge:.2f} s for one rank (its rewrite for reading, taken as the `--merge` "
                  f"of the two-rank run's shards, which reads every fold back), {merge_mpi:.2f} s on rank 0 of "
                  "several (its merge under mpirun, the ranks' values handed over in memory; median of the "
                  f"two-rank runs: {', '.join(f'{m:.2f}' for m in mpi_merges)} s):", "",
                  "| ranks | model s | speed-up |", "|---:|---:|---:|"]
        for ranks in (1, 2, 8, 64):
            lines.append(f"| {ranks} | {predict(ranks):.2f} | {predict(1) / predict(ranks):.2f}x |")
    lines += ["", "Reading the store back (the 1-thread run's; reads under a second: best of " + str(READ_REPEATS) + "):", "", "| read | s | vs Parquet |", "|---|---:|---:|"]
    parquet = reads["pd.read_parquet of the export"]
    for label, seconds in reads.items():
        lines.append(f"| {label} | {seconds:.3f} | {seconds / parquet:.1f}x |")
    lines += ["", "Command: `.venv/bin/python bench/run_universe_bench.py` (needs `scripts/setup --with-bench` "
              "for statsforecast and ../shared/data).", ""]
    text = "\n".join(lines)
    print(text)
    Path(args.out).write_text(text)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
