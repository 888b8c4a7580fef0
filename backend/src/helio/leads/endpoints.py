"""/leads (the public call-me-back form) and /staff/leads (sales works them)."""

from __future__ import annotations

from fastapi import APIRouter, status

from helio.auth.deps import PowSolution, SameOriginOrNone
from helio.http.deps import DbSession, RequestCtx
from helio.http.openapi import errors
from helio.leads import conversion, service, staff
from helio.leads.deps import LeadId, LeadParams, LeadsConvert, LeadsRead, LeadsWrite
from helio.leads.schemas import (
    LeadCreate,
    LeadEntryCreate,
    LeadPage,
    LeadRead,
    LeadReceiptRead,
    LeadUpdate,
)

router = APIRouter(prefix="/leads", tags=["leads"])
staff_router = APIRouter(prefix="/staff/leads", tags=["staff"])


@router.post("", status_code=status.HTTP_202_ACCEPTED, dependencies=[SameOriginOrNone])
async def submit_lead(
    body: LeadCreate, ctx: RequestCtx, session: DbSession, pow_solution: PowSolution
) -> LeadReceiptRead:
    """Ask to be called back (rate limited per address; proof of work after a few requests)."""
    return await service.receive(session, ctx, data=body, pow_solution=pow_solution)


@staff_router.get("")
async def list_leads(
    query: LeadParams, access: LeadsRead, ctx: RequestCtx, session: DbSession
) -> LeadPage:
    """List your leads and the unassigned ones, masked, newest first."""
    return await staff.list_leads(session, ctx.with_access(access), query=query)


@staff_router.post("", status_code=status.HTTP_201_CREATED, responses=errors(409))
async def enter_lead(
    body: LeadEntryCreate, access: LeadsWrite, ctx: RequestCtx, session: DbSession
) -> LeadRead:
    """Enter a lead you took yourself; it is assigned to you."""
    return await staff.enter(session, ctx.with_access(access), data=body)


@staff_router.get("/{lead_id}")
async def view_lead(
    lead_id: LeadId, access: LeadsRead, ctx: RequestCtx, session: DbSession
) -> LeadRead:
    """Show one lead: in plaintext if it is yours (audited), masked otherwise."""
    return await staff.view(session, ctx.with_access(access), lead_id=lead_id)


@staff_router.patch("/{lead_id}", responses=errors(409))
async def update_lead(
    lead_id: LeadId, body: LeadUpdate, access: LeadsWrite, ctx: RequestCtx, session: DbSession
) -> LeadRead:
    """Claim an unassigned lead, or hand over, move the status or estimate the value of yours."""
    return await staff.update(session, ctx.with_access(access), lead_id=lead_id, data=body)


@staff_router.post("/{lead_id}/convert", responses=errors(409))
async def convert_lead(
    lead_id: LeadId, access: LeadsConvert, ctx: RequestCtx, session: DbSession
) -> LeadRead:
    """Invite your lead to become a customer (a single-use sign-up link by mail)."""
    return await conversion.convert(session, ctx.with_access(access), lead_id=lead_id)
