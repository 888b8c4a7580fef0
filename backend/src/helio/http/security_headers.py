"""Security headers on every response, errors included."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The docs page needs its own (locally served) script and style, never inline script.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

BASE_HEADERS: dict[str, str] = {
    "strict-transport-security": "max-age=63072000; includeSubDomains; preload",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "permissions-policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=(), interest-cohort=()"
    ),
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


class SecurityHeadersMiddleware:
    """Add the security headers and drop any `Server` header."""

    def __init__(self, app: ASGIApp, *, docs_prefix: str = "/api/docs") -> None:
        self.app = app
        self.docs_prefix = docs_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"].startswith(self.docs_prefix) else API_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                drop = {b"server", *(k.encode() for k in BASE_HEADERS), b"content-security-policy"}
                own = [(k, v) for k, v in message.get("headers", []) if k.lower() not in drop]
                kept_cache = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() == b"cache-control"
                ]
                # A route may only tighten the policy (e.g. `sandbox` on a download).
                own_csp = [
                    v
                    for k, v in message.get("headers", [])
                    if k.lower() == b"content-security-policy" and v.startswith(csp.encode())
                ]
                policy = own_csp[0] if own_csp else csp.encode()
                added = [(k.encode(), v.encode()) for k, v in BASE_HEADERS.items()]
                if kept_cache:
                    added = [h for h in added if h[0] != b"cache-control"] + kept_cache[:1]
                message["headers"] = [*own, *added, (b"content-security-policy", policy)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
