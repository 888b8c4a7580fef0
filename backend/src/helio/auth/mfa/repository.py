"""Queries on second factors: recovery codes and passkeys."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helio.models import RecoveryCode, WebAuthnCredential


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


def add(session: AsyncSession, row: Any) -> None:
    """Stage a new row (session, token, credential, code)."""
    session.add(row)


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


async def delete_credentials_of(session: AsyncSession, user_id: str) -> None:
    """Delete every passkey of an account."""
    await session.execute(delete(WebAuthnCredential).where(WebAuthnCredential.user_id == user_id))
