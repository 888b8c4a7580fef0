#!/usr/bin/env bash
# The serving part of `make run`: the web servers, `helio worker` and `helio serve` (with the
# local mail sink), stopped together on Ctrl-C or when one of them ends.
# Background jobs (mail, scheduled jobs) live in Redis: without HELIO_REDIS_URL a private
# redis-server (from PATH) is started on a free port for this run and stopped with it; its
# data is thrown away (like the in-process state it replaces). Without redis-server either,
# the API serves alone and mail waits in the database until a worker runs.
set -euo pipefail
bin="$1"       # the venv's bin directory
backend="$2"   # the backend directory
root="$(cd "$backend/.." && pwd)"
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

if [ -z "${HELIO_REDIS_URL:-}" ] && command -v redis-server >/dev/null; then
  port=$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --loglevel warning &
  pids+=($!)
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  export HELIO_REDIS_URL="redis://127.0.0.1:$port/0"
fi

(cd "$root" && exec node web/scripts/serve-web.mjs) &
pids+=($!)
if [ -n "${HELIO_REDIS_URL:-}" ]; then
  (cd "$backend" && exec "$bin/helio" worker) &
  pids+=($!)
else
  echo "no HELIO_REDIS_URL and no redis-server: mail waits in the database until 'helio worker' runs" >&2
fi
cd "$backend"
"$bin/helio" serve --mail-sink &
pids+=($!)
# Whichever ends first (Ctrl-C ends them all) ends the run; the trap stops the others.
wait -n
