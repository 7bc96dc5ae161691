"""`arabica simulate --h5` read back by xarray (engine h5netcdf): named
dimensions, dates decoded as datetime64, an integer day_ahead, and the same
numbers as the CSVs written by the same run.

Usage: check_xarray.py ARABICA DATA_CSV WORKDIR. Exits 77 (skipped) when
xarray or h5netcdf is missing.
"""
import csv
import json
import subprocess
import sys
from pathlib import Path

try:
    import h5netcdf  # noqa: F401  (the engine xarray opens the file with)
    import numpy as np
    import xarray as xr
except ImportError as missing:
    print(f"skipped: {missing}")
    sys.exit(77)

HORIZON, PATHS, STORED, SEED = 7, 4000, 50, 11
MODEL = ["--exog", "rain,brl_usd", "--order", "1,1,1", "--horizon", str(HORIZON)]
QUANTILE_COLUMNS = ["p1", "p2.5", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p97.5", "p99"]


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def column(rows, name, dtype=float):
    return np.array([dtype(row[name]) for row in rows])


def main(arabica, data, work):
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    h5, stats_csv, paths_csv, forecast_csv = (
        work / name for name in ("out.h5", "stats.csv", "distribution.csv", "forecast.csv"))
    h5.unlink(missing_ok=True)
    run = dict(check=True, stdout=subprocess.DEVNULL)
    subprocess.run([arabica, "simulate", "--csv", data, *MODEL, "--paths", str(PATHS),
                    "--stored-paths", str(STORED), "--innovations", "student_t",
                    "--seed", str(SEED), "--out", paths_csv, "--stats-out", stats_csv,
                    "--h5", h5, "--units", "USc/lb"], **run)
    subprocess.run([arabica, "forecast", "--csv", data, *MODEL, "--out", forecast_csv], **run)
    stats, paths, forecast = read_csv(stats_csv), read_csv(paths_csv), read_csv(forecast_csv)

    with xr.open_dataset(h5, engine="h5netcdf") as ds:
        assert dict(ds.sizes) == {"model": 1, "cutoff": 1, "day_ahead": HORIZON,
                                  "q": 11, "path": STORED, "param": 5}, dict(ds.sizes)
        dims = {name: ds[name].dims for name in ds.variables}
        by_day = ("model", "cutoff", "day_ahead")
        for name in ("forecast_mean", "forecast_std", "lower_95", "upper_95",
                     "path_mean", "path_std", "skewness", "kurtosis", "p_up"):
            assert dims[name] == by_day, (name, dims[name])
        assert dims["quantiles"] == by_day + ("q",), dims["quantiles"]
        # No name shadows an xarray method (ds.mean, ds.std, ds.quantile).
        for name in ds.variables:
            assert not hasattr(xr.Dataset, name), name
        # CF units on every price variable; ratios are dimensionless.
        for name in ("forecast_mean", "forecast_std", "lower_95", "upper_95", "path_mean",
                     "path_std", "quantiles", "crps", "paths", "actual", "last_price"):
            assert ds[name].attrs.get("units") == "USc/lb", (name, ds[name].attrs)
        for name in ("skewness", "kurtosis", "p_up", "var_95", "q"):
            assert ds[name].attrs.get("units") == "1", (name, ds[name].attrs)
        assert dims["paths"] == ("model", "cutoff", "path", "day_ahead"), dims["paths"]
        assert dims["forecast_date"] == ("cutoff", "day_ahead"), dims["forecast_date"]

        # Dates decode to datetime64; day_ahead stays an integer step.
        assert "forecast_date" in ds.coords
        assert ds.cutoff.dtype.kind == "M" and ds.forecast_date.dtype.kind == "M"
        assert ds.day_ahead.dtype.kind == "i", ds.day_ahead.dtype
        assert ds.day_ahead.values.tolist() == list(range(1, HORIZON + 1))
        assert ds.cutoff.values[0] == np.datetime64(stats[0]["data_cutoff_date"])
        expected_dates = column(stats, "forecast_date", np.datetime64).astype(ds.forecast_date.dtype)
        assert (ds.forecast_date.values[0] == expected_dates).all()
        assert ds.model.values.tolist() == ["arabica_sarimax_v1"]
        assert ds.fold_complete.dtype == np.int8 and ds.fold_complete.values.tolist() == [1]

        # The statistics CSV prints 12 significant digits.
        fold = ds.isel(model=0, cutoff=0)
        for name, variable in (("mean", "path_mean"), ("std", "path_std"), ("skewness", "skewness"),
                               ("kurtosis", "kurtosis"), ("p_up", "p_up")):
            np.testing.assert_allclose(fold[variable].values, column(stats, name), rtol=1e-11,
                                       err_msg=name)
        expected_quantiles = np.column_stack([column(stats, c) for c in QUANTILE_COLUMNS])
        np.testing.assert_allclose(fold.quantiles.values, expected_quantiles, rtol=1e-11)
        np.testing.assert_allclose(ds.q.values,
                                   [0.01, 0.025, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.975, 0.99])

        # forecast.csv prints 17 digits: the point forecast round-trips exactly.
        for name in ("forecast_mean", "forecast_std", "lower_95", "upper_95"):
            np.testing.assert_array_equal(fold[name].values, column(forecast, name), err_msg=name)

        # distribution.csv prints 9 digits, enough to round-trip float32.
        assert fold.paths.dtype == np.float32
        day_columns = [f"day_{h}" for h in range(1, HORIZON + 1)]
        expected_paths = np.array([[float(row[c]) for c in day_columns] for row in paths],
                                  dtype=np.float32)
        np.testing.assert_array_equal(fold.paths.values, expected_paths)

        last_close = float(read_csv(data)[-1]["close"])
        assert ds.last_price.values.tolist() == [last_close], ds.last_price.values

        attrs = ds.attrs
        assert attrs["Conventions"] == "CF-1.8" and attrs["schema_version"] == 5
        assert attrs["rng"] == "philox4x32-10" and attrs["seed"] == SEED
        assert attrs["n_paths"] == PATHS == int(stats[0]["n_paths"])
        # The fit: statsmodels' parameter names, values and status "trained".
        assert ds.param_name.values[0].tolist() == ["rain", "brl_usd", "ar.L1", "ma.L1", "sigma2"]
        assert np.isfinite(fold.params.values).all() and float(fold.params[-1]) > 0
        assert int(fold.status) == 1 and float(fold.llf) < 0
        assert np.isnan(fold.crps.values).all() and np.isnan(ds.actual.values).all()
        assert attrs["generation_timestamp"] == paths[0]["generation_timestamp"]
        config = json.loads(attrs["config"])
        assert config["seed"] == SEED and config["stored_paths"] == STORED, config
        assert attrs["innovations"].startswith("student_t")
    print("xarray check ok")


if __name__ == "__main__":
    main(*sys.argv[1:4])
