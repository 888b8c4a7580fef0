"""Queries on just-in-time access grants."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from helio.authz import scoping
from helio.authz.access import Access
from helio.kit.pagination import keyset_page
from helio.models import AccessGrant, User

PENDING, APPROVED, DENIED, REVOKED = "pending", "approved", "denied", "revoked"


def add(session: AsyncSession, grant: AccessGrant) -> None:
    """Stage a new grant."""
    session.add(grant)


def visible(access: Access) -> Select[AccessGrant]:
    """Select the grants the caller may see: lists filter by it, single lookups go through it."""
    return select(AccessGrant).where(scoping.grants(access))


async def get_visible(
    session: AsyncSession, access: Access, grant_id: str, *, lock: bool = False
) -> AccessGrant | None:
    """Return a grant the caller may see, locked for update when `lock`."""
    stmt = visible(access).where(AccessGrant.id == grant_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalars().first()


def _state(state: str | None, now: datetime) -> ColumnElement[bool]:
    live = and_(AccessGrant.status == APPROVED, AccessGrant.expires_at > now)
    match state:
        case None:
            return true()
        case "active":
            return live
        case "expired":
            return and_(AccessGrant.status == APPROVED, AccessGrant.expires_at <= now)
        case "pending" | "denied" | "revoked":
            return AccessGrant.status == state
    return false()


def visible_in_state(access: Access, state: str | None, now: datetime) -> Select[AccessGrant]:
    """Select the grants the caller may see, in one state (any when None)."""
    return visible(access).where(_state(state, now))


async def page(
    session: AsyncSession,
    access: Access,
    *,
    state: str | None,
    now: datetime,
    cursor: str | None,
    limit: int,
) -> tuple[list[AccessGrant], str | None]:
    """Return up to `limit` visible grants, newest first, after the cursor; and the next cursor.

    Raises:
        InvalidCursor: the cursor does not decode.
    """
    stmt = visible_in_state(access, state, now)
    return await keyset_page(session, stmt, AccessGrant, cursor=cursor, limit=limit)


async def live_for(
    session: AsyncSession, engineer_id: str, customer_id: str, now: datetime
) -> AccessGrant | None:
    """Return the engineer's approved, unexpired, unrevoked grant on a customer."""
    stmt = (
        select(AccessGrant)
        .where(
            AccessGrant.requester_id == engineer_id,
            AccessGrant.customer_id == customer_id,
            AccessGrant.status == APPROVED,
            AccessGrant.revoked_at.is_(None),
            AccessGrant.expires_at > now,
        )
        .order_by(AccessGrant.expires_at.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalars().first()


async def pending_for(
    session: AsyncSession, engineer_id: str, customer_id: str
) -> AccessGrant | None:
    """Return the engineer's undecided request for a customer, if any."""
    stmt = select(AccessGrant).where(
        AccessGrant.requester_id == engineer_id,
        AccessGrant.customer_id == customer_id,
        AccessGrant.status == PENDING,
    )
    return (await session.execute(stmt)).scalars().first()


async def customer_exists(session: AsyncSession, customer_id: str) -> bool:
    """True when the id names a live customer account."""
    stmt = select(User.id).where(
        User.id == customer_id, User.kind == scoping.CUSTOMER_KIND, User.deleted_at.is_(None)
    )
    return (await session.execute(stmt)).first() is not None


async def open_counts(
    session: AsyncSession, user_ids: Sequence[str], now: datetime
) -> dict[str, int]:
    """Count each requester's open grants: pending, or approved and not yet expired."""
    if not user_ids:
        return {}
    open_ = or_(
        AccessGrant.status == PENDING,
        and_(AccessGrant.status == APPROVED, AccessGrant.expires_at > now),
    )
    stmt = (
        select(AccessGrant.requester_id, func.count())
        .where(AccessGrant.requester_id.in_(list(user_ids)), open_)
        .group_by(AccessGrant.requester_id)
    )
    return {row[0]: int(row[1]) for row in (await session.execute(stmt)).all()}
