#!/usr/bin/env bash
# `make image-test`: run the built Python image as production would and attack its hardening.
#
# A throwaway MariaDB schema with the two least-privileged users is created for the run and
# dropped after it: the migration runs as the migration user, the API as the app user, against
# the host's MariaDB and Redis. The API container runs with a read-only root, a tmpfs at /tmp
# only, no capabilities and no privilege escalation (as the Kubernetes manifests run it).
# The web image, when built (web/ exists), gets the same attacks on its Next.js server, which
# serves the portal and the console by host name and relays API calls to the API container.
set -euo pipefail
repo=$(git rev-parse --show-toplevel)
image=${1:-localhost/helio-python:${HELIO_IMAGE_TAG:-dev}}
web_image=${HELIO_WEB_IMAGE:-localhost/helio-web:${HELIO_IMAGE_TAG:-dev}}
port=${HELIO_IMAGE_TEST_PORT:-18310}
web_port=${HELIO_WEB_TEST_PORT:-18320}
redis_db=${HELIO_IMAGE_TEST_REDIS_DB:-14}
run_id="img_$(date +%s)_$$"
db="helio_${run_id}" app_user="hi_app_$$" mig_user="hi_mig_$$" container="helio-image-test-$$"
web_container="helio-web-test-$$"
passed=0 failed=0

podman_run() {
  podman --runtime runc run --rm --network host \
    --ulimit nofile=1024:1024 --ulimit nproc=1000:1000 \
    --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,nosuid,nodev,noexec,size=64m \
    --cap-drop ALL --security-opt no-new-privileges "$@"
}
secret() { head -c 48 /dev/urandom | base64 | tr -d '/+=\n' | head -c 48; }
check() {  # check NAME COMMAND...: one attack or expectation, counted
  local name=$1
  shift
  local output
  if output=$("$@" 2>&1); then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    tail -n 20 <<<"$output" | sed 's/^/     /'
    failed=$((failed + 1))
  fi
}
fails() { ! "$@"; }

# The shared state volume of the pods (EFS in Kubernetes), owned by the app's uid only.
state_dir=$(mktemp -d)
chown 10001:10001 "$state_dir"
chmod 0700 "$state_dir"

cleanup() {
  if [[ $failed -gt 0 ]]; then podman logs "$container" 2>&1 | tail -n 40 >&2 || true; fi
  podman rm --force --ignore --time 2 "$container" "$web_container" >/dev/null 2>&1 || true
  rm -rf "$state_dir"
  mariadb -uroot -e "DROP DATABASE IF EXISTS \`$db\`; DROP USER IF EXISTS '$app_user'@'%';
    DROP USER IF EXISTS '$mig_user'@'%'" || true
}
trap cleanup EXIT

for busy in "$port" "$web_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$busy") 2>/dev/null; then
    echo "port $busy is already in use: set HELIO_IMAGE_TEST_PORT / HELIO_WEB_TEST_PORT" >&2
    exit 1
  fi
done

app_pw=$(secret) mig_pw=$(secret)
grants() {
  podman_run "$image" db grants --schema "$db" --app-user "$app_user" --migrator "$mig_user" |
    sed -e "s/IDENTIFIED BY '<app[^']*>'/IDENTIFIED BY '$app_pw'/" \
        -e "s/IDENTIFIED BY '<migrator[^']*>'/IDENTIFIED BY '$mig_pw'/"
}
mariadb -uroot -e "CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
grants | grep -E "^CREATE USER|TO '$mig_user'" | mariadb -uroot
mig_url="mysql+asyncmy://$mig_user:$mig_pw@127.0.0.1:3306/$db"
app_url="mysql+asyncmy://$app_user:$app_pw@127.0.0.1:3306/$db"
podman_run -e HELIO_DATABASE_URL="$mig_url" -e HELIO_MIGRATE_DATABASE_URL="$mig_url" \
  "$image" migrate >/dev/null 2>&1
# Table-level grants need the tables, so they follow the migration.
grants | grep -E "^GRANT .* TO '$app_user'" | mariadb -uroot

podman_run --detach --name "$container" \
  --volume "$state_dir:/var/lib/helio:rw" -e HELIO_DATA_DIR=/var/lib/helio \
  -e HELIO_HOST=127.0.0.1 -e HELIO_PORT="$port" \
  -e HELIO_DATABASE_URL="$app_url" -e HELIO_REDIS_URL="redis://127.0.0.1:6379/$redis_db" \
  -e HELIO_PUBLIC_URL=https://helio.example.org -e HELIO_TRUSTED_PROXIES=127.0.0.1/32 \
  -e HELIO_SMTP_URL=smtp://127.0.0.1:18325 -e HELIO_SECRET_KEY="$(secret)" \
  -e HELIO_OPS_TOKEN="$(secret)" -e HELIO_PAYMENT_WEBHOOK_SECRET="$(secret)" \
  -e HELIO_AUDIT_SIGNING_KEY="$(head -c 32 /dev/urandom | base64)" \
  "$image" serve >/dev/null

