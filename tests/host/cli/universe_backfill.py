#!/usr/bin/env python3
"""`arabica backfill` of a universe (issue 15): several series in one run and
one store, a group per series.

Three series with their own calendars (a long file: KC every row, SB
without every 7th row, CC starting 40 rows later) give, for each series,
exactly the store a single-series run of it gives (fold for fold, bit for
bit but fit_seconds), with --threads 1 and 2, under mpirun -np 2 and as two
shards merged (also after a merge killed in its rewrite); so do
the series of a wide file (--target A,B) and of a TOML universe file with
units and per-series model overrides. Adding a series to a universe
resumes the others; a series whose configuration changed is refused by
name, leaving the store as it was. Bad universe files (an unknown column, a
series named twice, a missing file) are refused with one line and exit 2,
writing nothing; a series too short for the plan fails open with its reason while
the others run. xarray opens the store as a DataTree.

    universe_backfill.py ARABICA CSV WORKDIR [MPIRUN]
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from compare_backfills import compare  # noqa: E402
import h5py  # noqa: E402
import numpy as np  # noqa: E402

PLAN = ["--start", "2022-09-01", "--min-train-rows", "150", "--schedule", "weekly",
        "--paths", "200", "--stored-paths", "3", "--quiet"]
LONG = ["--date-column", "ds", "--target", "y", "--series-column", "unique_id",
        "--exog", "rain,brl_usd"]
# PLAN's plan and paths as top-level keys of a universe file.
TOML_PLAN = """
min_train_rows = 150
schedule = "weekly"
start = 2022-09-01
paths = 200
"""


def fail(message: str) -> None:
    print(f"FAIL: {message}")
    sys.exit(1)


def run(arabica: str, args: list[str], expect: int = 0, launch: list[str] | None = None,
        ) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    done = subprocess.run([*(launch or []), arabica, "backfill", *args], capture_output=True,
                          text=True, env=env)
    if done.returncode != expect:
        fail(f"{args}: exit {done.returncode}, expected {expect}\n{done.stdout}\n{done.stderr}")
    return done


def flags_of(store: Path, name: str) -> np.ndarray:
    with h5py.File(store, "r", locking=False) as f:
        return f[name]["fold_complete"][()]


def write_inputs(source: Path, work: Path) -> tuple[Path, Path]:
    rows = list(csv.DictReader(source.open()))
    long_file, wide_file = work / "long.csv", work / "wide.csv"
    with long_file.open("w") as f:
        f.write("unique_id,ds,y,rain,brl_usd\n")
        for name, scale, keep in (("KC", 1.0, lambda i: True), ("SB", 0.1, lambda i: i % 7 != 3),
                                  ("CC", 20.0, lambda i: i >= 40)):
            for i, r in enumerate(rows):
                if keep(i):
                    f.write(f"{name},{r['date']},{float(r['close']) * scale:.5f},{r['rain']},{r['brl_usd']}\n")
    with wide_file.open("w") as f:
        f.write("date,A,B,rain,brl_usd\n")
        for r in rows:
            f.write(f"{r['date']},{r['close']},{float(r['close']) * 0.5:.5f},{r['rain']},{r['brl_usd']}\n")
    return long_file, wide_file


def expect_same(universe: Path, group: str, single: Path) -> None:
    differences = compare(str(universe), str(single), group, "/")
    if differences:
        fail(f"{universe}:{group} differs from {single}: {differences[:5]}")


def expect_refused(arabica: str, args: list[str], out: Path, fragment: str) -> None:
    done = run(arabica, [*args, "--out", str(out)], expect=2)
    lines = done.stderr.strip().splitlines()
    if len(lines) != 1 or fragment not in lines[0]:
        fail(f"expected one line naming {fragment!r}, got {done.stderr!r}")
    if out.exists():
        fail(f"{out} written by a refused run")


def main(arabica: str, source: str, workdir: str, mpirun: str | None = None) -> int:
    work = Path(workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    long_file, wide_file = write_inputs(Path(source), work)
    universe = ["--csv", str(long_file), *LONG, *PLAN]

    # One series per single run: the reference for every universe below.
    for name in ("KC", "SB", "CC"):
        run(arabica, ["--csv", str(long_file), *LONG, "--series", name, *PLAN, "--threads", "1",
                      "--out", str(work / f"{name}.h5")])
    for threads in ("1", "2"):
        out = work / f"long-{threads}.h5"
        done = run(arabica, [*universe, "--threads", threads, "--out", str(out)])
        if "universe of 3 series" not in done.stdout:
            fail(f"banner: {done.stdout.splitlines()[:1]}")
        for name in ("KC", "SB", "CC"):
            expect_same(out, name, work / f"{name}.h5")
    if "=== pooled across 3 series" not in done.stdout:
        fail("no pooled scores table")

    if mpirun:
        out = work / "mpi.h5"
        done = run(arabica, [*universe, "--threads", "1", "--out", str(out)],
                   launch=[mpirun, "-np", "2", "--oversubscribe"])
        if "2 ranks' values handed over in memory" not in done.stdout:
            fail(f"the ranks' values were read back from their shards: {done.stdout.splitlines()[-8:]}")
        for name in ("KC", "SB", "CC"):
            expect_same(out, name, work / f"{name}.h5")
        if list(work.glob("mpi.h5.shard-*")) == []:
            fail("no shard stores: did mpirun run two ranks?")
    else:
        print("mpirun not given: the MPI case is not run")

    # Shards run one by one, then merged: the merge writes the store once,
    # in its chunks for reading. Killed in that rewrite, it leaves the store
    # with no fold merged (nothing renamed onto it); a rerun merges.
    sharded = work / "sharded.h5"
    for shard in ("0", "1"):
        run(arabica, [*universe, "--threads", "1", "--num-shards", "2", "--shard", shard,
                      "--out", str(sharded)])
    merge = [arabica, "backfill", *universe, "--num-shards", "2", "--merge", "--out", str(sharded)]
    killed = subprocess.run(merge, capture_output=True, text=True,
                            env=dict(os.environ, ARABICA_FAULT_KILL_IN_REWRITE="1"))
    if killed.returncode != -signal.SIGKILL:
        fail(f"merge not killed in its rewrite: exit {killed.returncode}\n{killed.stderr}")
    with h5py.File(sharded, "r", swmr=True, locking=False) as f:  # a killed writer's
        committed = {name: int(f[name]["fold_complete"][()].sum()) for name in ("KC", "SB", "CC")}
    if any(committed.values()):
        fail(f"a merge killed in its rewrite left committed folds: {committed}")
    run(arabica, merge[2:])
    for name in ("KC", "SB", "CC"):
        expect_same(sharded, name, work / f"{name}.h5")

    # A shard that left folds uncommitted (killed; here three of shard 2's
    # SB flags cleared): the merge names the shard to run again, and after
    # that run a second merge makes the store whole.
    partial = work / "partial.h5"
    for shard in ("0", "1"):
        run(arabica, [*universe, "--threads", "1", "--num-shards", "2", "--shard", shard, "--out", str(partial)])
    with h5py.File(f"{partial}.shard-1-of-2", "r+") as f:
        flags = f["SB"]["fold_complete"]
        cleared = [int(i) for i in np.flatnonzero(flags[()] == 1)[:3]]
        for i in cleared:
            flags[i] = 0
        cutoff = np.datetime64("1970-01-01") + np.timedelta64(int(f["SB"]["cutoff"][cleared[0]]), "D")
    merge = [*universe, "--num-shards", "2", "--merge", "--out", str(partial)]
    said = run(arabica, merge).stderr
    expected = (f"series SB: 3 of {len(flags_of(partial, 'SB'))} folds are in no shard store (first: fold "
                f"{cleared[0]}, cutoff {cutoff}); this run's partition gives them to --shard 1 of --num-shards 2: run it again "
                "with these options, then merge again")
    if expected not in said or "series KC" in said or "series CC" in said:
        fail(f"merge with three folds in no shard: expected {expected!r}, got {said!r}")
    run(arabica, [*universe, "--threads", "1", "--num-shards", "2", "--shard", "1", "--out", str(partial)])
    if "in no shard store" in run(arabica, merge).stderr:
        fail("the second merge still finds folds in no shard")
    for name in ("KC", "SB", "CC"):
        expect_same(partial, name, work / f"{name}.h5")

    # Adding a series resumes the others.
    grown = work / "grown.h5"
    run(arabica, [*universe, "--series", "KC,SB", "--out", str(grown)])
    done = run(arabica, [*universe, "--out", str(grown)])
    if "resuming universe of 3 series" not in done.stdout or not any(
            line.split()[:2] == ["KC", "sarimax(1,1,1)"] and line.split()[-1] == "26"
            for line in done.stdout.splitlines()):
        fail(f"KC not resumed:\n{done.stdout}")
    for name in ("KC", "SB", "CC"):
        expect_same(grown, name, work / f"{name}.h5")

    # A wide file: each target its own series, sharing the covariates.
    wide = work / "wide.h5"
    run(arabica, ["--csv", str(wide_file), "--target", "A,B", "--exog", "rain,brl_usd", *PLAN,
                  "--out", str(wide)])
    run(arabica, ["--csv", str(wide_file), "--target", "B", "--exog", "rain,brl_usd", *PLAN,
                  "--out", str(work / "B.h5")])
    expect_same(wide, "B", work / "B.h5")

    # A TOML universe: files, columns, units and model overrides per series.
    toml = work / "universe.toml"
    toml.write_text(f"""{TOML_PLAN}stored_paths = 3
