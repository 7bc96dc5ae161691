#!/usr/bin/env python3
"""A store extended to a later --end by shards (--shard K --num-shards 2,
then --merge) or under `mpirun -np 2` equals one run to that end, fold for
fold, and the shards run only the new folds: a shard's new store starts
from the deliverable's kept folds (issue 16). Rerun once finished, the
shards run nothing; the shard stores of the earlier run are extended too.

    sharded_extension.py ARABICA CSV WORKDIR [MPIRUN]
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from compare_backfills import compare  # noqa: E402
import h5py  # noqa: E402
import numpy as np  # noqa: E402

PLAN = ["--target", "close", "--exog", "rain,brl_usd", "--start", "2022-06-01", "--min-train-rows", "100",
        "--schedule", "weekly", "--model", "sarimax,naive", "--paths", "200", "--stored-paths", "2",
        "--threads", "1", "--quiet"]
MIDDLE, END = "2022-10-31", "2023-02-24"


def run(arabica: str, args: list[str], launch: list[str] | None = None) -> str:
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    done = subprocess.run([*(launch or []), arabica, "backfill", *args], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        print(f"FAIL: {args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
        sys.exit(1)
    return done.stdout


def folds_run(stdout: str) -> int:
    """Folds the shards ran: the sum of their "N folds run in" lines."""
    return sum(int(n) for n in re.findall(r"^(\d+) folds run in", stdout, re.M))


def expect_same(a: Path, b: Path, what: str) -> None:
    differences = compare(str(a), str(b))
    if differences:
        print(f"FAIL: {what}: {differences[:5]}")
        sys.exit(1)


def main(arabica: str, csv: str, workdir: str, mpirun: str | None = None) -> int:
    work = Path(workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    data = ["--csv", csv, *PLAN]
    once = work / "once.h5"
    run(arabica, [*data, "--end", END, "--out", str(once)])
    total = int(re.search(r"^(\d+) folds run in", run(arabica, [*data, "--end", END, "--out",
                                                                str(work / "count.h5")]), re.M).group(1))
    middle = work / "middle.h5"
    first = folds_run(run(arabica, [*data, "--end", MIDDLE, "--out", str(middle)]))
    assert 0 < first < total, (first, total)

    # Two shard processes and a merge extend the store to END.
    store = work / "sharded.h5"
    shutil.copy(middle, store)
    shards = "".join(run(arabica, [*data, "--end", END, "--shard", str(k), "--num-shards", "2",
                                   "--out", str(store)]) for k in range(2))
    if folds_run(shards) != total - first:
        print(f"FAIL: the shards ran {folds_run(shards)} folds, expected the {total - first} new ones")
        return 1
    run(arabica, [*data, "--end", END, "--num-shards", "2", "--merge", "--out", str(store)])
    expect_same(store, once, "extended by shards")
    # Again, finished: nothing to run; then the shard stores extended in turn.
    rerun = "".join(run(arabica, [*data, "--end", END, "--shard", str(k), "--num-shards", "2",
                                  "--out", str(store)]) for k in range(2))
    assert folds_run(rerun) == 0, rerun
    print(f"shards extended {first} folds to {total} (ran {total - first}), equal to one run; a rerun ran none")

    # A sharded run to MIDDLE, then to END: each shard extends its own store.
    store = work / "twice.h5"
    for end in (MIDDLE, END):
        ran = folds_run("".join(run(arabica, [*data, "--end", end, "--shard", str(k), "--num-shards", "2",
                                              "--out", str(store)]) for k in range(2)))
        run(arabica, [*data, "--end", end, "--num-shards", "2", "--merge", "--out", str(store)])
    expect_same(store, once, "a sharded run extended by shards")
    assert ran < total, (ran, total)
    print(f"a sharded run to {MIDDLE} extended by shards to {END} (ran {ran} of {total}) equals one run")

    # A shard store that left folds uncommitted (a killed shard; here its
    # first two committed flags cleared): the merge names the --shard to
    # run again; that run and a second merge make the store whole.
    store = work / "partial.h5"
    for k in range(2):
        run(arabica, [*data, "--end", END, "--shard", str(k), "--num-shards", "2", "--out", str(store)])
    with h5py.File(f"{store}.shard-0-of-2", "r+") as f:
        cleared = [int(i) for i in np.flatnonzero(f["fold_complete"][()] == 1)[:2]]
        for i in cleared:
            f["fold_complete"][i] = 0
    merge = [*data, "--end", END, "--num-shards", "2", "--merge", "--out", str(store)]
    said = subprocess.run([arabica, "backfill", *merge], capture_output=True, text=True)
    if said.returncode != 0 or f"arabica: warning: 2 of {total} folds are in no shard store (first: fold " \
            f"{cleared[0]}, cutoff " not in said.stderr or \
            "this run's partition gives them to --shard 0 of --num-shards 2: run it again" not in said.stderr:
        print(f"FAIL: a merge missing two folds: exit {said.returncode}, {said.stderr!r}")
        return 1
    run(arabica, [*data, "--end", END, "--shard", "0", "--num-shards", "2", "--out", str(store)])
    run(arabica, merge)
    expect_same(store, once, "merged again after the shard missing two folds ran again")
    print("a merge missing two folds named the shard; rerun and merged again, the store equals one run")

    if mpirun:
        store = work / "mpi.h5"
        shutil.copy(middle, store)
        stdout = run(arabica, [*data, "--end", END, "--out", str(store)],
                     launch=[mpirun, "-np", "2", "--oversubscribe", "--bind-to", "none"])
        expect_same(store, once, "extended under mpirun -np 2")
        print("mpirun -np 2 extended the store to the same result")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
