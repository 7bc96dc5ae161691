#!/usr/bin/env bash
# backfill_cli.sh ARABICA CSV WORKDIR: backfill's command-line contract
# (issue 12): SARIMAX orders given as --model sarimax:p,d,q[:P,D,Q,s] are
# distinct models of one store (defect 2), and a run with realized future
# covariates says so on its scores table (defect 15).
set -euo pipefail
arabica=$1 csv=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
base=(backfill --csv "$csv" --exog rain,brl_usd --start 2023-01-02 --end 2023-01-31
      --schedule weekly --min-train-rows 200 --paths 200 --quiet)

"$arabica" "${base[@]}" --model sarimax:0,1,1,sarimax:1,1,1:1,0,1,5,naive --model sarimax:1,1,0 \
  --out "$work/orders.h5" > "$work/orders.txt"
for name in "sarimax(0,1,1)" "sarimax(1,1,1)(1,0,1,5)" "naive" "sarimax(1,1,0)"; do
  grep -qF -- "$name " "$work/orders.txt" || fail "model $name missing: $(cat "$work/orders.txt")"
done
grep -q "x 4 models" "$work/orders.txt" || fail "expected 4 models"
grep -q "LEAKED" "$work/orders.txt" && fail "a run without leakage marked LEAKED"

"$arabica" "${base[@]}" --model naive,drift --future-exog realized --out "$work/leaked.h5" \
  > "$work/leaked.txt" 2> /dev/null
header=$(grep "^model (all days)" "$work/leaked.txt")
[[ "$header" == *"LEAKED (realized future covariates)"* ]] || fail "table header not marked: $header"
# The banner names the cutoffs run: a --start before the first cutoff with
# --min-train-rows of history is not shown as if it were the first (#17).
"$arabica" backfill --csv "$csv" --exog rain,brl_usd --start 2022-01-10 --end 2022-06-30 \
  --min-train-rows 100 --model naive --paths 100 --quiet --out "$work/late.h5" > "$work/late.txt"
banner=$(head -1 "$work/late.txt")
[[ "$banner" == *"cutoffs 2022-05-20..2022-06-30 (94 scheduled from 2022-01-10 skipped: fewer than 100 training rows)"* ]] \
  || fail "banner hides the first cutoff: $banner"
# Directional accuracy leaves out ties (an actual equal to the last price):
# the table shows how many beside n, per model and day (#17). Whole-unit
# prices make ties common.
awk -F, 'BEGIN { OFS = "," } NR == 1 { print; next } { $2 = sprintf("%.0f", $2); print }' "$csv" \
  > "$work/rounded.csv"
"$arabica" backfill --csv "$work/rounded.csv" --exog rain,brl_usd --start 2022-06-01 --end 2022-08-30 \
  --min-train-rows 100 --model sarimax:1,1,1 --paths 100 --quiet --out "$work/ties.h5" > "$work/ties.txt"
grep -qE "^model \(all days\) +n +ties +dir.acc" "$work/ties.txt" || fail "no ties column: $(cat "$work/ties.txt")"
overall_ties=$(awk '/^model \(all days\)/ { getline; print $3; exit }' "$work/ties.txt")
[[ "$overall_ties" =~ ^[0-9]+$ && "$overall_ties" -gt 0 ]] || fail "expected ties on whole-unit prices: $(cat "$work/ties.txt")"
# Daily use (#16): the same command on a file with more rows (no --end: the
# data's last row) extends the store: the earlier folds kept, the new ones
# and those whose prices arrived run, the result the one of a single run.
head -n 251 "$csv" > "$work/first250.csv"
grow=(backfill --exog rain,brl_usd --start 2022-11-01 --schedule weekly --min-train-rows 200
      --model sarimax,naive --quiet)
"$arabica" "${grow[@]}" --paths 300 --csv "$work/first250.csv" --out "$work/grown.h5" > /dev/null
"$arabica" "${grow[@]}" --paths 300 --csv "$csv" --out "$work/grown.h5" --forecast-csv "$work/grown.csv" \
  > "$work/grown.txt"
"$arabica" "${grow[@]}" --paths 300 --csv "$csv" --out "$work/once.h5" --forecast-csv "$work/once.csv" > /dev/null
cut -d, -f1-7,9 "$work/grown.csv" > "$work/grown.cut"  # all but generation_timestamp
cut -d, -f1-7,9 "$work/once.csv" > "$work/once.cut"
cmp -s "$work/grown.cut" "$work/once.cut" || fail "an extended store differs from one run: $(diff "$work/grown.cut" "$work/once.cut" | head -3)"
[[ "$(head -1 "$work/grown.txt")" == "extending "* ]] || fail "banner: $(head -1 "$work/grown.txt")"
kept=$(awk '$1 == "sarimax(1,1,1)" { print $5; exit }' "$work/grown.txt")
[[ "$kept" =~ ^[0-9]+$ && "$kept" -gt 0 ]] || fail "no fold kept by the extension: $(cat "$work/grown.txt")"
# Another setting is refused, naming it; the store is untouched.
if "$arabica" "${grow[@]}" --paths 400 --csv "$csv" --out "$work/grown.h5" > /dev/null 2> "$work/other.err"; then
  fail "a store of other settings was extended"
fi
grep -q "grown.h5: was written with another configuration (paths differ)" "$work/other.err" ||
  fail "refusal does not name the setting: $(cat "$work/other.err")"
# A price near 0 among the actuals makes mape astronomical: the table shows
# it in exponent form, not a fixed-point number cut at 31 characters.
awk -F, 'BEGIN { OFS = "," } NR == 290 { $2 = "1e-30" } { print }' "$csv" > "$work/tiny.csv"
"$arabica" backfill --csv "$work/tiny.csv" --start 2023-01-02 --min-train-rows 200 --model naive --paths 100 \
  --quiet --out "$work/tiny.h5" > "$work/tiny.txt"
mape=$(awk '/^model \(all days\)/ { getline; print $8; exit }' "$work/tiny.txt")
[[ "$mape" =~ ^[0-9.]+e\+[0-9]+$ ]] || fail "mape of an actual near 0 printed as '$mape': $(grep -A1 '^model (all' "$work/tiny.txt")"
echo "backfill cli ok"
