"""Run pip-audit --strict against a live vulnerability service, only when one really answers.

pip-audit reports "No known vulnerabilities found" when it cannot reach its service; probing
first with a canary query turns that false pass into an explicit "skipped".
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx


@dataclass(frozen=True)
class LiveService:
    """A vulnerability service pip-audit can use, with a canary query to probe it."""

    name: str
    method: str
    url: str
    body: dict[str, Any] | None = None


# The canary asks about a release with published advisories: a proxy or mirror that answers
# with empty data must not count as a reachable service.
LIVE_SERVICES = {
    "pypi": LiveService("pypi", "GET", "https://pypi.org/pypi/jinja2/2.10/json"),
    "osv": LiveService(
        "osv",
        "POST",
        "https://api.osv.dev/v1/query",
        {"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "2.10"},
    ),
}


@dataclass(frozen=True)
class LiveResult:
    """The outcome of the live audit: skipped, passed or failed."""

    status: str
    detail: str


def probe_service(service: LiveService, timeout: float = 5.0) -> bool:
    """Tell whether `service` answers its canary query with vulnerability data.

    Args:
        service: the service and its canary request (a fixed URL, never user input).
        timeout: seconds to wait for connect and read.

    Returns:
        True only for a 200 JSON answer listing at least one vulnerability.
    """
    try:
        response = httpx.request(service.method, service.url, json=service.body, timeout=timeout)
        data = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return False
    if not isinstance(data, dict):
        return False
    return bool(data.get("vulnerabilities") or data.get("vulns"))


def pip_audit_command(locks: Sequence[Path], service: str, ignore: Iterable[str]) -> list[str]:
    """Return the pip-audit argument list for hashed, fully pinned lock files."""
    command = [sys.executable, "-m", "pip_audit", "--strict", "--require-hashes", "--disable-pip"]
    command += ["--vulnerability-service", service]
    for lock in locks:
        command += ["-r", str(lock)]
    for advisory_id in ignore:
        command += ["--ignore-vuln", advisory_id]
    return command


def run_live_audit(
    locks: Sequence[Path], service: LiveService, ignore: Iterable[str]
) -> LiveResult:
    """Run `pip-audit --strict` if `service` is reachable; skip (never pass) otherwise."""
    if not probe_service(service):
        print(f"live audit skipped: service unreachable ({service.name}: {service.url})")
        return LiveResult("skipped", f"service unreachable: {service.url}")
    command = pip_audit_command(locks, service.name, ignore)
    print("live audit:", " ".join(command[1:]), flush=True)
    completed = subprocess.run(command, check=False, timeout=900)  # noqa: S603 - fixed argv
    if completed.returncode == 0:
        return LiveResult("passed", f"pip-audit --strict against {service.name}")
    return LiveResult("failed", f"pip-audit exited {completed.returncode}")
