"""Quotes, orders and their steps, made the way the app makes them (through the services)."""

from __future__ import annotations

import secrets
from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

from helio.authz.access import check
from helio.authz.matrix import Perm, Role
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import Quote
from helio.orders import service, staff
from helio.orders.schemas import (
    AppointmentWindowCreate,
    OrderCreate,
    OrderRead,
    OrderTransitionCreate,
)
from helio.orders.workflow import FORWARD, WINDOWS, Status
from helio.payments import service as payments
from helio.payments import webhooks
from helio.payments.provider import simulator_for
from helio.platform.app import App
from helio.platform.context import Ctx
from tests.factories.accounts import ctx, principal

PRICE = Decimal("12345.67")


async def make_quote(
    app: App,
    owner_id: str,
    *,
    net_price: Decimal = PRICE,
    currency: str = "USD",
    valid_days: int = 30,
) -> str:
    """Store an offered quote of a customer (a negative `valid_days` makes it expired)."""
    now = utcnow()
    quote = Quote(
        id=new_id(),
        owner_type="customer",
        owner_id=owner_id,
        created_by=owner_id,
        site_id=None,
        status="offered",
        model_version="test-1",
        inputs_digest="0" * 64,
        inputs={"inputs": {"usage": {"monthly_kwh": [400] * 12}}},
        result={"price": {"net": str(net_price)}},
        system_kwp=Decimal("6.400"),
        net_price=net_price,
        currency=currency,
        created_at=now - timedelta(days=1),
        valid_until=now + timedelta(days=valid_days),
    )
    async with app.db.transaction() as session:
        session.add(quote)
    return quote.id


def customer_ctx(app: App, customer_id: str, perm: Perm, *, has_mfa: bool = True) -> Ctx:
    """Return the context of a customer's request with `perm` (with a second factor by default)."""
    return ctx(app, check(principal(customer_id, Role.CUSTOMER, has_mfa=has_mfa), perm))


def staff_ctx(app: App, staff_id: str, perm: Perm, role: Role = Role.SUPPORT) -> Ctx:
    """Return the context of a staff member's request with `perm`."""
    return ctx(app, check(principal(staff_id, role), perm))


def idempotency_key() -> str:
    """Return a fresh Idempotency-Key value."""
    return secrets.token_urlsafe(16)


async def place_order(
    app: App, owner_id: str, quote_id: str | None = None, **body: Any
) -> OrderRead:
    """Place an order for a customer from a quote (a new one when None), through the service."""
    quote_id = quote_id or await make_quote(app, owner_id)
    async with app.db.transaction() as session:
        return await service.place(
            session,
            customer_ctx(app, owner_id, Perm.ORDERS_CREATE),
            data=OrderCreate(quote_id=quote_id, **body),
            idempotency_key=idempotency_key(),
        )


def window(days: int = 7, hours: int = 4) -> AppointmentWindowCreate:
    """Return an appointment window `days` from now, `hours` long, with its offset."""
    starts = (utcnow() + timedelta(days=days)).replace(microsecond=0, tzinfo=UTC)
    return AppointmentWindowCreate(starts_at=starts, ends_at=starts + timedelta(hours=hours))


def step_body(target: Status, **extra: Any) -> OrderTransitionCreate:
    """Return a valid transition to `target` (with a window when the step schedules one)."""
    if target in WINDOWS and "window" not in extra:
        extra["window"] = window()
    return OrderTransitionCreate(to=target, **extra)


async def move(app: App, support_id: str, order_id: str, target: Status) -> OrderRead:
    """Record one step as support, through the service."""
    async with app.db.transaction() as session:
        return await staff.transition(
            session,
            staff_ctx(app, support_id, Perm.ORDERS_TRANSITION),
            order_id=order_id,
            data=step_body(target),
        )


async def pay_deposit(app: App, owner_id: str, order_id: str) -> str:
    """Ask for the deposit as the customer, then deliver the provider's signed success."""
    async with app.db.transaction() as session:
        payment = await payments.request_deposit(
            session, customer_ctx(app, owner_id, Perm.PAYMENTS_CREATE), order_id=order_id
        )
    simulator = simulator_for(app)
    ref = payment.checkout_url.split("#ref=")[1] if payment.checkout_url else ""
    body = simulator.event(
        event_type="payment.succeeded",
        order_id=order_id,
        ref=ref,
        amount=payment.amount,
        currency=payment.currency,
    )
    signature = simulator.headers(body)["Helio-Signature"]
    async with app.db.transaction() as session:
        await webhooks.receive(session, ctx(app), body=body, signature=signature)
    return payment.id


async def advance(app: App, owner_id: str, support_id: str, order_id: str, to: Status) -> None:
    """Move an order forward step by step until it reaches `to` (paying the deposit on the way)."""
    current = Status.PLACED
    while current != to:
        target = FORWARD[current]
        if target == Status.INSTALL_SCHEDULED:
            await pay_deposit(app, owner_id, order_id)
        await move(app, support_id, order_id, target)
        current = target
