"""Admin routes: where security alerts go."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from helio.alerts import sinks
from helio.alerts.schemas import SinkList, SinksUpdate
from helio.authz.access import Access
from helio.authz.guards import require
from helio.authz.matrix import Perm
from helio.deps import DbSession, ServicesDep

router = APIRouter(prefix="/admin/alerts", tags=["alerts"])

AlertsManage = Annotated[Access, require(Perm.ALERTS_MANAGE)]


@router.get("/sinks")
async def get_sinks(_access: AlertsManage, session: DbSession) -> SinkList:
    """List the alert sinks (webhook URLs masked)."""
    return await sinks.list_sinks(session)


@router.put("/sinks")
async def put_sinks(
    access: AlertsManage,
    session: DbSession,
    services: ServicesDep,
    request: Request,
    body: SinksUpdate,
) -> SinkList:
    """Replace the list of alert sinks; webhook URLs must pass the outbound checks."""
    return await sinks.replace_sinks(
        session, access, body, settings=services.settings, request=request
    )
