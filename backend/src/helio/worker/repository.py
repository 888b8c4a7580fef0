"""Queries of the worker: the job outbox rows, quotes to expire."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helio.models import Quote
from helio.models.job_outbox import JobOutbox


async def outbox_batch(session: AsyncSession, limit: int) -> Sequence[JobOutbox]:
    """Return the oldest committed outbox rows."""
    return (await session.scalars(select(JobOutbox).order_by(JobOutbox.seq).limit(limit))).all()


async def delete_row(session: AsyncSession, seq: int) -> None:
    """Delete one outbox row."""
    await session.execute(delete(JobOutbox).where(JobOutbox.seq == seq))


async def expire_quotes(session: AsyncSession, *, offered: str, expired: str, now: datetime) -> int:
    """Mark offered quotes past their validity as expired; return how many."""
    result = await session.execute(
        update(Quote)
        .where(Quote.status == offered, Quote.valid_until <= now)
        .values(status=expired)
    )
    return int(getattr(result, "rowcount", 0) or 0)
