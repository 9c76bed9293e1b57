#!/usr/bin/env bash
# `make run`: starts polku-server on its embedded default (SQLite) in
# development mode, loads demo data, prints where to reach it, and keeps
# running until Ctrl-C. Demo data:
#   tenant "demo":    an OULAD presentation (../shared/datasets/oulad): its
#                     VLE sites and assessments as the catalogue, example
#                     paths, and its learners' registrations, clicks and
#                     results as events, so recommendations are for real
#                     learners;
#   tenant "example": the example catalogue (deploy/config/catalogue.yaml)
#                     and the real Moodle and Open edX events of
#                     ../shared/fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=build/bin
DATA=${POLKU_DATA_DIR:-var/polku}
GRPC=${POLKU_GRPC_ADDRESS:-127.0.0.1:50051}
METRICS=${POLKU_METRICS_ADDRESS:-127.0.0.1:9464}
HTTP=${POLKU_HTTP_ADDRESS:-127.0.0.1:8080}
SHARED=${POLKU_SHARED_DIR:-../shared}
mkdir -p "$DATA"

"$BIN/polku-server" --dev_mode --data_dir="$DATA" --grpc_address="$GRPC" \
  --metrics_address="$METRICS" --http_address="$HTTP" --rules=deploy/config/rules.yaml &
SERVER=$!
WIDGET=
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' INT TERM EXIT

for _ in $(seq 1 100); do
  if "$BIN/polku" health --address="$GRPC" --timeout_ms=500 >/dev/null 2>&1; then break; fi
  if ! kill -0 $SERVER 2>/dev/null; then echo "polku-server failed to start" >&2; exit 1; fi
  sleep 0.1
done
"$BIN/polku" health --address="$GRPC"

"$BIN/polku" catalogue load deploy/config/catalogue.yaml --address="$GRPC" --tenant=example
if [ -d "$SHARED/fixtures" ]; then
  echo "Loading the fixture events of $SHARED/fixtures (tenant example) ..."
  mapfile -t moodle < <(find "$SHARED/fixtures/moodle" -name event.json | sort)
  "$BIN/polku" ingest --address="$GRPC" --tenant=example --format=moodle \
    --instance=https://moodle.example.edu "${moodle[@]}" 2>/dev/null || true
  "$BIN/polku" ingest --address="$GRPC" --tenant=example --format=openedx \
    --instance=https://lms.example.edu "$SHARED"/fixtures/openedx/tracking/*.json 2>/dev/null || true
fi
if [ -d "$SHARED/datasets/oulad" ]; then
  echo "Loading the OULAD presentation GGG_2014J (tenant demo; about a minute) ..."
  "$BIN/polku" demo oulad --address="$GRPC" --tenant=demo \
    --data="$SHARED/datasets/oulad" | tee "$DATA/demo.txt" || true
  # The learner widget for the most active learner (a link valid for five
  # minutes; a new one: polku ui token --tenant=demo --learner=KEY).
  learner=$(awk '/the most active/ {print $1; exit}' "$DATA/demo.txt" 2>/dev/null || true)
  if [ -n "$learner" ]; then
    "$BIN/polku" ui show --tenant=demo --data_dir="$DATA" 2>/dev/null | grep -q "^demo[[:space:]]*set" \
      || "$BIN/polku" ui secret --tenant=demo --data_dir="$DATA" >/dev/null 2>&1 || true
    sleep 1.5  # the server re-reads the widget settings within a second
    WIDGET=$("$BIN/polku" ui token --tenant=demo --learner="$learner" \
      --base_url="http://$HTTP" --data_dir="$DATA" 2>/dev/null | grep -o 'http[^ ]*' | head -1 || true)
  fi
fi

cat <<INFO

Polku is running (development mode: loopback only, tenant from x-polku-tenant).
  gRPC      $GRPC        (health: $BIN/polku health --address=$GRPC)
  HTTP/JSON http://$HTTP/v1/...   (xAPI: http://$HTTP/xapi/statements, Caliper: http://$HTTP/caliper)
  metrics   http://$METRICS/metrics
  widget    ${WIDGET:-(load the OULAD demo to get a learner widget link)}
  overview  http://$HTTP/ui/overview (sign in with a key: $BIN/polku keys create --tenant=demo --scopes=insights:read --data_dir=$DATA)
  data      $DATA/polku.db
  try       $BIN/polku recommend --tenant=demo --locale=fi --learner=<a learner key printed above>
            curl -H 'x-polku-tenant: demo' http://$HTTP/v1/orgs/-/overview
            $BIN/polku tag --instance=https://moodle.example.edu $SHARED/fixtures/moodle/core/course_completed/event.json
Press Ctrl-C to stop.
INFO
wait $SERVER
