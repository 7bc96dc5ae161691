#!/usr/bin/env bash
# config_examples.sh ARABICA README EXAMPLE_TOML CSV WORKDIR: the README's
# --config examples run as written (issue 12, defect 1).
#
# The example config (examples/backfill.toml) names the real coffee data and
# years of cutoffs; the copy used here differs only in its data keys (csv,
# exog, start, end, min_train_rows), rewritten to the small synthetic file and
# a few weekly cutoffs so the test takes seconds. The Slurm example is taken
# from README.md itself: `srun ...` is stripped, `build/arabica` is this build,
# /shared/ a folder of WORKDIR, and `--device cuda` becomes `--device cpu`
# only when the command as written is refused for want of a GPU (which must
# leave no store behind).
set -euo pipefail
arabica=$1 readme=$2 example=$3 csv=$4 work=$5
rm -rf "$work" && mkdir -p "$work/shared"
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }

# An example config with its data keys rewritten to the small file.
small_copy() {
  sed -e "s|^csv = .*|csv = \"$csv\"|" \
      -e '/^exog = \[/,/\]/c\exog = ["rain", "brl_usd"]' \
      -e 's|^start = .*|start = 2022-12-01|' -e 's|^end = .*|end = 2023-01-31|' \
      -e 's|^min_train_rows = .*|min_train_rows = 200|' "$1" > "$2"
  grep -q '^exog = \["rain", "brl_usd"\]$' "$2" || fail "$1: exog not rewritten"
}
small_copy "$example" run.toml

# README: build/arabica backfill --config examples/backfill.toml
"$arabica" backfill --config run.toml --quiet > out1.txt || fail "config example exited $?"
grep -q "x 4 models, start=2022-12-01 end=2023-01-31 schedule=weekly" out1.txt || fail "schedule/models not taken from the file: $(head -1 out1.txt)"
grep -q "^sarimax(0,1,1) " out1.txt || fail "sarimax:0,1,1 from the file missing"
[ -s backfill.h5 ] || fail "out from the file not written"

# README: ... --schedule every_row --out daily.h5 (the command line wins)
"$arabica" backfill --config run.toml --schedule every_row --out daily.h5 --quiet > out2.txt ||
  fail "override exited $?"
grep -q "x 4 models, start=2022-12-01 end=2023-01-31 schedule=every_row" out2.txt || fail "--schedule did not override: $(head -1 out2.txt)"
[ -s daily.h5 ] || fail "--out did not override"
# --exog '' drops the file's covariates: no model of the store has any.
"$arabica" backfill --config run.toml --exog '' --out noexog.h5 --quiet > /dev/null || fail "--exog '' exited $?"
h5dump -a /config noexog.h5 > noexog.txt
grep -q '"exog":\["rain","brl_usd"\]' noexog.txt && fail "--exog '' kept the file's covariates"
grep -q '"name":"sarimax(1,1,1)"' noexog.txt || fail "noexog.h5: no sarimax(1,1,1) in its config"
h5dump -a /config backfill.h5 | grep -q '"exog":\["rain","brl_usd"\]' || fail "backfill.h5: the file's covariates missing"

# README's Slurm example, srun stripped.
command=$(awk '/^srun /{on=1; next} on{print; if ($0 !~ /\\$/) exit}' "$readme" | tr -d '\\\n')
[[ "$command" == *"build/arabica backfill --config run.toml"* ]] || fail "no Slurm example in README: $command"
command=${command//build\/arabica/$arabica}
command=${command//\/shared\//$work/shared/}
read -r -a argv <<< "$command"
set +e
"${argv[@]}" --quiet > out3.txt 2> err3.txt
status=$?
set -e
if [ "$status" -eq 2 ] && grep -q -- "--device: cuda requested" err3.txt; then
  [ ! -e shared/backfill.h5 ] || fail "refused --device cuda left a store behind"
  echo "no GPU here: the Slurm example runs with --device cpu"
  argv=("${argv[@]/#cuda/cpu}")
  "${argv[@]}" --quiet > out3.txt || fail "Slurm example (cpu) exited $?"
elif [ "$status" -ne 0 ]; then
  fail "Slurm example exited $status: $(cat err3.txt)"
fi
grep -q "x 4 models, start=2022-12-01 end=2023-01-31 schedule=weekly" out3.txt || fail "Slurm example did not read run.toml"
[ -s shared/backfill.h5 ] || fail "Slurm example's --out not written"
# examples/calibration.toml (bench/results/calibration_coffee.md): every
# variant runs, and the store holds each one's path coverage and PIT KS.
small_copy "$(dirname "$example")/calibration.toml" calibration.toml
"$arabica" backfill --config calibration.toml --quiet > out4.txt || fail "calibration example exited $?"
grep -q "x 12 models, start=2022-12-01" out4.txt || fail "calibration example: $(head -1 out4.txt)"
for model in "sarimax(1,1,1)+log+student_t+ewma=0.97" "sarimax(1,1,1)+log+bootstrap+ewma=0.97" \
             "sarimax(1,1,1)+log+student_t+garch" "sarimax(1,1,1)+boxcox=0.5" \
             "sarimax(1,1,1)+c+log+student_t+ewma=0.99+window=1000" \
             "naive+log+ewma=0.97"; do
  grep -qF "$model " out4.txt || fail "calibration example: no scores for $model"
done
grep -q "gauss95  path95  pit_ks" out4.txt || fail "calibration example: no path calibration columns"
# The progress output names each family and why a slow one is slow.
grep -q "^innovations: normal (sarimax(1,1,1), " out4.txt || fail "calibration example: no innovations line"
grep -q "; student_t (sarimax(1,1,1)+student_t, .*): nu fitted by maximum likelihood at every fold" out4.txt ||
  fail "calibration example: student_t's cost not named: $(grep '^innovations' out4.txt)"
h5ls calibration.h5 > variables.txt  # not piped into grep -q: pipefail would see h5ls's SIGPIPE
for variable in path_coverage_95_overall pit_ks_overall pit; do
  grep -q "^$variable " variables.txt || fail "calibration example: the store has no $variable"
done
echo "config examples ok"
