"""arabica.cross_validation on a 3-series long frame against the CLI's
universe backfill of the same data, written as CSV: the same store, group
for group, bit for bit; scored by utilsforecast as arabica scores it;
stopped by Ctrl-C between folds and resumed (issue 18)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pandas as pd
import pytest

import arabica
import arabica.store as st
from compare_backfills import compare
from conftest import run_cli

PLAN = dict(start="2022-09-01", min_train_rows=150, schedule="weekly", n_paths=200, stored_paths=3)
CLI_PLAN = ["--start", "2022-09-01", "--min-train-rows", "150", "--schedule", "weekly", "--paths", "200",
            "--stored-paths", "3", "--quiet"]


def three_series(repo) -> pd.DataFrame:
    """KC every row, SB without every 7th row, CC from row 40: three calendars."""
    source = pd.read_csv(repo / "tests" / "data" / "synthetic_arimax.csv")
    parts = []
    for name, scale, keep in (("KC", 1.0, lambda i: True), ("SB", 0.1, lambda i: i % 7 != 3),
                              ("CC", 20.0, lambda i: i >= 40)):
        rows = source.iloc[[i for i in range(len(source)) if keep(i)]]
        parts.append(pd.DataFrame({"unique_id": name, "ds": pd.to_datetime(rows["date"]),
                                   "y": (rows["close"] * scale).round(5), "rain": rows["rain"],
                                   "brl_usd": rows["brl_usd"]}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def universe(repo, cli, tmp_path_factory):
    """The frame, and the CLI's store of it (written as CSV)."""
    work = tmp_path_factory.mktemp("universe")
    df = three_series(repo)
    df.to_csv(work / "long.csv", index=False, date_format="%Y-%m-%d")
    run_cli(cli, "backfill", "--csv", work / "long.csv", "--date-column", "ds", "--target", "y",
            "--series-column", "unique_id", "--exog", "rain,brl_usd", *CLI_PLAN, "--out", work / "cli.h5")
    return df, work / "cli.h5"


@pytest.mark.parametrize("threads", [1, 2])
def test_cross_validation_equals_the_cli_universe_backfill(universe, tmp_path, threads):
    df, cli_store = universe
    store = tmp_path / "cv.h5"
    cv = arabica.cross_validation(df, h=7, store_path=store, threads=threads, **PLAN)
    for name in ("KC", "SB", "CC"):
        differences = [d for d in compare(str(cli_store), str(store), name, name)
                       if not d.startswith(("attribute config", "attribute source"))]
        assert not differences, f"{name}: {differences[:5]}"
    # The frame is the CLI store's statsforecast export, plus the path columns.
    exported = pd.concat([st.to_statsforecast(ds, name) for name, ds in st.read_universe(cli_store).items()],
                         ignore_index=True)
    pd.testing.assert_frame_equal(cv[exported.columns], exported)
    assert {"sarimax(1,1,1)-crps", "naive-path-lo-80", "drift-path-hi-95"} <= set(cv.columns)


def test_utilsforecast_scores_the_frame_as_arabica_does(universe, tmp_path):
    utilsforecast = pytest.importorskip("utilsforecast")
    from utilsforecast.evaluation import evaluate
    from utilsforecast.losses import coverage, mae, rmse
    df, _ = universe
    store = tmp_path / "cv.h5"
    cv = arabica.cross_validation(df, h=7, store_path=store, **PLAN)
    # The last folds' days run past the data: scored once their actuals are known.
    assert cv.y.isna().any()
    cv = cv.dropna(subset=["y"])
    models = ["sarimax(1,1,1)", "naive", "drift"]
    # Without the cutoff column: scored over every (fold, day) of a series, as arabica pools them.
    scores = evaluate(cv[["unique_id", "ds", "y", *models, *[f"{m}-{s}-95" for m in models
                                                                      for s in ("lo", "hi")]]],
                      metrics=[rmse, mae, coverage], models=models, level=[95])
    series = st.read_universe(store)
    with st.open_file(str(store)) as file:
        for name in series:
            stored = {metric: file[name][f"{metric}_overall"][()] for metric in ("rmse", "mae", "coverage_95")}
            for metric, key in (("rmse", "rmse"), ("mae", "mae"), ("coverage_level95", "coverage_95")):
                row = scores[(scores.unique_id == name) & (scores.metric == metric)]
                np.testing.assert_allclose(row[models].to_numpy().ravel(), stored[key], rtol=1e-12,
                                           err_msg=f"{name} {metric}")
    # The paths' own intervals (utilsforecast's coverage takes them by their
    # pseudo-model name): nested as their quantiles are.
    for m in models:
        lo95, lo80, hi80, hi95 = (cv[f"{m}-path-{side}"] for side in ("lo-95", "lo-80", "hi-80", "hi-95"))
        assert ((lo95 <= lo80) & (lo80 < hi80) & (hi80 <= hi95)).all()
    assert set(evaluate(cv[["unique_id", "ds", "y", "naive-path", "naive-path-lo-80", "naive-path-hi-80"]],
                        metrics=[coverage], models=["naive-path"], level=[80]).unique_id) == set(series)


