#!/usr/bin/env python3
"""Read an `arabica backfill` store (HDF5, netCDF-4 layout) from Python
(`arabica.store`; also `scripts/arabica_store.py` from a checkout).

    import arabica.store as st                   # or: import arabica_store (scripts/)
    ds = st.open_backfill("backfill.h5")          # committed folds only
    cv = st.to_statsforecast(ds, unique_id="KC")  # statsforecast cross_validation shape
    text = st.legacy_csv(ds)                      # the legacy forecast.csv contract
    series = st.open_universe("universe.h5")      # {series: committed folds}, one per group
    table = st.to_long_table(series)              # the long table the Parquet export writes

Command line:

    scripts/arabica_store.py statsforecast STORE --out cv.csv [--unique-id KC]
    scripts/arabica_store.py legacy-csv backfill.h5 --out forecast.csv [--series KC]
    scripts/arabica_store.py parquet STORE --out DIR [--unique-id KC]
    scripts/arabica_store.py pooled UNIVERSE --out pooled.csv

A universe store (one group per series; `xr.open_datatree(path,
engine="h5netcdf")` reads it whole) is read series by series; a
single-series store is a universe of one, named by --unique-id.

`to_statsforecast` gives one row per (cutoff, day ahead) with columns
unique_id, ds (the date forecast), cutoff, y (the realised price, NaN where
not yet known) and, per model, `<model>`, `<model>-lo-95`, `<model>-hi-95`
(the Kalman point forecast and its 95% interval), as statsforecast's
`cross_validation` returns them, so the two can be scored side by side, and
the simulated quantiles `<model>-q-1`, `<model>-q-5` ... `<model>-q-99`.
`legacy_csv` gives the same rows as `arabica backfill --forecast-csv` (failed
fits left out), stamped with the store's generation_timestamp.

The Parquet export is a long table, one row per (series, cutoff, day ahead,
model) of every committed fold whose fit did not fail: unique_id, cutoff,
ds, h, model, forecast_mean, forecast_median, forecast_std, lower_95, upper_95 (Kalman),
path_mean, path_std, quantiles (a list over the store's `q` levels), crps, pit,
actual, last_price, units, partitioned by unique_id (a directory per
series: Spark, Delta and Iceberg read it as it is). Files are written
atomically: a CSV by rename, the Parquet directory whole under a temporary
name, then swapped for the old one.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

import h5py
import numpy as np
import pandas as pd
import xarray as xr

LEGACY_COLUMNS = ["forecast_date", "day_ahead", "forecast_mean", "forecast_std", "lower_95", "upper_95",
                  "model_version", "generation_timestamp", "data_cutoff_date"]
FAILED = 3  # the store's `status` flag for a fold whose fit failed


class StoreError(Exception):
    """A store that cannot be read as it should: damaged, or not a store."""


def open_store(path: str | os.PathLike, group: str | None = None) -> xr.Dataset:
    """The whole store, lazily, as xarray reads it: also while `arabica
    backfill` writes it, or after that writer was killed.

    A writer in SWMR mode marks the file open for writing; only a SWMR reader
    may open it then. A file not so marked is first opened the ordinary way,
    which gives up at once on a damaged metadata block, where a SWMR reader
    retries (HDF5's 100 attempts with doubling sleeps: hours). HDF5's own
    file locks are not taken: arabica's writer lock is STORE.lock."""
    try:
        return xr.open_dataset(path, engine="h5netcdf", group=group, driver_kwds={"locking": False})
    except OSError as error:
        if "already open for write" not in str(error):
            raise StoreError(f"{path}: cannot open the store: {error}") from None
    try:
        return xr.open_dataset(path, engine="h5netcdf", group=group,
                               driver_kwds={"locking": False, "swmr": True})
    except OSError as error:
        raise StoreError(f"{path}: cannot open the store: {error}") from None


def describe_fold(ds: xr.Dataset, fold: int) -> str:
    return f"fold {fold} (cutoff {pd.Timestamp(ds.cutoff.values[fold]):%Y-%m-%d})"


def open_backfill(path: str | os.PathLike, group: str | None = None) -> xr.Dataset:
    """The store with only its committed folds (fold_complete == 1): a run
    still going, or killed, has laid out folds it has not written yet.

    Every variable but the stored paths is read at once, so that a damaged
    chunk (HDF5's Fletcher32 checksum) is a StoreError naming variable and
    fold here, not an OSError later; a fold_complete other than 0 or 1 is
    damage, never a commit."""
    ds = open_store(path, group)
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
                                 f"{describe_fold(store, int(fold))}"
                                 f"{describe_chunk(variable, int(fold), store.sizes['cutoff'])}: "
                                 f"{error}") from None
    raise StoreError(f"{path}: cannot read variable '{name}': {detail}")


