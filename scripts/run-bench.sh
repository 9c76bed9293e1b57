#!/usr/bin/env bash
# `make bench`: the benchmark suite of a Release build. Prints one table
# (scenario, figure, target, ratio to its ceiling, met or missed) and writes
# every figure to build/bench/results.json. QUICK=1 (the first argument
# "quick") makes each scenario a few seconds long: a smoke run whose figures
# say nothing about the targets. Not part of `make test` or CI.
#
# What runs, in order (each polku-bench scenario writes scenario-*.json):
#   core.json, ranker.json  Google Benchmark: tagger, normalisers, ranker
#   store.json              SQLite store next to raw SQLite inserts of the
#                           same rows with the same pragmas (the storage
#                           ceiling)
#   a polku-server (dev mode, loopback, fresh data dir, --bench_echo=true):
#     echo-b1, echo-b100    the transport ceiling: an echo on the same
#                           server and threads, with Ingest's request and
#                           response sizes; h2load-b*.txt cross-check it
#     ingest-b{1,10,100,1000} (32 in flight; 4 at 1000), ingest-b100-c256
#     (256 in flight), stream-b1000, xapi-s{1,100} (4 connections),
#     xapi-s100-c16 (16 connections)
#   a second server on a database prepare-recommend filled (100,000
#   learners, 10,000 activities, 1,000 paths): recommend at 2,000 req/s
#   and at 20 req/s (each second's latencies in timeline-recommend*.txt)
#   pg-1, pg-2              Ingest at batch 100 on PostgreSQL through one
#                           replica and through two at once
#   profiles                resident memory per profile, 1,000,000 held
#   a third server: oulad   the full OULAD replay through IngestStream
#                           (bounded by OULAD_MAX_SECONDS, default 300)
#   eval-oulad.json         `polku eval oulad`, the offline evaluation
#                           (not when quick)
# PROFILE=1 also records `perf` of the server during batch-100 ingest into
# build/bench/perf-ingest-b100.txt.
# POLKU_BENCH_BIN picks the binaries (default build/release/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${POLKU_BENCH_BIN:-build/release/bin}
OUT=${POLKU_BENCH_OUT:-build/bench}
quick=${1:-}
mkdir -p "$OUT"
rm -f "$OUT"/scenario-*.json "$OUT"/pg-*.json "$OUT"/h2load-*.txt \
  "$OUT"/timeline-*.txt "$OUT"/results.json

min_time=()
dur=10        # seconds per load scenario
profiles=1000000
rec=(--learners=100000 --activities=10000 --paths=1000)
# The replay stops sending after OULAD_MAX_SECONDS (0: replays everything)
# and then projects the full replay's time from its rate.
oulad=(--max_seconds="${OULAD_MAX_SECONDS:-300}")
if [ "$quick" = quick ]; then
  min_time=(--benchmark_min_time=0.05)
  dur=2
  profiles=50000
  rec=(--learners=5000 --activities=1000 --paths=100)
  oulad=(--presentation=AAA_2013J --max_events=50000)
fi

TMP=$(mktemp -d /tmp/polku-bench.XXXXXX)
SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
trap 'stop_server; [ -z "${PG_PID_A:-}" ] || kill "$PG_PID_A" 2>/dev/null; rm -rf "$TMP"' EXIT

