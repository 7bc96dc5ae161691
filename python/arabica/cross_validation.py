"""`arabica.cross_validation`: the walk-forward backfill of `arabica
backfill` on a long frame (statsforecast's `unique_id, ds, y` plus
covariate columns), returned in statsforecast's cross_validation layout."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import warnings
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from . import _core, store
from ._frames import csv_lines, days_since_epoch, iso, value_matrix
from .errors import ArabicaWarning

#: The central intervals the stored quantiles give: level -> (lower, upper).
PATH_LEVELS = {50: (0.25, 0.75), 80: (0.10, 0.90), 90: (0.05, 0.95), 95: (0.025, 0.975), 98: (0.01, 0.99)}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _cli_arguments(options: dict) -> list[str]:
    """Keyword options as `arabica backfill` flags: True a bare flag, False
    and None left out, lists comma separated."""
    args = []
    for name, value in options.items():
        if value is None or value is False:
            continue
        if value is True:
            args.append(_flag(name))
        elif isinstance(value, (list, tuple)):
            args += [_flag(name), ",".join(str(v) for v in value)]
        else:
            args += [_flag(name), str(value)]
    return args


def _refit(refit) -> str:
    """statsforecast's refit (True: every fold, False: the first fold only)
    or an arabica cadence."""
    if refit is True:
        return "every_fold"
    if refit is False:
        return "once"
    if isinstance(refit, str):
        return refit
    raise _core.InputError(f"refit: {refit!r}: True (every fold), False (the first fold only) or a "
                           "calendar cadence ('weekly', 'monthly', 'semiannual'); folds between refits "
                           "re-filter the latest refit's parameters")


def _progress(progress) -> Callable[[int, int], None] | None:
    """tqdm's bar (its notebook widget in a notebook) for progress=True, and
    by default (None) inside a Jupyter kernel; a callable gets (done, total)."""
    if progress is None:
        progress = "ipykernel" in sys.modules
    if progress is False:
        return None
    if callable(progress):
        return progress
    from tqdm.auto import tqdm
    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="fold", desc="arabica")
        bar.update(done - bar.n)
        if done >= total:
            bar.close()
    return update


def cross_validation(df: pd.DataFrame, h: int = 7, *, models: Sequence[str] = ("sarimax", "naive", "drift"),
                     exog: Sequence[str] | None = None, order: Sequence[int] = (1, 1, 1),
                     seasonal_order: Sequence[int] = (0, 0, 0, 0), trend: str = "n",
                     step_size: int = 1, n_windows: int | None = None, start=None, end=None,
                     refit=True, level: Sequence[int] = (80, 95), n_paths: int = 2000,
                     innovations: str = "normal", seed: int = 1, min_train_rows: int | None = None,
                     window_rows: int | None = None, store_path: str | os.PathLike | None = None,
                     id_col: str = "unique_id", time_col: str = "ds", target_col: str = "y",
                     threads: int = 0, device: str = "auto", progress=None, **options) -> pd.DataFrame:
    """Every series of `df` backfilled with `models` (arabica's model
    strings: "sarimax", "naive", "drift", "sarimax:1,1,1:c:log:student_t" ...)
    fold by fold, exactly as `arabica backfill` runs a universe, and returned
    as statsforecast's `cross_validation` frame: unique_id, ds, cutoff, y and
    per model `<model>` (the point forecast), `<model>-lo-95`/`-hi-95` (its
    Gaussian interval), the simulated distribution as `<model>-q-P` (the
    store's quantile levels), `<model>-path` (the paths' mean) with
    `<model>-path-lo-L`/`-hi-L` per `level` (the paths' central intervals:
    50, 80, 90, 95 or 98) and `<model>-crps`; utilsforecast.evaluate scores
    it as it is.

    The plan: the last `n_windows` cutoffs `step_size` rows apart whose h
    days are observed, per series (statsforecast's), or every `step_size`-th
    row from `start` to `end` (dates; default the data's range) with at
    least `min_train_rows` rows to train on (default: the CLI's 1500, or 1
    with n_windows). `refit`: True (every fold), False (the first fold only,
    the others re-filter its parameters) or a cadence ("weekly", "monthly",
    "semiannual"). `exog`: covariate columns (default: every
    column but the id, date and target). Other keywords are `arabica
    backfill` options by name (e.g. future_exog="hold-last",
    warm_start_chain=4, missing="drop"). `store_path`: the resumable store to
    write (a rerun resumes it; default a temporary one). Interrupting
    (Ctrl-C) stops after the folds in flight, which stay committed in the
    store; `progress=True` shows a tqdm bar (the default in a notebook), a
    callable gets (folds done, total)."""
    if not isinstance(df, pd.DataFrame):
        raise _core.InputError(f"df: expected a pandas DataFrame, got {type(df).__name__}")
    for name, column in (("id_col", id_col), ("time_col", time_col), ("target_col", target_col)):
        if column not in df.columns:
            raise _core.InputError(f"{name}: no column {column!r} in df (columns: {', '.join(map(str, df.columns))})")
    if exog is None:
        exog = [c for c in df.columns if c not in (id_col, time_col, target_col)]
    for column in exog:
        if column not in df.columns:
            raise _core.InputError(f"exog: no column {column!r} in df")
    bad_levels = [value for value in level if int(value) not in PATH_LEVELS]
    if bad_levels:
        raise _core.InputError(f"level: {bad_levels[0]!r} is not one of the stored intervals "
                               f"({', '.join(map(str, PATH_LEVELS))})")
    if int(step_size) < 1:
        raise _core.InputError(f"step_size: must be at least 1, got {step_size}")
    if n_windows is not None and (start is not None or end is not None):
        raise _core.InputError("n_windows: give either n_windows or start/end")
    if n_windows is not None and int(n_windows) < 1:
        raise _core.InputError(f"n_windows: must be at least 1, got {n_windows}")
    run = dict(model=list(models), horizon=int(h), exog=list(exog) or None,
               order=",".join(map(str, order)), seasonal=",".join(map(str, seasonal_order)), trend=trend,
               refit=_refit(refit), paths=int(n_paths), innovations=innovations, seed=int(seed),
               threads=int(threads), device=device, date_column=time_col, target=target_col,
               start=None if start is None else str(pd.Timestamp(start).date()),
               end=None if end is None else str(pd.Timestamp(end).date()))
    if int(step_size) > 1:
        run.update(schedule="every_n_rows", step_rows=int(step_size))
    if min_train_rows is not None or n_windows is not None:
        run["min_train_rows"] = 1 if min_train_rows is None else int(min_train_rows)
    if window_rows is not None:
        run.update(window="rolling", window_rows=int(window_rows))
    run.update(options)

    if df.empty:
        raise _core.InputError("df: no rows")
    positions = [df.columns.get_loc(c) + 1 for c in (time_col, target_col, *exog)]
    members = []
    for name, rows in df.groupby(id_col, sort=False, observed=True).indices.items():
        part = df.iloc[rows]
        member = _core.FrameMember()
        member.name = str(name)
        member.dates = days_since_epoch(part[time_col])
        member.values = value_matrix([part[c].to_numpy(dtype=np.float64) for c in (target_col, *exog)])
        member.lines = csv_lines(rows)
        if n_windows is not None:
            # The rows the engine's cleaning keeps: one per date (a repeated
            # date's first row), none with a missing target under "drop".
            dates = np.asarray(member.dates)
            if run.get("missing") == "drop":
                dates = dates[part[target_col].notna().to_numpy()]
            order_by_date = np.unique(dates)
            last = len(order_by_date) - 1 - int(h)
            first = last - (int(n_windows) - 1) * int(step_size)
            if first < 0:
                raise _core.InputError(f"n_windows: series {member.name!r} has {len(order_by_date)} rows, "
                                       f"too few for {n_windows} windows of h={h} every {step_size} rows")
            member.start, member.end = iso(order_by_date[first]), iso(order_by_date[last])
        members.append(member)

    temporary = None
    if store_path is None:
        temporary = tempfile.mkdtemp(prefix="arabica-cv-")
        store_path = os.path.join(temporary, "cross_validation.h5")
    try:
        args = _cli_arguments({**run, "out": os.fspath(store_path)})
        # stacklevel 3: the caller of cross_validation (the C++ call between
        # has no Python frame).
        _core.backfill(args, members, "df", positions, _progress(progress),
                       lambda line: warnings.warn(line, ArabicaWarning, stacklevel=3))
        series = store.read_universe(store_path)
        return pd.concat([to_cross_validation_frame(ds, name, level) for name, ds in series.items()],
                         ignore_index=True)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def to_cross_validation_frame(ds, unique_id: str, level: Sequence[int] = (80, 95)) -> pd.DataFrame:
    """One series of a store as cross_validation returns it (rows of
    failed fits keep NaN forecasts)."""
    frame = store.to_statsforecast(ds, unique_id)
    levels = [float(v) for v in ds.q.values]
    for model in ds.model.values:
        one = ds.sel(model=model)
        frame[f"{model}-path"] = one.path_mean.values.ravel()
        quantiles = one.quantiles.values.reshape(-1, ds.sizes["q"])
        for value in level:
            low, high = PATH_LEVELS[int(value)]
            frame[f"{model}-path-lo-{int(value)}"] = quantiles[:, levels.index(low)]
            frame[f"{model}-path-hi-{int(value)}"] = quantiles[:, levels.index(high)]
        frame[f"{model}-crps"] = one.crps.values.ravel()
    return frame
