"""Accounts' credential life: sign-up, email verification, password reset and change, logout.

Sign-up and forgot-password answer the same whatever the email: the work
that differs (mails) happens after the answer, in the outbox.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from helio.accounts import repository as accounts
from helio.accounts.service import create_account, find_by_email, read_profile
from helio.auth import events, lockout, notices, repository, sessions, tokens
from helio.auth.exceptions import InvalidLinkToken, WrongPassword
from helio.auth.login_service import count_failure, guard_request
from helio.auth.password_policy import check_password_async
from helio.auth.passwords import hash_password, verify_password
from helio.auth.policy import policy_of
from helio.auth.stepup import require_recent_auth
from helio.authz.matrix import Role
from helio.authz.principal import Principal
from helio.deps import client_ip
from helio.errors import NotFound
from helio.kit.clock import utcnow
from helio.models import AuthSession, User
from helio.services import Services

MAILS_PER_HOUR = 3


def _active(user: User | None) -> bool:
    return user is not None and user.status == "active" and user.deleted_at is None


async def _under_mail_limit(session: AsyncSession, user_id: str, purpose: str, limit: int) -> bool:
    since = utcnow() - timedelta(hours=1)
    return await repository.recent_one_time_count(session, user_id, purpose, since) < limit


async def send_verification(session: AsyncSession, services: Services, user: User) -> None:
    """Send a fresh verification link (at most three an hour); older links stop working."""
    if user.email_verified_at is not None:
        return
    if not await _under_mail_limit(session, user.id, tokens.EMAIL_VERIFY, MAILS_PER_HOUR):
        return
    await repository.retire_one_time(session, user.id, [tokens.EMAIL_VERIFY], utcnow())
    seconds = policy_of(services).email_verification_seconds
    value, _ = await tokens.issue_one_time(session, user.id, tokens.EMAIL_VERIFY, seconds=seconds)
    await notices.verification(session, services, user, value)


async def register(
    session: AsyncSession,
    services: Services,
    request: Request,
    *,
    email: str,
    password: str,
    full_name: str,
) -> None:
    """Create a customer account and send its verification link; the same for a taken email.

    Raises:
        ValidationFailed: the password breaks the policy (says what to fix).
        TooManyAttempts, PowRequired: anti-automation.
    """
    ip = await guard_request(services, request, "register")
    await lockout.count_public_request(services, ip)
    await check_password_async(password, email=email, name=full_name)
    # Hashed in both branches so a taken email costs the same time.
    password_hash = await hash_password(password)
    existing = await find_by_email(session, services, email)
    if existing is not None:
        await _registered_again(session, services, request, existing)
        return
    try:
        async with session.begin_nested():
            user = await create_account(
                session,
                services,
                kind="customer",
                email=email,
                full_name=full_name,
                password_hash=password_hash,
                roles=[Role.CUSTOMER],
            )
    except IntegrityError:
        return  # a concurrent sign-up with the same email won; answer the same
    await send_verification(session, services, user)
    await events.record_auth(session, request, events.REGISTER, user_id=user.id)


async def _registered_again(
    session: AsyncSession, services: Services, request: Request, user: User
) -> None:
    if _active(user) and user.email_verified_at is None:
        await send_verification(session, services, user)
    elif _active(user) and await _under_mail_limit(
        session, user.id, tokens.PASSWORD_RESET, MAILS_PER_HOUR
    ):
        await notices.already_registered(session, services, user)
    await events.record_auth(
        session,
        request,
        events.REGISTER,
        outcome=events.DENIED,
        user_id=user.id,
        reason="email_taken",
    )


async def _link_refused(services: Services, request: Request, action: str) -> None:
    await lockout.record_failure(services, client_ip(request), None)
    await events.record_auth_separately(services, request, action, reason="invalid_token")
    raise InvalidLinkToken()


async def verify_email(
    session: AsyncSession, services: Services, request: Request, token: str
) -> None:
    """Mark the email of the token's account verified; the token works once.

    Raises:
        InvalidLinkToken: unknown, used or expired.
    """
    await lockout.check_address(services, client_ip(request))
    row = await tokens.consume_one_time(session, (tokens.EMAIL_VERIFY,), token)
    user = await accounts.get(session, row.user_id) if row else None
    if row is None or user is None or not _active(user):
        await _link_refused(services, request, events.EMAIL_VERIFIED)
    assert user is not None
    user = await repository.lock_account(session, user.id)
    user.email_verified_at = user.email_verified_at or utcnow()
    await events.record_auth(session, request, events.EMAIL_VERIFIED, user_id=user.id)


async def forgot_password(
    session: AsyncSession, services: Services, request: Request, email: str
) -> None:
    """Send a reset link if the account exists (at most three an hour); answer the same anyway."""
    ip = await guard_request(services, request, "forgot")
    await lockout.count_public_request(services, ip)
    user = await find_by_email(session, services, email)
    if user is None or not _active(user):
        await events.record_auth(
            session,
            request,
            events.RESET_REQUESTED,
            outcome=events.DENIED,
            reason="unknown_account",
        )
        return
    if await _under_mail_limit(session, user.id, tokens.PASSWORD_RESET, MAILS_PER_HOUR):
        await repository.retire_one_time(session, user.id, [tokens.PASSWORD_RESET], utcnow())
        seconds = policy_of(services).password_reset_seconds
        value, _ = await tokens.issue_one_time(
            session, user.id, tokens.PASSWORD_RESET, seconds=seconds
        )
        await notices.reset(session, services, user, value)
    await events.record_auth(session, request, events.RESET_REQUESTED, user_id=user.id)


async def reset_password(
    session: AsyncSession, services: Services, request: Request, *, token: str, new_password: str
) -> None:
    """Set a new password with a reset token; every session of the account ends.

    Raises:
        InvalidLinkToken: unknown, used or expired token.
        ValidationFailed: the new password breaks the policy (the token stays usable).
    """
    await lockout.check_address(services, client_ip(request))
    row = await tokens.find_one_time(session, (tokens.PASSWORD_RESET,), token)
    user = await accounts.get(session, row.user_id) if row else None
    if row is None or user is None or not _active(user):
        await _link_refused(services, request, events.PASSWORD_RESET)
    assert row is not None
    assert user is not None
    profile = await read_profile(session, services, user)
    await check_password_async(new_password, email=profile.email, name=profile.full_name)
    if await tokens.consume_one_time(session, (tokens.PASSWORD_RESET,), token) is None:
        await _link_refused(services, request, events.PASSWORD_RESET)
    user = await repository.lock_account(session, user.id)
    await repository.retire_one_time(session, user.id, [tokens.PASSWORD_RESET], utcnow())
    user.password_hash = await hash_password(new_password)
    user.password_changed_at = utcnow()
    # The link proved control of the mailbox.
    user.email_verified_at = user.email_verified_at or utcnow()
    ended = await sessions.revoke(session, services, user.id, reason="password_reset")
    await lockout.record_success(services, lockout.account_key(services, profile.email))
    await notices.password_changed(
        session,
        services,
        user,
        how="reset with an emailed link",
        ended="Every device signed in to your account was signed out.",
    )
    await events.record_auth(
        session,
        request,
        events.PASSWORD_RESET,
        user_id=user.id,
        details={"sessions_ended": len(ended)},
    )


async def change_password(
    session: AsyncSession,
    services: Services,
    request: Request,
    principal: Principal,
    *,
    current_password: str,
    new_password: str,
) -> None:
    """Change the password after checking the current one; other sessions end.

    Raises:
        WrongPassword: the current password is wrong (counted like a failed sign-in).
        ValidationFailed: the new password breaks the policy.
    """
    user = await accounts.get(session, principal.user_id)
    assert user is not None
    profile = await read_profile(session, services, user)
    key = lockout.account_key(services, profile.email)
    await lockout.check_account(services, key)
    if not user.password_hash or not await verify_password(user.password_hash, current_password):
        ip = client_ip(request)
        await count_failure(services, request, ip=ip, key=key, user_id=user.id)
        await events.record_auth_separately(
            services, request, events.PASSWORD_CHANGED, actor=principal, reason="wrong_password"
        )
        raise WrongPassword()
    await check_password_async(new_password, email=profile.email, name=profile.full_name)
    user = await repository.lock_account(session, user.id)
    user.password_hash = await hash_password(new_password)
    user.password_changed_at = utcnow()
    ended = await sessions.revoke(
        session, services, user.id, reason="password_changed", keep=principal.session_id
    )
    await notices.password_changed(
        session,
        services,
        user,
        how="changed in your account settings",
        ended=f"{len(ended)} other signed-in device(s) were signed out.",
    )
    await events.record_auth(
        session,
        request,
        events.PASSWORD_CHANGED,
        actor=principal,
        details={"sessions_ended": len(ended)},
    )


async def logout(
    session: AsyncSession, services: Services, request: Request, principal: Principal
) -> None:
    """End the current session now; its cookie, access tokens and refresh tokens stop working."""
    await sessions.revoke(
        session, services, principal.user_id, reason="logout", only=[principal.session_id]
    )
    await events.record_auth(session, request, events.LOGOUT, actor=principal)


async def list_sessions(
    session: AsyncSession, principal: Principal, *, limit: int
) -> list[AuthSession]:
    """Return the caller's live sessions (at most `limit`, newest first)."""
    return (await repository.live_sessions(session, principal.user_id, utcnow()))[:limit]


async def current_row(session: AsyncSession, principal: Principal) -> AuthSession:
    """Return the caller's session row."""
    row = await repository.get_session(session, principal.session_id)
    assert row is not None
    return row


async def revoke_sessions(
    session: AsyncSession,
    services: Services,
    request: Request,
    principal: Principal,
    *,
    session_id: str | None,
) -> bool:
    """End one of the caller's sessions (or all others when `session_id` is None).

    Ending the current session is a logout; ending others needs recent
    authentication. Returns True when the current session was ended.

    Raises:
        StepUpRequired: ending other sessions without a recent step-up.
        NotFound: no such live session of the caller.
    """
    if session_id == principal.session_id:
        await logout(session, services, request, principal)
        return True
    require_recent_auth(services, principal, await current_row(session, principal))
    only = None if session_id is None else [session_id]
    ended = await sessions.revoke(
        session,
        services,
        principal.user_id,
        reason="revoked_by_user",
        keep=principal.session_id,
        only=only,
    )
    if session_id is not None and not ended:
        raise NotFound()
    await events.record_auth(
        session, request, events.SESSION_REVOKED, actor=principal, details={"sessions": ended}
    )
    return False
