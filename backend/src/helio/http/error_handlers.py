"""Render every error in the uniform envelope; never leak internals."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis import exceptions as redis_errors
from sqlalchemy import exc as sqlalchemy_errors
from starlette.exceptions import HTTPException

from helio.errors import AppError, error_body
from helio.logging import get_logger

log = get_logger("errors")

# A security check that cannot read its state refuses the request (503), never skips;
# so does a request that finds every pooled database connection busy (pool timeout).
UNREACHABLE: tuple[type[Exception], ...] = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    sqlalchemy_errors.OperationalError,
    sqlalchemy_errors.InterfaceError,
    sqlalchemy_errors.TimeoutError,
)

_STATUS_CODES = {
    400: ("bad_request", "The request could not be processed."),
    401: ("unauthenticated", "Authentication is required."),
    403: ("forbidden", "You may not do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    406: ("not_acceptable", "No acceptable representation."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "This content type is not accepted."),
    422: ("validation_failed", "The request is not valid."),
    429: ("rate_limited", "Too many requests; try again later."),
}


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


async def app_error(request: Request, exc: Exception) -> JSONResponse:
    """Render an AppError."""
    assert isinstance(exc, AppError)
    body = error_body(exc.code, exc.message, _request_id(request), exc.fields)
    return _json(exc.status, body, exc.headers)


def _path_methods(app: Any) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """Every documented path as a pattern, with every method it serves (HEAD with GET)."""
    cached: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(
        app.state, "helio_path_methods", None
    )
    if cached is not None:
        return cached
    found = []
    for path, operations in app.openapi().get("paths", {}).items():
        methods = {method.upper() for method in operations if method.isalpha()}
        if "GET" in methods:
            methods.add("HEAD")
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path))
        found.append((re.compile(f"^{pattern}$"), frozenset(methods)))
    app.state.helio_path_methods = found
    return found


def allowed_methods(request: Request, declared: str | None) -> str | None:
    """Return the Allow header of a 405: every method the path serves, not one route's."""
    methods = {m.strip().upper() for m in (declared or "").split(",") if m.strip()}
    try:
        for pattern, served in _path_methods(request.app):
            if pattern.match(request.url.path):
                methods |= served
    except Exception:  # the document could not be built: keep Starlette's answer
        log.warning("allow_header_fallback", path_template=_route(request))
    return ", ".join(sorted(methods)) if methods else declared


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Render Starlette's HTTP errors (404 route, 405 method, 413 body) without their detail."""
    assert isinstance(exc, HTTPException)
    code, message = _STATUS_CODES.get(exc.status_code, ("error", "The request failed."))
    headers = {
        k: v for k, v in (exc.headers or {}).items() if k.lower() in {"allow", "retry-after"}
    }
    if exc.status_code == 405:
        allow = allowed_methods(request, (exc.headers or {}).get("Allow"))
        headers = {k: v for k, v in headers.items() if k.lower() != "allow"}
        if allow:
            headers["Allow"] = allow
    return _json(exc.status_code, error_body(code, message, _request_id(request)), headers)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Render a 422 naming the invalid fields and why, without echoing the input."""
    assert isinstance(exc, RequestValidationError)
    fields: dict[str, str] = {}
    for error in exc.errors():
        location = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body",))
        fields.setdefault(location or "body", _safe_reason(error))
    body = error_body(
        "validation_failed", "The request is not valid.", _request_id(request), fields
    )
    return _json(422, body)


def _safe_reason(error: dict[str, Any]) -> str:
    kind = str(error.get("type", "invalid"))
    if kind == "extra_forbidden":
        return "Unknown field."
    if kind in {"missing"}:
        return "This field is required."
    if kind == "json_invalid":
        return "The body is not valid JSON."
    # pydantic's message describes the constraint ("String should have at most 80
    # characters"); it never contains the submitted value for these error types.
    message = str(error.get("msg", "Invalid value."))
    return message if "input" not in message.lower() else "Invalid value."


async def dependency_down(request: Request, exc: Exception) -> JSONResponse:
    """Answer 503 when Redis or the database cannot be reached: fail closed, say so, retry."""
    log.error("dependency_unavailable", error=type(exc).__name__, path_template=_route(request))
    body = error_body(
        "unavailable", "The service is temporarily unavailable.", _request_id(request)
    )
    return _json(503, body, {"Retry-After": "5"})


async def data_error(request: Request, exc: Exception) -> JSONResponse:
    """A value the database refused (too long, out of range) that validation let through.

    The client gets a 422 in the envelope; the log records it as a defect (the request
    schema's limits should have refused it) with the statement's shape, no values.
    """
    log.error("database_data_error", defect=True, exc_info=exc, path_template=_route(request))
    body = error_body(
        "validation_failed",
        "A value is too long or out of range.",
        _request_id(request),
    )
    return _json(422, body)


async def integrity_error(request: Request, exc: Exception) -> JSONResponse:
    """A constraint the database enforced that the service did not expect to meet.

    Mostly a race: a row this request refers to was deleted, or an equal one inserted, by
    a request that committed in between. Nothing was written (the transaction rolled
    back); the client gets a 409 and may reload and try again. The log keeps the route
    and the server's error number, no values.
    """
    errno = getattr(getattr(exc, "orig", None), "args", (None,))[0]
    log.warning("database_integrity_error", errno=errno, path_template=_route(request))
    body = error_body(
        "conflict",
        "The request conflicts with a change made at the same time; reload and try again.",
        _request_id(request),
    )
    return _json(409, body)


async def unhandled_error(request: Request, exc: Exception) -> JSONResponse:
    """Log the exception with the request id; answer 500 with no detail."""
    if isinstance(exc, sqlalchemy_errors.DataError):
        return await data_error(request, exc)
    if isinstance(exc, sqlalchemy_errors.IntegrityError):
        return await integrity_error(request, exc)
    log.error("unhandled_exception", exc_info=exc, path_template=_route(request))
    body = error_body("internal_error", "Something went wrong on our side.", _request_id(request))
    return _json(500, body)


def _route(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", "<unmatched>"))


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    for unreachable in UNREACHABLE:
        app.add_exception_handler(unreachable, dependency_down)
    app.add_exception_handler(sqlalchemy_errors.DataError, data_error)
    app.add_exception_handler(sqlalchemy_errors.IntegrityError, integrity_error)
    app.add_exception_handler(Exception, unhandled_error)


class UnhandledErrorMiddleware:
    """Turn an unhandled exception into the uniform 500 inside our middleware stack.

    Starlette answers unhandled errors from its outermost layer, which would skip
    the request-id and security-header middleware; this one sits innermost.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            response = await unhandled_error(Request(scope), exc)
            await response(scope, receive, send)
