"""Second factors: TOTP enrolment and removal, recovery codes, the MFA sign-in step, step-up.

Codes are checked against the account's lockout counters like passwords, and
each pending sign-in (mfa_token) allows only a few attempts. A TOTP code is
accepted once: the last used step is stored on the account and also claimed
in shared state, so two replicas cannot both accept the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from helio.accounts import repository as accounts
from helio.accounts.service import TABLE, read_profile
from helio.auth import csrf, events, lockout, notices, repository, sessions, tokens
from helio.auth.exceptions import (
    InvalidCode,
    MfaAlreadyEnrolled,
    MfaNotEnrolled,
    MfaNotPending,
    MfaTokenInvalid,
    StaffNeedsMfa,
    StepUpMethodRefused,
    WrongPassword,
)
from helio.auth.login_service import SignedIn, count_failure, finish, guard_request
from helio.auth.passwords import verify_password
from helio.auth.policy import policy_of
from helio.auth.recovery_codes import (
    generate_recovery_codes,
    hash_recovery_code,
    match_recovery_code,
)
from helio.auth.server_keys import hmac_key
from helio.auth.service import current_row
from helio.auth.stepup import require_recent_auth
from helio.auth.totp import new_secret, provisioning_uri, verify_totp
from helio.authz.principal import Principal, SessionKind
from helio.deps import client_ip
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import OneTimeToken, RecoveryCode, User
from helio.services import Services

TOTP_COLUMN = "totp_secret_ct"


@dataclass(frozen=True)
class Pending:
    """A sign-in waiting for its second factor."""

    token: OneTimeToken
    user: User
    key: str
    kind: SessionKind


@dataclass(frozen=True)
class Elevated:
    """The result of an MFA change or step-up: the replacement session and any new codes."""

    signed_in: SignedIn
    recovery_codes: list[str] | None = None


async def _email(session: AsyncSession, services: Services, user: User) -> str:
    return (await read_profile(session, services, user)).email


async def _secret(session: AsyncSession, services: Services, user: User) -> str | None:
    return await services.vault.open(
        session, user.id, user.totp_secret_ct, table=TABLE, column=TOTP_COLUMN, row_id=user.id
    )


async def pending(
    session: AsyncSession,
    services: Services,
    request: Request,
    mfa_token: str,
    *,
    kind: SessionKind | None,
    attempt: bool,
) -> Pending:
    """Find the sign-in an mfa_token belongs to; with `attempt`, count one try against it.

    Raises:
        MfaTokenInvalid: unknown, used, expired, of another kind, or out of attempts.
        TooManyAttempts, PowRequired: the address or account is blocked.
    """
    ip = await guard_request(services, request, "login")
    row = await tokens.find_one_time(session, tokens.MFA_PURPOSES, mfa_token)
    token_kind: SessionKind = "cookie" if row and row.purpose == tokens.MFA_COOKIE else "token"
    user = await accounts.get(session, row.user_id) if row else None
    if row is None or user is None or (kind is not None and kind != token_kind):
        await lockout.record_failure(services, ip, None)
        await events.record_auth_separately(services, request, events.MFA, reason="bad_token")
        raise MfaTokenInvalid()
    key = lockout.account_key(services, await _email(session, services, user))
    await lockout.check_account(services, key)
    policy = policy_of(services)
    if attempt:
        tries = await services.state.incr(f"mfaa:{row.id}", policy.mfa_token_seconds)
        if tries > policy.mfa_token_attempts:
            raise MfaTokenInvalid()
    return Pending(row, user, key, token_kind)


async def fail(
    services: Services, request: Request, pend: Pending, method: str, error: Exception
) -> NoReturn:
    """Count a wrong second factor like a wrong password, record it, raise `error`."""
    failure = await count_failure(
        services, request, ip=client_ip(request), key=pend.key, user_id=pend.user.id
    )
    await events.record_auth_separately(
        services,
        request,
        events.MFA,
        user_id=pend.user.id,
        details={"method": method, "failures": failure.failures},
    )
    raise error


async def succeed(
    session: AsyncSession, services: Services, request: Request, pend: Pending, method: str
) -> SignedIn:
    """Spend the mfa_token and open a fully verified session."""
    await repository.lock_account(session, pend.user.id, refresh=False)
    if not await repository.use_one_time(session, pend.token.id, utcnow()):
        raise MfaTokenInvalid()
    await lockout.record_success(services, pend.key)
    await events.record_auth(
        session, request, events.MFA, user_id=pend.user.id, details={"method": method}
    )
    return await finish(
        session, services, request, pend.user, kind=pend.kind, mfa=True, method=method
    )


async def check_code(
    session: AsyncSession, services: Services, user: User, code: str
) -> str | None:
    """Accept a TOTP code or an unused recovery code once; return which, or None."""
    typed = "".join(code.split())
    if user.totp_confirmed_at is not None and typed.isdigit() and len(typed) == 6:
        secret = await _secret(session, services, user)
        step = verify_totp(secret or "", typed, last_used_step=user.totp_last_step)
        claimed = step is not None and await services.state.set_if_absent(
            f"totp:{user.id}:{step}", "1", 180
        )
        if not claimed:
            return None
        user.totp_last_step = step
        return "totp"
    codes = await repository.recovery_codes(session, user.id)
    index = match_recovery_code(code, [c.code_hash if c.used_at is None else None for c in codes])
    if index is None or not await repository.use_recovery_code(session, codes[index].id, utcnow()):
        return None
    await notices.mfa_changed(session, services, user, "a recovery code was used to sign in")
    return "recovery_code"


async def login_with_code(
    session: AsyncSession,
    services: Services,
    request: Request,
    *,
    mfa_token: str,
    code: str,
    kind: SessionKind | None,
) -> SignedIn:
    """Finish a sign-in with a TOTP or recovery code.

    Raises:
        MfaTokenInvalid: the pending sign-in is gone.
        InvalidCode: wrong, reused or stale code (counted against the account).
    """
    pend = await pending(session, services, request, mfa_token, kind=kind, attempt=True)
    method = await check_code(session, services, pend.user, code)
    if method is None:
        await fail(services, request, pend, "code", InvalidCode())
    return await succeed(session, services, request, pend, method)


async def new_recovery_codes(session: AsyncSession, user_id: str) -> list[str]:
    """Replace a user's recovery codes with ten new ones; return them (shown once)."""
    await repository.delete_recovery_codes(session, user_id)
    codes = generate_recovery_codes()
    for code in codes:
        repository.add(
            session, RecoveryCode(id=new_id(), user_id=user_id, code_hash=hash_recovery_code(code))
        )
    await session.flush()
    return codes


