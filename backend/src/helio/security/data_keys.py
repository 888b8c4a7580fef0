"""Repository of wrapped per-owner data keys."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helio.kit.clock import utcnow
from helio.models import DataKey


async def get(session: AsyncSession, owner_id: str, generation: int) -> DataKey | None:
    """Return one data key row."""
    return await session.get(DataKey, (owner_id, generation))


async def current_generation(session: AsyncSession, owner_id: str) -> int | None:
    """Return the newest live generation of an owner's data key, or None.

    The owner's key rows stay share-locked until the transaction ends, so a
    data-key rotation (which locks them for update) cannot destroy the
    generation a concurrent write is sealing under.
    """
    stmt = (
        select(func.max(DataKey.generation))
        .where(DataKey.owner_id == owner_id, DataKey.destroyed_at.is_(None))
        .with_for_update(read=True)
    )
    value = (await session.execute(stmt)).scalar_one_or_none()
    return None if value is None else int(value)


async def destroy_all(session: AsyncSession, owner_id: str) -> int:
    """Erase every wrapped key of an owner (crypto-shredding). Return the rows changed."""
    result = await session.execute(
        update(DataKey)
        .where(DataKey.owner_id == owner_id, DataKey.destroyed_at.is_(None))
        .values(wrapped_key=None, destroyed_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
