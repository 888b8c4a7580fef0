"""Alert jobs: evaluate an audit event against the rules, deliver each alert to each sink.

Both are written through the job outbox (`helio.alerts.delivery`): the evaluation in the
event's own transaction, the deliveries once the evaluation has raised an alert.
"""

from __future__ import annotations

from typing import Any

from helio.alerts.delivery import DELIVER_ALERT, EVALUATE_ALERTS, deliver
from helio.alerts.rules import Alert
from helio.audit.trail import stored_record
from helio.logging import get_logger
from helio.state.jobs import Retrying
from helio.worker import metrics
from helio.worker.context import WorkerContext
from helio.worker.registry import Family, JobSpec

log = get_logger("alerts")


def _count(kind: str, result: str) -> None:
    metrics.ALERT_DELIVERIES.labels(kind, result).inc()


async def evaluate_alerts(worker: WorkerContext, *, event_id: str) -> None:
    """Apply the alert rules to one committed audit event; queue the deliveries it raises.

    Raises:
        Exception: Redis or the database is unavailable; the worker retries the job.
    """
    app = worker.app
    async with app.db.transaction() as session:
        event = await stored_record(session, event_id)
    if event is None:  # only a restore from a backup older than the job loses its event
        log.warning("alert_event_missing", event_id=event_id)
        return
    await app.alerts.evaluate(event)


async def deliver_alert(worker: WorkerContext, *, alert: dict[str, Any], sink_id: str) -> None:
    """Send one alert to one sink; a temporary failure raises, so the worker retries it.

    Raises:
        TemporaryFailure, OutboundError, SMTPException, OSError: the sink is down for now.
    """
    app = worker.app
    await deliver(
        app.db, app.settings, worker.transport, Alert.from_dict(alert), sink_id, count=_count
    )


# Alerts matter most when something is wrong, often while a sink or Redis is down too:
# evaluations retry for about half an hour, deliveries for about an hour (5 s doubling,
# capped at 15 min), before the dead letter.
FAMILY = Family(
    name="alerts",
    jobs=(
        JobSpec(
            EVALUATE_ALERTS,
            evaluate_alerts,
            Retrying(retries=8, retry_delay=2.0, max_delay=300.0, timeout=60),
        ),
        JobSpec(
            DELIVER_ALERT,
            deliver_alert,
            Retrying(retries=8, retry_delay=5.0, max_delay=900.0, timeout=60),
        ),
    ),
)
