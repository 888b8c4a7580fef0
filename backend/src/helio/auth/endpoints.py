"""/api/v1/auth: sign-up, sign-in (cookie and token), sessions, passwords, PoW, JWKS."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response

from helio.auth import login_service, mfa_service, service
from helio.auth.cookies import clear_session_cookies
from helio.auth.deps import SameOriginOrNone, SessionSelf
from helio.auth.lockout import issue_challenge
from helio.auth.login_service import MfaPending
from helio.auth.mfa_endpoints import router as mfa_router
from helio.auth.responses import cookie_login, token_out
from helio.auth.schemas import (
    Accepted,
    ChallengeOut,
    ChangePasswordIn,
    ForgotIn,
    LoginIn,
    LoginOut,
    MfaChallengeOut,
    MfaLoginIn,
    RegisterIn,
    ResetIn,
    SessionList,
    SessionOut,
    TokenGrantIn,
    TokenIn,
    TokenOut,
)
from helio.auth.server_keys import signing_keys
from helio.deps import DbSession, ServicesDep

router = APIRouter(prefix="/auth", tags=["auth"], dependencies=[SameOriginOrNone])


@router.post("/register", status_code=202)
async def register(
    body: RegisterIn, request: Request, session: DbSession, services: ServicesDep
) -> Accepted:
    """Create a customer account; the answer is the same whether the email is taken or not."""
    await service.register(
        session,
        services,
        request,
        email=str(body.email),
        password=body.password,
        full_name=body.full_name,
    )
    return Accepted()


@router.post("/verify-email", status_code=204)
async def verify_email(
    body: TokenIn, request: Request, session: DbSession, services: ServicesDep
) -> None:
    """Confirm an email address with the emailed token."""
    await service.verify_email(session, services, request, body.token)


@router.post("/login")
async def login(
    body: LoginIn, request: Request, response: Response, session: DbSession, services: ServicesDep
) -> LoginOut:
    """Check email and password; set the session cookies or ask for the second factor."""
    outcome = await login_service.password_step(
        session, services, request, email=body.email, password=body.password, kind="cookie"
    )
    if isinstance(outcome, MfaPending):
        return LoginOut(mfa_required=True, mfa_token=outcome.mfa_token, mfa_methods=outcome.methods)
    return cookie_login(response, services, outcome)


@router.post("/login/mfa")
async def login_mfa(
    body: MfaLoginIn,
    request: Request,
    response: Response,
    session: DbSession,
    services: ServicesDep,
) -> LoginOut:
    """Finish a browser sign-in with a TOTP or recovery code."""
    signed = await mfa_service.login_with_code(
        session, services, request, mfa_token=body.mfa_token, code=body.code, kind="cookie"
    )
    return cookie_login(response, services, signed)


@router.post("/token")
async def token(
    body: TokenGrantIn, request: Request, session: DbSession, services: ServicesDep
) -> TokenOut | MfaChallengeOut:
    """Token grants for mobile and API clients: password, mfa or refresh_token."""
    if body.grant_type == "refresh_token":
        pair = await login_service.refresh(session, services, request, body.refresh_token or "")
        return TokenOut(
            access_token=pair.access_token,
            expires_in=pair.expires_in,
            refresh_token=pair.refresh_token,
        )
    if body.grant_type == "mfa":
        signed = await mfa_service.login_with_code(
            session,
            services,
            request,
            mfa_token=body.mfa_token or "",
            code=body.code or "",
            kind="token",
        )
        return token_out(signed)
    outcome = await login_service.password_step(
        session,
        services,
        request,
        email=body.email or "",
        password=body.password or "",
        kind="token",
    )
    if isinstance(outcome, MfaPending):
        return MfaChallengeOut(mfa_token=outcome.mfa_token, mfa_methods=outcome.methods)
    return token_out(outcome)


@router.post("/logout", status_code=204)
async def logout(
    access: SessionSelf,
    request: Request,
    response: Response,
    session: DbSession,
    services: ServicesDep,
) -> None:
    """End the current session at once (cookie, access and refresh tokens)."""
    await service.logout(session, services, request, access.principal)
    clear_session_cookies(response, services.settings)


@router.get("/sessions")
async def list_sessions(
    access: SessionSelf, session: DbSession, limit: int = Query(50, ge=1, le=100)
) -> SessionList:
    """List the caller's signed-in sessions and devices."""
    rows = await service.list_sessions(session, access.principal, limit=limit)
    return SessionList(
        items=[
            SessionOut(
                id=row.id,
                kind=row.kind,
                device=row.device,
                network=row.ip_prefix,
                created_at=row.created_at,
                last_seen_at=row.last_seen_at,
                expires_at=min(row.idle_expires_at, row.absolute_expires_at),
                current=row.id == access.principal.session_id,
            )
            for row in rows
        ]
    )


@router.delete("/sessions", status_code=204)
async def revoke_other_sessions(
    access: SessionSelf, request: Request, session: DbSession, services: ServicesDep
) -> None:
    """End every other session of the caller (recent step-up required)."""
    await service.revoke_sessions(session, services, request, access.principal, session_id=None)


@router.delete("/sessions/{session_id}", status_code=204)
async def revoke_session(
    session_id: str,
    access: SessionSelf,
    request: Request,
    response: Response,
    session: DbSession,
    services: ServicesDep,
) -> None:
    """End one session of the caller (another one needs a recent step-up)."""
    ended_current = await service.revoke_sessions(
        session, services, request, access.principal, session_id=session_id
    )
    if ended_current:
        clear_session_cookies(response, services.settings)


@router.post("/password/forgot", status_code=202)
async def forgot_password(
    body: ForgotIn, request: Request, session: DbSession, services: ServicesDep
) -> Accepted:
    """Send a reset link if the account exists; the answer is always the same."""
    await service.forgot_password(session, services, request, body.email)
    return Accepted()


@router.post("/password/reset", status_code=204)
async def reset_password(
    body: ResetIn, request: Request, session: DbSession, services: ServicesDep
) -> None:
    """Set a new password with the emailed token; every session of the account ends."""
    await service.reset_password(
        session, services, request, token=body.token, new_password=body.new_password
    )


@router.post("/password/change", status_code=204)
async def change_password(
    body: ChangePasswordIn,
    access: SessionSelf,
    request: Request,
    session: DbSession,
    services: ServicesDep,
) -> None:
    """Change the password (current one required); other sessions end."""
    await service.change_password(
        session,
        services,
        request,
        access.principal,
        current_password=body.current_password,
        new_password=body.new_password,
    )


@router.get("/challenge")
async def challenge(
    services: ServicesDep,
    scope: Literal["login", "register", "forgot", "lead"] = Query("login"),
) -> ChallengeOut:
    """Issue a proof-of-work challenge; answer it in X-PoW-Solution when asked to."""
    issued = issue_challenge(services, scope)
    return ChallengeOut(
        challenge=issued.token,
        scope=issued.scope,
        difficulty_bits=issued.difficulty_bits,
        expires_at=issued.expires_at,
    )


@router.get("/jwks")
async def jwks(services: ServicesDep, response: Response) -> dict[str, Any]:
    """Publish the public keys that verify access tokens (current and previous)."""
    response.headers["Cache-Control"] = "public, max-age=300"
    return (await signing_keys(services)).jwks()


router.include_router(mfa_router)
