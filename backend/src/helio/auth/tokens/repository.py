"""Queries on refresh tokens and one-time tokens (stored as digests only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helio.models import OneTimeToken, RefreshToken


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


def add(session: AsyncSession, row: Any) -> None:
    """Stage a new row (session, token, credential, code)."""
    session.add(row)


async def refresh_by_hash(session: AsyncSession, token_hash: bytes) -> RefreshToken | None:
    """Return the refresh token with this hash."""
    stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    return (await session.execute(stmt)).scalars().first()


async def use_refresh(session: AsyncSession, token_id: str, now: datetime) -> bool:
    """Mark a refresh token used; False when it was already used (a concurrent or replayed use)."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    return _rowcount(result) == 1


async def one_time_by_hash(
    session: AsyncSession, purposes: Sequence[str], token_hash: bytes
) -> OneTimeToken | None:
    """Return the one-time token with this hash and one of these purposes."""
    stmt = select(OneTimeToken).where(
        OneTimeToken.token_hash == token_hash, OneTimeToken.purpose.in_(list(purposes))
    )
    return (await session.execute(stmt)).scalars().first()


async def use_one_time(session: AsyncSession, token_id: str, now: datetime) -> bool:
    """Mark a one-time token used if it is unused and unexpired; True when this call did."""
    result = await session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.id == token_id,
            OneTimeToken.used_at.is_(None),
            OneTimeToken.expires_at > now,
        )
        .values(used_at=now)
    )
    return _rowcount(result) == 1


async def retire_one_time(
    session: AsyncSession, user_id: str, purposes: Sequence[str], now: datetime
) -> None:
    """Mark every unused token of these purposes used (a newer one or a reset replaces them)."""
    await session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user_id,
            OneTimeToken.purpose.in_(list(purposes)),
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=now)
    )


async def recent_one_time_count(
    session: AsyncSession, user_id: str, purpose: str, since: datetime
) -> int:
    """Count the tokens of a purpose issued to a user since a time."""
    stmt = select(func.count()).where(
        OneTimeToken.user_id == user_id,
        OneTimeToken.purpose == purpose,
        OneTimeToken.created_at >= since,
    )
    return int((await session.execute(stmt)).scalar_one())


async def delete_one_time_of(session: AsyncSession, user_id: str) -> None:
    """Delete every one-time token of an account."""
    await session.execute(delete(OneTimeToken).where(OneTimeToken.user_id == user_id))
