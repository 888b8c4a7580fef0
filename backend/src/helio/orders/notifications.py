"""Mail the customer at each step: the step, its appointment and a link; nothing else.

The mail goes to the account's own address and names only what its reader already
knows (their order's step and appointment); the details stay behind the sign-in.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helio.auth.accounts import repository as accounts
from helio.auth.accounts.profiles import read_profile
from helio.mail.messages import compose
from helio.mail.outbox import send_after_commit
from helio.models import Order
from helio.orders.workflow import LABELS, WINDOWS, Status
from helio.platform.context import Ctx


def order_link(ctx: Ctx, order_id: str) -> str:
    """Return the portal page of an order."""
    return f"{ctx.app.settings.public_url.rstrip('/')}/orders/{order_id}"


def _appointment(order: Order, step: Status) -> str:
    window = WINDOWS.get(step)
    starts = getattr(order, f"{window}_starts_at", None) if window else None
    ends = getattr(order, f"{window}_ends_at", None) if window else None
    if starts is None or ends is None:
        return ""
    return f"\n\nAppointment: {starts:%Y-%m-%d %H:%M} to {ends:%H:%M} UTC."


async def step_reached(
    session: AsyncSession, ctx: Ctx, *, order: Order, headline: str | None = None
) -> None:
    """Queue the mail about the order's current step (after commit; never for a rollback)."""
    user = await accounts.get(session, order.customer_id)
    if user is None or user.deleted_at is not None:
        return
    profile = await read_profile(session, ctx.app, user)
    step = Status(order.status)
    message = compose(
        ctx.app.settings,
        to=profile.email,
        template="order_step",
        step=headline or LABELS[step],
        appointment=_appointment(order, step),
        link=order_link(ctx, order.id),
    )
    send_after_commit(session, ctx.app.outbox, message)
