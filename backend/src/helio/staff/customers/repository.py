"""Queries of the staff customer view; every one is scoped by the caller's access."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from helio.authz import scoping
from helio.authz.access import Access
from helio.models import User


def visible(access: Access) -> Select[User]:
    """Select the customers the caller may see: searches filter by it, views go through it."""
    return select(User).where(scoping.customers(access))


async def get_visible(session: AsyncSession, access: Access, customer_id: str) -> User | None:
    """Return the customer if the caller may see it."""
    stmt = visible(access).where(User.id == customer_id)
    return (await session.execute(stmt)).scalars().first()


async def by_index(
    session: AsyncSession,
    access: Access,
    column: InstrumentedAttribute[Any],
    candidates: Sequence[bytes],
    *,
    limit: int,
) -> list[User]:
    """Return visible customers whose blind index in `column` is one of `candidates`."""
    if not candidates:
        return []
    stmt = visible(access).where(column.in_(list(candidates))).order_by(User.id).limit(limit)
    return list((await session.execute(stmt)).scalars())
