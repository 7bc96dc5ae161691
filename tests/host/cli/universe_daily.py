#!/usr/bin/env python3
"""Daily production on a universe store (issue 16 over issue 15's layout).

Three series with their own calendars (universe_backfill.py's long file:
KC every row, SB without every 7th row, CC starting 40 rows later):

  * extension: a universe backfilled to MIDDLE and rerun to END equals one
    run to END, group for group, bit for bit; the rerun keeps the committed
    folds; so does an extension by two shards and a merge (the shards run
    only the new folds) and, with MPIRUN, under `mpirun -np 2`; a changed
    option is refused naming the series and the key, the store untouched;
  * `arabica daily` over 8 mornings of the long file (one more row a
    morning, --refit weekly, --registry-cov opg) gives the store of one
    universe backfill over those cutoffs; a series without a row today says
    so (status=no-cutoff); today's forecast.csv / distribution.csv per series
    ({series} in the path); a model made to fail one morning is recorded and
    retried the next; a repeated morning changes nothing; the run log holds
    one record per morning with every series;
  * `arabica models` lists the universe's registry per series, with each
    sarimax refit's parameter covariance: symmetric, positive variances,
    and standard errors that `arabica fit --cov-type opg` on the refit's
    training window reproduces; arabica_store.read_registry reads the same
    matrices.

    universe_daily.py ARABICA CSV WORKDIR [MPIRUN]
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import arabica_store  # noqa: E402
from compare_backfills import compare  # noqa: E402
from universe_backfill import write_inputs  # noqa: E402

SERIES = ("KC", "SB", "CC")
LONG = ["--date-column", "ds", "--target", "y", "--series-column", "unique_id", "--exog", "rain,brl_usd"]
EXTENSION = ["--start", "2022-09-01", "--min-train-rows", "150", "--schedule", "weekly", "--refit", "monthly",
             "--model", "sarimax,naive", "--paths", "200", "--stored-paths", "2", "--quiet"]
MIDDLE, END = "2022-12-02", "2023-02-24"
DAYS, FAIL_DAY = 8, 4  # FAIL_DAY (1-based): this morning naive fails


def fail(message: str) -> None:
    print(f"FAIL: {message}")
    sys.exit(1)


def run(arabica: str, command: str, args: list[str], expect: int = 0, env: dict | None = None,
        launch: list[str] | None = None) -> subprocess.CompletedProcess:
    env = dict(env or os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    done = subprocess.run([*(launch or []), arabica, command, *args], capture_output=True, text=True, env=env)
    if done.returncode != expect:
        fail(f"{command} {args}: exit {done.returncode}, expected {expect}\n{done.stdout}\n{done.stderr}")
    return done


def expect_same(a: Path, b: Path, what: str) -> None:
    for name in SERIES:
        differences = compare(str(a), str(b), name, name)
        if differences:
            fail(f"{what}: series {name}: {differences[:5]}")


def folds_run(stdout: str) -> int:
    """Folds run: the sum of the universe summaries' "N folds of 3 series run in" lines."""
    return sum(int(n) for n in re.findall(r"^(\d+) folds of \d+ series run in", stdout, re.M))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def extension(arabica: str, long_file: Path, work: Path, mpirun: str | None) -> None:
    data = ["--csv", str(long_file), *LONG, *EXTENSION]
    universe = [*data, "--threads", "2"]
    once = work / "once.h5"
    run(arabica, "backfill", [*universe, "--end", END, "--out", str(once)])
    middle = work / "middle.h5"
    run(arabica, "backfill", [*universe, "--end", MIDDLE, "--out", str(middle)])

    extended = work / "extended.h5"
    shutil.copy(middle, extended)
    done = run(arabica, "backfill", [*universe, "--end", END, "--out", str(extended)])
    expect_same(extended, once, "extended to END")
    ran = folds_run(done.stdout)
    kept = [int(line.split()[-1]) for line in done.stdout.splitlines()
            if line.split()[:1] in (["KC"], ["SB"], ["CC"]) and len(line.split()) == 6]
    if not kept or min(kept) == 0 or ran == 0:
        fail(f"the extension kept no fold or ran none:\n{done.stdout}")
    again = run(arabica, "backfill", [*universe, "--end", END, "--out", str(extended)])
    if folds_run(again.stdout) != 0:
        fail(f"a rerun of the extended universe ran folds:\n{again.stdout}")

    # Two shards and a merge: the shards start from the deliverable's folds.
    sharded = work / "sharded.h5"
    shutil.copy(middle, sharded)
    shard_runs = 0
    for k in ("0", "1"):
        shard_runs += folds_run(run(arabica, "backfill", [*universe, "--end", END, "--out", str(sharded),
                                                          "--shard", k, "--num-shards", "2"]).stdout)
    run(arabica, "backfill", [*universe, "--end", END, "--out", str(sharded), "--num-shards", "2", "--merge"])
    expect_same(sharded, once, "extended by two shards and a merge")
    if shard_runs != ran:
        fail(f"the shards ran {shard_runs} folds, the new folds are {ran}")

    if mpirun:
        by_mpi = work / "mpi.h5"
        shutil.copy(middle, by_mpi)
        run(arabica, "backfill", [*data, "--threads", "1", "--end", END, "--out", str(by_mpi)],
            launch=[mpirun, "-np", "2", "--oversubscribe"])
        expect_same(by_mpi, once, "extended under mpirun -np 2")
    else:
        print("mpirun not given: the MPI case is not run")

    # Any other change is refused by series and key; nothing is written.
    before = sha(extended)
    done = run(arabica, "backfill", [*universe, "--end", END, "--seed", "7", "--out", str(extended)], expect=2)
    line = done.stderr.strip()
    if len(line.splitlines()) != 1 or "series KC" not in line or "seed differ" not in line:
        fail(f"a changed --seed: {done.stderr!r}")
    if sha(extended) != before:
        fail("a refused extension changed the store")
    print(f"universe extended to {END} (by one run, two shards{' and mpirun' if mpirun else ''}) equals one run; "
          f"{ran} new folds run, the rest kept")


