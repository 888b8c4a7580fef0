"""Lists: one generic `Page[T]`, one opaque cursor format, keyset order newest first.

A cursor is the base64url (unpadded) of the position of the last row served,
its parts joined by "|": `(created_at, id)` for most lists, `(seq,)` for the
audit trail. Clients treat it as opaque; a cursor of the documented form that does
not decode is a 400 `invalid_cursor` (the form itself is checked like any input:
422). The position only moves within what the caller's scoped query returns, so a
forged cursor reveals nothing.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from helio.errors import BadRequest

T = TypeVar("T")
RowT = TypeVar("RowT")

CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,200}$"
_SEPARATOR = "|"


class InvalidCursor(BadRequest):
    code, message = "invalid_cursor", "The cursor is not valid."


class Page(BaseModel, Generic[T]):
    """One page of a list and the cursor of the next one (None on the last page)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(*parts: str | int) -> str:
    """Return the opaque cursor of a position."""
    raw = _SEPARATOR.join(str(part) for part in parts).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, parts: int) -> list[str]:
    """Return the `parts` parts of a cursor made by `encode_cursor`.

    Raises:
        InvalidCursor: not a cursor of this API, or of another list.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        found = raw.decode("utf-8").split(_SEPARATOR)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor from None
    if len(found) != parts or not all(found):
        raise InvalidCursor
    return found


class Keyed(Protocol):
    """A row with a creation time and a string id."""

    created_at: datetime
    id: str


KeyedT = TypeVar("KeyedT", bound=Keyed)


def position_of(cursor: str | None) -> tuple[datetime, str] | None:
    """Return the (created_at, id) a cursor continues after, or None for the first page.

    Raises:
        InvalidCursor: the cursor is not a (time, id) position.
    """
    if cursor is None:
        return None
    stamp, row_id = decode_cursor(cursor, 2)
    try:
        return datetime.fromisoformat(stamp), row_id
    except ValueError:
        raise InvalidCursor from None


def newest_first(
    stmt: Select[Any], model: Any, *, after: tuple[datetime, str] | None, limit: int
) -> Select[Any]:
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


async def keyset_page(
    session: AsyncSession, stmt: Select[Any], model: Any, *, cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """Return up to `limit` rows of `stmt`, newest first, after the cursor; and the next cursor.

    Raises:
        InvalidCursor: the cursor does not decode.
    """
    query = newest_first(stmt, model, after=position_of(cursor), limit=limit + 1)
    rows = list((await session.execute(query)).scalars())
    return split_page(rows, limit)


def split_page(rows: Sequence[KeyedT], limit: int) -> tuple[list[KeyedT], str | None]:
    """Cut `limit` + 1 rows to a page and the cursor after its last row (if more follow)."""
    page = list(rows[:limit])
    if len(rows) <= limit or not page:
        return page, None
    last = page[-1]
    return page, encode_cursor(last.created_at.isoformat(), last.id)