def test_located_errors_and_a_series_too_short(universe, cli, tmp_path):
    df, _ = universe
    bad = df.copy()
    bad.loc[5, "y"] = -1.0
    bad.to_csv(tmp_path / "bad.csv", index=False, date_format="%Y-%m-%d")
    done = run_cli(cli, "backfill", "--csv", tmp_path / "bad.csv", "--date-column", "ds", "--target", "y",
                   "--series-column", "unique_id", "--exog", "rain,brl_usd", *CLI_PLAN, "--out",
                   tmp_path / "bad.h5", expect=2)
    cli_message = done.stderr.strip().removeprefix("arabica: error: ")
    with pytest.raises(arabica.InputError) as raised:
        arabica.cross_validation(bad, h=7, store_path=tmp_path / "py.h5", **PLAN)
    # The CLI's message, located in the frame as written by to_csv (line 7, column 3).
    assert str(raised.value) == cli_message.replace(str(tmp_path / "bad.csv"), "df (KC)")
    assert not (tmp_path / "py.h5").exists()
    # Other keywords are the CLI's options, checked as the CLI checks them.
    with pytest.raises(arabica.InputError, match="--warm-start-chain"):
        arabica.cross_validation(df, h=7, warm_start_chain="many", **PLAN)
    with pytest.raises(arabica.InputError, match="level: 85"):
        arabica.cross_validation(df, h=7, level=[85], **PLAN)
    # A series too short for the plan fails open; the others run.
    short = pd.concat([df[df.unique_id != "SB"], df[df.unique_id == "SB"].tail(60)], ignore_index=True)
    with pytest.warns(arabica.ArabicaWarning, match=r"^series SB: .*\(not run\)$"):
        cv = arabica.cross_validation(short, h=7, **PLAN)
    assert set(cv.unique_id) == {"KC", "CC"}


def test_warnings_reach_python(universe, monkeypatch):
    df, _ = universe
    gappy = df.copy()
    gappy.loc[gappy.index[3], "rain"] = np.nan
    # A model made to fail at fold 2 (the engine's test hook): recorded, the others run.
    monkeypatch.setenv("ARABICA_FAULT_FAIL_FOLDS", "2:naive")
    with pytest.warns(arabica.ArabicaWarning) as caught:
        cv = arabica.cross_validation(gappy, h=7, **PLAN)
    lines = [str(w.message) for w in caught]
    assert "series KC: column 'rain': 1 missing cells filled (1 forward, 0 back)" in lines
    assert any(line.startswith("fold failed: KC naive ") for line in lines), lines
    failed = cv[(cv.unique_id == "KC") & (cv.cutoff == np.sort(cv[cv.unique_id == "KC"].cutoff.unique())[2])]
    assert failed["naive"].isna().all() and failed["drift"].notna().all()


def test_warnings_of_a_run_that_raises_reach_python_first(universe):
    """Every series too short: the run raises, after warning of each one."""
    df, _ = universe
    with pytest.warns(arabica.ArabicaWarning) as caught, pytest.raises(ValueError, match="no series can run"):
        arabica.cross_validation(df, h=7, **{**PLAN, "min_train_rows": 100000})
    lines = [str(w.message) for w in caught]
    assert sum(line.startswith("series ") and line.endswith("(not run)") for line in lines) == 3, lines
    assert all(w.filename == __file__ for w in caught), [w.filename for w in caught]


def test_n_windows_and_step_size_follow_statsforecast(universe):
    df, _ = universe
    cv = arabica.cross_validation(df, h=7, n_windows=4, step_size=3, models=["naive"], n_paths=100)
    for name, rows in cv.groupby("unique_id"):
        dates = np.sort(df[df.unique_id == name].ds.to_numpy())
        cutoffs = np.sort(rows.cutoff.unique())
        # The last window's 7 days end on the last row; windows 3 rows apart.
        np.testing.assert_array_equal(cutoffs, dates[[-8 - 9, -8 - 6, -8 - 3, -8]])
        assert rows.y.notna().all() and len(rows) == 4 * 7


def test_n_windows_counts_the_rows_the_cleaning_keeps(universe):
    """Rows the engine's cleaning drops (a repeated date; a missing target
    under missing="drop") are not windows: the plan is still the last 4
    cutoffs of the cleaned series, the last window ending on its last row."""
    df, _ = universe
    kc = df[df.unique_id == "KC"].reset_index(drop=True)
    clean_dates = np.sort(kc.ds.to_numpy())
    messy = kc.copy()
    messy.loc[len(kc) - 12, "y"] = np.nan               # dropped by missing="drop"
    repeated = kc.iloc[[len(kc) - 5, len(kc) - 20]]     # repeated dates, same values
    messy = pd.concat([messy, repeated], ignore_index=True)
    with pytest.warns(arabica.ArabicaWarning):
        cv = arabica.cross_validation(messy, h=7, n_windows=4, step_size=3, models=["naive"], n_paths=100,
                                      missing="drop")
    kept = np.delete(clean_dates, len(kc) - 12)
    np.testing.assert_array_equal(np.sort(cv.cutoff.unique()), kept[[-8 - 9, -8 - 6, -8 - 3, -8]])