def describe_chunk(variable: xr.Variable, fold: int, folds: int) -> str:
    """", whose chunk holds folds A-B" in a store chunked for reading: a
    damaged chunk takes its other folds with it."""
    chunks = variable.encoding.get("chunksizes")
    if not chunks or chunks[variable.dims.index("cutoff")] <= 1:
        return ""
    size = chunks[variable.dims.index("cutoff")]
    first = fold // size * size
    return f", whose chunk holds folds {first}-{min(first + size, folds) - 1}"


def open_universe(path: str | os.PathLike, unique_id: str = "series") -> dict[str, xr.Dataset]:
    """Every series of a store with only its committed folds, by name: the
    groups of a universe store in its order, or a single-series store as
    `unique_id`."""
    with open_store(path) as root:
        names = root.attrs.get("series")
        single = "fold_complete" in root.variables
    if single:
        return {unique_id: open_backfill(path)}
    if names is None:
        raise StoreError(f"{path}: neither a backfill store nor a universe store")
    series = {}
    try:
        for name in json.loads(names):
            series[name] = open_backfill(path, group=name)
    except BaseException:
        for ds in series.values():
            ds.close()
        raise
    return series


# Attributes the dimension-scale machinery and netCDF-C keep for themselves.
_HIDDEN_ATTRIBUTES = {b"CLASS", b"NAME", b"DIMENSION_LIST", b"REFERENCE_LIST", b"_Netcdf4Dimid",
                      b"_Netcdf4Coordinates", b"_FillValue"}
_DIMENSION_WITHOUT_VALUES = b"This is a netCDF dimension"
_DATE_UNITS = "days since 1970-01-01"
# A store chunked for reading lists its variables' metadata in this group
# attribute (docs/HDF5_LAYOUT.md, "Chunking").
READING_INDEX = "_arabica_index"
_READING_INDEX_KEY = READING_INDEX.encode()


def _attribute_value(attribute):
    """An attribute's value as h5py gives it: a scalar, or an array."""
    value = np.empty(attribute.shape, dtype=attribute.dtype)
    attribute.read(value)
    return value[()] if value.shape == () else value


def _kept_value(value):
    """An attribute's value as xarray keeps it: text as str."""
    return value.decode() if isinstance(value, bytes) else value


def _tracks_attribute_order(object_id) -> bool:
    """Whether an object's attributes are indexed by creation order (a
    file's: its root group's)."""
    if isinstance(object_id, h5py.h5f.FileID):
        object_id = h5py.h5g.open(object_id, b"/")
    try:
        flags = object_id.get_create_plist().get_attr_creation_order()
    except (AttributeError, ValueError):
        return False
    return bool(flags & h5py.h5p.CRT_ORDER_INDEXED)


def _attributes(object_id) -> tuple[dict, bool, bytes, np.ndarray | None]:
    """An object's attributes as xarray keeps them, whether it is a
    dimension scale, its scale NAME and its DIMENSION_LIST, read with h5py's
    low-level API (its AttributeManager costs ten times more per attribute,
    and a store has thousands)."""
    attrs, is_scale, scale_name, dimension_list = {}, False, b"", None
    # In creation order where the file tracks it (xarray's order), else by name.
    order = h5py.h5.INDEX_CRT_ORDER if _tracks_attribute_order(object_id) else h5py.h5.INDEX_NAME
    for i in range(h5py.h5a.get_num_attrs(object_id)):
        attribute = h5py.h5a.open(object_id, index=i, index_type=order)
        key = attribute.name
        if key == b"REFERENCE_LIST" or key == b"_FillValue" or key == _READING_INDEX_KEY:
            continue  # the scale's back-references; NaN fill: nothing to mask; the index, read once
        value = _attribute_value(attribute)
        if key == b"CLASS":
            is_scale = value == b"DIMENSION_SCALE"
        elif key == b"NAME":
            scale_name = value
        elif key == b"DIMENSION_LIST":
            dimension_list = value
        elif key not in _HIDDEN_ATTRIBUTES:
            attrs[key.decode()] = _kept_value(value)
    return attrs, is_scale, scale_name, dimension_list


