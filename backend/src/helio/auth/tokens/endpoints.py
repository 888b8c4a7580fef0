"""/auth: token grants for mobile and API clients, and the JWKS."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from helio.auth.deps import PowSolution
from helio.auth.login.schemas import MfaChallengeRead, TokenGrantCreate
from helio.auth.tokens import service
from helio.auth.tokens.schemas import TokenRead
from helio.http.deps import DbSession, RequestCtx
from helio.http.openapi import errors

router = APIRouter()


@router.post("/token", responses=errors(401))
async def token(
    body: TokenGrantCreate, ctx: RequestCtx, session: DbSession, pow_solution: PowSolution
) -> TokenRead | MfaChallengeRead:
    """Token grants for mobile and API clients: password, mfa or refresh_token."""
    return await service.token_grant(session, ctx, grant=body, pow_solution=pow_solution)


@router.get("/jwks")
async def jwks(ctx: RequestCtx, response: Response) -> dict[str, Any]:
    """Publish the public keys that verify access tokens (current and previous)."""
    response.headers["Cache-Control"] = "public, max-age=300"
    return await service.jwks(ctx)
