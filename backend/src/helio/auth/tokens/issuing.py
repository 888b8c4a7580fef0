"""Issue and check tokens: access tokens (EdDSA JWTs), refresh tokens, one-time tokens.

Access tokens are self-contained but short (5 minutes) and name their session
(`sid`), which is checked per request, so they die with it. Refresh tokens and
one-time tokens (email verification, password reset, MFA pending) are 256-bit
random strings stored only as SHA-256 digests, single-use and expiring.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio.auth.tokens import repository
from helio.kit.clock import utcnow
from helio.kit.ids import new_id, new_token
from helio.models import AuthSession, OneTimeToken, RefreshToken
from helio.platform.app import App

EMAIL_VERIFY = "email_verify"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a token purpose
MFA_COOKIE = "mfa_cookie"
MFA_TOKEN = "mfa_token"  # noqa: S105 - a token purpose
MFA_PURPOSES = (MFA_COOKIE, MFA_TOKEN)
MAX_TOKEN_CHARS = 128


def token_hash(value: str) -> bytes:
    """Return the stored digest of a random token (256-bit secrets need no slow hash)."""
    return hashlib.sha256(value.encode("utf-8", "replace")).digest()


@dataclass(frozen=True)
class TokenPair:
    """What a token grant returns."""

    access_token: str
    expires_in: int
    refresh_token: str


async def issue_access_token(app: App, row: AuthSession) -> tuple[str, int]:
    """Sign an access token for a token session; return it and its lifetime in seconds.

    Args:
        app: the application (signing keys, policy).
        row: the token session the token belongs to (its id becomes `sid`).

    Returns:
        The compact JWS and its lifetime, never past the session's absolute expiry.
    """
    keys = await app.server_keys.signing()
    remaining = int((row.absolute_expires_at - utcnow()).total_seconds())
    ttl = max(1, min(app.auth_policy.access_token_seconds, remaining))
    token = keys.issue({"sub": row.user_id, "sid": row.id}, ttl_seconds=ttl)
    return token, ttl


async def verify_access_token(app: App, token: str) -> dict[str, Any]:
    """Verify an access token's signature, algorithm, kid, issuer, audience and times.

    Raises:
        InvalidToken: for any failure; the reason is not disclosed.
    """
    keys = await app.server_keys.signing()
    return keys.verify(token)


def new_refresh_token(session: AsyncSession, row: AuthSession) -> str:
    """Stage a fresh refresh token in the family of `row`; return its value."""
    value = new_token()
    repository.add(
        session,
        RefreshToken(
            id=new_id(), session_id=row.id, token_hash=token_hash(value), created_at=utcnow()
        ),
    )
    return value


async def token_pair(session: AsyncSession, app: App, row: AuthSession) -> TokenPair:
    """Issue an access token and a new refresh token for a token session."""
    access, ttl = await issue_access_token(app, row)
    refresh = new_refresh_token(session, row)
    await session.flush()
    return TokenPair(access, ttl, refresh)


async def issue_one_time(
    session: AsyncSession, user_id: str, purpose: str, *, seconds: int
) -> tuple[str, OneTimeToken]:
    """Create a single-use token for a purpose, valid for `seconds`; return its value and row."""
    value = new_token()
    now = utcnow()
    row = OneTimeToken(
        id=new_id(),
        purpose=purpose,
        token_hash=token_hash(value),
        user_id=user_id,
        created_at=now,
        expires_at=now + timedelta(seconds=seconds),
    )
    repository.add(session, row)
    await session.flush()
    return value, row


async def find_one_time(
    session: AsyncSession, purposes: tuple[str, ...], value: str
) -> OneTimeToken | None:
    """Return the unused, unexpired token of one of these purposes with this value, or None."""
    if not value or len(value) > MAX_TOKEN_CHARS:
        return None
    row = await repository.one_time_by_hash(session, purposes, token_hash(value))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


async def consume_one_time(
    session: AsyncSession, purposes: tuple[str, ...], value: str
) -> OneTimeToken | None:
    """Use a one-time token once: return its row, or None if unknown, used or expired."""
    row = await find_one_time(session, purposes, value)
    if row is None or not await repository.use_one_time(session, row.id, utcnow()):
        return None
    return row