def _indexed_attributes(object_id, entry: dict) -> dict:
    """An object's attributes from its reading index entry: the texts it
    lists, the others (`other`) read from the object, in creation order
    (`order`, where it is not the texts then the others)."""
    texts = entry["attrs"]
    attrs = {}
    for name in entry.get("order") or [*texts, *entry["other"]]:
        key = name.encode()
        if key not in _HIDDEN_ATTRIBUTES:  # _FillValue among them: NaN fill, nothing to mask
            attrs[name] = texts[name] if name in texts else _kept_value(_attribute_value(h5py.h5a.open(object_id, key)))
    return attrs


def _reading_index(group: h5py.Group) -> dict | None:
    """The group's reading index (a store chunked for reading), parsed."""
    index = group.attrs.get(READING_INDEX)
    return None if index is None else json.loads(index)


def _group_attributes(group: h5py.Group, index: dict | None) -> dict:
    """The group's own attributes: from its reading index where it lists
    them (version 2 on), else attribute by attribute."""
    if index is not None and "group" in index:
        return _indexed_attributes(group.id, index["group"])
    return _attributes(group.id)[0]


def _decode_dates(values: np.ndarray, attrs: dict) -> tuple[np.ndarray, dict]:
    """Day counts to datetime64[ns] with xarray's encoding, as decode_cf
    does for the store's only time units."""
    if attrs.get("units") != _DATE_UNITS:
        return values, {}
    encoding = {"units": attrs.pop("units"), "calendar": attrs.pop("calendar", "proleptic_gregorian"),
                "dtype": values.dtype}
    return (values.astype(np.int64) * 86_400_000_000_000).view("datetime64[ns]"), encoding


def _left_out(name: str, is_scale: bool, wanted: frozenset[str] | None,
              dropped: frozenset[str] = frozenset()) -> bool:
    """A data variable not asked for (`wanted`; None: all) or dropped:
    left unread. Scales and forecast_date (a coordinate) are always read."""
    if is_scale or name == "forecast_date":
        return False
    return name in dropped or (wanted is not None and name not in wanted)


def _described_variables(group: h5py.Group, index: dict | None, wanted: frozenset[str] | None = None,
                         dropped: frozenset[str] = frozenset()
                         ) -> list[tuple[str, object, dict, bool, bytes, tuple]]:
    """(name, dataset id, attrs, is_scale, scale NAME, dims) of every
    variable, in creation order: from the group's reading `index` when it
    has one (a store chunked for reading: one attribute instead of
    thousands), else attribute by attribute. `wanted`, `dropped`: with the
    index, the variables left out (_left_out) are not opened at all."""
    if index is not None:
        described = []
        for entry in index["variables"]:
            if _left_out(entry["name"], "scale" in entry, wanted, dropped):
                continue
            dataset = h5py.h5d.open(group.id, entry["name"].encode())
            described.append((entry["name"], dataset, _indexed_attributes(dataset, entry), "scale" in entry,
                              entry.get("scale", "").encode(), tuple(entry["dims"])))
        return described
    names: list[bytes] = []
    group.id.links.iterate(names.append, idx_type=h5py.h5.INDEX_CRT_ORDER)
    # A scale's name by its object address: h5py's .name of a dereferenced
    # object searches the file (a millisecond each).
    scales, objects = {}, []
    for name in names:
        dataset = h5py.h5d.open(group.id, name)
        attrs, is_scale, scale_name, dimension_list = _attributes(dataset)
        if is_scale:
            scales[h5py.h5o.get_info(dataset).addr] = name.decode()
        objects.append((name.decode(), dataset, attrs, is_scale, scale_name, dimension_list))
    file_id = group.file.id
    return [(name, dataset, attrs, is_scale, scale_name,
             (name,) if is_scale else
             tuple(scales[h5py.h5o.get_info(h5py.h5r.dereference(ref[0], file_id)).addr]
                   for ref in dimension_list))
            for name, dataset, attrs, is_scale, scale_name, dimension_list in objects]


