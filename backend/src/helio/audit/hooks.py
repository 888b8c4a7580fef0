"""What an audit event sets off: writers in its transaction, then metrics and listeners.

Writers run while the event is written and add to its transaction (the alert
rules queue their evaluation there, so it commits, or rolls back, with the
event: a process that dies right after the commit loses no alert). Listeners
run once the event is committed (checkpoints); one that fails is logged and
never turns a committed request into an error. Both are registered per
database engine, so two apps in one process (tests) each see only their own
events.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from helio.audit.actions import AuditAction
from helio.db import after_commit
from helio.logging import get_logger
from helio.metrics import AUDIT_EVENTS, AUTH_EVENTS, LOCKOUTS

log = get_logger("audit")


@dataclass(frozen=True)
class AuditRecord:
    """A committed audit event, detached from the ORM."""

    seq: int
    id: str
    occurred_at: datetime
    action: str
    outcome: str
    actor_id: str | None = None
    actor_roles: str | None = None
    session_id: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    client_ip: str | None = None
    request_id: str | None = None
    details: dict[str, Any] | None = None

    @property
    def roles(self) -> frozenset[str]:
        """The actor's roles at the time of the event."""
        return frozenset(self.actor_roles.split(",")) if self.actor_roles else frozenset()


Listener = Callable[[AuditRecord], Awaitable[object]]
Writer = Callable[[AsyncSession, AuditRecord], None]

_listeners: weakref.WeakKeyDictionary[AsyncEngine, dict[str, Listener]] = (
    weakref.WeakKeyDictionary()
)
_writers: weakref.WeakKeyDictionary[AsyncEngine, dict[str, Writer]] = weakref.WeakKeyDictionary()


def subscribe(engine: AsyncEngine, name: str, listener: Listener) -> None:
    """Run `listener` after each committed event written through `engine` (idempotent by name)."""
    _listeners.setdefault(engine, {})[name] = listener


def write_along(engine: AsyncEngine, name: str, writer: Writer) -> None:
    """Call `writer` with the session of each event written through `engine`, before commit."""
    _writers.setdefault(engine, {})[name] = writer


def unsubscribe(engine: AsyncEngine, name: str) -> None:
    """Stop calling the listener or writer registered under `name`."""
    _listeners.get(engine, {}).pop(name, None)
    _writers.get(engine, {}).pop(name, None)


def schedule(session: AsyncSession, record: AuditRecord) -> None:
    """Run the writers in `session` now; queue the metrics and listeners for its commit."""
    engine = session.bind
    writers = list(_writers.get(engine, {}).values()) if isinstance(engine, AsyncEngine) else []
    for writer in writers:
        writer(session, record)
    listeners = list(_listeners.get(engine, {}).values()) if isinstance(engine, AsyncEngine) else []

    async def run() -> None:
        _count(record)
        for listener in listeners:
            try:
                await listener(record)
            except Exception:  # a listener must never fail a committed request
                log.exception("audit_listener_failed", action=record.action, seq=record.seq)

    after_commit(session, run)


def _count(record: AuditRecord) -> None:
    """Count a committed event by domain, and authentication outcomes among them."""
    try:
        AUDIT_EVENTS.labels(record.action.split(".", 1)[0]).inc()
        if record.action.startswith("auth."):
            AUTH_EVENTS.labels(record.action, record.outcome).inc()
        if record.action == AuditAction.AUTH_ACCOUNT_LOCKED:
            LOCKOUTS.inc()
    except Exception:  # metrics must never fail a committed request
        log.exception("audit_observer_failed", action=record.action, seq=record.seq)
