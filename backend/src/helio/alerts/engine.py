"""Evaluate the alert rules against each committed audit event.

Counters live in shared state (Redis), so a burst spread over several
replicas is counted once. Keys are hashed: account ids and addresses never
appear in Redis key names. A raised alert is logged and written as delivery
jobs (`helio.alerts.delivery`) that `helio worker` sends to every sink.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

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

    async def _check(self, rule: Rule, subject: str, event: AuditRecord) -> Alert | None:
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        count = 1
        if rule.threshold > 1:
            count = await self.state.incr(f"alerts:n:{rule.name}:{digest}", rule.window_seconds)
            if count != rule.threshold:  # fire when the burst reaches the threshold, once
                return None
        if not await self.state.set_if_absent(
            f"alerts:quiet:{rule.name}:{digest}", "1", rule.quiet_seconds
        ):
            ALERTS_SUPPRESSED.labels(rule.name, "duplicate").inc()
            return None
        if await self.state.incr(f"alerts:rate:{rule.name}", 3600) > self.max_per_hour:
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