# json_get FILE KEY: one top-level value of a JSON object.
json_get() {
  /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# start_server DATA_DIR [flags...]: sets SERVER_PID, GRPC, HTTP and DB.
start_server() {
  local data=$1
  shift
  mkdir -p "$data"
  rm -f "$TMP/ready.json"
  "$BIN/polku-server" --dev_mode --data_dir="$data" \
    --grpc_address=127.0.0.1:0 --http_address=127.0.0.1:0 \
    --metrics_address=127.0.0.1:0 --ready_file="$TMP/ready.json" \
    --log_level=warning "$@" >"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    [ -s "$TMP/ready.json" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      cat "$TMP/server.log" >&2
      echo "polku-server did not start" >&2
      exit 1
    fi
    sleep 0.1
  done
  GRPC=127.0.0.1:$(json_get "$TMP/ready.json" grpc_port)
  HTTP=$(json_get "$TMP/ready.json" http_port)
  DB=$data/polku.db
}

# bench NAME SCENARIO [flags...]: one polku-bench scenario into
# scenario-NAME.json; a failed scenario is reported and the suite goes on.
bench() {
  local name=$1 scenario=$2
  shift 2
  echo "== $name"
  if ! "$BIN/polku-bench" "$scenario" --address="$GRPC" --db="$DB" \
    --server_pid="$SERVER_PID" --json="$OUT/scenario-$name.json" "$@"; then
    echo "   $name: FAILED (see above)" >&2
  fi
}

echo "== micro-benchmarks: tagger and normalisers"
"$BIN/polku_core_benchmark" "${min_time[@]}" \
  --benchmark_out="$OUT/core.json" --benchmark_out_format=json
echo "== micro-benchmarks: ranker"
"$BIN/polku_ranker_benchmark" "${min_time[@]}" \
  --benchmark_out="$OUT/ranker.json" --benchmark_out_format=json
echo "== store (Polku's Append next to raw SQLite: the storage ceiling)"
"$BIN/polku_store_benchmark" "${min_time[@]}" \
  --benchmark_out="$OUT/store.json" --benchmark_out_format=json

echo "== server 1: transport ceiling, ingest, xAPI"
start_server "$TMP/data-ingest" --bench_echo=true
for b in 1 100; do
  bench "echo-b$b" echo --batch=$b --duration=$dur --concurrency=32
  "$BIN/polku-bench" h2load-body --address="$GRPC" --batch=$b \
    --out="$TMP/body-b$b.bin" >"$TMP/body-b$b.json"
  if command -v h2load >/dev/null; then
    echo "== h2load-b$b (cross-check of echo-b$b)"
    h2load -D "$dur" --warm-up-time=1 -c 1 -t 1 -m 32 \
      -d "$TMP/body-b$b.bin" -H 'content-type: application/grpc' \
      -H 'te: trailers' -H "x-polku-tenant: bench-h2load" \
      -H "x-bench-response-bytes: $(json_get "$TMP/body-b$b.json" response_bytes)" \
      "http://$GRPC/polku.bench.v1.BenchEcho/Echo" | tee "$OUT/h2load-b$b.txt" |
      grep -E 'finished in|requests:' || true
  else
    echo "h2load not installed (apt-get install nghttp2-client): no cross-check"
  fi
done
for b in 1 10 100 1000; do
  conc=32
  [ "$b" -ge 1000 ] && conc=4
  bench "ingest-b$b" ingest --batch=$b --duration=$dur --concurrency=$conc
done
# Throughput at batch 100 with enough calls in flight that answered clients
# send their next batch while the writer commits the others.
bench ingest-b100-c256 ingest --batch=100 --duration=$dur --concurrency=256 \
  --tenant=bench-ingest-b100-c256
if [ "${PROFILE:-}" = 1 ] && command -v perf >/dev/null; then
  echo "== perf of the server during batch-100 ingest"
  perf record -F 499 -g -p "$SERVER_PID" -o "$TMP/perf.data" -- sleep "$dur" \
    >"$OUT/perf-record.log" 2>&1 &
  perf_pid=$!
  "$BIN/polku-bench" ingest --address="$GRPC" --batch=100 --duration="$dur" \
    --warmup=0 --concurrency=32 --tenant=bench-perf >/dev/null || true
  wait "$perf_pid" || true
  {
    echo "# CPU of polku-server by library, then by symbol (flat)"
    perf report -i "$TMP/perf.data" --no-children --sort=dso --stdio \
      -g none 2>/dev/null | grep '%' | head -12
    perf report -i "$TMP/perf.data" --no-children --sort=dso,sym --stdio \
      -g none 2>/dev/null | grep '%' | head -40
  } >"$OUT/perf-ingest-b100.txt" || true
fi
bench stream-b1000 stream --batch=1000 --duration=$dur --streams=2
bench xapi-s1 xapi-http --statements=1 --http_port="$HTTP" --duration=$dur
bench xapi-s100 xapi-http --statements=100 --http_port="$HTTP" --duration=$dur
# The same with 16 connections, as an LMS with several sending workers.
bench xapi-s100-c16 xapi-http --statements=100 --http_port="$HTTP" \
  --duration=$dur --connections=16 --tenant=bench-xapi-s100-c16
stop_server

echo "== server 2: recommendations"
"$BIN/polku-bench" prepare-recommend --db="$TMP/data-rec/polku.db" "${rec[@]}"
start_server "$TMP/data-rec"
learners=$(printf '%s\n' "${rec[@]}" | sed -n 's/--learners=//p')
# The first 3 s are not counted (the load generator's connection and
# flow-control windows start small); the latencies of every second,
# those included, go to timeline-*.txt.
bench recommend recommend --rate=2000 --duration=$dur --learners="$learners" \
  --warmup=3 --timeline=1 2> >(tee "$OUT/timeline-recommend.txt" >&2)
# The same at a rate the server keeps up with: the service time itself.
bench recommend-r20 recommend --rate=20 --duration=$dur --learners="$learners" \
  --warmup=3 --timeline=1 2> >(tee "$OUT/timeline-recommend-r20.txt" >&2)
stop_server

echo "== PostgreSQL: Ingest at batch 100 through one and two replicas"
# A throwaway cluster on loopback (tests/postgres/pg_cluster.sh). Both
# replicas, both load generators and PostgreSQL share the same 2 cores, so
# this shows correctness and overhead, not scaling.
pg_state="$TMP/pg"
PG_PID_A=
if tests/postgres/pg_cluster.sh start "$pg_state" --watch-pid $$ >/dev/null; then
  POLKU_POSTGRES_DSN=$(cat "$pg_state/dsn")
  export POLKU_POSTGRES_DSN
  # pg_ingest NAME ADDRESS PID TENANT [flags...]: one ingest run; what it
  # stored is checked by exporting sampled learners (no --db: the events are
  # in PostgreSQL).
  pg_ingest() {
    local name=$1 address=$2 pid=$3 tenant=$4
    shift 4
    "$BIN/polku-bench" ingest --address="$address" --server_pid="$pid" \
      --tenant="$tenant" --batch=100 --duration=$dur \
      --json="$OUT/pg-$name.json" "$@"
  }
  start_server "$TMP/data-pg1" --store=postgres
  pg_ingest 1 "$GRPC" "$SERVER_PID" bench-pg1 --concurrency=32 ||
    echo "   pg-1: FAILED" >&2
  stop_server
  start_server "$TMP/data-pg2a" --store=postgres
  PG_PID_A=$SERVER_PID
  grpc_a=$GRPC
  start_server "$TMP/data-pg2b" --store=postgres
  pg_ingest 2a "$grpc_a" "$PG_PID_A" bench-pg2-a --concurrency=16 &
  load_a=$!
  pg_ingest 2b "$GRPC" "$SERVER_PID" bench-pg2-b --concurrency=16 ||
    echo "   pg-2b: FAILED" >&2
  wait "$load_a" || echo "   pg-2a: FAILED" >&2
  stop_server
  kill -TERM "$PG_PID_A" 2>/dev/null || true
  wait "$PG_PID_A" 2>/dev/null || true
  PG_PID_A=
  unset POLKU_POSTGRES_DSN
  tests/postgres/pg_cluster.sh stop "$pg_state" >/dev/null || true
  # One scenario per deployment: scenario-pg-1 and scenario-pg-2 (the sum
  # of both replicas' load generators, verified only if both were).
  /usr/bin/python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
def load(name):
    path = os.path.join(out, "pg-%s.json" % name)
    return json.load(open(path)) if os.path.exists(path) else None
one, a, b = load("1"), load("2a"), load("2b")
if one:
    json.dump(dict(one, replicas=1), open(os.path.join(out, "scenario-pg-1.json"), "w"))
if a and b:
    two = {"scenario": "ingest", "batch": 100, "replicas": 2,
           "events_per_s": a["events_per_s"] + b["events_per_s"],
           "latency_p99_ms": max(a["latency_p99_ms"], b["latency_p99_ms"]),
           "errors": a["errors"] + b["errors"],
           "verified": bool(a.get("verified")) and bool(b.get("verified")),
           "replica_a": a, "replica_b": b}
    json.dump(two, open(os.path.join(out, "scenario-pg-2.json"), "w"))
PY
else
  echo "   PostgreSQL scenario: no cluster (apt-get install postgresql)" >&2
fi

echo "== memory per learner profile"
"$BIN/polku-bench" profiles --count=$profiles --json="$OUT/scenario-profiles.json" ||
  echo "   profiles: FAILED" >&2

echo "== server 3: OULAD replay"
start_server "$TMP/data-oulad"
bench oulad oulad-replay "${oulad[@]}"
stop_server

if [ "$quick" != quick ] && [ -x "$BIN/polku" ]; then
  echo "== offline evaluation on OULAD (README: Offline evaluation)"
  "$BIN/polku" eval oulad --json="$OUT/eval-oulad.json" ||
    echo "   eval-oulad: FAILED" >&2
fi

/usr/bin/python3 services/bench/bench_report.py "$OUT" \
  $([ "$quick" = quick ] && echo --quick)
echo "Figures written to $OUT/results.json"
