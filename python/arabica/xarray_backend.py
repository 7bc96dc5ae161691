"""xarray's engine "arabica": an `arabica backfill` store's committed folds,
read as `arabica.open_store` reads them (h5py, the reading index, dates
decoded as xr.decode_cf does), through xarray's own functions:

    xr.open_datatree("universe.h5", engine="arabica")   # a node per series, and pooled
    xr.open_dataset("universe.h5", engine="arabica", group="KC")
    xr.open_dataset("backfill.h5", engine="arabica")     # a single-series store
    xr.open_datatree("universe.h5", engine="arabica", drop_variables=["quantiles"])

Registered by the installed package (pyproject's xarray.backends entry
point); `engine=ArabicaBackendEntrypoint` works without it. h5netcdf reads
the same files, every fold laid out (committed or not), but names each
variable's dimensions by asking HDF5 for its scales' paths, which HDF5 finds
by walking the file: about 20 s for the 14-series example against a fraction
of a second here (docs/HDF5_LAYOUT.md, "Reading"; bench/results/universe.md).

Every variable is read when opened (a store's summaries are small) but for
the stored `paths`, read when indexed: they may be far larger than memory.
No file stays open: paths are read from the file then at the path, refused
when it holds another configuration (StoredPaths). A file marked open by a
live or killed writer is read as a SWMR reader; only folds whose
`fold_complete` is 1 are given.
"""
from __future__ import annotations

import os

import xarray as xr
from xarray.backends import BackendEntrypoint

from .store import StoreError, _attributes, _read_group, open_file, read_committed, series_groups, variable_names


def read_groups(path: str, drop_variables=None, group: str | None = None) -> dict[str, xr.Dataset]:
    """{"/": root, "/NAME": series ...} of a store: a single-series store is
    its root; a universe's root holds its attributes, a node per series and
    `/pooled`, the scores pooled across them. `group`: only that one, as "/"."""
    dropped = variable_names(drop_variables)
    wanted = None if group is None else "/" + group.strip("/")
    with open_file(path) as file:
        stores = series_groups(file, path)
        if None in stores:  # a single-series store
            if wanted not in (None, "/"):
                raise StoreError(f"{path}: a single-series store has no group '{group}'")
            return {"/": read_committed(file, path, "lazy", dropped=dropped)}
        names = [f"/{name}" for name in stores] + (["/pooled"] if "pooled" in file else [])
        if wanted not in (None, "/") and wanted not in names:
            raise StoreError(f"{path}: no group '{group}' (series: {', '.join(stores)})")
        groups = {}
        if wanted in (None, "/"):
            groups["/"] = xr.Dataset(attrs=_attributes(file.id)[0])
        for name in names:
            if wanted is None or wanted == name:
                key = "/" if wanted == name else name
                groups[key] = _read_group(file[name], path, False, dropped=dropped) if name == "/pooled" \
                    else read_committed(file[name], path, "lazy", dropped=dropped)
        return groups


class ArabicaBackendEntrypoint(BackendEntrypoint):
    description = "arabica backfill stores: committed folds, read whole but the stored paths"
    open_dataset_parameters = ("filename_or_obj", "drop_variables", "group")
    supports_groups = True

    def guess_can_open(self, filename_or_obj) -> bool:
        """An HDF5 file written by arabica (its root's `arabica_version`)."""
        try:
            path = os.fspath(filename_or_obj)
        except TypeError:
            return False
        try:
            with open_file(path) as file:
                return "arabica_version" in file.attrs
        except (OSError, StoreError, ValueError):
            return False

    def open_dataset(self, filename_or_obj, *, drop_variables=None, group=None) -> xr.Dataset:
        return read_groups(os.fspath(filename_or_obj), drop_variables, group or "/")["/"]

    def open_groups_as_dict(self, filename_or_obj, *, drop_variables=None, group=None) -> dict[str, xr.Dataset]:
        return read_groups(os.fspath(filename_or_obj), drop_variables, group)

    def open_datatree(self, filename_or_obj, *, drop_variables=None, group=None) -> xr.DataTree:
        return xr.DataTree.from_dict(self.open_groups_as_dict(filename_or_obj, drop_variables=drop_variables,
                                                              group=group))
