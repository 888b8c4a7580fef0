#!/usr/bin/env bash
# Run `make run` from this checkout twice on free ports with one fresh data dir: the API,
# the customer portal and the staff console must serve, the portal must relay API calls
# from its own origin, the demo passwords must be printed on the first run only and the data
# kept on the second. Stops only the process group it started.
# HELIO_DATABASE_URL / HELIO_MIGRATE_DATABASE_URL / HELIO_REDIS_URL pass through.
set -euo pipefail
cd "$(dirname "$0")/.."

free_port() {
  .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port=$(free_port)
sink_port=$(free_port)
portal_port=$(free_port)
console_port=$(free_port)
data=$(mktemp -d)
api="http://127.0.0.1:$port"
portal="http://portal.localhost:$portal_port"
console="http://console.localhost:$console_port"
# curl on 127.0.0.1 with the browser's host names (no resolver involved).
web_curl() {
  curl --resolve "portal.localhost:$portal_port:127.0.0.1" \
    --resolve "console.localhost:$console_port:127.0.0.1" "$@"
}
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
  HELIO_PORT=$port HELIO_MAIL_SINK_PORT=$sink_port HELIO_DATA_DIR="$data" \
    HELIO_WEB_PORTAL_PORT=$portal_port HELIO_WEB_CONSOLE_PORT=$console_port make run >"$1" 2>&1 &
  group=$!
  set +m
  # The first run builds the web app when it is not built yet (about a minute here).
  for _ in $(seq 1 300); do
    if curl -fsS "$api/healthz" >/dev/null 2>&1 && web_curl -fsS -o /dev/null "$portal/offline" 2>/dev/null &&
      web_curl -fsS -o /dev/null "$console/offline" 2>/dev/null; then
      return 0
    fi
    kill -0 "$group" 2>/dev/null || break
    sleep 1
  done
  echo "FATAL: make run did not serve $api/healthz, $portal and $console" >&2
  cat "$1" >&2
  exit 1
}

start_run "$data/run1.log"
curl -fsS "$api/readyz"; echo
curl -fsS -o /dev/null -w "docs: %{http_code}\n" "$api/api/docs"
# The portal serves its pages under a nonce CSP, and the console its sign-in page.
web_curl -fsS -D - -o /dev/null "$portal/" | grep -qi "^content-security-policy: .*'nonce-"
web_curl -fsS -o /dev/null "$console/sign-in"
# Browsers call the API through the portal, from the portal's origin: past the origin
# checks of the web server and of the API, the empty body is a 422.
status=$(web_curl -sS -o /dev/null -w "%{http_code}" -X POST "$portal/api/v1/auth/register" \
  -H "Origin: $portal" -H "Content-Type: application/json" -d '{}')
[ "$status" = 422 ] || { echo "FATAL: the portal's API relay refused its own origin $portal ($status)" >&2; exit 1; }
grep -q "customer portal *$portal" "$data/run1.log"
grep -q "staff console *$console" "$data/run1.log"
echo "the API, the portal and the console answer"
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
