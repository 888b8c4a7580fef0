"""Leads made the way the app makes them: the public form and sales' own entries."""

from __future__ import annotations

from typing import Any

from helio.authz.matrix import Perm, Role
from helio.leads import service, staff
from helio.leads.schemas import LeadCreate, LeadEntryCreate
from helio.models import Lead
from helio.platform.app import App
from tests.factories.accounts import ctx
from tests.factories.orders import staff_ctx

LEAD_BODY: dict[str, Any] = {
    "name": "Lena Lead",
    "phone": "+44 20 7946 0018",
    "email": "lena.lead@example.net",
    "postcode": "SW1A 1AA",
    "message": "Please call after 5pm about panels for a south-facing roof.",
}


def lead_body(**changes: Any) -> dict[str, Any]:
    """Return a valid lead form with some fields replaced (None removes one)."""
    body = {**LEAD_BODY, **changes}
    return {name: value for name, value in body.items() if value is not None}


async def public_lead(app: App, **changes: Any) -> str:
    """Store a lead as the public form does (no address checks here); return its id."""
    async with app.db.transaction() as session:
        lead = await service.new_lead(
            session,
            ctx(app),
            data=LeadCreate.model_validate(lead_body(**changes)),
            source="web",
            assignee_id=None,
        )
    return lead.id


async def sales_lead(app: App, salesperson_id: str, **changes: Any) -> str:
    """Store a lead a salesperson entered (assigned to them); return its id."""
    async with app.db.transaction() as session:
        read = await staff.enter(
            session,
            staff_ctx(app, salesperson_id, Perm.LEADS_WRITE, Role.SALES),
            data=LeadEntryCreate.model_validate(lead_body(**changes)),
        )
    return read.id


async def stored_lead(app: App, lead_id: str) -> Lead:
    """Return a lead row as stored now."""
    async with app.db.transaction() as session:
        lead = await session.get(Lead, lead_id)
        assert lead is not None
        return lead
