"""Leads: a customer's leads are those converted into the account or left with its email."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from helio.kit.plain import plain
from helio.leads import repository
from helio.leads.sealed import COLUMNS, TABLE
from helio.models import Lead
from helio.platform.personal_data import PersonalData
from helio.security import data_keys
from helio.security.vault import FieldVault


async def export_leads(
    session: AsyncSession, vault: FieldVault, owner_id: str
) -> list[dict[str, Any]]:
    """Return every lead of the customer with what it said."""
    out = []
    for lead in await repository.of_customer(session, owner_id):
        person = {
            field: await vault.open(
                session, lead.id, getattr(lead, column), table=TABLE, column=column, row_id=lead.id
            )
            for field, column in COLUMNS.items()
        }
        out.append(
            {
                "id": lead.id,
                "status": lead.status,
                "created_at": lead.created_at,
                "estimated_value": plain(lead.estimated_value),
                "currency": lead.currency,
                **person,
            }
        )
    return out


async def erase_leads(session: AsyncSession, owner_id: str) -> None:
    """Destroy the data key of each of the customer's leads, then delete the leads."""
    leads = await repository.of_customer(session, owner_id)
    for lead in leads:
        await data_keys.destroy_all(session, lead.id)
    await repository.delete_ids(session, [lead.id for lead in leads])


LEADS = PersonalData(
    # Nullable (a lead may have no account yet); erasure also finds leads by the email index.
    owner=cast("InstrumentedAttribute[str]", Lead.customer_id),
    export_as="leads",
    export=export_leads,
    erase=erase_leads,
)
