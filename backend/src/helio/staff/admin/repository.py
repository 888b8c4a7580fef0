"""Queries of staff administration and the access review."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helio.authz import scoping
from helio.authz.access import Access
from helio.authz.matrix import Role
from helio.kit.pagination import keyset_page
from helio.models import AccessAttestation, AuthSession, User, UserRole, WebAuthnCredential

ACTIVE = "active"


def visible(access: Access) -> Select[User]:
    """Select the staff accounts the caller may see (deleted ones never)."""
    return select(User).where(scoping.staff(access), User.deleted_at.is_(None))


async def visible_staff(
    session: AsyncSession, access: Access, staff_id: str, *, lock: bool = False
) -> User | None:
    """Return a staff account the caller may see, locked for update when `lock`."""
    stmt = visible(access).where(User.id == staff_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalars().first()


async def staff_page(
    session: AsyncSession, access: Access, *, cursor: str | None, limit: int
) -> tuple[list[User], str | None]:
    """Return up to `limit` visible staff accounts, newest first, after the cursor.

    Raises:
        InvalidCursor: the cursor does not decode.
    """
    return await keyset_page(session, visible(access), User, cursor=cursor, limit=limit)


async def all_staff(session: AsyncSession, access: Access) -> list[User]:
    """Return every visible staff account, oldest first (the access review)."""
    stmt = visible(access).order_by(User.created_at, User.id)
    return list((await session.execute(stmt)).scalars())


async def lock_admins(session: AsyncSession) -> list[str]:
    """Lock the admin role rows until commit; return the ids of the active admins.

    Every staff change takes this lock first, in key order, so two admins
    demoting each other run one after the other (no deadlock) and the second
    sees the first's change.
    """
    locked = (
        select(UserRole.user_id)
        .where(UserRole.role == Role.ADMIN.value)
        .order_by(UserRole.user_id)
        .with_for_update()
    )
    holders = list((await session.execute(locked)).scalars())
    if not holders:
        return []
    active = select(User.id).where(
        User.id.in_(holders), User.status == ACTIVE, User.deleted_at.is_(None)
    )
    return sorted((await session.execute(active)).scalars())


async def active_admins(session: AsyncSession) -> list[User]:
    """Return the active admin accounts, oldest first (who is reminded of the access review)."""
    stmt = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN.value, User.status == ACTIVE, User.deleted_at.is_(None))
        .order_by(User.created_at, User.id)
    )
    return list((await session.execute(stmt)).scalars())


async def roles_of(session: AsyncSession, user_ids: Sequence[str]) -> dict[str, list[str]]:
    """Return each account's roles, sorted."""
    found: dict[str, list[str]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return found
    stmt = (
        select(UserRole.user_id, UserRole.role)
        .where(UserRole.user_id.in_(list(user_ids)))
        .order_by(UserRole.user_id, UserRole.role)
    )
    for user_id, role in (await session.execute(stmt)).all():
        found[user_id].append(role)
    return found


async def passkey_holders(session: AsyncSession, user_ids: Sequence[str]) -> set[str]:
    """Return which of these accounts have at least one passkey."""
    if not user_ids:
        return set()
    stmt = (
        select(WebAuthnCredential.user_id)
        .where(WebAuthnCredential.user_id.in_(list(user_ids)))
        .distinct()
    )
    return set((await session.execute(stmt)).scalars())


async def last_seen(session: AsyncSession, user_ids: Sequence[str]) -> dict[str, datetime]:
    """Return each account's most recent session activity."""
    if not user_ids:
        return {}
    stmt = (
        select(AuthSession.user_id, func.max(AuthSession.last_seen_at))
        .where(AuthSession.user_id.in_(list(user_ids)))
        .group_by(AuthSession.user_id)
    )
    return {row[0]: row[1] for row in (await session.execute(stmt)).all() if row[1] is not None}


def add_attestation(session: AsyncSession, row: AccessAttestation) -> None:
    """Stage an attestation."""
    session.add(row)


async def last_attestation(session: AsyncSession) -> AccessAttestation | None:
    """Return the most recent attestation."""
    stmt = (
        select(AccessAttestation)
        .order_by(AccessAttestation.created_at.desc(), AccessAttestation.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalars().first()