ready=""
for _ in $(seq 1 60); do
  if ready=$(curl -fsS "http://127.0.0.1:$port/readyz" 2>/dev/null); then break; fi
  if [[ "$(podman inspect --format '{{.State.Running}}' "$container" 2>/dev/null)" != true ]]; then
    podman logs "$container" >&2 || true
    break
  fi
  sleep 1
done
in_container() { podman exec "$container" /usr/bin/python3 -c "$1"; }
refused_write() {  # the write must fail because the filesystem is read-only, not for another reason
  in_container "import errno, sys
try:
    open('$1', 'w')
except OSError as exc:
    sys.exit(exc.errno != errno.EROFS)
sys.exit(1)"
}
prod_settings_accepted() {  # the rendered ConfigMap plus secrets shaped like the ExternalSecret's
  local env_file output
  env_file=$(mktemp)
  bash "$repo/deploy/tools/install.sh"
  "$repo/deploy/tools/.venv/bin/kubectl" kustomize "$repo/deploy/k8s/overlays/prod" |
    "$repo/deploy/tools/.venv/bin/python" -c 'import sys, yaml
for doc in yaml.safe_load_all(sys.stdin):
    if doc and doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == "helio-config":
        print("\n".join(f"{k}={v}" for k, v in doc["data"].items()))' > "$env_file"
  {
    echo "HELIO_DATABASE_URL=mysql+asyncmy://helio_app:$(secret)@db.internal:3306/helio?ssl_ca=/etc/helio/rds-ca/global-bundle.pem&ssl_check_hostname=true"
    echo "HELIO_REDIS_URL=rediss://:$(secret)@redis.internal:6379/0"
    echo "HELIO_SMTP_URL=smtps://user:$(secret)@email-smtp.eu-west-1.amazonaws.com:465"
    echo "HELIO_SECRET_KEY=$(secret)"
    echo "HELIO_OPS_TOKEN=$(secret)"
    echo "HELIO_PAYMENT_WEBHOOK_SECRET=$(secret)"
    echo "HELIO_AUDIT_SIGNING_KEY=$(head -c 32 /dev/urandom | base64)"
  } >> "$env_file"
  output=$(podman_run --env-file "$env_file" "$image" check-config 2>&1)
  rm -f "$env_file"
  echo "$output"
  grep -q "configuration OK for production" <<<"$output"
}
refuses_to_start() {
  local output
  output=$(podman_run -e HELIO_DATABASE_URL="$app_url" "$image" serve 2>&1) && return 1
  grep -q "unsafe configuration" <<<"$output"
}

check "/readyz answers ok (database and Redis reached as the app user)" \
  grep -q '"status":"ok"' <<<"$ready"
check "/healthz answers 200" curl -fsS "http://127.0.0.1:$port/healthz"
check "the image health check passes" \
  podman exec "$container" /usr/bin/python3 /app/healthcheck.py
check "the image declares a non-root user" \
  test "$(podman image inspect --format '{{.Config.User}}' "$image")" = 10001:10001
check "the API process runs as uid 10001, not root" \
  in_container 'import os, sys; sys.exit(not (os.getuid() == os.geteuid() == 10001))'
check "the root filesystem is mounted read-only" \
  test "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$container")" = true
check "a write to /app fails with EROFS" refused_write /app/src/helio/planted.py
check "a write to /etc fails with EROFS" refused_write /etc/passwd
check "a write to /usr fails with EROFS" refused_write /usr/lib/python3.11/os.py
check "a write to / fails with EROFS" refused_write /planted
check "a write inside the tmp volume works" in_container 'open("/tmp/probe", "w").write("x")'
check "the JWT signing keys are created on the shared state volume, 0600, uid 10001" \
  bash -c "curl -fsS http://127.0.0.1:$port/api/v1/auth/jwks | grep -q '\"keys\"' &&
    test \"\$(stat -c '%u %a' '$state_dir/jwt-signing-keys.json')\" = '10001 600'"
check "no shell in the image" \
  in_container 'import os, sys; sys.exit(any(os.path.exists(p) for p in
    ("/bin/sh", "/bin/bash", "/bin/dash", "/usr/bin/sh", "/bin/busybox")))'
