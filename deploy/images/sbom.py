"""Print a CycloneDX 1.6 SBOM of a built image: what its filesystem actually holds.

Reads the exported filesystem of the image (podman create + export, no container runs):
the Debian packages listed by assemble-rootfs.sh, the Python distributions under /app/lib and
the npm packages under /app/node_modules.

Usage: python deploy/images/sbom.py IMAGE > image.cdx.json
"""

from __future__ import annotations

import email.parser
import json
import shutil
import subprocess
import sys
import tarfile
import warnings
from collections.abc import Iterator
from typing import IO

from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

OS_PACKAGES = "usr/share/helio/os-packages.tsv"
PODMAN = shutil.which("podman") or "/usr/bin/podman"


def podman(*args: str) -> str:
    """Run podman with fixed arguments (no shell) and return its output."""
    done = subprocess.run([PODMAN, *args], check=True, capture_output=True, text=True)  # noqa: S603
    return done.stdout.strip()


def image_id(image: str) -> str:
    """Return the image id (sha256) of a local image."""
    return podman("image", "inspect", "--format", "{{.Id}}", image)


def exported_files(image: str) -> Iterator[tuple[str, bytes]]:
    """Yield (path, content) of the inventory files in the image's filesystem."""
    container = podman("create", image)
    try:
        with subprocess.Popen([PODMAN, "export", container], stdout=subprocess.PIPE) as proc:  # noqa: S603
            assert proc.stdout is not None
            yield from _inventory_members(proc.stdout)
    finally:
        podman("rm", "--force", container)


def _inventory_members(stream: IO[bytes]) -> Iterator[tuple[str, bytes]]:
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            name = member.name.lstrip("./")
            if member.isfile() and _is_inventory(name):
                handle = archive.extractfile(member)
                if handle is not None:
                    yield name, handle.read()


def _is_inventory(name: str) -> bool:
    if name == OS_PACKAGES:
        return True
    if name.startswith("app/lib/") and name.endswith(".dist-info/METADATA"):
        return name.count("/") == 3
    if not (name.startswith("app/") and name.endswith("/package.json")):
        return False
    # node_modules/<name>/package.json or node_modules/@scope/<name>/package.json
    _, found, tail = name.rpartition("/node_modules/")
    return bool(found) and tail.count("/") in (1, 2)


def components(files: Iterator[tuple[str, bytes]]) -> dict[str, Component]:
    """Map purl -> component for every package found."""
    found: dict[str, Component] = {}
    for name, content in files:
        for purl in _purls(name, content):
            found.setdefault(
                purl.to_string(),
                Component(
                    name=purl.name,
                    version=purl.version,
                    group=purl.namespace,
                    type=ComponentType.LIBRARY,
                    purl=purl,
                    bom_ref=purl.to_string(),
                ),
            )
    return found


def _purls(name: str, content: bytes) -> list[PackageURL]:
    if name == OS_PACKAGES:
        rows = [line.split("\t") for line in content.decode().splitlines() if line.strip()]
        return [
            PackageURL("deb", "debian", pkg, version, {"arch": arch}) for pkg, version, arch in rows
        ]
    if name.endswith("METADATA"):
        meta = email.parser.BytesParser().parsebytes(content, headersonly=True)
        return [PackageURL("pypi", None, meta["Name"].lower().replace("_", "-"), meta["Version"])]
    package = json.loads(content)
    if not package.get("name") or not package.get("version"):
        return []
    scope, _, bare = package["name"].rpartition("/")
    return [PackageURL("npm", scope or None, bare, package["version"])]


def main(image: str) -> None:
    """Write the SBOM of IMAGE to stdout."""
    bom = Bom()
    bom.metadata.component = Component(
        name=image, version=image_id(image), type=ComponentType.CONTAINER, bom_ref=image
    )
    found = components(exported_files(image))
    for purl in sorted(found):
        bom.components.add(found[purl])
    bom.register_dependency(bom.metadata.component, found.values())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sys.stdout.write(JsonV1Dot6(bom).output_as_string(indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