def daily(arabica: str, long_file: Path, work: Path) -> None:
    table = pd.read_csv(long_file, dtype=str)
    days = sorted(table[table.unique_id == "KC"].ds)[-DAYS:]
    day_file, store, outputs = work / "day.csv", work / "daily.h5", work / "today"
    outputs.mkdir()  # its series' directories are made by the run
    common = ["--csv", str(day_file), *LONG, "--start", days[0], "--min-train-rows", "150", "--refit", "weekly",
              "--model", "sarimax,naive", "--paths", "200", "--stored-paths", "5", "--registry-cov", "opg",
              "--threads", "2", "--quiet"]
    today_files = ["--forecast-csv", str(outputs / "{series}" / "forecast.csv"),
                   "--distribution-csv", str(outputs / "{series}" / "distribution.csv")]
    # A universe's outputs are one file per series.
    table.to_csv(day_file, index=False)
    done = run(arabica, "daily", [*common, "--out", str(work / "refused.h5"),
                                  "--forecast-csv", str(work / "forecast.csv")], expect=2)
    if len(done.stderr.strip().splitlines()) != 1 or "--forecast-csv" not in done.stderr:
        fail(f"--forecast-csv without {{series}}: {done.stderr!r}")
    if (work / "refused.h5").exists():
        fail("a refused daily run wrote its store")

    for k, day in enumerate(days):
        table[table.ds <= day].to_csv(day_file, index=False)
        env = dict(os.environ)
        if k + 1 == FAIL_DAY:
            env["ARABICA_FAULT_FAIL_FOLDS"] = f"{k}:naive"
        done = run(arabica, "daily", [*common, "--out", str(store), *today_files], env=env)
        status = {}
        for line in done.stdout.splitlines():
            found = re.match(rf"daily {day} series=(\w+)(?: model=(\S+))? status=(\S+)", line)
            if found:
                status[(found.group(1), found.group(2))] = found.group(3)
        for name in SERIES:
            has_row = ((table.unique_id == name) & (table.ds == day)).any()
            if not has_row:
                if status.get((name, None)) != "no-cutoff":
                    fail(f"{day}: {name} has no row today but no no-cutoff line:\n{done.stdout}")
                continue
            naive = status.get((name, "naive"))
            # The injected failure is by fold index: KC's fold of the day,
            # and the fold of that index of the other series where it is today's.
            if k + 1 == FAIL_DAY:
                if (name == "KC" and naive != "failed") or status.get((name, "sarimax(1,1,1)")) in (None, "failed"):
                    fail(f"{day}: the injected failure: {status}")
            elif naive in (None, "failed") or status.get((name, "sarimax(1,1,1)")) in (None, "failed"):
                fail(f"{day}: {name}: {status}\n{done.stdout}")
            forecast = pd.read_csv(outputs / name / "forecast.csv")
            if set(forecast.data_cutoff_date) != {day}:
                fail(f"{day}: {name}'s forecast.csv has cutoffs {set(forecast.data_cutoff_date)}")
            models = 1 if naive == "failed" else 2
            if len(pd.read_csv(outputs / name / "distribution.csv")) != 5 * models:
                fail(f"{day}: {name}'s distribution.csv")
        if f"daily {day} summary: " not in done.stdout:
            fail(f"{day}: no summary line:\n{done.stdout}")

    before = sha(store)
    again = run(arabica, "daily", [*common, "--out", str(store)])
    if "nothing changed" not in again.stdout or sha(store) != before:
        fail(f"a repeated morning: {again.stdout}")

    once = work / "daily_once.h5"
    run(arabica, "backfill", [*common, "--out", str(once)])
    expect_same(store, once, f"{DAYS} mornings of arabica daily")
    with h5py.File(store, "r") as f:
        log = json.loads(f.attrs["run_log"])
    if [r["date"] for r in log] != days or any(set(r["series"]) != set(SERIES) for r in log):
        fail(f"run log: {[(r['date'], sorted(r.get('series', {}))) for r in log]}")
    if log[FAIL_DAY - 1]["series"]["KC"]["models"]["naive"] != "failed" or log[FAIL_DAY - 1]["failed"] < 1:
        fail(f"run log of the failing morning: {log[FAIL_DAY - 1]}")
    print(f"{DAYS} mornings of arabica daily on a 3-series universe equal one backfill over their cutoffs")
    universe_file(arabica, day_file, days, work)
    registry(arabica, store, day_file, work)


