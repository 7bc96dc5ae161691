#!/usr/bin/env python3
"""Checks that two arabica backfill stores hold the same results, bit for bit.

Every variable is compared exactly (NaN equal to NaN) except the ones that
measure the run rather than the result (fit_seconds); root attributes are
compared except the generation timestamp, the reading index (present
once a store is chunked for reading: its chunks, not its results) and the
log of daily runs. A store may be one series' group
of a universe store (PATH:GROUP). Exit status 0 when equal, 1 with a list of
differences otherwise.

    compare_backfills.py A.h5 B.h5
    compare_backfills.py universe.h5:KC KC.h5
"""
from __future__ import annotations

import sys

import h5py
import numpy as np

RUN_VARIABLES = {"fit_seconds"}
RUN_ATTRIBUTES = {"generation_timestamp", "_arabica_index", "run_log"}


def values(dataset: h5py.Dataset) -> np.ndarray:
    data = dataset[()]
    return np.asarray(data)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def compare(path_a: str, path_b: str, group_a: str = "/", group_b: str = "/") -> list[str]:
    differences = []
    with h5py.File(path_a, "r") as file_a, h5py.File(path_b, "r") as file_b:
        a, b = file_a[group_a], file_b[group_b]
        names_a = {n for n, o in a.items() if isinstance(o, h5py.Dataset)}
        names_b = {n for n, o in b.items() if isinstance(o, h5py.Dataset)}
        for name in sorted(names_a ^ names_b):
            differences.append(f"variable {name}: only in one store")
        for name in sorted((names_a & names_b) - RUN_VARIABLES):
            va, vb = values(a[name]), values(b[name])
            if not same(va, vb):
                where = ""
                if va.shape == vb.shape and va.dtype.kind == "f":
                    diff = ~((va == vb) | (np.isnan(va) & np.isnan(vb)))
                    where = f" at {np.argwhere(diff)[:3].tolist()} ({int(diff.sum())} values)"
                differences.append(f"variable {name}: differs{where}")
        for key in sorted((set(a.attrs) | set(b.attrs)) - RUN_ATTRIBUTES):
            if key not in a.attrs or key not in b.attrs:
                differences.append(f"attribute {key}: only in one store")
            elif not same(np.asarray(a.attrs[key]), np.asarray(b.attrs[key])):
                differences.append(f"attribute {key}: {a.attrs[key]!r} != {b.attrs[key]!r}")
    return differences


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    (path_a, _, group_a), (path_b, _, group_b) = (arg.partition(":") for arg in argv[1:3])
    differences = compare(path_a, path_b, group_a or "/", group_b or "/")
    for line in differences:
        print(line)
    if not differences:
        print(f"{argv[1]} and {argv[2]} hold the same results")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
