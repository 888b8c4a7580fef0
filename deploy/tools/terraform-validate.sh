#!/usr/bin/env bash
# terraform validate offline: a copy of deploy/terraform initialised without a backend, the
# AWS provider taken from a local filesystem mirror (the registry is unreachable here).
set -euo pipefail
mirror=$1
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here"/terraform/*.tf "$here/terraform/.terraform.lock.hcl" "$work/"
cat > "$work/cli.tfrc" <<CONF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
CONF
export TF_CLI_CONFIG_FILE=$work/cli.tfrc TF_IN_AUTOMATION=1 TF_DATA_DIR=$work/.terraform
terraform -chdir="$work" init -backend=false -input=false -lockfile=readonly -no-color >/dev/null
terraform -chdir="$work" validate -no-color
