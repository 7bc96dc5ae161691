"""arabica.simulate against `arabica simulate --stats-out` for the same
seed: the same statistics (issue 18)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import arabica
from conftest import run_cli


@pytest.mark.parametrize("innovations", ["normal", "student_t"])
def test_simulate_equals_the_cli(cli, repo, tmp_path, innovations):
    csv = repo / "tests" / "data" / "synthetic_arimax.csv"
    stats = tmp_path / "stats.csv"
    run_cli(cli, "simulate", "--csv", csv, "--date-column", "date", "--target", "close", "--exog", "rain,brl_usd",
            "--horizon", "7", "--paths", "20000", "--seed", "11", "--innovations", innovations,
            "--device", "cpu", "--stats-out", stats, "--out", tmp_path / "distribution.csv")
    expected = pd.read_csv(stats)
    data = pd.read_csv(csv, parse_dates=["date"], float_precision="round_trip").set_index("date")
    result = arabica.fit(data["close"], data[["rain", "brl_usd"]])
    ds = arabica.simulate(result, h=7, n_paths=20000, seed=11, innovations=innovations, device="cpu",
                          stored_paths=4)
    # The CSV keeps 12 significant digits.
    for variable, column in (("path_mean", "mean"), ("path_std", "std"), ("skewness", "skewness"),
                             ("kurtosis", "kurtosis"), ("p_up", "p_up")):
        np.testing.assert_allclose(ds[variable].values, expected[column], rtol=1e-11, atol=1e-12)
    for k, level in enumerate(ds.q.values):
        np.testing.assert_allclose(ds.quantiles.values[:, k], expected[f"p{level * 100:g}"], rtol=1e-11)
    assert ds.attrs["n_paths"] == 20000 and ds.paths.shape == (4, 7)
    # The stored paths are the leading paths of distribution.csv (float32,
    # written with 9 significant digits).
    legacy = pd.read_csv(tmp_path / "distribution.csv")
    days = [f"day_{h}" for h in range(1, 8)]
    np.testing.assert_allclose(ds.paths.values, legacy[days].to_numpy()[:4], rtol=1e-7)


def test_simulate_is_reproducible_and_checks_its_arguments(repo):
    data = pd.read_csv(repo / "tests" / "data" / "synthetic_arimax.csv", parse_dates=["date"]).set_index("date")
    result = arabica.fit(data["close"])
    a = arabica.simulate(result, h=3, n_paths=1000, seed=5, device="cpu", threads=1)
    b = arabica.simulate(result, h=3, n_paths=1000, seed=5, device="cpu", threads=2)
    assert a.equals(b)
    with pytest.raises(arabica.InputError, match="n_paths: must be at least 2"):
        arabica.simulate(result, n_paths=1)
    with pytest.raises(arabica.InputError, match="innovations"):
        arabica.simulate(result, innovations="cauchy")
