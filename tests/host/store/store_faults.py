#!/usr/bin/env python3
"""Fault injection on the backfill store through the real executable: each
case breaks a run or a store the way an operator's day can, and checks that
arabica ends with one clear line and that the store stays usable.

    store_faults.py CASE ARABICA DATA.csv WORKDIR

CASE is one of the functions named in CASES. Exit 0 when the case passes,
77 when it cannot run here (skipped), 1 otherwise.
"""
from __future__ import annotations

import contextlib
import io
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tests" / "host" / "backtest"))
from backfill_faults import Failure, committed, same_store  # noqa: E402
from backfill_faults import check as expect  # noqa: E402

STORE_TOOL = REPO / "scripts" / "arabica_store.py"
SKIP = 77

# About 40 folds of two quick models: a whole run takes a fraction of a second.
QUICK = ["--exog", "rain,brl_usd", "--min-train-rows", "60", "--start", "2022-12-20",
         "--model", "naive,drift", "--paths", "400", "--stored-paths", "4", "--horizon", "5",
         "--threads", "1", "--quiet"]
# The same folds with SARIMAX: a second or two, long enough to stop the
# writer (SIGSTOP) between two commits and meet it there.
SLOW = ["--exog", "rain,brl_usd", "--min-train-rows", "60", "--start", "2022-12-20",
        "--model", "sarimax,naive", "--paths", "4000", "--stored-paths", "4", "--horizon", "5",
        "--threads", "1", "--quiet"]
FOLDS = 49


