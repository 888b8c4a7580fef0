"""Queries of the audit trail; appends lock the chain head so the chain never forks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit.chain import CHAIN, HASHED_FIELDS
from helio.models import AuditChainHead, AuditCheckpoint, AuditEvent

_EVENTS = AuditEvent.__table__
# HASHED_FIELDS in order, then the two stored links: what the verifier reads.
CHAIN_COLUMNS = [_EVENTS.c[name] for name in HASHED_FIELDS] + [
    _EVENTS.c.prev_hash,
    _EVENTS.c.hash,
]


async def lock_head(session: AsyncSession) -> AuditChainHead:
    """Return the chain head row, locked until this transaction ends."""
    stmt = select(AuditChainHead).where(AuditChainHead.chain == CHAIN).with_for_update()
    return (await session.execute(stmt)).scalar_one()


async def read_head(session: AsyncSession) -> tuple[int, str]:
    """Return (last seq, last hash) of the chain without locking it."""
    stmt = select(AuditChainHead.last_seq, AuditChainHead.last_hash).where(
        AuditChainHead.chain == CHAIN
    )
    row = (await session.execute(stmt)).one()
    return int(row[0]), str(row[1])


def add_event(session: AsyncSession, event: AuditEvent) -> None:
    """Stage an event in the current transaction."""
    session.add(event)


async def chain_batch(
    session: AsyncSession, *, after_seq: int, last_seq: int, limit: int
) -> Sequence[Row[Any]]:
    """Return up to `limit` events with after_seq < seq <= last_seq as CHAIN_COLUMNS tuples."""
    stmt = (
        select(*CHAIN_COLUMNS)
        .where(_EVENTS.c.seq > after_seq, _EVENTS.c.seq <= last_seq)
        .order_by(_EVENTS.c.seq)
        .limit(limit)
    )
    return (await session.execute(stmt)).all()


async def seq_of_hash(session: AsyncSession, digest: str) -> int | None:
    """Return the seq of the event whose own hash is `digest`, if any."""
    stmt = select(_EVENTS.c.seq).where(_EVENTS.c.hash == digest)
    value = (await session.execute(stmt)).scalar_one_or_none()
    return None if value is None else int(value)


async def max_seq(session: AsyncSession) -> int:
    """Return the largest stored seq (0 for an empty trail)."""
    value = (await session.execute(select(func.max(_EVENTS.c.seq)))).scalar_one_or_none()
    return int(value or 0)


async def checkpoints(session: AsyncSession) -> Sequence[AuditCheckpoint]:
    """Return every checkpoint, oldest first."""
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.id)
    return (await session.execute(stmt)).scalars().all()


async def last_checkpoint(session: AsyncSession) -> AuditCheckpoint | None:
    """Return the newest checkpoint."""
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


def add_checkpoint(session: AsyncSession, checkpoint: AuditCheckpoint) -> None:
    """Stage a checkpoint in the current transaction."""
    session.add(checkpoint)


@dataclass(frozen=True)
class EventFilter:
    """Search criteria; None means "any"."""

    actor_id: str | None = None
    action: str | None = None
    action_prefix: str | None = None
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
    if where.action is not None:
        conditions.append(AuditEvent.action == where.action)
    if where.action_prefix is not None:
        conditions.append(AuditEvent.action.startswith(where.action_prefix, autoescape=True))
    if where.resource_type is not None:
        conditions.append(AuditEvent.resource_type == where.resource_type)
    if where.resource_id is not None:
        conditions.append(AuditEvent.resource_id == where.resource_id)
    if where.since is not None:
        conditions.append(AuditEvent.occurred_at >= where.since)
    if where.until is not None:
        conditions.append(AuditEvent.occurred_at < where.until)
    return conditions
