#!/usr/bin/env bash
# Runs every test suite of a build tree with ctest and ends with one line
# "N passed, N failed".
#
# Usage: scripts/run-tests.sh [BUILD_DIR] [JOBS] [-- COMMAND ARGS...]...
# Each extra command (make test passes "-- ctest --preset tsan
# -- scripts/run-fuzz.sh 10") runs after the ctest suites, in order, and
# counts as one more test in the final line: passed when it exits 0.
# Without a leading "--", everything after JOBS is one command.
set -uo pipefail
build=${1:-build/asan}
jobs=${2:-2}
shift $(( $# < 2 ? $# : 2 ))
# The extra commands, each a string of NUL-free words joined by \x1f.
extras=()
if [ $# -gt 0 ] && [ "$1" != "--" ]; then set -- -- "$@"; fi
while [ $# -gt 0 ]; do
  shift  # "--"
  words=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do words+=("$1"); shift; done
  if [ ${#words[@]} -gt 0 ]; then
    extras+=("$(IFS=$'\x1f'; echo "${words[*]}")")
  fi
done
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log=$(mktemp)
ctest --test-dir "$build" --output-on-failure -j "$jobs" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1)
total=$(echo "$summary" | sed -E 's/.* out of ([0-9]+).*/\1/')
failed=$(echo "$summary" | sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/')
rm -f "$log"
if [ -z "$summary" ]; then
  total=1
  failed=1
  status=1
fi
for joined in "${extras[@]}"; do
  IFS=$'\x1f' read -r -a extra <<<"$joined"
  echo "== extra: ${extra[*]}"
  "${extra[@]}"
  extra_status=$?
  total=$((total + 1))
  if [ "$extra_status" -ne 0 ]; then
    echo "== extra FAILED (exit $extra_status): ${extra[*]}"
    failed=$((failed + 1))
    [ "$status" -ne 0 ] || status=$extra_status
  fi
done
echo "$((total - failed)) passed, $failed failed"
exit "$status"
