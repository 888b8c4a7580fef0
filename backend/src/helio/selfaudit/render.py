"""The report as Markdown (people), JSON (machines) and SARIF 2.1.0 (code-scanning UIs)."""

from __future__ import annotations

import json
from typing import Any

from helio.selfaudit.registry import CATEGORY_TITLES, Category, Severity, Verdict, all_checks
from helio.selfaudit.runner import Finding, Report

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://owasp.org/Top10/"
_MARK = {"pass": "pass", "fail": "**FAIL**", "warn": "warn", "manual": "manual"}
_LEVEL = {Verdict.FAIL: "error", Verdict.WARN: "warning", Verdict.MANUAL: "none"}
_SCORE = {
    Severity.INFO: "0.0",
    Severity.LOW: "3.0",
    Severity.MEDIUM: "5.5",
    Severity.HIGH: "8.0",
    Severity.CRITICAL: "9.5",
}


def to_json(report: Report) -> str:
    """The JSON report."""
    return json.dumps(report.to_dict(), indent=2, sort_keys=False) + "\n"


def to_markdown(report: Report) -> str:
    """The Markdown report: a summary, then A01–A10 with each check's verdict, evidence, fix."""
    counts = report.counts()
    lines = [
        "# Helio self-audit: OWASP Top 10 (2021)",
        "",
        f"- generated: {report.generated_at.isoformat()}",
        f"- environment: {report.environment}",
        f"- HTTP surface: {report.target or 'not probed'}",
        f"- checks: {len(report.findings)} — {counts['pass']} pass, {counts['fail']} fail, "
        f"{counts['warn']} warn, {counts['manual']} manual",
        f"- worst failed severity: {report.worst_severity()}",
        "",
    ]
    for category in Category:
        found = [f for f in report.findings if f.category == category.value]
        lines += [f"## {category.value}: {CATEGORY_TITLES[category]}", ""]
        if not found:
            lines += ["No automated check; see docs/security/seed-audit-map.md.", ""]
        for finding in found:
            lines += _finding_md(finding)
    return "\n".join(lines).rstrip("\n") + "\n"


def _finding_md(finding: Finding) -> list[str]:
    lines = [
        f"### {_MARK[finding.verdict]} · {finding.title} (`{finding.id}`, {finding.severity})",
        "",
    ]
    lines += [f"- {_escape(line)}" for line in finding.evidence]
    if finding.verdict != Verdict.PASS:
        lines.append(f"- fix: {_escape(finding.fix)}")
    return [*lines, ""]


def _escape(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


def to_sarif(report: Report) -> str:
    """The SARIF 2.1.0 log: one rule per registered check, one result per non-passing finding."""
    rules = [_rule(c.id, c.title, c.fix, c.category, c.severity) for c in all_checks()]
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    results = [_result(f, index[f.id]) for f in report.findings if f.verdict != Verdict.PASS]
    log: dict[str, Any] = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "helio-self-audit",
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "endTimeUtc": report.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    }
                ],
                "results": results,
                "properties": {"environment": report.environment, "target": report.target},
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _rule(
    check_id: str, title: str, fix: str, category: Category, severity: Severity
) -> dict[str, Any]:
    return {
        "id": check_id,
        "name": check_id.replace(".", "_"),
        "shortDescription": {"text": title},
        "help": {"text": fix},
        "defaultConfiguration": {"level": "error" if severity.rank >= 2 else "warning"},
        "properties": {
            "tags": ["security", f"OWASP-{category.value}:2021"],
            "security-severity": _SCORE[severity],
        },
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    text = f"{finding.title}: " + "; ".join(finding.evidence)
    return {
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": _LEVEL[Verdict(finding.verdict)],
        "kind": "fail" if finding.verdict != Verdict.MANUAL else "review",
        "message": {"text": text},
        "locations": [
            {
                "logicalLocations": [
                    {"name": finding.id, "kind": "module", "fullyQualifiedName": finding.source}
                ]
            }
        ],
        "properties": {
            "verdict": finding.verdict,
            "severity": finding.severity,
            "owasp": f"{finding.category}:2021",
        },
    }
