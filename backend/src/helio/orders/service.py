"""Orders of the customer: place one from a quote (idempotent per key), read, cancel.

Also the functions other domains call: payments read an order and record its payment
state; the pipeline report counts orders by month and step.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.authz import scoping
from helio.authz.matrix import Role
from helio.errors import NotFound
from helio.kit.ids import new_id
from helio.models import Order
from helio.orders import notifications, repository, transitions
from helio.orders.exceptions import (
    IdempotencyKeyReused,
    MfaEnrolmentRequired,
    QuoteAlreadyOrdered,
    QuoteExpired,
)
from helio.orders.reads import ORDERS, order_read, order_summary
from helio.orders.schemas import (
    ContactCreate,
    OrderCancelCreate,
    OrderCreate,
    OrderPage,
    OrderRead,
    OrderSummaryRead,
)
from helio.orders.transitions import ORDER, Move
from helio.orders.workflow import Status
from helio.platform.context import Ctx
from helio.quotes import service as quotes
from helio.quotes.schemas import QuoteRead


def request_digest(data: OrderCreate) -> str:
    """Return the digest of a request body: the same key must come with the same body."""
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def place(
    session: AsyncSession, ctx: Ctx, *, data: OrderCreate, idempotency_key: str
) -> OrderRead:
    """Turn one of the caller's valid quotes into an order; a repeated key returns that order.

    Price, currency and size are copied from the stored quote, never from the request.

    Raises:
        MfaEnrolmentRequired: the customer has no second factor yet (403).
        IdempotencyKeyReused: the key came before with another body (409).
        NotFound: the quote is missing or not the caller's (404).
        QuoteExpired: the quote's validity has passed (409).
        QuoteAlreadyOrdered: the quote was ordered under another key (409).
    """
    access = ctx.caller
    if not access.principal.has_mfa:
        raise MfaEnrolmentRequired
    digest = request_digest(data)
    earlier = await repository.by_idempotency_key(session, access.user_id, idempotency_key)
    if earlier is not None:
        return await _replay(session, ctx, earlier, digest)
    quote = await quotes.get_quote(session, ctx, quote_id=data.quote_id)
    if quote.expired:
        raise QuoteExpired
    if await repository.quote_ordered(session, quote.id):
        raise QuoteAlreadyOrdered
    order = _from_quote(quote, access.user_id, idempotency_key, digest)
    try:
        async with session.begin_nested():
            repository.add(session, order)
            await session.flush()
    except IntegrityError:
        # A concurrent request won the key (or the quote): answer as its replay would.
        winner = await repository.by_idempotency_key(session, access.user_id, idempotency_key)
        if winner is None:
            raise QuoteAlreadyOrdered from None
        return await _replay(session, ctx, winner, digest)
    await _write_contact(session, ctx, order, data.contact)
    await transitions.append_event(
        session, ctx, order=order, kind="step", from_status=None, role=Role.CUSTOMER
    )
    await audit.record(
        session,
        ctx,
        AuditAction.ORDER_PLACED,
        target=Target(ORDER, order.id),
        details={"quote_id": quote.id, "fields": sorted(data.model_fields_set)},
    )
    await notifications.step_reached(session, ctx, order=order)
    return await order_read(session, ctx.app, order, staff=False)


def _from_quote(quote: QuoteRead, customer_id: str, key: str, digest: str) -> Order:
    return Order(
        id=new_id(),
        customer_id=customer_id,
        quote_id=quote.id,
        site_id=quote.site_id,
        status=Status.PLACED.value,
        version=0,
        idempotency_key=key,
        request_digest=digest,
        net_price=quote.net_price,
        currency=quote.currency,
        system_kwp=Decimal(str(quote.system_kwp)),
        payment_status="none",
    )


async def _replay(session: AsyncSession, ctx: Ctx, order: Order, digest: str) -> OrderRead:
    if order.request_digest != digest:
        raise IdempotencyKeyReused
    return await order_read(session, ctx.app, order, staff=False)


async def _write_contact(
    session: AsyncSession, ctx: Ctx, order: Order, contact: ContactCreate | None
) -> None:
    """Seal the on-site contact under the customer's data key (None clears nothing)."""
    if contact is None:
        return
    for column, value in (("contact_name_ct", contact.name), ("contact_phone_ct", contact.phone)):
        sealed = await ctx.app.vault.seal(
            session, order.customer_id, value, table=ORDERS, column=column, row_id=order.id
        )
        setattr(order, column, sealed)


