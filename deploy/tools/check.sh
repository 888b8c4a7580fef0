#!/usr/bin/env bash
# `make deploy-check`: every offline check of deploy/, each one counted; exit 1 on any failure.
#   kubernetes-validate (strict) on the rendered dev and prod overlays
#   checkov on those manifests, on the Terraform and on the Containerfiles: 0 failed checks
#   every checkov skip carries its reason in place
#   hadolint on the Containerfiles
#   terraform fmt + validate, where terraform and a local provider mirror exist
set -uo pipefail
repo=$(git rev-parse --show-toplevel)
cd "$repo/deploy"
bash tools/install.sh
bin=$PWD/tools/.venv/bin
out=${HELIO_DEPLOY_OUT:-$repo/build/deploy}
k8s_version=${HELIO_K8S_VERSION:-1.33.0}
rm -rf "$out" && mkdir -p "$out/rendered" "$out/containerfiles"
passed=0 failed=0

step() {  # step NAME COMMAND...: run, keep the output in $out, count
  local name=$1 log
  shift
  log="$out/$(tr ' /' '__' <<<"$name").log"
  local started=$SECONDS
  if "$@" >"$log" 2>&1; then
    echo "ok   $name ($((SECONDS - started)) s)"
    passed=$((passed + 1))
  else
    echo "FAIL $name ($((SECONDS - started)) s): see $log"
    tail -n 30 "$log" | sed 's/^/     /'
    failed=$((failed + 1))
  fi
}

checkov() {  # 0 failed checks, and checks must have run
  local report
  report=$("$bin/checkov" --skip-download --compact "$@" 2>&1) || { echo "$report"; return 1; }
  echo "$report"
  grep -Eq "Passed checks: [1-9][0-9]*, Failed checks: 0," <<<"$report"
}

for overlay in dev prod; do
  step "render $overlay overlay" \
    bash -c "'$bin/kubectl' kustomize k8s/overlays/$overlay > '$out/rendered/$overlay.yaml'"
  step "kubernetes-validate $overlay (Kubernetes $k8s_version, strict)" \
    "$bin/kubernetes-validate" --strict -k "$k8s_version" "$out/rendered/$overlay.yaml"
  step "checkov kubernetes $overlay" checkov --framework kubernetes -f "$out/rendered/$overlay.yaml"
done

step "checkov terraform" checkov --framework terraform -d terraform

# checkov recognises Dockerfile names only: it reads copies, skips and all.
for image in python web; do
  cp "images/$image/Containerfile" "$out/containerfiles/$image.Dockerfile"
done
step "checkov containerfiles" checkov --framework dockerfile -d "$out/containerfiles"
step "hadolint containerfiles" "$bin/hadolint" images/python/Containerfile images/web/Containerfile
step "every checkov skip states its reason" python3 tools/skips_justified.py .

mirror=${HELIO_TF_PLUGIN_MIRROR:-/opt/tf-plugins}
if command -v terraform >/dev/null && [[ -d $mirror/registry.terraform.io/hashicorp/aws ]]; then
  step "terraform fmt" terraform fmt -check -recursive terraform
  step "terraform validate (provider from $mirror)" bash tools/terraform-validate.sh "$mirror"
else
  echo "skip terraform fmt/validate: no terraform binary or no provider mirror at $mirror" \
    "(the registry is unreachable here); checkov covers the Terraform"
fi

echo "deploy-check: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
