"""The worker on SAQ and Redis: the transactional outbox, retries, dead letters, idempotency,
the scheduled jobs and mail delivered end to end (a worker in the test's event loop).

`test_worker_process.py` starts the real `helio worker` command and kills it.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from helio.alerts.delivery import AlertJobs
from helio.alerts.setup import uninstall_security_monitoring
from helio.audit import AuditAction, Target, record
from helio.authz.matrix import Perm, Role
from helio.commands.worker import worker_app_for
from helio.config import Settings
from helio.mail.config import SmtpConfig
from helio.mail.outbox import JobOutbox as MailJobs
from helio.mail.outbox import send_after_commit
from helio.mail.transport import MemoryTransport, SmtpTransport
from helio.models import AuditCheckpoint, JobOutbox, Quote
from helio.ops.alerts.schemas import SinkListUpdate
from helio.ops.alerts.service import replace_sinks
from helio.platform.app import App
from helio.state.jobs import DeadLetters, Retrying, build_queue, enqueue, enqueue_in
from helio.worker import metrics
from helio.worker.context import WorkerContext
from helio.worker.jobs import scheduled
from helio.worker.outbox import relay
from helio.worker.registry import Family, JobSpec, Registry, default_registry
from helio.worker.runtime import DONE_PREFIX, DONE_SECONDS, WorkerOptions, build_runtime
from tests.factories.accounts import admin_access, ctx, new_customer
from tests.factories.orders import make_quote
from tests.fixtures.principals import Harness
from tests.fixtures.smtp import SmtpServer
from tests.worker.harness import eventually, message, running

pytestmark = [pytest.mark.mysql, pytest.mark.redis]


async def _outbox_rows(app: App) -> int:
    async with app.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(JobOutbox)) or 0)


def _smtp(server: SmtpServer) -> SmtpTransport:
    return SmtpTransport(
        SmtpConfig(host=server.host, port=server.port, tls="opportunistic", timeout=5)
    )


class Flaky:
    """A job that fails its first `failures` runs, then succeeds; it counts its runs."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.runs: list[str] = []

    async def __call__(self, worker: WorkerContext, *, note: str) -> None:
        self.runs.append(note)
        if len(self.runs) <= self.failures:
            raise ConnectionError("the far end is down")


def _registry(job: Flaky, *, retries: int = 3) -> Registry:
    retrying = Retrying(retries=retries, retry_delay=0.05, max_delay=0.2, timeout=10)
    return Registry.of((Family("test", jobs=(JobSpec("flaky", job, retrying),)),))


def _count(function: str, outcome: str) -> float:
    value = metrics.REGISTRY.get_sample_value(
        "helio_worker_jobs_total", {"function": function, "outcome": outcome}
    )
    return value or 0.0


@pytest.mark.asvs("V2.3.3")
async def test_a_rolled_back_transaction_leaves_no_job(clean: App, smtp_server: SmtpServer) -> None:
    outbox = MailJobs(clean.db)

    async def queue_then_fail() -> None:
        async with clean.db.transaction() as session:
            send_after_commit(session, outbox, message(clean, "Rolled"))
            raise RuntimeError("injected fault")

    with pytest.raises(RuntimeError, match="fault"):
        await queue_then_fail()
    assert await _outbox_rows(clean) == 0
    async with clean.db.transaction() as session:
        send_after_commit(session, outbox, message(clean, "Committed"))
    assert await _outbox_rows(clean) == 1
    async with running(clean, default_registry(), _smtp(smtp_server)) as runtime:
        await eventually(lambda: _delivered(smtp_server, 1))
        await eventually(lambda: _rows_are(clean, 0))
        assert await runtime.queue.count("queued") == 0
    [received] = smtp_server.messages
    assert "Committed" in received.get_content()  # the rolled-back one never ran


async def _delivered(server: SmtpServer, count: int) -> bool:
    return len(server.messages) >= count


async def _rows_are(app: App, count: int) -> bool:
    return await _outbox_rows(app) == count


@pytest.mark.asvs("V16.5.2")
async def test_a_failing_job_is_retried_with_backoff_then_dead_lettered_and_shown(
    auth: Harness,
) -> None:
    app = auth.app_state
    job = Flaky(failures=10)
    registry = _registry(job, retries=3)
    before = {o: _count("flaky", o) for o in ("failed", "retried", "dead_lettered", "done")}
    assert app.settings.redis_url
    dead = DeadLetters.from_url(app.settings.redis_url)
    try:
        async with running(app, registry, MemoryTransport()) as runtime:
            async with app.db.transaction() as session:
                key = enqueue_in(session, "flaky", {"note": "n"})
            await eventually(lambda: _dead_count(dead, 1))
            assert job.runs == ["n", "n", "n"]  # three attempts, then given up
            assert _count("flaky", "failed") - before["failed"] == 3
            assert _count("flaky", "retried") - before["retried"] == 2
            assert _count("flaky", "dead_lettered") - before["dead_lettered"] == 1

            engineer = await auth.login(await auth.staff(Role.ENGINEER))
            answer = await engineer.get("/api/v1/staff/ops/worker")
            assert answer.status_code == 200, answer.text
            view = answer.json()
            assert view["available"] is True
            [shown] = view["dead_letters"]
            assert shown["key"] == key
            assert shown["function"] == "flaky"
            assert shown["attempts"] == 3
            assert shown["error"] == "ConnectionError"
            assert "kwargs" not in shown

            job.failures = 0  # the far end is back: sending it again succeeds, once
            again = await dead.retry(runtime.queue, key)
            assert again == f"{key}~retry1"
            await eventually(lambda: _ran(job, 4))
            assert await dead.count() == 0
            await eventually(lambda: _metric_at_least("flaky", "done", before["done"] + 1))
    finally:
        await dead.close()


