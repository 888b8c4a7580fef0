#!/usr/bin/env bash
# Assemble a root filesystem without a shell or a package manager, in the build stage:
#   assemble-rootfs.sh ROOT INTERPRETER LINK [PATH...]
# copies the interpreter (and LINK, a stable symlink to it), every PATH (files or trees), the
# shared libraries that any ELF file among them loads (as ldd resolves them), the CA bundle,
# time zones, and a passwd/group naming the unprivileged user 10001. The Debian packages that
# own the copied files are listed in ROOT/usr/share/helio/os-packages.tsv for the SBOM.
set -euo pipefail

root=$1 interpreter=$2 link=$3
shift 3
mkdir -p "$root"
# The merged-/usr links (/lib -> usr/lib, ...) as the build stage has them.
for top in bin sbin lib lib32 lib64; do
  if [[ -L /$top ]]; then
    ln -sfn "$(readlink "/$top")" "$root/$top"
  fi
done

copy() {  # copy a path under its canonical parents, keeping symlinks, and a symlink's target
  local path=$1
  [[ -e $path || -L $path ]] || return 0
  path="$(readlink -f "$(dirname "$path")")/$(basename "$path")"
  [[ -e $root$path || -L $root$path ]] && return 0
  (cd / && cp -a --parents "${path#/}" "$root")
  if [[ -L $path ]]; then
    copy "$(readlink -f "$path")"
  fi
}

real=$(readlink -f "$(command -v "$interpreter")")
copy "$real"
if [[ $link != "$real" ]]; then
  mkdir -p "$root$(dirname "$link")"
  ln -sf "$real" "$root$link"
fi
for path in "$@"; do
  copy "$path"
done

# Shared libraries of every ELF file now in the root (interpreter, extension modules).
while IFS= read -r -d '' file; do
  if [[ "$(head -c 4 "$file" | od -An -c | tr -d ' ')" == '177ELF' ]]; then
    ldd "$file" 2>/dev/null | awk '/=> \// {print $3} /^\t\// {print $1}' || true
  fi
done < <(find "$root" -type f \( -name '*.so*' -o -perm -u+x \) -print0) | sort -u |
  while IFS= read -r lib; do copy "$lib"; done

# Debian's libnode loads some builtins (undici, acorn, cjs-module-lexer) from /usr/share/nodejs.
while IFS= read -r builtin; do copy "$builtin"; done < <(
  find "$root" -name 'libnode.so*' -type f -exec grep -aoh '/usr/share/nodejs/[A-Za-z0-9_./@-]*\.js' {} + |
    sort -u)

for path in /usr/share/zoneinfo /etc/localtime; do
  copy "$path"
done
mkdir -p "$root/etc/ssl/certs" "$root/tmp" "$root/usr/share/helio"
# The public Mozilla roots only, whatever the build host trusts for its own downloads.
if compgen -G '/usr/share/ca-certificates/mozilla/*.crt' >/dev/null; then
  cat /usr/share/ca-certificates/mozilla/*.crt > "$root/etc/ssl/certs/ca-certificates.crt"
elif [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
fi
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nhelio:x:10001:10001:helio:/nonexistent:/sbin/nologin\n' \
  > "$root/etc/passwd"
printf 'root:x:0:\nhelio:x:10001:\n' > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"

# Which Debian packages the copied files come from (usr-merged paths are asked both ways).
if command -v dpkg-query >/dev/null; then
  find "$root" -xtype f -printf '/%P\n' |
    sed -e 'p' -e 's#^/usr/lib/#/lib/#' | sort -u |
    xargs -r dpkg-query --search 2>/dev/null | cut -d: -f1 | tr ',' '\n' | tr -d ' ' |
    sort -u | xargs -r dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\n' \
    > "$root/usr/share/helio/os-packages.tsv" || true
fi
