#!/usr/bin/env bash
# allow_nonpositive.sh ARABICA CSV WORKDIR: a target with zero and negative
# values (a spread) is refused by default with a hint, and fits and forecasts
# with --allow-nonpositive.
set -euo pipefail
arabica=$1 csv=$2 work=$3
mkdir -p "$work"
spread="$work/spread.csv"
# close - 150 changes sign many times; one row is exactly zero.
awk -F, -v OFS=, 'NR == 1 { print; next } NR == 2 { $2 = 0; print; next } { $2 = sprintf("%.4f", $2 - 150); print }' \
  "$csv" > "$spread"
if "$arabica" fit --csv "$spread" --exog rain,brl_usd > /dev/null 2> "$work/stderr.txt"; then
  echo "a zero target was accepted without --allow-nonpositive"; exit 1
fi
grep -q "spread.csv:2:2: column 'close': target value '0' is not positive .*--allow-nonpositive" \
  "$work/stderr.txt" || { echo "unexpected error:"; cat "$work/stderr.txt"; exit 1; }
"$arabica" fit --csv "$spread" --exog rain,brl_usd --allow-nonpositive > "$work/fit.txt"
grep -q "^converged yes" "$work/fit.txt" || { echo "fit did not converge:"; cat "$work/fit.txt"; exit 1; }
"$arabica" forecast --csv "$spread" --exog rain,brl_usd --allow-nonpositive --horizon 3 \
  --out "$work/forecast.csv" > /dev/null
[ "$(tail -n +2 "$work/forecast.csv" | wc -l)" -eq 3 ] || { echo "expected 3 forecast rows"; exit 1; }
echo ok