exog = ["rain", "brl_usd"]

[[series]]
name = "coffee"
csv = "{wide_file}"
target = "A"
units = "USc/lb"

[[series]]
name = "SB"
csv = "{long_file}"
date_column = "ds"
target = "y"
series_column = "unique_id"
model = ["naive", "sarimax:0,1,1"]
""")
    tree = work / "toml.h5"
    run(arabica, ["--config", str(toml), "--quiet", "--out", str(tree)])
    run(arabica, ["--csv", str(wide_file), "--target", "A", "--series", "coffee", "--units", "USc/lb",
                  "--exog", "rain,brl_usd", *PLAN, "--out", str(work / "coffee.h5")])
    run(arabica, ["--csv", str(long_file), *LONG, "--series", "SB", "--model", "naive,sarimax:0,1,1",
                  *PLAN, "--out", str(work / "SB-override.h5")])
    expect_same(tree, "coffee", work / "coffee.h5")
    expect_same(tree, "SB", work / "SB-override.h5")

    # A table's `series` picks its rows of a long file also when the series
    # column is set at the top level (it was ignored: the name was read).
    renamed = work / "renamed.toml"
    renamed.write_text(f"""{TOML_PLAN}csv = "{long_file}"
date_column = "ds"
target = "y"
series_column = "unique_id"