async def _dead_count(dead: DeadLetters, count: int) -> bool:
    return await dead.count() == count


async def _ran(job: Flaky, count: int) -> bool:
    return len(job.runs) >= count


async def _metric_at_least(function: str, outcome: str, value: float) -> bool:
    return _count(function, outcome) >= value


async def test_a_key_runs_once_however_often_it_is_relayed(clean: App) -> None:
    job = Flaky(failures=0)
    registry = _registry(job)
    spec = registry.jobs["flaky"]
    async with running(clean, registry, MemoryTransport()) as runtime:
        async with clean.db.transaction() as session:
            enqueue_in(session, "flaky", {"note": "once"}, key="flaky:order-1")
        await eventually(lambda: _ran(job, 1))
        await eventually(lambda: _metric_at_least("flaky", "done", 1))
        # A relay that stopped between enqueueing and deleting queues the key again:
        await enqueue(runtime.queue, "flaky", spec.retrying, key="flaky:order-1", kwargs={})
        await eventually(lambda: _queue_empty(runtime.queue))
    assert job.runs == ["once"]
    # The done mark expires: one key per job run must not stay in Redis for good.
    assert 0 < await clean.state.ttl(DONE_PREFIX + "flaky:order-1") <= DONE_SECONDS


async def _queue_empty(queue: Any) -> bool:
    return int(await queue.count("queued")) + int(await queue.count("active")) == 0


async def test_rows_of_an_unknown_job_are_dropped_not_run(clean: App) -> None:
    assert clean.settings.redis_url
    queue = build_queue(clean.settings.redis_url)
    await queue.connect()
    try:
        async with clean.db.transaction() as session:
            enqueue_in(session, "no_such_job", {})
        assert await relay(clean.db, queue, default_registry()) == 0
        assert await _outbox_rows(clean) == 0
        assert await queue.count("queued") == 0
    finally:
        await queue.disconnect()


def test_the_scheduled_jobs_are_registered(clean: App) -> None:
    registry = default_registry()
    assert set(registry.schedules) == {
        "shred_due_accounts",
        "audit_checkpoint",
        "expire_quotes",
        "access_review_reminder",
        "self_audit",
    }
    assert set(registry.jobs) >= {"deliver_mail"}
    runtime = build_runtime(clean, registry, WorkerOptions(), transport=MemoryTransport())
    names = {cron.function.__qualname__ for cron in runtime.worker.cron_jobs}
    assert names == set(registry.schedules)
    assert set(runtime.worker.functions) >= set(registry.jobs) | set(registry.schedules)


async def test_the_scheduled_jobs_do_their_work(clean: App) -> None:
    customer = await new_customer(clean)
    stale = await make_quote(clean, customer, valid_days=-1)
    fresh = await make_quote(clean, customer, valid_days=30)
    assert clean.settings.redis_url
    context = WorkerContext(clean, MemoryTransport(), build_queue(clean.settings.redis_url))
    assert await scheduled.expire_quotes(context) == 1
    assert await scheduled.expire_quotes(context) == 0  # run twice, changes once
    async with clean.db.transaction() as session:
        statuses = dict((await session.execute(select(Quote.id, Quote.status))).all())
    assert statuses == {stale: "expired", fresh: "offered"}
    assert await scheduled.shred_due_accounts(context) == 0
    head = await scheduled.audit_checkpoint(context)
    async with clean.db.transaction() as session:
        signed = (await session.scalars(select(AuditCheckpoint.seq))).all()
    assert list(signed) == [head]
    assert await scheduled.access_review_reminder(context) is True  # never attested


@pytest.mark.asvs("V16.3.1")
async def test_an_audit_event_recorded_by_a_job_raises_its_alert(
    settings: Settings, clean: App
) -> None:
    """The daily self-audit runs in the worker: a regression it records must still alert."""
    body = SinkListUpdate.model_validate({"sinks": [{"kind": "mail", "target": "soc@example.com"}]})
    async with clean.db.transaction() as session:
        await replace_sinks(session, ctx(clean, admin_access(Perm.ALERTS_MANAGE)), body=body)
    app = worker_app_for(settings)
    try:
        async with app.db.transaction() as session:
            await record(
                session, None, AuditAction.SELF_AUDIT_CHECK_REGRESSED,
                target=Target("self_audit_check", "db.staff_mfa"),
            )  # fmt: skip
        assert await AlertJobs(app.db).waiting() == 1  # one deliver_alert job for the sink
    finally:
        uninstall_security_monitoring(app.db)
        await app.close()
