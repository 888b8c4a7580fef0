"""The one SSRF-safe outbound HTTP client of Helio (OWASP A10).

Every outbound call (alert webhooks, the weather service) goes through `fetch`:
the URL is checked against the policy, the host is resolved once, every
resolved address is classified (`helio.security.netcheck`), and the connection
is pinned to the checked address so that a second DNS answer cannot rebind it.
TLS still uses the original host name for SNI and certificate checks.
Redirects are followed by hand, each hop checked like the first.
"""

from __future__ import annotations

import asyncio
import functools
import json as jsonlib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import certifi
import httpx
import structlog

from helio.security.netcheck import (
    DEFAULT_PORTS,
    MAX_URL_LENGTH,
    UNSAFE_URL_CHARS,
    OutboundError,
    OutboundPolicy,
    OutboundRefused,
    Resolver,
    is_public_address,
    parse_host_literal,
    refuse,
    resolve_pinned,
    system_resolver,
    validate_url,
)

__all__ = [
    "OutboundError",
    "OutboundPolicy",
    "OutboundRefused",
    "OutboundResponse",
    "PinnedTransport",
    "Resolver",
    "fetch",
    "is_public_address",
    "parse_host_literal",
    "system_resolver",
    "validate_url",
]

_log = structlog.get_logger(component="outbound")

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_TOO_LARGE = "outbound_response_too_large"
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


@dataclass(frozen=True)
class OutboundResponse:
    """The answer of the remote: status, lower-cased headers, body and the URL that gave it."""

    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    final_url: str

    def json(self) -> Any:
        """Decode the body as JSON."""
        return jsonlib.loads(self.body)


