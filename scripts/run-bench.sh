#!/usr/bin/env bash
# `make bench`: the benchmarks of a Release build, each writing its figures
# as JSON into build/bench/. QUICK=1 (the first argument "quick") makes a
# smoke run. Not part of `make test`.
#   results.json        tagger and normaliser micro-benchmarks
#   store.json          SQLite store: Append with and without profile
#                       projection, next to raw SQLite inserts of the same
#                       rows with the same pragmas (the storage ceiling)
#   eval-oulad.json     the offline evaluation on OULAD (skipped when quick)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/release/bin
OUT=build/bench
mkdir -p "$OUT"
quick=${1:-}
min_time=()
if [ "$quick" = quick ]; then min_time=(--benchmark_min_time=0.05); fi

echo "== tagger and normalisers"
"$BIN/polku_core_benchmark" "${min_time[@]}" \
  --benchmark_out="$OUT/results.json" --benchmark_out_format=json
echo "== store (Polku's Append next to raw SQLite)"
"$BIN/polku_store_benchmark" "${min_time[@]}" \
  --benchmark_out="$OUT/store.json" --benchmark_out_format=json
if [ "$quick" != quick ]; then
  echo "== offline evaluation on OULAD"
  "$BIN/polku" eval oulad --json="$OUT/eval-oulad.json"
fi
echo "Figures written to $OUT/"
