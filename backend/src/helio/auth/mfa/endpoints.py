"""/auth MFA routes: TOTP, recovery codes, step-up and passkeys."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Response

from helio.auth.deps import PowSolution, SessionSelf
from helio.auth.login.schemas import LoginRead
from helio.auth.login.service import SignedIn
from helio.auth.mfa import service, webauthn
from helio.auth.mfa.schemas import (
    ElevatedRead,
    MfaStatusRead,
    PasskeyCreate,
    PasskeyLoginCreate,
    PasskeyLoginOptionsCreate,
    PasskeyPage,
    PasskeySignInCreate,
    RecoveryCodesRead,
    StepUpCreate,
    TotpConfirmCreate,
    TotpSetupRead,
)
from helio.auth.tokens.schemas import TokenRead
from helio.http.cookies import set_sign_in_cookies
from helio.http.deps import DbSession, RequestCtx
from helio.http.openapi import errors
from helio.kit.clock import utcnow
from helio.platform.context import Ctx

router = APIRouter()


def _elevated(
    response: Response, ctx: Ctx, signed: SignedIn, codes: list[str] | None = None
) -> ElevatedRead:
    """Answer a session replacement: new cookies, or new tokens in the body."""
    set_sign_in_cookies(response, ctx.app.settings, signed)
    window = timedelta(seconds=ctx.app.auth_policy.step_up_seconds)
    return ElevatedRead(
        step_up_expires_at=(signed.row.step_up_at or utcnow()) + window,
        recovery_codes=codes,
        tokens=TokenRead.of(signed.tokens) if signed.tokens is not None else None,
    )


@router.get("/mfa")
async def mfa_status(access: SessionSelf, ctx: RequestCtx, session: DbSession) -> MfaStatusRead:
    """Show which second factors the caller has."""
    return await service.status(session, ctx.with_access(access))


@router.post("/mfa/totp/setup", responses=errors(409))
async def totp_setup(access: SessionSelf, ctx: RequestCtx, session: DbSession) -> TotpSetupRead:
    """Start enrolling an authenticator app: a secret and its otpauth:// URI."""
    return await service.totp_setup(session, ctx.with_access(access))


@router.post("/mfa/totp/confirm", responses=errors(409))
async def totp_confirm(
    body: TotpConfirmCreate,
    access: SessionSelf,
    response: Response,
    ctx: RequestCtx,
    session: DbSession,
) -> ElevatedRead:
    """Confirm the app with a code; returns the recovery codes once and a new session."""
    ctx = ctx.with_access(access)
    result = await service.totp_confirm(session, ctx, code=body.code)
    return _elevated(response, ctx, result.signed_in, result.recovery_codes)


@router.delete("/mfa/totp", status_code=204, responses=errors(409))
async def totp_remove(access: SessionSelf, ctx: RequestCtx, session: DbSession) -> None:
    """Remove the authenticator app (recent step-up required)."""
    await service.totp_remove(session, ctx.with_access(access))


@router.post("/mfa/recovery-codes", responses=errors(409))
async def recovery_codes(
    access: SessionSelf, ctx: RequestCtx, session: DbSession
) -> RecoveryCodesRead:
    """Replace the recovery codes (recent step-up required); shown once."""
    return await service.regenerate_codes(session, ctx.with_access(access))


@router.post("/mfa/step-up", responses=errors(429))
async def step_up(
    body: StepUpCreate,
    access: SessionSelf,
    response: Response,
    ctx: RequestCtx,
    session: DbSession,
) -> ElevatedRead:
    """Re-authenticate for sensitive actions; the session is replaced and fresh for 5 minutes."""
    ctx = ctx.with_access(access)
    signed = await service.step_up(session, ctx, code=body.code, password=body.password)
    return _elevated(response, ctx, signed)


@router.post("/webauthn/register/options")
async def passkey_register_options(
    access: SessionSelf, ctx: RequestCtx, session: DbSession
) -> dict[str, Any]:
    """Creation options for a new passkey (navigator.credentials.create)."""
    return await webauthn.register_options(session, ctx.with_access(access))


@router.post("/webauthn/register/verify", responses=errors(409))
async def passkey_register_verify(
    body: PasskeyCreate,
    access: SessionSelf,
    response: Response,
    ctx: RequestCtx,
    session: DbSession,
) -> ElevatedRead:
    """Store a new passkey; the first factor also brings recovery codes."""
    ctx = ctx.with_access(access)
    result = await webauthn.register_verify(
        session, ctx, credential=body.credential, name=body.name
    )
    return _elevated(response, ctx, result.signed_in, result.recovery_codes)


@router.post("/webauthn/login/options", responses=errors(401, 409))
async def passkey_login_options(
    body: PasskeyLoginOptionsCreate,
    ctx: RequestCtx,
    session: DbSession,
    pow_solution: PowSolution,
) -> dict[str, Any]:
    """Assertion options for the second step of a sign-in (navigator.credentials.get)."""
    return await webauthn.login_options(
        session, ctx, mfa_token=body.mfa_token, pow_solution=pow_solution
    )


@router.post("/webauthn/login/verify", responses=errors(401))
async def passkey_login_verify(
    body: PasskeyLoginCreate,
    response: Response,
    ctx: RequestCtx,
    session: DbSession,
    pow_solution: PowSolution,
) -> LoginRead | TokenRead:
    """Finish a sign-in with a passkey: cookies for a browser sign-in, tokens for a token one."""
    signed = await webauthn.login_verify(
        session,
        ctx,
        mfa_token=body.mfa_token,
        credential=body.credential,
        pow_solution=pow_solution,
    )
    if signed.tokens is not None:
        return TokenRead.of(signed.tokens)
    set_sign_in_cookies(response, ctx.app.settings, signed)
    return LoginRead(mfa_required=False, mfa_enrolment=signed.enrolment)


@router.post("/webauthn/passkey/options")
async def passkey_sign_in_options(ctx: RequestCtx, pow_solution: PowSolution) -> dict[str, Any]:
    """Options for signing in with a passkey only: no username, `allowCredentials` empty."""
    return await webauthn.passkey_options(ctx, pow_solution=pow_solution)


@router.post("/webauthn/passkey/verify", responses=errors(401))
async def passkey_sign_in(
    body: PasskeySignInCreate,
    response: Response,
    ctx: RequestCtx,
    session: DbSession,
    pow_solution: PowSolution,
) -> LoginRead:
    """Sign in with a discoverable passkey alone (user verification required); sets the cookies."""
    signed = await webauthn.passkey_sign_in(
        session, ctx, credential=body.credential, pow_solution=pow_solution
    )
    set_sign_in_cookies(response, ctx.app.settings, signed)
    return LoginRead(mfa_required=False, mfa_enrolment=signed.enrolment)


@router.get("/webauthn/credentials")
async def passkeys(access: SessionSelf, ctx: RequestCtx, session: DbSession) -> PasskeyPage:
    """List the caller's passkeys."""
    return await webauthn.list_passkeys(session, ctx.with_access(access))


@router.delete("/webauthn/credentials/{credential_id}", status_code=204, responses=errors(409))
async def passkey_remove(
    credential_id: str, access: SessionSelf, ctx: RequestCtx, session: DbSession
) -> None:
    """Remove a passkey (recent step-up required)."""
    await webauthn.remove_passkey(session, ctx.with_access(access), credential_id=credential_id)
