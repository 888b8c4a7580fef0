#!/usr/bin/env bash
# Build the local build-stage bases from Debian packages (no image registry is reachable here)
# and import them into podman. Production passes a pinned public digest instead (see the
# PYTHON_BASE / NODE_BASE build arguments of the Containerfiles).
#
# The rootfs tarballs are cached in HELIO_IMAGE_CACHE (default /var/cache/helio-images) and
# reused when present; without the cache they are rebuilt (about 30-60 s each).
set -euo pipefail

cache=${HELIO_IMAGE_CACHE:-/var/cache/helio-images}
mkdir -p "$cache"

# Usage: build-base.sh [python] [node] (default: both)
# name  suite  packages
declare -A bases=(
  [python]="helio-python-base bookworm python3,python3-pip,ca-certificates,tzdata"
  [node]="helio-node-base trixie nodejs,npm,ca-certificates"
)

build_one() {
  local name=$1 suite=$2 packages=$3
  local tarball="$cache/$name-$suite.tar"
  local stamp="$cache/$name-$suite.packages"
  if [[ ! -s $tarball || "$(cat "$stamp" 2>/dev/null)" != "$packages" ]]; then
    echo "building $name from Debian $suite: $packages"
    mmdebstrap --quiet --variant=apt --format=tar --include="$packages" \
      --customize-hook='chroot "$1" apt-get clean' \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/*' \
      "$suite" "$tarball.partial"
    mv "$tarball.partial" "$tarball"
    echo "$packages" > "$stamp"
  fi
  local digest
  digest=$(sha256sum "$tarball" | cut -c1-16)
  if ! podman image exists "localhost/$name:$digest"; then
    podman import --quiet "$tarball" "localhost/$name:$digest" >/dev/null
  fi
  podman tag "localhost/$name:$digest" "localhost/$name:local"
  echo "localhost/$name:local = $name:$digest"
}

for kind in "${@:-python node}"; do
  for each in $kind; do
    # shellcheck disable=SC2086
    build_one ${bases[$each]}
  done
done
