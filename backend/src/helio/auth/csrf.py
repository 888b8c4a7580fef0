"""CSRF defence for cookie sessions: a signed double-submit token plus an Origin check.

The token is `<nonce>.<HMAC-SHA256(key, session-secret-hash | nonce)>`: bound
to the session, so a token planted by another site (cookie tossing from a
sibling domain) or kept from an earlier session does not verify. Unsafe
requests must echo the CSRF cookie in `X-CSRF-Token` and come from an allowed
Origin (or, without Origin, an allowed Referer).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request

from helio.errors import Forbidden

HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_TOKEN_CHARS = 128
_LABEL = b"helio-csrf-v1\x00"


class CsrfRefused(Forbidden):
    code, message = "csrf_failed", "The request failed the cross-site request forgery check."


class ForeignOrigin(Forbidden):
    code, message = "origin_refused", "Requests from this origin are not accepted."


def _mac(key: bytes, session_hash: bytes, nonce: str) -> str:
    digest = hmac.new(key, _LABEL + session_hash + nonce.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue(key: bytes, session_hash: bytes) -> str:
    """Return a CSRF token bound to the session whose secret hashes to `session_hash`."""
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_mac(key, session_hash, nonce)}"


def valid(key: bytes, session_hash: bytes, token: str | None) -> bool:
    """True when `token` was issued for this session."""
    if not token or len(token) > MAX_TOKEN_CHARS or not token.isascii():
        return False
    nonce, _, mac = token.partition(".")
    if not nonce or not mac:
        return False
    return hmac.compare_digest(_mac(key, session_hash, nonce), mac)


def request_origin(request: Request) -> str | None:
    """Return the Origin of a request, or the origin of its Referer when Origin is absent."""
    origin = request.headers.get("origin")
    if origin:
        return origin.rstrip("/")
    referer = request.headers.get("referer")
    if not referer:
        return None
    parts = urlsplit(referer)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def check_origin(request: Request, allowed: list[str], *, required: bool) -> None:
    """Refuse a request whose Origin (or Referer) is not allowed.

    Args:
        request: the incoming request.
        allowed: the allowed origins (scheme://host[:port]).
        required: refuse also when neither Origin nor Referer is present.

    Raises:
        ForeignOrigin: the origin is not allowed, or missing when required.
    """
    origin = request_origin(request)
    if origin is None:
        if required:
            raise ForeignOrigin()
        return
    if origin not in allowed:
        raise ForeignOrigin()


def enforce(
    request: Request, *, key: bytes, session_hash: bytes, cookie: str | None, allowed: list[str]
) -> None:
    """Check an unsafe cookie-authenticated request: allowed origin and the echoed token.

    Raises:
        ForeignOrigin: missing or foreign Origin/Referer.
        CsrfRefused: the header is missing, differs from the cookie, or is not this session's.
    """
    if request.method in SAFE_METHODS:
        return
    check_origin(request, allowed, required=True)
    header = request.headers.get(HEADER)
    if not header or not cookie or not hmac.compare_digest(header.encode(), cookie.encode()):
        raise CsrfRefused()
    if not valid(key, session_hash, header):
        raise CsrfRefused()
