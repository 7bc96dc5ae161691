#!/usr/bin/env python3
"""Fault injection for `arabica backfill` (ctest label `fault`).

    fault_injection.py CASE ARABICA DATA.csv WORKDIR

signals  SIGTERM and SIGINT right after start, once the store exists, after
         some folds and once all are committed: exit 143/130 with exactly one
         stderr line `interrupted: N folds committed; rerun the same command
         to resume` (N = folds this run committed); reruns resume, and the
         finished store equals an uninterrupted run fold for fold.
merge    two shard stores (one interrupted and resumed), then `--merge`
         stopped by SIGTERM and SIGINT at seeded moments: rerunning the merge
         succeeds and equals the single-process run (SIGKILLs during a merge:
         backfill_kill_resume.py).
retry    folds made to fail (test hook ARABICA_FAULT_FAIL_FOLDS) are retried
         by a rerun: failing again keeps the failed records; succeeding gives
         the uninterrupted run's store, recomputing only the failed folds (and
         the folds whose fit or warm start depended on them).

Exit 0 when every check holds, 1 otherwise (the first failure is printed).
"""
from __future__ import annotations

import os
import random
import re
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backfill_faults import (Failure, check, committed, failed_folds, finish,  # noqa: E402
                             interrupted_folds, same_store, signal_name, start,
                             wait_for_open_store, wait_until)

# 121 folds x 3 models, small enough for the whole suite to take seconds;
# signals and merges get enough paths per fold to land mid-run.
RUN = ["--exog", "rain,brl_usd", "--min-train-rows", "180", "--model", "sarimax,naive,drift",
       "--stored-paths", "4", "--innovations", "student_t", "--threads", "2", "--quiet"]
SLOW = ["--paths", "4000"]
FAST = ["--paths", "500"]
SEED = int(os.environ.get("ARABICA_TEST_SEED", "20261205"))


def complete_run(arabica: str, args: list[str], what: str, env: dict | None = None) -> str:
    rc, out, err = finish(start(arabica, args, env))
    check(rc == 0, f"{what}: exit {rc}: {err.strip()[-500:]}")
    return out


def folds_run(stdout: str) -> int:
    return sum(int(n) for n in re.findall(r"^(\d+) folds run in", stdout, re.M))


def interrupt(arabica: str, args: list[str], store: Path, sig: int, point: str,
              total: int) -> None:
    """One run of `args` signalled at `point`; checks its exit and message."""
    before = max(committed(store), 0)
    run = start(arabica, args)
    if point == "start":
        pass  # at once: possibly before the handlers exist
    elif point == "store":
        wait_until(run, lambda: store.exists())
    elif point == "end":
        wait_for_open_store(run) and wait_until(run, lambda: committed(store) >= total)
    else:  # "folds:K": once K more folds are committed
        target = before + int(point.split(":")[1])
        check(wait_for_open_store(run) and wait_until(run, lambda: committed(store) >= target),
              f"{point}: the run ended before {target} folds were committed")
    run.send_signal(sig)
    rc, _, err = finish(run)
    after = max(committed(store), 0)
    what = f"{signal_name(sig)} at {point}"
    print(f"{what}: exit {rc}, {after - before} folds committed by this run, {after} in all")
    if rc == -sig:  # arrived before the handler was installed: default action
        check(point == "start" and err == "", f"{what}: died of the signal ({err.strip()})")
        check(after == before, f"{what}: folds committed by a run that died at start")
        return
    if rc == 0:  # the run had finished its folds and its outputs already
        check(point == "end", f"{what}: exit 0, but the signal came before the last fold")
        return
    check(rc == 128 + sig, f"{what}: exit {rc}, expected {128 + sig}; stderr: {err.strip()}")
    n = interrupted_folds(err)
    check(n is not None, f"{what}: stderr is not exactly the one interrupted line: {err!r}")
    check(n == after - before, f"{what}: message says {n} folds, the store gained {after - before}")


def case_signals(arabica: str, data: str, work: Path) -> None:
    reference = work / "reference.h5"
    args = ["--csv", data, *RUN, *SLOW]
    complete_run(arabica, [*args, "--out", str(reference)], "uninterrupted run")
    total = committed(reference)
    for sig in (signal.SIGTERM, signal.SIGINT):
        store = work / f"{signal_name(sig)}.h5"
        for point in ("start", "store", "folds:10", "folds:40", "end"):
            if point in ("start", "store"):
                store.unlink(missing_ok=True)  # signalled while the store is created
            interrupt(arabica, [*args, "--out", str(store)], store, sig, point, total)
        complete_run(arabica, [*args, "--out", str(store)], f"{signal_name(sig)}: resume")
        same_store(reference, store, f"{signal_name(sig)}: resumed store")
        print(f"{signal_name(sig)}: resumed store equals the uninterrupted run")


