"""xarray's engine "arabica" (python/arabica/xarray_backend.py) on the CLI's
store of a 3-series universe (with stored paths), on one of its shards
(folds committed by the other shard left out) and on a single-series store:
what arabica.open_store and h5netcdf read, through xr.open_datatree and
xr.open_dataset (issue 15: reading a universe store into xarray)."""
from __future__ import annotations

import importlib.metadata
import shutil

import h5py
import numpy as np
import pytest
import xarray as xr

import arabica
import arabica.store as st
from arabica.xarray_backend import ArabicaBackendEntrypoint, read_groups
from conftest import run_cli
from test_cross_validation import CLI_PLAN, three_series

SERIES = ("KC", "SB", "CC")


@pytest.fixture(scope="module")
def stores(repo, cli, tmp_path_factory):
    """The universe store, shard 1 of 2 of the same run, and KC alone."""
    work = tmp_path_factory.mktemp("engine")
    three_series(repo).to_csv(work / "long.csv", index=False, date_format="%Y-%m-%d")
    options = ["--csv", work / "long.csv", "--date-column", "ds", "--target", "y", "--series-column", "unique_id",
               "--exog", "rain,brl_usd", *CLI_PLAN]
    run_cli(cli, "backfill", *options, "--out", work / "u.h5")
    run_cli(cli, "backfill", *options, "--num-shards", "2", "--shard", "1", "--out", work / "s.h5")
    kc = three_series(repo).query("unique_id == 'KC'").drop(columns="unique_id")
    kc.to_csv(work / "kc.csv", index=False, date_format="%Y-%m-%d")
    run_cli(cli, "backfill", "--csv", work / "kc.csv", "--date-column", "ds", "--target", "y",
            "--exog", "rain,brl_usd", *CLI_PLAN, "--out", work / "kc.h5")
    return work / "u.h5", work / "s.h5.shard-1-of-2", work / "kc.h5"


def h5netcdf_committed(path, group=None) -> xr.Dataset:
    """h5netcdf's read, committed folds only. xarray's file cache keeps the
    file open with HDF5's locks, which the engine then shares (open_file)."""
    ds = xr.open_dataset(path, engine="h5netcdf", group=group).load()
    return ds.isel(cutoff=np.flatnonzero(ds.fold_complete.values == 1))


def assert_same_numbers(ours: xr.Dataset, theirs: xr.Dataset) -> None:
    """Every variable of both, value for value (text as text), dims alike."""
    assert set(ours.variables) == set(theirs.variables)
    for name in ours.variables:
        a, b = ours[name], theirs[name]
        assert a.dims == b.dims, name
        if b.dtype.kind == "S":
            b = b.copy(data=np.char.decode(b.values, "utf-8"))
        np.testing.assert_array_equal(a.values, b.values, err_msg=name)


def test_the_tree_is_open_store_plus_the_root_attributes(stores):
    universe = stores[0]
    tree = xr.open_datatree(universe, engine=ArabicaBackendEntrypoint)
    assert set(tree.children) == {*SERIES, "pooled"}
    expected = arabica.open_store(universe)
    for name in (*SERIES, "pooled"):
        xr.testing.assert_identical(tree[name].to_dataset().drop_vars("paths", errors="ignore"),
                                    expected[name].to_dataset())
    assert tree.attrs["series"] == '["KC","SB","CC"]' and tree.attrs["schema_version"] == 5
    assert not tree.to_dataset().variables
    # Attributes in creation order, as h5netcdf lists them (the root's too).
    with xr.open_datatree(universe, engine="h5netcdf") as theirs:
        for node in ("/", *SERIES):
            for name, variable in [(None, tree[node]), *tree[node].variables.items()]:
                ours_attrs = list(variable.attrs)
                their_attrs = [k for k in (theirs[node] if name is None else theirs[node][name]).attrs
                               if k != "_arabica_index"]
                assert ours_attrs == their_attrs, (node, name)


@pytest.mark.parametrize("name", SERIES)
def test_each_series_reads_as_h5netcdf_reads_its_committed_folds(stores, name):
    universe, shard, _ = stores
    for path in (universe, shard):
        ours = xr.open_dataset(path, engine=ArabicaBackendEntrypoint, group=name)
        theirs = h5netcdf_committed(path, name)
        assert 0 < ours.sizes["cutoff"] == theirs.sizes["cutoff"]
        assert_same_numbers(ours, theirs)
    # The shard holds this series' folds of shard 1 only.
    assert xr.open_dataset(shard, engine=ArabicaBackendEntrypoint, group=name).sizes["cutoff"] < \
        xr.open_dataset(universe, engine=ArabicaBackendEntrypoint, group=name).sizes["cutoff"]


