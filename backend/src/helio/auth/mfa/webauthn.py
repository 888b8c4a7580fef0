"""Passkeys (WebAuthn): registration, the second step of a sign-in, and sign-in with a passkey only.

The `webauthn` library builds the options and verifies attestations and
assertions (origin, RP id hash, challenge, signature, sign counter, user
verification). Each challenge lives five minutes in shared state and is
accepted once. Passkeys are registered as discoverable (resident) credentials,
so the browser can offer one without a username: the passkey-only sign-in asks
with an empty `allowCredentials` and finds the account from the credential id
and the user handle the authenticator returns.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, NoReturn
from urllib.parse import urlsplit

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

from helio import audit
from helio.audit import AuditAction
from helio.auth import notices
from helio.auth.accounts import repository as accounts
from helio.auth.accounts.profiles import account_target, read_profile
from helio.auth.login import lockout
from helio.auth.login.service import SignedIn, count_failure, finish, guard_request
from helio.auth.mfa import repository
from helio.auth.mfa.exceptions import (
    MfaNotEnrolled,
    PasskeyExists,
    StaffNeedsMfa,
    WebAuthnFailed,
)
from helio.auth.mfa.pending import (
    Elevated,
    elevate,
    email_of,
    fail,
    find_pending,
    mfa_removed,
    new_recovery_codes,
    succeed,
)
from helio.auth.mfa.schemas import PasskeyPage, PasskeyRead
from helio.auth.sessions import lifecycle
from helio.auth.sessions.service import current_row
from helio.auth.sessions.stepup import require_recent_auth
from helio.authz.principal import SessionKind
from helio.errors import NotFound, RateLimited
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import User, WebAuthnCredential
from helio.platform.app import App
from helio.platform.context import Ctx

RP_NAME = "Helio"
# Passkey-only sign-in options per client address (a moving window, shared by replicas).
PASSKEY_OPTIONS_RATE = "30/minute"
_MALFORMED = (WebAuthnException, ValueError, KeyError, TypeError)


def rp_id(ctx: Ctx) -> str:
    """Return the relying-party id: the host of the allowed origin the browser is on.

    The customer portal and the staff console live on different hosts; a
    passkey belongs to the host it was made on. Clients without an Origin
    (mobile apps) use the public host.
    """
    settings = ctx.app.settings
    origin = ctx.meta.origin
    chosen = origin if origin in settings.allowed_origins else None
    return urlsplit(chosen or settings.public_url).hostname or "localhost"


def _digest(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


async def _remember(app: App, key: str, challenge: bytes) -> None:
    ttl = app.auth_policy.webauthn_challenge_seconds
    await app.state.set(key, base64.b64encode(challenge).decode("ascii"), ttl)


async def _take(app: App, key: str) -> bytes | None:
    """Return a stored challenge once (the first caller wins)."""
    stored = await app.state.get(key)
    if stored is None:
        return None
    challenge = base64.b64decode(stored)
    ttl = app.auth_policy.webauthn_challenge_seconds
    if not await app.state.set_if_absent(f"waused:{_digest(challenge)}", "1", ttl):
        return None
    await app.state.delete(key)
    return challenge


def _descriptors(rows: list[WebAuthnCredential]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=row.credential_id) for row in rows]


async def register_options(session: AsyncSession, ctx: Ctx) -> dict[str, Any]:
    """Return creation options for a new passkey of the caller (recent auth if they have MFA).

    Raises:
        StepUpRequired: the account has a factor and no recent step-up.
    """
    principal = ctx.caller.principal
    require_recent_auth(ctx.app.auth_policy, principal, await current_row(session, ctx))
    user = await accounts.get(session, principal.user_id)
    assert user is not None
    profile = await read_profile(session, ctx.app, user)
    options = generate_registration_options(
        rp_id=rp_id(ctx),
        rp_name=RP_NAME,
        user_name=profile.email,
        user_id=user.id.encode("ascii"),
        user_display_name=profile.full_name or profile.email,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            # Discoverable: the passkey can sign in on its own, without a username.
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(await repository.credentials(session, user.id)),
    )
    await _remember(ctx.app, f"wareg:{principal.session_id}", options.challenge)
    result: dict[str, Any] = json.loads(options_to_json(options))
    return result


async def register_verify(
    session: AsyncSession, ctx: Ctx, *, credential: dict[str, Any], name: str | None
) -> Elevated:
    """Verify a new passkey's attestation and store it; the first factor brings recovery codes.

    Raises:
        WebAuthnFailed: no pending challenge, or the attestation does not verify.
        PasskeyExists: this credential is already registered.
    """
    principal = ctx.caller.principal
    verified = await _verified_registration(ctx, credential)
    if await repository.credential_by_raw_id(session, verified.credential_id) is not None:
        raise PasskeyExists()
    user = await accounts.lock_account(session, principal.user_id)
    first = not await lifecycle.has_mfa(session, user)
    repository.add(session, _credential_row(user.id, verified, credential, name))
    codes = await new_recovery_codes(session, user.id) if first else None
    signed_in = await elevate(session, ctx, mfa=True, reason="mfa_enrolled")
    await notices.mfa_changed(session, ctx.app, user, "a passkey was added")
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_MFA_ENROLLED,
        target=account_target(user.id),
        details={"method": "webauthn"},
    )
    return Elevated(signed_in, codes)


async def _verified_registration(ctx: Ctx, credential: dict[str, Any]) -> Any:
    principal = ctx.caller.principal
    challenge = await _take(ctx.app, f"wareg:{principal.session_id}")
    try:
        if challenge is None:
            raise WebAuthnFailed()
        return verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(ctx),
            expected_origin=ctx.app.settings.allowed_origins,
        )
    except (*_MALFORMED, WebAuthnFailed) as exc:
        await audit.record_separately(
            ctx.app.db,
            ctx,
            AuditAction.AUTH_MFA_ENROLLED,
            target=account_target(principal.user_id),
            reason=type(exc).__name__,
            details={"method": "webauthn"},
        )
        raise WebAuthnFailed() from exc


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
    session: AsyncSession, ctx: Ctx, *, mfa_token: str, pow_solution: str | None
) -> dict[str, Any]:
    """Return assertion options for a pending sign-in (its account's passkeys only).

    Raises:
        MfaTokenInvalid: the pending sign-in is gone.
        MfaNotEnrolled: the account has no passkey.
    """
    pend = await find_pending(
        session, ctx, mfa_token=mfa_token, kind=None, attempt=False, pow_solution=pow_solution
    )
    rows = await repository.credentials(session, pend.user.id)
    if not rows:
        raise MfaNotEnrolled("This account has no passkey.")
    options = generate_authentication_options(
        rp_id=rp_id(ctx),
        allow_credentials=_descriptors(rows),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    await _remember(ctx.app, f"waauth:{pend.token.id}", options.challenge)
    result: dict[str, Any] = json.loads(options_to_json(options))
    return result


async def login_verify(
    session: AsyncSession,
    ctx: Ctx,
    *,
    mfa_token: str,
    credential: dict[str, Any],
    pow_solution: str | None,
    kind: SessionKind | None = None,
) -> SignedIn:
    """Finish a sign-in with a passkey assertion.

    Raises:
        MfaTokenInvalid: the pending sign-in is gone.
        WebAuthnFailed: no challenge, unknown credential, bad signature or sign counter
            (counted against the account).
    """
    pend = await find_pending(
        session, ctx, mfa_token=mfa_token, kind=kind, attempt=True, pow_solution=pow_solution
    )
    challenge = await _take(ctx.app, f"waauth:{pend.token.id}")
    try:
        raw_id = base64url_to_bytes(str(credential.get("rawId") or credential.get("id") or ""))
        row = await repository.credential_by_raw_id(session, raw_id)
        if challenge is None or row is None or row.user_id != pend.user.id:
            raise WebAuthnFailed()
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(ctx),
            expected_origin=ctx.app.settings.allowed_origins,
            credential_public_key=row.public_key,
            credential_current_sign_count=row.sign_count,
        )
    except (*_MALFORMED, WebAuthnFailed):
        await fail(ctx, pend, "webauthn", WebAuthnFailed())
    row.sign_count, row.last_used_at = verified.new_sign_count, utcnow()
    return await succeed(session, ctx, pend, "webauthn")


async def list_passkeys(session: AsyncSession, ctx: Ctx) -> PasskeyPage:
    """Return the caller's passkeys."""
    rows = await repository.credentials(session, ctx.caller.user_id)
    items = [PasskeyRead.model_validate(row, from_attributes=True) for row in rows]
    return PasskeyPage(items=items, next_cursor=None)


async def remove_passkey(session: AsyncSession, ctx: Ctx, *, credential_id: str) -> None:
    """Remove one of the caller's passkeys (recent step-up needed); other sessions end.

    Raises:
        StepUpRequired: no recent step-up.
        NotFound: not the caller's passkey.
        StaffNeedsMfa: a staff account would be left without a factor.
    """
    principal = ctx.caller.principal
    require_recent_auth(ctx.app.auth_policy, principal, await current_row(session, ctx))
    user = await accounts.lock_account(session, principal.user_id)
    rows = await repository.credentials(session, user.id)
    if not any(r.id == credential_id for r in rows):
        raise NotFound()
    if user.kind == "staff" and len(rows) == 1 and user.totp_confirmed_at is None:
        raise StaffNeedsMfa()
    await repository.delete_credential(session, user.id, credential_id)
    if len(rows) == 1 and user.totp_confirmed_at is None:
        await repository.delete_recovery_codes(session, user.id)
    await mfa_removed(session, ctx, user, "a passkey")


async def passkey_options(ctx: Ctx, *, pow_solution: str | None) -> dict[str, Any]:
    """Return assertion options for a sign-in with a passkey only (no username, no password).

    `allowCredentials` is empty: the browser offers the discoverable passkeys it holds for
    this host. The request is screened like a password sign-in (address block, proof of
    work once its failures earn it), and each address may ask `PASSKEY_OPTIONS_RATE`
    (every answer holds a challenge in shared state for a few minutes).

    Raises:
        TooManyAttempts, PowRequired (and other PoW errors): the address is blocked or must
            solve a challenge.
        RateLimited: the address asked for options too often (429 with Retry-After).
    """
    ip = await guard_request(ctx, scope="login", pow_solution=pow_solution)
    allowed, retry_after = await ctx.app.limiter.hit(PASSKEY_OPTIONS_RATE, "passkey-options", ip)
    if not allowed:
        raise RateLimited(retry_after)
    options = generate_authentication_options(
        rp_id=rp_id(ctx),
        allow_credentials=[],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    await _remember(ctx.app, f"wapl:{_digest(options.challenge)}", options.challenge)
    result: dict[str, Any] = json.loads(options_to_json(options))
    return result


def _asserted_challenge(credential: dict[str, Any]) -> bytes:
    """The challenge the client signed (from clientDataJSON); verification checks it again."""
    response = credential["response"]
    client_data = json.loads(base64url_to_bytes(str(response["clientDataJSON"])))
    return base64url_to_bytes(str(client_data["challenge"]))


def _user_handle(credential: dict[str, Any]) -> bytes:
    handle = credential["response"].get("userHandle")
    if not isinstance(handle, str) or not handle:
        raise WebAuthnFailed()
    return base64url_to_bytes(handle)


def _may_sign_in(user: User | None) -> bool:
    return (
        user is not None
        and user.status == "active"
        and user.deleted_at is None
        and user.email_verified_at is not None
    )


async def passkey_sign_in(
    session: AsyncSession, ctx: Ctx, *, credential: dict[str, Any], pow_solution: str | None
) -> SignedIn:
    """Sign in with a discoverable passkey alone; the same session and audit as a password sign-in.

    The challenge must be one this server issued for a passkey sign-in (taken once); the
    credential must be registered and its user handle must name the account that owns it;
    the assertion must verify with user verification (the authenticator's PIN or
    biometric), so the session counts as multi-factor. Every refusal is one answer, counted
    against the address and, when the credential names an account, against that account.

    Raises:
        TooManyAttempts, PowRequired (and other PoW errors): blocked, locked or must solve.
        WebAuthnFailed: anything about the assertion is wrong (400).
    """
    await guard_request(ctx, scope="login", pow_solution=pow_solution)
    user: User | None = None
    key: str | None = None
    try:
        challenge = await _take(ctx.app, f"wapl:{_digest(_asserted_challenge(credential))}")
        raw_id = base64url_to_bytes(str(credential.get("rawId") or credential.get("id") or ""))
        row = await repository.credential_by_raw_id(session, raw_id)
        user = await accounts.get(session, row.user_id) if row is not None else None
        if user is not None:
            key = lockout.account_key(ctx.app, await email_of(session, ctx.app, user))
            await lockout.check_account(ctx.app, key)
        handle = _user_handle(credential)
        if challenge is None or row is None or not _may_sign_in(user):
            raise WebAuthnFailed()
        if handle != row.user_id.encode("ascii"):
            raise WebAuthnFailed()
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(ctx),
            expected_origin=ctx.app.settings.allowed_origins,
            credential_public_key=row.public_key,
            credential_current_sign_count=row.sign_count,
            require_user_verification=True,
        )
    except (*_MALFORMED, WebAuthnFailed) as exc:
        await _passkey_refused(ctx, user, key, type(exc).__name__)
    assert user is not None
    row.sign_count, row.last_used_at = verified.new_sign_count, utcnow()
    await lockout.record_success(ctx.app, key or "")
    user = await accounts.lock_account(session, user.id)
    return await finish(session, ctx, user=user, kind="cookie", mfa=True, method="passkey")


async def _passkey_refused(ctx: Ctx, user: User | None, key: str | None, reason: str) -> NoReturn:
    user_id = user.id if user is not None else None
    failure = await count_failure(ctx, key=key, user_id=user_id)
    await audit.record_separately(
        ctx.app.db,
        ctx,
        AuditAction.AUTH_SIGNED_IN,
        actor_id=user_id,
        target=account_target(user_id),
        reason=reason,
        details={
            "method": "passkey",
            "kind": "cookie",
            "failures": failure.failures,
            "known_account": user is not None,
        },
    )
    raise WebAuthnFailed()
