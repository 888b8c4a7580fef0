"""Accounts, principals, sessions and audit reads shared by the staff and authz tests."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from helio.accounts.service import create_account, update_pii
from helio.auth import sessions
from helio.auth.tokens import issue_access_token
from helio.authz.access import Access, check
from helio.authz.matrix import STAFF_ROLES, Perm, Role
from helio.authz.principal import Principal
from helio.kit.clock import utcnow
from helio.mail.outbox import OUTBOX_KEY, Outbox
from helio.mail.transport import MemoryTransport
from helio.models import AuditEvent, User
from helio.services import Services

PHONE = "+1 415 555 4567"
ADDRESS = {
    "line1": "12 Dolores Street",
    "line2": "Apt 4",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94110",
    "country": "US",
}


async def new_account(
    services: Services,
    *roles: Role,
    full_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    address: dict[str, Any] | None = None,
    notes: str | None = None,
    verified: bool = True,
) -> str:
    """Create an account (customer unless staff roles are given); return its id.

    Staff accounts get a confirmed TOTP, as the guards require MFA for staff.
    """
    tag = secrets.token_hex(5)
    staff = bool(set(roles) & STAFF_ROLES)
    async with services.db.transaction() as session:
        user = await create_account(
            session,
            services,
            kind="staff" if staff else "customer",
            email=email or f"user.{tag}@example.com",
            full_name=full_name or f"Test User {tag}",
            password_hash=None,
            roles=roles or (Role.CUSTOMER,),
            phone=phone,
        )
        extra = {k: v for k, v in {"address": address, "notes": notes}.items() if v}
        if extra:
            await update_pii(session, services, user, extra)
        if staff:
            user.totp_confirmed_at = utcnow()
        user.email_verified_at = utcnow() if verified else None
    return user.id


def principal(user_id: str, *roles: Role, step_up: bool = True) -> Principal:
    """Return the principal of a verified session of this account."""
    staff = bool(set(roles) & STAFF_ROLES)
    return Principal(
        user_id=user_id,
        roles=frozenset(roles or (Role.CUSTOMER,)),
        session_id=secrets.token_hex(16),
        session_kind="token",
        mfa_verified=staff,
        has_mfa=staff,
        step_up_at=utcnow() if step_up else None,
        email_verified=True,
    )


def access(user_id: str, perm: Perm, *roles: Role) -> Access:
    """Return what the route guard grants this account for `perm` (raises like the guard)."""
    return check(principal(user_id, *roles), perm)


@dataclass(frozen=True)
class LiveSession:
    """A real session of an account, with a bearer token for it."""

    session_id: str
    bearer: str


async def live_session(services: Services, user_id: str) -> LiveSession:
    """Start a real MFA-verified token session through the auth layer; return its bearer token."""
    async with services.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        new = await sessions.create_session(
            session,
            services,
            user,
            kind="token",
            mfa_verified=user.kind == "staff",
            client_ip="203.0.113.7",
            user_agent="pytest",
        )
        token, _ = await issue_access_token(services, new.row)
    return LiveSession(new.row.id, token)


async def audit_events(services: Services, action: str) -> list[AuditEvent]:
    """Return the recorded events of an action, oldest first."""
    async with services.db.transaction() as session:
        stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        return list((await session.execute(stmt)).scalars())


async def get_user(services: Services, user_id: str) -> User:
    """Return an account row as stored now."""
    async with services.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


@asynccontextmanager
async def captured_mail(services: Services) -> AsyncIterator[MemoryTransport]:
    """Capture the mail sent inside the block in memory; delivered by the time it ends."""
    transport = MemoryTransport()
    previous = services.extras.get(OUTBOX_KEY)
    outbox = Outbox(transport)
    services.extras[OUTBOX_KEY] = outbox
    try:
        yield transport
        await outbox.drain()
    finally:
        await outbox.close()
        if previous is None:
            services.extras.pop(OUTBOX_KEY, None)
        else:
            services.extras[OUTBOX_KEY] = previous
