#!/usr/bin/env bash
# expect_error.sh REGEX -- COMMAND...: passes when COMMAND exits non-zero and
# prints exactly one line on stderr that matches REGEX (a located error).
set -u
regex=$1
shift 2
stderr=$("$@" 2>&1 >/dev/null)
status=$?
if [ "$status" -eq 0 ]; then
  echo "expected a non-zero exit, got 0"; exit 1
fi
lines=$(printf '%s\n' "$stderr" | grep -c .)
if [ "$lines" -ne 1 ]; then
  printf 'expected one line on stderr, got %s:\n%s\n' "$lines" "$stderr"; exit 1
fi
if ! printf '%s\n' "$stderr" | grep -Eq -- "$regex"; then
  printf 'stderr does not match /%s/:\n%s\n' "$regex" "$stderr"; exit 1
fi
echo "ok (exit $status): $stderr"
