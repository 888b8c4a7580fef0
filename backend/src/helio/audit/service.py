"""Write audit events: one function, in the transaction of the change it describes."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit import repository
from helio.audit.chain import link_hash
from helio.auth.principal import Principal
from helio.db import Database
from helio.kit.clock import utcnow
from helio.models import AuditEvent
from helio.models.base import new_id


async def record(
    session: AsyncSession,
    *,
    action: str,
    outcome: str = "success",
    actor: Principal | None = None,
    actor_id: str | None = None,
    resource_type: str | None = None,
    resource_id: str | None = None,
    reason: str | None = None,
    request: Request | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the hash chain inside the caller's transaction.

    `details` holds ids and changed field names, never PII values or secrets.
    A rolled-back change takes its event with it.
    """
    head = await repository.lock_head(session)
    fields: dict[str, Any] = {
        "seq": head.last_seq + 1,
        "id": new_id(),
        "occurred_at": utcnow(),
        "actor_id": actor.user_id if actor else actor_id,
        "actor_roles": ",".join(sorted(actor.roles)) if actor else None,
        "session_id": actor.session_id if actor else None,
        "action": action,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "outcome": outcome,
        "reason": reason[:500] if reason else None,
        "client_ip": _state(request, "client_ip"),
        "user_agent": (request.headers.get("user-agent") or "")[:200] or None if request else None,
        "request_id": _state(request, "request_id"),
        "details": details,
    }
    digest = link_hash(head.last_hash, fields)
    event = AuditEvent(**fields, prev_hash=head.last_hash, hash=digest)
    repository.add_event(session, event)
    head.last_seq = fields["seq"]
    head.last_hash = digest
    await session.flush()
    return event


def _state(request: Request | None, name: str) -> str | None:
    if request is None:
        return None
    value = getattr(request.state, name, None)
    return None if value is None else str(value)


async def record_separately(db: Database, **fields: Any) -> None:
    """Record an event in its own transaction.

    For outcomes whose request ends in an error (a failed login, a refused
    token): the request's own transaction rolls back, the event must not.
    """
    async with db.transaction() as session:
        await record(session, **fields)
