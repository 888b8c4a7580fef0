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


# Computed once: the names replaced on every response and the headers added.
_DROP = frozenset({b"server", *(k.encode() for k in BASE_HEADERS), b"content-security-policy"})
_ADDED = [(k.encode(), v.encode()) for k, v in BASE_HEADERS.items()]
_ADDED_NO_CACHE = [h for h in _ADDED if h[0] != b"cache-control"]
_API_CSP = (b"content-security-policy", API_CSP.encode())
_DOCS_CSP = (b"content-security-policy", DOCS_CSP.encode())


class SecurityHeadersMiddleware:
    """Add the security headers and drop any `Server` header."""

    def __init__(self, app: ASGIApp, *, docs_prefix: str = "/api/docs") -> None:
        self.app = app
        self.docs_prefix = docs_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = _DOCS_CSP if scope["path"].startswith(self.docs_prefix) else _API_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                own: list[tuple[bytes, bytes]] = []
                kept_cache: tuple[bytes, bytes] | None = None
                policy = csp
                for name, value in message.get("headers", []):
                    lowered = name.lower()
                    if lowered == b"cache-control" and kept_cache is None:
                        kept_cache = (name, value)
                    # A route may only tighten the policy (e.g. `sandbox` on a download).
                    if lowered == b"content-security-policy" and value.startswith(csp[1]):
                        policy = (b"content-security-policy", value)
                    if lowered not in _DROP:
                        own.append((name, value))
                added = _ADDED if kept_cache is None else [*_ADDED_NO_CACHE, kept_cache]
                message["headers"] = [*own, *added, policy]
            await send(message)

        await self.app(scope, receive, send_with_headers)
