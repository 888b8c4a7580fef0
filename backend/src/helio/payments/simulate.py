"""The provider simulator as an operator's tool: a signed event about one payment request.

Development and tests only: production has a real provider and refuses this.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from helio.errors import NotFound
from helio.payments import repository
from helio.payments.exceptions import SimulatorRefused
from helio.payments.provider import simulator_for
from helio.platform.context import Ctx

OUTCOMES = {
    "succeeded": "payment.succeeded",
    "failed": "payment.failed",
    "refunded": "payment.refunded",
}


@dataclass(frozen=True)
class SignedEvent:
    """A provider event and the headers that carry its signature."""

    body: bytes
    headers: dict[str, str]


async def signed_event(
    session: AsyncSession, ctx: Ctx, *, payment_id: str, outcome: str
) -> SignedEvent:
    """Return the event the provider would send about a payment, signed as it would sign it.

    Raises:
        SimulatorRefused: in production.
        NotFound: no such payment request.
        KeyError: an outcome other than succeeded, failed or refunded.
    """
    if ctx.app.settings.is_production:
        raise SimulatorRefused
    payment = await repository.by_id(session, payment_id)
    if payment is None:
        raise NotFound
    simulator = simulator_for(ctx.app)
    body = simulator.event(
        event_type=OUTCOMES[outcome],
        order_id=payment.order_id,
        ref=payment.provider_ref,
        amount=payment.amount,
        currency=payment.currency,
    )
    return SignedEvent(body, simulator.headers(body))
