#!/usr/bin/env bash
# forecast_contract.sh ARABICA CSV WORKDIR: `arabica forecast` writes the
# legacy forecast.csv contract, and a failing run leaves an existing file intact.
set -euo pipefail
arabica=$1 csv=$2 work=$3
mkdir -p "$work"
out="$work/forecast.csv"
rm -f "$out"
"$arabica" forecast --csv "$csv" --exog rain,brl_usd --order 1,1,1 --horizon 7 \
  --out "$out" --model-version sarimax_v1 > "$work/stdout.txt"
header=$(head -1 "$out")
expected="forecast_date,day_ahead,forecast_mean,forecast_std,lower_95,upper_95,model_version,generation_timestamp,data_cutoff_date"
[ "$header" = "$expected" ] || { echo "bad header: $header"; exit 1; }
[ "$(tail -n +2 "$out" | wc -l)" -eq 7 ] || { echo "expected 7 rows"; exit 1; }
cutoff=$(tail -1 "$csv" | cut -d, -f1)
awk -F, -v cutoff="$cutoff" 'NR > 1 {
  if ($2 != NR - 1) { print "day_ahead " $2 " at row " NR; exit 1 }
  if (!($5 < $3 && $3 < $6 && $4 > 0)) { print "interval does not bracket the mean at row " NR; exit 1 }
  if ($7 != "sarimax_v1" || $9 != cutoff) { print "metadata wrong at row " NR; exit 1 }
  if ($8 !~ /^[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z$/) { print "timestamp " $8; exit 1 }
  if (NR > 2 && $4 < prev_std) { print "forecast_std must not shrink"; exit 1 }
  prev_std = $4
}' "$out"
# forecast_date is the cutoff plus day_ahead calendar days (legacy contract).
first=$(sed -n 2p "$out" | cut -d, -f1)
[ "$first" = "$(date -u -d "$cutoff + 1 day" +%F)" ] || { echo "forecast_date $first"; exit 1; }

# Supplied future covariates move the mean by the fitted coefficients; the
# variance does not depend on them.
future=$(dirname "$csv")/synthetic_future_exog.csv
"$arabica" forecast --csv "$csv" --exog rain,brl_usd --order 1,1,1 --horizon 7 \
  --future-exog "$future" --out "$work/supplied.csv" > /dev/null
[ "$(cut -d, -f4 "$out")" = "$(cut -d, -f4 "$work/supplied.csv")" ] || { echo "std changed"; exit 1; }
[ "$(cut -d, -f3 "$out")" != "$(cut -d, -f3 "$work/supplied.csv")" ] || { echo "mean ignored exog"; exit 1; }
# ... matched by date, not by position: rows before the cutoff, after the
# horizon and in any order change nothing.
{ head -1 "$future"; tail -n 20 "$csv" | cut -d, -f1,3,4; tail -n +2 "$future" | sort -r
  echo "2023-03-08,9.9,9.9"; } > "$work/future_by_date.csv"
"$arabica" forecast --csv "$csv" --exog rain,brl_usd --order 1,1,1 --horizon 7 \
  --future-exog "$work/future_by_date.csv" --out "$work/by_date.csv" > /dev/null
[ "$(cut -d, -f3 "$work/by_date.csv")" = "$(cut -d, -f3 "$work/supplied.csv")" ] ||
  { echo "future covariates not matched by date"; exit 1; }
# --calendar business: the next Monday..Friday days after the cutoff (a
# Friday), the dates the covariates are matched to.
"$arabica" forecast --csv "$csv" --exog rain,brl_usd --order 1,1,1 --horizon 7 --calendar business \
  --future-exog "$future" --out "$work/business.csv" > /dev/null
[ "$(tail -n +2 "$work/business.csv" | cut -d, -f1 | paste -sd' ')" = \
  "$(tail -n +2 "$future" | cut -d, -f1 | paste -sd' ')" ] || { echo "business dates"; exit 1; }

# A failing run must not touch the existing deliverable.
before=$(sha256sum "$out")
if "$arabica" forecast --csv "$csv" --exog no_such_column --out "$out" 2>/dev/null; then
  echo "expected failure"; exit 1
fi
[ "$(sha256sum "$out")" = "$before" ] || { echo "existing forecast.csv was modified"; exit 1; }
echo "forecast contract ok"
