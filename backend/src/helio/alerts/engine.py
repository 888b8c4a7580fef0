"""Evaluate the alert rules against each committed audit event.

An event some rule matches is evaluated by the worker, from a job written in the
event's transaction (`queue_evaluation`), so no alert is lost to a process that
dies after the commit or to a Redis outage (the job waits and is retried).
Counters live in shared state (Redis), so a burst spread over several
replicas is counted once. Keys are hashed: account ids and addresses never
appear in Redis key names. A raised alert is logged and written as delivery
jobs (`helio.alerts.delivery`) that `helio worker` sends to every sink.

An evaluation can run twice (a worker killed mid-job): an event is counted once
(its count is kept under its id for the window) and the alert it raised is raised
again under the same delivery keys, so each sink still gets it once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from helio.alerts.delivery import AlertJobs
from helio.alerts.rules import MAX_ALERTS_PER_RULE_PER_HOUR, RULES, Alert, Rule
from helio.audit.hooks import AuditRecord
from helio.logging import get_logger
from helio.metrics import ALERTS_FIRED, ALERTS_SUPPRESSED
from helio.state.shared import SharedState

log = get_logger("alerts")


class AlertEngine:
    """Count matching events per rule and key; raise an alert once per burst."""

    def __init__(
        self,
        state: SharedState,
        deliveries: AlertJobs,
        *,
        rules: Sequence[Rule] = RULES,
        max_per_hour: int = MAX_ALERTS_PER_RULE_PER_HOUR,
    ) -> None:
        self.state = state
        self.deliveries = deliveries
        self.rules = tuple(rules)
        self.max_per_hour = max_per_hour

    def concerns(self, event: AuditRecord) -> bool:
        """Tell whether some rule counts this event (a pure test on the event itself)."""
        return any(rule.matches(event) and rule.key(event) is not None for rule in self.rules)

    def queue_evaluation(self, session: AsyncSession, event: AuditRecord) -> None:
        """Write the event's evaluation into its transaction when some rule counts it."""
        if self.concerns(event):
            self.deliveries.evaluate_later(session, event.id)

    async def evaluate(self, event: AuditRecord) -> list[Alert]:
        """Apply every rule to a committed event; queue the delivery of the alerts it raises.

        Returns:
            The alerts raised.
        """
        fired: list[Alert] = []
        for rule in self.rules:
            if not rule.matches(event):
                continue
            subject = rule.key(event)
            if subject is None:
                continue
            alert = await self._check(rule, subject, event)
            if alert is not None:
                ALERTS_FIRED.labels(rule.name).inc()
                log.warning(
                    "security_alert", rule=alert.rule, severity=alert.severity,
                    subject=alert.subject, count=alert.count, event_seq=alert.event_seq,
                    alert_request_id=alert.request_id,
                )  # fmt: skip
                await self.deliveries.send(alert)
                fired.append(alert)
        return fired

    async def _count_once(self, rule: Rule, digest: str, event: AuditRecord) -> int:
        """Count the event in its rule's window; an evaluation run again gets the same count."""
        counted = f"alerts:counted:{rule.name}:{event.id}"
        known = await self.state.get(counted)
        if known is not None:
            return int(known)
        count = await self.state.incr(f"alerts:n:{rule.name}:{digest}", rule.window_seconds)
        await self.state.set(counted, str(count), rule.window_seconds)
        return count

    async def _check(self, rule: Rule, subject: str, event: AuditRecord) -> Alert | None:
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        count = 1
        if rule.threshold > 1:
            count = await self._count_once(rule, digest, event)
            if count < rule.threshold:
                return None
        quiet = f"alerts:quiet:{rule.name}:{digest}"
        first = await self.state.set_if_absent(quiet, event.id, rule.quiet_seconds)
        if not first and await self.state.get(quiet) != event.id:  # not a run of this event again
            ALERTS_SUPPRESSED.labels(rule.name, "duplicate").inc()
            return None
        if first and await self.state.incr(f"alerts:rate:{rule.name}", 3600) > self.max_per_hour:
            ALERTS_SUPPRESSED.labels(rule.name, "rate_limited").inc()
            return None
        return Alert(
            rule=rule.name,
            title=rule.title,
            severity=rule.severity,
            subject=subject,
            count=count,
            window_seconds=rule.window_seconds,
            event_id=event.id,
            event_seq=event.seq,
            action=event.action,
            occurred_at=event.occurred_at.isoformat(timespec="seconds"),
            actor_id=event.actor_id,
            client_ip=event.client_ip,
            request_id=event.request_id,
        )
