"""Read models of orders: the customer's view in full, the staff view with the contact masked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from helio.authz import masking
from helio.models import Order, OrderEvent
from helio.orders import repository
from helio.orders.schemas import (
    AppointmentWindowRead,
    ContactRead,
    OrderRead,
    OrderSummaryRead,
    TimelineEntryRead,
)
from helio.orders.workflow import Status
from helio.platform.app import App

ORDERS, EVENTS = "orders", "order_events"


def _window(starts: datetime | None, ends: datetime | None) -> AppointmentWindowRead | None:
    if starts is None or ends is None:
        return None
    return AppointmentWindowRead(starts_at=starts, ends_at=ends)


def order_summary(order: Order) -> OrderSummaryRead:
    """Return an order's headline (no contact, no timeline)."""
    return OrderSummaryRead(
        id=order.id,
        customer_id=order.customer_id,
        quote_id=order.quote_id,
        site_id=order.site_id,
        status=Status(order.status),
        version=order.version,
        net_price=order.net_price,
        currency=order.currency,
        system_kwp=order.system_kwp,
        payment_status=order.payment_status,
        survey_window=_window(order.survey_starts_at, order.survey_ends_at),
        install_window=_window(order.install_starts_at, order.install_ends_at),
        created_at=order.created_at,
        updated_at=order.updated_at,
    )


async def open_field(session: AsyncSession, app: App, order: Order, column: str) -> str | None:
    """Decrypt one encrypted column of an order (under its customer's data key)."""
    return await app.vault.open(
        session,
        order.customer_id,
        getattr(order, column),
        table=ORDERS,
        column=column,
        row_id=order.id,
    )


async def contact_of(
    session: AsyncSession, app: App, order: Order, *, masked: bool
) -> ContactRead | None:
    """Return the on-site contact, masked for staff."""
    if order.contact_name_ct is None and order.contact_phone_ct is None:
        return None
    name = await open_field(session, app, order, "contact_name_ct")
    phone = await open_field(session, app, order, "contact_phone_ct")
    if masked:
        return ContactRead(name=masking.mask_name(name), phone=masking.mask_phone(phone))
    return ContactRead(name=name, phone=phone)


async def _entry(
    session: AsyncSession, app: App, event: OrderEvent, *, staff: bool
) -> TimelineEntryRead:
    note = await app.vault.open(
        session, event.customer_id, event.note_ct, table=EVENTS, column="note_ct", row_id=event.id
    )
    return TimelineEntryRead(
        seq=event.seq,
        kind=event.kind,
        from_status=event.from_status,
        to_status=event.to_status,
        actor_role=event.actor_role,
        actor_id=event.actor_id if staff else None,
        note=note,
        at=event.created_at,
    )


async def order_read(session: AsyncSession, app: App, order: Order, *, staff: bool) -> OrderRead:
    """Return an order in full: the customer sees the contact, staff a masked one."""
    events = await repository.timeline(session, order.id)
    return OrderRead(
        **order_summary(order).model_dump(),
        contact=await contact_of(session, app, order, masked=staff),
        timeline=[await _entry(session, app, event, staff=staff) for event in events],
    )
