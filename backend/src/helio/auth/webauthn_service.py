"""Passkeys (WebAuthn) as a second factor: registration and the sign-in assertion.

The `webauthn` library builds the options and verifies attestations and
assertions (origin, RP id hash, challenge, signature, sign counter). Each
challenge lives five minutes in shared state and is accepted once.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from helio.accounts import repository as accounts
from helio.accounts.service import read_profile
from helio.auth import events, notices, repository, sessions
from helio.auth.csrf import request_origin
from helio.auth.exceptions import MfaNotEnrolled, PasskeyExists, StaffNeedsMfa, WebAuthnFailed
from helio.auth.login_service import SignedIn
from helio.auth.mfa_service import (
    Elevated,
    elevate,
    fail,
    mfa_removed,
    new_recovery_codes,
    pending,
    succeed,
)
from helio.auth.policy import policy_of
from helio.auth.service import current_row
from helio.auth.stepup import require_recent_auth
from helio.authz.principal import Principal, SessionKind
from helio.errors import NotFound
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import WebAuthnCredential
from helio.services import Services

RP_NAME = "Helio"
_MALFORMED = (WebAuthnException, ValueError, KeyError, TypeError)


def rp_id(services: Services, request: Request) -> str:
    """Return the relying-party id: the host of the allowed origin the browser is on.

    The customer portal and the staff console live on different hosts; a
    passkey belongs to the host it was made on. Clients without an Origin
    (mobile apps) use the public host.
    """
    origin = request_origin(request)
    chosen = origin if origin in services.settings.allowed_origins else None
    return urlsplit(chosen or services.settings.public_url).hostname or "localhost"


def _digest(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


async def _remember(services: Services, key: str, challenge: bytes) -> None:
    ttl = policy_of(services).webauthn_challenge_seconds
    await services.state.set(key, base64.b64encode(challenge).decode("ascii"), ttl)


async def _take(services: Services, key: str) -> bytes | None:
    """Return a stored challenge once (the first caller wins)."""
    stored = await services.state.get(key)
    if stored is None:
        return None
    challenge = base64.b64decode(stored)
    ttl = policy_of(services).webauthn_challenge_seconds
    if not await services.state.set_if_absent(f"waused:{_digest(challenge)}", "1", ttl):
        return None
    await services.state.delete(key)
    return challenge


def _descriptors(rows: list[WebAuthnCredential]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=row.credential_id) for row in rows]


async def register_options(
    session: AsyncSession, services: Services, request: Request, principal: Principal
) -> dict[str, Any]:
    """Return creation options for a new passkey of the caller (recent auth if they have MFA).

    Raises:
        StepUpRequired: the account has a factor and no recent step-up.
    """
    require_recent_auth(services, principal, await current_row(session, principal))
    user = await accounts.get(session, principal.user_id)
    assert user is not None
    profile = await read_profile(session, services, user)
    options = generate_registration_options(
        rp_id=rp_id(services, request),
        rp_name=RP_NAME,
        user_name=profile.email,
        user_id=user.id.encode("ascii"),
        user_display_name=profile.full_name or profile.email,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(await repository.credentials(session, user.id)),
    )
    await _remember(services, f"wareg:{principal.session_id}", options.challenge)
    result: dict[str, Any] = json.loads(options_to_json(options))
    return result


async def register_verify(
    session: AsyncSession,
    services: Services,
    request: Request,
    principal: Principal,
    *,
    credential: dict[str, Any],
    name: str | None,
) -> Elevated:
    """Verify a new passkey's attestation and store it; the first factor brings recovery codes.

    Raises:
        WebAuthnFailed: no pending challenge, or the attestation does not verify.
        PasskeyExists: this credential is already registered.
    """
    challenge = await _take(services, f"wareg:{principal.session_id}")
    try:
        if challenge is None:
            raise WebAuthnFailed()
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(services, request),
            expected_origin=services.settings.allowed_origins,
        )
    except (*_MALFORMED, WebAuthnFailed) as exc:
        await events.record_auth_separately(
            services,
            request,
            events.MFA_ENROLLED,
            actor=principal,
            reason=type(exc).__name__,
            details={"method": "webauthn"},
        )
        raise WebAuthnFailed() from exc
    if await repository.credential_by_raw_id(session, verified.credential_id) is not None:
        raise PasskeyExists()
    user = await repository.lock_account(session, principal.user_id)
    first = not await sessions.has_mfa(session, user)
    repository.add(session, _credential_row(user.id, verified, credential, name))
    codes = await new_recovery_codes(session, user.id) if first else None
    signed_in = await elevate(session, services, principal, mfa=True, reason="mfa_enrolled")
    await notices.mfa_changed(session, services, user, "a passkey was added")
    await events.record_auth(
        session, request, events.MFA_ENROLLED, actor=principal, details={"method": "webauthn"}
    )
    return Elevated(signed_in, codes)


def _credential_row(
    user_id: str, verified: Any, credential: dict[str, Any], name: str | None
) -> WebAuthnCredential:
    response = credential.get("response")
    transports = response.get("transports") if isinstance(response, dict) else None
    listed = [t for t in transports if isinstance(t, str)] if isinstance(transports, list) else []
    return WebAuthnCredential(
        id=new_id(),
        user_id=user_id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(listed)[:128] or None,
        name=(name or "Passkey")[:64],
        created_at=utcnow(),
    )


async def login_options(
    session: AsyncSession, services: Services, request: Request, mfa_token: str
) -> dict[str, Any]:
    """Return assertion options for a pending sign-in (its account's passkeys only).

    Raises:
        MfaTokenInvalid: the pending sign-in is gone.
        MfaNotEnrolled: the account has no passkey.
    """
    pend = await pending(session, services, request, mfa_token, kind=None, attempt=False)
    rows = await repository.credentials(session, pend.user.id)
    if not rows:
        raise MfaNotEnrolled("This account has no passkey.")
    options = generate_authentication_options(
        rp_id=rp_id(services, request),
        allow_credentials=_descriptors(rows),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    await _remember(services, f"waauth:{pend.token.id}", options.challenge)
    result: dict[str, Any] = json.loads(options_to_json(options))
    return result


async def login_verify(
    session: AsyncSession,
    services: Services,
    request: Request,
    *,
    mfa_token: str,
    credential: dict[str, Any],
    kind: SessionKind | None = None,
) -> SignedIn:
    """Finish a sign-in with a passkey assertion.

    Raises:
        MfaTokenInvalid: the pending sign-in is gone.
        WebAuthnFailed: no challenge, unknown credential, bad signature or sign counter
            (counted against the account).
    """
    pend = await pending(session, services, request, mfa_token, kind=kind, attempt=True)
    challenge = await _take(services, f"waauth:{pend.token.id}")
    try:
        raw_id = base64url_to_bytes(str(credential.get("rawId") or credential.get("id") or ""))
        row = await repository.credential_by_raw_id(session, raw_id)
        if challenge is None or row is None or row.user_id != pend.user.id:
            raise WebAuthnFailed()
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(services, request),
            expected_origin=services.settings.allowed_origins,
            credential_public_key=row.public_key,
            credential_current_sign_count=row.sign_count,
        )
    except (*_MALFORMED, WebAuthnFailed):
        await fail(services, request, pend, "webauthn", WebAuthnFailed())
    row.sign_count, row.last_used_at = verified.new_sign_count, utcnow()
    return await succeed(session, services, request, pend, "webauthn")


async def list_passkeys(session: AsyncSession, principal: Principal) -> list[WebAuthnCredential]:
    """Return the caller's passkeys."""
    return await repository.credentials(session, principal.user_id)


async def remove_passkey(
    session: AsyncSession,
    services: Services,
    request: Request,
    principal: Principal,
    credential_row_id: str,
) -> None:
    """Remove one of the caller's passkeys (recent step-up needed); other sessions end.

    Raises:
        StepUpRequired: no recent step-up.
        NotFound: not the caller's passkey.
        StaffNeedsMfa: a staff account would be left without a factor.
    """
    require_recent_auth(services, principal, await current_row(session, principal))
    user = await repository.lock_account(session, principal.user_id)
    rows = await repository.credentials(session, user.id)
    if not any(r.id == credential_row_id for r in rows):
        raise NotFound()
    if user.kind == "staff" and len(rows) == 1 and user.totp_confirmed_at is None:
        raise StaffNeedsMfa()
    await repository.delete_credential(session, user.id, credential_row_id)
    if len(rows) == 1 and user.totp_confirmed_at is None:
        await repository.delete_recovery_codes(session, user.id)
    await mfa_removed(session, services, request, principal, user, "a passkey")
