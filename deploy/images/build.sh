#!/usr/bin/env bash
# `make images`: the local bases (cached), the Python image (API, worker, migrations) and, when
# web/ exists, the web image; then one CycloneDX SBOM per image under build/images/.
#
# The build context is staged from the files git knows (tracked or not ignored), so nothing
# ignored — virtualenvs, backend/var keyrings, local databases — can reach an image.
set -euo pipefail
repo=$(git rev-parse --show-toplevel)
cd "$repo"
out=${HELIO_IMAGE_OUT:-$repo/build/images}
tag=${HELIO_IMAGE_TAG:-dev}
python_bin=${HELIO_TOOLS_PYTHON:-$repo/.venv/bin/python}
# HELIO_IMAGE_NO_CACHE=1: no reuse of podman's build layers (a release build, or a cold timing).
cache_flag=()
[[ ${HELIO_IMAGE_NO_CACHE:-} == 1 ]] && cache_flag=(--no-cache)
mkdir -p "$out"

bash deploy/images/build-base.sh python

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
stage() {
  git ls-files -z --cached --others --exclude-standard -- "$@" | tar --null -T - -cf - |
    tar -xf - -C "$context"
}
epoch=$(git log -1 --format=%ct)

build() {  # build NAME CONTAINERFILE BASE_ARG
  local name=$1 containerfile=$2 base_arg=$3 started=$SECONDS
  # Build steps trust what this host trusts for downloads (a mount, never a layer); the final
  # stage carries the public Mozilla roots only (assemble-rootfs.sh).
  podman build --quiet "${cache_flag[@]}" --format docker --network host --timestamp "$epoch" \
    --volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
    --build-arg "$base_arg" -f "$containerfile" -t "localhost/helio-$name:$tag" "$context" >/dev/null
  "$python_bin" deploy/images/sbom.py "localhost/helio-$name:$tag" > "$out/helio-$name.cdx.json"
  echo "built localhost/helio-$name:$tag in $((SECONDS - started)) s;" \
    "$(podman image inspect --format '{{.Size}}' "localhost/helio-$name:$tag" | numfmt --to=iec)," \
    "SBOM $out/helio-$name.cdx.json"
}

stage backend/src backend/migrations backend/alembic.ini backend/requirements.lock deploy/images
build python deploy/images/python/Containerfile PYTHON_BASE=localhost/helio-python-base:local

if [[ -f web/package.json && -f package-lock.json ]]; then
  bash deploy/images/build-base.sh node
  # The npm workspace (root lockfile) with the web app and the API client it compiles in.
  stage package.json package-lock.json clients/api web
  build web deploy/images/web/Containerfile NODE_BASE=localhost/helio-node-base:local
else
  echo "no web/ npm workspace yet: the web image is not built"
fi