async def visible_order(
    session: AsyncSession, ctx: Ctx, *, order_id: str, lock: bool = False
) -> Order:
    """Return an order the caller may see (locked when asked).

    Raises:
        NotFound: missing or hidden from the caller (the same 404).
    """
    access = ctx.caller
    row = await repository.get_visible(session, access, order_id, lock=lock)
    return scoping.visible_or_404(row, access, ORDER)


async def list_orders(
    session: AsyncSession, ctx: Ctx, *, limit: int, cursor: str | None
) -> OrderPage:
    """Return one page of the caller's orders, newest first.

    Raises:
        InvalidCursor: a cursor this list did not issue (400).
    """
    rows, next_cursor = await repository.page(session, ctx.caller, cursor=cursor, limit=limit)
    return OrderPage(items=[order_summary(row) for row in rows], next_cursor=next_cursor)


async def get_order(session: AsyncSession, ctx: Ctx, *, order_id: str) -> OrderRead:
    """Return one of the caller's orders with its contact and timeline.

    Raises:
        NotFound: missing or not the caller's.
    """
    order = await visible_order(session, ctx, order_id=order_id)
    return await order_read(session, ctx.app, order, staff=False)


async def cancel(
    session: AsyncSession, ctx: Ctx, *, order_id: str, data: OrderCancelCreate
) -> OrderRead:
    """Cancel one of the caller's orders while the workflow lets a customer do so.

    Raises:
        NotFound: missing or not the caller's.
        TransitionNotAllowed: past the steps a customer may cancel in (409).
    """
    order = await visible_order(session, ctx, order_id=order_id, lock=True)
    step = Move(Status.CANCELLED, note=data.note)
    await transitions.move(
        session, ctx, order=order, step=step, role=Role.CUSTOMER, by_customer=True
    )
    return await order_read(session, ctx.app, order, staff=False)


async def order_for_payment(session: AsyncSession, ctx: Ctx, *, order_id: str) -> OrderSummaryRead:
    """Return the headline of an order the caller may see (payments read price and state).

    Raises:
        NotFound: missing or hidden from the caller.
    """
    return order_summary(await visible_order(session, ctx, order_id=order_id))


async def record_payment(
    session: AsyncSession, ctx: Ctx, *, order_id: str, payment_status: str, headline: str
) -> None:
    """Record a change of an order's payment state in its timeline (payments call this).

    The payment's own checks (signature, amount, currency) ran before; this only writes.

    Raises:
        NotFound: no such order.
    """
    order = await repository.lock(session, order_id)
    if order is None:
        raise NotFound
    order.payment_status = payment_status
    await transitions.append_event(
        session, ctx, order=order, kind="payment", from_status=order.status, role=Role.CUSTOMER
    )
    if payment_status == transitions.DEPOSIT_PAID:
        await notifications.step_reached(session, ctx, order=order, headline=headline)


@dataclass(frozen=True)
class PipelineCount:
    """Orders placed in one month, now at one step, in one currency: how many, how much."""

    month: str
    status: str
    currency: str
    count: int
    value: Decimal


async def pipeline(session: AsyncSession, ctx: Ctx, *, since: datetime) -> list[PipelineCount]:
    """Count the orders placed since a date by month placed, step and currency (no one named)."""
    return [
        PipelineCount(f"{year:04d}-{month:02d}", status, currency, count, Decimal(value or 0))
        for year, month, status, currency, count, value in await repository.pipeline(session, since)
    ]
