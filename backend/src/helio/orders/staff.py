"""Orders in the staff console: list and view (contact masked), move steps, reschedule, correct.

Each step needs the route's permission and the step's own one from the matrix
(`workflow.STEP_PERMISSIONS`); every read of one order and every change is audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Target
from helio.authz import masking
from helio.authz.access import acting_role, check
from helio.errors import Forbidden
from helio.models import Order
from helio.orders import notifications, repository, transitions, workflow
from helio.orders.exceptions import RescheduleNotAllowed, StepNotPermitted, TransitionNotAllowed
from helio.orders.reads import ORDERS, open_field, order_read, order_summary
from helio.orders.schemas import (
    AppointmentWindowCreate,
    OrderPage,
    OrderRead,
    OrderTransitionCreate,
    OrderUpdate,
    StaffOrderQuery,
)
from helio.orders.service import visible_order
from helio.orders.transitions import ORDER, Move
from helio.orders.workflow import Status
from helio.platform.context import Ctx
from helio.staff.grants import service as grants


async def list_staff_orders(
    session: AsyncSession, ctx: Ctx, *, query: StaffOrderQuery
) -> OrderPage:
    """Return a page of the orders the caller may see, of one status when asked, newest first.

    Raises:
        InvalidCursor: a cursor this list did not issue (400).
    """
    rows, next_cursor = await repository.page(
        session,
        ctx.caller,
        cursor=query.cursor,
        limit=query.limit,
        status=query.status.value if query.status else None,
    )
    return OrderPage(items=[order_summary(row) for row in rows], next_cursor=next_cursor)


async def view(session: AsyncSession, ctx: Ctx, *, order_id: str) -> OrderRead:
    """Return one order with its timeline and the on-site contact masked; audited.

    Raises:
        NotFound: missing, or hidden from the caller (an engineer without a grant).
    """
    order = await visible_order(session, ctx, order_id=order_id)
    await audit.record(session, ctx, AuditAction.ORDER_VIEWED, target=Target(ORDER, order.id))
    await grants.record_use(session, ctx, customer_id=order.customer_id, use="order")
    return await order_read(session, ctx.app, order, staff=True)


async def transition(
    session: AsyncSession, ctx: Ctx, *, order_id: str, data: OrderTransitionCreate
) -> OrderRead:
    """Move an order to its next step (or cancel it) under a row lock.

    Raises:
        StepNotPermitted: the caller's role may not record this step (403).
        NotFound: no such order for the caller.
        TransitionNotAllowed: not a legal step from the current one (409).
        OrderChanged, DepositNotPaid: a stale version, or installation before the deposit (409).
        WindowRequired, WindowNotAllowed, WindowOutOfRange: (422).
    """
    perm = workflow.STEP_PERMISSIONS.get(data.to)
    if perm is None:
        raise TransitionNotAllowed  # "placed" is where an order starts, never a step
    principal = ctx.caller.principal
    try:
        check(principal, perm)
    except Forbidden:
        raise StepNotPermitted from None
    order = await visible_order(session, ctx, order_id=order_id, lock=True)
    step = Move(data.to, note=data.note, window=data.window, version=data.version)
    role = acting_role(principal, perm)
    await transitions.move(session, ctx, order=order, step=step, role=role, by_customer=False)
    return await order_read(session, ctx.app, order, staff=True)


async def update(session: AsyncSession, ctx: Ctx, *, order_id: str, data: OrderUpdate) -> OrderRead:
    """Move the current appointment or correct the on-site contact; audited with before/after.

    Personal values (the contact) appear masked in the audit details.

    Raises:
        NotFound: no such order for the caller.
        OrderChanged: a stale version (409).
        RescheduleNotAllowed: the window is not the current step's appointment (409).
        WindowOutOfRange: the new window is in the past or too far ahead (422).
    """
    order = await visible_order(session, ctx, order_id=order_id, lock=True)
    transitions.check_version(order, data.version)
    changes: dict[str, Any] = {}
    for which in ("survey", "install"):
        window = getattr(data, f"{which}_window")
        if window is not None:
            changes[f"{which}_window"] = _reschedule(order, which, window)
    if data.contact is not None:
        changes["contact"] = await _correct_contact(session, ctx, order, data)
    kind = "rescheduled" if set(changes) - {"contact"} else "corrected"
    role = acting_role(ctx.caller.principal, ctx.caller.perm)
    await transitions.append_event(
        session, ctx, order=order, kind=kind, from_status=order.status, role=role
    )
    await audit.record(
        session,
        ctx,
        AuditAction.ORDER_UPDATED,
        target=Target(ORDER, order.id),
        reason=data.reason,
        details={"changes": changes, "version": order.version},
    )
    if kind == "rescheduled":
        label = workflow.LABELS[Status(order.status)]
        await notifications.step_reached(session, ctx, order=order, headline=f"{label} (moved)")
    return await order_read(session, ctx.app, order, staff=True)


def _reschedule(order: Order, which: str, window: AppointmentWindowCreate) -> dict[str, Any]:
    if workflow.WINDOWS.get(Status(order.status)) != which:
        raise RescheduleNotAllowed
    before = {
        "starts_at": _iso(getattr(order, f"{which}_starts_at")),
        "ends_at": _iso(getattr(order, f"{which}_ends_at")),
    }
    transitions.set_window(order, which, window)
    after = {
        "starts_at": _iso(getattr(order, f"{which}_starts_at")),
        "ends_at": _iso(getattr(order, f"{which}_ends_at")),
    }
    return {"before": before, "after": after}


def _iso(value: Any) -> str | None:
    return None if value is None else f"{value.isoformat()}Z"


async def _correct_contact(
    session: AsyncSession, ctx: Ctx, order: Order, data: OrderUpdate
) -> dict[str, Any]:
    assert data.contact is not None
    name = await open_field(session, ctx.app, order, "contact_name_ct")
    phone = await open_field(session, ctx.app, order, "contact_phone_ct")
    before = {"name": masking.mask_name(name), "phone": masking.mask_phone(phone)}
    for column, value in (
        ("contact_name_ct", data.contact.name),
        ("contact_phone_ct", data.contact.phone),
    ):
        sealed = await ctx.app.vault.seal(
            session, order.customer_id, value, table=ORDERS, column=column, row_id=order.id
        )
        setattr(order, column, sealed)
    after = {
        "name": masking.mask_name(data.contact.name),
        "phone": masking.mask_phone(data.contact.phone),
    }
    return {"before": before, "after": after}
