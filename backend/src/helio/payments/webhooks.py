"""The payment webhook: verify the signature, then apply each provider event once.

Order of checks, each refusing before anything is written: the HMAC signature over the
raw body and its five-minute window, the event's shape, the payment it names (locked),
that payment's order, its amount and currency, and whether the event id was seen.
Refusals are audited in their own transaction. Events may arrive out of order: one older
than the newest applied to its payment is stored as "stale" and changes nothing, and a
step the payment cannot take (a failure after a success) is stored as "ignored".
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Outcome, Target
from helio.errors import AppError
from helio.kit.clock import clock, utcnow
from helio.models import PaymentEvent, PaymentRequest
from helio.orders import service as orders
from helio.payments import repository, signing
from helio.payments.exceptions import (
    AmountMismatch,
    EventReplayed,
    PayloadInvalid,
    UnknownOrder,
    UnknownPayment,
)
from helio.payments.provider import webhook_secret
from helio.payments.schemas import PaymentEventCreate, PaymentWebhookRead
from helio.payments.service import PAYMENT
from helio.platform.context import Ctx

STATUS_OF = {
    "payment.succeeded": "paid",
    "payment.failed": "failed",
    "payment.refunded": "refunded",
}
# Which payment states an event may move a payment between; anything else is ignored.
MOVES = frozenset(
    {
        ("requested", "paid"),
        ("requested", "failed"),
        ("failed", "paid"),
        ("failed", "failed"),
        # A refund proves an earlier success, even one whose event is still on its way.
        ("requested", "refunded"),
        ("failed", "refunded"),
        ("paid", "refunded"),
    }
)
# What the order's payment state becomes, and the timeline headline.
ORDER_STATE = {
    "paid": ("deposit_paid", "Deposit received"),
    "failed": ("deposit_failed", "Deposit payment failed"),
    "refunded": ("deposit_refunded", "Deposit refunded"),
}


async def receive(
    session: AsyncSession, ctx: Ctx, *, body: bytes, signature: str | None
) -> PaymentWebhookRead:
    """Verify and apply one provider event.

    Raises:
        SignatureInvalid, TimestampOutOfWindow: not signed by the provider, or too old (400).
        PayloadInvalid, UnknownPayment, UnknownOrder, AmountMismatch: (422).
        EventReplayed: this event id was processed before (409).
    """
    try:
        event, payment = await _verified(session, ctx, body, signature)
        effect = await _store(session, event, payment)
    except AppError as refused:
        await audit.record_separately(
            ctx.app.db,
            ctx,
            AuditAction.PAYMENT_WEBHOOK_REFUSED,
            outcome=Outcome.DENIED,
            reason=refused.code,
        )
        raise
    if effect == "applied":
        await _apply(session, ctx, event, payment)
    await audit.record(
        session,
        ctx,
        AuditAction.PAYMENT_EVENT_APPLIED,
        target=Target(PAYMENT, payment.id),
        details={"event_id": event.id, "type": event.type, "effect": effect},
    )
    return PaymentWebhookRead(received=True, effect=effect)


async def _verified(
    session: AsyncSession, ctx: Ctx, body: bytes, signature: str | None
) -> tuple[PaymentEventCreate, PaymentRequest]:
    signing.verify(webhook_secret(ctx.app), signature, body, now=clock.timestamp())
    try:
        event = PaymentEventCreate.model_validate_json(body)
    except ValidationError:
        raise PayloadInvalid from None
    payment = await repository.by_ref_locked(session, event.data.payment_ref)
    if payment is None:
        raise UnknownPayment
    if payment.order_id != event.data.order_id:
        raise UnknownOrder
    if event.amount != payment.amount or event.data.currency != payment.currency:
        raise AmountMismatch
    if await repository.event_seen(session, event.id):
        raise EventReplayed
    return event, payment


def occurred_at(event: PaymentEventCreate) -> datetime:
    """Return when the provider made the event, as a naive UTC time."""
    return datetime.fromtimestamp(event.created, UTC).replace(tzinfo=None)


def effect_of(payment: PaymentRequest, event: PaymentEventCreate) -> str:
    """Return what an event does to a payment: "applied", "stale" or "ignored"."""
    if payment.last_event_at is not None and occurred_at(event) < payment.last_event_at:
        return "stale"
    return "applied" if (payment.status, STATUS_OF[event.type]) in MOVES else "ignored"


async def _store(session: AsyncSession, event: PaymentEventCreate, payment: PaymentRequest) -> str:
    effect = effect_of(payment, event)
    row = PaymentEvent(
        event_id=event.id,
        event_type=event.type,
        payment_id=payment.id,
        outcome=effect,
        occurred_at=occurred_at(event),
        received_at=utcnow(),
    )
    try:
        async with session.begin_nested():
            repository.add(session, row)
            await session.flush()
    except IntegrityError:
        raise EventReplayed from None  # the same event, delivered twice at once
    return effect


async def _apply(
    session: AsyncSession, ctx: Ctx, event: PaymentEventCreate, payment: PaymentRequest
) -> None:
    status = STATUS_OF[event.type]
    now = utcnow()
    payment.status = status
    payment.last_event_at = occurred_at(event)
    payment.updated_at = now
    if status == "paid":
        payment.paid_at = now
    order_state, headline = ORDER_STATE[status]
    await orders.record_payment(
        session, ctx, order_id=payment.order_id, payment_status=order_state, headline=headline
    )
