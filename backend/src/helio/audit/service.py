"""Write audit events: one function, in the transaction of the change it describes."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit import hooks, repository
from helio.audit.chain import link_hash
from helio.authz.principal import Principal
from helio.db import Database, after_transaction
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import AuditEvent


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
    A rolled-back change takes its event with it; once it commits, metrics and
    the alert rules see it (`helio.audit.hooks`).

    Raises:
        ValueError: `details` is not plain JSON or larger than 4 KiB.
    """
    # The caller's pending changes take their row locks before the chain head: every
    # transaction then locks rows first and the head last, so no lock-order deadlock.
    await session.flush()
    fields = _fields(
        action=action, outcome=outcome, actor=actor, actor_id=actor_id,
        resource_type=resource_type, resource_id=resource_id, reason=reason,
        request=request, details=details,
    )  # fmt: skip
    last_seq, last_hash = await repository.lock_head_values(session)
    fields["seq"] = last_seq + 1
    fields["occurred_at"] = utcnow()  # taken under the lock: time follows the chain order
    values = {**fields, "prev_hash": last_hash, "hash": link_hash(last_hash, fields)}
    await repository.append_event(session, values)
    hooks.schedule(session, _snapshot(fields))
    return AuditEvent(**values)


MAX_DETAILS_BYTES = 4096


def _fields(
    *,
    action: str,
    outcome: str,
    actor: Principal | None,
    actor_id: str | None,
    resource_type: str | None,
    resource_id: str | None,
    reason: str | None,
    request: Request | None,
    details: dict[str, Any] | None,
) -> dict[str, Any]:
    agent = (request.headers.get("user-agent") or "")[:200] if request else ""
    return {
        "seq": 0,
        "id": new_id(),
        "occurred_at": None,
        "actor_id": actor.user_id if actor else actor_id,
        "actor_roles": ",".join(sorted(actor.roles)) if actor else None,
        "session_id": actor.session_id if actor else None,
        "action": action,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "outcome": outcome,
        "reason": reason[:500] if reason else None,
        "client_ip": _state(request, "client_ip"),
        "user_agent": agent or None,
        "request_id": _state(request, "request_id"),
        "details": _plain_json(details),
    }


def _plain_json(details: dict[str, Any] | None) -> dict[str, Any] | None:
    # Round-trip now so the hash covers exactly what the database will return.
    if details is None:
        return None
    text = json.dumps(details, sort_keys=True, allow_nan=False)
    if len(text) > MAX_DETAILS_BYTES:
        raise ValueError("audit details are limited to 4 KiB of ids and field names")
    value: dict[str, Any] = json.loads(text)
    return value


def _snapshot(fields: dict[str, Any]) -> hooks.AuditRecord:
    names = (
        "seq",
        "id",
        "occurred_at",
        "action",
        "outcome",
        "actor_id",
        "actor_roles",
        "session_id",
        "resource_type",
        "resource_id",
        "client_ip",
        "request_id",
        "details",
    )
    return hooks.AuditRecord(**{name: fields[name] for name in names})


def _state(request: Request | None, name: str) -> str | None:
    if request is None:
        return None
    value = getattr(request.state, name, None)
    return None if value is None else str(value)


async def record_separately(db: Database, **fields: Any) -> None:
    """Record an event in its own transaction.

    For outcomes whose request ends in an error (a failed login, a refused
    token): the request's own transaction rolls back, the event must not. Inside
    an open transaction the write waits until that one has ended.
    """

    async def write() -> None:
        async with db.transaction() as session:
            await record(session, **fields)

    if not after_transaction(write):
        await write()