# The variables of the long table (to_long_table, the Parquet export).
LONG_TABLE_VARIABLES = ("forecast_mean", "forecast_median", "forecast_std", "lower_95", "upper_95", "path_mean",
                        "path_std", "quantiles", "crps", "pit", "actual", "last_price", "status")


class StoredPaths(xr.backends.BackendArray):
    """A store's `paths` (model, cutoff, path, day_ahead), read from the file
    when indexed (it may be far larger than memory): the file is opened for
    each read (open_file), none is kept open. Reads the box spanning the
    indices asked for, then picks them. A store of the same config_hash
    holds the same committed folds (a resume, a rewrite for reading); one
    replaced meanwhile by another configuration (an extension to a later
    end) or layout is refused, never read as the one opened."""

    def __init__(self, path: str, group: str, shape: tuple[int, ...], dtype: np.dtype, config_hash):
        self.path, self.group, self.shape, self.dtype = path, group, shape, dtype
        self.config_hash = config_hash

    def __getitem__(self, key):
        return xr.core.indexing.explicit_indexing_adapter(
            key, self.shape, xr.core.indexing.IndexingSupport.OUTER, self._read)

    def _read(self, key: tuple) -> np.ndarray:
        # Each axis' indices; an integer drops its axis.
        indices = [np.arange(size)[k] if isinstance(k, slice) else np.atleast_1d(np.asarray(k, dtype=np.int64))
                   for k, size in zip(key, self.shape)]
        kept = tuple(len(i) for k, i in zip(key, indices) if not isinstance(k, (int, np.integer)))
        if any(i.size == 0 for i in indices):
            return np.empty(kept, self.dtype)
        box = tuple(slice(int(i.min()), int(i.max()) + 1) for i in indices)
        with open_file(self.path) as file:
            group = file.get(self.group)
            stored = group.get("paths") if isinstance(group, h5py.Group) else None
            if not isinstance(stored, h5py.Dataset) or stored.shape != self.shape or \
                    group.attrs.get("config_hash") != self.config_hash:
                raise StoreError(f"{self.path}: the store changed since it was opened (another configuration "
                                 "or layout): open it again to read its paths")
            try:
                values = stored[box]
            except OSError as error:
                raise StoreError(f"{self.path}: cannot read variable 'paths': {error}") from None
        return values[np.ix_(*(i - b.start for i, b in zip(indices, box)))].reshape(kept)


def _read_group(group: h5py.Group, path: str, with_paths: bool | str,
                wanted: frozenset[str] | None = None, dropped: frozenset[str] = frozenset()) -> xr.Dataset:
    """One store (a file's root or a universe group) read whole with h5py
    and decoded as xr.decode_cf decodes it (dates, coordinates); `paths`
    only when asked (True: read, "lazy": StoredPaths, read when indexed).
    Far faster than xr.open_dataset on a store: h5netcdf
    names each variable's dimensions by asking HDF5 for its scales' paths,
    which HDF5 finds by walking the file (and on a store being written it
    sizes the unlimited `cutoff` by opening every variable attached to it,
    for every variable)."""
    variables, coordinates = {}, set()
    index = _reading_index(group)
    for name, dataset, attrs, is_scale, scale_name, dims in _described_variables(group, index, wanted, dropped):
        if name == "paths" and not with_paths:
            continue
        if _left_out(name, is_scale, wanted, dropped):  # only the variables asked for, with their coordinates
            continue
        if name == "paths" and with_paths == "lazy":
            coordinates.update(attrs.pop("coordinates", "").split())  # as decode_cf does
            lazy = StoredPaths(path, group.name, dataset.shape, dataset.dtype, group.attrs.get("config_hash"))
            variables[name] = xr.Variable(dims, xr.core.indexing.LazilyIndexedArray(lazy), attrs)
            continue
        if is_scale and scale_name.startswith(_DIMENSION_WITHOUT_VALUES):
            continue  # a dimension without values (param, path)
        values = np.empty(dataset.shape, dtype=dataset.dtype)
        try:
            dataset.read(h5py.h5s.ALL, h5py.h5s.ALL, values)
        except OSError as error:
            raise StoreError(f"{path}: cannot read variable '{name}': {error}") from None
        if values.dtype.kind == "S":
            values = np.char.decode(values, "utf-8")
        elif values.dtype.kind == "O":
            values = np.array([v.decode() if isinstance(v, bytes) else v for v in values.ravel()],
                              dtype=object).reshape(values.shape)
        values, encoding = _decode_dates(values, attrs)
        if is_scale:
            coordinates.add(name)
        coordinates.update(attrs.pop("coordinates", "").split())  # as decode_cf does
        variables[name] = xr.Variable(dims, values, attrs, encoding=encoding, fastpath=True)
    coords = {name: v for name, v in variables.items() if name in coordinates}
    data_vars = {name: v for name, v in variables.items() if name not in coordinates}
    return xr.Dataset(data_vars, coords=coords, attrs=_group_attributes(group, index))


