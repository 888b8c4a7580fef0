"""The outputs: SARIF 2.1.0 valid against the OASIS schema, Markdown per category, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from helio.kit.clock import utcnow
from helio.selfaudit import render
from helio.selfaudit.registry import CATEGORY_TITLES, Severity, all_checks
from helio.selfaudit.runner import Finding, Report

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"


def _finding(check_id: str, verdict: str, severity: str = "high") -> Finding:
    return Finding(id=check_id, category="A05", category_title="Security Misconfiguration",
                   severity=severity, source="http", title="t", verdict=verdict,
                   evidence=["e <x>"], fix="f")  # fmt: skip


def _report(*findings: Finding) -> Report:
    return Report(utcnow(), "test", "https://api.helio.test", list(findings))


def test_sarif_is_valid_against_the_sarif_2_1_0_schema() -> None:
    report = _report(
        _finding("http.cors", "fail"), _finding("http.headers", "warn", "medium"),
        _finding("deploy.checkov", "manual"), _finding("http.tls", "pass"),
    )  # fmt: skip
    log = json.loads(render.to_sarif(report))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(log))
    assert errors == []
    run = log["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {c.id for c in all_checks()}
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [
        ("http.cors", "error"), ("http.headers", "warning"), ("deploy.checkov", "none"),
    ]  # fmt: skip


def test_an_invalid_sarif_log_is_caught_by_the_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    log = json.loads(render.to_sarif(_report(_finding("http.cors", "fail"))))
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(jsonschema.Draft7Validator(schema).iter_errors(log))


def test_markdown_lists_every_category_and_escapes_evidence() -> None:
    text = render.to_markdown(_report(_finding("http.cors", "fail")))
    for category, title in CATEGORY_TITLES.items():
        assert f"## {category.value}: {title}" in text
    assert "**FAIL**" in text
    assert "e &lt;x&gt;" in text
    assert "- fix: f" in text


def test_json_round_trips() -> None:
    report = _report(_finding("http.cors", "fail"), _finding("http.tls", "pass"))
    assert Report.from_dict(json.loads(render.to_json(report))) == report


@pytest.mark.parametrize(
    ("severities", "fail_on", "code"),
    [
        ([], None, 0),
        (["low"], None, 1),
        (["medium", "low"], None, 2),
        (["high"], None, 3),
        (["critical", "low"], None, 4),
        (["medium"], Severity.HIGH, 0),
        (["high"], Severity.HIGH, 3),
        (["critical"], Severity.HIGH, 4),
        (["info"], None, 0),
    ],
)
def test_exit_code_follows_the_worst_failed_severity(
    severities: list[str], fail_on: Severity | None, code: int
) -> None:
    findings = [_finding(f"c{i}", "fail", s) for i, s in enumerate(severities)]
    findings.append(_finding("w", "warn", "critical"))  # warnings never fail a run
    assert _report(*findings).exit_code(fail_on) == code


def test_every_check_is_registered_once_with_a_category_and_fix() -> None:
    checks = all_checks()
    assert len({c.id for c in checks}) == len(checks)
    prefix = {"config": "config", "database": "db", "http": "http", "redis": "redis",
              "deploy": "deploy", "dependencies": "deps"}  # fmt: skip
    assert all(c.fix and c.title and c.id.split(".")[0] == prefix[c.source] for c in checks)
