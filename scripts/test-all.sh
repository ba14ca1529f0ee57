#!/usr/bin/env bash
# `npm test`: every check CI gates on, then every test tier (unit, integration on the real Postgres and
# NATS, end-to-end with every service spawned as a process).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck" && npm run --silent typecheck
echo "== lint" && npm run --silent lint
echo "== format" && npx prettier --check . >/dev/null
echo "== build" && npm run --silent build
echo "== tests"
npx jest --ci --maxWorkers=2 "$@"
