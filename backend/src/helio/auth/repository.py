"""Queries of the auth layer: sessions, refresh tokens, one-time tokens and second factors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helio.models import (
    AuthSession,
    OneTimeToken,
    RecoveryCode,
    RefreshToken,
    User,
    WebAuthnCredential,
)


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


def _live(now: datetime) -> Any:
    return and_(
        AuthSession.revoked_at.is_(None),
        AuthSession.idle_expires_at > now,
        AuthSession.absolute_expires_at > now,
    )


# Sessions


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


# Refresh tokens


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


# One-time tokens


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


# Recovery codes


async def recovery_codes(session: AsyncSession, user_id: str) -> list[RecoveryCode]:
    """Return a user's recovery codes, used ones included, in a stable order."""
    stmt = select(RecoveryCode).where(RecoveryCode.user_id == user_id).order_by(RecoveryCode.id)
    return list((await session.execute(stmt)).scalars())


async def use_recovery_code(session: AsyncSession, code_id: str, now: datetime) -> bool:
    """Mark a recovery code used; False when it already was."""
    result = await session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == code_id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
    )
    return _rowcount(result) == 1


async def delete_recovery_codes(session: AsyncSession, user_id: str) -> None:
    """Delete all of a user's recovery codes."""
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))


# WebAuthn credentials


async def credentials(session: AsyncSession, user_id: str) -> list[WebAuthnCredential]:
    """Return a user's passkeys, oldest first."""
    stmt = (
        select(WebAuthnCredential)
        .where(WebAuthnCredential.user_id == user_id)
        .order_by(WebAuthnCredential.created_at, WebAuthnCredential.id)
    )
    return list((await session.execute(stmt)).scalars())


async def credential_by_raw_id(
    session: AsyncSession, credential_id: bytes
) -> WebAuthnCredential | None:
    """Return the passkey with this WebAuthn credential id."""
    stmt = select(WebAuthnCredential).where(WebAuthnCredential.credential_id == credential_id)
    return (await session.execute(stmt)).scalars().first()


async def delete_credential(session: AsyncSession, user_id: str, row_id: str) -> bool:
    """Delete one of a user's passkeys; False when it is not theirs or does not exist."""
    result = await session.execute(
        delete(WebAuthnCredential).where(
            WebAuthnCredential.id == row_id, WebAuthnCredential.user_id == user_id
        )
    )
    return _rowcount(result) == 1


async def has_passkey(session: AsyncSession, user_id: str) -> bool:
    """True when the user has at least one passkey."""
    stmt = select(exists().where(WebAuthnCredential.user_id == user_id))
    return bool((await session.execute(stmt)).scalar())


# Accounts, locked


async def lock_account(session: AsyncSession, user_id: str, *, refresh: bool = True) -> User:
    """Lock an account row for the rest of the transaction and return it.

    Taken before writing the account or rows that reference it, so concurrent
    sign-ins of one account queue here instead of deadlocking (a foreign-key
    check's shared lock upgraded to an exclusive one by two transactions).
    With `refresh`, the row is re-read; without, pending changes are kept.
    """
    stmt = select(User).where(User.id == user_id).with_for_update()
    if refresh:
        stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalars().one()