def open_file(path: str) -> h5py.File:
    """The store file with h5py: the ordinary way, or as a SWMR reader when a
    writer has it marked open for writing (see open_store). HDF5 shares a
    file this process has open already, and only with the same locking: one
    opened with HDF5's locks (xarray's h5netcdf by default) is opened so."""
    try:
        return h5py.File(path, "r", locking=False)
    except OSError as error:
        if "file locking flag values don't match" in str(error):
            try:
                return h5py.File(path, "r")
            except OSError as again:
                error = again
        if "already open for write" not in str(error):
            raise StoreError(f"{path}: cannot open the store: {error}") from None
        return h5py.File(path, "r", swmr=True, locking=False)


def series_groups(file: h5py.File, path: str) -> dict[str | None, h5py.Group]:
    """The stores of an open file by series name: a single-series store's
    root as None, or a universe's groups in its order."""
    if "fold_complete" in file:
        return {None: file}
    if "series" in file.attrs:
        return {name: file[name] for name in json.loads(file.attrs["series"])}
    raise StoreError(f"{path}: neither a backfill store nor a universe store")


def variable_names(names: str | Iterable[str] | None) -> frozenset[str]:
    """Variable names as xarray takes them: one name, several, or None."""
    if names is None:
        return frozenset()
    return frozenset([names] if isinstance(names, str) else names)


def read_universe(path: str | os.PathLike, unique_id: str = "series",
                  with_paths: bool | str = False, variables=None, drop_variables=()) -> dict[str, xr.Dataset]:
    """open_universe's result, read eagerly with h5py (also while a writer
    runs: SWMR reading): every series' committed folds, by name. The fast
    way into xarray (docs/HDF5_LAYOUT.md, "Reading"). `variables`: only
    these data variables (with every coordinate), e.g. LONG_TABLE_VARIABLES,
    the forecasts the long table holds; None: all; `drop_variables`: not
    these. `with_paths`: the stored paths too, read (True) or when indexed
    ("lazy")."""
    path = str(path)
    with open_file(path) as file:
        wanted = None if variables is None else variable_names(variables)
        return {unique_id if name is None else name:
                read_committed(group, path, with_paths, wanted, variable_names(drop_variables))
                for name, group in series_groups(file, path).items()}


def read_committed(group: h5py.Group, path: str, with_paths: bool | str = False,
                   wanted: frozenset[str] | None = None, dropped: frozenset[str] = frozenset()) -> xr.Dataset:
    """One store of an open file (its root, or a universe's series group):
    its committed folds (_read_group's arguments). A fold_complete other
    than 0 or 1 is damage, never a commit."""
    dataset = h5py.h5d.open(group.id, b"fold_complete")
    flags = np.empty(dataset.shape, dtype=np.int8)
    dataset.read(h5py.h5s.ALL, h5py.h5s.ALL, flags)
    bad = np.flatnonzero((flags != 0) & (flags != 1))
    if bad.size:
        raise StoreError(f"{path}: fold_complete of fold {int(bad[0])} is {int(flags[bad[0]])}, "
                         "not 0 or 1: the store is damaged")
    ds = _read_group(group, path, with_paths, wanted, dropped)
    return ds if flags.all() else ds.isel(cutoff=np.flatnonzero(flags == 1))


def read_pooled(path: str | os.PathLike, drop_variables=()) -> xr.Dataset:
    """A universe's scores pooled across the series of the run that wrote
    them (listed in its `series` attribute): per model name and day ahead,
    and `<metric>_overall` over all days; CRPS as a fraction of the cutoff
    price, RMSE and MAE NaN (no pooled meaning)."""
    path = str(path)
    with open_file(path) as file:
        if "pooled" not in file or "series" not in file.attrs:
            raise StoreError(f"{path}: not a universe store with pooled scores")
        return _read_group(file["pooled"], path, with_paths=False, dropped=variable_names(drop_variables))


