"""Queries on a customer's own records: profile, sites, quotes, orders, sessions, consent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helio.models import (
    AuthSession,
    Base,
    ConsentEvent,
    EnergyUsage,
    OneTimeToken,
    Quote,
    RecoveryCode,
    Site,
    User,
    WebAuthnCredential,
)

# Columns that may name an order's customer, in the order they are tried.
_ORDER_OWNER_COLUMNS = ("customer_id", "owner_id", "user_id")


async def get_user(session: AsyncSession, user_id: str, *, lock: bool = False) -> User | None:
    """Return an account, optionally locked for update."""
    stmt = select(User).where(User.id == user_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def sites_of(session: AsyncSession, owner_id: str) -> list[Site]:
    """Return a customer's sites, oldest first."""
    stmt = select(Site).where(Site.owner_id == owner_id).order_by(Site.created_at, Site.id)
    return list((await session.execute(stmt)).scalars())


async def usage_of(session: AsyncSession, site_ids: Sequence[str]) -> dict[str, EnergyUsage]:
    """Return the energy usage of each site that has one, by site id."""
    if not site_ids:
        return {}
    stmt = select(EnergyUsage).where(EnergyUsage.site_id.in_(site_ids))
    return {usage.site_id: usage for usage in (await session.execute(stmt)).scalars()}


async def quotes_of(session: AsyncSession, customer_id: str) -> list[Quote]:
    """Return the quotes a customer owns."""
    stmt = (
        select(Quote)
        .where(Quote.owner_type == "customer", Quote.owner_id == customer_id)
        .order_by(Quote.created_at, Quote.id)
    )
    return list((await session.execute(stmt)).scalars())


def orders_table() -> tuple[Table, str] | None:
    """Return the orders table and its customer column, when the schema has one."""
    table = Base.metadata.tables.get("orders")
    if table is None:
        return None
    for column in _ORDER_OWNER_COLUMNS:
        if column in table.c:
            return table, column
    return None


async def orders_of(session: AsyncSession, customer_id: str) -> list[dict[str, Any]]:
    """Return a customer's orders as column dicts (empty while there is no orders table)."""
    found = orders_table()
    if found is None:
        return []
    table, owner_column = found
    stmt = select(table).where(table.c[owner_column] == customer_id)
    return [dict(row._mapping) for row in (await session.execute(stmt)).all()]


async def sessions_of(session: AsyncSession, user_id: str) -> list[AuthSession]:
    """Return every session of an account, newest first."""
    stmt = (
        select(AuthSession)
        .where(AuthSession.user_id == user_id)
        .order_by(AuthSession.created_at.desc())
    )
    return list((await session.execute(stmt)).scalars())


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


async def erase_personal_rows(session: AsyncSession, user_id: str) -> None:
    """Delete a shredded account's sites, sessions and credentials; strip its quotes' inputs.

    Quotes keep their figures (price, size, result) for accounting; their inputs
    (location, energy use) are personal and go.
    """
    await session.execute(
        update(Quote)
        .where(Quote.owner_type == "customer", Quote.owner_id == user_id)
        .values(inputs={"erased": True}, site_id=None)
    )
    own_sites = select(Site.id).where(Site.owner_id == user_id).scalar_subquery()
    await session.execute(delete(EnergyUsage).where(EnergyUsage.site_id.in_(own_sites)))
    for model, column in (
        (Site, Site.owner_id),
        (AuthSession, AuthSession.user_id),
        (OneTimeToken, OneTimeToken.user_id),
        (RecoveryCode, RecoveryCode.user_id),
        (WebAuthnCredential, WebAuthnCredential.user_id),
    ):
        await session.execute(delete(model).where(column == user_id))
