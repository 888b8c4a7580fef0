"""Queries on leads; `visible` is the one scoping rule (own and unassigned for sales)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helio.authz import scoping
from helio.authz.access import Access
from helio.kit.pagination import keyset_page
from helio.models import Lead, User


def visible(access: Access) -> Select[Lead]:
    """Select the leads the caller may see."""
    return select(Lead).where(scoping.leads(access))


async def get_visible(
    session: AsyncSession, access: Access, lead_id: str, *, lock: bool = False
) -> Lead | None:
    """Return one visible lead (locked FOR UPDATE when asked), else None."""
    stmt = visible(access).where(Lead.id == lead_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession, access: Access, *, cursor: str | None, limit: int, status: str | None
) -> tuple[list[Lead], str | None]:
    """Return a page of visible leads (of one status when given), newest first.

    Raises:
        InvalidCursor: the cursor does not decode.
    """
    stmt = visible(access)
    if status is not None:
        stmt = stmt.where(Lead.status == status)
    return await keyset_page(session, stmt, Lead, cursor=cursor, limit=limit)


def add(session: AsyncSession, lead: Lead) -> None:
    """Stage a new lead."""
    session.add(lead)


def _of_customer(customer_id: str) -> Select[Lead]:
    # The customer's leads: those converted into the account, and those left with its email.
    email_index = select(User.email_bidx).where(User.id == customer_id).scalar_subquery()
    return select(Lead).where(or_(Lead.customer_id == customer_id, Lead.email_bidx == email_index))


async def of_customer(session: AsyncSession, customer_id: str) -> list[Lead]:
    """Return the leads of a customer (by account or by email), oldest first (the export)."""
    stmt = _of_customer(customer_id).order_by(Lead.created_at, Lead.id)
    return list((await session.execute(stmt)).scalars())


async def delete_ids(session: AsyncSession, lead_ids: Sequence[str]) -> None:
    """Delete leads."""
    if lead_ids:
        await session.execute(delete(Lead).where(Lead.id.in_(lead_ids)))


async def pipeline(
    session: AsyncSession, since: datetime
) -> list[tuple[int, int, str, str | None, int, Decimal | None]]:
    """Return (year, month, status, currency, count, value) of the leads made since a date."""
    year = func.extract("year", Lead.created_at)
    month = func.extract("month", Lead.created_at)
    stmt = (
        select(
            year, month, Lead.status, Lead.currency, func.count(), func.sum(Lead.estimated_value)
        )
        .where(Lead.created_at >= since)
        .group_by(year, month, Lead.status, Lead.currency)
        .order_by(year, month, Lead.status, Lead.currency)
    )
    rows = (await session.execute(stmt)).all()
    return [(int(r[0]), int(r[1]), r[2], r[3], int(r[4]), r[5]) for r in rows]
