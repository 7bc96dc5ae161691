#!/usr/bin/env bash
# simulate_contract.sh ARABICA CSV WORKDIR: `arabica simulate` writes the
# legacy distribution.csv (path_id,day_1..day_H + metadata) and per-day
# statistics whose mean agrees with `arabica forecast`.
set -euo pipefail
arabica=$1 csv=$2 work=$3
mkdir -p "$work"
model=(--csv "$csv" --exog rain,brl_usd --order 1,1,1)
"$arabica" simulate "${model[@]}" --horizon 7 --paths 20000 --innovations student_t \
  --seed 7 --out "$work/distribution.csv" --stats-out "$work/stats.csv" > /dev/null
header=$(head -1 "$work/distribution.csv")
expected="path_id,day_1,day_2,day_3,day_4,day_5,day_6,day_7,model_version,generation_timestamp,data_cutoff_date"
[ "$header" = "$expected" ] || { echo "bad header: $header"; exit 1; }
[ "$(tail -n +2 "$work/distribution.csv" | wc -l)" -eq 2000 ] || { echo "expected 2000 paths"; exit 1; }
[ "$(tail -n +2 "$work/stats.csv" | wc -l)" -eq 7 ] || { echo "expected 7 stat rows"; exit 1; }

# Same seed, same paths; another seed, other paths.
"$arabica" simulate "${model[@]}" --paths 20000 --innovations student_t --seed 7 \
  --threads 1 --out "$work/again.csv" > /dev/null
[ "$(cut -d, -f1-8 "$work/distribution.csv")" = "$(cut -d, -f1-8 "$work/again.csv")" ] ||
  { echo "paths changed with the thread count"; exit 1; }
"$arabica" simulate "${model[@]}" --paths 20000 --seed 8 --out "$work/other.csv" > /dev/null
[ "$(cut -d, -f2 "$work/distribution.csv")" != "$(cut -d, -f2 "$work/other.csv")" ] ||
  { echo "seed ignored"; exit 1; }

# Simulated means sit within Monte Carlo error of the Kalman forecast.
"$arabica" forecast "${model[@]}" --out "$work/forecast.csv" > /dev/null
paste -d, <(tail -n +2 "$work/stats.csv" | cut -d, -f3) \
          <(tail -n +2 "$work/forecast.csv" | cut -d, -f3,4) |
  awk -F, '{ d = $1 - $2; if (d < 0) d = -d; if (d > 5 * $3 / sqrt(20000)) { print "mean off at day " NR; exit 1 } }'
# --window-rows N fits on the last N rows: the paths of a file cut to those
# rows (the same last price and covariates), for simulate and for stress.
{ head -1 "$csv"; tail -n 120 "$csv"; } > "$work/last120.csv"
"$arabica" simulate "${model[@]}" --paths 5000 --seed 3 --window-rows 120 --out "$work/window.csv" > /dev/null
"$arabica" simulate --csv "$work/last120.csv" --exog rain,brl_usd --order 1,1,1 --paths 5000 --seed 3 \
  --out "$work/cut.csv" > /dev/null
[ "$(cut -d, -f1-8 "$work/window.csv")" = "$(cut -d, -f1-8 "$work/cut.csv")" ] ||
  { echo "simulate --window-rows is not a fit on the last rows"; exit 1; }
[ "$(cut -d, -f2 "$work/window.csv")" != "$(cut -d, -f2 "$work/distribution.csv")" ] ||
  { echo "simulate --window-rows ignored"; exit 1; }
cutoff=$(tail -n 31 "$csv" | head -1 | cut -d, -f1)  # a cutoff 30 rows before the end
{ head -1 "$csv"; tail -n 150 "$csv"; } > "$work/last150.csv"
printf '[[scenario]]\nname = "base"\n' > "$work/base.toml"
for run in window cut; do
  if [ $run = window ]; then data=$csv extra=(--window-rows 120); else data=$work/last150.csv extra=(); fi
  "$arabica" stress --csv "$data" --exog rain,brl_usd --order 1,1,1 --scenarios "$work/base.toml" \
    --cutoff "$cutoff" --paths 4000 --seed 3 "${extra[@]}" --out "$work/stress_$run.h5" \
    --summary-csv "$work/stress_$run.csv" > "$work/stress_$run.txt"
done
grep -q "fitted on 120 rows" "$work/stress_window.txt" || { echo "stress: $(grep cutoff "$work/stress_window.txt")"; exit 1; }
cmp -s "$work/stress_window.csv" "$work/stress_cut.csv" ||
  { echo "stress --window-rows is not a fit on the last rows"; diff "$work/stress_window.csv" "$work/stress_cut.csv"; exit 1; }
echo "simulate contract ok"
