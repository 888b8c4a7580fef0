"""Queries on quotes; `visible` is the one scoping rule for lists and single lookups."""

from __future__ import annotations

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helio.authz import scoping
from helio.authz.access import Access
from helio.kit.pagination import keyset_page
from helio.models import Quote

CUSTOMER = "customer"


def visible(access: Access) -> Select[Quote]:
    """Select the quotes the caller may see."""
    return select(Quote).where(scoping.quotes(access))


async def get_visible(session: AsyncSession, access: Access, quote_id: str) -> Quote | None:
    """Return one quote if it exists and the caller may see it, else None."""
    result = await session.execute(visible(access).where(Quote.id == quote_id))
    return result.scalar_one_or_none()


async def page(
    session: AsyncSession, access: Access, *, cursor: str | None, limit: int
) -> tuple[list[Quote], str | None]:
    """Return up to `limit` visible quotes, newest first, after the cursor; and the next cursor.

    Raises:
        InvalidCursor: the cursor does not decode.
    """
    return await keyset_page(session, visible(access), Quote, cursor=cursor, limit=limit)


def add(session: AsyncSession, quote: Quote) -> None:
    """Stage a new quote."""
    session.add(quote)


async def of_customer(session: AsyncSession, customer_id: str) -> list[Quote]:
    """Return the quotes a customer owns, oldest first (the customer's export)."""
    stmt = (
        select(Quote)
        .where(Quote.owner_type == CUSTOMER, Quote.owner_id == customer_id)
        .order_by(Quote.created_at, Quote.id)
    )
    return list((await session.execute(stmt)).scalars())


async def strip_customer(session: AsyncSession, customer_id: str) -> None:
    """Strip a customer's quotes to their figures: the inputs (place, energy use) are personal.

    Quotes keep their figures (price, size, result) for accounting.
    """
    await session.execute(
        update(Quote)
        .where(Quote.owner_type == CUSTOMER, Quote.owner_id == customer_id)
        .values(inputs={"erased": True}, site_id=None)
    )
