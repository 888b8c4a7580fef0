"""Queries on orders and their timeline; `visible` is the one scoping rule."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helio.authz import scoping
from helio.authz.access import Access
from helio.kit.pagination import keyset_page
from helio.models import Order, OrderEvent


def visible(access: Access) -> Select[Order]:
    """Select the orders the caller may see."""
    return select(Order).where(scoping.orders(access))


async def get_visible(
    session: AsyncSession, access: Access, order_id: str, *, lock: bool = False
) -> Order | None:
    """Return one visible order (locked FOR UPDATE when asked), else None."""
    stmt = visible(access).where(Order.id == order_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    access: Access,
    *,
    cursor: str | None,
    limit: int,
    status: str | None = None,
) -> tuple[list[Order], str | None]:
    """Return a page of visible orders (of one status when given), newest first.

    Raises:
        InvalidCursor: the cursor does not decode.
    """
    stmt = visible(access)
    if status is not None:
        stmt = stmt.where(Order.status == status)
    return await keyset_page(session, stmt, Order, cursor=cursor, limit=limit)


async def lock(session: AsyncSession, order_id: str) -> Order | None:
    """Return an order locked FOR UPDATE, unscoped (for signed provider events only)."""
    stmt = select(Order).where(Order.id == order_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_idempotency_key(session: AsyncSession, customer_id: str, key: str) -> Order | None:
    """Return the customer's order placed with this idempotency key, if any."""
    stmt = select(Order).where(Order.customer_id == customer_id, Order.idempotency_key == key)
    return (await session.execute(stmt)).scalar_one_or_none()


async def quote_ordered(session: AsyncSession, quote_id: str) -> bool:
    """Return whether a quote was already turned into an order."""
    stmt = select(func.count()).select_from(Order).where(Order.quote_id == quote_id)
    return bool((await session.execute(stmt)).scalar_one())


def add(session: AsyncSession, row: Order | OrderEvent) -> None:
    """Stage a new order or timeline entry."""
    session.add(row)


async def timeline(session: AsyncSession, order_id: str) -> list[OrderEvent]:
    """Return an order's timeline, oldest first."""
    stmt = select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.seq)
    return list((await session.execute(stmt)).scalars())


async def of_customer(session: AsyncSession, customer_id: str) -> list[Order]:
    """Return a customer's orders, oldest first (the customer's export)."""
    stmt = (
        select(Order).where(Order.customer_id == customer_id).order_by(Order.created_at, Order.id)
    )
    return list((await session.execute(stmt)).scalars())


async def strip_customer(session: AsyncSession, customer_id: str) -> None:
    """Strip a shredded customer's orders to their figures and steps.

    The on-site contact and the site go; status, price and the dates of each step stay
    for accounting and warranty.
    """
    await session.execute(
        update(Order)
        .where(Order.customer_id == customer_id)
        .values(contact_name_ct=None, contact_phone_ct=None, site_id=None)
    )


async def strip_notes(session: AsyncSession, customer_id: str) -> None:
    """Drop the notes of a shredded customer's timelines; who moved which step, when, stays."""
    await session.execute(
        update(OrderEvent).where(OrderEvent.customer_id == customer_id).values(note_ct=None)
    )


async def pipeline(
    session: AsyncSession, since: datetime
) -> list[tuple[int, int, str, str, int, Decimal | None]]:
    """Return (year, month, status, currency, count, value) of the orders placed since a date."""
    year = func.extract("year", Order.created_at)
    month = func.extract("month", Order.created_at)
    stmt = (
        select(year, month, Order.status, Order.currency, func.count(), func.sum(Order.net_price))
        .where(Order.created_at >= since)
        .group_by(year, month, Order.status, Order.currency)
        .order_by(year, month, Order.status, Order.currency)
    )
    rows = (await session.execute(stmt)).all()
    return [(int(r[0]), int(r[1]), r[2], r[3], int(r[4]), r[5]) for r in rows]
