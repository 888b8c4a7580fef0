"""/staff/reports: aggregated figures for sales and admins."""

from __future__ import annotations

from fastapi import APIRouter

from helio.http.deps import DbSession, RequestCtx
from helio.reports import service
from helio.reports.deps import PipelineParams, ReportsRead
from helio.reports.schemas import PipelineRead

router = APIRouter(prefix="/staff/reports", tags=["staff"])


@router.get("/pipeline")
async def pipeline(
    query: PipelineParams, access: ReportsRead, ctx: RequestCtx, session: DbSession
) -> PipelineRead:
    """Count leads and orders, and sum their values, by stage and month (no personal data)."""
    return await service.pipeline(session, ctx.with_access(access), months=query.months)
