"""The life of a session: create, replace, revoke, resolve with expiry (cookie or token).

A cookie session is found by the SHA-256 of its cookie secret; a token session
by the `sid` of an access token. Revocation is written to the database and,
at once, to shared state as a per-session mark that every replica checks on
each bearer request; the principal data of a bearer session is cached there
for a minute so access tokens cost one Redis read, not a database query.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from helio.auth.accounts import repository as accounts
from helio.auth.mfa import repository as factors
from helio.auth.sessions import repository
from helio.authz.matrix import Role
from helio.authz.principal import Principal, SessionKind
from helio.kit.clock import utcnow
from helio.kit.ids import new_id, new_token
from helio.models import AuthSession, User
from helio.platform.app import App

CACHE_SECONDS = 60
# Longer than any access token can live, so a revoked session's tokens all die first.
REVOKED_MARK_EXTRA_SECONDS = 120
DEVICE_CHARS = 160


def secret_hash(secret: str) -> bytes:
    """Return the stored form of a session secret (256-bit random, so SHA-256 suffices)."""
    return hashlib.sha256(secret.encode("ascii", "replace")).digest()


def network_of(ip: str) -> str | None:
    """Return the /24 (IPv4) or /64 (IPv6) network of an address, or None when unparseable."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def device_label(user_agent: str | None) -> str | None:
    """Return a printable, bounded label of the client (for the device list and notices)."""
    if not user_agent:
        return None
    printable = "".join(ch for ch in user_agent if ch.isprintable())
    return printable[:DEVICE_CHARS] or None