def universe_file(arabica: str, day_file: Path, days: list[str], work: Path) -> None:
    """`arabica daily --config` with [[series]] tables (it was refused as a
    backfill-only file) runs the morning the long file's options run; a
    series whose data end before the first cutoff fails open (it stopped
    the run); a --date past the data says so per series."""
    table = pd.read_csv(day_file, dtype=str)
    early = work / "early.csv"
    table[(table.unique_id == "KC") & (table.ds < days[0])].to_csv(early, index=False)
    series = "".join(f"""
[[series]]
name = "{name}"
csv = "{day_file}"
series_column = "unique_id"
""" for name in SERIES)
    (work / "daily.toml").write_text(f"""date_column = "ds"
target = "y"
exog = ["rain", "brl_usd"]
start = {days[0]}
min_train_rows = 150
refit = "weekly"
model = ["sarimax", "naive"]
paths = 200
{series}
[[series]]
name = "early"
csv = "{early}"
series_column = "unique_id"
series = "KC"
""")
    by_file, by_options = work / "daily_toml.h5", work / "daily_options.h5"
    done = run(arabica, "daily", ["--config", str(work / "daily.toml"), "--quiet", "--out", str(by_file)])
    if f"series early: its data end {table[table.unique_id == 'KC'].ds[table.ds < days[0]].max()}, before the " \
       f"first cutoff {days[0]} (not run)" not in done.stderr:
        fail(f"the series that ends early: {done.stderr!r}")
    run(arabica, "daily", ["--csv", str(day_file), *LONG, "--start", days[0], "--min-train-rows", "150",
                           "--refit", "weekly", "--model", "sarimax,naive", "--paths", "200", "--quiet",
                           "--out", str(by_options)])
    expect_same(by_file, by_options, "daily --config with [[series]]")
    before = sha(by_file)
    last = max(days)
    later = (pd.Timestamp(last) + pd.Timedelta(days=20)).date().isoformat()
    done = run(arabica, "daily", ["--config", str(work / "daily.toml"), "--quiet", "--out", str(by_file),
                                  "--date", later])
    if (f"series KC: the last row on or before {later} is {last}, 20 days earlier" not in done.stderr
            or "nothing changed" not in done.stdout or sha(by_file) != before):
        fail(f"a --date past the data: {done.stdout!r} {done.stderr!r}")
    print("daily --config with [[series]] equals the long file's options; a series ending early fails open")


