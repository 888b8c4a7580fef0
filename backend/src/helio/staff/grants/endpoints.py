"""Routes: engineers ask for grants under /staff; admins decide and revoke under /admin."""

from __future__ import annotations

from fastapi import APIRouter, status

from helio.http.deps import DbSession, RequestCtx
from helio.http.openapi import errors
from helio.staff.grants import service
from helio.staff.grants.deps import (
    GrantId,
    GrantParams,
    GrantsDecide,
    GrantsRead,
    GrantsRequest,
    GrantsRevoke,
)
from helio.staff.grants.schemas import GrantCreate, GrantPage, GrantRead

router = APIRouter(tags=["grants"])


@router.post("/staff/grants", status_code=status.HTTP_201_CREATED, responses=errors(404, 409))
async def request_grant(
    body: GrantCreate, access: GrantsRequest, ctx: RequestCtx, session: DbSession
) -> GrantRead:
    """Ask for time-boxed access to one customer (max 4 h), with a reason."""
    return await service.request_grant(session, ctx.with_access(access), data=body)


@router.get("/staff/grants")
async def list_grants(
    query: GrantParams, access: GrantsRead, ctx: RequestCtx, session: DbSession
) -> GrantPage:
    """List grants: an engineer's own, or every grant for admins (`?state=pending`)."""
    return await service.list_grants(session, ctx.with_access(access), query=query)


@router.post("/admin/grants/{grant_id}/approve", responses=errors(409))
async def approve_grant(
    grant_id: GrantId, access: GrantsDecide, ctx: RequestCtx, session: DbSession
) -> GrantRead:
    """Approve a pending grant (step-up; never the requester); it starts now."""
    return await service.decide(session, ctx.with_access(access), grant_id=grant_id, approve=True)


@router.post("/admin/grants/{grant_id}/deny", responses=errors(409))
async def deny_grant(
    grant_id: GrantId, access: GrantsDecide, ctx: RequestCtx, session: DbSession
) -> GrantRead:
    """Deny a pending grant (step-up; never the requester)."""
    return await service.decide(session, ctx.with_access(access), grant_id=grant_id, approve=False)


@router.post("/admin/grants/{grant_id}/revoke", responses=errors(409))
async def revoke_grant(
    grant_id: GrantId, access: GrantsRevoke, ctx: RequestCtx, session: DbSession
) -> GrantRead:
    """End a pending or active grant at once."""
    return await service.revoke(session, ctx.with_access(access), grant_id=grant_id)
