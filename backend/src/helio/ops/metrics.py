"""Prometheus metrics: HTTP traffic, authentication outcomes, the audit chain and alerts.

Labels are bounded: route templates (never raw paths), methods, status codes,
action names from code. `/metrics` is served only with the ops token
(`helio.ops.endpoints`), never publicly.
"""

from __future__ import annotations

import hmac
import time
from typing import Protocol

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from helio.http.access_log import StatusCapture, route_template

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

HTTP_REQUESTS = Counter(
    "helio_http_requests", "HTTP requests served.", ["method", "route", "status"],
    registry=REGISTRY,
)  # fmt: skip
HTTP_LATENCY = Histogram(
    "helio_http_request_duration_seconds",
    "Time to serve an HTTP request.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "helio_rate_limited", "Requests refused with 429 (rate limit or lockout).", ["route"],
    registry=REGISTRY,
)  # fmt: skip
AUTH_EVENTS = Counter(
    "helio_auth_events", "Authentication events by action and outcome.", ["action", "outcome"],
    registry=REGISTRY,
)  # fmt: skip
LOCKOUTS = Counter("helio_lockouts", "Accounts locked.", registry=REGISTRY)
AUDIT_EVENTS = Counter(
    "helio_audit_events", "Audit events committed, by domain.", ["domain"], registry=REGISTRY
)
AUDIT_CHAIN_LENGTH = Gauge(
    "helio_audit_chain_length", "Events in the audit hash chain.", registry=REGISTRY
)
AUDIT_VERIFY_OK = Gauge(
    "helio_audit_last_verification_ok", "1 when the last chain verification passed.",
    registry=REGISTRY,
)  # fmt: skip
AUDIT_VERIFY_TIME = Gauge(
    "helio_audit_last_verification_timestamp_seconds", "When the chain was last verified.",
    registry=REGISTRY,
)  # fmt: skip
ALERTS_FIRED = Counter("helio_alerts_fired", "Alerts raised.", ["rule"], registry=REGISTRY)
ALERTS_SUPPRESSED = Counter(
    "helio_alerts_suppressed", "Alerts held back by deduplication or rate limits.",
    ["rule", "reason"], registry=REGISTRY,
)  # fmt: skip
ALERT_DELIVERIES = Counter(
    "helio_alert_deliveries", "Alert deliveries to sinks, by sink kind and result.",
    ["kind", "result"], registry=REGISTRY,
)  # fmt: skip

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class _Event(Protocol):
    @property
    def action(self) -> str: ...
    @property
    def outcome(self) -> str: ...


def observe_audit_event(event: _Event) -> None:
    """Count a committed audit event (and authentication outcomes among them)."""
    AUDIT_EVENTS.labels(event.action.split(".", 1)[0]).inc()
    if event.action.startswith("auth."):
        AUTH_EVENTS.labels(event.action, event.outcome).inc()
    if event.action == "auth.lockout":
        LOCKOUTS.inc()


def ops_token_matches(header: str | None, ops_token: str) -> bool:
    """Tell whether an Authorization header carries the ops token.

    Args:
        header: the request's Authorization header.
        ops_token: the configured token; empty means nobody may read metrics.

    Returns:
        True only for "Bearer <ops_token>", compared in constant time.
    """
    if not ops_token or not header:
        return False
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), ops_token.encode())


class MetricsMiddleware:
    """Count requests and time them, labelled by route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        capture = StatusCapture(send)
        try:
            await self.app(scope, receive, capture)
        finally:
            status = capture.status
            route = route_template(scope)
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - started)
            if status == 429:
                RATE_LIMITED.labels(route).inc()
