"""Alert work is jobs: the evaluation of an event, then a delivery per sink, run by the worker.

An audit event that a rule may care about is written together with an
`evaluate_alerts` job (`AlertJobs.evaluate_later`, in the event's transaction):
the evaluation commits with the event or not at all. The worker evaluates it
(`AlertEngine.evaluate`) and writes the raised alerts' deliveries in a
transaction of its own (`AlertJobs.send`): one `deliver_alert` job per enabled
sink, keyed by alert and sink, so a sink that is down is retried on its own while
the others already have the alert. A job names its event and its sink by id and
reads them when it runs: client addresses and webhook URLs (which often embed a
token) never enter the job's arguments, the queue or the dead letters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession

from helio.alerts import repository
from helio.alerts.channels import alert_mail, webhook_payload, webhook_policy
from helio.alerts.rules import Alert
from helio.config import Settings
from helio.db import Database
from helio.logging import get_logger
from helio.mail.transport import Transport
from helio.security.outbound import OutboundError, OutboundRefused, fetch
from helio.state.jobs import enqueue_in

DELIVER_ALERT = "deliver_alert"
EVALUATE_ALERTS = "evaluate_alerts"
ALERT_JOBS = (EVALUATE_ALERTS, DELIVER_ALERT)
log = get_logger("alerts")

Result = Literal["delivered", "refused", "failed", "sink_gone"]
Counted = Callable[[str, str], None]  # (sink kind, result) -> None


class TemporaryFailure(Exception):
    """The sink may accept the alert later (5xx, 429): the job is retried."""


class PermanentFailure(Exception):
    """The sink refused the alert; retrying will not help."""


# What a later attempt may get past: the job raises these and the worker retries it.
RETRYABLE = (TemporaryFailure, OutboundError, aiosmtplib.SMTPException, OSError)


def delivery_key(alert: Alert, sink_id: str) -> str:
    """Return the job key of one alert to one sink (a relay run twice is one delivery)."""
    return f"alert:{alert.event_id}:{alert.rule}:{sink_id}"


def evaluation_key(event_id: str) -> str:
    """Return the job key of one event's evaluation (a job run again evaluates it once)."""
    return f"alert-eval:{event_id}"


class AlertJobs:
    """Queue events to evaluate, and each raised alert as one `deliver_alert` job per sink."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def evaluate_later(session: AsyncSession, event_id: str) -> None:
        """Write the evaluation of an event into the event's own transaction."""
        enqueue_in(session, EVALUATE_ALERTS, {"event_id": event_id}, key=evaluation_key(event_id))

    async def send(self, alert: Alert) -> int:
        """Write the alert's jobs in a transaction of their own; return how many sinks."""
        async with self.db.transaction() as session:
            sinks = [sink.id for sink in await repository.enabled_sinks(session)]
            for sink_id in sinks:
                enqueue_in(
                    session,
                    DELIVER_ALERT,
                    {"alert": alert.to_dict(), "sink_id": sink_id},
                    key=delivery_key(alert, sink_id),
                )
        return len(sinks)

    async def waiting(self) -> int:
        """Return how many evaluations and deliveries are written but not yet handed over."""
        async with self.db.transaction() as session:
            return await repository.waiting_jobs(session, *ALERT_JOBS)


async def deliver(
    db: Database,
    settings: Settings,
    transport: Transport,
    alert: Alert,
    sink_id: str,
    *,
    count: Counted,
) -> Result:
    """Send one alert to one sink; return what happened.

    Args:
        db: where the sink is read (a sink removed or disabled since is skipped).
        settings: the webhook policy and the mail sender.
        transport: the mail transport of mail sinks.
        alert: the alert as raised.
        sink_id: the sink's id.
        count: called with (sink kind, result) once per attempt; "retried" when it raises.

    Returns:
        "delivered"; "refused" (the webhook's address is not allowed now), "failed" (the
        sink answered a permanent error) or "sink_gone": none of these is retried.

    Raises:
        TemporaryFailure, OutboundError, SMTPException, OSError: a later attempt may work.
    """
    async with db.transaction() as session:
        sink = await repository.enabled_sink(session, sink_id)
        target = None if sink is None else (sink.kind, sink.target)
    if target is None:
        log.info("alert_sink_gone", rule=alert.rule, sink_id=sink_id)
        count("-", "sink_gone")
        return "sink_gone"
    kind, address = target
    try:
        result = await _send(settings, transport, kind, address, alert)
    except RETRYABLE:
        count(kind, "retried")
        raise
    if result != "delivered":
        log.warning("alert_delivery_failed", kind=kind, rule=alert.rule, sink_id=sink_id,
                    result=result)  # fmt: skip
    count(kind, result)
    return result


async def _send(
    settings: Settings, transport: Transport, kind: str, address: str, alert: Alert
) -> Result:
    try:
        if kind == "mail":
            await transport.deliver(alert_mail(alert, mail_from=settings.mail_from, to=address))
        else:
            await _post(settings, address, alert)
    except OutboundRefused:
        return "refused"
    except PermanentFailure:
        return "failed"
    return "delivered"


async def _post(settings: Settings, url: str, alert: Alert) -> None:
    response = await fetch(
        "POST", url, policy=webhook_policy(settings), json=webhook_payload(alert)
    )
    if response.status == 429 or response.status >= 500:
        raise TemporaryFailure(f"status {response.status}")
    if not 200 <= response.status < 300:
        raise PermanentFailure(f"status {response.status}")
