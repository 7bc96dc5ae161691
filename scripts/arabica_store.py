#!/usr/bin/env python3
"""Read an `arabica backfill` store (HDF5, netCDF-4 layout) from Python.

    import arabica_store as st
    ds = st.open_backfill("backfill.h5")          # committed folds only
    cv = st.to_statsforecast(ds, unique_id="KC")  # statsforecast cross_validation shape
    text = st.legacy_csv(ds)                      # the legacy forecast.csv contract

Command line:

    scripts/arabica_store.py statsforecast backfill.h5 --out cv.csv [--unique-id KC]
    scripts/arabica_store.py legacy-csv backfill.h5 --out forecast.csv

`to_statsforecast` gives one row per (cutoff, day ahead) with columns
unique_id, ds (the date forecast), cutoff, y (the realised price, NaN where
not yet known) and, per model, `<model>`, `<model>-lo-95`, `<model>-hi-95`
(the Kalman point forecast and its 95% interval), as statsforecast's
`cross_validation` returns them, so the two can be scored side by side.
`legacy_csv` gives the same rows as `arabica backfill --forecast-csv` (failed
fits left out), stamped with the store's generation_timestamp. Files are
written atomically.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import xarray as xr

LEGACY_COLUMNS = ["forecast_date", "day_ahead", "forecast_mean", "forecast_std", "lower_95", "upper_95",
                  "model_version", "generation_timestamp", "data_cutoff_date"]
FAILED = 3  # the store's `status` flag for a fold whose fit failed


class StoreError(Exception):
    """A store that cannot be read as it should: damaged, or not a store."""


def open_store(path: str | os.PathLike) -> xr.Dataset:
    """The whole store, lazily, as xarray reads it: also while `arabica
    backfill` writes it, or after that writer was killed.

    A writer in SWMR mode marks the file open for writing; only a SWMR reader
    may open it then. A file not so marked is first opened the ordinary way,
    which gives up at once on a damaged metadata block, where a SWMR reader
    retries (HDF5's 100 attempts with doubling sleeps: hours). HDF5's own
    file locks are not taken: arabica's writer lock is STORE.lock."""
    try:
        return xr.open_dataset(path, engine="h5netcdf", driver_kwds={"locking": False})
    except OSError as error:
        if "already open for write" not in str(error):
            raise StoreError(f"{path}: cannot open the store: {error}") from None
    try:
        return xr.open_dataset(path, engine="h5netcdf", driver_kwds={"locking": False, "swmr": True})
    except OSError as error:
        raise StoreError(f"{path}: cannot open the store: {error}") from None


def describe_fold(ds: xr.Dataset, fold: int) -> str:
    return f"fold {fold} (cutoff {pd.Timestamp(ds.cutoff.values[fold]):%Y-%m-%d})"


def open_backfill(path: str | os.PathLike) -> xr.Dataset:
    """The store with only its committed folds (fold_complete == 1): a run
    still going, or killed, has laid out folds it has not written yet.

    Every variable but the stored paths is read at once, so that a damaged
    chunk (HDF5's Fletcher32 checksum) is a StoreError naming variable and
    fold here, not an OSError later; a fold_complete other than 0 or 1 is
    damage, never a commit."""
    ds = open_store(path)
    try:
        try:
            flags = ds.fold_complete.values
        except OSError as error:
            raise StoreError(f"{path}: cannot read variable 'fold_complete': {error}") from None
        bad = np.flatnonzero((flags != 0) & (flags != 1))
        if bad.size:
            raise StoreError(f"{path}: fold_complete of {describe_fold(ds, int(bad[0]))} is "
                             f"{int(flags[bad[0]])}, not 0 or 1: the store is damaged")
        folds = np.flatnonzero(flags == 1)
        committed = ds.isel(cutoff=folds)
        for name, variable in committed.variables.items():
            if name != "paths":
                load_checked(path, name, variable, ds, folds)
        return committed
    except BaseException:
        ds.close()
        raise


def load_checked(path: str | os.PathLike, name: str, variable: xr.Variable, store: xr.Dataset,
                 folds: np.ndarray) -> None:
    """Loads `variable`; a read error names it and the first fold that fails."""
    try:
        variable.load()
        return
    except OSError as error:
        detail = str(error)
    if "cutoff" in variable.dims:
        for i, fold in enumerate(folds):
            try:
                variable.isel(cutoff=i).values
            except OSError as error:
                raise StoreError(f"{path}: cannot read variable '{name}' at "
                                 f"{describe_fold(store, int(fold))}: {error}") from None
    raise StoreError(f"{path}: cannot read variable '{name}': {detail}")


def to_statsforecast(ds: xr.Dataset, unique_id: str = "series") -> pd.DataFrame:
    frame = pd.DataFrame({
        "unique_id": unique_id,
        "ds": ds.forecast_date.values.ravel(),
        "cutoff": np.repeat(ds.cutoff.values, ds.sizes["day_ahead"]),
        "y": ds.actual.values.ravel(),
    })
    for model in ds.model.values:
        one = ds.sel(model=model)
        frame[str(model)] = one.forecast_mean.values.ravel()
        frame[f"{model}-lo-95"] = one.lower_95.values.ravel()
        frame[f"{model}-hi-95"] = one.upper_95.values.ravel()
    return frame


def legacy_rows(ds: xr.Dataset) -> list[list[str]]:
    """The legacy contract's rows, model by model, fold by fold; numbers with
    17 significant digits like the C++ writer (doubles round-trip)."""
    stamp = ds.attrs["generation_timestamp"]
    dates = lambda values: pd.DatetimeIndex(values).strftime("%Y-%m-%d")  # noqa: E731
    cutoffs = dates(ds.cutoff.values)
    rows = []
    for m, model in enumerate(ds.model.values):
        for f, cutoff in enumerate(cutoffs):
            if ds.status.values[m, f] == FAILED:
                continue
            targets = dates(ds.forecast_date.values[f])
            for h, day in enumerate(ds.day_ahead.values):
                numbers = (ds[name].values[m, f, h] for name in ("forecast_mean", "forecast_std", "lower_95", "upper_95"))
                rows.append([targets[h], str(int(day)), *(f"{x:.17g}" for x in numbers), str(model), stamp, cutoff])
    return rows


def legacy_csv(ds: xr.Dataset) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(LEGACY_COLUMNS)
    writer.writerows(legacy_rows(ds))
    return text.getvalue()


def write_atomically(out: str | os.PathLike, text: str) -> None:
    """Like every file arabica delivers: a temporary name beside `out`,
    fsync, rename; readers never see a partial file."""
    out = Path(out)
    fd, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, out)
    except BaseException:
        os.unlink(temporary)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    statsforecast = commands.add_parser("statsforecast", help="statsforecast cross_validation frame as CSV")
    statsforecast.add_argument("store")
    statsforecast.add_argument("--out", required=True)
    statsforecast.add_argument("--unique-id", default="series")
    legacy = commands.add_parser("legacy-csv", help="the legacy forecast.csv contract")
    legacy.add_argument("store")
    legacy.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if not Path(args.store).is_file():
        parser.error(f"{args.store}: no such file")
    try:
        with open_backfill(args.store) as ds:
            if args.command == "statsforecast":
                text = to_statsforecast(ds, args.unique_id).to_csv(index=False, date_format="%Y-%m-%d")
            else:
                text = legacy_csv(ds)
    except StoreError as error:
        print(f"arabica_store.py: error: {error}", file=sys.stderr)
        return 1
    write_atomically(args.out, text)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
