#!/usr/bin/env bash
# run_backfill_parity.sh ARABICA PYTHON DATA_DIR WORKDIR REFERENCE [--live]
# The canonical coffee backfill (REFERENCE_CASES.md: weekly folds 2020-12 to
# 2024-12, SARIMAX(1,1,1) + 5 exog, 2,000 paths) through `arabica backfill`,
# compared with the statsmodels + numpy protocol in REFERENCE (a committed
# JSON, or with --live one regenerated now by scripts/backfill_reference.py).
# Exits 77 (skipped) without the venv or ../shared/data.
set -euo pipefail
arabica=$1 python=$2 data_dir=$3 work=$4 reference=$5 live=${6:-}
here=$(cd "$(dirname "$0")" && pwd)
csv=$data_dir/coffee_kc_daily_features_2015_2024.csv
if [[ ! -x "$python" ]]; then echo "skipped: no Python at $python (run scripts/setup)"; exit 77; fi
if [[ ! -f "$csv" ]]; then echo "skipped: no $csv"; exit 77; fi
exog=wx_temperature_2m_max_wavg,wx_precipitation_sum_wavg,wx_wind_speed_10m_max_wavg,brl_usd,inr_usd
mkdir -p "$work"
if [[ "$live" == "--live" ]]; then
  "$python" "$here/../../../scripts/backfill_reference.py" --csv "$csv" --exog "$exog" \
    --start 2020-12-01 --end 2024-12-31 --workers 2 --out "$work/reference.json"
  reference=$work/reference.json
fi
rm -f "$work/coffee.h5"
"$arabica" backfill --csv "$csv" --exog "$exog" --start 2020-12-01 --end 2024-12-31 \
  --schedule weekly --model sarimax,naive,drift --paths 2000 --quiet --out "$work/coffee.h5" \
  --forecast-csv "$work/forecast.csv"
exec "$python" "$here/check_backfill_parity.py" "$work/coffee.h5" "$reference"
