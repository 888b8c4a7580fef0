"""Checks on the deployment files: checkov over the Kubernetes manifests, Terraform and images."""

from __future__ import annotations

import asyncio
import json
import shutil
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
)

CHECKOV_SECONDS = 900
FRAMEWORKS = ("kubernetes", "terraform", "dockerfile")


def find_checkov(repo_dir: Path) -> str | None:
    """checkov on PATH, or the one `make deploy-check` installs under deploy/tools/.venv."""
    local = repo_dir / "deploy" / "tools" / ".venv" / "bin" / "checkov"
    return shutil.which("checkov") or (str(local) if local.is_file() else None)


@check(
    "deploy.checkov",
    category=Category.A05,
    severity=Severity.HIGH,
    source=Source.DEPLOY,
    title="The deployment files pass checkov",
    fix="Run `make deploy-check`; fix each failed checkov check or skip it in place with its "
    "reason.",
)
async def checkov(inputs: Inputs) -> Outcome:
    """Run checkov over deploy/ and summarise passed and failed checks per framework."""
    if inputs.deploy_dir is None or not inputs.deploy_dir.is_dir():
        return manual("no deploy/ directory given (the audit runs from a checkout or CI)")
    if inputs.checkov is None:
        return manual(
            "checkov is not installed here: `make deploy-check` installs and runs it "
            "(engineering, on every change to deploy/ in CI)"
        )
    try:
        summaries = await _run(inputs.checkov, inputs.deploy_dir)
    except (OSError, TimeoutError, ValueError) as error:
        return manual(f"checkov did not finish ({type(error).__name__}); run `make deploy-check`")
    total_failed = sum(s["failed"] for s in summaries)
    evidence = [
        f"{s['check_type']}: {s['passed']} passed, {s['failed']} failed, {s['skipped']} skipped"
        for s in summaries
    ]
    return failed(*evidence) if total_failed else passed(*evidence)


async def _run(binary: str, deploy_dir: Path) -> list[dict[str, Any]]:
    args = [binary, "--quiet", "--compact", "--skip-download", "-o", "json", "-d", str(deploy_dir)]
    for framework in FRAMEWORKS:
        args += ["--framework", framework]
    process = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), CHECKOV_SECONDS)
    except TimeoutError:
        process.kill()
        raise
    data = json.loads(out or b"[]")
    reports = data if isinstance(data, list) else [data]
    return [
        {"check_type": r.get("check_type", "?"), **_counts(r.get("summary", {}))}
        for r in reports
        if isinstance(r, dict)
    ]


def _counts(summary: dict[str, Any]) -> dict[str, int]:
    return {k: int(summary.get(k, 0)) for k in ("passed", "failed", "skipped")}