async def elevate(
    session: AsyncSession,
    services: Services,
    principal: Principal,
    *,
    mfa: bool,
    reason: str,
) -> SignedIn:
    """Replace the caller's session by a freshly verified one (new id, new secrets)."""
    old = await current_row(session, principal)
    new = await sessions.replace(session, services, old, reason=reason)
    new.row.mfa_verified = old.mfa_verified or mfa
    new.row.step_up_at = utcnow()
    pair = await tokens.token_pair(session, services, new.row) if new.row.kind == "token" else None
    csrf_token = None
    if new.secret is not None:
        csrf_token = csrf.issue(hmac_key(services, "csrf"), sessions.secret_hash(new.secret))
    return SignedIn(new.row, new.secret, csrf_token, pair, None)


async def totp_setup(
    session: AsyncSession, services: Services, principal: Principal
) -> tuple[str, str]:
    """Start TOTP enrolment: store a new pending secret; return it and its otpauth URI.

    Raises:
        MfaAlreadyEnrolled: TOTP is already confirmed (remove it first).
        StepUpRequired: the account has a factor and no recent step-up.
    """
    user = await repository.lock_account(session, principal.user_id)
    if user.totp_confirmed_at is not None:
        raise MfaAlreadyEnrolled()
    require_recent_auth(services, principal, await current_row(session, principal))
    secret = new_secret()
    user.totp_secret_ct = await services.vault.seal(
        session, user.id, secret, table=TABLE, column=TOTP_COLUMN, row_id=user.id
    )
    user.totp_last_step = None
    return secret, provisioning_uri(secret, await _email(session, services, user))


async def totp_confirm(
    session: AsyncSession, services: Services, request: Request, principal: Principal, code: str
) -> Elevated:
    """Confirm TOTP with a first code: it becomes a factor; recovery codes are issued.

    Raises:
        MfaAlreadyEnrolled, MfaNotPending: nothing to confirm.
        InvalidCode: the code does not match the pending secret.
    """
    user = await accounts.get(session, principal.user_id)
    assert user is not None
    if user.totp_confirmed_at is not None:
        raise MfaAlreadyEnrolled()
    secret = await _secret(session, services, user)
    if secret is None:
        raise MfaNotPending()
    step = verify_totp(secret, code, last_used_step=None)
    if step is None:
        await events.record_auth_separately(
            services,
            request,
            events.MFA_ENROLLED,
            actor=principal,
            reason="invalid_code",
            details={"method": "totp"},
        )
        raise InvalidCode()
    user = await repository.lock_account(session, user.id)
    if user.totp_confirmed_at is not None:
        raise MfaAlreadyEnrolled()
    user.totp_confirmed_at, user.totp_last_step = utcnow(), step
    await services.state.set_if_absent(f"totp:{user.id}:{step}", "1", 180)
    codes = await new_recovery_codes(session, user.id)
    signed_in = await elevate(session, services, principal, mfa=True, reason="mfa_enrolled")
    await notices.mfa_changed(session, services, user, "an authenticator app was added")
    await events.record_auth(
        session, request, events.MFA_ENROLLED, actor=principal, details={"method": "totp"}
    )
    return Elevated(signed_in, codes)