def registry(arabica: str, store: Path, day_file: Path, work: Path) -> None:
    """The universe's registry, with each sarimax refit's covariance."""
    done = run(arabica, "models", [str(store), "--csv", str(work / "registry.csv")])
    listed = pd.read_csv(work / "registry.csv", keep_default_na=False)
    if set(listed.series) != set(SERIES) or "of 3 series" not in done.stdout:
        fail(f"models: series {set(listed.series)}\n{done.stdout[-300:]}")
    sarimax = listed[listed.model == "sarimax(1,1,1)"]
    if (listed[listed.model == "naive"].param_cov != "").any() or (sarimax.param_cov == "").any():
        fail("param_cov: recorded for naive or missing for sarimax")
    row = sarimax[sarimax.series == "KC"].iloc[-1]
    names = [pair.split("=")[0] for pair in row.params.split()]
    cov = np.array([float(v) for v in row.param_cov.split()]).reshape(len(names), len(names))
    if not np.allclose(cov, cov.T, rtol=1e-10, atol=0) or (np.diag(cov) <= 0).any():
        fail(f"param_cov not a covariance: {cov}")
    # Python's registry: the same matrix.
    table = arabica_store.read_registry(str(store))
    same = table[(table.series == "KC") & (table.model == "sarimax(1,1,1)")]
    if len(same) != len(sarimax[sarimax.series == "KC"]) or not np.array_equal(same.iloc[-1].param_cov, cov):
        fail(f"read_registry's param_cov: {same.iloc[-1].param_cov} != {cov}")
    if table[table.model == "naive"].param_cov.notna().any():
        fail("read_registry: naive has a param_cov")
    # Reading only the long table's variables gives the same long table.
    part = arabica_store.read_universe(str(store), variables=arabica_store.LONG_TABLE_VARIABLES)
    pd.testing.assert_frame_equal(arabica_store.to_long_table(part),
                                  arabica_store.to_long_table(arabica_store.read_universe(str(store))))
    if "param_cov" in part["KC"] or "llf" in part["KC"]:
        fail("read_universe(variables=...) read other variables")
    # The refit's window, fitted by `arabica fit`: the same standard errors.
    table = pd.read_csv(day_file, dtype=str)
    window = table[(table.unique_id == "KC") & (table.ds >= row.train_start) & (table.ds <= row.trained_on)]
    window.to_csv(work / "window.csv", index=False)
    fitted = run(arabica, "fit", ["--csv", str(work / "window.csv"), *LONG, "--series", "KC", "--cov-type", "opg",
                                  "--json", str(work / "fit.json")])
    se = json.loads((work / "fit.json").read_text())["standard_errors"]
    if len(window) != int(row.train_rows) or not np.allclose(np.sqrt(np.diag(cov)), se, rtol=1e-2):
        fail(f"registry standard errors {np.sqrt(np.diag(cov))} != arabica fit's {se} ({fitted.stdout[-200:]})")
    print(f"models: {len(listed)} refits of 3 series; KC's last refit's standard errors match arabica fit")


def main(arabica: str, source: str, workdir: str, mpirun: str | None = None) -> int:
    work = Path(workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    long_file, _ = write_inputs(Path(source), work)
    extension(arabica, long_file, work, mpirun)
    daily(arabica, long_file, work)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
