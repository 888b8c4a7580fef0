"""Queries on payment requests and processed provider events."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from helio.authz import scoping
from helio.authz.access import Access
from helio.models import PaymentEvent, PaymentRequest

OPEN = ("requested", "failed", "paid")


def visible(access: Access) -> Select[PaymentRequest]:
    """Select the payment requests the caller may see."""
    return select(PaymentRequest).where(scoping.payments(access))


async def open_deposit(
    session: AsyncSession, access: Access, order_id: str
) -> PaymentRequest | None:
    """Return the order's deposit request that is still requested, failed or paid."""
    stmt = visible(access).where(
        PaymentRequest.order_id == order_id,
        PaymentRequest.kind == "deposit",
        PaymentRequest.status.in_(OPEN),
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def by_ref_locked(session: AsyncSession, provider_ref: str) -> PaymentRequest | None:
    """Return the request a provider reference names, locked FOR UPDATE (webhooks only)."""
    stmt = select(PaymentRequest).where(PaymentRequest.provider_ref == provider_ref)
    return (await session.execute(stmt.with_for_update())).scalar_one_or_none()


async def by_id(session: AsyncSession, payment_id: str) -> PaymentRequest | None:
    """Return a payment request by id, unscoped (the provider simulator's command)."""
    return await session.get(PaymentRequest, payment_id)


async def event_seen(session: AsyncSession, event_id: str) -> bool:
    """Return whether a provider event was processed already."""
    return await session.get(PaymentEvent, event_id) is not None


def add(session: AsyncSession, row: PaymentRequest | PaymentEvent) -> None:
    """Stage a new payment request or processed event."""
    session.add(row)


async def of_customer(session: AsyncSession, customer_id: str) -> list[PaymentRequest]:
    """Return a customer's payment requests, oldest first (the customer's export)."""
    stmt = (
        select(PaymentRequest)
        .where(PaymentRequest.customer_id == customer_id)
        .order_by(PaymentRequest.created_at, PaymentRequest.id)
    )
    return list((await session.execute(stmt)).scalars())
