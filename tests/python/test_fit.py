"""arabica.fit against `arabica fit --json` on the same data: the same
parameters, standard errors and likelihood (issue 18)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import arabica
from conftest import run_cli

COFFEE_EXOG = ["wx_temperature_2m_max_wavg", "wx_precipitation_sum_wavg", "wx_wind_speed_10m_max_wavg",
               "brl_usd", "inr_usd"]


def cli_fit(cli, tmp_path, csv, exog, *extra):
    out = tmp_path / "fit.json"
    run_cli(cli, "fit", "--csv", csv, "--date-column", "date", "--target", "close", "--exog", ",".join(exog),
            "--json", out, *extra)
    return json.loads(out.read_text())


def expect_same_fit(result: arabica.SarimaxResults, expected: dict) -> None:
    assert result.param_names == expected["param_names"]
    # The same doubles in, the same code: equal to the last bit.
    np.testing.assert_array_equal(result.params.to_numpy(), expected["params"])
    np.testing.assert_array_equal(result.bse.to_numpy(), expected["standard_errors"])
    assert result.llf == expected["llf"]
    assert (result.aic, result.bic, result.hqic) == (expected["aic"], expected["bic"], expected["hqic"])
    assert result.nobs == expected["nobs"] and result.converged == expected["converged"]
    assert result.cov_type == expected["cov_type"]


def read(csv) -> pd.DataFrame:
    # round_trip: numbers parsed as the CLI parses them (correctly rounded).
    return pd.read_csv(csv, parse_dates=["date"], float_precision="round_trip").set_index("date")


def test_fit_equals_the_cli_on_the_coffee_file(cli, coffee_csv, tmp_path):
    expected = cli_fit(cli, tmp_path, coffee_csv, COFFEE_EXOG)
    data = read(coffee_csv)
    # The CLI fills missing covariate cells forward, then back (its default).
    result = arabica.fit(data["close"], data[COFFEE_EXOG], order=(1, 1, 1), missing="ffill-bfill",
                         allow_nonpositive=False)
    expect_same_fit(result, expected)


@pytest.mark.parametrize("cov_type", ["opg", "approx"])
def test_fit_equals_the_cli_on_a_synthetic_arimax(cli, repo, tmp_path, cov_type):
    csv = repo / "tests" / "data" / "synthetic_arimax.csv"
    expected = cli_fit(cli, tmp_path, csv, ["rain", "brl_usd"], "--trend", "c", "--cov-type", cov_type)
    data = read(csv)
    result = arabica.fit(data["close"], data[["rain", "brl_usd"]], trend="c", cov_type=cov_type)
    expect_same_fit(result, expected)
    assert result.params.index.tolist() == ["intercept", "rain", "brl_usd", "ar.L1", "ma.L1", "sigma2"]
    assert result.resid.index.equals(data.index) and np.isfinite(result.resid).all()


def test_forecast_intervals_and_covariates(repo):
    data = read(repo / "tests" / "data" / "synthetic_arimax.csv")
    result = arabica.fit(data["close"], data[["rain", "brl_usd"]])
    with pytest.raises(arabica.InputError, match="X_future: the model has 2 covariates"):
        result.forecast(5)
    last = result.forecast(5, X_future=data[["rain", "brl_usd"]].tail(5))
    assert last.equals(result.forecast(5, X_future="repeat-last"))
    held = result.forecast(3, X_future="hold-last", level=(80, 95))
    z95 = (held["hi-95"] - held["mean"]) / held["se"]
    np.testing.assert_allclose(z95, 1.959963984540054)
    assert (held["lo-80"] > held["lo-95"]).all()
    with pytest.raises(arabica.InputError, match=r"X_future: needs 5 rows x 2 covariates, got 2 x 2"):
        result.forecast(5, X_future=np.ones((2, 2)))


def test_fit_takes_numpy_and_refuses_located_missing_values():
    rng = np.random.default_rng(3)
    y = 100 + np.cumsum(rng.normal(size=300))
    result = arabica.fit(y, order=(1, 1, 0))
    assert result.params.index.tolist() == ["ar.L1", "sigma2"] and result.converged
    y[41] = np.nan
    # Located as in the data written as CSV: row 41 is line 43 (after the header), column 1.
    with pytest.raises(arabica.InputError, match=r"^fit\(y, X\):43:1: column 'y': missing value 'nan'"):
        arabica.fit(y)
    with pytest.raises(ValueError, match=r"order: expected 3 integers"):
        arabica.fit(y, order=(1, 1))


def test_resid_is_labelled_by_the_rows_fitted(repo):
    data = read(repo / "tests" / "data" / "synthetic_arimax.csv")
    backwards = data["close"].iloc[::-1]
    with pytest.warns(arabica.ArabicaWarning, match="not in ascending date order"):
        result = arabica.fit(backwards)
    assert result.resid.index.equals(data.index)  # sorted, as fitted
    y = data["close"].reset_index(drop=True)
    y[[5, 9]] = np.nan
    with pytest.warns(arabica.ArabicaWarning, match=r"2 rows with a missing target dropped \(lines 7, 11\)"):
        dropped = arabica.fit(y, missing="drop")
    assert dropped.nobs == len(y) - 2 and dropped.resid.index.equals(y.index.drop([5, 9]))
