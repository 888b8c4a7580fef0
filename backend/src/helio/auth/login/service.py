"""Sign-in: the password step, finishing a sign-in into a session, and refresh-token rotation.

Unknown and known emails take the same path: the same shared-state checks,
one Argon2 verification (a dummy hash for unknown accounts), the same
failure counting and the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from helio import audit
from helio.audit import AuditAction, Outcome
from helio.auth import notices
from helio.auth.accounts import repository as accounts
from helio.auth.accounts.profiles import account_target, find_by_email
from helio.auth.accounts.verification import resend_verification
from helio.auth.login import lockout
from helio.auth.login.exceptions import EmailNotVerified, InvalidCredentials, InvalidGrant
from helio.auth.login.passwords import hash_password, needs_rehash, verify_dummy, verify_password
from helio.auth.login.schemas import ChallengeRead
from helio.auth.mfa import repository as factors
from helio.auth.sessions import csrf, lifecycle
from helio.auth.sessions import repository as session_rows
from helio.auth.tokens import issuing
from helio.auth.tokens import repository as token_rows
from helio.authz.principal import SessionKind
from helio.errors import Forbidden
from helio.kit.clock import utcnow
from helio.models import AuthSession, User
from helio.platform.context import Ctx

Enrolment = Literal["required", "offered"]


@dataclass(frozen=True)
class SignedIn:
    """A finished sign-in: a cookie secret and CSRF token, or a token pair."""

    row: AuthSession
    cookie_secret: str | None
    csrf_token: str | None
    tokens: issuing.TokenPair | None
    enrolment: Enrolment | None

    @property
    def expires_at(self) -> datetime:
        """When the session ends at the latest (the cookies' lifetime)."""
        return self.row.absolute_expires_at


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


async def guard_request(ctx: Ctx, *, scope: str, pow_solution: str | None) -> str:
    """Apply the address block and the proof-of-work demand; return the client address."""
    ip = ctx.client_ip
    try:
        await lockout.screen(ctx.app, ip, scope, pow_solution)
    except Forbidden as refused:
        await audit.record_separately(
            ctx.app.db,
            ctx,
            AuditAction.AUTH_POW_REFUSED,
            outcome=Outcome.DENIED,
            reason=refused.code,
            details={"scope": scope},
        )
        raise
    return ip


async def count_failure(ctx: Ctx, *, key: str | None, user_id: str | None) -> lockout.Failure:
    """Count a failure against address and account; on the locking failure, record and notify."""
    failure = await lockout.record_failure(ctx.app, ctx.client_ip, key)
    if failure.locked_now:
        await audit.record_separately(
            ctx.app.db,
            ctx,
            AuditAction.AUTH_ACCOUNT_LOCKED,
            outcome=Outcome.DENIED,
            actor_id=user_id,
            target=account_target(user_id),
            details={"failures": failure.failures},
        )
        if user_id is not None:
            await notices.account_locked(ctx.app, user_id)
    return failure


async def password_step(
    session: AsyncSession,
    ctx: Ctx,
    *,
    email: str,
    password: str,
    kind: SessionKind,
    pow_solution: str | None,
) -> SignedIn | MfaPending:
    """Check email and password; finish the sign-in or ask for the second factor.

    Raises:
        TooManyAttempts: the address, network or account is blocked or waiting.
        PowRequired (and other PoW errors): this address must solve a challenge.
        InvalidCredentials: unknown email, wrong password or inactive account (one answer).
        EmailNotVerified: the right password for an unverified account (a new link is sent).
    """
    await guard_request(ctx, scope="login", pow_solution=pow_solution)
    key = lockout.account_key(ctx.app, email)
    failures_on_record = await lockout.check_account(ctx.app, key)
    user = await find_by_email(session, ctx.app, email)
    if not await _password_matches(user, password) or user is None:
        await _password_refused(ctx, user, key, kind)
    assert user is not None
    if failures_on_record:  # nothing to forget otherwise: no Redis round trip
        await lockout.record_success(ctx.app, key)
    if user.email_verified_at is None:
        # Before any lock: the new link is written in a transaction of its own.
        await resend_verification(ctx.app, user.id)
        raise EmailNotVerified()
    user = await accounts.lock_account(session, user.id)
    if needs_rehash(user.password_hash or ""):
        user.password_hash = await hash_password(password)
    if await lifecycle.has_mfa(session, user):
        return await _mfa_pending(session, ctx, user, kind)
    return await finish(session, ctx, user=user, kind=kind, mfa=False, method="password")


async def _password_refused(ctx: Ctx, user: User | None, key: str, kind: SessionKind) -> None:
    user_id = user.id if user else None
    failure = await count_failure(ctx, key=key, user_id=user_id)
    await audit.record_separately(
        ctx.app.db,
        ctx,
        AuditAction.AUTH_SIGNED_IN,
        actor_id=user_id,
        target=account_target(user_id),
        details={
            "method": "password",
            "kind": kind,
            "failures": failure.failures,
            "known_account": user is not None,
        },
    )
    raise InvalidCredentials()


async def _mfa_pending(
    session: AsyncSession, ctx: Ctx, user: User, kind: SessionKind
) -> MfaPending:
    purpose = issuing.MFA_COOKIE if kind == "cookie" else issuing.MFA_TOKEN
    seconds = ctx.app.auth_policy.mfa_token_seconds
    value, _ = await issuing.issue_one_time(session, user.id, purpose, seconds=seconds)
    methods = []
    if user.totp_confirmed_at is not None:
        methods.append("totp")
    if await factors.has_passkey(session, user.id):
        methods.append("webauthn")
    methods.append("recovery_code")
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_SIGNED_IN,
        outcome=Outcome.MFA_PENDING,
        actor_id=user.id,
        target=account_target(user.id),
        details={"method": "password", "kind": kind},
    )
    return MfaPending(value, methods)


