"""Queries of the audit search and export (the chain itself is `helio.audit.repository`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helio.models import AuditEvent


@dataclass(frozen=True)
class EventFilter:
    """Search criteria; None means "any"."""

    actor_id: str | None = None
    actions: tuple[str, ...] | None = None  # any of these names
    action_prefixes: tuple[str, ...] | None = None  # names starting with any of these
    resource_type: str | None = None
    resource_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def search(
    session: AsyncSession, where: EventFilter, *, before_seq: int | None, limit: int
) -> Sequence[AuditEvent]:
    """Return matching events newest first, with seq < before_seq when given."""
    stmt = select(AuditEvent)
    for condition in _conditions(where):
        stmt = stmt.where(condition)
    if before_seq is not None:
        stmt = stmt.where(AuditEvent.seq < before_seq)
    stmt = stmt.order_by(AuditEvent.seq.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def export_batch(
    session: AsyncSession, where: EventFilter, *, after_seq: int, upto_seq: int, limit: int
) -> Sequence[AuditEvent]:
    """Return matching events oldest first, with after_seq < seq <= upto_seq."""
    stmt = select(AuditEvent).where(AuditEvent.seq > after_seq, AuditEvent.seq <= upto_seq)
    for condition in _conditions(where):
        stmt = stmt.where(condition)
    stmt = stmt.order_by(AuditEvent.seq).limit(limit)
    return (await session.execute(stmt)).scalars().all()


def _conditions(where: EventFilter) -> list[Any]:
    conditions: list[Any] = []
    if where.actor_id is not None:
        conditions.append(AuditEvent.actor_id == where.actor_id)
    if where.actions is not None:
        conditions.append(AuditEvent.action.in_(where.actions))
    if where.action_prefixes is not None:
        conditions.append(
            or_(*(AuditEvent.action.startswith(p, autoescape=True) for p in where.action_prefixes))
        )
    if where.resource_type is not None:
        conditions.append(AuditEvent.resource_type == where.resource_type)
    if where.resource_id is not None:
        conditions.append(AuditEvent.resource_id == where.resource_id)
    if where.since is not None:
        conditions.append(AuditEvent.occurred_at >= where.since)
    if where.until is not None:
        conditions.append(AuditEvent.occurred_at < where.until)
    return conditions
