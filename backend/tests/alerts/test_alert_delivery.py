"""Alerts raised after commit reach a real webhook receiver and SMTP server, once per burst."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest
from fastapi import FastAPI
from tests.alerts.alert_receivers import MailSink, WebhookReceiver, serve_smtp, serve_webhook
from tests.factories.accounts import admin_access, ctx
from tests.fixtures.apps import use
from tests.fixtures.principals import Harness

from helio.alerts.channels import webhook_policy
from helio.alerts.dispatcher import AlertDispatcher, Retry
from helio.alerts.engine import AlertEngine
from helio.alerts.outbox import outbox_for
from helio.alerts.rules import ACCOUNT_FAILURES, IP_FAILURES, Alert
from helio.alerts.setup import install_security_monitoring, uninstall_security_monitoring
from helio.audit import AuditAction, Outcome, Target, record, record_separately
from helio.audit.monitor import CheckpointScheduler
from helio.authz.matrix import Perm, Role
from helio.config import Settings
from helio.mail.config import parse_smtp_url
from helio.mail.transport import SmtpTransport
from helio.metrics import REGISTRY
from helio.ops.alerts.schemas import SinkListUpdate
from helio.ops.alerts.service import replace_sinks
from helio.platform.app import App


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with serve_webhook() as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[MailSink]:
    with serve_smtp() as sink:
        yield sink


def _settings(app_state: App, webhook: WebhookReceiver) -> Settings:
    """The test settings with the loopback receiver explicitly allowlisted."""
    changes = {"alert_webhook_private_hosts": ["127.0.0.1"], "alert_webhook_ports": [webhook.port]}
    return app_state.settings.model_copy(update=changes)


@pytest.fixture
async def monitored(
    app: FastAPI, clean: App, webhook: WebhookReceiver, smtp: MailSink
) -> AsyncIterator[AlertEngine]:
    """Alerts to the local receivers; installed after the app (`create_app` installs its own)."""
    settings = _settings(clean, webhook)
    dispatcher = AlertDispatcher(
        db=clean.db,
        state=clean.state,
        outbox=outbox_for(clean.state),
        mail=SmtpTransport(parse_smtp_url(f"smtp://127.0.0.1:{smtp.port}")),
        mail_from="Helio Alerts <alerts@helio.test>",
        policy=webhook_policy(settings),
        retry=Retry(attempts=3, base_seconds=0.01),
    )
    uninstall_security_monitoring(clean.db)
    engine = AlertEngine(clean.state, dispatcher)
    checkpoints = CheckpointScheduler(clean.settings, clean.db, clean.state)
    install_security_monitoring(clean.db, engine, checkpoints)
    use(app, alerts=engine)
    body = SinkListUpdate.model_validate(
        {
            "sinks": [
                {"kind": "webhook", "target": webhook.url},
                {"kind": "mail", "target": "soc@example.com"},
            ]
        }
    )
    admin = ctx(replace(clean, settings=settings), admin_access(Perm.ALERTS_MANAGE))
    async with clean.db.transaction() as session:
        await replace_sinks(session, admin, body=body)
    yield engine
    await dispatcher.wait_idle()
    uninstall_security_monitoring(clean.db)


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


def _delivered(kind: str, result: str) -> float:
    labels = {"kind": kind, "result": result}
    return REGISTRY.get_sample_value("helio_alert_deliveries_total", labels) or 0.0


@pytest.mark.mysql
@pytest.mark.redis
@pytest.mark.asvs("V16.3.1")
async def test_login_burst_alerts_once_per_rule_on_every_sink(
    monitored: AlertEngine, clean: App, webhook: WebhookReceiver, smtp: MailSink
) -> None:
    assert (ACCOUNT_FAILURES, IP_FAILURES) == (10, 20)
    await _failed_logins(clean, 25, account="acct-1", ip="198.51.100.7")
    await monitored.dispatcher.wait_idle()
    assert webhook.rules() == ["login_failures_account", "login_failures_ip"]
    assert smtp.subjects() == [
        "[Helio security alert] Burst of failed logins from one address",
        "[Helio security alert] Burst of failed logins on one account",
    ]
    first = webhook.bodies[0]
    assert first["text"].startswith("[HIGH] Burst of failed logins")
    assert "acct-1" in first["text"] + str(first)
    assert "password" not in str(first).lower()
    await _failed_logins(clean, 25, account="acct-1", ip="198.51.100.7")  # the same burst goes on
    await monitored.dispatcher.wait_idle()
    assert len(webhook.bodies) == 2
    assert len(smtp.messages) == 2


@pytest.mark.mysql
@pytest.mark.redis
async def test_rolled_back_event_raises_no_alert(
    monitored: AlertEngine, clean: App, webhook: WebhookReceiver
) -> None:
    with pytest.raises(RuntimeError):
        await _record_then_fail(clean, AuditAction.AUTH_ACCOUNT_LOCKED)
    async with clean.db.transaction() as session:
        await record(session, None, AuditAction.AUTH_ACCOUNT_LOCKED, actor_id="acct-3")
    await monitored.dispatcher.wait_idle()
    assert webhook.rules() == ["account_locked"]
    assert "acct-3" in webhook.bodies[0]["text"]


@pytest.mark.mysql
@pytest.mark.redis
async def test_temporary_failures_are_retried_with_backoff(
    monitored: AlertEngine, clean: App, webhook: WebhookReceiver
) -> None:
    before = _delivered("webhook", "delivered")
    webhook.statuses = [503, 429]
    await record_separately(
        clean.db, None, AuditAction.AUTH_REFRESH_TOKEN_REUSED, actor_id="acct-4"
    )  # a failure outcome, as the sign-in service records it
    await monitored.dispatcher.wait_idle()
    assert (webhook.hits, webhook.rules()) == (3, ["refresh_token_reuse"])
    assert _delivered("webhook", "delivered") == before + 1


@pytest.mark.mysql
@pytest.mark.redis
async def test_permanent_failure_is_not_retried(
    monitored: AlertEngine, clean: App, webhook: WebhookReceiver, smtp: MailSink
) -> None:
    before = _delivered("webhook", "failed")
    webhook.statuses = [404]
    await record_separately(
        clean.db,
        None,
        AuditAction.STAFF_ROLES_CHANGED,
        outcome=Outcome.SUCCESS,
        target=Target("staff", "staff-1"),
    )
    await monitored.dispatcher.wait_idle()
    assert (webhook.hits, webhook.bodies) == (1, [])
    assert _delivered("webhook", "failed") == before + 1
    assert len(smtp.messages) == 1  # the other sink still got it


@pytest.mark.mysql
@pytest.mark.redis
async def test_alert_left_by_a_crashed_drainer_is_delivered(
    monitored: AlertEngine, clean: App, webhook: WebhookReceiver
) -> None:
    outbox = monitored.dispatcher.outbox
    alert = Alert(
        rule="account_locked", title="Account locked", severity="medium", subject="account x",
        count=1, window_seconds=300, event_id="e" * 32, event_seq=1, action="auth.account_locked",
        occurred_at="2026-01-01T00:00:00", actor_id=None, client_ip=None, request_id=None,
    )  # fmt: skip
    await outbox.push(alert.to_json())
    assert await outbox.claim() is not None  # taken into processing, then the process died
    assert await monitored.dispatcher.drain() == 1
    assert webhook.rules() == ["account_locked"]
    assert await outbox.size() == 0
    assert await outbox.claim() is None


@pytest.mark.mysql
@pytest.mark.redis
@pytest.mark.asvs("V16.3.1")
async def test_staff_sign_in_from_a_new_device_alerts_through_the_api(
    monitored: AlertEngine, auth: Harness, webhook: WebhookReceiver
) -> None:
    engineer = await auth.staff(Role.ENGINEER)
    laptop = auth.client()
    laptop.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
    await auth.login(engineer, laptop)
    await monitored.dispatcher.wait_idle()
    assert "staff_new_device" not in webhook.rules()  # the first device is not "new"
    phone = auth.client()
    phone.headers["User-Agent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 19_0) Safari/605.1"
    await auth.login(engineer, phone)
    await monitored.dispatcher.wait_idle()
    assert webhook.rules().count("staff_new_device") == 1
