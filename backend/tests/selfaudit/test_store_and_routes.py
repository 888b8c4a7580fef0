"""The daily job stores reports; a pass → fail regression is audited and alerts; admins read
the latest report and the trend."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from helio.alerts.delivery import AlertJobs
from helio.alerts.engine import AlertEngine
from helio.audit.hooks import AuditRecord
from helio.authz.matrix import Role
from helio.kit.clock import utcnow
from helio.platform.app import App
from helio.selfaudit import job
from helio.selfaudit.checks.deps import age_line
from helio.selfaudit.runner import Finding, Report
from helio.state.shared import MemoryState
from tests.factories.accounts import audit_events
from tests.fixtures.principals import Harness, error_code

LATEST = "/api/v1/admin/self-audit/latest"
TREND = "/api/v1/admin/self-audit/trend"


def _report(verdicts: dict[str, str], *, days_ago: int = 0) -> Report:
    findings = [
        Finding(
            id=check,
            category="A07",
            category_title="Identification and Authentication Failures",
            severity="high",
            source="database",
            title=check,
            verdict=verdict,
            evidence=[f"{check} {verdict}"],
            fix="fix it",
        )
        for check, verdict in verdicts.items()
    ]
    return Report(utcnow() - timedelta(days=days_ago), "test", None, findings)


async def test_a_regression_is_audited_and_raises_the_alert(clean: App) -> None:
    await job.store_report(
        clean, _report({"db.staff_mfa": "pass", "db.grants": "fail"}, days_ago=1)
    )
    assert await audit_events(clean, "self_audit.check_regressed") == []
    stored = await job.store_report(clean, _report({"db.staff_mfa": "fail", "db.grants": "fail"}))
    regressed = await audit_events(clean, "self_audit.check_regressed")
    assert [(e.resource_type, e.resource_id) for e in regressed] == [
        ("self_audit_check", "db.staff_mfa")
    ]
    assert regressed[0].details == {"report_id": stored.id, "category": "A07", "severity": "high"}
    assert len(await audit_events(clean, "self_audit.stored")) == 2
    # A fresh engine and counters: the app's own engine may already have seen the event.
    state = MemoryState()
    engine = AlertEngine(state, AlertJobs(clean.db))
    event = regressed[0]
    record = AuditRecord(
        seq=event.seq, id=event.id, occurred_at=event.occurred_at, action=event.action,
        outcome=event.outcome, resource_type=event.resource_type, resource_id=event.resource_id,
    )  # fmt: skip
    alerts = await engine.evaluate(record)
    assert [(a.rule, a.severity, a.subject) for a in alerts] == [
        ("self_audit_regression", "high", "check db.staff_mfa")
    ]


class TestSelfAuditRoutes:
    async def test_anonymous_is_refused(self, auth: Harness) -> None:
        assert (await auth.client().get(LATEST)).status_code == 401
        assert (await auth.client().get(TREND)).status_code == 401

    @pytest.mark.asvs("V8.2.1")
    @pytest.mark.parametrize("role", [Role.SUPPORT, Role.SALES, Role.ENGINEER])
    async def test_other_staff_are_forbidden(self, auth: Harness, role: Role) -> None:
        http = await auth.login(await auth.staff(role))
        assert (await http.get(LATEST)).status_code == 403
        assert (await http.get(TREND)).status_code == 403

    async def test_customer_is_forbidden(self, auth: Harness) -> None:
        http = await auth.login(await auth.customer())
        assert (await http.get(LATEST)).status_code == 403

    async def test_no_report_yet_is_404(self, auth: Harness) -> None:
        http = await auth.login(await auth.staff(Role.ADMIN))
        answer = await http.get(LATEST)
        assert (answer.status_code, error_code(answer)) == (404, "no_self_audit_report")
        trend = await http.get(TREND)
        assert trend.status_code == 200
        assert trend.json() == {"points": [], "regressed": [], "fixed": []}

    async def test_latest_and_trend(self, auth: Harness) -> None:
        app = auth.app_state
        await job.store_report(
            app, _report({"db.staff_mfa": "pass", "db.grants": "fail"}, days_ago=1)
        )
        stored = await job.store_report(app, _report({"db.staff_mfa": "fail", "db.grants": "pass"}))
        http = await auth.login(await auth.staff(Role.ADMIN))
        latest = await http.get(LATEST)
        assert latest.status_code == 200
        body = latest.json()
        assert body["id"] == stored.id
        assert body["summary"] == {"passed": 1, "failed": 1, "warned": 0, "manual": 0,
                                   "worst_severity": "high"}  # fmt: skip
        assert {f["id"]: f["verdict"] for f in body["findings"]} == {
            "db.staff_mfa": "fail", "db.grants": "pass",
        }  # fmt: skip
        assert body["advisory_data"] is None  # the dependency audit was not in these runs
        trend = (await http.get(TREND, params={"limit": 5})).json()
        assert [p["failing"] for p in trend["points"]] == [["db.grants"], ["db.staff_mfa"]]
        assert [p["regressed"] for p in trend["points"]] == [[], ["db.staff_mfa"]]
        assert (trend["regressed"], trend["fixed"]) == (["db.staff_mfa"], ["db.grants"])

    async def test_each_trend_point_names_its_regressions(self, auth: Harness) -> None:
        app = auth.app_state
        runs = [
            {"db.staff_mfa": "pass", "db.grants": "pass"},
            {"db.staff_mfa": "fail", "db.grants": "pass"},
            {"db.staff_mfa": "fail", "db.grants": "warn"},
            {"db.staff_mfa": "pass", "db.grants": "fail"},
        ]
        for days_ago, verdicts in zip((3, 2, 1, 0), runs, strict=True):
            await job.store_report(app, _report(verdicts, days_ago=days_ago))
        http = await auth.login(await auth.staff(Role.ADMIN))
        # the oldest point shown still compares with the run before it
        trend = (await http.get(TREND, params={"limit": 3})).json()
        assert [p["regressed"] for p in trend["points"]] == [["db.staff_mfa"], [], ["db.grants"]]
        assert (trend["regressed"], trend["fixed"]) == (["db.grants"], ["db.staff_mfa"])

    async def test_bad_limit_is_422(self, auth: Harness) -> None:
        http = await auth.login(await auth.staff(Role.ADMIN))
        for query in ({"limit": 0}, {"limit": 1000}, {"unknown": 1}):
            assert (await http.get(TREND, params=query)).status_code == 422

    async def test_the_advisory_data_age_is_served_with_the_report(self, auth: Harness) -> None:
        report = _report({"db.staff_mfa": "pass"})
        advisories = Finding(
            id="deps.advisories", category="A06", category_title="Vulnerable and Outdated "
            "Components", severity="high", source="dependencies", title="advisories",
            verdict="warn", fix="refresh",
            evidence=["12 pinned package(s) against 900 advisories", age_line("2026-10-01", 41)],
        )  # fmt: skip
        await job.store_report(
            auth.app_state, replace(report, findings=[*report.findings, advisories])
        )
        http = await auth.login(await auth.staff(Role.ADMIN))
        body = (await http.get(LATEST)).json()
        assert body["advisory_data"] == {"newest_record": "2026-10-01", "age_days": 41}
