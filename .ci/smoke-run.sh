#!/usr/bin/env bash
# Run `make run` from this checkout twice on free ports with one fresh data dir: the API
# must serve, accept its own origin, print the demo passwords on the first run only and
# keep the data on the second. Stops only the process group it started.
# HELIO_DATABASE_URL / HELIO_MIGRATE_DATABASE_URL / HELIO_REDIS_URL pass through.
set -euo pipefail
cd "$(dirname "$0")/.."

free_port() {
  .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port=$(free_port)
sink_port=$(free_port)
data=$(mktemp -d)
api="http://127.0.0.1:$port"
group=""

stop_group() {
  [ -n "$group" ] || return 0
  kill -TERM -- "-$group" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 -- "-$group" 2>/dev/null || { group=""; return 0; }
    sleep 0.5
  done
  kill -KILL -- "-$group" 2>/dev/null || true
  group=""
}
trap stop_group EXIT
trap 'exit 130' INT TERM

# Start `make run` as the leader of a new process group (job control), so that stopping
# it reaches its children and nothing else on the machine.
start_run() {
  set -m
  HELIO_PORT=$port HELIO_MAIL_SINK_PORT=$sink_port HELIO_DATA_DIR="$data" make run >"$1" 2>&1 &
  group=$!
  set +m
  for _ in $(seq 1 120); do
    curl -fsS "$api/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$group" 2>/dev/null || break
    sleep 1
  done
  echo "FATAL: make run did not serve /healthz on $api" >&2
  cat "$1" >&2
  exit 1
}

start_run "$data/run1.log"
curl -fsS "$api/readyz"; echo
curl -fsS -o /dev/null -w "docs: %{http_code}\n" "$api/api/docs"
# The browser origin follows HELIO_PORT: past the origin check, the empty body is a 422.
status=$(curl -sS -o /dev/null -w "%{http_code}" -X POST "$api/api/v1/auth/register" \
  -H "Origin: $api" -H "Content-Type: application/json" -d '{}')
[ "$status" = 422 ] || { echo "FATAL: the API refused its own origin $api ($status)" >&2; exit 1; }
grep -q "passwords shown once" "$data/run1.log"
echo "demo accounts were generated and printed once"
stop_group

start_run "$data/run2.log"
grep -q "demo data already present" "$data/run2.log"
if grep -q "passwords shown once" "$data/run2.log"; then
  echo "FATAL: the second run printed new demo passwords" >&2
  exit 1
fi
echo "second run kept the data"
stop_group
rm -rf "$data"
echo "make run smoke test passed"
