"""Checks on the dependencies: the offline advisory audit of the locked pins, and its data's age."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helio.selfaudit.inputs import Inputs
from helio.selfaudit.registry import (
    Category,
    Outcome,
    Severity,
    Source,
    check,
    failed,
    manual,
    passed,
    warned,
)

AUDIT_SECONDS = 300
STALE_AFTER_DAYS = 30  # as tools/audit_deps.py


@check(
    "deps.advisories",
    category=Category.A06,
    severity=Severity.HIGH,
    source=Source.DEPENDENCIES,
    title="No locked dependency has a known advisory; the advisory data is recent",
    fix="Upgrade the named pins (`make lock`), or accept a risk in audit-allowlist.txt with an "
    "expiry; refresh the advisory snapshot when it is older than 30 days.",
)
async def advisories(inputs: Inputs) -> Outcome:
    """Run `make audit-deps`'s offline audit (tools/audit_deps.py) and report its data's age."""
    tool = inputs.backend_dir / "tools" / "audit_deps.py"
    if inputs.osv_dir is None:
        return manual("no advisory data given (--osv-dir or HELIO_OSV_DIR): run `make audit-deps`")
    if not tool.is_file():
        return manual("tools/audit_deps.py is not in this installation: run it from a checkout")
    try:
        report = await _run(inputs.backend_dir, inputs.osv_dir)
    except (OSError, TimeoutError, ValueError) as error:
        return manual(f"the offline audit did not run ({type(error).__name__})")
    if report is None:
        return manual(f"the advisory data at {inputs.osv_dir.name} could not be used")
    newest = report["database"].get("newest_modified")
    age = (inputs.now - _aware(datetime.fromisoformat(newest))).days if newest else None
    evidence = [
        f"{report['packages_checked']} pinned package(s) against "
        f"{report['database']['records']} advisories",
        age_line(newest[:10] if newest else None, age),
    ]
    findings = report.get("findings", [])
    if findings:
        ids = ", ".join(f"{f['package']}=={f['version']} {f['id']}" for f in findings[:10])
        return failed(*evidence, f"{len(findings)} vulnerable pin(s): {ids}")
    if age is None or age > STALE_AFTER_DAYS:
        return warned(
            *evidence,
            f"data older than {STALE_AFTER_DAYS} days: later advisories are not covered; "
            "the live audit (`make audit-deps` with a service) is the one that counts",
        )
    return passed(*evidence)


_AGE_LINE = re.compile(r"^advisory data newest record: (\S+)(?: \((\d+) days old\))?$")


def age_line(newest: str | None, age: int | None) -> str:
    """The evidence line that states the advisory data's age (read back by `data_age`)."""
    return f"advisory data newest record: {newest or 'unknown'}" + (
        f" ({age} days old)" if age is not None else ""
    )


def data_age(evidence: list[str]) -> tuple[str | None, int | None] | None:
    """The newest advisory record's date and its age in days at the run, from a finding's
    evidence; None when the audit did not run (no such line)."""
    for line in evidence:
        if match := _AGE_LINE.match(line):
            newest, age = match.groups()
            return (None if newest == "unknown" else newest), (int(age) if age else None)
    return None


async def _run(backend_dir: Path, osv_dir: Path) -> dict[str, Any] | None:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "audit.json"
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tools.audit_deps", "--osv-dir", str(osv_dir),
            "--json", str(out),
            cwd=backend_dir,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await asyncio.wait_for(process.wait(), AUDIT_SECONDS)
        except TimeoutError:
            process.kill()
            raise
        if not out.is_file():
            return None
        data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return data


def _aware(moment: datetime) -> datetime:
    """The moment as naive UTC, comparable with `utcnow()`."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
