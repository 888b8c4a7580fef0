"""Quotes of a customer hold the site's place and energy use they were computed from."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio.kit.plain import plain
from helio.models import Quote
from helio.platform.personal_data import PersonalData
from helio.quotes import repository
from helio.security.vault import FieldVault


async def export_quotes(
    session: AsyncSession, _vault: FieldVault, owner_id: str
) -> list[dict[str, Any]]:
    """Return every quote of the customer with its inputs and result."""
    return [
        {
            "id": quote.id,
            "site_id": quote.site_id,
            "status": quote.status,
            "system_kwp": plain(quote.system_kwp),
            "net_price": plain(quote.net_price),
            "currency": quote.currency,
            "model_version": quote.model_version,
            "inputs": quote.inputs,
            "result": quote.result,
            "created_at": quote.created_at,
            "valid_until": quote.valid_until,
        }
        for quote in await repository.of_customer(session, owner_id)
    ]


QUOTES = PersonalData(
    owner=Quote.owner_id,
    export_as="quotes",
    export=export_quotes,
    erase=repository.strip_customer,
)