@functools.lru_cache(maxsize=8)
def _tls_context(ca_file: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_file or certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class PinnedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that checks each request's URL and connects to the checked address."""

    def __init__(self, policy: OutboundPolicy, resolver: Resolver | None = None) -> None:
        self._policy = policy
        self._resolver = resolver or system_resolver
        # No keep-alive: a pooled connection is keyed by IP, and must never be
        # reused for another host name whose certificate it did not verify.
        self._inner = httpx.AsyncHTTPTransport(
            verify=_tls_context(policy.ca_file),
            trust_env=False,
            limits=httpx.Limits(max_keepalive_connections=0),
            retries=0,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Check, resolve once, and send the request to the pinned address.

        Args:
            request: a request built by an httpx client using this transport.

        Returns:
            The streaming response of the pinned address.

        Raises:
            OutboundRefused: the URL or a resolved address is not allowed.
            OutboundError: the host does not resolve.
        """
        url = validate_url(str(request.url), self._policy)
        host = url.raw_host.decode("ascii")
        port = url.port or DEFAULT_PORTS[url.scheme]
        pinned_ip = await resolve_pinned(host, port, self._policy, self._resolver)
        extensions = dict(request.extensions)
        if url.scheme == "https" and pinned_ip != host:
            extensions["sni_hostname"] = host
        pinned = httpx.Request(
            request.method,
            url.copy_with(host=pinned_ip),
            headers=request.headers,  # keeps Host: the original name
            stream=request.stream,
            extensions=extensions,
        )
        return await self._inner.handle_async_request(pinned)

    async def aclose(self) -> None:
        """Close the connections of the inner transport."""
        await self._inner.aclose()


@dataclass
class _Hop:
    method: str
    url: httpx.URL
    json: Any
    content: bytes | None
    headers: dict[str, str]


async def fetch(
    method: str,
    url: str,
    *,
    policy: OutboundPolicy,
    json: Any = None,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    resolver: Resolver | None = None,
) -> OutboundResponse:
    """Send one HTTP request through the SSRF checks and follow allowed redirects by hand.

    Args:
        method: GET, HEAD, POST, PUT, PATCH or DELETE.
        url: absolute http(s) URL; possibly user supplied.
        policy: what may be reached, and the time, size and redirect bounds.
        json: a JSON body (or `content` for raw bytes; not both).
        content: a raw body.
        headers: extra request headers; Host may not be set.
        resolver: replaces the system resolver (tests, custom DNS).

    Returns:
        The final response, its body read in full (at most `max_response_bytes`).

    Raises:
        OutboundRefused: a URL, address or redirect target is not allowed
            (code `outbound_refused`), too many redirects
            (`outbound_too_many_redirects`) or a too large response
            (`outbound_response_too_large`).
        OutboundError: the remote failed or the time bound ran out (`outbound_failed`).
        ValueError: the call itself is malformed (unknown method, Host header, two bodies).
    """
    extra = dict(headers or {})
    if method.upper() not in _METHODS or "host" in {key.lower() for key in extra}:
        raise ValueError("unsupported method or header")
    if json is not None and content is not None:
        raise ValueError("pass json or content, not both")
    hop = _Hop(method.upper(), validate_url(url, policy), json, content, extra)
    timeout = httpx.Timeout(
        connect=policy.connect_timeout,
        read=policy.read_timeout,
        write=policy.read_timeout,
        pool=policy.connect_timeout,
    )
    default_headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "identity"}
    try:
        async with (
            asyncio.timeout(policy.total_timeout),
            httpx.AsyncClient(
                transport=PinnedTransport(policy, resolver),
                headers=default_headers,
                timeout=timeout,
                follow_redirects=False,
                trust_env=False,
            ) as client,
        ):
            return await _follow(client, hop, policy)
    except (OSError, httpx.HTTPError) as exc:  # TimeoutError (total bound) is an OSError
        host = hop.url.host
        _log.warning("outbound_failed", reason="transport", host=host, error=type(exc).__name__)
        raise OutboundError() from None


async def _follow(client: httpx.AsyncClient, hop: _Hop, policy: OutboundPolicy) -> OutboundResponse:
    for _ in range(policy.max_redirects + 1):
        request = client.build_request(
            hop.method, hop.url, json=hop.json, content=hop.content, headers=hop.headers
        )
        response = await client.send(request, stream=True)
        try:
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or location is None:
                return await _read_body(response, hop.url, policy)
        finally:
            await response.aclose()
        client.cookies.clear()
        hop = _next_hop(hop, response.status_code, location, policy)
    raise refuse(
        "redirects", "Too many redirects.", hop.url.host, code="outbound_too_many_redirects"
    )


def _next_hop(hop: _Hop, status: int, location: str, policy: OutboundPolicy) -> _Hop:
    if len(location) > MAX_URL_LENGTH or UNSAFE_URL_CHARS.search(location):
        raise refuse("redirect", "The redirect target is not valid.", hop.url.host)
    try:
        target = hop.url.join(location)
    except (httpx.InvalidURL, UnicodeError):
        raise refuse("redirect", "The redirect target is not valid.", hop.url.host) from None
    if hop.url.scheme == "https" and target.scheme != "https":
        raise refuse("downgrade", "Redirects away from HTTPS are not followed.", hop.url.host)
    url = validate_url(str(target), policy)
    method, json, content, headers = hop.method, hop.json, hop.content, dict(hop.headers)
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        method, json, content = "GET", None, None
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    if (url.scheme, url.host, url.port) != (hop.url.scheme, hop.url.host, hop.url.port):
        headers = {k: v for k, v in headers.items() if k.lower() not in _CREDENTIAL_HEADERS}
    return _Hop(method, url, json, content, headers)


async def _read_body(
    response: httpx.Response, url: httpx.URL, policy: OutboundPolicy
) -> OutboundResponse:
    limit = policy.max_response_bytes
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise refuse("size", "The response is too large.", url.host, code=_TOO_LARGE)
    if response.headers.get("content-encoding", "identity").lower() != "identity":
        # We ask for identity; decoding a compressed answer would bypass the size cap.
        _log.warning("outbound_failed", reason="content_encoding", host=url.host)
        raise OutboundError()
    body = bytearray()
    async for chunk in response.aiter_raw():
        body += chunk
        if len(body) > limit:
            raise refuse("size", "The response is too large.", url.host, code=_TOO_LARGE)
    headers = MappingProxyType(dict(response.headers.items()))
    return OutboundResponse(response.status_code, headers, bytes(body), str(url))
