"""Keyset pagination, newest first, on (created_at, id): stable under concurrent inserts."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, or_

RowT = TypeVar("RowT")


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
