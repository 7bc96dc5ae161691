#!/usr/bin/env python3
"""SIGKILL a running `arabica backfill` at random moments, resume it each
time, and check the finished store equals an uninterrupted run's.

    backfill_kill_resume.py ARABICA DATA.csv WORKDIR [KILLS]

Exit 0 when equal and at least KILLS (default 6) kills landed while the run
was writing folds; 1 otherwise.
"""
from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from compare_backfills import compare  # noqa: E402

# Enough work per fold (3 models x 4,000 paths) for kills to land mid-run.
ARGS = ["--exog", "rain,brl_usd", "--min-train-rows", "60", "--schedule", "every_row",
        "--model", "sarimax,naive,drift", "--paths", "4000", "--stored-paths", "16",
        "--innovations", "student_t", "--threads", "2", "--quiet"]


def backfill(arabica: str, data: str, out: Path) -> subprocess.Popen:
    return subprocess.Popen([arabica, "backfill", "--csv", data, *ARGS, "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def complete_folds(out: Path) -> int:
    import h5py
    try:
        with h5py.File(out, "r", swmr=True) as f:
            return int(f["fold_complete"][()].sum())
    except OSError:
        return -1


def main(arabica: str, data: str, workdir: str, kills: str = "6") -> int:
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    reference, killed = work / "uninterrupted.h5", work / "killed.h5"
    for path in (reference, killed):
        path.unlink(missing_ok=True)

    start = time.perf_counter()
    run = backfill(arabica, data, reference)
    _, err = run.communicate()
    duration = time.perf_counter() - start
    if run.returncode != 0:
        print(f"uninterrupted run failed ({run.returncode}): {err}")
        return 1
    print(f"uninterrupted run: {duration:.2f} s")

    seed = int(time.time())
    rng = random.Random(seed)
    print(f"kill times drawn with seed {seed}")
    total = complete_folds(reference)
    landed = trials = 0
    while landed < int(kills) and trials < 3 * int(kills):
        # A fresh store, killed at random moments until a run gets to finish,
        # then resumed to the end and compared.
        trials += 1
        killed.unlink(missing_ok=True)
        while True:
            remaining = 1.0 - max(complete_folds(killed), 0) / total
            run = backfill(arabica, data, killed)
            # Anywhere in what is left: startup, folds, final scoring.
            time.sleep(rng.uniform(0.0, 1.0) * (0.05 + remaining) * duration)
            alive = run.poll() is None
            run.kill()  # SIGKILL
            run.wait()
            if not alive:
                break
            landed += 1
            print(f"trial {trials}: kill {landed} mid-run, {complete_folds(killed)} of {total} folds "
                  f"committed")
        run = backfill(arabica, data, killed)
        _, err = run.communicate()
        if run.returncode != 0:
            print(f"resumed run failed ({run.returncode}): {err}")
            return 1
        differences = compare(str(reference), str(killed))
        for line in differences:
            print(line)
        if differences:
            return 1
        print(f"trial {trials}: resumed store identical to the uninterrupted run")
    if landed < int(kills):
        print(f"only {landed} kills landed mid-run")
        return 1
    print(f"{landed} SIGKILLs, then a resume: identical to the uninterrupted run")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
