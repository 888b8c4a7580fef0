"""Accounts' credential life: sign-up, email verification, password reset and change.

Sign-up and forgot-password answer the same whatever the email: the work
that differs (mails) happens after the answer, in the outbox. A new account the
database refuses (a value the request limits should have stopped) is logged as
a defect and answered like a taken email, so the answer never tells them apart.
"""

from __future__ import annotations

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Outcome
from helio.auth import notices
from helio.auth.accounts import repository as accounts
from helio.auth.accounts.exceptions import InvalidLinkToken, WrongPassword
from helio.auth.accounts.profiles import account_target, create_account, find_by_email, read_profile
from helio.auth.accounts.verification import (
    MAILS_PER_HOUR,
    send_verification,
    under_mail_limit,
)
from helio.auth.login import lockout
from helio.auth.login.password_policy import check_password_async
from helio.auth.login.passwords import hash_password, verify_password
from helio.auth.login.service import count_failure, guard_request
from helio.auth.sessions import lifecycle
from helio.auth.tokens import issuing
from helio.auth.tokens import repository as token_rows
from helio.authz.matrix import Role
from helio.kit.clock import utcnow
from helio.logging import get_logger
from helio.models import User
from helio.platform.context import Ctx

log = get_logger("auth.accounts")


def _active(user: User | None) -> bool:
    return user is not None and user.status == "active" and user.deleted_at is None


def _resettable(user: User | None) -> bool:
    """An active account that once set a password: a reset never accepts an invitation."""
    return _active(user) and user is not None and user.password_hash is not None


async def register(
    session: AsyncSession,
    ctx: Ctx,
    *,
    email: str,
    password: str,
    full_name: str,
    pow_solution: str | None,
) -> None:
    """Create a customer account and send its verification link; the same for a taken email.

    Raises:
        ValidationFailed: the password breaks the policy (says what to fix).
        TooManyAttempts, PowRequired: anti-automation.
    """
    ip = await guard_request(ctx, scope="register", pow_solution=pow_solution)
    await lockout.count_public_request(ctx.app, ip)
    await check_password_async(password, email=email, name=full_name)
    # Hashed in both branches so a taken email costs the same time.
    password_hash = await hash_password(password)
    existing = await find_by_email(session, ctx.app, email)
    if existing is not None:
        await _registered_again(session, ctx, existing)
        return
    try:
        async with session.begin_nested():
            user = await create_account(
                session,
                ctx.app,
                kind="customer",
                email=email,
                full_name=full_name,
                password_hash=password_hash,
                roles=[Role.CUSTOMER],
            )
    except IntegrityError:
        return  # a concurrent sign-up with the same email won; answer the same
    except DataError as exc:
        log.error("database_data_error", defect=True, exc_info=exc, path_template="register")
        return
    await send_verification(session, ctx.app, user)
    await audit.record(
        session, ctx, AuditAction.AUTH_REGISTERED, actor_id=user.id, target=account_target(user.id)
    )


async def _registered_again(session: AsyncSession, ctx: Ctx, user: User) -> None:
    if _active(user) and user.email_verified_at is None:
        await send_verification(session, ctx.app, user)
    elif _active(user) and await under_mail_limit(
        session, user.id, issuing.PASSWORD_RESET, MAILS_PER_HOUR
    ):
        await notices.already_registered(session, ctx.app, user)
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_REGISTERED,
        outcome=Outcome.DENIED,
        actor_id=user.id,
        target=account_target(user.id),
        reason="email_taken",
    )


async def _link_refused(ctx: Ctx, action: AuditAction) -> None:
    await lockout.record_failure(ctx.app, ctx.client_ip, None)
    await audit.record_separately(ctx.app.db, ctx, action, reason="invalid_token")
    raise InvalidLinkToken()


async def verify_email(session: AsyncSession, ctx: Ctx, *, token: str) -> None:
    """Mark the email of the token's account verified; the token works once.

    Raises:
        InvalidLinkToken: unknown, used or expired.
    """
    await lockout.check_address(ctx.app, ctx.client_ip)
    row = await issuing.consume_one_time(session, (issuing.EMAIL_VERIFY,), token)
    user = await accounts.get(session, row.user_id) if row else None
    if row is None or user is None or not _active(user):
        await _link_refused(ctx, AuditAction.AUTH_EMAIL_VERIFIED)
    assert user is not None
    user = await accounts.lock_account(session, user.id)
    user.email_verified_at = user.email_verified_at or utcnow()
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_EMAIL_VERIFIED,
        actor_id=user.id,
        target=account_target(user.id),
    )


