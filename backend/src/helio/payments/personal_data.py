"""Payment requests of a customer: amounts and ids, kept as accounting records."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio.kit.plain import plain
from helio.models import PaymentRequest
from helio.payments import repository
from helio.platform.personal_data import PersonalData
from helio.security.vault import FieldVault

_FIELDS = ("id", "order_id", "kind", "currency", "status", "created_at", "paid_at")


async def export_payments(
    session: AsyncSession, _vault: FieldVault, owner_id: str
) -> list[dict[str, Any]]:
    """Return every payment request of the customer."""
    return [
        {**{name: getattr(row, name) for name in _FIELDS}, "amount": plain(row.amount)}
        for row in await repository.of_customer(session, owner_id)
    ]


PAYMENTS = PersonalData(
    owner=PaymentRequest.customer_id,
    export_as="payments",
    export=export_payments,
    erase=None,
    kept_because="amounts, dates and ids only: accounting records that name no one",
)
