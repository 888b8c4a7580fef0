"""The self-audit against a deliberately misconfigured deployment and against the good one."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from helio.kit.clock import utcnow
from helio.platform.app import App
from helio.selfaudit import render
from helio.selfaudit.inputs import Inputs
from helio.selfaudit.registry import Severity, Verdict
from helio.selfaudit.runner import Finding, Report, run_checks
from tests.selfaudit.world import (
    SEEDED_EMAIL,
    SEEDED_NAME,
    SEEDED_PHONE,
    app_user,
    asgi_client,
    bad_world,
    good_world,
    weak_server,
)

pytestmark = [pytest.mark.mysql, pytest.mark.redis]


def by_id(report: Report) -> dict[str, Finding]:
    return {f.id: f for f in report.findings}


def crashed(report: Report) -> list[str]:
    return [f.id for f in report.findings if any("could not run here" in e for e in f.evidence)]


async def _run(app: App, http: httpx.AsyncClient, grants_db: object) -> Report:
    inputs = Inputs(settings=app.settings, now=utcnow(), app=app, http=http,
                    grants_db=grants_db)  # type: ignore[arg-type]  # fmt: skip
    return await run_checks(inputs)


async def test_misconfigured_deployment_is_reported_with_category_and_severity(
    clean: App,
) -> None:
    ids = await bad_world(clean)
    with weak_server() as base_url:
        async with (
            app_user(clean.settings.database_url, extra=("ALTER",)) as db,
            httpx.AsyncClient(base_url=base_url) as http,
        ):
            report = await _run(clean, http, db)
    found = by_id(report)
    assert crashed(report) == []
    expected = {
        "db.staff_mfa": ("A07", Severity.HIGH),
        "db.grants": ("A01", Severity.MEDIUM),
        "db.app_user_grants": ("A05", Severity.HIGH),
        "db.audit_chain": ("A09", Severity.CRITICAL),
        "http.headers": ("A05", Severity.MEDIUM),
        "http.cookies": ("A05", Severity.MEDIUM),
        "http.cors": ("A05", Severity.HIGH),
        "http.error_bodies": ("A05", Severity.HIGH),
    }
    for check_id, (category, severity) in expected.items():
        finding = found[check_id]
        assert (finding.verdict, finding.category, finding.severity) == (
            Verdict.FAIL, category, severity,
        ), (check_id, finding.evidence)  # fmt: skip
    assert ids["lax_staff"] in " ".join(found["db.staff_mfa"].evidence)
    assert ids["grant"] in " ".join(found["db.grants"].evidence)
    assert ids["long_grant"] in " ".join(found["db.grants"].evidence)
    assert "ALTER" in " ".join(found["db.app_user_grants"].evidence)
    assert "broken at event 1: edited" in found["db.audit_chain"].evidence
    assert "missing content-security-policy" in " ".join(found["http.headers"].evidence)
    assert report.worst_severity() == "critical"
    assert report.exit_code() == 4
    assert report.exit_code(Severity.HIGH) == 4


@pytest.mark.asvs("V3.4.2", "V3.4.3", "V3.4.4", "V3.4.5", "V16.5.1")
async def test_good_deployment_reports_clean(clean: App, app: FastAPI) -> None:
    await good_world(clean)
    async with app_user(clean.settings.database_url) as db, asgi_client(app) as http:
        report = await _run(clean, http, db)
    assert crashed(report) == []
    noisy = {f.id: f.evidence for f in report.findings if f.verdict in {Verdict.FAIL, Verdict.WARN}}
    assert noisy == {}
    assert report.exit_code() == 0
    found = by_id(report)
    # the checks that need what a test run does not have say why, and nothing else is manual
    assert {f.id for f in report.findings if f.verdict == Verdict.MANUAL} == {
        "deploy.checkov",
        "deps.advisories",
    }
    assert found["http.tls"].verdict == Verdict.PASS
    assert found["db.app_user_grants"].verdict == Verdict.PASS


async def test_reports_hold_no_personal_data_or_secrets(clean: App) -> None:
    await bad_world(clean)
    await clean.state.set(f"probe:{SEEDED_EMAIL}", "1", 60)  # a key that leaks an address
    with weak_server() as base_url:
        async with (
            app_user(clean.settings.database_url, extra=("ALTER",)) as db,
            httpx.AsyncClient(base_url=base_url) as http,
        ):
            report = await _run(clean, http, db)
    assert by_id(report)["redis.personal_data_in_keys"].verdict == Verdict.FAIL
    secrets_and_pii = [SEEDED_EMAIL, SEEDED_NAME, SEEDED_PHONE, "Marguerite", "quimby",
                       clean.settings.secret_key, "abc123"]  # fmt: skip
    for text in (render.to_markdown(report), render.to_json(report), render.to_sarif(report)):
        lowered = text.lower()
        for needle in secrets_and_pii:
            assert needle.lower() not in lowered
        assert "@example.com" not in lowered
        assert "@example.net" not in lowered