@dataclass(frozen=True)
class SessionState:
    """What a request needs to know about its session and account."""

    session_id: str
    user_id: str
    kind: SessionKind
    roles: frozenset[Role]
    mfa_verified: bool
    has_mfa: bool
    step_up_at: datetime | None
    email_verified: bool
    idle_expires_at: datetime
    absolute_expires_at: datetime

    def principal(self) -> Principal:
        """Return the principal acting through this session."""
        return Principal(
            user_id=self.user_id,
            roles=self.roles,
            session_id=self.session_id,
            session_kind=self.kind,
            mfa_verified=self.mfa_verified,
            has_mfa=self.has_mfa,
            step_up_at=self.step_up_at,
            email_verified=self.email_verified,
        )

    def live(self, now: datetime) -> bool:
        """True while neither the idle nor the absolute expiry has passed."""
        return now < self.idle_expires_at and now < self.absolute_expires_at

    def to_json(self) -> str:
        """Serialise for the shared-state cache."""
        return json.dumps(
            {
                "s": self.session_id,
                "u": self.user_id,
                "k": self.kind,
                "r": sorted(self.roles),
                "m": self.mfa_verified,
                "h": self.has_mfa,
                "t": self.step_up_at.isoformat() if self.step_up_at else None,
                "e": self.email_verified,
                "i": self.idle_expires_at.isoformat(),
                "a": self.absolute_expires_at.isoformat(),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> SessionState:
        """Parse `to_json` output."""
        data = json.loads(text)
        return cls(
            session_id=str(data["s"]),
            user_id=str(data["u"]),
            kind="cookie" if data["k"] == "cookie" else "token",
            roles=frozenset(Role(r) for r in data["r"]),
            mfa_verified=bool(data["m"]),
            has_mfa=bool(data["h"]),
            step_up_at=datetime.fromisoformat(data["t"]) if data["t"] else None,
            email_verified=bool(data["e"]),
            idle_expires_at=datetime.fromisoformat(data["i"]),
            absolute_expires_at=datetime.fromisoformat(data["a"]),
        )


@dataclass(frozen=True)
class NewSession:
    """A session just created; `secret` is the cookie value (None for token sessions)."""

    row: AuthSession
    secret: str | None


def _cache_key(session_id: str) -> str:
    return f"sess:{session_id}"


def _revoked_key(session_id: str) -> str:
    return f"sessrev:{session_id}"


async def has_mfa(session: AsyncSession, user: User) -> bool:
    """True when the account has a confirmed TOTP or a passkey."""
    return user.totp_confirmed_at is not None or await factors.has_passkey(session, user.id)


async def create_session(
    session: AsyncSession,
    app: App,
    user: User,
    *,
    kind: SessionKind,
    mfa_verified: bool,
    client_ip: str,
    user_agent: str | None,
) -> NewSession:
    """Start a session with fresh secrets and its role's idle and absolute limits.

    Args:
        session: the request's transaction.
        app: the application (policy, shared state).
        user: the authenticated account.
        kind: "cookie" (browser) or "token" (access + refresh tokens).
        mfa_verified: whether a second factor was checked for this session.
        client_ip: the client address (its network is stored, for the device list).
        user_agent: the client's User-Agent header.

    Returns:
        The new session; the caller hands `secret` (cookie) or tokens to the client.
    """
    policy = app.auth_policy
    now = utcnow()
    await _enforce_session_cap(session, app, user.id, now)
    limits = policy.session_limits(staff=user.kind == "staff", kind=kind)
    secret = new_token() if kind == "cookie" else None
    row = AuthSession(
        id=new_id(),
        user_id=user.id,
        kind=kind,
        secret_hash=secret_hash(secret) if secret else None,
        mfa_verified=mfa_verified,
        step_up_at=now if mfa_verified else None,
        device=device_label(user_agent),
        ip_prefix=network_of(client_ip),
        created_at=now,
        last_seen_at=now,
        idle_expires_at=now + min(limits.idle, limits.absolute),
        absolute_expires_at=now + limits.absolute,
    )
    repository.add(session, row)
    await session.flush()
    return NewSession(row, secret)


async def _enforce_session_cap(
    session: AsyncSession, app: App, user_id: str, now: datetime
) -> None:
    """At the concurrent-session limit, end the least recently created sessions."""
    cap = app.auth_policy.max_sessions_per_user
    live = await repository.live_sessions(session, user_id, now)
    if len(live) < cap:
        return
    oldest = [row.id for row in live[cap - 1 :]]
    await revoke(session, app, user_id, reason="session_limit", only=oldest)


async def replace(session: AsyncSession, app: App, old: AuthSession, *, reason: str) -> NewSession:
    """Replace a session by a new one with a new id and secret, keeping its absolute expiry.

    The old session is revoked with its refresh tokens and access tokens (new
    id everywhere: at MFA, step-up and privilege changes, no value survives).
    """
    now = utcnow()
    secret = new_token() if old.kind == "cookie" else None
    row = AuthSession(
        id=new_id(),
        user_id=old.user_id,
        kind=old.kind,
        secret_hash=secret_hash(secret) if secret else None,
        mfa_verified=old.mfa_verified,
        step_up_at=old.step_up_at,
        device=old.device,
        ip_prefix=old.ip_prefix,
        created_at=old.created_at,
        last_seen_at=now,
        idle_expires_at=old.idle_expires_at,
        absolute_expires_at=old.absolute_expires_at,
    )
    await revoke(session, app, old.user_id, reason=reason, only=[old.id])
    repository.add(session, row)
    await session.flush()
    return NewSession(row, secret)


async def revoke(
    session: AsyncSession,
    app: App,
    user_id: str,
    *,
    reason: str,
    keep: str | None = None,
    only: list[str] | None = None,
) -> list[str]:
    """End a user's sessions now (all, all but `keep`, or `only` these); return their ids.

    The shared-state marks are written before the transaction commits: if it
    then fails, the sessions are merely logged out, never left alive.
    """
    ids = await repository.revoke_sessions(
        session, user_id, now=utcnow(), reason=reason, keep=keep, only=only
    )
    await mark_revoked(app, ids)
    return ids


async def mark_revoked(app: App, session_ids: list[str]) -> None:
    """Make every replica refuse these sessions' access tokens from now on."""
    ttl = app.auth_policy.access_token_seconds + REVOKED_MARK_EXTRA_SECONDS
    for session_id in session_ids:
        await app.state.set(_revoked_key(session_id), "1", ttl)
        await app.state.delete(_cache_key(session_id))


async def forget(app: App, session_id: str) -> None:
    """Drop the cached state of a session (after a change such as a step-up)."""
    await app.state.delete(_cache_key(session_id))


async def state_of(session: AsyncSession, row: AuthSession) -> SessionState | None:
    """Build the state of a session row, or None when its account may not sign in."""
    user = await accounts.get(session, row.user_id)
    if user is None or user.status != "active" or user.deleted_at is not None:
        return None
    return SessionState(
        session_id=row.id,
        user_id=user.id,
        kind="cookie" if row.kind == "cookie" else "token",
        roles=await accounts.roles(session, user.id),
        mfa_verified=row.mfa_verified,
        has_mfa=await has_mfa(session, user),
        step_up_at=row.step_up_at,
        email_verified=user.email_verified_at is not None,
        idle_expires_at=row.idle_expires_at,
        absolute_expires_at=row.absolute_expires_at,
    )


def _state(found: repository.SessionAccount) -> SessionState | None:
    """The state of a session read with its account, or None when the account may not sign in."""
    if not found.active:
        return None
    row = found.row
    return SessionState(
        session_id=row.id,
        user_id=row.user_id,
        kind="cookie" if row.kind == "cookie" else "token",
        roles=frozenset(Role(name) for name in found.role_names),
        mfa_verified=row.mfa_verified,
        has_mfa=found.has_mfa,
        step_up_at=row.step_up_at,
        email_verified=found.email_verified,
        idle_expires_at=row.idle_expires_at,
        absolute_expires_at=row.absolute_expires_at,
    )


async def resolve_token_session(app: App, session_id: str) -> SessionState | None:
    """Return the live state of a token session, from shared state or the database."""
    # One round trip reads both the revocation mark and the cached state.
    revoked, cached = await app.state.get_many(_revoked_key(session_id), _cache_key(session_id))
    if revoked is not None:
        return None
    now = utcnow()
    if cached is not None:
        hit = SessionState.from_json(cached)
        return hit if hit.live(now) else None
    async with app.db.transaction() as session:
        found = await repository.session_with_account(session, session_id=session_id)
    if found is None or found.row.revoked_at is not None or found.row.kind != "token":
        return None
    state = _state(found)
    if state is None or not state.live(now):
        return None
    await app.state.set(_cache_key(session_id), state.to_json(), CACHE_SECONDS)
    return state


async def resolve_cookie_session(app: App, secret: str) -> SessionState | None:
    """Return the live state of the cookie session holding `secret`, sliding its idle expiry.

    One query reads the session, its account and roles; the transaction writes
    only when the idle expiry slides (at most once per touch interval).
    """
    now = utcnow()
    policy = app.auth_policy
    async with app.db.transaction() as session:
        found = await repository.session_with_account(session, secret_hash=secret_hash(secret))
        if found is None:
            return None
        row = found.row
        if row.revoked_at is not None or row.kind != "cookie":
            return None
        if not (now < row.idle_expires_at and now < row.absolute_expires_at):
            return None
        state = _state(found)
        if state is None:
            return None
        if now - row.last_seen_at >= timedelta(seconds=policy.touch_interval_seconds):
            limits = policy.session_limits(staff=found.user_kind == "staff", kind="cookie")
            row.last_seen_at = now
            row.idle_expires_at = min(now + limits.idle, row.absolute_expires_at)
    return state


def extend_idle(app: App, row: AuthSession, user: User) -> None:
    """Slide a token session's idle expiry (on refresh), never past its absolute expiry."""
    now = utcnow()
    limits = app.auth_policy.session_limits(staff=user.kind == "staff", kind=row.kind)
    row.last_seen_at = now
    row.idle_expires_at = min(now + limits.idle, row.absolute_expires_at)
