"""Alerts are evaluated and delivered by the worker to a real webhook receiver and SMTP server:
once per burst, retried while a sink is down, dead-lettered without the webhook's URL; the
evaluation is written with the event, so nothing is lost between the commit and the worker.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sized
from contextlib import AbstractAsyncContextManager
from dataclasses import replace

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from tests.alerts.alert_receivers import MailSink, WebhookReceiver, serve_smtp, serve_webhook
from tests.factories.accounts import admin_access, ctx
from tests.fixtures.apps import use
from tests.fixtures.principals import Harness
from tests.worker.harness import STEADY, eventually, running

from helio.alerts.delivery import DELIVER_ALERT, EVALUATE_ALERTS, AlertJobs, evaluation_key
from helio.alerts.engine import AlertEngine
from helio.alerts.rules import ACCOUNT_FAILURES, IP_FAILURES
from helio.alerts.setup import install_security_monitoring, uninstall_security_monitoring
from helio.audit import AuditAction, Outcome, Target, record, record_separately
from helio.audit.monitor import CheckpointScheduler
from helio.authz.matrix import Perm, Role
from helio.mail.config import parse_smtp_url
from helio.mail.transport import SmtpTransport
from helio.models import JobOutbox
from helio.ops.alerts.schemas import SinkListUpdate
from helio.ops.alerts.service import replace_sinks
from helio.platform.app import App
from helio.state.jobs import DEAD_KEY, DeadLetters, Retrying, enqueue
from helio.worker import metrics
from helio.worker.jobs.alerts import deliver_alert, evaluate_alerts
from helio.worker.registry import Family, JobSpec, Registry
from helio.worker.runtime import DONE_PREFIX, Runtime

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

# The production schedule waits minutes between attempts; the behaviour is the same.
QUICK = Retrying(retries=3, retry_delay=0.05, max_delay=0.2, timeout=10)
REGISTRY = Registry.of(
    (
        Family(
            "alerts",
            jobs=(
                JobSpec(EVALUATE_ALERTS, evaluate_alerts, QUICK),
                JobSpec(DELIVER_ALERT, deliver_alert, QUICK),
            ),
        ),
    )
)


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with serve_webhook() as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[MailSink]:
    with serve_smtp() as sink:
        yield sink


@pytest.fixture
async def monitored(app: FastAPI, clean: App, webhook: WebhookReceiver) -> AsyncIterator[App]:
    """The app with a webhook and a mail sink, its loopback receiver explicitly allowlisted."""
    changes = {"alert_webhook_private_hosts": ["127.0.0.1"], "alert_webhook_ports": [webhook.port]}
    monitored = replace(clean, settings=clean.settings.model_copy(update=changes))
    uninstall_security_monitoring(clean.db)
    engine = AlertEngine(clean.state, AlertJobs(clean.db))
    install_security_monitoring(
        clean.db, engine, CheckpointScheduler(clean.settings, clean.db, clean.state)
    )
    use(app, alerts=engine)
    body = SinkListUpdate.model_validate(
        {
            "sinks": [
                {"kind": "webhook", "target": webhook.url},
                {"kind": "mail", "target": "soc@example.com"},
            ]
        }
    )
    async with clean.db.transaction() as session:
        await replace_sinks(session, ctx(monitored, admin_access(Perm.ALERTS_MANAGE)), body=body)
    yield monitored
    uninstall_security_monitoring(clean.db)


def _worker(app: App, smtp: MailSink) -> AbstractAsyncContextManager[Runtime]:
    transport = SmtpTransport(parse_smtp_url(f"smtp://127.0.0.1:{smtp.port}"))
    return running(app, REGISTRY, transport, STEADY)


async def _failed_logins(app_state: App, count: int, *, account: str, ip: str) -> None:
    for _ in range(count):
        await record_separately(
            app_state.db,
            ctx(app_state, client_ip=ip),
            AuditAction.AUTH_SIGNED_IN,
            outcome=Outcome.FAILURE,
            actor_id=account,
            target=Target("account", account),
        )


async def _record_then_fail(app_state: App, action: AuditAction) -> None:
    async with app_state.db.transaction() as session:
        await record(session, None, action, actor_id="acct-2")
        raise RuntimeError


def _deliveries(kind: str, result: str) -> float:
    labels = {"kind": kind, "result": result}
    return metrics.REGISTRY.get_sample_value("helio_alert_deliveries_total", labels) or 0.0


async def _settled(app: App, runtime: Runtime) -> bool:
    """Every alert job relayed and finished (nothing waiting, queued, scheduled or running),
    and still so a moment later (longer than a retry's delay)."""
    for pause in (0.0, 0.5):
        await asyncio.sleep(pause)
        waiting = await AlertJobs(app.db).waiting()
        if waiting or await runtime.queue.count("incomplete"):
            return False
    return True


def _count_is(items: Sized, count: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return len(items) >= count

    return check


@pytest.mark.asvs("V16.3.1")
async def test_login_burst_alerts_once_per_rule_on_every_sink(
    monitored: App, webhook: WebhookReceiver, smtp: MailSink
) -> None:
    assert (ACCOUNT_FAILURES, IP_FAILURES) == (10, 20)
    async with _worker(monitored, smtp) as runtime:
        await _failed_logins(monitored, 25, account="acct-1", ip="198.51.100.7")
        await eventually(_count_is(webhook.bodies, 2))
        await eventually(_count_is(smtp.messages, 2))
        assert webhook.rules() == ["login_failures_account", "login_failures_ip"]
        assert smtp.subjects() == [
            "[Helio security alert] Burst of failed logins from one address",
            "[Helio security alert] Burst of failed logins on one account",
        ]
        first = webhook.bodies[0]
        assert first["text"].startswith("[HIGH] Burst of failed logins")
        assert "acct-1" in first["text"] + str(first)
        assert "password" not in str(first).lower()
        await _failed_logins(monitored, 25, account="acct-1", ip="198.51.100.7")  # same burst
        await eventually(lambda: _settled(monitored, runtime))
    assert len(webhook.bodies) == 2
    assert len(smtp.messages) == 2


async def test_rolled_back_event_raises_no_alert(
    monitored: App, webhook: WebhookReceiver, smtp: MailSink
) -> None:
    with pytest.raises(RuntimeError):
        await _record_then_fail(monitored, AuditAction.AUTH_ACCOUNT_LOCKED)
    assert await AlertJobs(monitored.db).waiting() == 0
    async with monitored.db.transaction() as session:
        await record(session, None, AuditAction.AUTH_ACCOUNT_LOCKED, actor_id="acct-3")
    async with _worker(monitored, smtp) as runtime:
        await eventually(_count_is(webhook.bodies, 1))
        await eventually(lambda: _settled(monitored, runtime))
    assert webhook.rules() == ["account_locked"]
    assert "acct-3" in webhook.bodies[0]["text"]


async def test_an_alert_raised_while_no_worker_runs_waits_and_is_delivered(
    monitored: App, webhook: WebhookReceiver, smtp: MailSink
) -> None:
    await record_separately(
        monitored.db, None, AuditAction.AUTH_ACCOUNT_LOCKED, outcome=Outcome.SUCCESS,
        actor_id="acct-9",
    )  # fmt: skip
    assert await AlertJobs(monitored.db).waiting() == 1  # its evaluation, kept in the database
    assert webhook.hits == 0
    async with _worker(monitored, smtp) as runtime:
        await eventually(lambda: _settled(monitored, runtime))
    assert webhook.rules() == ["account_locked"]
    assert len(smtp.messages) == 1


async def test_temporary_failures_are_retried_with_backoff(
    monitored: App, webhook: WebhookReceiver, smtp: MailSink
) -> None:
    before = (_deliveries("webhook", "delivered"), _deliveries("webhook", "retried"))
    webhook.statuses = [503, 429]
    await record_separately(
        monitored.db, None, AuditAction.AUTH_REFRESH_TOKEN_REUSED, actor_id="acct-4"
    )  # a failure outcome, as the sign-in service records it
    async with _worker(monitored, smtp) as runtime:
        await eventually(lambda: _settled(monitored, runtime))
    assert (webhook.hits, webhook.rules()) == (3, ["refresh_token_reuse"])
    assert _deliveries("webhook", "retried") == before[1] + 2
    assert _deliveries("webhook", "delivered") == before[0] + 1
    assert len(smtp.messages) == 1  # the mail sink got it at the first attempt, once


async def test_permanent_failure_is_not_retried(
    monitored: App, webhook: WebhookReceiver, smtp: MailSink
) -> None:
    before = _deliveries("webhook", "failed")
    webhook.statuses = [404]
    await record_separately(
        monitored.db,
        None,
        AuditAction.STAFF_ROLES_CHANGED,
        outcome=Outcome.SUCCESS,
        target=Target("staff", "staff-1"),
    )
    async with _worker(monitored, smtp) as runtime:
        await eventually(lambda: _settled(monitored, runtime))
    assert (webhook.hits, webhook.bodies) == (1, [])
    assert _deliveries("webhook", "failed") == before + 1
    assert len(smtp.messages) == 1  # the other sink still got it


@pytest.mark.asvs("V16.5.2")
async def test_a_sink_down_too_long_is_dead_lettered_without_its_url_then_sent_again(
    monitored: App, webhook: WebhookReceiver, smtp: MailSink, auth: Harness
) -> None:
    webhook.statuses = [503] * QUICK.retries
    await record_separately(
        monitored.db, None, AuditAction.GRANT_APPROVED, outcome=Outcome.SUCCESS, actor_id="acct-5"
    )
    assert monitored.settings.redis_url
    dead = DeadLetters.from_url(monitored.settings.redis_url)
    try:
        async with _worker(monitored, smtp) as runtime:
            await eventually(lambda: _dead(dead))
            [letter] = await dead.list()
            assert (letter.function, letter.attempts) == (DELIVER_ALERT, QUICK.retries)
            assert letter.error == "TemporaryFailure"
            stored = json.dumps(await dead.client.hgetall(DEAD_KEY))  # type: ignore[misc]
            assert "secrettoken" not in stored
            assert "/hooks/" not in stored
            engineer = await auth.login(await auth.staff(Role.ENGINEER))
            shown = (await engineer.get("/api/v1/staff/ops/worker")).json()
            assert [d["key"] for d in shown["dead_letters"]] == [letter.key]
            assert "secrettoken" not in json.dumps(shown)
            assert webhook.bodies == []
            assert len(smtp.messages) == 1

            await dead.retry(runtime.queue, letter.key)  # the receiver is back
            await eventually(_count_is(webhook.bodies, 1))
            await eventually(lambda: _settled(monitored, runtime))
    finally:
        await dead.client.delete(DEAD_KEY)
        await dead.close()
    assert webhook.rules() == ["grant_approved"]
    assert len(smtp.messages) == 1


async def _dead(dead: DeadLetters) -> bool:
    return await dead.count() >= 1


@pytest.mark.asvs("V16.3.1")
async def test_an_evaluation_written_with_its_event_and_run_twice_delivers_once(
    monitored: App, webhook: WebhookReceiver, smtp: MailSink
) -> None:
    await record_separately(
        monitored.db, None, AuditAction.AUTH_ACCOUNT_LOCKED, outcome=Outcome.SUCCESS,
        actor_id="acct-6",
    )  # fmt: skip
    # Committed with the event: a process that dies now loses nothing, and nothing was
    # evaluated in it (no Redis state yet).
    async with monitored.db.transaction() as session:
        rows = (await session.scalars(select(JobOutbox))).all()
        jobs = [(row.function, row.job_key, row.kwargs) for row in rows]
    assert [(function, kwargs) for function, _, kwargs in jobs] == [
        (EVALUATE_ALERTS, {"event_id": jobs[0][2]["event_id"]})
    ]
    key = jobs[0][1]
    assert key == evaluation_key(str(jobs[0][2]["event_id"]))
    async with _worker(monitored, smtp) as runtime:
        await eventually(lambda: _settled(monitored, runtime))
        assert (webhook.hits, len(smtp.messages)) == (1, 1)
        # A worker killed after the evaluation, before its done mark, runs it again: the
        # same alert is raised under the same delivery keys, and each sink gets it once.
        await monitored.state.delete(DONE_PREFIX + key)
        await enqueue(runtime.queue, EVALUATE_ALERTS, QUICK, key=key, kwargs=jobs[0][2])
        await eventually(lambda: _settled(monitored, runtime))
    assert (webhook.hits, len(smtp.messages)) == (1, 1)


@pytest.mark.asvs("V16.3.1")
async def test_staff_sign_in_from_a_new_device_alerts_through_the_api(
    monitored: App, auth: Harness, webhook: WebhookReceiver, smtp: MailSink
) -> None:
    engineer = await auth.staff(Role.ENGINEER)
    laptop = auth.client()
    laptop.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
    async with _worker(monitored, smtp) as runtime:
        await auth.login(engineer, laptop)
        await eventually(lambda: _settled(monitored, runtime))
        assert "staff_new_device" not in webhook.rules()  # the first device is not "new"
        phone = auth.client()
        phone.headers["User-Agent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 19_0) Safari/605.1"
        await auth.login(engineer, phone)
        await eventually(lambda: _settled(monitored, runtime))
    assert webhook.rules().count("staff_new_device") == 1
