"""Accounts, principals, accesses, contexts and sessions, made the way the app makes them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from helio.auth.accounts.profiles import create_account, update_pii
from helio.auth.sessions import lifecycle
from helio.auth.tokens.issuing import issue_access_token
from helio.authz.access import Access, check
from helio.authz.matrix import STAFF_ROLES, Perm, Reach, Role
from helio.authz.principal import Principal
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.kit.meta import RequestMeta
from helio.models import AuditEvent, User
from helio.platform.app import App
from helio.platform.context import Ctx

PHONE = "+1 415 555 4567"
ADDRESS = {
    "line1": "12 Dolores Street",
    "line2": "Apt 4",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94110",
    "country": "US",
}
CLIENT_IP = "203.0.113.7"


async def new_account(
    app: App,
    *roles: Role,
    full_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    address: dict[str, Any] | None = None,
    notes: str | None = None,
    verified: bool = True,
    mfa: bool = False,
) -> str:
    """Create an account (customer unless staff roles are given); return its id.

    Staff accounts get a confirmed TOTP, as the guards require MFA for staff; a customer
    gets one when `mfa` is asked (ordering needs it).
    """
    tag = secrets.token_hex(5)
    staff = bool(set(roles) & STAFF_ROLES)
    async with app.db.transaction() as session:
        user = await create_account(
            session,
            app,
            kind="staff" if staff else "customer",
            email=email or f"user.{tag}@example.com",
            full_name=full_name or f"Test User {tag}",
            password_hash=None,
            roles=roles or (Role.CUSTOMER,),
            phone=phone,
        )
        extra = {k: v for k, v in {"address": address, "notes": notes}.items() if v}
        if extra:
            await update_pii(session, app, user, extra)
        if staff or mfa:
            user.totp_confirmed_at = utcnow()
        user.email_verified_at = utcnow() if verified else None
    return user.id


def principal(
    user_id: str | None = None,
    *roles: Role,
    step_up: bool = True,
    session_id: str | None = None,
    has_mfa: bool | None = None,
) -> Principal:
    """Return the principal of a verified session of this account (a new id when None).

    Staff have a second factor; a customer has one when `has_mfa` says so.
    """
    staff = bool(set(roles) & STAFF_ROLES)
    return Principal(
        user_id=user_id or new_id(),
        roles=frozenset(roles or (Role.CUSTOMER,)),
        session_id=session_id or secrets.token_hex(16),
        session_kind="token",
        mfa_verified=True,
        has_mfa=staff if has_mfa is None else has_mfa,
        step_up_at=utcnow() if step_up else None,
        email_verified=True,
    )


def access(user_id: str, perm: Perm, *roles: Role) -> Access:
    """Return what the route guard grants this account for `perm` (raises like the guard)."""
    return check(principal(user_id, *roles), perm)


def admin_access(perm: Perm, *roles: Role) -> Access:
    """Return an access with reach ALL for `perm` of a new staff member (admin by default)."""
    return Access(principal(None, *(roles or (Role.ADMIN,))), perm, Reach.ALL)


def ctx(
    app: App,
    granted: Access | None = None,
    *,
    client_ip: str = CLIENT_IP,
    request_id: str = "req-0001",
    user_agent: str = "pytest",
    origin: str | None = None,
) -> Ctx:
    """Return the context a route would hand a service: the app, the caller, the request."""
    meta = RequestMeta(
        request_id=request_id, client_ip=client_ip, user_agent=user_agent, origin=origin
    )
    return Ctx(app, granted, meta)


@dataclass(frozen=True)
class LiveSession:
    """A real session of an account, with a bearer token for it."""

    session_id: str
    bearer: str


async def live_session(app: App, user_id: str, *, step_up: bool = True) -> LiveSession:
    """Start a real MFA-verified token session through the auth layer; return its bearer token."""
    async with app.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        new = await lifecycle.create_session(
            session,
            app,
            user,
            kind="token",
            mfa_verified=user.kind == "staff",
            client_ip=CLIENT_IP,
            user_agent="pytest",
        )
        new.row.step_up_at = utcnow() if step_up else None
        token, _ = await issue_access_token(app, new.row)
    return LiveSession(new.row.id, token)


async def cookie_session(app: App, user_id: str) -> str:
    """Start a real MFA-verified cookie session through the auth layer; return its secret."""
    async with app.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        new = await lifecycle.create_session(
            session,
            app,
            user,
            kind="cookie",
            mfa_verified=True,
            client_ip=CLIENT_IP,
            user_agent="pytest",
        )
    assert new.secret is not None
    return new.secret


async def get_user(app: App, user_id: str) -> User:
    """Return an account row as stored now."""
    async with app.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


async def audit_events(app: App, action: str) -> list[AuditEvent]:
    """Return the recorded events of an action, oldest first."""
    async with app.db.transaction() as session:
        stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        return list((await session.execute(stmt)).scalars())


async def new_customer(app: App) -> str:
    """Create a customer account (with its data key) and return its id."""
    return await new_account(app)


def caller(app: App, user_id: str, perm: Perm, *roles: Role) -> Ctx:
    """Return the context a guarded route hands a service for this account and `perm`."""
    return ctx(app, access(user_id, perm, *roles))
