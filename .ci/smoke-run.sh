#!/usr/bin/env bash
# Start `make run` from this checkout on a spare port with a fresh data dir; /healthz must answer.
set -euo pipefail
cd "$(dirname "$0")/.."
port=18765
data=$(mktemp -d)
log="$data/run.log"
HELIO_PORT=$port HELIO_DATA_DIR="$data" make run >"$log" 2>&1 &
pid=$!
trap 'kill -- -$pid 2>/dev/null || kill $pid 2>/dev/null || true; pkill -f "helio serve" 2>/dev/null; pkill -f "helio.mail.sink" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
    curl -fsS "http://127.0.0.1:$port/readyz"; echo
    curl -fsS -o /dev/null -w "docs: %{http_code}\n" "http://127.0.0.1:$port/api/docs"
    grep -q "demo accounts" "$log" && echo "demo accounts were generated and printed once"
    echo "make run smoke test passed"
    exit 0
  fi
  if ! kill -0 $pid 2>/dev/null; then break; fi
  sleep 1
done
echo "FATAL: make run did not serve /healthz" >&2
cat "$log" >&2
exit 1
