#!/bin/sh
# Runs the browser tests: installs playwright-core (npm ci against the
# committed package-lock.json) into the build tree when it is missing, then
# runs ui_e2e_test.js with Node. Environment: POLKU_SERVER, POLKU_CLI,
# POLKU_UI_CLI, POLKU_SOURCE_DIR, POLKU_E2E_DIR (the build's e2e directory,
# where node_modules and the screenshots go), CHROMIUM (default
# /usr/bin/chromium).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=${POLKU_E2E_DIR:?POLKU_E2E_DIR is not set}
mkdir -p "$work"
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" ||
   [ ! -f "$work/node_modules/playwright-core/package.json" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && npm ci --no-audit --no-fund --ignore-scripts)
fi
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "e2e: $CHROMIUM is missing (apt-get install chromium)" >&2
  exit 1
fi
export CHROMIUM
NODE_PATH="$work/node_modules" exec node "$here/ui_e2e_test.js"
