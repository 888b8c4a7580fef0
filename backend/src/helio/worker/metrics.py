"""The worker's Prometheus metrics, served on its own port (HELIO_WORKER_METRICS_PORT)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, ProcessCollector

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)

JOBS = Counter(
    "helio_worker_jobs",
    "Job attempts by outcome (done, failed, retried, dead_lettered, skipped).",
    ["function", "outcome"],
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge(
    "helio_worker_queue_depth", "Jobs waiting in the queue.", registry=REGISTRY
)  # fmt: skip
DEAD_LETTERS = Gauge(
    "helio_worker_dead_letters", "Jobs in the dead-letter list.", registry=REGISTRY
)  # fmt: skip
RELAYED = Counter(
    "helio_worker_outbox_relayed", "Outbox rows moved into the queue.", registry=REGISTRY
)  # fmt: skip
ALERT_DELIVERIES = Counter(
    "helio_alert_deliveries",
    "Alert delivery attempts by sink kind and result (delivered, retried, refused, failed,"
    " sink_gone).",
    ["kind", "result"],
    registry=REGISTRY,
)
