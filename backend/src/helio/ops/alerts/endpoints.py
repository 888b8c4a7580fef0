"""Admin routes: where security alerts go."""

from __future__ import annotations

from fastapi import APIRouter

from helio.http.deps import DbSession, RequestCtx
from helio.ops.alerts import service
from helio.ops.alerts.schemas import SinkListRead, SinkListUpdate
from helio.ops.deps import AlertsManage

router = APIRouter(prefix="/admin/alerts", tags=["alerts"])


@router.get("/sinks")
async def get_sinks(access: AlertsManage, ctx: RequestCtx, session: DbSession) -> SinkListRead:
    """List the alert sinks (webhook URLs masked)."""
    return await service.list_sinks(session, ctx.with_access(access))


@router.put("/sinks")
async def put_sinks(
    body: SinkListUpdate, access: AlertsManage, ctx: RequestCtx, session: DbSession
) -> SinkListRead:
    """Replace the list of alert sinks; webhook URLs must pass the outbound checks."""
    return await service.replace_sinks(session, ctx.with_access(access), body=body)
