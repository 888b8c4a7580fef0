"""Checks on the deployment files: `make deploy-check` (checkov, kubernetes-validate, hadolint,
terraform validate) over deploy/, summarised step by step."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
from pathlib import Path

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

CHECK_SECONDS = 900
_STEP = re.compile(r"^(ok|FAIL) +(.+?) \(\d+ s\)")
_SUMMARY = re.compile(r"^deploy-check: (\d+) passed, (\d+) failed")


def find_checkov(repo_dir: Path) -> str | None:
    """checkov on PATH, or the one `make deploy-check` installs under deploy/tools/.venv."""
    local = repo_dir / "deploy" / "tools" / ".venv" / "bin" / "checkov"
    return shutil.which("checkov") or (str(local) if local.is_file() else None)


@check(
    "deploy.checkov",
    category=Category.A05,
    severity=Severity.HIGH,
    source=Source.DEPLOY,
    title="The deployment files pass checkov and the other deploy checks",
    fix="Run `make deploy-check`; fix each failed checkov check or skip it in place with its "
    "reason.",
)
async def checkov(inputs: Inputs) -> Outcome:
    """Run deploy/tools/check.sh (what `make deploy-check` runs) and summarise each step."""
    script = inputs.deploy_dir / "tools" / "check.sh" if inputs.deploy_dir else None
    if script is None or not script.is_file():
        return manual("no deploy/ tree here (the image has none): CI runs `make deploy-check`")
    if inputs.checkov is None:
        return manual(
            "checkov is not installed here: `make deploy-check` installs and runs it "
            "(engineering, on every change to deploy/ in CI)"
        )
    try:
        lines = await _run(script)
    except (OSError, TimeoutError) as error:
        return manual(f"the deploy checks did not finish ({type(error).__name__})")
    steps = [m for m in map(_STEP.match, lines) if m]
    summary = next((m for m in map(_SUMMARY.match, lines) if m), None)
    if summary is None or not steps:
        return manual("the deploy checks printed no summary: run `make deploy-check`")
    evidence = [f"{m.group(1).lower()}: {m.group(2)}" for m in steps]
    evidence.insert(0, f"{summary.group(1)} step(s) passed, {summary.group(2)} failed")
    return failed(*evidence) if int(summary.group(2)) else passed(*evidence)


async def _run(script: Path) -> list[str]:
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "HELIO_DEPLOY_OUT": out}
        command = ["bash", str(script)]  # an argument list, never a shell string
        process = await asyncio.create_subprocess_exec(
            *command, cwd=script.parent.parent, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            stdout, _ = await asyncio.wait_for(process.communicate(), CHECK_SECONDS)
        except TimeoutError:
            process.kill()
            raise
    return stdout.decode("utf-8", "replace").splitlines()
