"""Token grants for mobile and API clients, and the public keys that verify access tokens."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio.auth.login import service as login
from helio.auth.login.schemas import (
    MfaChallengeRead,
    MfaGrantCreate,
    RefreshGrantCreate,
    TokenGrantCreate,
)
from helio.auth.login.service import MfaPending
from helio.auth.mfa import service as mfa
from helio.auth.tokens.schemas import TokenRead
from helio.platform.context import Ctx


async def token_grant(
    session: AsyncSession, ctx: Ctx, *, grant: TokenGrantCreate, pow_solution: str | None
) -> TokenRead | MfaChallengeRead:
    """Answer a token grant: `password`, then `mfa` when the account has a factor; or a refresh.

    Raises:
        InvalidCredentials, InvalidGrant, MfaTokenInvalid, InvalidCode: the grant fails.
    """
    if isinstance(grant, RefreshGrantCreate):
        pair = await login.refresh(session, ctx, refresh_token=grant.refresh_token)
        return TokenRead.of(pair)
    if isinstance(grant, MfaGrantCreate):
        signed = await mfa.login_with_code(
            session,
            ctx,
            mfa_token=grant.mfa_token,
            code=grant.code,
            kind="token",
            pow_solution=pow_solution,
        )
    else:
        outcome = await login.password_step(
            session,
            ctx,
            email=grant.email,
            password=grant.password,
            kind="token",
            pow_solution=pow_solution,
        )
        if isinstance(outcome, MfaPending):
            return MfaChallengeRead(mfa_token=outcome.mfa_token, mfa_methods=outcome.methods)
        signed = outcome
    assert signed.tokens is not None
    return TokenRead.of(signed.tokens)


async def jwks(ctx: Ctx) -> dict[str, Any]:
    """Return the public keys that verify access tokens (current and previous)."""
    return (await ctx.app.server_keys.signing()).jwks()
