"""scripts/arabica_store.py and scripts/arabica_report.py on a real store
written by `arabica backfill` (synthetic data, SARIMAX and naive):

  * the legacy CSV export equals the CLI's own --forecast-csv file;
  * the statsforecast frame holds the store's numbers, row for row;
  * every date (`ds`, the export's forecast_date, the fan chart's x axis) is
    the date of the data row whose price is `y`; past the data, the next
    business days;
  * a fold not committed (fold_complete 0, as a killed run leaves it) is
    left out of both;
  * the report's table holds the stored scores, its PIT and reliability
    counts agree with a direct count, its forward cone is the latest fold's
    quantiles, the figures are PNG files, and a bad --models is refused in
    one line with the store's models named, the earlier report kept.

Usage: check_store_tools.py ARABICA DATA_CSV WORKDIR.
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import arabica_store as st  # noqa: E402

STORE_TOOL, REPORT_TOOL = REPO / "scripts" / "arabica_store.py", REPO / "scripts" / "arabica_report.py"
MODELS = ["sarimax(1,1,1)", "naive"]


def run(*args, expect=0):
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    assert done.returncode == expect, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def without_timestamps(text):
    # The CLI stamps its CSV when it writes it, the export with the store's
    # generation_timestamp: a second may pass between the two.
    return [line.rsplit(",", 2)[0] + "," + line.rsplit(",", 1)[1] for line in text.splitlines()]


def check_exports(store, cli_csv, work):
    with st.open_backfill(store) as ds:
        stamp = ds.attrs["generation_timestamp"]
        folds, horizon = ds.sizes["cutoff"], ds.sizes["day_ahead"]
        mean, lower, actual = ds.forecast_mean.values, ds.lower_95.values, ds.actual.values
        cutoffs = ds.cutoff.values
    assert folds > 20, folds

    export = work / "export.csv"
    run(sys.executable, STORE_TOOL, "legacy-csv", store, "--out", export)
    exported, cli = export.read_text(), cli_csv.read_text()
    assert without_timestamps(exported) == without_timestamps(cli), "legacy export differs from --forecast-csv"
    frame = pd.read_csv(export)
    assert list(frame.columns) == st.LEGACY_COLUMNS and len(frame) == len(MODELS) * folds * horizon
    assert set(frame.model_version) == set(MODELS) and set(frame.generation_timestamp) == {stamp}

    cv_csv = work / "cv.csv"
    run(sys.executable, STORE_TOOL, "statsforecast", store, "--out", cv_csv, "--unique-id", "KC")
    cv = pd.read_csv(cv_csv, parse_dates=["ds", "cutoff"])
    levels = ("1", "2.5", "5", "10", "25", "50", "75", "90", "95", "97.5", "99")
    expected_columns = ["unique_id", "ds", "cutoff", "y"] + [
        f"{m}{suffix}" for m in MODELS
        for suffix in ("", "-lo-95", "-hi-95", *(f"-q-{level}" for level in levels))]
    assert list(cv.columns) == expected_columns, list(cv.columns)
    assert len(cv) == folds * horizon and set(cv.unique_id) == {"KC"}
    np.testing.assert_array_equal(cv["cutoff"].values, np.repeat(cutoffs, horizon))
    for m, model in enumerate(MODELS):
        np.testing.assert_allclose(cv[model].values, mean[m].ravel(), rtol=1e-15)
        np.testing.assert_allclose(cv[f"{model}-lo-95"].values, lower[m].ravel(), rtol=1e-15)
    np.testing.assert_array_equal(np.isnan(cv.y.values), np.isnan(actual.ravel()))
    return folds


def check_dates(store, data, work):
    """ds is the trading date of y: a Friday cutoff's day 1 is Monday's close."""
    closes = pd.read_csv(data, parse_dates=["date"]).set_index("date")["close"]
    cv = pd.read_csv(work / "cv.csv", parse_dates=["ds", "cutoff"])
    known = cv.y.notna()
    assert known.any() and (~known).any()
    np.testing.assert_array_equal(closes.loc[cv.ds[known]].values, cv.y[known].values)
    rows = closes.index.get_indexer(cv.ds[known])
    cutoff_rows = closes.index.get_indexer(cv.cutoff[known])
    day_ahead = np.tile(np.arange(1, 8), len(cv) // 7)[known.values]
    np.testing.assert_array_equal(rows, cutoff_rows + day_ahead)
    beyond = cv.ds[~known]
    assert (beyond > closes.index[-1]).all() and (beyond.dt.dayofweek < 5).all()
    export = pd.read_csv(work / "export.csv", parse_dates=["forecast_date"])
    per_model = export[export.model_version == MODELS[0]].forecast_date.values
    np.testing.assert_array_equal(per_model, cv.ds.values)
    with st.open_backfill(store) as ds:  # a day's forecast dates, as the report draws them
        np.testing.assert_array_equal(ds.sel(day_ahead=3).forecast_date.values, cv.ds.values[2::7])


def check_uncommitted_fold_left_out(store, folds, work):
    torn = work / "torn.h5"
    shutil.copy(store, torn)
    with h5py.File(torn, "r+") as f:
        f["fold_complete"][folds // 2] = 0
    with st.open_backfill(torn) as ds:
        assert ds.sizes["cutoff"] == folds - 1
        rows = st.legacy_rows(ds)
    assert len(rows) == len(MODELS) * (folds - 1) * 7


def check_registry(arabica, store, work):
    """`arabica models STORE --csv` and arabica_store.registry(ds): the same
    refits (every trained fold), windows, hashes and parameters."""
    run(arabica, "models", store, "--csv", work / "registry.csv")
    listed = pd.read_csv(work / "registry.csv")
    with st.open_backfill(store) as ds:
        table = st.registry(ds)
        trained = int((ds.status.values == 1).sum())
    assert len(listed) == len(table) == trained > 0, (len(listed), len(table), trained)
    assert list(listed.model) == list(table.model)
    assert list(listed.trained_on) == [str(d)[:10] for d in table.trained_on.values]
    assert list(listed.train_data_hash) == list(table.train_data_hash)
    assert (listed.train_rows.values == table.train_rows.values).all()
    for k, text in enumerate(listed.params):
        for pair in text.split():
            name, value = pair.split("=")
            assert float(value) == table.loc[k, name], (name, value, table.loc[k, name])


def check_report(store, work):
    out = work / "report"
    run(sys.executable, REPORT_TOOL, store, "--out", out, "--rolling", "5")
    for name in ("by_horizon.png", "rolling_coverage.png", "pit.png", "reliability.png", "fan.png"):
        head = (out / name).read_bytes()[:8]
        assert head == b"\x89PNG\r\n\x1a\n", name
        assert f"]({name})" in (out / "report.md").read_text(), name
    numbers = json.loads((out / "report.json").read_text())
    assert numbers["models"] == MODELS and numbers["units"] == "1", numbers["models"]
    text = (out / "report.md").read_text()
    with st.open_backfill(store) as ds:
        for model in MODELS:  # the table's rows are the stored overall scores
            row = next(line for line in text.splitlines() if line.startswith(f"| {model} |"))
            crps = float(ds.mean_crps_overall.sel(model=model))
            assert f"| {crps:.4g} |" in row, (row, crps)
        one = ds.sel(model=MODELS[0])
        pit = one.pit.values.ravel()
        actual = one.actual.values.ravel()
        p_up = one.p_up.values.ravel()
        last = np.repeat(one.last_price.values, one.sizes["day_ahead"])
        latest = ds.isel(cutoff=-1).sel(model=MODELS[0])
        cone = numbers["fan"]["models"][MODELS[0]]
        np.testing.assert_array_equal(cone["0.5"], latest.quantiles.sel(q=0.5).values)
        assert numbers["fan"]["cutoff"] == str(ds.cutoff.values[-1])[:10]
    known = np.isfinite(actual)
    # The PIT in uniform bins, from the stored per-fold PIT.
    histogram = numbers["pit"][MODELS[0]]
    direct = np.histogram(pit[known], bins=10, range=(0, 1))[0]
    assert histogram["counts"] == direct.tolist() and histogram["n"] == known.sum(), histogram
    low, high = histogram["band"]
    assert low < known.sum() / 10 < high
    reliability = numbers["reliability"][MODELS[0]]
    moved = known & (actual != last)
    assert reliability["n"] == moved.sum() == sum(reliability["counts"])
    ups = (actual[moved] > last[moved]).sum()
    observed = sum(c * o for c, o in zip(reliability["counts"], reliability["observed_frequency"]) if c)
    assert round(observed) == ups, (observed, ups)
    forecast = sum(c * f for c, f in zip(reliability["counts"], reliability["mean_forecast"]) if c)
    assert abs(forecast - p_up[moved].sum()) < 1e-9

    # --models takes the store's names, commas inside their orders included.
    run(sys.executable, REPORT_TOOL, store, "--out", work / "one", "--models", f"{MODELS[0]},{MODELS[1]}")
    assert json.loads((work / "one" / "report.json").read_text())["models"] == MODELS
    # Bad input: one line, exit 2, the report written before left as it was.
    before = (out / "report.md").read_text()
    refused = run(sys.executable, REPORT_TOOL, store, "--out", out, "--models", "arima", expect=2)
    assert "'arima' is not in the store" in refused.stderr and MODELS[1] in refused.stderr, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert (out / "report.md").read_text() == before
    refused = run(sys.executable, REPORT_TOOL, store, "--out", out, "--series", "KC", expect=2)
    assert "holds one series" in refused.stderr, refused.stderr
    missing = run(sys.executable, STORE_TOOL, "legacy-csv", work / "none.h5", "--out", work / "x.csv", expect=2)
    assert "none.h5: no such file" in missing.stderr, missing.stderr


def main(arabica, data, work):
    work = Path(work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    store, cli_csv = work / "backfill.h5", work / "forecast.csv"
    run(arabica, "backfill", "--csv", data, "--exog", "rain,brl_usd", "--order", "1,1,1", "--min-train-rows", "100",
        "--start", "2022-06-01", "--schedule", "weekly", "--model", "sarimax,naive", "--paths", "2000",
        "--quiet", "--out", store, "--forecast-csv", cli_csv)
    folds = check_exports(store, cli_csv, work)
    check_dates(store, data, work)
    check_uncommitted_fold_left_out(store, folds, work)
    check_report(store, work)
    check_registry(arabica, store, work)
    print(f"store tools: {folds} folds exported and plotted")


if __name__ == "__main__":
    main(*sys.argv[1:])
