"""Deliver queued alerts to every enabled sink, with retries and backoff.

Alerts are queued in the outbox (Redis) before anything is sent, so a
request never waits for a webhook or SMTP, and an alert survives a crash of
the process that raised it. One drainer at a time takes items in order;
each sink gets `attempts` tries with exponential backoff on temporary
failures (network, 5xx, 429). Refused destinations are not retried.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass

import aiosmtplib

from helio.alerts import repository
from helio.alerts.channels import alert_mail, webhook_payload
from helio.alerts.outbox import Outbox
from helio.alerts.rules import Alert
from helio.db import Database
from helio.logging import get_logger
from helio.mail.transport import Transport
from helio.metrics import ALERT_DELIVERIES
from helio.security.outbound import OutboundError, OutboundPolicy, OutboundRefused, Resolver, fetch
from helio.state.shared import SharedState

log = get_logger("alerts")

LOCK_KEY = "alerts:drain-lock"
LOCK_SECONDS = 300


class TemporaryFailure(Exception):
    """The sink may accept the alert later."""


class PermanentFailure(Exception):
    """The sink refused the alert; retrying will not help."""


@dataclass(frozen=True)
class Retry:
    """How often and how patiently each sink is tried."""

    attempts: int = 4
    base_seconds: float = 1.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return float(self.base_seconds * 2 ** (attempt - 1))


@dataclass(frozen=True)
class SinkTarget:
    """A sink as read for one delivery."""

    kind: str
    target: str


class AlertDispatcher:
    """Drain the outbox into the sinks; one background task per process at most."""

    def __init__(
        self,
        *,
        db: Database,
        state: SharedState,
        outbox: Outbox,
        mail: Transport,
        mail_from: str,
        policy: OutboundPolicy,
        retry: Retry,
        resolver: Resolver | None = None,
    ) -> None:
        self.db, self.state, self.outbox = db, state, outbox
        self.mail, self.mail_from = mail, mail_from
        self.policy, self.retry, self.resolver = policy, retry, resolver
        self._task: asyncio.Task[int] | None = None

    async def enqueue(self, alert: Alert) -> None:
        """Queue an alert durably and make sure a drainer runs."""
        await self.outbox.push(alert.to_json())
        self._kick()

    def _kick(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self.drain())
            self._task.add_done_callback(_log_crash)

    async def wait_idle(self) -> None:
        """Wait until this process's drainer has finished (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def drain(self) -> int:
        """Deliver every queued alert unless another drainer holds the lock; return the count."""
        delivered = 0
        while await self.state.set_if_absent(LOCK_KEY, secrets.token_hex(8), LOCK_SECONDS):
            try:
                await self.outbox.recover()  # left over by a drainer that died mid-delivery
                while (item := await self.outbox.claim()) is not None:
                    await self.state.set(LOCK_KEY, "busy", LOCK_SECONDS)
                    await self._deliver(Alert.from_json(item))
                    await self.outbox.ack(item)
                    delivered += 1
            finally:
                await self.state.delete(LOCK_KEY)
            if await self.outbox.size() == 0:  # an item pushed while we released the lock
                break
        return delivered

    async def _deliver(self, alert: Alert) -> None:
        log.warning(
            "security_alert", rule=alert.rule, severity=alert.severity, subject=alert.subject,
            count=alert.count, event_seq=alert.event_seq, alert_request_id=alert.request_id,
        )  # fmt: skip
        async with self.db.transaction() as session:
            sinks = [SinkTarget(s.kind, s.target) for s in await repository.enabled_sinks(session)]
        for sink in sinks:
            result = await self._send_with_retries(sink, alert)
            ALERT_DELIVERIES.labels(sink.kind, result).inc()

    async def _send_with_retries(self, sink: SinkTarget, alert: Alert) -> str:
        for attempt in range(1, self.retry.attempts + 1):
            try:
                await self._send(sink, alert)
                return "delivered"
            except OutboundRefused:
                log.warning("alert_sink_refused", kind=sink.kind, rule=alert.rule)
                return "refused"
            except PermanentFailure as exc:
                log.warning(
                    "alert_delivery_failed", kind=sink.kind, rule=alert.rule, error=str(exc)
                )
                return "failed"
            except (TemporaryFailure, OutboundError, aiosmtplib.SMTPException, OSError) as exc:
                if attempt == self.retry.attempts:
                    log.warning(
                        "alert_delivery_failed", kind=sink.kind, rule=alert.rule,
                        error=type(exc).__name__, attempts=attempt,
                    )  # fmt: skip
                    return "failed"
                await asyncio.sleep(self.retry.delay(attempt))
        return "failed"

    async def _send(self, sink: SinkTarget, alert: Alert) -> None:
        if sink.kind == "mail":
            message = alert_mail(alert, mail_from=self.mail_from, to=sink.target)
            await self.mail.deliver(message)
            return
        response = await fetch(
            "POST", sink.target, policy=self.policy, json=webhook_payload(alert),
            resolver=self.resolver,
        )  # fmt: skip
        if response.status == 429 or response.status >= 500:
            raise TemporaryFailure(f"status {response.status}")
        if not 200 <= response.status < 300:
            raise PermanentFailure(f"status {response.status}")


def _log_crash(task: asyncio.Task[int]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("alert_drainer_crashed", error=type(task.exception()).__name__)