class Runner:
    def __init__(self, arabica: str, data: str, work: Path):
        self.arabica, self.data, self.work = arabica, data, work

    def command(self, out: Path, args: list[str]) -> list[str]:
        return [self.arabica, "backfill", "--csv", self.data, *args, "--out", str(out)]

    def run(self, out: Path, args: list[str] = QUICK, timeout: float = 120, env=None,
            preexec_fn=None) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(out, args), capture_output=True, text=True,
                              timeout=timeout, env=env, preexec_fn=preexec_fn)

    def start(self, out: Path, args: list[str] = SLOW, env=None) -> subprocess.Popen:
        return subprocess.Popen(self.command(out, args), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, env=env)

    def reference(self, args: list[str] = QUICK) -> Path:
        out = self.work / ("reference_slow.h5" if args is SLOW else "reference.h5")
        if not out.exists():
            done = self.run(out, args)
            expect(done.returncode == 0, f"uninterrupted run failed: {done.stderr}")
        return out


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    expect(len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{stderr[:2000]}")
    return lines[0]


def expect_failure(done: subprocess.CompletedProcess, code: int, *fragments: str) -> str:
    expect(done.returncode == code,
           f"expected exit {code}, got {done.returncode}: {done.stderr[:2000]}")
    line = one_line(done.stderr)
    for fragment in fragments:
        expect(fragment in line, f"{fragment!r} not in {line!r}")
    return line


def stop_mid_run(writer: subprocess.Popen, store: Path, folds: int = 2) -> int:
    """Stops the writer (SIGSTOP) once `folds` folds are committed, before the
    last; returns the folds committed then."""
    end = time.monotonic() + 60
    while committed(store) < folds:
        expect(writer.poll() is None, "the writer ended before it was stopped")
        expect(time.monotonic() < end, "timed out waiting for the writer")
        time.sleep(0.005)
    writer.send_signal(signal.SIGSTOP)
    wait_stopped(writer)
    done = committed(store)
    expect(done < FOLDS, "the writer finished before it was stopped")
    return done


def wait_stopped(process: subprocess.Popen) -> None:
    """Waits until every thread of `process` is stopped: a thread inside a
    system call (the write of a commit flag, an fsync) finishes it first, so
    what is read before then may still change."""
    end = time.monotonic() + 30
    tasks = Path(f"/proc/{process.pid}/task")
    while True:
        states = []
        for task in tasks.iterdir():
            try:  # "pid (comm) S ...": the state follows the last ')'
                states.append((task / "stat").read_text().rsplit(")", 1)[1].split()[0])
            except (FileNotFoundError, ProcessLookupError):
                continue  # a thread that ended
        if states and all(state in ("T", "t") for state in states):
            return
        expect(time.monotonic() < end, f"the writer's threads did not stop: {states}")
        time.sleep(0.002)


def store_tool(store: Path, out: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """scripts/arabica_store.py legacy-csv STORE in its own process (with a
    timeout: it must not hang)."""
    return subprocess.run([sys.executable, str(STORE_TOOL), "legacy-csv", str(store), "--out", str(out)],
                          capture_output=True, text=True, timeout=timeout)


def store_tool_here(store: Path, out: Path) -> subprocess.CompletedProcess:
    """The same in this process: Python with xarray starts slowly on a loaded
    machine."""
    import arabica_store as st
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = st.main(["legacy-csv", str(store), "--out", str(out)])
    return subprocess.CompletedProcess([], code, "", err.getvalue())


def flip(path: Path, offset: int, count: int = 1) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        data = bytearray(f.read(count))
        f.seek(offset)
        f.write(bytes(b ^ 0xFF for b in data))


# --- defect 5: one writer per store

def concurrent_writer(r: Runner) -> None:
    """A second writer on a store being written fails at once with the first
    writer's pid, also with HDF5's own file locking turned off; the first
    writer finishes as if alone."""
    reference = r.reference(SLOW)
    for locking in ("default", "FALSE"):
        env = dict(os.environ)
        if locking == "FALSE":
            env["HDF5_USE_FILE_LOCKING"] = "FALSE"
        out = r.work / f"contended_{locking}.h5"
        out.unlink(missing_ok=True)
        first = r.start(out, env=env)
        try:
            stop_mid_run(first, out, 1)
            start = time.monotonic()
            second = r.run(out, SLOW, timeout=30, env=env)
            expect(time.monotonic() - start < 10, "the second writer was not refused at once")
            expect_failure(second, 1, f"{out} is being written by another arabica process (pid {first.pid})")
            first.send_signal(signal.SIGCONT)
            _, err = first.communicate(timeout=120)
        finally:
            first.kill()
        expect(first.returncode == 0, f"first writer failed ({first.returncode}): {err}")
        same_store(reference, out)
        expect(not Path(f"{out}.lock").exists(), "the lock file outlived its writer")
        print(f"HDF5 file locking {locking}: second writer refused, first writer unaffected")


# --- defect 12: readers beside a writer and after a killed one

def reader_beside_writer(r: Runner) -> None:
    import xarray  # noqa: F401  (arabica_store needs it)
    import arabica_store as st

    out = r.work / "read_while_written.h5"
    out.unlink(missing_ok=True)
    writer = r.start(out)
    try:
        seen = stop_mid_run(writer, out, 2)
        for moment in ("running", "killed"):
            if moment == "killed":
                writer.kill()
                writer.wait()
            csv = r.work / f"legacy_{moment}.csv"
            done = store_tool_here(out, csv)
            expect(done.returncode == 0, f"arabica_store.py on a {moment} writer's store: {done.stderr}")
            rows = csv.read_text().splitlines()[1:]
            expect(len(rows) == seen * 2 * 5, f"{moment}: {len(rows)} rows for {seen} folds")
            with st.open_backfill(out) as ds:
                expect(ds.sizes["cutoff"] == seen and bool((ds.fold_complete.values == 1).all()),
                       f"{moment}: committed folds {ds.fold_complete.values}")
                expect(not np.isnan(ds.forecast_mean.values).any(), f"{moment}: NaN in a committed fold")
            # h5py's reader (read_universe; the xarray engine "arabica" reads so).
            ds = st.read_universe(out)["series"]
            expect(ds.sizes["cutoff"] == seen and not np.isnan(ds.forecast_mean.values).any(),
                   f"{moment}: read_universe gave {ds.sizes['cutoff']} folds for {seen} committed")
            print(f"{moment} writer: arabica_store.py, xarray and read_universe read the {seen} committed folds")
    finally:
        writer.kill()
        writer.wait()
    # The killed store resumes to the uninterrupted result.
    done = r.run(out, SLOW)
    expect(done.returncode == 0, f"resume failed: {done.stderr}")
    same_store(r.reference(SLOW), out)


# --- defect 4: store creation is atomic

def valid_or_absent(store: Path) -> str:
    if not store.exists():
        return "absent"
    with h5py.File(store, "r", swmr=True, locking=False) as f:
        flags = f["fold_complete"][()]
        expect(set(np.unique(flags)) <= {0, 1}, f"fold_complete holds {np.unique(flags)}")
        return f"{int(flags.sum())} folds"


def kill_during_creation(r: Runner) -> None:
    """SIGKILL at random moments of a run's first fraction of a second (data,
    layout, first folds): OUT is absent or a valid store every time, and the
    rerun finishes it as an uninterrupted run would."""
    reference = r.reference()
    start = time.monotonic()
    r.run(r.work / "timed.h5")
    duration = time.monotonic() - start
    rng = random.Random(int(time.time()))
    out = r.work / "killed.h5"
    seen = set()
    for trial in range(20):
        out.unlink(missing_ok=True)
        run = subprocess.Popen(r.command(out, QUICK), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.8) * duration)
        run.kill()
        run.wait()
        seen.add(valid_or_absent(out).split()[-1])
        done = r.run(out)
        expect(done.returncode == 0, f"trial {trial}: rerun failed: {done.stderr}")
        same_store(reference, out)
        leftovers = sorted(p.name for p in r.work.iterdir() if p.name.startswith(".killed.h5"))
        expect(not leftovers, f"trial {trial}: left {leftovers}")
    print(f"20 kills early in a run (OUT then: {sorted(seen)}); every rerun equals the uninterrupted run")


def kill_during_rewrite(r: Runner) -> None:
    """A SIGKILL while the finished store is rewritten for reading (the copy
    written, not yet renamed onto it): OUT is still the whole store, in
    one-fold chunks; the rerun removes the copy, rewrites the store for
    reading, and it equals an uninterrupted run."""
    reference = r.reference()
    out = r.work / "killed.h5"
    out.unlink(missing_ok=True)
    done = r.run(out, env=dict(os.environ, ARABICA_FAULT_KILL_IN_REWRITE="1"))
    expect(done.returncode == -signal.SIGKILL, f"not killed in the rewrite: {done.returncode} {done.stderr}")
    expect(committed(out) == FOLDS, f"{committed(out)} of {FOLDS} folds committed after the kill")
    same_store(reference, out)
    with h5py.File(out, "r", swmr=True, locking=False) as f:
        expect(f["forecast_mean"].chunks[1] == 1, f"chunks {f['forecast_mean'].chunks} after the kill")
    copies = [p.name for p in r.work.iterdir() if p.name.startswith(".killed.h5.tmp")]
    expect(len(copies) == 1, f"left {copies}")
    done = r.run(out)
    expect(done.returncode == 0, f"rerun failed: {done.stderr}")
    same_store(reference, out)
    with h5py.File(out, "r") as f:
        expect(f["forecast_mean"].chunks[1] == FOLDS, f"chunks {f['forecast_mean'].chunks} after the rerun")
    leftovers = [p.name for p in r.work.iterdir() if p.name.startswith(".killed.h5")]
    expect(not leftovers, f"left {leftovers}")
    print("killed in the rewrite for reading: the store stayed whole; the rerun rewrote it and equals "
          "the uninterrupted run")


def kill_during_extension(r: Runner) -> None:
    """A SIGKILL while a store is extended to a later end (the extended copy
    written, not yet renamed onto it): OUT is still the earlier run's store;
    the rerun removes the copy, extends it, and it equals one uninterrupted
    run to the later end (#16)."""
    reference = r.reference()
    earlier = [*QUICK, "--end", "2023-01-31"]
    earlier_reference = r.work / "earlier.h5"
    expect(r.run(earlier_reference, earlier).returncode == 0, "the earlier run failed")
    out = r.work / "killed.h5"
    out.unlink(missing_ok=True)
    expect(r.run(out, earlier).returncode == 0, "the earlier run failed")
    done = r.run(out, env=dict(os.environ, ARABICA_FAULT_KILL_IN_EXTEND="1"))
    expect(done.returncode == -signal.SIGKILL, f"not killed in the extension: {done.returncode} {done.stderr}")
    same_store(earlier_reference, out)
    copies = [p.name for p in r.work.iterdir() if p.name.startswith(".killed.h5.tmp")]
    expect(len(copies) == 1, f"left {copies}")
    done = r.run(out)
    expect(done.returncode == 0, f"rerun failed: {done.stderr}")
    same_store(reference, out)
    leftovers = [p.name for p in r.work.iterdir() if p.name.startswith(".killed.h5")]
    expect(not leftovers, f"left {leftovers}")
    print("killed while extending: the earlier store stayed whole; the rerun extended it and equals one "
          "run to the later end")


# --- defect 6: damaged stores

def flip_chunk(store: Path, variable: str, fold: int) -> tuple[int, int]:
    """Flips a byte in the middle of the chunk of `variable` that holds
    `fold`, found by its bytes as stored (compressed: HDF5 1.10's chunk
    addresses are unreliable); returns the first and last fold it holds."""
    with h5py.File(store, "r") as f:
        dataset = f[variable]
        # The axis along cutoff: a store chunked for reading has fixed extents.
        axis = [dim[0].name.rsplit("/", 1)[-1] if len(dim) else "" for dim in dataset.dims].index("cutoff")
        size = dataset.chunks[axis]
        offset = [0] * dataset.ndim
        offset[axis] = fold // size * size
        _, stored = dataset.id.read_direct_chunk(tuple(offset))
        last = min(offset[axis] + size, dataset.shape[axis]) - 1
    data = store.read_bytes()
    at = data.find(stored)
    expect(at >= 0 and data.find(stored, at + 1) < 0, f"the chunk of {variable} is not stored exactly once")
    flip(store, at + len(stored) // 2)
    return offset[axis], last


def damaged_store(r: Runner) -> None:
    """A flipped metadata byte fails in seconds (no retry loop), a flipped
    byte in a committed chunk is an error naming variable and fold (Fletcher32),
    fold_complete = 0x7f is damage: in arabica and in arabica_store.py, one
    line, exit 1, the file left as it was."""
    reference = r.reference()
    fold = 7
    with h5py.File(reference, "r") as f:
        # The store is chunked for reading: the damaged chunk holds fold 7
        # and others, and the first of them is the one named.
        size = f["forecast_mean"].chunks[1]
        first = fold // size * size
        last = min(first + size, f["cutoff"].shape[0]) - 1
        expect(f["params"].chunks[1] == size, "params and forecast_mean chunked alike")
        cutoff = str(np.datetime64(int(f["cutoff"][fold]), "D"))
        first_cutoff = str(np.datetime64(int(f["cutoff"][first]), "D"))
    where = f"at fold {first} (cutoff {first_cutoff}), whose chunk holds folds {first}-{last}"

    def check(name, damage, arabica_says, tool_says, tool_in_process=True):
        store = r.work / f"{name}.h5"
        shutil.copy(reference, store)
        damage(store)
        before = store.read_bytes()
        start = time.monotonic()
        done = r.run(store, timeout=60)
        expect(time.monotonic() - start < 15, f"{name}: arabica took {time.monotonic() - start:.1f} s")
        if arabica_says:
            expect_failure(done, 1, str(store), *arabica_says)
        start = time.monotonic()
        done = (store_tool_here if tool_in_process else store_tool)(store, r.work / f"{name}.csv")
        expect(time.monotonic() - start < 30, f"{name}: arabica_store.py took {time.monotonic() - start:.1f} s")
        expect_failure(done, 1, str(store), *tool_says)
        expect(store.read_bytes() == before, f"{name}: the damaged file was changed")
        print(f"{name}: refused in one line by arabica and arabica_store.py")

    check("flipped_metadata", lambda s: flip(s, 20), ["checksum"], ["checksum"], tool_in_process=False)
    # forecast_std: a Gaussian forecast_median is forecast_mean again, whose
    # chunk is then stored twice (and a flip must hit one known chunk).
    check("flipped_forecast", lambda s: flip_chunk(s, "forecast_std", fold),
          [f"cannot read variable 'forecast_std' {where}", "Fletcher32"],
          [f"cannot read variable 'forecast_std' {where}"])
    # arabica reads parameters only to re-filter later folds (store_tests
    # covers that read); the Python reader reads them all.
    check("flipped_params", lambda s: flip_chunk(s, "params", fold), None,
          [f"cannot read variable 'params' {where}"])

    def bad_flag(store):
        with h5py.File(store, "r+") as f:
            f["fold_complete"][fold] = 0x7F
    damaged = f"fold_complete of fold {fold} (cutoff {cutoff}) is 127, not 0 or 1: the store is damaged"
    check("bad_flag", bad_flag, [damaged], [damaged])


# --- defect 7: a full disk

def expect_full_disk_then_resume(r: Runner, out: Path, reference: Path, label: str,
                                 preexec_fn=None) -> bool:
    """A run that runs out of space ends with one line naming OUT, exit 1
    (or finishes, when the space was enough); the rerun with space finishes
    the store as an uninterrupted run. True when the space ran out."""
    done = r.run(out, preexec_fn=preexec_fn)
    expect(done.returncode >= 0, f"{label}: killed by signal {-done.returncode}: {done.stderr[-2000:]}")
    ran_out = done.returncode != 0
    if ran_out:
        expect_failure(done, 1, str(out))
    again = r.run(out)
    expect(again.returncode == 0, f"{label}: rerun with space failed: {again.stderr}")
    same_store(reference, out)
    return ran_out


def file_size_limit(r: Runner) -> None:
    """RLIMIT_FSIZE (ulimit -f) at sizes spread over the store's growth: from
    inside the layout to the final metrics. Without SIGXFSZ ignored, the
    process would die of it; with it, write() fails with EFBIG."""
    reference = r.reference()
    final = reference.stat().st_size
    limits = [2048, 16384] + [int(final * share) for share in (0.3, 0.5, 0.7, 0.85, 0.95, 0.99)]
    for limit in limits:
        out = r.work / f"limited_{limit}.h5"
        limit_size = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # noqa: E731
        ran_out = expect_full_disk_then_resume(r, out, reference, f"limit {limit}", limit_size)
        expect(ran_out or limit >= final, f"limit {limit}: the run did not run out of space")
        print(f"file size limit {limit} of {final} bytes: {'one line, exit 1' if ran_out else 'enough'}; "
              f"the rerun equals the uninterrupted run")


def small_tmpfs(r: Runner) -> int | None:
    """The issue's case: OUT on a small tmpfs (skipped where this sandbox
    cannot mount one). The tmpfs holds three finished stores, at least 256
    KiB: once the ballast is gone, a rerun needs room for the file the full
    run left and the layout it writes beside it under a temporary name (a
    finished store's rewrite for reading that does not fit leaves it in
    one-fold chunks, with a warning: same values)."""
    reference = r.reference()
    final = reference.stat().st_size
    size = max(256 * 1024, -(-3 * final // 4096) * 4096)
    mount = r.work / "tmpfs"
    mount.mkdir()
    tried = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                           capture_output=True, text=True)
    if tried.returncode != 0:
        print(f"skipped: cannot mount a tmpfs here ({tried.stderr.strip()})")
        return SKIP
    try:
        ran_out = 0
        # Leave 30%, 60% and 90% of a finished store free, then give the
        # space back.
        for reserve in (size - int(final * share) for share in (0.3, 0.6, 0.9)):
            for old in mount.iterdir():
                old.unlink()
            ballast = mount / "ballast"
            ballast.write_bytes(b"\0" * reserve)
            out = mount / f"full_{reserve}.h5"
            done = r.run(out)
            expect(done.returncode >= 0, f"tmpfs: killed by signal {-done.returncode}")
            if done.returncode != 0:
                expect_failure(done, 1, str(out))
                ran_out += 1
            ballast.unlink()
            again = r.run(out)
            expect(again.returncode == 0, f"tmpfs: rerun with space failed: {again.stderr}")
            same_store(reference, out)
        expect(ran_out > 0, "the tmpfs never ran full")
        print(f"{size // 1024} KiB tmpfs: {ran_out} runs out of space, one line each; every rerun equals the "
              f"uninterrupted run")
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
    return None


CASES = {f.__name__: f for f in (concurrent_writer, reader_beside_writer, kill_during_creation,
                                 kill_during_rewrite, kill_during_extension, damaged_store, file_size_limit,
                                 small_tmpfs)}


def main(case: str, arabica: str, data: str, workdir: str) -> int:
    work = Path(workdir) / case
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        result = CASES[case](Runner(arabica, data, work))
    except Failure as failure:
        print(f"FAILED: {failure}")
        return 1
    return SKIP if result == SKIP else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