def pooled_table(pooled: xr.Dataset) -> pd.DataFrame:
    """read_pooled's scores as rows: model, day_ahead (1..H, then "all")
    and one column per metric."""
    metrics = [name for name in pooled.data_vars if not name.endswith("_overall")]
    rows = []
    for m, model in enumerate(pooled.model.values):
        for h, day in enumerate(pooled.day_ahead.values):
            rows.append({"model": str(model), "day_ahead": str(int(day)),
                         **{v: float(pooled[v].values[m, h]) for v in metrics}})
        rows.append({"model": str(model), "day_ahead": "all",
                     **{v: float(pooled[f"{v}_overall"].values[m]) for v in metrics}})
    return pd.DataFrame(rows)


def _text(value) -> str:
    """A fixed-length string as h5netcdf (bytes) or h5py (str) reads it."""
    return value.decode() if isinstance(value, bytes) else str(value)


def registry(ds: xr.Dataset) -> pd.DataFrame:
    """The model registry of a store (`arabica models`): one row per refit,
    a (model, fold) whose fit was estimated there rather than re-filtered,
    with its training window, data hash, llf, aic, convergence, fit time and
    one column per parameter (NaN where a model has no such parameter); where
    the run recorded them (`--registry-cov`), `param_cov`, each refit's
    parameter covariance (a k x k array in the parameters' order, None for a
    model without one, e.g. naive)."""
    rows = []
    recorded = "param_cov" in ds
    for model in ds.model.values:
        one = ds.sel(model=model)
        names = [str(n) for n in one.param_name.values if str(n)]
        for f in np.flatnonzero(one.status.values == 1):  # trained
            fold = one.isel(cutoff=int(f))
            row = {"model": str(model), "trained_on": fold.trained_on.values, "train_start": fold.train_start.values,
                   "train_rows": int(fold.train_rows), "llf": float(fold.llf), "aic": float(fold.aic),
                   "converged": bool(fold.converged), "n_iter": int(fold.n_iter),
                   "fit_seconds": float(fold.fit_seconds), "train_data_hash": _text(fold.train_data_hash.values.item())}
            row.update({name: float(v) for name, v in zip(names, fold.params.values)})
            if recorded:
                k = int(np.sum(~np.isnan(fold.params.values)))
                cov = fold.param_cov.values[:k, :k]
                row["param_cov"] = None if k == 0 or np.isnan(cov).all() else cov
            rows.append(row)
    return pd.DataFrame(rows)


def open_committed(path: str | os.PathLike, unique_id: str = "series",
                   variables=None) -> xr.Dataset | xr.DataTree:
    """`arabica.open_store`: the committed folds of a store, read eagerly: a
    single-series store as a Dataset, a universe as a DataTree with a node
    per series (and `pooled`, the scores pooled across them). `variables`:
    only these data variables (read_universe), e.g. LONG_TABLE_VARIABLES."""
    series = read_universe(path, unique_id, variables=variables)
    with open_file(str(path)) as file:
        single = "fold_complete" in file
        pooled = "pooled" in file
    if single:
        return next(iter(series.values()))
    nodes = {f"/{name}": ds for name, ds in series.items()}
    if pooled:
        nodes["/pooled"] = read_pooled(path)
    return xr.DataTree.from_dict(nodes)


def store_series(source) -> dict[str, xr.Dataset]:
    """{series: committed folds} of a store path, a Dataset (one series) or
    a DataTree from open_committed."""
    if isinstance(source, (str, os.PathLike)):
        return read_universe(source)
    if isinstance(source, xr.Dataset):
        return {"series": source}
    return {name: node.to_dataset() for name, node in source.children.items() if name != "pooled"}


def to_parquet(source, out: str | os.PathLike) -> pd.DataFrame:
    """The long table of a store (path, Dataset or DataTree) written as
    Parquet partitioned by unique_id (write_parquet); returns the table."""
    table = to_long_table(store_series(source))
    write_parquet(table, out)
    return table


