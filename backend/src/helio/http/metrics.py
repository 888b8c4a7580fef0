"""Count and time every request, labelled by route template (never the raw path) and status."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Receive, Scope, Send

from helio.http.access_log import StatusCapture, route_template
from helio.metrics import HTTP_LATENCY, HTTP_REQUESTS, RATE_LIMITED

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


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
