"""Alert delivery: one job per alert and sink, queued by `helio.alerts.delivery` after commit."""

from __future__ import annotations

from typing import Any

from helio.alerts.delivery import DELIVER_ALERT, deliver
from helio.alerts.rules import Alert
from helio.state.jobs import Retrying
from helio.worker import metrics
from helio.worker.context import WorkerContext
from helio.worker.registry import Family, JobSpec


def _count(kind: str, result: str) -> None:
    metrics.ALERT_DELIVERIES.labels(kind, result).inc()


async def deliver_alert(worker: WorkerContext, *, alert: dict[str, Any], sink_id: str) -> None:
    """Send one alert to one sink; a temporary failure raises, so the worker retries it.

    Raises:
        TemporaryFailure, OutboundError, SMTPException, OSError: the sink is down for now.
    """
    app = worker.app
    await deliver(
        app.db, app.settings, worker.transport, Alert.from_dict(alert), sink_id, count=_count
    )


# Alerts matter most when something is wrong, often while a sink is down too: keep
# trying for about an hour (5 s doubling, capped at 15 min) before the dead letter.
FAMILY = Family(
    name="alerts",
    jobs=(
        JobSpec(
            DELIVER_ALERT,
            deliver_alert,
            Retrying(retries=8, retry_delay=5.0, max_delay=900.0, timeout=60),
        ),
    ),
)
