"""/orders (the customer's) and /staff/orders (the console): place, read, cancel, move, correct."""

from __future__ import annotations

from fastapi import APIRouter

from helio.http.deps import DbSession, RequestCtx
from helio.http.openapi import errors
from helio.orders import service, staff
from helio.orders.deps import (
    Cursor,
    IdempotencyKey,
    Limit,
    OrderId,
    OrdersCancel,
    OrdersCreate,
    OrdersManage,
    OrdersRead,
    OrdersTransition,
    StaffOrderParams,
    StaffOrdersRead,
)
from helio.orders.schemas import (
    OrderCancelCreate,
    OrderCreate,
    OrderPage,
    OrderRead,
    OrderTransitionCreate,
    OrderUpdate,
)

router = APIRouter(prefix="/orders", tags=["orders"])
staff_router = APIRouter(prefix="/staff/orders", tags=["staff"])


@router.post("", status_code=201, responses=errors(404, 409))
async def place_order(
    body: OrderCreate,
    key: IdempotencyKey,
    access: OrdersCreate,
    ctx: RequestCtx,
    session: DbSession,
) -> OrderRead:
    """Place an order from one of your valid quotes; the same key and body give the same order."""
    return await service.place(session, ctx.with_access(access), data=body, idempotency_key=key)


@router.get("")
async def list_orders(
    access: OrdersRead,
    ctx: RequestCtx,
    session: DbSession,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> OrderPage:
    """List your orders, newest first."""
    return await service.list_orders(session, ctx.with_access(access), limit=limit, cursor=cursor)


@router.get("/{order_id}")
async def get_order(
    order_id: OrderId, access: OrdersRead, ctx: RequestCtx, session: DbSession
) -> OrderRead:
    """Return one of your orders: status, appointments, on-site contact and timeline."""
    return await service.get_order(session, ctx.with_access(access), order_id=order_id)


@router.post("/{order_id}/cancel", responses=errors(409))
async def cancel_order(
    order_id: OrderId,
    body: OrderCancelCreate,
    access: OrdersCancel,
    ctx: RequestCtx,
    session: DbSession,
) -> OrderRead:
    """Cancel your order (until the site survey is done)."""
    return await service.cancel(session, ctx.with_access(access), order_id=order_id, data=body)


@staff_router.get("")
async def list_staff_orders(
    query: StaffOrderParams, access: StaffOrdersRead, ctx: RequestCtx, session: DbSession
) -> OrderPage:
    """List orders (filter by status), newest first."""
    return await staff.list_staff_orders(session, ctx.with_access(access), query=query)


@staff_router.get("/{order_id}")
async def view_order(
    order_id: OrderId, access: StaffOrdersRead, ctx: RequestCtx, session: DbSession
) -> OrderRead:
    """Show one order with its timeline; the on-site contact is masked (audited)."""
    return await staff.view(session, ctx.with_access(access), order_id=order_id)


@staff_router.patch("/{order_id}", responses=errors(409))
async def update_order(
    order_id: OrderId, body: OrderUpdate, access: OrdersManage, ctx: RequestCtx, session: DbSession
) -> OrderRead:
    """Move the current appointment or correct the on-site contact (reason required)."""
    return await staff.update(session, ctx.with_access(access), order_id=order_id, data=body)


@staff_router.post("/{order_id}/transition", responses=errors(409))
async def transition_order(
    order_id: OrderId,
    body: OrderTransitionCreate,
    access: OrdersTransition,
    ctx: RequestCtx,
    session: DbSession,
) -> OrderRead:
    """Record the order's next step (or cancel it); each step needs its own permission."""
    return await staff.transition(session, ctx.with_access(access), order_id=order_id, data=body)
