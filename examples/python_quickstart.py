"""Python quick start (README): arabica from a notebook, on generated prices.
Run with the package installed (scripts/setup) or from a build:
    PYTHONPATH=build/python .venv/bin/python examples/python_quickstart.py [OUT_DIR]
"""
# %% Three series in statsforecast's long layout, with one covariate.
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import arabica

rng = np.random.default_rng(7)
dates = pd.bdate_range("2019-01-01", periods=900)
fx = 5 + np.cumsum(rng.normal(0, 0.02, len(dates)))
frames = []
for name, level in (("KC", 180.0), ("SB", 20.0), ("CC", 3000.0)):
    returns = 0.3 * np.r_[0, np.diff(fx)] + rng.normal(0, 0.015, len(dates))
    frames.append(pd.DataFrame({"unique_id": name, "ds": dates, "y": level * np.exp(np.cumsum(returns)),
                                "brl_usd": fx}))
df = pd.concat(frames, ignore_index=True)
out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="arabica-quickstart-"))
out.mkdir(parents=True, exist_ok=True)

# %% One fit, statsmodels' attributes; a forecast with its covariates held.
kc = df[df.unique_id == "KC"].set_index("ds")
result = arabica.fit(kc["y"], kc[["brl_usd"]], order=(1, 1, 1))
print(result.summary())
print(result.forecast(7, X_future="hold-last", level=(80, 95)).round(3))

# %% 100,000 paths with Student-t innovations: an xarray Dataset.
paths = arabica.simulate(result, h=7, n_paths=100_000, innovations="student_t", seed=1, X_future="hold-last")
print(paths[["path_mean", "path_std", "p_up"]].to_dataframe().round(4))
print("5% / 95% on day 7:", paths.quantiles.sel(day_ahead=7, q=[0.05, 0.95]).values.round(3))

# %% Walk-forward cross-validation, statsforecast's layout, into a resumable store.
store = out / "cv.h5"
cv = arabica.cross_validation(df, h=7, n_windows=20, step_size=5, models=["sarimax", "naive", "drift"],
                              n_paths=2000, store_path=store)
print(cv.filter(regex=r"^(unique_id|ds|cutoff|y|sarimax\(1,1,1\)|sarimax\(1,1,1\)-(lo|hi)-95)$").head())

# %% Scored with utilsforecast, as statsforecast's output would be.
from utilsforecast.evaluation import evaluate
from utilsforecast.losses import coverage, mae, rmse

models = ["sarimax(1,1,1)", "naive", "drift"]
scored = cv.dropna(subset=["y"]).drop(columns="cutoff")
print(evaluate(scored[["unique_id", "ds", "y", *models, *[f"{m}-{s}-95" for m in models for s in ("lo", "hi")]]],
               metrics=[rmse, mae, coverage], models=models, level=[95]).round(4))

# %% The store: committed folds as an xarray DataTree, the long table as Parquet.
tree = arabica.open_store(store)
print(tree)
table = arabica.to_parquet(tree, out / "cv.parquet")
print(f"{len(table)} rows -> {out / 'cv.parquet'}; registry: {len(arabica.read_registry(tree))} refits")
