"""`arabica.simulate`: Monte Carlo price paths of a fit, drawn as `arabica
simulate` draws them (the same innovations, Philox streams and statistics
for the same seed), returned as an xarray Dataset."""
from __future__ import annotations

import numpy as np
import xarray as xr

from . import _core
from .sarimax import SarimaxResults, _horizon_exog


def simulate(result: SarimaxResults, h: int = 7, n_paths: int = 2000, innovations: str = "normal",
             device: str = "auto", seed: int = 1, X_future="repeat-last", stored_paths: int = 0,
             mode: str = "state-space", threads: int = 0) -> xr.Dataset:
    """Paths from the fit's last observation over h days. `innovations`:
    normal, student_t, skew_normal, skew_t, mixture, nig, jumps, bootstrap
    or regime (shapes estimated from the residuals, as the CLI does);
    `device`: "cpu", "cuda" or "auto". The Dataset has, per `day_ahead`,
    path_mean, path_std (named as in the store: `ds.mean` is xarray's
    method), skewness, kurtosis (excess), p_up, the quantiles (dimension
    `q`), the lower-tail means (dimension `tail`) and, with stored_paths > 0,
    the first paths (dimension `path`)."""
    if not isinstance(result, SarimaxResults):
        raise _core.InputError("result: expected the result of arabica.fit, got "
                               f"{type(result).__name__}")
    arguments = _core.SimulateArguments()
    arguments.horizon = int(h)
    arguments.paths = int(n_paths)
    arguments.stored_paths = int(stored_paths)
    if int(seed) < 0:
        raise _core.InputError(f"seed: must be >= 0, got {seed}")
    arguments.seed = int(seed)
    arguments.innovations = innovations
    arguments.mode = mode
    arguments.device = device
    arguments.threads = int(threads)
    arguments.exog_policy, arguments.exog_rows = _horizon_exog(result.engine, int(h), X_future)
    sim = _core.simulate(result.engine, arguments)
    day = np.arange(1, int(h) + 1)
    data = {
        "path_mean": ("day_ahead", np.asarray(sim.mean)),
        "path_std": ("day_ahead", np.asarray(sim.std)),
        "skewness": ("day_ahead", np.asarray(sim.skewness)),
        "kurtosis": ("day_ahead", np.asarray(sim.kurtosis)),
        "p_up": ("day_ahead", np.asarray(sim.p_up)),
        "quantiles": (("day_ahead", "q"), np.asarray(sim.quantiles)),
        "tail_mean": (("day_ahead", "tail"), np.asarray(sim.tail_mean)),
    }
    if stored_paths:
        data["paths"] = (("path", "day_ahead"), np.asarray(sim.paths))
    return xr.Dataset(data, coords={"day_ahead": day, "q": list(_core.quantile_levels),
                                    "tail": list(_core.tail_levels)},
                      attrs={"n_paths": int(sim.n_paths), "backend": sim.backend,
                             "innovations": sim.innovations, "last_price": sim.last_price,
                             "seed": int(seed), "spec": result.spec})
