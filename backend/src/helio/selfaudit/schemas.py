"""The self-audit's API models: the latest report and the trend."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from helio.kit.schemas import StrictQuery, UtcTime

VerdictName = Literal["pass", "fail", "warn", "manual"]
SeverityName = Literal["info", "low", "medium", "high", "critical"]
MAX_TREND = 90


class SelfAuditFindingRead(BaseModel):
    """One check's result: category, severity, verdict, evidence (no personal data) and fix."""

    id: str
    category: str = Field(pattern=r"^A(0[1-9]|10)$")
    category_title: str
    severity: SeverityName
    source: str
    title: str
    verdict: VerdictName
    evidence: list[str]
    fix: str


class SelfAuditSummaryRead(BaseModel):
    """Counts per verdict and the worst failed severity ('none' when nothing failed)."""

    passed: int
    failed: int
    warned: int
    manual: int
    worst_severity: SeverityName | Literal["none"]


class SelfAuditAdvisoryDataRead(BaseModel):
    """The age of the advisory data the dependency audit used, at the time of the run."""

    newest_record: str | None
    age_days: int | None


class SelfAuditReportRead(BaseModel):
    """A stored self-audit report; `advisory_data` is null when the dependency audit did not
    run (its check is manual)."""

    id: str
    created_at: UtcTime
    generated_at: UtcTime
    environment: str
    target: str | None
    summary: SelfAuditSummaryRead
    advisory_data: SelfAuditAdvisoryDataRead | None
    findings: list[SelfAuditFindingRead]


class SelfAuditTrendPointRead(BaseModel):
    """One stored run in the trend: its counts, the checks that failed, and those that
    regressed to fail since the run before it."""

    id: str
    created_at: UtcTime
    summary: SelfAuditSummaryRead
    failing: list[str]
    regressed: list[str]


class SelfAuditTrendRead(BaseModel):
    """The most recent runs, oldest first, and the checks whose verdict changed last run."""

    points: list[SelfAuditTrendPointRead]
    regressed: list[str]
    fixed: list[str]


class SelfAuditTrendQuery(StrictQuery):
    """How many runs the trend covers."""

    limit: int = Field(default=30, ge=1, le=MAX_TREND)
