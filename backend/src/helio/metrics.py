"""Prometheus metrics: HTTP traffic, authentication outcomes, the audit chain and alerts.

Labels are bounded: route templates (never raw paths), methods, status codes,
action names from code. `/metrics` is served only with the ops token
(`helio.ops.endpoints`), never publicly; `helio.http.metrics` counts the requests.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

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

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one served request and its duration (labels: method, route template, status)."""
    method = method if method in _METHODS else "OTHER"
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(seconds)
    if status == 429:
        RATE_LIMITED.labels(route).inc()
