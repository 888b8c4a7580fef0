"""One access-log line per request: never bodies, query strings, cookies or tokens."""

from __future__ import annotations

import time

from fastapi.routing import iter_route_contexts
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helio.logging import get_logger
from helio.metrics import observe_request

log = get_logger("http")


class StatusCapture:
    """A `send` that remembers the response status (500 until a response starts)."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.status = 500

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
        await self.send(message)


class AccessLogMiddleware:
    """Log method, route template, status, duration and client ip; with `metrics`, count too.

    Logging and metrics share one `send` wrapper and one route lookup per request.
    """

    def __init__(self, app: ASGIApp, *, metrics: bool = False) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        capture = StatusCapture(send)
        try:
            await self.app(scope, receive, capture)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            state = scope.get("state", {})
            log.info(
                "request",
                method=scope["method"],
                route=route,
                status=capture.status,
                duration_ms=round(elapsed * 1000, 2),
                client_ip=state.get("client_ip"),
                actor_id=state.get("actor_id"),
            )
            if self.metrics:
                observe_request(scope["method"], route, capture.status, elapsed)


def route_template(scope: Scope) -> str:
    """Return the matched route's path template, never the raw path with its ids."""
    route = scope.get("route")
    if route is not None and hasattr(route, "path"):
        return str(route.path)
    app = scope.get("app")
    # Requests answered before routing (415, 413) are matched here, once.
    for candidate in iter_route_contexts(getattr(getattr(app, "router", None), "routes", [])):
        match, _ = candidate.matches(scope)
        if match == Match.FULL:
            return str(candidate.path)
    return "<unmatched>"
