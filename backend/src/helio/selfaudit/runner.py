"""Run every registered check over the inputs and build the report."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import httpx
import structlog

from helio.selfaudit.inputs import Inputs
from helio.selfaudit.registry import (
    CATEGORY_TITLES,
    Category,
    Check,
    Outcome,
    Severity,
    Verdict,
    all_checks,
    manual,
)

log = structlog.get_logger(__name__)
CHECK_SECONDS = 900.0
NONE = "none"


@dataclass(frozen=True)
class Finding:
    """One check's result in a report."""

    id: str
    category: str
    category_title: str
    severity: str
    source: str
    title: str
    verdict: str
    evidence: list[str]
    fix: str


@dataclass(frozen=True)
class Report:
    """The OWASP Top 10 (2021) report of one deployment at one moment."""

    generated_at: datetime
    environment: str
    target: str | None
    findings: list[Finding]

    def counts(self) -> dict[str, int]:
        """How many findings per verdict."""
        return {v.value: sum(f.verdict == v for f in self.findings) for v in Verdict}

    def worst_severity(self) -> str:
        """The severity of the worst failed check, or 'none'."""
        failed = [Severity(f.severity) for f in self.findings if f.verdict == Verdict.FAIL]
        return max(failed, key=lambda s: s.rank).value if failed else NONE

    def exit_code(self, fail_on: Severity | None = None) -> int:
        """0 when nothing failed (or nothing at `fail_on` or worse); else the worst rank (1–4).

        A failed check of severity info still exits 0: info never fails a run.
        """
        worst = self.worst_severity()
        if worst == NONE:
            return 0
        rank = Severity(worst).rank
        if fail_on is not None and rank < fail_on.rank:
            return 0
        return rank

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (what `--format json` prints and what is stored)."""
        return {
            "generated_at": self.generated_at.isoformat(),
            "environment": self.environment,
            "target": self.target,
            "standard": "OWASP Top 10 (2021)",
            "summary": {**self.counts(), "worst_severity": self.worst_severity()},
            "categories": [{"id": c.value, "title": CATEGORY_TITLES[c]} for c in Category],
            "findings": [asdict(f) for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Read a report back from its JSON form."""
        return cls(
            generated_at=datetime.fromisoformat(data["generated_at"]),
            environment=data["environment"],
            target=data.get("target"),
            findings=[Finding(**f) for f in data["findings"]],
        )


async def run_checks(inputs: Inputs, *, only: set[str] | None = None) -> Report:
    """Run the registered checks one after another (they share connections) and report."""
    findings = []
    for registered in all_checks():
        if only is not None and registered.id not in only:
            continue
        outcome = await _run_one(registered, inputs)
        findings.append(_finding(registered, outcome))
    target = _origin(inputs.http.base_url) if inputs.http is not None else None
    return Report(inputs.now, inputs.settings.env, target, findings)


def _origin(url: httpx.URL) -> str:
    """The probed origin and path, never userinfo or a query."""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}{url.path}"


async def _run_one(registered: Check, inputs: Inputs) -> Outcome:
    try:
        return await asyncio.wait_for(registered.run(inputs), CHECK_SECONDS)
    except Exception as error:  # one broken check must not hide the others
        log.warning("selfaudit.check_crashed", check=registered.id, error=type(error).__name__)
        return manual(f"the check could not run here ({type(error).__name__}); look by hand")


def _finding(registered: Check, outcome: Outcome) -> Finding:
    return Finding(
        id=registered.id,
        category=registered.category.value,
        category_title=CATEGORY_TITLES[registered.category],
        severity=registered.severity.value,
        source=registered.source.value,
        title=registered.title,
        verdict=outcome.verdict.value,
        evidence=list(outcome.evidence),
        fix=registered.fix,
    )
