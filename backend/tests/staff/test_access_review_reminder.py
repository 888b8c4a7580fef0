"""The access-review reminder mails every active admin once per review period, through the
job outbox and the worker to a real SMTP server; links only, nothing about any account.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.factories.accounts import audit_events, new_account
from tests.fixtures.smtp import SmtpServer
from tests.worker.harness import STEADY, eventually, running

from helio.audit.actions import AuditAction
from helio.authz.matrix import Role
from helio.kit.clock import clock, utcnow
from helio.kit.ids import new_id
from helio.mail.config import SmtpConfig
from helio.mail.transport import MemoryTransport, SmtpTransport
from helio.models import AccessAttestation, JobOutbox, User
from helio.platform.app import App
from helio.state.jobs import build_queue
from helio.worker.context import WorkerContext
from helio.worker.jobs import mail
from helio.worker.jobs.scheduled import access_review_reminder
from helio.worker.registry import Registry

pytestmark = [pytest.mark.mysql, pytest.mark.redis, pytest.mark.asvs("V8.1.1")]

SUBJECT = "The Helio staff access review is due"
DAY = 24 * 3600


def _context(app: App) -> WorkerContext:
    assert app.settings.redis_url
    return WorkerContext(app, MemoryTransport(), build_queue(app.settings.redis_url))


async def _delivered(app: App, server: SmtpServer) -> list[tuple[str, str]]:
    """Run a worker until the queued mail is out; return (recipient, body) of each reminder."""
    registry = Registry.of((mail.FAMILY,))
    transport = SmtpTransport(SmtpConfig(host=server.host, port=server.port, tls="opportunistic"))
    async with running(app, registry, transport, STEADY) as runtime:

        async def settled() -> bool:
            return await runtime.queue.count("incomplete") == 0 and await _no_rows(app)

        await eventually(settled)
    return sorted(
        (str(m["To"]), m.get_content()) for m in server.messages if m["Subject"] == SUBJECT
    )


async def _no_rows(app: App) -> bool:
    async with app.db.transaction() as session:
        return not await session.scalar(select(func.count()).select_from(JobOutbox))


async def _attested(app: App, by: str, days_ago: int) -> None:
    async with app.db.transaction() as session:
        session.add(
            AccessAttestation(
                id=new_id(), attested_by=by, note=None, snapshot={},
                created_at=utcnow() - timedelta(days=days_ago),
            )
        )  # fmt: skip


async def _deactivate(app: App, user_id: str) -> None:
    async with app.db.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        user.status = "deactivated"


async def test_due_review_mails_each_active_admin_once_per_period(
    clean: App, smtp_server: SmtpServer
) -> None:
    first = await new_account(clean, Role.ADMIN, email="ada@helio.example", full_name="Ada Admin")
    await new_account(clean, Role.ADMIN, Role.ENGINEER, email="bo@helio.example")
    gone = await new_account(clean, Role.ADMIN, email="gone@helio.example")
    await _deactivate(clean, gone)
    await new_account(clean, Role.ENGINEER, email="eve@helio.example", full_name="Eve Engineer")
    context = _context(clean)

    assert await access_review_reminder(context) is True  # never attested: due
    assert await access_review_reminder(context) is True  # the job runs again: no second mail
    sent = await _delivered(clean, smtp_server)
    assert [to for to, _ in sent] == ["ada@helio.example", "bo@helio.example"]
    for _, body in sent:
        assert "/console/access-review" in body
        assert "never attested" in body
        for other in ("Ada Admin", "Eve Engineer", "eve@helio.example", first):
            assert other not in body  # a link, not the review's content
    [event] = await audit_events(clean, AuditAction.ACCESS_REVIEW_REMINDED)
    assert (event.resource_type, event.resource_id) == ("access_review", "never")
    assert event.details == {"admins": 2}

    await _attested(clean, first, days_ago=10)  # reviewed: not due, nothing sent
    assert await access_review_reminder(context) is False
    clock.advance(81 * DAY)  # 91 days later the next period is due, and is mailed once
    assert await access_review_reminder(context) is True
    assert await access_review_reminder(context) is True
    smtp_server.messages.clear()
    again = await _delivered(clean, smtp_server)
    assert [to for to, _ in again] == ["ada@helio.example", "bo@helio.example"]
    assert "last attested" in again[0][1]
    events = await audit_events(clean, AuditAction.ACCESS_REVIEW_REMINDED)
    assert [e.resource_id for e in events] == ["never", events[1].resource_id]
    assert events[1].resource_id != "never"