async def forgot_password(
    session: AsyncSession, ctx: Ctx, *, email: str, pow_solution: str | None
) -> None:
    """Send a reset link if the account exists (at most three an hour); answer the same anyway."""
    ip = await guard_request(ctx, scope="forgot", pow_solution=pow_solution)
    await lockout.count_public_request(ctx.app, ip)
    user = await find_by_email(session, ctx.app, email)
    if user is None or not _resettable(user):
        await audit.record(
            session,
            ctx,
            AuditAction.AUTH_PASSWORD_RESET_REQUESTED,
            outcome=Outcome.DENIED,
            reason="unknown_account",
        )
        return
    if await under_mail_limit(session, user.id, issuing.PASSWORD_RESET, MAILS_PER_HOUR):
        await send_reset_link(session, ctx, user=user)
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_PASSWORD_RESET_REQUESTED,
        actor_id=user.id,
        target=account_target(user.id),
    )


async def send_reset_link(session: AsyncSession, ctx: Ctx, *, user: User) -> None:
    """Mail a fresh password-reset link; the account's older links stop working."""
    await token_rows.retire_one_time(session, user.id, [issuing.PASSWORD_RESET], utcnow())
    seconds = ctx.app.auth_policy.password_reset_seconds
    value, _ = await issuing.issue_one_time(
        session, user.id, issuing.PASSWORD_RESET, seconds=seconds
    )
    await notices.reset(session, ctx.app, user, value)


async def reset_password(session: AsyncSession, ctx: Ctx, *, token: str, new_password: str) -> None:
    """Set a new password with a reset token; every session of the account ends.

    Raises:
        InvalidLinkToken: unknown, used or expired token.
        ValidationFailed: the new password breaks the policy (the token stays usable).
    """
    await lockout.check_address(ctx.app, ctx.client_ip)
    row = await issuing.find_one_time(session, (issuing.PASSWORD_RESET,), token)
    user = await accounts.get(session, row.user_id) if row else None
    if row is None or user is None or not _resettable(user):
        await _link_refused(ctx, AuditAction.AUTH_PASSWORD_RESET)
    assert user is not None
    profile = await read_profile(session, ctx.app, user)
    await check_password_async(new_password, email=profile.email, name=profile.full_name)
    if await issuing.consume_one_time(session, (issuing.PASSWORD_RESET,), token) is None:
        await _link_refused(ctx, AuditAction.AUTH_PASSWORD_RESET)
    user = await accounts.lock_account(session, user.id)
    await token_rows.retire_one_time(session, user.id, [issuing.PASSWORD_RESET], utcnow())
    user.password_hash = await hash_password(new_password)
    user.password_changed_at = utcnow()
    # The link proved control of the mailbox.
    user.email_verified_at = user.email_verified_at or utcnow()
    ended = await lifecycle.revoke(session, ctx.app, user.id, reason="password_reset")
    await lockout.record_success(ctx.app, lockout.account_key(ctx.app, profile.email))
    await notices.password_changed(
        session,
        ctx.app,
        user,
        how="reset with an emailed link",
        ended="Every device signed in to your account was signed out.",
    )
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_PASSWORD_RESET,
        actor_id=user.id,
        target=account_target(user.id),
        details={"sessions_ended": len(ended)},
    )


async def change_password(
    session: AsyncSession, ctx: Ctx, *, current_password: str, new_password: str
) -> None:
    """Change the password after checking the current one; other sessions end.

    Raises:
        WrongPassword: the current password is wrong (counted like a failed sign-in).
        ValidationFailed: the new password breaks the policy.
    """
    principal = ctx.caller.principal
    user = await accounts.get(session, principal.user_id)
    assert user is not None
    profile = await read_profile(session, ctx.app, user)
    key = lockout.account_key(ctx.app, profile.email)
    await lockout.check_account(ctx.app, key)
    if not user.password_hash or not await verify_password(user.password_hash, current_password):
        await count_failure(ctx, key=key, user_id=user.id)
        await audit.record_separately(
            ctx.app.db,
            ctx,
            AuditAction.AUTH_PASSWORD_CHANGED,
            target=account_target(user.id),
            reason="wrong_password",
        )
        raise WrongPassword()
    await check_password_async(new_password, email=profile.email, name=profile.full_name)
    user = await accounts.lock_account(session, user.id)
    user.password_hash = await hash_password(new_password)
    user.password_changed_at = utcnow()
    ended = await lifecycle.revoke(
        session, ctx.app, user.id, reason="password_changed", keep=principal.session_id
    )
    await notices.password_changed(
        session,
        ctx.app,
        user,
        how="changed in your account settings",
        ended=f"{len(ended)} other signed-in device(s) were signed out.",
    )
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_PASSWORD_CHANGED,
        target=account_target(user.id),
        details={"sessions_ended": len(ended)},
    )
