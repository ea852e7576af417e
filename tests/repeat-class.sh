#!/usr/bin/env bash
# Runs one test class N times in a row (built already) and counts the runs that passed.
# Usage: tests/repeat-class.sh <Project> <Full.Class.Name> [N=50]
# e.g.   tests/repeat-class.sh Octavia.EndToEnd Octavia.EndToEnd.BackendServerTests 50
set -u
project=$1 class=$2 runs=${3:-50}
cd "$(dirname "$0")/$project" || exit 2
passed=0
for i in $(seq 1 "$runs"); do
  if out=$(dotnet run --no-build -- -class "$class" 2>&1) && grep -q "Failed: 0," <<<"$out"; then
    passed=$((passed + 1))
  else
    echo "run $i failed:"; grep -E "\[FAIL\]|Expected|Actual" <<<"$out" | head -12
  fi
done
echo "$class: $passed/$runs runs passed"
[ "$passed" -eq "$runs" ]
