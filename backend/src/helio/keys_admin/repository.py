"""Queries of the key rotations: wrapped data keys, owners' ciphertexts, blind indexes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, and_, bindparam, case, func, or_, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.ext.asyncio import AsyncSession

from helio.keys_admin.registry import EncryptedTable
from helio.kit.clock import utcnow
from helio.models import Base, DataKey, Lead, User

_KEYS: Table = Base.metadata.tables["data_keys"]
_USERS: Table = Base.metadata.tables["users"]
# A result row of any shape (SQLAlchemy 2.1 types rows by their column types).
AnyRow = Row[*tuple[Any, ...]]


async def kek_usage(session: AsyncSession) -> dict[str, int]:
    """Return how many live wrapped data keys each KEK id wraps."""
    stmt = (
        select(DataKey.kek_id, func.count())
        .where(DataKey.wrapped_key.is_not(None))
        .group_by(DataKey.kek_id)
    )
    return {str(kek): int(n) for kek, n in (await session.execute(stmt)).all()}


async def count_to_rewrap(session: AsyncSession, target_kek: str) -> int:
    """Count live wrapped data keys that are not wrapped by `target_kek`."""
    stmt = select(func.count()).where(
        DataKey.wrapped_key.is_not(None), DataKey.kek_id != target_kek
    )
    return int((await session.execute(stmt)).scalar_one())


async def keys_to_rewrap(
    session: AsyncSession, target_kek: str, after: tuple[str, int], limit: int
) -> list[AnyRow]:
    """Lock and return up to `limit` live keys past `after` not wrapped by `target_kek`.

    Rows come in primary-key order, so the cursor makes each batch an index range.
    """
    owner, generation = after
    stmt = (
        select(DataKey.owner_id, DataKey.generation, DataKey.wrapped_key, DataKey.created_at)
        .where(
            or_(
                DataKey.owner_id > owner,
                and_(DataKey.owner_id == owner, DataKey.generation > generation),
            ),
            DataKey.wrapped_key.is_not(None),
            DataKey.kek_id != target_kek,
        )
        .order_by(DataKey.owner_id, DataKey.generation)
        .limit(limit)
        .with_for_update()
    )
    return list((await session.execute(stmt)).all())


async def store_rewrapped(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Write new wraps of rows locked by `keys_to_rewrap`.

    Args:
        session: the batch's transaction, holding the rows' locks.
        rows: dicts of owner_id, generation, created_at, kek_id, wrapped_key.
    """
    if not rows:
        return
    now = utcnow()
    params = [{**row, "rewrapped_at": now} for row in rows]
    if _dialect(session) in {"mysql", "mariadb"}:
        # One multi-row statement per batch instead of a round trip per row (10x
        # faster at 1M keys). The rows exist and are locked, so it never inserts.
        upsert = mysql_insert(_KEYS)
        upsert = upsert.on_duplicate_key_update(
            kek_id=upsert.inserted.kek_id,
            wrapped_key=upsert.inserted.wrapped_key,
            rewrapped_at=upsert.inserted.rewrapped_at,
        )
        await session.execute(upsert, params)
        return
    stmt = (
        update(_KEYS)
        .where(
            _KEYS.c.owner_id == bindparam("b_owner"),
            _KEYS.c.generation == bindparam("b_gen"),
        )
        .values(
            kek_id=bindparam("kek_id"),
            wrapped_key=bindparam("wrapped_key"),
            rewrapped_at=bindparam("rewrapped_at"),
        )
    )
    await session.execute(
        stmt, [{**p, "b_owner": p["owner_id"], "b_gen": p["generation"]} for p in params]
    )


def _dialect(session: AsyncSession) -> str:
    bind = session.bind
    return bind.dialect.name if bind is not None else ""


async def live_wrapped_keys(session: AsyncSession, owner_ids: Sequence[str]) -> list[AnyRow]:
    """Return (owner_id, generation, wrapped_key) of every live data key of these owners."""
    if not owner_ids:
        return []
    stmt = select(DataKey.owner_id, DataKey.generation, DataKey.wrapped_key).where(
        DataKey.owner_id.in_(owner_ids), DataKey.wrapped_key.is_not(None)
    )
    return list((await session.execute(stmt)).all())


async def count_live_owners(session: AsyncSession) -> int:
    """Count owners holding at least one live data key."""
    stmt = select(func.count(func.distinct(DataKey.owner_id))).where(DataKey.destroyed_at.is_(None))
    return int((await session.execute(stmt)).scalar_one())


async def owners_to_rotate(
    session: AsyncSession, after: str, started_before: datetime, limit: int
) -> list[str]:
    """Return owners past `after` whose newest live data key predates `started_before`."""
    stmt = (
        select(DataKey.owner_id)
        .where(DataKey.owner_id > after, DataKey.destroyed_at.is_(None))
        .group_by(DataKey.owner_id)
        .having(func.max(DataKey.created_at) < started_before)
        .order_by(DataKey.owner_id)
        .limit(limit)
    )
    return [str(owner) for owner in (await session.execute(stmt)).scalars()]