def test_the_gil_is_released_while_it_runs(universe, tmp_path):
    df, _ = universe
    ticks = 0
    worker = threading.Thread(target=arabica.cross_validation, args=(df,),
                              kwargs=dict(h=7, start="2022-06-01", min_train_rows=100, n_paths=20000,
                                          threads=1, store_path=tmp_path / "gil.h5"))
    worker.start()
    started = time.perf_counter()
    while worker.is_alive():
        ticks += 1
        time.sleep(0.001)
    # Held for the whole run, this thread could not have ticked at all.
    assert ticks >= 20, f"{ticks} ticks in {time.perf_counter() - started:.2f} s"


INTERRUPTED = textwrap.dedent("""
    import os, signal, sys
    import pandas as pd
    import arabica
    df = pd.read_pickle(sys.argv[1])
    sent = False
    def progress(done, total):
        global sent
        if done >= 3 and not sent:
            sent = True
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C once three folds are in
    try:
        arabica.cross_validation(df, h=7, start="2022-06-01", min_train_rows=100, n_paths=200, threads=1,
                                 store_path=sys.argv[2], progress=progress)
    except KeyboardInterrupt as stopped:
        print("stopped:", stopped)
        sys.exit(130)
    print("not stopped")
""")


def test_ctrl_c_stops_between_folds_and_a_rerun_resumes(universe, tmp_path):
    df, _ = universe
    df.to_pickle(tmp_path / "df.pkl")
    store = tmp_path / "cv.h5"
    done = subprocess.run([sys.executable, "-c", INTERRUPTED, tmp_path / "df.pkl", store], capture_output=True,
                          text=True, env=dict(os.environ))
    assert done.returncode == 130, done.stdout + done.stderr
    assert "folds committed; rerun the same command to resume" in done.stdout
    committed = sum(int(ds.sizes["cutoff"]) for ds in st.read_universe(store).values())
    assert 3 <= committed < 150
    plan = dict(h=7, start="2022-06-01", min_train_rows=100, n_paths=200)
    resumed = arabica.cross_validation(df, store_path=store, **plan)
    fresh = arabica.cross_validation(df, store_path=tmp_path / "fresh.h5", **plan)
    pd.testing.assert_frame_equal(resumed, fresh)
    # Python's own Ctrl-C handling is back after the run.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_refit_false_fits_the_first_fold_only(universe, tmp_path):
    df, _ = universe
    store = tmp_path / "once.h5"
    cv = arabica.cross_validation(df, h=7, refit=False, store_path=store, **PLAN)
    registry = arabica.read_registry(store)
    # One training per (series, model), at each series' first cutoff; the rest re-filter it.
    assert registry.groupby(["series", "model"]).size().eq(1).all() and len(registry) == 9
    for name, rows in registry.groupby("series"):
        assert (rows.trained_on == cv[cv.unique_id == name].cutoff.min()).all()
    with pytest.raises(arabica.InputError, match="refit: 3"):
        arabica.cross_validation(df, h=7, refit=3, **PLAN)


def test_frames_as_they_come(universe):
    """Shuffled rows, a categorical id, dates as strings or UTC timestamps:
    the same folds as the tidy frame, with the reordering reported."""
    df, _ = universe
    tidy = arabica.cross_validation(df, h=7, n_windows=3, models=["naive"], n_paths=100)
    messy = df.sample(frac=1.0, random_state=3).assign(unique_id=lambda d: d.unique_id.astype("category"),
                                                        ds=lambda d: d.ds.dt.strftime("%Y-%m-%d"))
    with pytest.warns(arabica.ArabicaWarning, match="rows are not in ascending date order"):
        shuffled = arabica.cross_validation(messy, h=7, n_windows=3, models=["naive"], n_paths=100)
    order = ["unique_id", "cutoff", "ds"]
    pd.testing.assert_frame_equal(
        shuffled.assign(unique_id=shuffled.unique_id.astype(str)).sort_values(order).reset_index(drop=True),
        tidy.sort_values(order).reset_index(drop=True))
    utc = arabica.cross_validation(df.assign(ds=df.ds.dt.tz_localize("UTC")), h=7, n_windows=3,
                                   models=["naive"], n_paths=100)
    pd.testing.assert_frame_equal(utc, tidy)
    with pytest.raises(arabica.InputError, match="df: no rows"):
        arabica.cross_validation(df.iloc[:0], h=7, n_windows=3)
