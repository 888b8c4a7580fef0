"""Request id, client address, user agent and origin, resolved once per request."""

from __future__ import annotations

import ipaddress
import re
import uuid
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helio.kit.meta import RequestMeta
from helio.logging import request_id_var

REQUEST_ID_HEADER = "x-request-id"
_WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Give every request an id (accepting the caller's only if well-formed) and a client ip.

    The client ip comes from `X-Forwarded-For` only when the direct peer is a
    configured trusted proxy; the rightmost untrusted hop is the client.
    """

    def __init__(self, app: ASGIApp, *, trusted_proxies: list[str]) -> None:
        self.app = app
        self.trusted = [ipaddress.ip_network(p, strict=False) for p in trusted_proxies]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        offered = headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _WELL_FORMED_ID.match(offered) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        client_ip = self.client_ip(scope, headers.get("x-forwarded-for"))
        state["request_id"] = request_id
        state["client_ip"] = client_ip
        state["meta"] = RequestMeta(
            request_id=request_id,
            client_ip=client_ip,
            user_agent=headers.get("user-agent"),
            origin=origin_of(headers.get("origin"), headers.get("referer")),
        )
        token = request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                raw.append((b"x-request-id", request_id.encode()))
                message["headers"] = raw
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)

    def client_ip(self, scope: Scope, forwarded_for: str | None) -> str:
        """Return the client address, believing X-Forwarded-For only from trusted proxies."""
        peer = (scope.get("client") or ("unknown", 0))[0]
        if not forwarded_for or not self._is_trusted(peer):
            return str(peer)
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        for hop in reversed(hops):
            if not _is_ip(hop):
                return str(peer)
            if not self._is_trusted(hop):
                return hop
        return hops[0] if hops else str(peer)

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)


def origin_of(origin: str | None, referer: str | None) -> str | None:
    """Return a request's Origin, or the origin of its Referer when Origin is absent."""
    if origin:
        return origin.rstrip("/")
    if not referer:
        return None
    parts = urlsplit(referer)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
