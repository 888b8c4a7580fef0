"""Helpers shared by the audit, alert and ops tests: events, principals, requests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from starlette.requests import Request

from helio.alerts.setup import uninstall_security_monitoring
from helio.audit.service import record
from helio.authz.access import Access
from helio.authz.matrix import Perm, Reach, Role
from helio.authz.principal import Principal
from helio.db import Database
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.services import Services


def staff(*roles: Role, user_id: str | None = None) -> Principal:
    """Return a staff principal with MFA verified and a fresh step-up."""
    return Principal(
        user_id=user_id or new_id(),
        roles=frozenset(roles or (Role.ADMIN,)),
        session_id=new_id(),
        session_kind="cookie",
        mfa_verified=True,
        has_mfa=True,
        step_up_at=utcnow(),
        email_verified=True,
    )


def access(perm: Perm, *roles: Role) -> Access:
    """Return what a guard would grant an admin (or `roles`) for `perm`."""
    return Access(staff(*roles), perm, Reach.ALL)


def request_from(
    client_ip: str, request_id: str = "req-0001", user_agent: str = "pytest"
) -> Request:
    """Return a request whose state carries what the request-context middleware sets."""
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/auth/login",
        "headers": [(b"user-agent", user_agent.encode())],
        "state": {"client_ip": client_ip, "request_id": request_id},
    }
    return Request(scope)


def isolated(services: Services) -> Services:
    """Detach alert rules and scheduled checkpoints (an app built earlier may have installed
    them), so a test sees only the events and checkpoints it writes."""
    uninstall_security_monitoring(services)
    return services


async def append(db: Database, count: int, *, action: str = "test.event", **fields: Any) -> None:
    """Record `count` events in one transaction."""
    async with db.transaction() as session:
        for index in range(count):
            details = {"index": index, "changed": ["status"]}
            await record(session, action=action, resource_type="order", details=details, **fields)


async def execute(db: Database, sql: str, **params: Any) -> None:
    """Run raw SQL as the (root) test user: the tampering an attacker with DB access could do."""
    async with db.transaction() as session:
        await session.execute(text(sql), params)


async def scalar(db: Database, sql: str, **params: Any) -> Any:
    """Return the first column of the first row of a raw query."""
    async with db.transaction() as session:
        return (await session.execute(text(sql), params)).scalar()
