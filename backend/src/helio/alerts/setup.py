"""Wire the alert rules and the checkpoint schedule to the audit trail of one app."""

from __future__ import annotations

from helio.alerts.delivery import AlertJobs
from helio.alerts.engine import AlertEngine
from helio.audit import hooks
from helio.audit.monitor import CheckpointScheduler
from helio.db import Database
from helio.state.shared import SharedState


def build_alert_engine(db: Database, state: SharedState) -> AlertEngine:
    """Return the alert engine of one app: counters in its shared state, jobs in its database."""
    return AlertEngine(state, AlertJobs(db))


def install_security_monitoring(
    db: Database, alerts: AlertEngine, checkpoints: CheckpointScheduler
) -> None:
    """Queue each audit event's alert evaluation with it; schedule checkpoints after commit.

    Writers and listeners are keyed by name per engine: installing again replaces them.
    """
    hooks.write_along(db.engine, "alerts", alerts.queue_evaluation)
    hooks.subscribe(db.engine, "checkpoints", checkpoints.on_event)


def uninstall_security_monitoring(db: Database) -> None:
    """Stop evaluating rules and scheduling checkpoints for this database's events."""
    hooks.unsubscribe(db.engine, "alerts")
    hooks.unsubscribe(db.engine, "checkpoints")
