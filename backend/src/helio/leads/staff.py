"""Leads in the console: a salesperson works their own leads and may claim unassigned ones.

Lists are masked; one lead's details are plaintext only for its salesperson (and that
read is audited). A lead becomes a customer through an invitation: a single-use link to
set a password on an account made from the lead's details (the staff invitation's
mechanism), or a link to the account that already has this email.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.auth.accounts import repository as accounts
from helio.authz import rules, scoping
from helio.kit.clock import utcnow
from helio.leads import repository, sealed
from helio.leads.exceptions import LeadConverted, LeadNotYours, StatusNotSettable
from helio.leads.schemas import (
    LeadEntryCreate,
    LeadPage,
    LeadQuery,
    LeadRead,
    LeadStatus,
    LeadUpdate,
)
from helio.leads.service import LEAD, new_lead
from helio.models import Lead
from helio.platform.context import Ctx


async def visible_lead(
    session: AsyncSession, ctx: Ctx, *, lead_id: str, lock: bool = False
) -> Lead:
    """Return a lead the caller may see (their own or an unassigned one).

    Raises:
        NotFound: missing, or another salesperson's.
    """
    access = ctx.caller
    row = await repository.get_visible(session, access, lead_id, lock=lock)
    return scoping.visible_or_404(row, access, LEAD)


async def lead_read(session: AsyncSession, ctx: Ctx, *, lead: Lead, masked: bool) -> LeadRead:
    """Return the console view of a lead (masked unless asked otherwise)."""
    person = await sealed.open_person(session, ctx.app, lead)
    shown = person.masked() if masked else person
    return LeadRead(
        id=lead.id,
        status=LeadStatus(lead.status),
        source=lead.source,
        assignee_id=lead.assignee_id,
        customer_id=lead.customer_id,
        masked=masked,
        name=shown.name,
        phone=shown.phone,
        email=shown.email,
        postcode=shown.postcode,
        message=shown.message,
        estimated_value=lead.estimated_value,
        currency=lead.currency,
        created_at=lead.created_at,
        converted_at=lead.converted_at,
    )


def _yours(ctx: Ctx, lead: Lead) -> bool:
    return lead.assignee_id == ctx.caller.user_id


async def list_leads(session: AsyncSession, ctx: Ctx, *, query: LeadQuery) -> LeadPage:
    """Return a page of the caller's and the unassigned leads, masked, newest first.

    Raises:
        InvalidCursor: a cursor this list did not issue (400).
    """
    status = query.status.value if query.status else None
    rows, next_cursor = await repository.page(
        session, ctx.caller, cursor=query.cursor, limit=query.limit, status=status
    )
    items = [await lead_read(session, ctx, lead=row, masked=True) for row in rows]
    return LeadPage(items=items, next_cursor=next_cursor)


async def view(session: AsyncSession, ctx: Ctx, *, lead_id: str) -> LeadRead:
    """Return one lead: in plaintext to its salesperson (audited), masked to others.

    Raises:
        NotFound: missing, or another salesperson's.
    """
    lead = await visible_lead(session, ctx, lead_id=lead_id)
    mine = _yours(ctx, lead)
    if mine:
        await audit.record(session, ctx, AuditAction.LEAD_VIEWED, target=Target(LEAD, lead.id))
    return await lead_read(session, ctx, lead=lead, masked=not mine)


async def enter(session: AsyncSession, ctx: Ctx, *, data: LeadEntryCreate) -> LeadRead:
    """Store a lead a salesperson took (by phone, at a fair), assigned to them."""
    lead = await new_lead(session, ctx, data=data, source="sales", assignee_id=ctx.caller.user_id)
    await audit.record(session, ctx, AuditAction.LEAD_CREATED, target=Target(LEAD, lead.id))
    return await lead_read(session, ctx, lead=lead, masked=False)


async def update(session: AsyncSession, ctx: Ctx, *, lead_id: str, data: LeadUpdate) -> LeadRead:
    """Claim an unassigned lead, or change one's own: hand over, status, estimated value.

    Raises:
        NotFound: missing, or another salesperson's.
        LeadNotYours: an unassigned lead changed without claiming it (403).
        LeadConverted: the lead is a customer now (409).
        StatusNotSettable: "converted" set by hand (422).
        NotLeadWorker: the new assignee is not an active salesperson (422).
    """
    lead = await visible_lead(session, ctx, lead_id=lead_id, lock=True)
    if lead.status == LeadStatus.CONVERTED:
        raise LeadConverted
    claiming = lead.assignee_id is None and data.assignee_id == ctx.caller.user_id
    if not (_yours(ctx, lead) or claiming):
        raise LeadNotYours
    if data.status == LeadStatus.CONVERTED:
        raise StatusNotSettable
    changed = await _apply(session, lead, data)
    lead.updated_at = utcnow()
    await audit.record(
        session,
        ctx,
        AuditAction.LEAD_UPDATED,
        target=Target(LEAD, lead.id),
        details={"fields": changed, "assignee_id": lead.assignee_id},
    )
    return await lead_read(session, ctx, lead=lead, masked=not _yours(ctx, lead))


async def _apply(session: AsyncSession, lead: Lead, data: LeadUpdate) -> list[str]:
    changes: dict[str, Any] = {name: getattr(data, name) for name in data.model_fields_set}
    if data.assignee_id is not None and data.assignee_id != lead.assignee_id:
        assignee = await accounts.get(session, data.assignee_id)
        roles = await accounts.roles(session, data.assignee_id) if assignee else frozenset()
        rules.works_leads(roles, active=assignee is not None and assignee.status == "active")
    for name, value in changes.items():
        if name == "status" and value is None:
            continue  # a lead always has a status
        setattr(lead, name, value.value if isinstance(value, LeadStatus) else value)
    return sorted(changes)
