"""Helpers shared by the fault tests (fault_injection.py,
backfill_kill_resume.py, ../store/store_faults.py): run `arabica backfill`,
watch its store, signal it at a chosen moment, compare stores."""
from __future__ import annotations

import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))
from compare_backfills import compare  # noqa: E402

INTERRUPTED = re.compile(r"^interrupted: (\d+) folds committed; rerun the same command to resume$")
POLL_SECONDS = 0.01


class Failure(Exception):
    """A fault test's expectation that did not hold."""


def check(condition: bool, what: str) -> None:
    if not condition:
        raise Failure(what)


def same_store(reference: Path, store: Path, what: str = "") -> None:
    """The store equals the uninterrupted run's, fold for fold."""
    differences = compare(str(reference), str(store))
    check(not differences, f"{what or store.name}: differs from the uninterrupted run "
                           f"{reference.name}: {differences[:5]}")


def default_signals() -> None:
    # A test started in the background inherits SIGINT ignored, and so would
    # arabica (which keeps an ignored signal ignored).
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(arabica: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([arabica, "backfill", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=default_signals)


def committed(store: Path) -> int:
    """Folds the store has committed, as a SWMR reader without HDF5's file
    lock sees them; -1 when it is absent or unreadable (being laid out)."""
    import h5py
    try:
        with h5py.File(store, "r", swmr=True, locking=False) as f:
            return int((f["fold_complete"][()] != 0).sum())
    except (OSError, KeyError):
        return -1


def failed_folds(store: Path) -> set[int]:
    import h5py
    with h5py.File(store, "r") as f:
        status = f["status"][()]  # model x fold
        done = f["fold_complete"][()]
    return {int(k) for k in ((status == 3).any(axis=0) & (done != 0)).nonzero()[0]}


def wait_for_open_store(run: subprocess.Popen, timeout: float = 120.0) -> bool:
    """Waits for the run's first stdout line, printed once it has opened its
    store for writing: a reader that opens the store while a writer opens it
    makes the writer fail (HDF5's file lock). False when the run ended first."""
    ready, _, _ = select.select([run.stdout], [], [], timeout)
    return bool(ready) and run.stdout.readline() != ""


def wait_until(run: subprocess.Popen, ready, timeout: float = 120.0) -> bool:
    """Polls `ready()` while `run` lives; False when the run ended first."""
    deadline = time.monotonic() + timeout
    while run.poll() is None and time.monotonic() < deadline:
        if ready():
            return True
        time.sleep(POLL_SECONDS)
    return False


def finish(run: subprocess.Popen, timeout: float = 300.0) -> tuple[int, str, str]:
    out, err = run.communicate(timeout=timeout)
    return run.returncode, out, err


def interrupted_folds(err: str) -> int | None:
    """N of the one `interrupted: ...` line, when stderr is exactly that line."""
    lines = err.splitlines()
    if len(lines) != 1:
        return None
    match = INTERRUPTED.match(lines[0])
    return int(match.group(1)) if match else None


def signal_name(sig: int) -> str:
    return signal.Signals(sig).name
