"""Routes: engineers ask for grants under /staff; admins decide and revoke under /admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from helio.authz.access import Access
from helio.authz.guards import require
from helio.authz.matrix import Perm
from helio.deps import DbSession
from helio.kit.clock import utcnow
from helio.staff.grants import service
from helio.staff.grants.schemas import GrantCreate, GrantPage, GrantQueryDep, GrantRead

router = APIRouter(tags=["grants"])

GrantsRequest = Annotated[Access, require(Perm.GRANTS_REQUEST)]
GrantsRead = Annotated[Access, require(Perm.GRANTS_READ)]
GrantsDecide = Annotated[Access, require(Perm.GRANTS_DECIDE)]
GrantsRevoke = Annotated[Access, require(Perm.GRANTS_REVOKE)]
GrantId = Annotated[str, Path(max_length=64)]


@router.post("/staff/grants", status_code=status.HTTP_201_CREATED)
async def request_grant(
    access: GrantsRequest, session: DbSession, body: GrantCreate, request: Request
) -> GrantRead:
    """Ask for time-boxed access to one customer (max 4 h), with a reason."""
    grant = await service.request_grant(
        session,
        access,
        customer_id=body.customer_id,
        reason=body.reason,
        minutes=body.minutes,
        request=request,
    )
    return service.to_read(grant, utcnow())


@router.get("/staff/grants")
async def list_grants(access: GrantsRead, session: DbSession, query: GrantQueryDep) -> GrantPage:
    """List grants: an engineer's own, or every grant for admins (`?state=pending`)."""
    return await service.list_grants(session, access, query)


@router.post("/admin/grants/{grant_id}/approve")
async def approve_grant(
    access: GrantsDecide, session: DbSession, grant_id: GrantId, request: Request
) -> GrantRead:
    """Approve a pending grant (step-up; never the requester); it starts now."""
    grant = await service.decide(session, access, grant_id, approve=True, request=request)
    return service.to_read(grant, utcnow())


@router.post("/admin/grants/{grant_id}/deny")
async def deny_grant(
    access: GrantsDecide, session: DbSession, grant_id: GrantId, request: Request
) -> GrantRead:
    """Deny a pending grant (step-up; never the requester)."""
    grant = await service.decide(session, access, grant_id, approve=False, request=request)
    return service.to_read(grant, utcnow())


@router.post("/admin/grants/{grant_id}/revoke")
async def revoke_grant(
    access: GrantsRevoke, session: DbSession, grant_id: GrantId, request: Request
) -> GrantRead:
    """End a pending or active grant at once."""
    grant = await service.revoke(session, access, grant_id, request=request)
    return service.to_read(grant, utcnow())
