"""pandas/numpy data handed to the engine: days since 1970-01-01, a
row-major float64 matrix (target first, then covariates), and where each
row and column sits in the caller's frame, so that the engine's messages
locate a bad cell as it would in the frame written with
`to_csv(index=False)` (line 1 the header)."""
from __future__ import annotations

import numpy as np
import pandas as pd


def days_since_epoch(values) -> np.ndarray:
    """Dates (datetime64, Timestamps or ISO strings) as int64 days."""
    dates = pd.to_datetime(pd.Series(values).reset_index(drop=True))
    if dates.isna().any():
        row = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise ValueError(f"date at row {row} is missing")
    if dates.dt.tz is not None:  # the exchange's calendar dates, as written
        dates = dates.dt.tz_localize(None)
    return dates.to_numpy().astype("datetime64[D]").astype(np.int64)


def value_matrix(columns: list) -> np.ndarray:
    """The columns side by side as a C-contiguous float64 matrix."""
    return np.ascontiguousarray(np.column_stack([np.asarray(c, dtype=np.float64) for c in columns]),
                                dtype=np.float64)


def csv_lines(positions: np.ndarray) -> list[int]:
    """Frame row positions as lines of the frame written as CSV (header: line 1)."""
    return [int(p) + 2 for p in positions]


def iso(day: np.int64) -> str:
    return str(np.datetime64(int(day), "D"))
