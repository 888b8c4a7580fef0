"""The named guards and typed parameters of /orders and /staff/orders."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Path, Query

from helio.auth.deps import require
from helio.authz.access import Access
from helio.authz.matrix import Perm
from helio.kit.ids import ID_PATTERN
from helio.kit.pagination import CURSOR_PATTERN
from helio.orders.schemas import StaffOrderQuery

OrdersRead = Annotated[Access, require(Perm.ORDERS_READ)]
OrdersCreate = Annotated[Access, require(Perm.ORDERS_CREATE)]
OrdersCancel = Annotated[Access, require(Perm.ORDERS_CANCEL)]
StaffOrdersRead = Annotated[Access, require(Perm.STAFF_ORDERS_READ)]
OrdersManage = Annotated[Access, require(Perm.ORDERS_MANAGE)]
OrdersTransition = Annotated[Access, require(Perm.ORDERS_TRANSITION)]

OrderId = Annotated[str, Path(pattern=ID_PATTERN, description="opaque order id")]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="a client-chosen key: the same key and body give the same order",
    ),
]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(pattern=CURSOR_PATTERN, description="next_cursor of a page")]
StaffOrderParams = Annotated[StaffOrderQuery, Query()]
