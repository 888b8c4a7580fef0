"""/api/v1/auth MFA routes: TOTP, recovery codes, step-up and passkeys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from helio.accounts import repository as accounts
from helio.auth import mfa_service, repository, webauthn_service
from helio.auth.deps import SessionSelf
from helio.auth.responses import cookie_login, elevated, token_out
from helio.auth.schemas import (
    CodeIn,
    ElevatedOut,
    LoginOut,
    MfaStatusOut,
    PasskeyList,
    PasskeyLoginIn,
    PasskeyLoginOptionsIn,
    PasskeyOut,
    PasskeyRegisterIn,
    RecoveryCodesOut,
    StepUpIn,
    TokenOut,
    TotpSetupOut,
)
from helio.deps import DbSession, ServicesDep

router = APIRouter()


@router.get("/mfa")
async def mfa_status(access: SessionSelf, session: DbSession) -> MfaStatusOut:
    """Show which second factors the caller has."""
    user = await accounts.get(session, access.user_id)
    codes = await repository.recovery_codes(session, access.user_id)
    passkeys = await repository.credentials(session, access.user_id)
    return MfaStatusOut(
        totp=user is not None and user.totp_confirmed_at is not None,
        passkeys=[
            PasskeyOut(id=p.id, name=p.name, created_at=p.created_at, last_used_at=p.last_used_at)
            for p in passkeys
        ],
        recovery_codes_left=sum(1 for c in codes if c.used_at is None),
    )


@router.post("/mfa/totp/setup")
async def totp_setup(
    access: SessionSelf, session: DbSession, services: ServicesDep
) -> TotpSetupOut:
    """Start enrolling an authenticator app: a secret and its otpauth:// URI."""
    secret, uri = await mfa_service.totp_setup(session, services, access.principal)
    return TotpSetupOut(secret=secret, otpauth_uri=uri)


@router.post("/mfa/totp/confirm")
async def totp_confirm(
    body: CodeIn,
    access: SessionSelf,
    request: Request,
    response: Response,
    session: DbSession,
    services: ServicesDep,
) -> ElevatedOut:
    """Confirm the app with a code; returns the recovery codes once and a new session."""
    result = await mfa_service.totp_confirm(session, services, request, access.principal, body.code)
    return elevated(response, services, result.signed_in, result.recovery_codes)


@router.delete("/mfa/totp", status_code=204)
async def totp_remove(
    access: SessionSelf, request: Request, session: DbSession, services: ServicesDep
) -> None:
    """Remove the authenticator app (recent step-up required)."""
    await mfa_service.totp_remove(session, services, request, access.principal)


@router.post("/mfa/recovery-codes")
async def recovery_codes(
    access: SessionSelf, request: Request, session: DbSession, services: ServicesDep
) -> RecoveryCodesOut:
    """Replace the recovery codes (recent step-up required); shown once."""
    codes = await mfa_service.regenerate_codes(session, services, request, access.principal)
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/mfa/step-up")
async def step_up(
    body: StepUpIn,
    access: SessionSelf,
    request: Request,
    response: Response,
    session: DbSession,
    services: ServicesDep,
) -> ElevatedOut:
    """Re-authenticate for sensitive actions; the session is replaced and fresh for 5 minutes."""
    signed = await mfa_service.step_up(
        session, services, request, access.principal, code=body.code, password=body.password
    )
    return elevated(response, services, signed)


@router.post("/webauthn/register/options")
async def passkey_register_options(
    access: SessionSelf, request: Request, session: DbSession, services: ServicesDep
) -> dict[str, Any]:
    """Creation options for a new passkey (navigator.credentials.create)."""
    return await webauthn_service.register_options(session, services, request, access.principal)


@router.post("/webauthn/register/verify")
async def passkey_register_verify(
    body: PasskeyRegisterIn,
    access: SessionSelf,
    request: Request,
    response: Response,
    session: DbSession,
    services: ServicesDep,
) -> ElevatedOut:
    """Store a new passkey; the first factor also brings recovery codes."""
    result = await webauthn_service.register_verify(
        session, services, request, access.principal, credential=body.credential, name=body.name
    )
    return elevated(response, services, result.signed_in, result.recovery_codes)


@router.post("/webauthn/login/options")
async def passkey_login_options(
    body: PasskeyLoginOptionsIn, request: Request, session: DbSession, services: ServicesDep
) -> dict[str, Any]:
    """Assertion options for the second step of a sign-in (navigator.credentials.get)."""
    return await webauthn_service.login_options(session, services, request, body.mfa_token)


@router.post("/webauthn/login/verify")
async def passkey_login_verify(
    body: PasskeyLoginIn,
    request: Request,
    response: Response,
    session: DbSession,
    services: ServicesDep,
) -> LoginOut | TokenOut:
    """Finish a sign-in with a passkey: cookies for a browser sign-in, tokens for a token one."""
    signed = await webauthn_service.login_verify(
        session, services, request, mfa_token=body.mfa_token, credential=body.credential
    )
    if signed.tokens is not None:
        return token_out(signed)
    return cookie_login(response, services, signed)


@router.get("/webauthn/credentials")
async def passkeys(access: SessionSelf, session: DbSession) -> PasskeyList:
    """List the caller's passkeys."""
    rows = await webauthn_service.list_passkeys(session, access.principal)
    return PasskeyList(
        items=[
            PasskeyOut(id=r.id, name=r.name, created_at=r.created_at, last_used_at=r.last_used_at)
            for r in rows
        ]
    )


@router.delete("/webauthn/credentials/{credential_id}", status_code=204)
async def passkey_remove(
    credential_id: str,
    access: SessionSelf,
    request: Request,
    session: DbSession,
    services: ServicesDep,
) -> None:
    """Remove a passkey (recent step-up required)."""
    await webauthn_service.remove_passkey(
        session, services, request, access.principal, credential_id
    )
