"""/auth: sign-in with cookies or tokens, the second factor of a sign-in, proof of work."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response

from helio.auth.deps import PowSolution
from helio.auth.login import service
from helio.auth.login.schemas import (
    ChallengeRead,
    LoginCreate,
    LoginRead,
    MfaLoginCreate,
)
from helio.auth.login.service import MfaPending
from helio.auth.mfa import service as mfa
from helio.http.cookies import set_sign_in_cookies
from helio.http.deps import DbSession, RequestCtx
from helio.http.openapi import errors

router = APIRouter()


@router.post("/login", responses=errors(401))
async def login(
    body: LoginCreate,
    response: Response,
    ctx: RequestCtx,
    session: DbSession,
    pow_solution: PowSolution,
) -> LoginRead:
    """Check email and password; set the session cookies or ask for the second factor."""
    outcome = await service.password_step(
        session,
        ctx,
        email=body.email,
        password=body.password,
        kind="cookie",
        pow_solution=pow_solution,
    )
    if isinstance(outcome, MfaPending):
        return LoginRead(
            mfa_required=True, mfa_token=outcome.mfa_token, mfa_methods=outcome.methods
        )
    set_sign_in_cookies(response, ctx.app.settings, outcome)
    return LoginRead(mfa_required=False, mfa_enrolment=outcome.enrolment)


@router.post("/login/mfa", responses=errors(401))
async def login_mfa(
    body: MfaLoginCreate,
    response: Response,
    ctx: RequestCtx,
    session: DbSession,
    pow_solution: PowSolution,
) -> LoginRead:
    """Finish a browser sign-in with a TOTP or recovery code."""
    signed = await mfa.login_with_code(
        session,
        ctx,
        mfa_token=body.mfa_token,
        code=body.code,
        kind="cookie",
        pow_solution=pow_solution,
    )
    set_sign_in_cookies(response, ctx.app.settings, signed)
    return LoginRead(mfa_required=False, mfa_enrolment=signed.enrolment)


@router.get("/challenge")
async def challenge(
    ctx: RequestCtx, scope: Literal["login", "register", "forgot", "lead"] = Query("login")
) -> ChallengeRead:
    """Issue a proof-of-work challenge; answer it in X-PoW-Solution when asked to."""
    return service.issue_challenge(ctx, scope=scope)
