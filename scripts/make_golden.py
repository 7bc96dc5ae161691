#!/usr/bin/env python3
"""Writes the statsmodels golden file for arabica's SARIMAX parity tests.

Every case runs scripts/sarimax_reference.py's reference on the real coffee
series (../shared/data); the output holds numbers only, never the data.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from sarimax_reference import DataSpec, ModelSpec, run_reference

COFFEE_CSV = "coffee_kc_daily_features_2015_2024.csv"
COFFEE_EXOG = (
    "wx_temperature_2m_max_wavg",
    "wx_precipitation_sum_wavg",
    "wx_wind_speed_10m_max_wavg",
    "brl_usd",
    "inr_usd",
)
HORIZON = 7


def golden_cases() -> list[dict[str, Any]]:
    """(name, model, exog, tail rows); the first is the legacy canonical case."""
    enforced = dict(enforce_stationarity=True, enforce_invertibility=True)
    cases: list[tuple[str, ModelSpec, Sequence[str], int]] = [
        ("arima_1_1_1_exog5", ModelSpec(order=(1, 1, 1)), COFFEE_EXOG, 0),
        ("arima_0_1_1_exog5", ModelSpec(order=(0, 1, 1)), COFFEE_EXOG, 0),
        ("arima_2_1_2_exog5", ModelSpec(order=(2, 1, 2)), COFFEE_EXOG, 0),
        ("arima_1_0_0_trend_c_exog5", ModelSpec(order=(1, 0, 0), trend="c"), COFFEE_EXOG, 0),
        ("sarima_1_1_1_1_0_1_5_exog5", ModelSpec(order=(1, 1, 1), seasonal_order=(1, 0, 1, 5)), COFFEE_EXOG, 0),
        ("arima_1_1_1_no_exog", ModelSpec(order=(1, 1, 1)), (), 0),
        ("arima_1_0_0_trend_c_enforced_exog5", ModelSpec(order=(1, 0, 0), trend="c", **enforced), COFFEE_EXOG, 0),
        # Seasonal differencing; a shorter window keeps the fit quick.
        ("sarima_0_1_1_0_1_1_5_no_exog_last600", ModelSpec(order=(0, 1, 1), seasonal_order=(0, 1, 1, 5)), (), 600),
    ]
    return [
        {"name": name, "csv": COFFEE_CSV, "date_column": "date", "target": "close",
         "exog": list(exog), "tail_rows": tail, "model": model}
        for name, model, exog, tail in cases
    ]


def main(argv: Sequence[str] | None = None) -> int:
    repo = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=repo.parent / "shared" / "data",
                        help="folder holding the shared CSVs (default: ../shared/data)")
    parser.add_argument("--out", type=Path, default=repo / "tests" / "data" / "golden" / "sarimax_coffee.json")
    parser.add_argument("--only", default="", help="comma separated case names (default: all)")
    args = parser.parse_args(argv)

    wanted = {n for n in args.only.split(",") if n}
    golden = []
    for case in golden_cases():
        if wanted and case["name"] not in wanted:
            continue
        model: ModelSpec = case.pop("model")
        data = DataSpec(csv=str(args.data_dir / case["csv"]), date_column=case["date_column"],
                        target=case["target"], exog=tuple(case["exog"]), tail=case["tail_rows"])
        start = time.perf_counter()
        case["reference"] = run_reference(data, model, HORIZON)
        ref = case["reference"]
        legacy = ref["legacy_default_fit"]
        twin = ref["equivalent_optimum"]
        print(f"{case['name']}: llf {ref['llf']!r} converged {ref['converged']} "
              f"({ref['iterations']} it, {ref['fit_seconds']:.2f} s); "
              f"restart distance {ref['restart_check']['max_param_distance_to_reference']:.3g}; "
              f"legacy fit(disp=False) {legacy['fit_seconds']:.2f} s, converged {legacy['converged']}, "
              f"param distance {legacy['max_param_distance_to_reference']:.3g}, "
              f"forecast mean rel diff {legacy['forecast_mean_max_rel_diff']:.3g}"
              + (f"; invertible twin llf {twin['llf']!r}" if twin else "")
              + f" [{time.perf_counter() - start:.1f} s]", file=sys.stderr)
        golden.append(case)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(json.dumps(golden, indent=1, allow_nan=False) + "\n")
    tmp.replace(args.out)
    print(f"wrote {args.out} ({len(golden)} cases)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