async def lock_owner_keys(session: AsyncSession, owner_id: str) -> list[AnyRow]:
    """Lock every data-key row of an owner (live and destroyed) for this transaction."""
    stmt = (
        select(DataKey.generation, DataKey.created_at, DataKey.destroyed_at)
        .where(DataKey.owner_id == owner_id)
        .order_by(DataKey.generation)
        .with_for_update()
    )
    return list((await session.execute(stmt)).all())


async def destroy_generations_except(session: AsyncSession, owner_id: str, keep: int) -> int:
    """Erase every live wrapped key of an owner but generation `keep`; return the count."""
    result = await session.execute(
        update(_KEYS)
        .where(
            _KEYS.c.owner_id == owner_id,
            _KEYS.c.generation != keep,
            _KEYS.c.destroyed_at.is_(None),
        )
        .values(wrapped_key=None, destroyed_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def owner_ciphertexts(
    session: AsyncSession, spec: EncryptedTable, owner_id: str
) -> list[AnyRow]:
    """Lock and return (row id, *encrypted columns) of an owner's rows in one table."""
    table = spec.table
    columns = [table.c[spec.id_column], *(table.c[name] for name in spec.columns)]
    stmt = select(*columns).where(table.c[spec.owner_column] == owner_id).with_for_update()
    return list((await session.execute(stmt)).all())


async def set_ciphertexts(
    session: AsyncSession, spec: EncryptedTable, row_id: str, values: Mapping[str, bytes | None]
) -> None:
    """Replace encrypted column values of one row."""
    table = spec.table
    await session.execute(update(table).where(table.c[spec.id_column] == row_id).values(**values))


async def set_user_generation(session: AsyncSession, user_id: str, generation: int) -> None:
    """Record the data-key generation a user's fields are sealed under."""
    await session.execute(
        update(_USERS).where(_USERS.c.id == user_id).values(data_key_generation=generation)
    )


async def count_users(session: AsyncSession) -> int:
    """Count accounts."""
    return int((await session.execute(select(func.count()).select_from(_USERS))).scalar_one())


async def users_for_indexing(session: AsyncSession, after: str, limit: int) -> list[AnyRow]:
    """Lock and return the next accounts by id with what their blind indexes derive from."""
    stmt = (
        select(
            User.id,
            User.email_ct,
            User.phone_ct,
            User.full_name_ct,
            User.email_bidx,
            User.phone_bidx,
            User.name_prefix_bidx,
        )
        .where(User.id > after)
        .order_by(User.id)
        .limit(limit)
        .with_for_update()
    )
    return list((await session.execute(stmt)).all())


async def store_indexes(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Write recomputed blind indexes: dicts of id, email_bidx, phone_bidx, name_prefix_bidx."""
    if not rows:
        return
    stmt = (
        update(_USERS)
        .where(_USERS.c.id == bindparam("uid"))
        .values(
            email_bidx=bindparam("email"),
            phone_bidx=bindparam("phone"),
            name_prefix_bidx=bindparam("prefix"),
        )
    )
    params = [
        {
            "uid": r["id"],
            "email": r["email_bidx"],
            "phone": r["phone_bidx"],
            "prefix": r["name_prefix_bidx"],
        }
        for r in rows
    ]
    await session.execute(stmt, params)


async def leads_for_indexing(session: AsyncSession, after: str, limit: int) -> list[AnyRow]:
    """Lock and return the next leads by id with their email and phone and blind indexes."""
    stmt = (
        select(Lead.id, Lead.email_ct, Lead.phone_ct, Lead.email_bidx, Lead.phone_bidx)
        .where(Lead.id > after)
        .order_by(Lead.id)
        .limit(limit)
        .with_for_update()
    )
    return list((await session.execute(stmt)).all())


async def store_lead_indexes(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Write recomputed lead blind indexes: dicts of id, email_bidx, phone_bidx."""
    for row in rows:
        await session.execute(
            update(Lead)
            .where(Lead.id == row["id"])
            .values(email_bidx=row["email_bidx"], phone_bidx=row["phone_bidx"])
        )


async def email_index_versions(session: AsyncSession) -> dict[int, int]:
    """Return how many accounts hold an email blind index of each key version (0: erased)."""
    version = func.substr(User.email_bidx, 1, 1)
    stmt = select(version, func.count()).group_by(version)
    return {bytes(v)[0]: int(n) for v, n in (await session.execute(stmt)).all()}


async def shredding_backlog(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """Return (due now, scheduled later) counts of deleted accounts awaiting shredding."""
    due = func.sum(case((User.shred_after <= now, 1), else_=0))
    stmt = select(func.count(), due).where(User.shred_after.is_not(None))
    total, due_now = (await session.execute(stmt)).one()
    return int(due_now or 0), int(total) - int(due_now or 0)
