"""Wire the alert rules and the checkpoint schedule to the audit trail of one app."""

from __future__ import annotations

from helio.alerts.channels import webhook_policy
from helio.alerts.dispatcher import AlertDispatcher, Retry
from helio.alerts.engine import AlertEngine
from helio.alerts.outbox import outbox_for
from helio.audit import hooks
from helio.audit.monitor import CheckpointScheduler
from helio.mail.config import smtp_config
from helio.mail.transport import MemoryTransport, SmtpTransport, Transport
from helio.services import Services

EXTRAS_KEY = "alerts"


def build_dispatcher(services: Services) -> AlertDispatcher:
    """Return a dispatcher for these services' settings, outbox and mail transport."""
    settings = services.settings
    config = smtp_config(settings)
    mail: Transport = SmtpTransport(config) if config else MemoryTransport()
    return AlertDispatcher(
        db=services.db,
        state=services.state,
        outbox=outbox_for(services.state),
        mail=mail,
        mail_from=settings.mail_from,
        policy=webhook_policy(settings),
        retry=Retry(settings.alert_retry_attempts, settings.alert_retry_base_seconds),
    )


def install_security_monitoring(
    services: Services, dispatcher: AlertDispatcher | None = None
) -> AlertEngine:
    """Evaluate alert rules and schedule checkpoints after each committed audit event.

    Idempotent: a second call returns the engine already installed.
    """
    existing = services.extras.get(EXTRAS_KEY)
    if isinstance(existing, AlertEngine):
        return existing
    engine = AlertEngine(services.state, dispatcher or build_dispatcher(services))
    scheduler = CheckpointScheduler(services)
    hooks.subscribe(services.db.engine, "alerts", engine.evaluate)
    hooks.subscribe(services.db.engine, "checkpoints", scheduler.on_event)
    services.extras[EXTRAS_KEY] = engine
    return engine


def uninstall_security_monitoring(services: Services) -> None:
    """Stop evaluating rules for these services (tests that swap the dispatcher)."""
    hooks.unsubscribe(services.db.engine, "alerts")
    hooks.unsubscribe(services.db.engine, "checkpoints")
    services.extras.pop(EXTRAS_KEY, None)


async def shutdown_security_monitoring(services: Services) -> None:
    """Let the running drainer finish (queued alerts stay in the outbox otherwise)."""
    engine = services.extras.get(EXTRAS_KEY)
    if isinstance(engine, AlertEngine):
        await engine.dispatcher.wait_idle()
