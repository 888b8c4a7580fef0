"""Count and time every request, labelled by route template (never the raw path) and status.

The served stack records metrics in `AccessLogMiddleware(metrics=True)` (one layer, one
`send` wrapper for both); this layer exists for apps that want the metrics alone.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Receive, Scope, Send

from helio.http.access_log import StatusCapture, route_template
from helio.metrics import observe_request


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
            observe_request(
                scope["method"], route_template(scope), capture.status,
                time.perf_counter() - started,
            )  # fmt: skip