check "no package manager in the image" \
  in_container 'import os, sys, importlib.util as u; sys.exit(u.find_spec("pip") is not None
    or u.find_spec("ensurepip") is not None or any(os.path.exists(p) for p in
    ("/usr/bin/apt-get", "/usr/bin/apt", "/usr/bin/dpkg", "/usr/bin/pip3")))'
check "no capabilities in the process" \
  in_container 'import sys; caps = [l for l in open("/proc/self/status") if l.startswith("CapEff")];
sys.exit(caps[0].split()[1].strip("0") != "")'
check "no privilege escalation (no_new_privs set)" \
  in_container 'import sys; sys.exit("NoNewPrivs:\t1" not in open("/proc/self/status").read())'
check "TLS clients trust the public roots (Redis, MySQL, SMTP over TLS)" \
  in_container 'import ssl, sys; sys.exit(ssl.create_default_context().cert_store_stats()["x509_ca"] < 100)'
check "production refuses to start without its secrets" refuses_to_start
check "the prod overlay's settings pass the production checks (helio check-config)" \
  prod_settings_accepted

if podman image exists "$web_image"; then
  # One process serves both host names; its API is the API container above.
  portal="http://portal.localhost:$web_port" console="http://console.localhost:$web_port"
  podman_run --detach --name "$web_container" --tmpfs /app/.next/cache:rw,nosuid,nodev,size=64m \
    -e HOSTNAME=127.0.0.1 -e PORT="$web_port" -e HELIO_API_URL="http://127.0.0.1:$port" \
    -e HELIO_WEB_PORTAL_URL="$portal" -e HELIO_WEB_CONSOLE_URL="$console" "$web_image" >/dev/null
  web_curl() {
    curl --resolve "portal.localhost:$web_port:127.0.0.1" --resolve "console.localhost:$web_port:127.0.0.1" "$@"
  }
  for _ in $(seq 1 30); do
    curl -fsS -o /dev/null "http://127.0.0.1:$web_port/healthz" 2>/dev/null && break
    sleep 1
  done
  in_web() { podman exec "$web_container" /usr/bin/node -e "$1"; }
  check "web: /healthz answers 200 whatever the Host (probes)" \
    curl -fsS -o /dev/null "http://127.0.0.1:$web_port/healthz"
  check "web: the image health check passes" \
    podman exec "$web_container" /usr/bin/node /app/healthcheck.js
  portal_has_nonce_csp() {
    web_curl -fsS -D - -o /dev/null "$portal/" | grep -qi "^content-security-policy: .*'nonce-"
  }
  relay_reaches_the_api() {  # the API's own 401 envelope, not the relay's 503
    local answer
    answer=$(web_curl -sS -w '\n%{http_code}' "$portal/api/v1/auth/whoami")
    [[ ${answer##*$'\n'} == 401 ]] && grep -q '"request_id"' <<<"$answer"
  }
  console_by_host_name() { web_curl -fsS "$console/sign-in" | grep -q 'Staff sign-in'; }
  wrote_only_the_cache() { ! podman logs "$web_container" 2>&1 | grep -qi -e erofs -e 'read-only file system'; }
  check "web: the portal's start page renders under a nonce CSP" portal_has_nonce_csp
  check "web: API calls relay to HELIO_API_URL (the API's own 401 envelope)" relay_reaches_the_api
  check "web: the same process serves the console for the console's host name" console_by_host_name
  check "web: another host name is refused (421)" \
    test "$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$web_port/")" = 421
  check "web: the image declares a non-root user" \
    test "$(podman image inspect --format '{{.Config.User}}' "$web_image")" = 10001:10001
  check "web: the server runs as uid 10001" \
    in_web 'process.exit(process.getuid() === 10001 && process.geteuid() === 10001 ? 0 : 1)'
  check "web: a write to /app fails with EROFS" \
    in_web 'try { require("fs").writeFileSync("/app/server.js", "x") } catch (e) {
      process.exit(e.code === "EROFS" ? 0 : 1) } process.exit(1)'
  check "web: serving pages wrote nowhere but .next/cache (no EROFS in its log)" wrote_only_the_cache
  check "web: no shell and no npm in the image" \
    in_web 'const fs = require("fs"); process.exit(["/bin/sh", "/bin/bash", "/usr/bin/npm",
      "/usr/lib/node_modules/npm", "/usr/share/nodejs/npm"].some(fs.existsSync) ? 1 : 0)'
  check "web: no image optimiser libraries (sharp) in the image" \
    in_web 'const fs = require("fs"); process.exit(["/app/node_modules/sharp", "/app/node_modules/@img"].some(fs.existsSync) ? 1 : 0)'
else
  echo "skip web image checks: $web_image is not built (no web/ npm workspace yet)"
fi

echo "image-test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
