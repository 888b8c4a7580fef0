"""Queries of the alert sinks."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helio.models import AlertSink
from helio.models.job_outbox import JobOutbox


async def all_sinks(session: AsyncSession) -> Sequence[AlertSink]:
    """Return every sink, oldest first."""
    stmt = select(AlertSink).order_by(AlertSink.created_at, AlertSink.id)
    return (await session.execute(stmt)).scalars().all()


async def enabled_sinks(session: AsyncSession) -> Sequence[AlertSink]:
    """Return the sinks alerts go to."""
    stmt = select(AlertSink).where(AlertSink.enabled.is_(True)).order_by(AlertSink.created_at)
    return (await session.execute(stmt)).scalars().all()


async def enabled_sink(session: AsyncSession, sink_id: str) -> AlertSink | None:
    """Return one sink if it still exists and is enabled."""
    stmt = select(AlertSink).where(AlertSink.id == sink_id, AlertSink.enabled.is_(True))
    return (await session.execute(stmt)).scalar_one_or_none()


async def delete_sinks(session: AsyncSession, ids: Sequence[str]) -> None:
    """Remove sinks by id."""
    if ids:
        await session.execute(delete(AlertSink).where(AlertSink.id.in_(ids)))


def add_sink(session: AsyncSession, sink: AlertSink) -> None:
    """Stage a new sink."""
    session.add(sink)


async def waiting_jobs(session: AsyncSession, *functions: str) -> int:
    """Return how many jobs of these functions wait in the job outbox for the worker's relay."""
    stmt = select(func.count()).select_from(JobOutbox).where(JobOutbox.function.in_(functions))
    return int(await session.scalar(stmt) or 0)
