"""Structured JSON logs (structlog) with request ids and no secrets or PII."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog

from helio.security.redaction import redact_pii

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


def current_request_id() -> str:
    """Return the id of the request being served ("-" outside a request)."""
    return request_id_var.get()


def _add_request_id(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    event.setdefault("request_id", current_request_id())
    return event


def configure_logging(level: str = "INFO") -> None:
    """Send JSON lines to stdout; PII and secrets are redacted before rendering."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_request_id,
            structlog.processors.format_exc_info,
            redact_pii,
            structlog.processors.JSONRenderer(sort_keys=True),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        # No fixed file: each logger writes to the sys.stdout of the moment.
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=False,
    )
    # uvicorn's own access log would print query strings; ours replaces it.
    logging.getLogger("uvicorn.access").disabled = True


def get_logger(name: str) -> Any:
    """Return a structlog logger bound to a component name."""
    return structlog.get_logger(component=name)