async def totp_remove(
    session: AsyncSession, services: Services, request: Request, principal: Principal
) -> None:
    """Remove TOTP (recent step-up needed); other sessions end.

    Raises:
        StepUpRequired: no step-up in the last five minutes.
        MfaNotEnrolled: no TOTP to remove.
        StaffNeedsMfa: a staff account would be left without a factor.
    """
    require_recent_auth(services, principal, await current_row(session, principal))
    user = await repository.lock_account(session, principal.user_id)
    if user.totp_confirmed_at is None:
        raise MfaNotEnrolled()
    passkey = await repository.has_passkey(session, user.id)
    if user.kind == "staff" and not passkey:
        raise StaffNeedsMfa()
    user.totp_secret_ct, user.totp_confirmed_at, user.totp_last_step = None, None, None
    if not passkey:
        await repository.delete_recovery_codes(session, user.id)
    await mfa_removed(session, services, request, principal, user, "an authenticator app")


async def mfa_removed(
    session: AsyncSession,
    services: Services,
    request: Request,
    principal: Principal,
    user: User,
    what: str,
) -> None:
    """After a factor was removed: end other sessions, notify, record."""
    ended = await sessions.revoke(
        session, services, user.id, reason="mfa_changed", keep=principal.session_id
    )
    await sessions.forget(services, principal.session_id)
    await notices.mfa_changed(session, services, user, f"{what} was removed")
    await events.record_auth(
        session,
        request,
        events.MFA_REMOVED,
        actor=principal,
        details={"factor": what, "sessions_ended": len(ended)},
    )


async def regenerate_codes(
    session: AsyncSession, services: Services, request: Request, principal: Principal
) -> list[str]:
    """Replace the recovery codes (recent step-up needed); return the new ones.

    Raises:
        StepUpRequired: no recent step-up.
        MfaNotEnrolled: the account has no second factor.
    """
    require_recent_auth(services, principal, await current_row(session, principal))
    user = await repository.lock_account(session, principal.user_id)
    if not await sessions.has_mfa(session, user):
        raise MfaNotEnrolled()
    codes = await new_recovery_codes(session, user.id)
    await notices.mfa_changed(session, services, user, "new recovery codes were generated")
    await events.record_auth(
        session, request, events.MFA_ENROLLED, actor=principal, details={"method": "recovery_code"}
    )
    return codes


async def step_up(
    session: AsyncSession,
    services: Services,
    request: Request,
    principal: Principal,
    *,
    code: str | None,
    password: str | None,
) -> SignedIn:
    """Re-authenticate within the session: a second factor, or the password without one.

    The session is replaced (new id and secrets) and marked verified now.

    Raises:
        StepUpMethodRefused: a password from an account that has a second factor, or nothing.
        InvalidCode, WrongPassword: the check failed (counted against the account).
    """
    user = await accounts.get(session, principal.user_id)
    assert user is not None
    factor = await sessions.has_mfa(session, user)
    if (factor and code is None) or (not factor and password is None):
        raise StepUpMethodRefused()
    key = lockout.account_key(services, await _email(session, services, user))
    await lockout.check_account(services, key)
    if factor:
        method = await check_code(session, services, user, code or "")
    else:
        stored = user.password_hash or ""
        ok = bool(stored) and await verify_password(stored, password or "")
        method = "password" if ok else None
    if method is None:
        await count_failure(services, request, ip=client_ip(request), key=key, user_id=user.id)
        await events.record_auth_separately(services, request, events.STEP_UP, actor=principal)
        raise InvalidCode() if factor else WrongPassword()
    await lockout.record_success(services, key)
    await repository.lock_account(session, user.id, refresh=False)
    signed_in = await elevate(session, services, principal, mfa=factor, reason="step_up")
    await events.record_auth(
        session,
        request,
        events.STEP_UP,
        actor=principal,
        details={"method": method, "new_session_id": signed_in.row.id},
    )
    return signed_in
