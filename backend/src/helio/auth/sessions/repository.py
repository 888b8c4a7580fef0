"""Queries on sessions: by secret, live ones, revocation, the sign-in history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helio.models import AuthSession, User, UserRole, WebAuthnCredential


def _live(now: datetime) -> Any:
    return and_(
        AuthSession.revoked_at.is_(None),
        AuthSession.idle_expires_at > now,
        AuthSession.absolute_expires_at > now,
    )


def add(session: AsyncSession, row: Any) -> None:
    """Stage a new row (session, token, credential, code)."""
    session.add(row)


async def get_session(session: AsyncSession, session_id: str) -> AuthSession | None:
    """Return a session by id."""
    return await session.get(AuthSession, session_id)


async def session_by_secret(session: AsyncSession, secret_hash: bytes) -> AuthSession | None:
    """Return the cookie session whose secret hashes to `secret_hash`."""
    stmt = select(AuthSession).where(AuthSession.secret_hash == secret_hash)
    return (await session.execute(stmt)).scalars().first()


@dataclass(frozen=True)
class SessionAccount:
    """A session row with what the request needs of its account, read in one query."""

    row: AuthSession
    user_kind: str
    active: bool
    role_names: frozenset[str]
    email_verified: bool
    has_mfa: bool


async def session_with_account(
    session: AsyncSession, *, session_id: str | None = None, secret_hash: bytes | None = None
) -> SessionAccount | None:
    """Return a session (by id or by secret hash) with its account and roles in one round trip."""
    roles = (
        select(func.group_concat(UserRole.role))
        .where(UserRole.user_id == AuthSession.user_id)
        .correlate(AuthSession)
        .scalar_subquery()
    )
    passkey = exists().where(WebAuthnCredential.user_id == AuthSession.user_id)
    stmt = select(
        AuthSession,
        User.kind,
        User.status,
        User.deleted_at,
        User.email_verified_at,
        User.totp_confirmed_at,
        roles,
        passkey,
    ).join(User, User.id == AuthSession.user_id)
    if session_id is not None:
        stmt = stmt.where(AuthSession.id == session_id)
    elif secret_hash is not None:
        stmt = stmt.where(AuthSession.secret_hash == secret_hash)
    else:
        return None
    found = (await session.execute(stmt)).first()
    if found is None:
        return None
    row, kind, status, deleted_at, verified_at, totp_at, role_list, has_passkey = found
    return SessionAccount(
        row=row,
        user_kind=str(kind),
        active=status == "active" and deleted_at is None,
        role_names=frozenset(str(role_list).split(",")) if role_list else frozenset(),
        email_verified=verified_at is not None,
        has_mfa=totp_at is not None or bool(has_passkey),
    )


async def live_sessions(session: AsyncSession, user_id: str, now: datetime) -> list[AuthSession]:
    """Return a user's unexpired, unrevoked sessions, newest first."""
    stmt = (
        select(AuthSession)
        .where(AuthSession.user_id == user_id, _live(now))
        .order_by(AuthSession.created_at.desc(), AuthSession.id)
    )
    return list((await session.execute(stmt)).scalars())


async def revoke_sessions(
    session: AsyncSession,
    user_id: str,
    *,
    now: datetime,
    reason: str,
    keep: str | None = None,
    only: Sequence[str] | None = None,
) -> list[str]:
    """Revoke a user's live sessions (all, all but `keep`, or those in `only`); return their ids."""
    stmt = select(AuthSession.id).where(AuthSession.user_id == user_id, _live(now))
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    if only is not None:
        stmt = stmt.where(AuthSession.id.in_(list(only)))
    ids = list((await session.execute(stmt)).scalars())
    if ids:
        await session.execute(
            update(AuthSession)
            .where(AuthSession.id.in_(ids), AuthSession.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason, secret_hash=None)
        )
    return ids


async def sign_in_history(
    session: AsyncSession, user_id: str, device: str | None, ip_prefix: str | None
) -> tuple[bool, bool]:
    """Return (signed in before at all, signed in before from this device and network)."""
    same_device = AuthSession.device == device if device else AuthSession.device.is_(None)
    same_net = AuthSession.ip_prefix == ip_prefix if ip_prefix else AuthSession.ip_prefix.is_(None)
    stmt = select(
        exists().where(AuthSession.user_id == user_id),
        exists().where(AuthSession.user_id == user_id, same_device, same_net),
    )
    before, known = (await session.execute(stmt)).one()
    return bool(before), bool(known)


async def all_of(session: AsyncSession, user_id: str) -> list[AuthSession]:
    """Return every session of an account, ended ones included, newest first."""
    stmt = (
        select(AuthSession)
        .where(AuthSession.user_id == user_id)
        .order_by(AuthSession.created_at.desc())
    )
    return list((await session.execute(stmt)).scalars())


async def delete_all_of(session: AsyncSession, user_id: str) -> None:
    """Delete every session of an account (their refresh tokens go with them)."""
    await session.execute(delete(AuthSession).where(AuthSession.user_id == user_id))
