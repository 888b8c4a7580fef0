"""Wire the alert rules and the checkpoint schedule to the audit trail of one app."""

from __future__ import annotations

from helio.alerts.channels import webhook_policy
from helio.alerts.dispatcher import AlertDispatcher, Retry
from helio.alerts.engine import AlertEngine
from helio.alerts.outbox import outbox_for
from helio.audit import hooks
from helio.audit.monitor import CheckpointScheduler
from helio.config import Settings
from helio.db import Database
from helio.mail.config import smtp_config
from helio.mail.transport import MemoryTransport, SmtpTransport, Transport
from helio.state.shared import SharedState


def build_dispatcher(settings: Settings, db: Database, state: SharedState) -> AlertDispatcher:
    """Return a dispatcher for these settings: the alert outbox, mail transport, webhook policy."""
    config = smtp_config(settings)
    mail: Transport = SmtpTransport(config) if config else MemoryTransport()
    return AlertDispatcher(
        db=db,
        state=state,
        outbox=outbox_for(state),
        mail=mail,
        mail_from=settings.mail_from,
        policy=webhook_policy(settings),
        retry=Retry(settings.alert_retry_attempts, settings.alert_retry_base_seconds),
    )


def build_alert_engine(settings: Settings, db: Database, state: SharedState) -> AlertEngine:
    """Return the alert engine of one app, delivering through its own dispatcher."""
    return AlertEngine(state, build_dispatcher(settings, db, state))


def install_security_monitoring(
    db: Database, alerts: AlertEngine, checkpoints: CheckpointScheduler
) -> None:
    """Evaluate the alert rules and schedule checkpoints after each committed audit event.

    Listeners are keyed by name per engine: installing again replaces them.
    """
    hooks.subscribe(db.engine, "alerts", alerts.evaluate)
    hooks.subscribe(db.engine, "checkpoints", checkpoints.on_event)


def uninstall_security_monitoring(db: Database) -> None:
    """Stop evaluating rules and scheduling checkpoints for this database's events."""
    hooks.unsubscribe(db.engine, "alerts")
    hooks.unsubscribe(db.engine, "checkpoints")