[[series]]
name = "sugar"
series = "SB"
""")
    run(arabica, ["--config", str(renamed), "--quiet", "--out", str(work / "renamed.h5")])
    with h5py.File(work / "renamed.h5", "r") as a, h5py.File(work / "SB.h5", "r") as b:
        if not (a["sugar/last_price"][()] == b["last_price"][()]).all():
            fail("series = 'SB' under top-level series_column did not read SB's rows")

    import xarray as xr
    with xr.open_datatree(tree, engine="h5netcdf") as dt:
        if list(dt.children) != ["coffee", "SB", "pooled"]:
            fail(f"DataTree children {list(dt.children)}")
        coffee = dt["coffee"].to_dataset()
        if coffee.path_mean.attrs.get("units") != "USc/lb" or coffee.sizes["q"] != 11:
            fail(f"coffee: {coffee.path_mean.attrs} {dict(coffee.sizes)}")
        if list(dt["SB"].to_dataset().model.values) != ["naive", "sarimax(0,1,1)"]:
            fail("SB's model override not in its group")

    # Exports: the statsforecast frame with one unique_id per series and the
    # simulated quantiles; the long Parquet table partitioned by series.
    store_tool = Path(__file__).resolve().parents[3] / "scripts" / "arabica_store.py"
    import pandas as pd
    subprocess.run([sys.executable, store_tool, "parquet", tree, "--out", work / "toml.parquet"], check=True)
    subprocess.run([sys.executable, store_tool, "statsforecast", tree, "--out", work / "sf.csv"], check=True)
    table = pd.read_parquet(work / "toml.parquet")
    frame = pd.read_csv(work / "sf.csv")
    with h5py.File(tree, "r") as f:
        coffee = f["coffee"]
        rows = sum(f[n]["model"].shape[0] * f[n]["cutoff"].shape[0] * f[n]["day_ahead"].shape[0]
                   for n in ("coffee", "SB"))
        if len(table) != rows or set(table.unique_id) != {"coffee", "SB"}:
            fail(f"parquet: {len(table)} rows of {set(table.unique_id)}, expected {rows}")
        one = table[(table.unique_id == "coffee") & (table.model == "sarimax(1,1,1)")]
        if not np.array_equal(one.forecast_mean.to_numpy(), coffee["forecast_mean"][0].ravel()) or \
                not np.array_equal(np.stack(one.quantiles.to_numpy()),
                                   coffee["quantiles"][0].reshape(-1, 11)) or set(one.units) != {"USc/lb"}:
            fail("parquet values differ from the store")
        median = frame[frame.unique_id == "coffee"]["sarimax(1,1,1)-q-50"].to_numpy()
        at_median = list(coffee["q"][:]).index(0.5)
        if not np.allclose(median, coffee["quantiles"][0][:, :, at_median].ravel(), rtol=1e-12):
            fail("statsforecast q-50 differs from the store")
    if set(frame.unique_id) != {"coffee", "SB"} or "SB-q-5" in frame.columns or "naive-q-5" not in frame.columns:
        fail(f"statsforecast frame: {sorted(set(frame.unique_id))} {list(frame.columns)[:12]}")

    # A finished store is chunked for reading, with its reading index: the
    # fast reader gives what the attribute-by-attribute path gives, and the
    # values xarray's own reader gives.
    sys.path.insert(0, str(store_tool.parent))
    import arabica_store
    with h5py.File(tree, "r") as f:
        if f["coffee/forecast_mean"].chunks[1] != f["coffee/cutoff"].shape[0] or \
                arabica_store.READING_INDEX not in f["coffee"].attrs:
            fail(f"not chunked for reading: {f['coffee/forecast_mean'].chunks}")
    plain = work / "no_index.h5"
    shutil.copy(tree, plain)
    with h5py.File(plain, "r+") as f:
        for name in ("coffee", "SB"):
            del f[name].attrs[arabica_store.READING_INDEX]
    fast, slow = arabica_store.read_universe(tree), arabica_store.read_universe(plain)
    with xr.open_datatree(tree, engine="h5netcdf") as dt:
        for name in ("coffee", "SB"):
            xr.testing.assert_identical(fast[name], slow[name])
            # Attributes in xarray's order (creation order), from the index
            # (the group's own too) as read one by one.
            objects = [("the group", fast[name], slow[name], dt[name])] + \
                [(v, fast[name][v], slow[name][v], dt[name][v]) for v in fast[name].variables]
            for what, a, b, c in objects:
                if not list(a.attrs) == list(b.attrs) == [k for k in c.attrs if k != arabica_store.READING_INDEX]:
                    fail(f"{name}: attributes of {what} in another order: {list(a.attrs)} {list(c.attrs)}")
            # (xarray leaves fixed-length text, failure_reason, innovations
            # and volatility, as bytes.)
            same = [v for v in fast[name].data_vars if dt[name][v].dtype.kind != "S"]
            xr.testing.assert_equal(fast[name][same], dt[name].to_dataset()[same])

    # Scores pooled across the series: stored in the group 'pooled' (every
    # scored fold of a model name, over the series that run it) and exported.
    pooled = arabica_store.read_pooled(tree)
    if pooled.attrs["series"] != '["coffee","SB"]' or list(pooled.model.values) != \
            ["sarimax(1,1,1)", "naive", "drift", "sarimax(0,1,1)"]:
        fail(f"pooled: {pooled.attrs['series']} {list(pooled.model.values)}")
    for model in ("naive", "sarimax(1,1,1)"):
        counted = sum(float(fast[name].n_scored_overall.sel(model=model)) for name in ("coffee", "SB")
                      if model in fast[name].model.values)
        if float(pooled.n_scored_overall.sel(model=model)) != counted:
            fail(f"pooled {model}: {pooled.sel(model=model)}")
    # (naive forecasts no move: it has no directional accuracy.)
    if not 0 < float(pooled.directional_accuracy_overall.sel(model="sarimax(1,1,1)")) < 1:
        fail(f"pooled directional accuracy {pooled.directional_accuracy_overall.values}")
    subprocess.run([sys.executable, store_tool, "pooled", tree, "--out", work / "pooled.csv"], check=True)
    if len(pd.read_csv(work / "pooled.csv")) != pooled.sizes["model"] * (pooled.sizes["day_ahead"] + 1):
        fail("pooled export rows")

    # Bad universes: one line, exit 2, nothing written.
    text = toml.read_text()
    bad = work / "bad.toml"
    for old, new, fragment in (('target = "A"', 'target = "Z"', "missing column 'Z'"),
                               ('name = "SB"', 'name = "coffee"', "series 'coffee' listed twice"),
                               (f'csv = "{wide_file}"', 'csv = "nowhere.csv"', "nowhere.csv"),
                               ('units =', 'unit =', "unknown key 'unit'"),
                               # a blank units attribute broke the store's contract (exit 1)
                               ('units = "USc/lb"', 'units = ""', "units must not be blank"),
                               # a long file's series id without the long file's column
                               ('units = "USc/lb"', 'units = "USc/lb"\nseries = "KC"',
                                "'series' picks a series' rows of a long file: it needs 'series_column'")):
        bad.write_text(text.replace(old, new, 1))
        expect_refused(arabica, ["--config", str(bad), "--quiet"], work / "bad.h5", fragment)
    expect_refused(arabica, [*universe, "--series", "KC,XX"], work / "bad.h5", "'XX'")
    # --series picks a universe file's series by name (it was ignored: every
    # series ran); an unknown name is refused.
    picked = work / "picked.h5"
    run(arabica, ["--config", str(toml), "--quiet", "--series", "SB", "--out", str(picked)])
    with h5py.File(picked, "r") as f:
        if json.loads(f.attrs["series"]) != ["SB"]:
            fail(f"--series SB ran {f.attrs['series']}")
    differences = compare(str(picked), str(tree), "SB", "SB")
    if differences:
        fail(f"--series SB differs from the whole file's SB: {differences[:5]}")
    expect_refused(arabica, ["--config", str(toml), "--quiet", "--series", "SB,XX"], work / "bad.h5",
                   f"--series: no series 'XX' in {toml}")
    # A name given twice is refused, as with a long file (it ran once).
    expect_refused(arabica, ["--config", str(toml), "--quiet", "--series", "SB,SB"], work / "bad.h5",
                   "--series: series 'SB' given twice")
    expect_refused(arabica, [*universe, "--series", "KC,KC"], work / "bad.h5", "--series: series 'KC' given twice")
    # One series' configuration changed: refused by name, the store untouched.
    before = tree.read_bytes()
    bad.write_text(text.replace('model = ["naive", "sarimax:0,1,1"]', 'model = ["naive"]'))
    done = run(arabica, ["--config", str(bad), "--quiet", "--out", str(tree)], expect=2)
    if ("(series SB): was written with another configuration (models differ)" not in done.stderr
            or tree.read_bytes() != before):
        fail(f"a changed series was not refused, or the store changed: {done.stderr!r}")

    # A series too short for the plan fails open; the others run.
    done = run(arabica, [*universe, "--min-rows", "270", "--out", str(work / "open.h5")])
    if "series SB: 257 rows after cleaning, need at least 270 (not run)" not in done.stderr:
        fail(f"no reason for SB: {done.stderr}")
    expect_same(work / "open.h5", "KC", work / "KC.h5")
    print("universe backfill: OK")
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
