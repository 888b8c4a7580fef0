"""The one write path of the workflow: check the move, write it, add it to the timeline.

The caller holds the order row locked (`SELECT … FOR UPDATE`), so two moves of one order
run one after the other and the second sees the first one's result: it is refused (409)
when its step is no longer legal, or when it names the version it saw and that changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.authz.matrix import Role
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import Order, OrderEvent
from helio.orders import notifications, repository, workflow
from helio.orders.exceptions import OrderChanged
from helio.orders.fields import stored
from helio.orders.reads import EVENTS
from helio.orders.schemas import AppointmentWindowCreate
from helio.orders.workflow import Status
from helio.platform.context import Ctx

ORDER = "order"
DEPOSIT_PAID, REFUND_DUE = "deposit_paid", "refund_due"


@dataclass(frozen=True)
class Move:
    """A requested step: where to, why, its appointment and the order version the actor saw."""

    target: Status
    note: str | None = None
    window: AppointmentWindowCreate | None = None
    version: int | None = None


def check_version(order: Order, version: int | None) -> None:
    """Refuse a change made against an older version of the order.

    Raises:
        OrderChanged: the order changed since the actor read it (409).
    """
    if version is not None and version != order.version:
        raise OrderChanged


def set_window(order: Order, which: str, window: AppointmentWindowCreate) -> None:
    """Store an appointment window (in the future, within a year) on the order.

    Raises:
        WindowOutOfRange: in the past or too far ahead (422).
    """
    starts, ends = stored(window.starts_at), stored(window.ends_at)
    workflow.check_window(starts, utcnow())
    setattr(order, f"{which}_starts_at", starts)
    setattr(order, f"{which}_ends_at", ends)


async def append_event(
    session: AsyncSession,
    ctx: Ctx,
    *,
    order: Order,
    kind: str,
    from_status: str | None,
    role: Role,
    note: str | None = None,
) -> OrderEvent:
    """Bump the order's version and add the matching timeline entry (seq = version).

    A new order starts at version 0: its first entry ("placed") makes it version 1.
    """
    now = utcnow()
    order.version += 1
    if order.version > 1:
        order.updated_at = now
    event = OrderEvent(
        id=new_id(),
        order_id=order.id,
        customer_id=order.customer_id,
        seq=order.version,
        kind=kind,
        from_status=from_status,
        to_status=order.status,
        actor_id=ctx.principal.user_id if ctx.principal else None,
        actor_role=role.value if ctx.principal else "system",
        created_at=now,
    )
    event.note_ct = await ctx.app.vault.seal(
        session, order.customer_id, note, table=EVENTS, column="note_ct", row_id=event.id
    )
    repository.add(session, event)
    return event


async def move(
    session: AsyncSession, ctx: Ctx, *, order: Order, step: Move, role: Role, by_customer: bool
) -> None:
    """Move a locked order one step (or cancel it), record it, and tell the customer.

    Raises:
        OrderChanged: a stale version (409).
        TransitionNotAllowed, DepositNotPaid: the workflow refuses the move (409).
        WindowRequired, WindowNotAllowed, WindowOutOfRange: the appointment is wrong (422).
    """
    check_version(order, step.version)
    current = Status(order.status)
    workflow.check_move(
        current,
        step.target,
        by_customer=by_customer,
        has_window=step.window is not None,
        deposit_paid=order.payment_status == DEPOSIT_PAID,
    )
    if step.window is not None:
        set_window(order, workflow.WINDOWS[step.target], step.window)
    order.status = step.target.value
    if step.target == Status.CANCELLED and order.payment_status == DEPOSIT_PAID:
        order.payment_status = REFUND_DUE
    await append_event(
        session, ctx, order=order, kind="step", from_status=current, role=role, note=step.note
    )
    await _audit_move(session, ctx, order, current, by_customer)
    await notifications.step_reached(session, ctx, order=order)


async def _audit_move(
    session: AsyncSession, ctx: Ctx, order: Order, previous: Status, by_customer: bool
) -> None:
    if order.status == Status.CANCELLED:
        action = AuditAction.ORDER_CANCELLED
        details = {"from": previous.value, "by": "customer" if by_customer else "staff"}
    else:
        action = AuditAction.ORDER_TRANSITIONED
        details = {"from": previous.value, "to": order.status}
    await audit.record(
        session,
        ctx,
        action,
        target=Target(ORDER, order.id),
        details={**details, "version": order.version},
    )
