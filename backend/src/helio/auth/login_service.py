"""Sign-in: the password step, finishing a sign-in into a session, and refresh-token rotation.

Unknown and known emails take the same path: the same shared-state checks,
one Argon2 verification (a dummy hash for unknown accounts), the same
failure counting and the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from helio.accounts import repository as accounts
from helio.accounts.service import find_by_email
from helio.auth import csrf, events, lockout, notices, repository, sessions, tokens
from helio.auth.exceptions import EmailNotVerified, InvalidCredentials, InvalidGrant
from helio.auth.passwords import hash_password, needs_rehash, verify_dummy, verify_password
from helio.auth.policy import policy_of
from helio.auth.server_keys import hmac_key
from helio.authz.principal import SessionKind
from helio.deps import client_ip
from helio.errors import Forbidden
from helio.kit.clock import utcnow
from helio.models import AuthSession, User
from helio.services import Services

Enrolment = Literal["required", "offered"]


@dataclass(frozen=True)
class SignedIn:
    """A finished sign-in: a cookie secret and CSRF token, or a token pair."""

    row: AuthSession
    cookie_secret: str | None
    csrf_token: str | None
    tokens: tokens.TokenPair | None
    enrolment: Enrolment | None


@dataclass(frozen=True)
class MfaPending:
    """The password was right; a second factor must follow with this token."""

    mfa_token: str
    methods: list[str]


def _active(user: User | None) -> bool:
    return user is not None and user.status == "active" and user.deleted_at is None


async def _password_matches(user: User | None, password: str) -> bool:
    if user is None or not _active(user) or not user.password_hash:
        await verify_dummy(password)
        return False
    return await verify_password(user.password_hash, password)


async def guard_request(services: Services, request: Request, scope: str) -> str:
    """Apply the address block and the proof-of-work demand; return the client address."""
    ip = client_ip(request)
    try:
        await lockout.screen(services, request, ip, scope)
    except Forbidden as refused:
        await events.record_auth_separately(
            services,
            request,
            events.POW_REFUSED,
            outcome=events.DENIED,
            reason=refused.code,
            details={"scope": scope},
        )
        raise
    return ip


async def count_failure(
    services: Services, request: Request, *, ip: str, key: str | None, user_id: str | None
) -> lockout.Failure:
    """Count a failure against address and account; on the locking failure, record and notify."""
    failure = await lockout.record_failure(services, ip, key)
    if failure.locked_now:
        await events.record_auth_separately(
            services,
            request,
            events.LOCKOUT,
            outcome=events.DENIED,
            user_id=user_id,
            details={"failures": failure.failures},
        )
        if user_id is not None:
            await notices.account_locked(services, user_id)
    return failure


async def password_step(
    session: AsyncSession,
    services: Services,
    request: Request,
    *,
    email: str,
    password: str,
    kind: SessionKind,
) -> SignedIn | MfaPending:
    """Check email and password; finish the sign-in or ask for the second factor.

    Raises:
        TooManyAttempts: the address, network or account is blocked or waiting.
        PowRequired (and other PoW errors): this address must solve a challenge.
        InvalidCredentials: unknown email, wrong password or inactive account (one answer).
        EmailNotVerified: the right password for an unverified account (a new link is sent).
    """
    ip = await guard_request(services, request, "login")
    key = lockout.account_key(services, email)
    await lockout.check_account(services, key)
    user = await find_by_email(session, services, email)
    if not await _password_matches(user, password) or user is None:
        failure = await count_failure(
            services, request, ip=ip, key=key, user_id=user.id if user else None
        )
        await events.record_auth_separately(
            services,
            request,
            events.LOGIN,
            user_id=user.id if user else None,
            details={
                "method": "password",
                "kind": kind,
                "failures": failure.failures,
                "known_account": user is not None,
            },
        )
        raise InvalidCredentials()
    await lockout.record_success(services, key)
    if user.email_verified_at is None:
        # Before any lock: the new link is written in a transaction of its own.
        await _resend_verification(services, user.id)
        raise EmailNotVerified()
    user = await repository.lock_account(session, user.id)
    if needs_rehash(user.password_hash or ""):
        user.password_hash = await hash_password(password)
    if await sessions.has_mfa(session, user):
        return await _mfa_pending(session, services, request, user, kind)
    return await finish(session, services, request, user, kind=kind, mfa=False, method="password")


async def _resend_verification(services: Services, user_id: str) -> None:
    # Own transaction: the request is about to fail and roll back.
    from helio.auth.service import send_verification

    async with services.db.transaction() as session:
        user = await accounts.get(session, user_id)
        if user is not None:
            await send_verification(session, services, user)


async def _mfa_pending(
    session: AsyncSession, services: Services, request: Request, user: User, kind: SessionKind
) -> MfaPending:
    purpose = tokens.MFA_COOKIE if kind == "cookie" else tokens.MFA_TOKEN
    seconds = policy_of(services).mfa_token_seconds
    value, _ = await tokens.issue_one_time(session, user.id, purpose, seconds=seconds)
    methods = []
    if user.totp_confirmed_at is not None:
        methods.append("totp")
    if await repository.has_passkey(session, user.id):
        methods.append("webauthn")
    methods.append("recovery_code")
    await events.record_auth(
        session,
        request,
        events.LOGIN,
        outcome="mfa_pending",
        user_id=user.id,
        details={"method": "password", "kind": kind},
    )
    return MfaPending(value, methods)


async def finish(
    session: AsyncSession,
    services: Services,
    request: Request,
    user: User,
    *,
    kind: SessionKind,
    mfa: bool,
    method: str,
) -> SignedIn:
    """Open the session of a fully authenticated sign-in; notify a new device; record it."""
    ip, agent = client_ip(request), request.headers.get("user-agent")
    seen_before, known_device = await repository.sign_in_history(
        session, user.id, sessions.device_label(agent), sessions.network_of(ip)
    )
    new = await sessions.create_session(
        session, services, user, kind=kind, mfa_verified=mfa, client_ip=ip, user_agent=agent
    )
    user.last_login_at = utcnow()
    pair = await tokens.token_pair(session, services, new.row) if kind == "token" else None
    csrf_token = None
    if new.secret is not None:
        csrf_token = csrf.issue(hmac_key(services, "csrf"), sessions.secret_hash(new.secret))
    details = {
        "method": method,
        "kind": kind,
        "mfa": mfa,
        "session_id": new.row.id,
        "account": user.kind,
        # A device never seen on this account: the new-device alert reads this.
        "new_device": seen_before and not known_device,
    }
    await events.record_auth(session, request, events.LOGIN, user_id=user.id, details=details)
    if pair is not None:
        await events.record_auth(
            session, request, events.TOKEN_ISSUED, user_id=user.id, details=details
        )
    if seen_before and not known_device:
        await notices.new_device(session, services, user, new.row)
    enrolment: Enrolment | None = None
    if not mfa:  # a password-only sign-in happens only for accounts without a second factor
        enrolment = "required" if user.kind == "staff" else "offered"
    return SignedIn(new.row, new.secret, csrf_token, pair, enrolment)


async def refresh(
    session: AsyncSession, services: Services, request: Request, value: str
) -> tokens.TokenPair:
    """Rotate a refresh token: the old one is spent, a new pair is issued.

    A refresh token presented a second time means it was stolen (or raced):
    the whole family (its session) is revoked at once and a security event raised.

    Raises:
        InvalidGrant: unknown, reused, revoked or expired.
    """
    ip = client_ip(request)
    await lockout.check_address(services, ip)
    row = None
    if value and len(value) <= tokens.MAX_TOKEN_CHARS:
        row = await repository.refresh_by_hash(session, tokens.token_hash(value))
    if row is None:
        await _refused(services, request, ip, "unknown")
    elif row.used_at is not None or not await repository.use_refresh(session, row.id, utcnow()):
        await _revoke_family(services, request, row.session_id)
    assert row is not None
    auth_row = await repository.get_session(session, row.session_id)
    user = await accounts.get(session, auth_row.user_id) if auth_row else None
    if auth_row is None or user is None or not _active(user) or not _live(auth_row):
        await _refused(services, request, ip, "session_ended")
    assert auth_row is not None
    assert user is not None
    sessions.extend_idle(services, auth_row, user)
    pair = await tokens.token_pair(session, services, auth_row)
    await events.record_auth(
        session,
        request,
        events.TOKEN_REFRESHED,
        user_id=user.id,
        details={"session_id": auth_row.id, "method": "refresh_token"},
    )
    return pair


def _live(row: AuthSession) -> bool:
    now = utcnow()
    return row.revoked_at is None and now < row.idle_expires_at and now < row.absolute_expires_at


async def _refused(services: Services, request: Request, ip: str, reason: str) -> None:
    await lockout.record_failure(services, ip, None)
    await events.record_auth_separately(
        services,
        request,
        events.TOKEN_REFRESHED,
        reason=reason,
        details={"method": "refresh_token"},
    )
    raise InvalidGrant()


async def _revoke_family(services: Services, request: Request, session_id: str) -> None:
    async with services.db.transaction() as session:
        row = await repository.get_session(session, session_id)
        if row is not None:
            await sessions.revoke(
                session, services, row.user_id, reason="refresh_reuse", only=[row.id]
            )
            await events.record_auth(
                session,
                request,
                events.REFRESH_REUSE,
                outcome=events.DENIED,
                user_id=row.user_id,
                details={"session_id": row.id},
            )
    raise InvalidGrant()
