#!/usr/bin/env python3
"""`mpirun -np 2 arabica backfill` on the real coffee data: the merged store
equals a single-process run fold for fold (bit-identical statistics, same
random streams); killing one rank mid-run, then SIGTERM to mpirun during the
rerun (the job ends within a minute, no committed fold lost), and rerunning
finishes without recomputing the folds already committed.

    mpi_backfill.py ARABICA MPIRUN DATA_DIR WORKDIR

Exit 77 (skipped) without the coffee file.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from compare_backfills import compare  # noqa: E402

EXOG = "wx_temperature_2m_max_wavg,wx_precipitation_sum_wavg,wx_wind_speed_10m_max_wavg,brl_usd,inr_usd"
RANKS = 2


def committed(path: Path) -> int:
    # A SWMR reader without HDF5's file lock: a locked open is refused while
    # the writer holds the file, which hid progress until the shards closed.
    import h5py
    try:
        with h5py.File(path, "r", swmr=True, locking=False) as f:
            return int(f["fold_complete"][()].sum())
    except (OSError, KeyError):
        return 0


def main(arabica: str, mpirun: str, data_dir: str, workdir: str) -> int:
    csv = Path(data_dir) / "coffee_kc_daily_features_2015_2024.csv"
    if not csv.exists():
        print(f"skipped: no {csv}")
        return 77
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("*.h5*"):
        old.unlink()
    args = ["backfill", "--csv", str(csv), "--exog", EXOG, "--start", "2020-12-01",
            "--end", "2024-12-31", "--schedule", "weekly", "--model", "sarimax,naive,drift",
            "--paths", "10000", "--stored-paths", "8", "--innovations", "student_t",
            "--threads", "1", "--quiet"]
    # Root in a container needs OpenMPI's consent; 2 ranks on fewer cores need
    # --oversubscribe.
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    launch = [mpirun, "-np", str(RANKS), "--oversubscribe", arabica]

    single = work / "single.h5"
    subprocess.run([arabica, *args, "--out", str(single)], check=True, stdout=subprocess.DEVNULL)
    merged = work / "merged.h5"
    subprocess.run([*launch, *args, "--out", str(merged)], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    differences = compare(str(single), str(merged))
    for line in differences:
        print(line)
    if differences:
        return 1
    print(f"mpirun -np {RANKS}: merged store equals the single-process run")

    # Kill rank 1 once both shards have committed folds, then rerun.
    killed = work / "killed.h5"
    shards = [Path(f"{killed}.shard-{k}-of-{RANKS}") for k in range(RANKS)]
    job = subprocess.Popen([*launch, *args, "--out", str(killed)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.time() + 120
    # (no wait for the ranks' first line: under mpirun it can arrive only at exit;
    # committed() reads without a lock, so polling cannot disturb a writer)
    while min(committed(s) for s in shards) < 10 and job.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    ranks = subprocess.run(["ps", "-o", "pid=", "--ppid", str(job.pid)], capture_output=True,
                           text=True).stdout.split()
    if job.poll() is not None or len(ranks) != RANKS:
        print(f"the job ended before a rank could be killed (ranks seen: {ranks})")
        return 1
    os.kill(int(ranks[-1]), 9)
    job.communicate()
    before = [committed(s) for s in shards]
    total = 212
    print(f"killed one rank: {before} folds committed per shard, merged store: "
          f"{'absent' if not killed.exists() else committed(killed)}")
    if sum(before) >= total:
        print("every fold was already committed: the kill came too late")
        return 1

    # SIGTERM to mpirun once the rerun has committed more: mpirun forwards it;
    # each rank stops taking folds, commits those in flight and prints its one
    # line, unless OpenMPI's SIGKILL (odls_base_sigkill_timeout, 1 s) comes
    # first. Either way the job ends (no hang in the closing collective) and
    # no committed fold is lost.
    job = subprocess.Popen([*launch, *args, "--out", str(killed)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    # (no wait for the ranks' first line: under mpirun it can arrive only at exit;
    # committed() reads without a lock, so polling cannot disturb a writer)
    while (sum(committed(s) for s in shards) < sum(before) + 2 * RANKS and job.poll() is None
           and time.time() < deadline):
        time.sleep(0.05)
    if job.poll() is not None:
        print("the rerun ended before it could be interrupted")
        return 1
    job.send_signal(signal.SIGTERM)
    try:
        _, err = job.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        job.kill()
        print("mpirun did not end within 60 s of SIGTERM")
        return 1
    lines = re.findall(r"^interrupted: \d+ folds committed; rerun the same command to resume$",
                       err, re.M)
    after = [committed(s) for s in shards]
    print(f"SIGTERM: {len(lines)} ranks reported, {after} folds committed per shard")
    if len(lines) > RANKS or any(a < b for a, b in zip(after, before)):
        print(f"expected at most one interrupted line per rank and no lost fold: {err!r}")
        return 1
    before = after
    rerun = subprocess.run([*launch, *args, "--out", str(killed)], env=env, check=True,
                           capture_output=True, text=True).stdout
    run_counts = [int(n) for n in re.findall(r"^(\d+) folds run in", rerun, re.M)]
    print(f"rerun computed {run_counts} folds per rank")
    if f"{RANKS} ranks' values handed over in memory" not in rerun:
        print("the ranks' values (their earlier folds too) were read back from their shards")
        return 1
    if sum(run_counts) != total - sum(before):
        print(f"expected {total - sum(before)} folds recomputed, got {sum(run_counts)}")
        return 1
    differences = compare(str(single), str(killed))
    for line in differences:
        print(line)
    if differences:
        return 1
    print("rerun after the kill: no finished fold recomputed, merged store equals the single run")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
