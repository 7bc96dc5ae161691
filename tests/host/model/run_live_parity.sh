#!/usr/bin/env bash
# Regenerates the statsmodels golden file and runs the parity tests on it.
# Usage: run_live_parity.sh PYTHON MAKE_GOLDEN DATA_DIR OUT_JSON PARITY_EXE
# Exits 77 (ctest: skipped) when Python, statsmodels or the shared data is missing.
set -euo pipefail
python=$1 make_golden=$2 data_dir=$3 out=$4 parity_exe=$5

if [[ ! -x "$python" ]] || ! "$python" -c 'import statsmodels, pandas, numpy' 2>/dev/null; then
  echo "skipped: no Python with statsmodels at $python (run scripts/setup)"
  exit 77
fi
if [[ ! -f "$data_dir/coffee_kc_daily_features_2015_2024.csv" ]]; then
  echo "skipped: shared data not found in $data_dir"
  exit 77
fi
"$python" "$make_golden" --data-dir "$data_dir" --out "$out"
ARABICA_GOLDEN="$out" exec "$parity_exe"
