"""Queries on quotes; `visible` is the one scoping rule for lists and single lookups."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from helio.authz import scoping
from helio.authz.access import Access
from helio.kit.pagination import page_after_id
from helio.models import Quote


def visible(access: Access) -> Select[Quote]:
    """Select the quotes the caller may see."""
    return select(Quote).where(scoping.quotes(access))


async def get_visible(session: AsyncSession, access: Access, quote_id: str) -> Quote | None:
    """Return one quote if it exists and the caller may see it, else None."""
    result = await session.execute(visible(access).where(Quote.id == quote_id))
    return result.scalar_one_or_none()


async def page(
    session: AsyncSession, access: Access, *, limit: int, after: str | None
) -> list[Quote] | None:
    """Return up to `limit` + 1 visible quotes, newest first, after the quote `after`.

    Returns None when `after` names no visible quote (an invalid cursor).
    """
    return await page_after_id(session, visible(access), Quote, after=after, limit=limit)


def add(session: AsyncSession, quote: Quote) -> None:
    """Stage a new quote."""
    session.add(quote)
