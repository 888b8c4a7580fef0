"""The second step of a sign-in and the parts every factor change shares.

Codes are checked against the account's lockout counters like passwords, and
each pending sign-in (mfa_token) allows only a few attempts. A TOTP code is
accepted once: the last used step is stored on the account and also claimed
in shared state, so two replicas cannot both accept the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction
from helio.auth import notices
from helio.auth.accounts import repository as accounts
from helio.auth.accounts.profiles import TABLE, account_target, read_profile
from helio.auth.login import lockout
from helio.auth.login.service import SignedIn, count_failure, finish, guard_request
from helio.auth.mfa import repository
from helio.auth.mfa.exceptions import MfaTokenInvalid
from helio.auth.mfa.recovery_codes import (
    generate_recovery_codes,
    hash_recovery_code,
    match_recovery_code,
)
from helio.auth.mfa.totp import verify_totp
from helio.auth.sessions import csrf, lifecycle
from helio.auth.sessions.service import current_row
from helio.auth.tokens import issuing
from helio.auth.tokens import repository as token_rows
from helio.authz.principal import SessionKind
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import OneTimeToken, RecoveryCode, User
from helio.platform.app import App
from helio.platform.context import Ctx

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


async def email_of(session: AsyncSession, app: App, user: User) -> str:
    """Return an account's email (decrypted)."""
    return (await read_profile(session, app, user)).email


async def totp_secret(session: AsyncSession, app: App, user: User) -> str | None:
    """Return the account's TOTP secret (pending or confirmed), decrypted."""
    return await app.vault.open(
        session, user.id, user.totp_secret_ct, table=TABLE, column=TOTP_COLUMN, row_id=user.id
    )


async def find_pending(
    session: AsyncSession,
    ctx: Ctx,
    *,
    mfa_token: str,
    kind: SessionKind | None,
    attempt: bool,
    pow_solution: str | None,
) -> Pending:
    """Find the sign-in an mfa_token belongs to; with `attempt`, count one try against it.

    Raises:
        MfaTokenInvalid: unknown, used, expired, of another kind, or out of attempts.
        TooManyAttempts, PowRequired: the address or account is blocked.
    """
    ip = await guard_request(ctx, scope="login", pow_solution=pow_solution)
    row = await issuing.find_one_time(session, issuing.MFA_PURPOSES, mfa_token)
    token_kind: SessionKind = "cookie" if row and row.purpose == issuing.MFA_COOKIE else "token"
    user = await accounts.get(session, row.user_id) if row else None
    if row is None or user is None or (kind is not None and kind != token_kind):
        await lockout.record_failure(ctx.app, ip, None)
        await audit.record_separately(
            ctx.app.db, ctx, AuditAction.AUTH_MFA_CHECKED, reason="bad_token"
        )
        raise MfaTokenInvalid()
    key = lockout.account_key(ctx.app, await email_of(session, ctx.app, user))
    await lockout.check_account(ctx.app, key)
    policy = ctx.app.auth_policy
    if attempt:
        tries = await ctx.app.state.incr(f"mfaa:{row.id}", policy.mfa_token_seconds)
        if tries > policy.mfa_token_attempts:
            raise MfaTokenInvalid()
    return Pending(row, user, key, token_kind)


async def fail(ctx: Ctx, pend: Pending, method: str, error: Exception) -> NoReturn:
    """Count a wrong second factor like a wrong password, record it, raise `error`."""
    failure = await count_failure(ctx, key=pend.key, user_id=pend.user.id)
    await audit.record_separately(
        ctx.app.db,
        ctx,
        AuditAction.AUTH_MFA_CHECKED,
        actor_id=pend.user.id,
        target=account_target(pend.user.id),
        details={"method": method, "failures": failure.failures},
    )
    raise error


async def succeed(session: AsyncSession, ctx: Ctx, pend: Pending, method: str) -> SignedIn:
    """Spend the mfa_token and open a fully verified session."""
    await accounts.lock_account(session, pend.user.id, refresh=False)
    if not await token_rows.use_one_time(session, pend.token.id, utcnow()):
        raise MfaTokenInvalid()
    await lockout.record_success(ctx.app, pend.key)
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_MFA_CHECKED,
        actor_id=pend.user.id,
        target=account_target(pend.user.id),
        details={"method": method},
    )
    return await finish(session, ctx, user=pend.user, kind=pend.kind, mfa=True, method=method)


async def check_code(session: AsyncSession, app: App, user: User, code: str) -> str | None:
    """Accept a TOTP code or an unused recovery code once; return which, or None."""
    typed = "".join(code.split())
    if user.totp_confirmed_at is not None and typed.isdigit() and len(typed) == 6:
        secret = await totp_secret(session, app, user)
        # A confirmed TOTP whose secret cannot be read matches no code (fail closed).
        step = verify_totp(secret, typed, last_used_step=user.totp_last_step) if secret else None
        claimed = step is not None and await app.state.set_if_absent(
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
    await notices.mfa_changed(session, app, user, "a recovery code was used to sign in")
    return "recovery_code"


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


async def elevate(session: AsyncSession, ctx: Ctx, *, mfa: bool, reason: str) -> SignedIn:
    """Replace the caller's session by a freshly verified one (new id, new secrets)."""
    old = await current_row(session, ctx)
    new = await lifecycle.replace(session, ctx.app, old, reason=reason)
    new.row.mfa_verified = old.mfa_verified or mfa
    new.row.step_up_at = utcnow()
    pair = None
    if new.row.kind == "token":
        pair = await issuing.token_pair(session, ctx.app, new.row)
    csrf_token = None
    if new.secret is not None:
        key = ctx.app.server_keys.hmac("csrf")
        csrf_token = csrf.issue(key, lifecycle.secret_hash(new.secret))
    return SignedIn(new.row, new.secret, csrf_token, pair, None)


async def mfa_removed(session: AsyncSession, ctx: Ctx, user: User, what: str) -> None:
    """After a factor was removed: end other sessions, notify, record."""
    principal = ctx.caller.principal
    ended = await lifecycle.revoke(
        session, ctx.app, user.id, reason="mfa_changed", keep=principal.session_id
    )
    await lifecycle.forget(ctx.app, principal.session_id)
    await notices.mfa_changed(session, ctx.app, user, f"{what} was removed")
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_MFA_REMOVED,
        target=account_target(user.id),
        details={"factor": what, "sessions_ended": len(ended)},
    )