def read_registry(source) -> pd.DataFrame:
    """Every series' model registry (registry()), with a `series` column."""
    frames = [registry(ds).assign(series=name) for name, ds in store_series(source).items()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def quantile_label(level: float) -> str:
    """statsforecast's level suffix: 0.05 -> "5", 0.5 -> "50"."""
    return f"{level * 100:g}"


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
        quantiles = one.quantiles.values.reshape(-1, ds.sizes["q"])
        for k, level in enumerate(ds.q.values):
            frame[f"{model}-q-{quantile_label(level)}"] = quantiles[:, k]
    return frame


def to_long_table(series: dict[str, xr.Dataset]) -> pd.DataFrame:
    """One row per (series, cutoff, day ahead, model) whose fit did not fail."""
    frames = []
    for name, ds in series.items():
        folds, horizon = ds.sizes["cutoff"], ds.sizes["day_ahead"]
        for m, model in enumerate(ds.model.values):
            keep = np.repeat(ds.status.values[m] != FAILED, horizon)
            one = ds.isel(model=m)
            frame = pd.DataFrame({
                "unique_id": name,
                "cutoff": np.repeat(ds.cutoff.values, horizon),
                "ds": ds.forecast_date.values.ravel(),
                "h": np.tile(ds.day_ahead.values, folds).astype(np.int32),
                "model": str(model),
                **{v: one[v].values.ravel() for v in ("forecast_mean", "forecast_median", "forecast_std",
                                                      "lower_95", "upper_95", "path_mean", "path_std")},
                "quantiles": list(one.quantiles.values.reshape(-1, ds.sizes["q"])),
                "crps": one.crps.values.ravel(),
                "pit": one.pit.values.ravel(),
                "actual": ds.actual.values.ravel(),
                "last_price": np.repeat(ds.last_price.values, horizon),
                "units": ds.path_mean.attrs.get("units", "1"),
            })
            frames.append(frame[keep])
    return pd.concat(frames, ignore_index=True)


def write_parquet(table: pd.DataFrame, out: str | os.PathLike) -> None:
    """The table as a Parquet dataset partitioned by unique_id, written
    whole under a temporary name beside `out`, then swapped in."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    out = Path(out)
    temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        pq.write_to_dataset(pa.Table.from_pandas(table, preserve_index=False), temporary,
                            partition_cols=["unique_id"])
        previous = None
        if out.exists():
            previous = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, previous)
        os.replace(temporary, out)
        if previous is not None:
            shutil.rmtree(previous)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


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
    legacy = commands.add_parser("legacy-csv", help="the legacy forecast.csv contract (one series)")
    parquet = commands.add_parser("parquet", help="long table as Parquet, partitioned by series")
    pooled = commands.add_parser("pooled", help="a universe's scores pooled across its series, as CSV")
    for command in (statsforecast, legacy, parquet, pooled):
        command.add_argument("store")
        command.add_argument("--out", required=True)
    for command in (statsforecast, parquet):
        command.add_argument("--unique-id", default="series", help="name of a single-series store's series")
    legacy.add_argument("--series", help="the series of a universe store to export")
    args = parser.parse_args(argv)
    if not Path(args.store).is_file():
        parser.error(f"{args.store}: no such file")
    if args.command == "pooled":
        try:
            text = pooled_table(read_pooled(args.store)).to_csv(index=False)
        except StoreError as error:
            print(f"arabica_store.py: error: {error}", file=sys.stderr)
            return 1
        write_atomically(args.out, text)
        print(f"wrote {args.out}", file=sys.stderr)
        return 0
    try:
        series = open_universe(args.store, getattr(args, "unique_id", "series"))
        try:
            if args.command == "statsforecast":
                frame = pd.concat([to_statsforecast(ds, name) for name, ds in series.items()], ignore_index=True)
                text = frame.to_csv(index=False, date_format="%Y-%m-%d")
            elif args.command == "legacy-csv":
                if len(series) > 1 and args.series not in series:
                    parser.error(f"{args.store} holds {len(series)} series: give --series "
                                 f"(one of {', '.join(series)})")
                text = legacy_csv(series[args.series] if len(series) > 1 else next(iter(series.values())))
            else:
                table = to_long_table(series)
        finally:
            for ds in series.values():
                ds.close()
    except StoreError as error:
        print(f"arabica_store.py: error: {error}", file=sys.stderr)
        return 1
    if args.command == "parquet":
        write_parquet(table, args.out)
    else:
        write_atomically(args.out, text)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
