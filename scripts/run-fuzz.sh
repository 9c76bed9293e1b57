#!/usr/bin/env bash
# Builds the libFuzzer targets of services/fuzz with clang and runs each for
# SECONDS seconds, seeded from ../shared/fixtures, deploy/config and
# services/fuzz/seeds. Usage: scripts/run-fuzz.sh [SECONDS] (default 60).
# Only the fuzzers and what they link are built: the core, and for
# http_json (the HTTP gateway's JSON decoding) the api library and the
# generated protobuf code. FUZZ_BUILD_DIR picks another build tree.
#
# Prints per target the executions and crashes, writes build/fuzz/summary.txt
# and exits non-zero when a target crashed; the crashing input is kept as
# build/fuzz/crashes/<target>/crash-* (add it as a regression test).
# The corpora in build/fuzz/corpus/ grow from run to run; ../shared is only
# read.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=${FUZZ_BUILD_DIR:-build/fuzz}
shared=${POLKU_SHARED_DIR:-../shared}
fixtures=$shared/fixtures
jobs=${FUZZ_BUILD_JOBS:-2}
targets=(moodle xapi caliper openedx_tracking openedx_signal php_unserialize rules http_json)

for tool in clang clang++; do
  if ! command -v "$tool" >/dev/null; then
    echo "run-fuzz: $tool not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
    exit 2
  fi
done

echo "== fuzz: configuring and building $build"
if ! cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
    -DPOLKU_CORE_ONLY=OFF -DPOLKU_FUZZ=ON -DPOLKU_BUILD_TESTS=OFF \
    -DPOLKU_BUILD_BENCHMARKS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.configure.log" 2>&1; then
  cat "$build.configure.log" >&2
  exit 2
fi
fuzzer_targets=()
for t in "${targets[@]}"; do fuzzer_targets+=("${t}_fuzzer"); done
if ! cmake --build "$build" -j"$jobs" --target "${fuzzer_targets[@]}" >"$build/build.log" 2>&1; then
  tail -50 "$build/build.log" >&2
  exit 2
fi

# Seed corpora: copies of the fixtures (never written back to ../shared).
seed() {  # seed TARGET FILE...
  local dir=$build/corpus/$1; shift
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    cp -f "$f" "$dir/seed-$(sha1sum "$f" | cut -c1-16)"
  done
}
for t in "${targets[@]}"; do mkdir -p "$build/corpus/$t" "$build/crashes/$t"; done
if [ -d "$fixtures" ]; then
  mapfile -t moodle_events < <(find "$fixtures/moodle" -name event.json 2>/dev/null | sort)
  seed moodle "${moodle_events[@]}"
  mapfile -t f < <( { find "$fixtures/moodle" -name statements.json; \
                      find "$fixtures/openedx/xapi" -type f -name '*.json'; } 2>/dev/null | sort)
  seed xapi "${f[@]}"
  mapfile -t f < <(find "$fixtures/openedx/caliper" -type f -name '*.json' 2>/dev/null | sort)
  seed caliper "${f[@]}"
  mapfile -t f < <(find "$fixtures/openedx/tracking" -type f -name '*.json' 2>/dev/null | sort)
  seed openedx_tracking "${f[@]}"
  # The HTTP bodies: xAPI statements as an LRS receives them, and the
  # Caliper events each wrapped in an envelope as /caliper receives them.
  mapfile -t f < <( { find "$fixtures/moodle" -name statements.json; \
                      find "$fixtures/openedx/xapi" -type f -name '*.json'; } 2>/dev/null | sort)
  seed http_json "${f[@]}"
  mapfile -t f < <(find "$fixtures/openedx/caliper" -type f -name '*.json' 2>/dev/null | sort)
  python3 - "$build/corpus/http_json" "${f[@]}" <<'PY'
import hashlib, json, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    try:
        event = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError):
        continue
    envelope = {"sensor": "https://lms.example/sensor",
                "sendTime": "2025-06-01T10:00:00Z",
                "dataVersion": "http://purl.imsglobal.org/ctx/caliper/v1p2",
                "data": [event]}
    data = json.dumps(envelope).encode("utf-8")
    with open(f"{out}/seed-{hashlib.sha1(data).hexdigest()[:16]}", "wb") as f:
        f.write(data)
PY
  # PHP serialize() text from the "other" field of Moodle events.
  python3 - "$build/corpus/php_unserialize" "${moodle_events[@]}" <<'PY'
import hashlib, json, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    try:
        other = json.load(open(path, encoding="utf-8")).get("other")
    except (OSError, ValueError, AttributeError):
        continue
    if isinstance(other, str) and other[:2] in ("a:", "O:", "s:", "i:", "b:", "d:", "N;"):
        data = other.encode("utf-8")
        with open(f"{out}/seed-{hashlib.sha1(data).hexdigest()[:16]}", "wb") as f:
            f.write(data)
PY
else
  echo "run-fuzz: $fixtures not found; seeding from services/fuzz/seeds only" >&2
fi
seed openedx_signal services/fuzz/seeds/signal/*.json
# Inputs that once tripped a check (kept so every run replays them).
seed caliper services/fuzz/seeds/caliper/*.json
# Request bodies of the /v1 routes, and inputs that once tripped a check.
seed http_json services/fuzz/seeds/http/*.json
seed rules deploy/config/rules.yaml services/fuzz/seeds/rules/*.yaml
for s in 'N;' 'b:1;' 'i:-42;' 'd:0.5;' 'd:INF;' 's:3:"abc";' 'a:0:{}' \
         'O:8:"stdClass":1:{s:1:"a";i:1;}' 'a:1:{i:0;a:1:{s:1:"k";N;}}'; do
  printf '%s' "$s" >"$build/corpus/php_unserialize/seed-$(printf '%s' "$s" | sha1sum | cut -c1-16)"
done

export ASAN_OPTIONS=${FUZZ_ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${FUZZ_UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
summary=$build/summary.txt
{
  echo "# scripts/run-fuzz.sh $seconds  ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(clang++ --version | head -1))"
  printf '%-18s %12s %8s %8s %s\n' target executions corpus crashes result
} >"$summary"
failed=0
for t in "${targets[@]}"; do
  bin=$build/bin/${t}_fuzzer
  log=$build/${t}.log
  echo "== fuzz: $t for ${seconds}s"
  before=$(ls "$build/crashes/$t" | wc -l)
  "$bin" "$build/corpus/$t" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/crashes/$t/" \
      >"$log" 2>&1
  rc=$?
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | tail -1 | awk '{print $2}')
  corpus=$(ls "$build/corpus/$t" | wc -l)
  crashes=$(( $(ls "$build/crashes/$t" | wc -l) - before ))
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  if [ "$rc" -eq 0 ]; then result=ok; else result="FAILED (exit $rc, see $log)"; failed=1; fi
  printf '%-18s %12s %8s %8s %s\n' "$t" "${execs:-?}" "$corpus" "$crashes" "$result" | tee -a "$summary"
  if [ "$rc" -ne 0 ]; then
    grep -E 'ERROR: |SUMMARY: |runtime error|Test unit written' "$log" | head -5
  fi
done
echo "== fuzz: summary in $summary"
exit "$failed"
