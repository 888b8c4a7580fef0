"""Audit-trail helpers shared by the audit, alert and ops tests: events, raw SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from helio.alerts.setup import uninstall_security_monitoring
from helio.audit import AuditAction, Target, record
from helio.db import Database
from helio.models import AuditEvent
from helio.platform.app import App
from helio.platform.context import Ctx


def isolated(app: App) -> App:
    """Detach alert rules and scheduled checkpoints (an app built earlier may have installed
    them), so a test sees only the events and checkpoints it writes."""
    uninstall_security_monitoring(app.db)
    return app


async def append(
    db: Database,
    count: int,
    *,
    action: AuditAction = AuditAction.SITE_UPDATED,
    ctx: Ctx | None = None,
) -> None:
    """Record `count` events in one transaction."""
    async with db.transaction() as session:
        for index in range(count):
            details = {"index": index, "changed": ["status"]}
            await record(session, ctx, action, target=Target("order"), details=details)


async def events_about(app: App, resource_id: str) -> list[AuditEvent]:
    """Return the audit events about one resource, oldest first."""
    async with app.db.transaction() as session:
        rows = await session.execute(
            text("SELECT seq FROM audit_events WHERE resource_id = :rid ORDER BY seq"),
            {"rid": resource_id},
        )
        seqs = [row[0] for row in rows]
        return [event for seq in seqs if (event := await session.get(AuditEvent, seq)) is not None]


async def execute(db: Database, sql: str, **params: Any) -> None:
    """Run raw SQL as the (root) test user: the tampering an attacker with DB access could do."""
    async with db.transaction() as session:
        await session.execute(text(sql), params)


async def scalar(db: Database, sql: str, **params: Any) -> Any:
    """Return the first column of the first row of a raw query."""
    async with db.transaction() as session:
        return (await session.execute(text(sql), params)).scalar()


async def raw_row(app: App, sql: str, **params: Any) -> dict[str, Any] | None:
    """Read one row with plain SQL, bypassing the ORM (what a database reader would see)."""
    async with app.db.transaction() as session:
        result = await session.execute(text(sql), params)
        row = result.mappings().first()
        return None if row is None else dict(row)
