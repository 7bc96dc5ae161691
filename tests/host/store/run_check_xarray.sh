#!/usr/bin/env bash
# run_check_xarray.sh PYTHON ARGS...: runs check_xarray.py with PYTHON;
# exits 77 (ctest: skipped) when that Python is missing (run scripts/setup).
set -euo pipefail
python=$1
shift
if [[ ! -x "$python" ]]; then
  echo "skipped: no Python at $python (run scripts/setup)"
  exit 77
fi
exec "$python" "$(dirname "$0")/check_xarray.py" "$@"
