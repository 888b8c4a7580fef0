"""Admin routes: the latest self-audit report and its trend."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from helio.http.deps import DbSession, RequestCtx
from helio.selfaudit import service
from helio.selfaudit.deps import SelfAuditRead
from helio.selfaudit.schemas import SelfAuditReportRead, SelfAuditTrendQuery, SelfAuditTrendRead

router = APIRouter(prefix="/admin/self-audit", tags=["self-audit"])


@router.get("/latest", responses={404: {"description": "No report stored yet"}})
async def latest_report(
    access: SelfAuditRead, ctx: RequestCtx, session: DbSession
) -> SelfAuditReportRead:
    """The newest stored OWASP Top 10 self-audit report."""
    return await service.latest(session, ctx.with_access(access))


@router.get("/trend")
async def report_trend(
    access: SelfAuditRead,
    ctx: RequestCtx,
    session: DbSession,
    query: Annotated[SelfAuditTrendQuery, Query()],
) -> SelfAuditTrendRead:
    """Counts per run (oldest first), and the checks that regressed or were fixed last run."""
    return await service.trend(session, ctx.with_access(access), query=query)
