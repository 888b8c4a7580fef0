"""Queries of the audit trail; appends lock the chain head so the chain never forks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Row, Table, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit.chain import CHAIN
from helio.models import AuditChainHead, AuditCheckpoint, AuditEvent

_EVENTS = cast(Table, AuditEvent.__table__)
_HEAD = cast(Table, AuditChainHead.__table__)
_LOCK_HEAD = (
    select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.chain == CHAIN).with_for_update()
)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.chain == CHAIN)
_INSERT_EVENT = insert(_EVENTS)


async def lock_head_values(session: AsyncSession) -> tuple[int, str]:
    """Return (last seq, last hash), the head row locked until this transaction ends."""
    row = (await session.execute(_LOCK_HEAD)).one()
    return int(row[0]), str(row[1])


async def append_event(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert an event and move the head to it (Core statements: this is every request's path)."""
    await session.execute(_INSERT_EVENT, values)
    await session.execute(_MOVE_HEAD, {"last_seq": values["seq"], "last_hash": values["hash"]})


async def read_head(session: AsyncSession) -> tuple[int, str]:
    """Return (last seq, last hash) of the chain without locking it."""
    stmt = select(AuditChainHead.last_seq, AuditChainHead.last_hash).where(
        AuditChainHead.chain == CHAIN
    )
    row = (await session.execute(stmt)).one()
    return int(row[0]), str(row[1])


# The verifier's read: HASHED_FIELDS in order, then the two links, as the driver returns
# them. Type processing would cost three times the hashing (details stay JSON text here,
# see chain.stored_values).
_CHAIN_BATCH = text(
    "SELECT seq, id, occurred_at, actor_id, actor_roles, session_id, action, resource_type,"
    " resource_id, outcome, reason, client_ip, user_agent, request_id, details, prev_hash, hash"
    " FROM audit_events WHERE seq > :after AND seq <= :last ORDER BY seq LIMIT :limit"
)


async def chain_batch(
    session: AsyncSession, *, after_seq: int, last_seq: int, limit: int
) -> Sequence[Row[Any]]:
    """Return up to `limit` events (after_seq, last_seq]: HASHED_FIELDS, prev_hash, hash; raw."""
    params = {"after": after_seq, "last": last_seq, "limit": limit}
    return (await session.execute(_CHAIN_BATCH, params)).all()


_CHAIN_ROWS_MYSQL = (
    "SELECT seq, id, occurred_at, actor_id, actor_roles, session_id, action, resource_type,"
    " resource_id, outcome, reason, client_ip, user_agent, request_id, details, prev_hash, hash"
    " FROM audit_events WHERE seq > %s AND seq <= %s ORDER BY seq LIMIT %s"
)


async def chain_rows(
    session: AsyncSession, *, after_seq: int, last_seq: int, limit: int
) -> Sequence[Sequence[Any]]:
    """Return the same rows as `chain_batch`, as the driver's own tuples on MySQL.

    The verifier reads the whole trail: wrapping each row in a SQLAlchemy `Row` is a
    sixth of its reading time, and no column here needs type processing.
    """
    connection = await session.connection()
    if connection.dialect.name not in {"mysql", "mariadb"}:
        return await chain_batch(session, after_seq=after_seq, last_seq=last_seq, limit=limit)
    driver = (await connection.get_raw_connection()).driver_connection
    if driver is None:
        raise RuntimeError("the connection was invalidated")
    cursor = driver.cursor()
    try:
        await cursor.execute(_CHAIN_ROWS_MYSQL, (after_seq, last_seq, limit))
        rows: Sequence[Sequence[Any]] = await cursor.fetchall()
    finally:
        await cursor.close()
    return rows


async def seq_of_hash(session: AsyncSession, digest: str) -> int | None:
    """Return the seq of the event whose own hash is `digest`, if any."""
    stmt = select(_EVENTS.c.seq).where(_EVENTS.c.hash == digest)
    value = (await session.execute(stmt)).scalar_one_or_none()
    return None if value is None else int(value)


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


async def has_event(
    session: AsyncSession, action: str, resource_type: str, resource_id: str
) -> bool:
    """Tell whether an event of `action` about this resource was recorded."""
    stmt = select(AuditEvent.seq).where(
        AuditEvent.action == action,
        AuditEvent.resource_type == resource_type,
        AuditEvent.resource_id == resource_id,
    )
    return (await session.scalar(stmt.limit(1))) is not None


async def event_by_id(session: AsyncSession, event_id: str) -> AuditEvent | None:
    """Return the stored event with this id, or None."""
    stmt = select(AuditEvent).where(AuditEvent.id == event_id)
    return cast("AuditEvent | None", await session.scalar(stmt))
