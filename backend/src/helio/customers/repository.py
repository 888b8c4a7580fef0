"""Queries on a customer's own account and consent history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helio.models import ConsentEvent, User


async def get_user(session: AsyncSession, user_id: str, *, lock: bool = False) -> User | None:
    """Return an account, optionally locked for update."""
    stmt = select(User).where(User.id == user_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def consent_history(session: AsyncSession, user_id: str) -> list[ConsentEvent]:
    """Return an account's consent events, oldest first."""
    stmt = (
        select(ConsentEvent)
        .where(ConsentEvent.user_id == user_id)
        .order_by(ConsentEvent.created_at, ConsentEvent.id)
    )
    return list((await session.execute(stmt)).scalars())


def add_consent_event(session: AsyncSession, event: ConsentEvent) -> None:
    """Stage a consent event."""
    session.add(event)


async def due_for_shredding(session: AsyncSession, now: datetime, limit: int) -> list[str]:
    """Return ids of deleted accounts whose grace period has ended."""
    stmt = (
        select(User.id)
        .where(User.deleted_at.is_not(None), User.shred_after.is_not(None))
        .where(User.shred_after <= now)
        .order_by(User.shred_after, User.id)
        .limit(limit)
    )
    return [str(user_id) for user_id in (await session.execute(stmt)).scalars()]
