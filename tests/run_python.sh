#!/usr/bin/env bash
# run_python.sh PYTHON SCRIPT ARGS...: runs a Python test script with the
# venv's Python; exits 77 (ctest: skipped) when that Python is missing (run
# scripts/setup).
set -euo pipefail
python=$1
shift
if [[ ! -x "$python" ]]; then
  echo "skipped: no Python at $python (run scripts/setup)"
  exit 77
fi
exec "$python" "$@"
