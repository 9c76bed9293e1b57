#!/bin/sh
# Generates the Python gRPC stubs the adapter needs from Polku's contract,
# with Debian's protoc and grpc_python_plugin (python3-grpc-tools is too old):
#
#   scripts/generate_stubs.sh [OUT_DIR]
#
# OUT_DIR defaults to polku_openedx/_generated, which `pip wheel .` packages.
# Run it from a Polku source tree (it reads ../../../proto).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$here/../../.." && pwd)
out=${1:-$here/polku_openedx/_generated}
googleapis=${POLKU_GOOGLEAPIS_DIR:-/usr/share/gocode/src/github.com/gogo/googleapis}
plugin=${GRPC_PYTHON_PLUGIN:-$(command -v grpc_python_plugin)}
mkdir -p "$out"
protoc -I"$repo/proto" -I"$googleapis" \
  --python_out="$out" --grpc_out="$out" --plugin=protoc-gen-grpc="$plugin" \
  "$repo"/proto/polku/v1/*.proto \
  "$googleapis/google/rpc/status.proto" "$googleapis/google/rpc/error_details.proto"
echo "Python stubs written to $out"
