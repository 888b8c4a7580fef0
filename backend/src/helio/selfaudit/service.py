"""Store a report, find the checks that regressed (and audit them: they raise the alert),
serve the latest report and the trend."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.kit.ids import new_id
from helio.models.self_audit import SelfAuditReport
from helio.platform.context import Ctx
from helio.selfaudit import repository
from helio.selfaudit.checks.deps import data_age
from helio.selfaudit.exceptions import NoReportYet
from helio.selfaudit.registry import Verdict
from helio.selfaudit.runner import Report
from helio.selfaudit.schemas import (
    SelfAuditAdvisoryDataRead,
    SelfAuditReportRead,
    SelfAuditSummaryRead,
    SelfAuditTrendPointRead,
    SelfAuditTrendQuery,
    SelfAuditTrendRead,
)


def verdicts(report: dict[str, Any]) -> dict[str, str]:
    """Check id → verdict of a stored (JSON) report."""
    return {f["id"]: f["verdict"] for f in report.get("findings", [])}


def regressions(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Ids of the checks that fail now and did not fail in the previous report."""
    if before is None:
        return []
    old = verdicts(before)
    return sorted(
        check
        for check, verdict in verdicts(after).items()
        if verdict == Verdict.FAIL and check in old and old[check] != Verdict.FAIL
    )


def repairs(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Ids of the checks that failed in the previous report and no longer fail."""
    if before is None:
        return []
    new = verdicts(after)
    return sorted(
        check
        for check, verdict in verdicts(before).items()
        if verdict == Verdict.FAIL and new.get(check, Verdict.FAIL) != Verdict.FAIL
    )


async def store(session: AsyncSession, ctx: Ctx, *, report: Report) -> SelfAuditReportRead:
    """Store a report and audit each check that regressed to fail (the alert rule sees them)."""
    previous = await repository.latest(session)
    data = report.to_dict()
    counts = report.counts()
    row = SelfAuditReport(
        id=new_id(),
        worst_severity=report.worst_severity(),
        passed=counts["pass"],
        failed=counts["fail"],
        warned=counts["warn"],
        manual=counts["manual"],
        report=data,
    )
    repository.add(session, row)
    await session.flush()
    severity = {f.id: (f.category, f.severity) for f in report.findings}
    for check in regressions(previous.report if previous else None, data):
        category, level = severity[check]
        await audit.record(
            session, ctx, AuditAction.SELF_AUDIT_CHECK_REGRESSED,
            target=Target("self_audit_check", check),
            details={"report_id": row.id, "category": category, "severity": level},
        )  # fmt: skip
    await audit.record(
        session, ctx, AuditAction.SELF_AUDIT_STORED,
        target=Target("self_audit_report", row.id),
        details={**counts, "worst_severity": row.worst_severity},
    )  # fmt: skip
    return read_model(row)


def _summary(row: SelfAuditReport) -> SelfAuditSummaryRead:
    return SelfAuditSummaryRead.model_validate(
        {
            "passed": row.passed,
            "failed": row.failed,
            "warned": row.warned,
            "manual": row.manual,
            "worst_severity": row.worst_severity,
        }
    )


def _advisory_data(findings: list[dict[str, Any]]) -> SelfAuditAdvisoryDataRead | None:
    for finding in findings:
        if finding["id"] == "deps.advisories" and (age := data_age(finding["evidence"])):
            return SelfAuditAdvisoryDataRead(newest_record=age[0], age_days=age[1])
    return None


def read_model(row: SelfAuditReport) -> SelfAuditReportRead:
    """The API form of a stored report."""
    data = row.report
    return SelfAuditReportRead.model_validate(
        {
            "id": row.id,
            "created_at": row.created_at,
            "generated_at": data["generated_at"],
            "environment": data["environment"],
            "target": data.get("target"),
            "summary": _summary(row),
            "advisory_data": _advisory_data(data["findings"]),
            "findings": data["findings"],
        }
    )


async def latest(session: AsyncSession, ctx: Ctx) -> SelfAuditReportRead:
    """The newest stored report.

    Raises:
        NoReportYet: nothing stored yet (404).
    """
    row = await repository.latest(session)
    if row is None:
        raise NoReportYet()
    return read_model(row)


async def trend(
    session: AsyncSession, ctx: Ctx, *, query: SelfAuditTrendQuery
) -> SelfAuditTrendRead:
    """The last runs, oldest first, each with what regressed since the run before it (one
    more run is read for the oldest), and what regressed and was fixed in the newest."""
    rows = list(reversed(await repository.recent(session, query.limit + 1)))
    earlier = [None, *rows[:-1]] if rows else []
    pairs = list(zip(earlier, rows, strict=True))[-query.limit :]
    points = [
        SelfAuditTrendPointRead(
            id=row.id,
            created_at=row.created_at,
            summary=_summary(row),
            failing=sorted(c for c, v in verdicts(row.report).items() if v == Verdict.FAIL),
            regressed=regressions(before.report if before else None, row.report),
        )
        for before, row in pairs
    ]
    before = rows[-2].report if len(rows) >= 2 else None
    after = rows[-1].report if rows else {}
    return SelfAuditTrendRead(
        points=points, regressed=regressions(before, after), fixed=repairs(before, after)
    )
