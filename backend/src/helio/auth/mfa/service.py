"""Second factors: TOTP enrolment and removal, recovery codes, the MFA sign-in step, step-up."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction
from helio.auth import notices
from helio.auth.accounts import repository as accounts
from helio.auth.accounts.exceptions import WrongPassword
from helio.auth.accounts.profiles import TABLE, account_target
from helio.auth.login import lockout
from helio.auth.login.passwords import verify_password
from helio.auth.login.service import SignedIn, count_failure
from helio.auth.mfa import repository
from helio.auth.mfa.exceptions import (
    InvalidCode,
    MfaAlreadyEnrolled,
    MfaNotEnrolled,
    MfaNotPending,
    StaffNeedsMfa,
    StepUpMethodRefused,
    WrongCode,
)
from helio.auth.mfa.pending import (
    TOTP_COLUMN,
    Elevated,
    check_code,
    elevate,
    email_of,
    fail,
    find_pending,
    mfa_removed,
    new_recovery_codes,
    succeed,
    totp_secret,
)
from helio.auth.mfa.schemas import MfaStatusRead, PasskeyRead, RecoveryCodesRead, TotpSetupRead
from helio.auth.mfa.totp import new_secret, provisioning_uri, verify_totp
from helio.auth.sessions import lifecycle
from helio.auth.sessions.service import current_row
from helio.auth.sessions.stepup import require_recent_auth
from helio.authz.principal import SessionKind
from helio.kit.clock import utcnow
from helio.platform.context import Ctx


async def status(session: AsyncSession, ctx: Ctx) -> MfaStatusRead:
    """Show which second factors the caller has."""
    user_id = ctx.caller.user_id
    user = await accounts.get(session, user_id)
    codes = await repository.recovery_codes(session, user_id)
    passkeys = await repository.credentials(session, user_id)
    return MfaStatusRead(
        totp=user is not None and user.totp_confirmed_at is not None,
        passkeys=[PasskeyRead.model_validate(p, from_attributes=True) for p in passkeys],
        recovery_codes_left=sum(1 for c in codes if c.used_at is None),
    )


async def login_with_code(
    session: AsyncSession,
    ctx: Ctx,
    *,
    mfa_token: str,
    code: str,
    kind: SessionKind | None,
    pow_solution: str | None,
) -> SignedIn:
    """Finish a sign-in with a TOTP or recovery code.

    Raises:
        MfaTokenInvalid: the pending sign-in is gone.
        InvalidCode: wrong, reused or stale code (counted against the account).
    """
    pend = await find_pending(
        session, ctx, mfa_token=mfa_token, kind=kind, attempt=True, pow_solution=pow_solution
    )
    method = await check_code(session, ctx.app, pend.user, code)
    if method is None:
        await fail(ctx, pend, "code", InvalidCode())
    return await succeed(session, ctx, pend, method)


async def totp_setup(session: AsyncSession, ctx: Ctx) -> TotpSetupRead:
    """Start TOTP enrolment: store a new pending secret; return it and its otpauth URI.

    Raises:
        MfaAlreadyEnrolled: TOTP is already confirmed (remove it first).
        StepUpRequired: the account has a factor and no recent step-up.
    """
    principal = ctx.caller.principal
    user = await accounts.lock_account(session, principal.user_id)
    if user.totp_confirmed_at is not None:
        raise MfaAlreadyEnrolled()
    require_recent_auth(ctx.app.auth_policy, principal, await current_row(session, ctx))
    secret = new_secret()
    user.totp_secret_ct = await ctx.app.vault.seal(
        session, user.id, secret, table=TABLE, column=TOTP_COLUMN, row_id=user.id
    )
    user.totp_last_step = None
    uri = provisioning_uri(secret, await email_of(session, ctx.app, user))
    return TotpSetupRead(secret=secret, otpauth_uri=uri)


async def totp_confirm(session: AsyncSession, ctx: Ctx, *, code: str) -> Elevated:
    """Confirm TOTP with a first code: it becomes a factor; recovery codes are issued.

    Raises:
        MfaAlreadyEnrolled, MfaNotPending: nothing to confirm.
        WrongCode: the code does not match the pending secret (400).
    """
    user = await accounts.get(session, ctx.caller.user_id)
    assert user is not None
    if user.totp_confirmed_at is not None:
        raise MfaAlreadyEnrolled()
    secret = await totp_secret(session, ctx.app, user)
    if secret is None:
        raise MfaNotPending()
    step = verify_totp(secret, code, last_used_step=None)
    if step is None:
        await audit.record_separately(
            ctx.app.db,
            ctx,
            AuditAction.AUTH_MFA_ENROLLED,
            target=account_target(user.id),
            reason="invalid_code",
            details={"method": "totp"},
        )
        raise WrongCode()
    user = await accounts.lock_account(session, user.id)
    if user.totp_confirmed_at is not None:
        raise MfaAlreadyEnrolled()
    user.totp_confirmed_at, user.totp_last_step = utcnow(), step
    await ctx.app.state.set_if_absent(f"totp:{user.id}:{step}", "1", 180)
    codes = await new_recovery_codes(session, user.id)
    signed_in = await elevate(session, ctx, mfa=True, reason="mfa_enrolled")
    await notices.mfa_changed(session, ctx.app, user, "an authenticator app was added")
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_MFA_ENROLLED,
        target=account_target(user.id),
        details={"method": "totp"},
    )
    return Elevated(signed_in, codes)


async def totp_remove(session: AsyncSession, ctx: Ctx) -> None:
    """Remove TOTP (recent step-up needed); other sessions end.

    Raises:
        StepUpRequired: no step-up in the last five minutes.
        MfaNotEnrolled: no TOTP to remove.
        StaffNeedsMfa: a staff account would be left without a factor.
    """
    principal = ctx.caller.principal
    require_recent_auth(ctx.app.auth_policy, principal, await current_row(session, ctx))
    user = await accounts.lock_account(session, principal.user_id)
    if user.totp_confirmed_at is None:
        raise MfaNotEnrolled()
    passkey = await repository.has_passkey(session, user.id)
    if user.kind == "staff" and not passkey:
        raise StaffNeedsMfa()
    user.totp_secret_ct, user.totp_confirmed_at, user.totp_last_step = None, None, None
    if not passkey:
        await repository.delete_recovery_codes(session, user.id)
    await mfa_removed(session, ctx, user, "an authenticator app")


async def regenerate_codes(session: AsyncSession, ctx: Ctx) -> RecoveryCodesRead:
    """Replace the recovery codes (recent step-up needed); return the new ones.

    Raises:
        StepUpRequired: no recent step-up.
        MfaNotEnrolled: the account has no second factor.
    """
    principal = ctx.caller.principal
    require_recent_auth(ctx.app.auth_policy, principal, await current_row(session, ctx))
    user = await accounts.lock_account(session, principal.user_id)
    if not await lifecycle.has_mfa(session, user):
        raise MfaNotEnrolled()
    codes = await new_recovery_codes(session, user.id)
    await notices.mfa_changed(session, ctx.app, user, "new recovery codes were generated")
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_MFA_ENROLLED,
        target=account_target(user.id),
        details={"method": "recovery_code"},
    )
    return RecoveryCodesRead(recovery_codes=codes)


async def step_up(
    session: AsyncSession, ctx: Ctx, *, code: str | None, password: str | None
) -> SignedIn:
    """Re-authenticate within the session: a second factor, or the password without one.

    The session is replaced (new id and secrets) and marked verified now.

    Raises:
        StepUpMethodRefused: a password from an account that has a second factor, or nothing.
        WrongCode, WrongPassword: the check failed (counted against the account; 400, 403).
    """
    user = await accounts.get(session, ctx.caller.user_id)
    assert user is not None
    factor = await lifecycle.has_mfa(session, user)
    if (factor and code is None) or (not factor and password is None):
        raise StepUpMethodRefused()
    key = lockout.account_key(ctx.app, await email_of(session, ctx.app, user))
    await lockout.check_account(ctx.app, key)
    if factor:
        method = await check_code(session, ctx.app, user, code or "")
    else:
        stored = user.password_hash or ""
        ok = bool(stored) and await verify_password(stored, password or "")
        method = "password" if ok else None
    if method is None:
        await count_failure(ctx, key=key, user_id=user.id)
        await audit.record_separately(
            ctx.app.db, ctx, AuditAction.AUTH_STEPPED_UP, target=account_target(user.id)
        )
        raise WrongCode() if factor else WrongPassword()
    await lockout.record_success(ctx.app, key)
    await accounts.lock_account(session, user.id, refresh=False)
    signed_in = await elevate(session, ctx, mfa=factor, reason="step_up")
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_STEPPED_UP,
        target=account_target(user.id),
        details={"method": method, "new_session_id": signed_in.row.id},
    )
    return signed_in
