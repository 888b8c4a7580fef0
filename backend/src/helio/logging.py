"""Structured JSON logs (structlog) with request ids and no secrets or PII."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog
from sqlalchemy.exc import DBAPIError, StatementError

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


def _database_error(exc: BaseException) -> StatementError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, StatementError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def database_error_shape(error: StatementError) -> dict[str, Any]:
    """Describe a database error by its class, the server's error code and the statement.

    The statement is the SQL text with its placeholders; the bound parameters and the
    server's message (which may quote a value, as "Duplicate entry '...'" does) are left out.
    """
    original = error.orig if isinstance(error, DBAPIError) else None
    args = getattr(original, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    statement = " ".join(str(error.statement or "").split())
    return {
        "type": type(error).__name__,
        "driver_error": type(original).__name__ if original is not None else None,
        "errno": code,
        "statement": statement[:500],
    }


def _database_errors(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace a database exception by its shape: no parameters, no server message.

    The traceback keeps its frames (file, line, code) but not the exception messages.
    """
    exc_info = event.get("exc_info")
    if exc_info is True:
        exc_info = sys.exc_info()
    exc = exc_info[1] if isinstance(exc_info, tuple) else exc_info
    if not isinstance(exc, BaseException):
        return event
    error = _database_error(exc)
    if error is None:
        return event
    del event["exc_info"]
    event["db_error"] = database_error_shape(error)
    event["exception"] = "".join(
        [f"{type(exc).__name__}\n", *traceback.format_tb(exc.__traceback__)]
    )
    return event


def configure_logging(level: str = "INFO") -> None:
    """Send JSON lines to stdout; PII and secrets are redacted before rendering."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_request_id,
            _database_errors,
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
