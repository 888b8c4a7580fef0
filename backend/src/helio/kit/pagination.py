"""Keyset pagination, newest first, on (created_at, id): stable under concurrent inserts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

RowT = TypeVar("RowT")


class Keyed(Protocol):
    """A row with a creation time and a string id."""

    created_at: datetime
    id: str


KeyedT = TypeVar("KeyedT", bound=Keyed)


def newest_first(
    stmt: Select[RowT], model: Any, *, after: tuple[datetime, str] | None, limit: int
) -> Select[RowT]:
    """Order `stmt` newest first and continue after the (created_at, id) position, if any."""
    if after is not None:
        created, row_id = after
        stmt = stmt.where(
            or_(
                model.created_at < created,
                and_(model.created_at == created, model.id < row_id),
            )
        )
    return stmt.order_by(model.created_at.desc(), model.id.desc()).limit(limit)


async def page_after_id(
    session: AsyncSession, stmt: Select[KeyedT], model: Any, *, after: str | None, limit: int
) -> list[KeyedT] | None:
    """Return up to `limit` + 1 rows of `stmt`, newest first, after the row with id `after`.

    The anchor is looked up through `stmt` itself, so a cursor naming a row the
    caller may not see is refused like one that does not exist (None).
    """
    position = None
    if after is not None:
        anchor = (await session.execute(stmt.where(model.id == after))).scalar_one_or_none()
        if anchor is None:
            return None
        position = (anchor.created_at, anchor.id)
    query = newest_first(stmt, model, after=position, limit=limit + 1)
    return list((await session.execute(query)).scalars())