async def finish(
    session: AsyncSession, ctx: Ctx, *, user: User, kind: SessionKind, mfa: bool, method: str
) -> SignedIn:
    """Open the session of a fully authenticated sign-in; notify a new device; record it."""
    ip, agent = ctx.client_ip, ctx.meta.user_agent
    seen_before, known_device = await session_rows.sign_in_history(
        session, user.id, lifecycle.device_label(agent), lifecycle.network_of(ip)
    )
    new = await lifecycle.create_session(
        session, ctx.app, user, kind=kind, mfa_verified=mfa, client_ip=ip, user_agent=agent
    )
    user.last_login_at = utcnow()
    pair = await issuing.token_pair(session, ctx.app, new.row) if kind == "token" else None
    csrf_token = None
    if new.secret is not None:
        key = ctx.app.server_keys.hmac("csrf")
        csrf_token = csrf.issue(key, lifecycle.secret_hash(new.secret))
    details = {
        "method": method,
        "kind": kind,
        "mfa": mfa,
        "session_id": new.row.id,
        "account": user.kind,
        # A device never seen on this account: the new-device alert reads this.
        "new_device": seen_before and not known_device,
    }
    target = account_target(user.id)
    await audit.record(
        session, ctx, AuditAction.AUTH_SIGNED_IN, actor_id=user.id, target=target, details=details
    )
    if pair is not None:
        await audit.record(
            session,
            ctx,
            AuditAction.AUTH_TOKEN_ISSUED,
            actor_id=user.id,
            target=target,
            details=details,
        )
    if seen_before and not known_device:
        await notices.new_device(session, ctx.app, user, new.row)
    enrolment: Enrolment | None = None
    if not mfa:  # a password-only sign-in happens only for accounts without a second factor
        enrolment = "required" if user.kind == "staff" else "offered"
    return SignedIn(new.row, new.secret, csrf_token, pair, enrolment)


async def refresh(session: AsyncSession, ctx: Ctx, *, refresh_token: str) -> issuing.TokenPair:
    """Rotate a refresh token: the old one is spent, a new pair is issued.

    A refresh token presented a second time means it was stolen (or raced):
    the whole family (its session) is revoked at once and a security event raised.

    Raises:
        InvalidGrant: unknown, reused, revoked or expired.
    """
    await lockout.check_address(ctx.app, ctx.client_ip)
    row = None
    if refresh_token and len(refresh_token) <= issuing.MAX_TOKEN_CHARS:
        row = await token_rows.refresh_by_hash(session, issuing.token_hash(refresh_token))
    if row is None:
        await _refused(ctx, "unknown")
    elif row.used_at is not None or not await token_rows.use_refresh(session, row.id, utcnow()):
        await _revoke_family(ctx, row.session_id)
    assert row is not None
    auth_row = await session_rows.get_session(session, row.session_id)
    user = await accounts.get(session, auth_row.user_id) if auth_row else None
    if auth_row is None or user is None or not _active(user) or not _live(auth_row):
        await _refused(ctx, "session_ended")
    assert auth_row is not None
    assert user is not None
    lifecycle.extend_idle(ctx.app, auth_row, user)
    pair = await issuing.token_pair(session, ctx.app, auth_row)
    await audit.record(
        session,
        ctx,
        AuditAction.AUTH_TOKEN_REFRESHED,
        actor_id=user.id,
        target=account_target(user.id),
        details={"session_id": auth_row.id, "method": "refresh_token"},
    )
    return pair


def _live(row: AuthSession) -> bool:
    now = utcnow()
    return row.revoked_at is None and now < row.idle_expires_at and now < row.absolute_expires_at


async def _refused(ctx: Ctx, reason: str) -> None:
    await lockout.record_failure(ctx.app, ctx.client_ip, None)
    await audit.record_separately(
        ctx.app.db,
        ctx,
        AuditAction.AUTH_TOKEN_REFRESHED,
        reason=reason,
        details={"method": "refresh_token"},
    )
    raise InvalidGrant()


async def _revoke_family(ctx: Ctx, session_id: str) -> None:
    async with ctx.app.db.transaction() as session:
        row = await session_rows.get_session(session, session_id)
        if row is not None:
            await lifecycle.revoke(
                session, ctx.app, row.user_id, reason="refresh_reuse", only=[row.id]
            )
            await audit.record(
                session,
                ctx,
                AuditAction.AUTH_REFRESH_TOKEN_REUSED,
                outcome=Outcome.DENIED,
                actor_id=row.user_id,
                target=account_target(row.user_id),
                details={"session_id": row.id},
            )
    raise InvalidGrant()


def issue_challenge(ctx: Ctx, *, scope: str) -> ChallengeRead:
    """Issue a proof-of-work challenge at the configured difficulty."""
    issued = lockout.issue_challenge(ctx.app, scope)
    return ChallengeRead(
        challenge=issued.token,
        scope=issued.scope,
        difficulty_bits=issued.difficulty_bits,
        expires_at=issued.expires_at,
    )
