"""Deposits: the customer asks to pay one; its amount comes from the order and the settings."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.kit.ids import new_id
from helio.models import PaymentRequest
from helio.orders import service as orders
from helio.payments import repository
from helio.payments.exceptions import OrderNotPayable
from helio.payments.provider import provider_for
from helio.payments.schemas import PaymentRequestRead
from helio.platform.context import Ctx

PAYMENT = "payment"
DEPOSIT = "deposit"
CENT = Decimal("0.01")
UNPAYABLE = frozenset({"cancelled", "activated"})


def deposit_amount(net_price: Decimal, pct: Decimal) -> Decimal:
    """Return the deposit for a price: `pct` percent, rounded half up to the cent."""
    return (net_price * pct / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)


async def request_deposit(session: AsyncSession, ctx: Ctx, *, order_id: str) -> PaymentRequestRead:
    """Open the deposit payment of one of the caller's orders (the open one if it exists).

    Raises:
        NotFound: missing or not the caller's order.
        OrderNotPayable: the order is cancelled or finished (409).
    """
    order = await orders.order_for_payment(session, ctx, order_id=order_id)
    if order.status in UNPAYABLE:
        raise OrderNotPayable
    provider = provider_for(ctx.app)
    existing = await repository.open_deposit(session, ctx.caller, order.id)
    if existing is not None:
        return payment_read(existing, provider.checkout_url(existing.provider_ref))
    amount = deposit_amount(order.net_price, ctx.app.settings.deposit_pct)
    payment_id = new_id()
    checkout = provider.checkout(payment_id=payment_id, amount=amount, currency=order.currency)
    payment = PaymentRequest(
        id=payment_id,
        order_id=order.id,
        customer_id=order.customer_id,
        kind=DEPOSIT,
        amount=amount,
        currency=order.currency,
        status="requested",
        provider=provider.name,
        provider_ref=checkout.ref,
    )
    repository.add(session, payment)
    await session.flush()
    await orders.record_payment(
        session,
        ctx,
        order_id=order.id,
        payment_status="deposit_requested",
        headline="Deposit requested",
    )
    await audit.record(
        session,
        ctx,
        AuditAction.PAYMENT_REQUESTED,
        target=Target(PAYMENT, payment.id),
        details={"order_id": order.id, "kind": DEPOSIT},
    )
    return payment_read(payment, checkout.url)


def payment_read(payment: PaymentRequest, checkout_url: str | None) -> PaymentRequestRead:
    """Return the customer's view of a payment request."""
    fields: dict[str, Any] = {
        name: getattr(payment, name)
        for name in ("id", "order_id", "kind", "amount", "currency", "status", "created_at")
    }
    open_url = checkout_url if payment.status in ("requested", "failed") else None
    return PaymentRequestRead(**fields, checkout_url=open_url, paid_at=payment.paid_at)