def case_merge(arabica: str, data: str, work: Path) -> None:
    reference, out = work / "reference.h5", work / "merged.h5"
    args = ["--csv", data, *RUN, *SLOW]
    complete_run(arabica, [*args, "--out", str(reference)], "uninterrupted run")
    total = committed(reference)
    shard = [*args, "--num-shards", "2", "--out", str(out)]
    complete_run(arabica, [*shard, "--shard", "0"], "shard 0")
    shard1 = Path(f"{out}.shard-1-of-2")
    interrupt(arabica, [*shard, "--shard", "1"], shard1, signal.SIGTERM, "folds:10", total)
    complete_run(arabica, [*shard, "--shard", "1"], "shard 1 resumed")

    merge = [*shard, "--merge"]
    began = time.monotonic()
    complete_run(arabica, merge, "merge")
    duration = time.monotonic() - began
    same_store(reference, out, "merge")
    rng = random.Random(SEED)
    print(f"merge takes {duration:.2f} s; kill moments drawn with seed {SEED}")
    for trial in range(4):
        out.unlink()
        run = start(arabica, merge)
        wait_until(run, lambda: out.exists())  # as the merged store appears,
        if trial > 0:
            time.sleep(rng.uniform(0.0, duration))  # or later
        sig = signal.SIGTERM if trial % 2 == 0 else signal.SIGINT
        run.send_signal(sig)
        rc, _, err = finish(run)
        print(f"merge trial {trial}: {signal_name(sig)} -> exit {rc}, "
              f"{max(committed(out), 0)} folds merged")
        # -sig: before the handlers were installed; 0: the merge had finished.
        if rc not in (0, -sig):
            check(rc == 128 + sig and interrupted_folds(err) == max(committed(out), 0),
                  f"merge trial {trial}: exit {rc}, stderr {err!r}")
        complete_run(arabica, merge, f"merge trial {trial}: rerun of --merge")
        same_store(reference, out, f"merge trial {trial}: merged store")
    print("every interrupted merge, rerun, equals the single-process run")


def case_retry(arabica: str, data: str, work: Path) -> None:
    fail = {7, 50, 51}
    faulty = dict(os.environ, ARABICA_FAULT_FAIL_FOLDS=",".join(map(str, sorted(fail))))
    # Independent fits: exactly the failed folds are retried. Then chains of
    # warm starts and re-filters: their dependants are recomputed as well.
    for label, extra in (("cold fits", ["--warm-start-chain", "0"]),
                         ("weekly refits", ["--refit", "weekly"])):
        args = ["--csv", data, *RUN, *FAST, *extra]
        reference, store = work / "reference.h5", work / "retried.h5"
        for path in (reference, store):
            path.unlink(missing_ok=True)
        complete_run(arabica, [*args, "--out", str(reference)], f"{label}: uninterrupted run")
        total = committed(reference)
        out = complete_run(arabica, [*args, "--out", str(store)], f"{label}: faulty run", faulty)
        failed = failed_folds(store)
        # The summary does not count a fold with a failed model as complete.
        check(f"{total - len(failed)} of {total} folds complete, {len(failed)} with a failed model"
              in out, f"{label}: summary does not count the failed folds apart: {out[-300:]}")
        check(fail <= failed, f"{label}: folds {sorted(fail - failed)} not recorded as failed")
        if label == "cold fits":
            check(failed == fail, f"{label}: failed folds {sorted(failed)}, expected {sorted(fail)}")
        first = work / "first_faulty.h5"
        first.write_bytes(store.read_bytes())

        again = folds_run(complete_run(arabica, [*args, "--out", str(store)],
                                       f"{label}: rerun, failing again", faulty))
        check(again >= len(failed), f"{label}: the rerun retried {again} folds, "
                                    f"{len(failed)} were failed")
        check(failed_folds(store) == failed, f"{label}: failed records changed on a failed retry")
        same_store(first, store, f"{label}: failing again")

        retried = folds_run(complete_run(arabica, [*args, "--out", str(store)],
                                         f"{label}: rerun without the fault"))
        check(retried == again and retried < total,
              f"{label}: the rerun ran {retried} folds ({again} when failing again, {total} in all)")
        if label == "cold fits":
            check(retried == len(fail), f"{label}: retried {retried} folds, expected {len(fail)}")
        check(not failed_folds(store), f"{label}: folds still failed after the retry")
        same_store(reference, store, f"{label}: retried store")
        print(f"{label}: {len(failed)} failed folds, rerun retried {retried}: "
              "store equals the uninterrupted run")


CASES = {"signals": case_signals, "merge": case_merge, "retry": case_retry}


def main(case: str, arabica: str, data: str, workdir: str) -> int:
    work = Path(workdir) / case
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("*.h5*"):
        old.unlink()
    began = time.monotonic()
    try:
        CASES[case](arabica, data, work)
    except Failure as failure:
        print(f"FAILED: {failure}")
        return 1
    print(f"{case}: passed in {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
