"""Write audit events: one call, in the transaction of the change it describes.

`record(session, ctx, action, target=…, outcome=…, reason=…, details=…)` takes
who acted and from where from the context (the caller's access and the
request's metadata), appends to the hash chain under the chain-head lock,
and hands the event to the after-commit listeners (metrics, alert rules,
checkpoints). `record_separately` does the same in a transaction of its own,
for outcomes whose request is about to fail and roll back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from helio.audit import hooks, repository
from helio.audit.actions import AuditAction, Outcome
from helio.audit.chain import link_hash
from helio.authz.principal import Principal
from helio.db import Database, after_transaction
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.kit.meta import NO_REQUEST, RequestMeta
from helio.models import AuditEvent

MAX_DETAILS_BYTES = 4096
MAX_AGENT_CHARS = 200
MAX_REASON_CHARS = 500


class AuditContext(Protocol):
    """What the trail reads from a call's context (`helio.platform.context.Ctx` is one)."""

    @property
    def principal(self) -> Principal | None:
        """The signed-in caller, if any."""
        ...

    @property
    def meta(self) -> RequestMeta:
        """Where the request came from."""
        ...


@dataclass(frozen=True)
class Target:
    """What an event is about: a resource type and, usually, its id."""

    kind: str
    id: str | None = None


async def record(
    session: AsyncSession,
    ctx: AuditContext | None,
    action: AuditAction,
    *,
    target: Target | None = None,
    outcome: Outcome = Outcome.SUCCESS,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    actor_id: str | None = None,
) -> AuditEvent:
    """Append one event to the hash chain inside the caller's transaction.

    Args:
        session: the transaction of the change the event describes.
        ctx: who acted and from where; None for work no request asked for.
        action: what happened.
        target: what it happened to.
        outcome: success, failure, denied (or mfa_pending for a sign-in's first step).
        reason: why, as the actor stated it (a grant's reason) or a refusal code.
        details: ids and changed field names, never PII values or secrets.
        actor_id: the account acting when the context has no access yet (a sign-in).

    Returns:
        The event as stored.

    Raises:
        ValueError: `details` is not plain JSON or larger than 4 KiB.
    """
    # The caller's pending changes take their row locks before the chain head: every
    # transaction then locks rows first and the head last, so no lock-order deadlock.
    await session.flush()
    fields = _fields(ctx, action, target, outcome, reason, details, actor_id)
    last_seq, last_hash = await repository.lock_head_values(session)
    fields["seq"] = last_seq + 1
    fields["occurred_at"] = utcnow()  # taken under the lock: time follows the chain order
    values = {**fields, "prev_hash": last_hash, "hash": link_hash(last_hash, fields)}
    await repository.append_event(session, values)
    hooks.schedule(session, _snapshot(fields))
    return AuditEvent(**values)


async def recorded(session: AsyncSession, action: AuditAction, target: Target) -> bool:
    """Tell whether an event of `action` about `target` is in the trail (once-only work)."""
    return await repository.has_event(session, action.value, target.kind, target.id or "")


async def record_separately(
    db: Database,
    ctx: AuditContext | None,
    action: AuditAction,
    *,
    target: Target | None = None,
    outcome: Outcome = Outcome.FAILURE,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    actor_id: str | None = None,
) -> None:
    """Record an event in its own transaction (the request's own will roll back).

    Inside an open transaction the write waits until that one has ended: a
    second write meanwhile would wait on the first one's chain-head lock.
    """

    async def write() -> None:
        async with db.transaction() as session:
            await record(
                session, ctx, action, target=target, outcome=outcome, reason=reason,
                details=details, actor_id=actor_id,
            )  # fmt: skip

    if not after_transaction(write):
        await write()


def _fields(
    ctx: AuditContext | None,
    action: AuditAction,
    target: Target | None,
    outcome: Outcome,
    reason: str | None,
    details: dict[str, Any] | None,
    actor_id: str | None,
) -> dict[str, Any]:
    principal = ctx.principal if ctx is not None else None
    meta = ctx.meta if ctx is not None else NO_REQUEST
    return {
        "seq": 0,
        "id": new_id(),
        "occurred_at": None,
        "actor_id": principal.user_id if principal else actor_id,
        "actor_roles": ",".join(sorted(principal.roles)) if principal else None,
        "session_id": principal.session_id if principal else None,
        "action": action.value,
        "resource_type": target.kind if target else None,
        "resource_id": target.id if target else None,
        "outcome": outcome.value,
        "reason": reason[:MAX_REASON_CHARS] if reason else None,
        "client_ip": meta.client_ip,
        "user_agent": (meta.user_agent or "")[:MAX_AGENT_CHARS] or None,
        "request_id": meta.request_id,
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


_SNAPSHOT = (
    "seq", "id", "occurred_at", "action", "outcome", "actor_id", "actor_roles", "session_id",
    "resource_type", "resource_id", "client_ip", "request_id", "details",
)  # fmt: skip


async def stored_record(session: AsyncSession, event_id: str) -> hooks.AuditRecord | None:
    """Return a committed event as its listeners saw it, or None when there is no such event."""
    event = await repository.event_by_id(session, event_id)
    if event is None:
        return None
    return hooks.AuditRecord(**{name: getattr(event, name) for name in _SNAPSHOT})


def _snapshot(fields: dict[str, Any]) -> hooks.AuditRecord:
    return hooks.AuditRecord(**{name: fields[name] for name in _SNAPSHOT})