def test_stored_paths_are_read_when_indexed(stores):
    universe = stores[0]
    ds = xr.open_dataset(universe, engine=ArabicaBackendEntrypoint, group="SB")
    lazy = read_groups(str(universe), group="SB")["/"].paths.variable._data
    assert isinstance(lazy, xr.core.indexing.LazilyIndexedArray)  # not read yet
    stored = h5netcdf_committed(universe, "SB").paths
    for pick in (dict(), dict(cutoff=2), dict(cutoff=[4, 0, 2], path=slice(1, None)),
                 dict(model=1, cutoff=slice(None, None, 3), day_ahead=[6, 0]), dict(cutoff=[]),
                 dict(model=-1, cutoff=slice(None, None, -2), path=[-1, 0])):
        np.testing.assert_array_equal(ds.paths.isel(pick).values, stored.isel(pick).values, err_msg=str(pick))
    assert ds.paths.dtype == np.float32 and ds.paths.attrs["units"] == stored.attrs["units"]


def test_stored_paths_of_a_store_replaced_since_opening_are_refused(stores, tmp_path):
    """Read when indexed, from the file then at the path: a store of another
    configuration there (an extension to a later end) or of another layout
    is refused, not read as the store opened; a rewrite of the same run
    (here a plain copy) is read."""
    universe, _, single = stores
    store = tmp_path / "u.h5"
    shutil.copy(universe, store)
    ds = xr.open_dataset(store, engine=ArabicaBackendEntrypoint, group="SB")
    shutil.copy(universe, store)  # the same run's store anew
    expected = h5netcdf_committed(universe, "SB").paths.isel(cutoff=0).values
    np.testing.assert_array_equal(ds.paths.isel(cutoff=0).values, expected)
    with h5py.File(store, "r+") as f:
        f["SB"].attrs["config_hash"] = "0123456789abcdef"
    with pytest.raises(st.StoreError, match="the store changed since it was opened"):
        ds.paths.isel(cutoff=0).values
    shutil.copy(single, store)  # a single-series store: no group SB
    with pytest.raises(st.StoreError, match="the store changed since it was opened"):
        ds.paths.isel(cutoff=1).values


def test_drop_variables_groups_and_a_single_series_store(stores):
    universe, _, single = stores
    ds = xr.open_dataset(universe, engine=ArabicaBackendEntrypoint, group="/CC",
                         drop_variables=["quantiles", "paths", "forecast_date"])
    assert "quantiles" not in ds and "paths" not in ds and "forecast_mean" in ds
    assert "forecast_date" in ds.coords  # a coordinate: always read
    assert "quantiles" not in xr.open_datatree(universe, engine=ArabicaBackendEntrypoint,
                                               drop_variables="quantiles")["KC"]
    assert set(xr.open_dataset(universe, engine=ArabicaBackendEntrypoint).attrs) >= {"series", "arabica_version"}
    with pytest.raises(st.StoreError, match="no group 'XX' \\(series: KC, SB, CC\\)"):
        xr.open_dataset(universe, engine=ArabicaBackendEntrypoint, group="XX")
    # A single-series store is its root; its tree has no other node.
    kc = xr.open_dataset(single, engine=ArabicaBackendEntrypoint)
    assert_same_numbers(kc, h5netcdf_committed(single))
    assert not xr.open_datatree(single, engine=ArabicaBackendEntrypoint).children
    with pytest.raises(st.StoreError, match="single-series store has no group 'KC'"):
        xr.open_dataset(single, engine=ArabicaBackendEntrypoint, group="KC")
    entrypoint = ArabicaBackendEntrypoint()
    assert entrypoint.guess_can_open(universe) and entrypoint.guess_can_open(single)
    assert not entrypoint.guess_can_open(universe.parent / "long.csv")


def test_pyproject_declares_the_engine(repo):
    """What `pip install .` registers (scripts/setup installs the package;
    a checkout's build/python is not installed)."""
    import importlib
    import tomllib
    declared = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["entry-points"]["xarray.backends"]
    assert declared == {"arabica": "arabica.xarray_backend:ArabicaBackendEntrypoint"}
    module, name = declared["arabica"].split(":")
    assert getattr(importlib.import_module(module), name) is ArabicaBackendEntrypoint


def test_the_installed_package_registers_the_engine(stores):
    try:
        names = {e.name for e in importlib.metadata.distribution("arabica").entry_points
                 if e.group == "xarray.backends"}
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the arabica package is not installed (scripts/setup installs it)")
    assert names == {"arabica"}
    assert "arabica" in xr.backends.list_engines()
    tree = xr.open_datatree(stores[0], engine="arabica")
    assert set(tree.children) == {*SERIES, "pooled"}
