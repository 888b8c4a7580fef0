"""Orders hold the on-site contact and, in their timeline, notes people wrote."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio.kit.plain import plain
from helio.models import Order, OrderEvent
from helio.orders import repository
from helio.orders.reads import EVENTS, ORDERS
from helio.platform.personal_data import PersonalData
from helio.security.vault import FieldVault

_FIGURES = ("id", "quote_id", "site_id", "status", "currency", "payment_status")
_TIMES = (
    "survey_starts_at",
    "survey_ends_at",
    "install_starts_at",
    "install_ends_at",
    "created_at",
    "updated_at",
)


async def _open(vault: FieldVault, session: AsyncSession, order: Order, column: str) -> Any:
    return await vault.open(
        session,
        order.customer_id,
        getattr(order, column),
        table=ORDERS,
        column=column,
        row_id=order.id,
    )


async def _timeline(session: AsyncSession, vault: FieldVault, order: Order) -> list[dict[str, Any]]:
    return [
        {
            "seq": event.seq,
            "kind": event.kind,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "actor_role": event.actor_role,
            "at": event.created_at,
            "note": await vault.open(
                session,
                event.customer_id,
                event.note_ct,
                table=EVENTS,
                column="note_ct",
                row_id=event.id,
            ),
        }
        for event in await repository.timeline(session, order.id)
    ]


async def export_orders(
    session: AsyncSession, vault: FieldVault, owner_id: str
) -> list[dict[str, Any]]:
    """Return every order of the customer with its contact and its timeline."""
    return [
        {
            **{name: getattr(order, name) for name in _FIGURES + _TIMES},
            "net_price": plain(order.net_price),
            "system_kwp": plain(order.system_kwp),
            "contact": {
                "name": await _open(vault, session, order, "contact_name_ct"),
                "phone": await _open(vault, session, order, "contact_phone_ct"),
            },
            "timeline": await _timeline(session, vault, order),
        }
        for order in await repository.of_customer(session, owner_id)
    ]


ORDERS_ENTRY = PersonalData(
    owner=Order.customer_id,
    export_as="orders",
    export=export_orders,
    erase=repository.strip_customer,
)
# Exported with their order (above); erasing drops the notes and keeps the steps.
ORDER_EVENTS = PersonalData(
    owner=OrderEvent.customer_id, export_as=None, export=None, erase=repository.strip_notes
)
