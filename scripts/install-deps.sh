#!/usr/bin/env bash
# Installs the Debian 12 packages Polku needs to build, run and test, if any
# is missing. Safe to run repeatedly: it does nothing when all are present.
set -euo pipefail

PACKAGES=(
  # build
  cmake ccache pkg-config g++ make
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev prometheus-cpp-dev golang-github-gogo-googleapis-dev grpc-proto
  libyaml-cpp-dev libsimdjson-dev libsqlite3-dev libssl-dev libcpp-httplib-dev
  # tests and benchmarks
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-grpcio python3-protobuf python3-pytest python3-yaml
  prometheus sqlite3 systemd zstd libzstd-dev
  # h2load: the independent cross-check of make bench's transport ceiling
  nghttp2-client linux-perf
  # the PostgreSQL store (libpq) and its tests against a throwaway server
  libpq-dev postgresql
  # the Moodle adapter's tests
  php8.2-cli php8.2-curl php8.2-sqlite3 php8.2-xml php8.2-mbstring phpunit
  # the Open edX adapter's tests
  python3-django python3-djangorestframework python3-pytest-django python3-celery
  # the learner widget's end-to-end tests (headless Chromium driven from
  # Node; Node and npm themselves: see below)
  chromium
  # fuzzing (make fuzz; libFuzzer comes with clang's runtime)
  clang libclang-rt-14-dev
)

# Node.js with npm: Debian's nodejs + npm, unless a Node.js that bundles
# npm (e.g. a nodesource build, which conflicts with Debian's npm) is
# already installed.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing missing packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
