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

from helio.auth.sessions.exceptions import CsrfRefused, ForeignOrigin

HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_TOKEN_CHARS = 128
_LABEL = b"helio-csrf-v1\x00"


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


def check_origin(origin: str | None, allowed: list[str], *, required: bool) -> None:
    """Refuse a request whose origin (its Origin, or its Referer's origin) is not allowed.

    Args:
        origin: the request's origin as the request-context middleware resolved it.
        allowed: the allowed origins (scheme://host[:port]).
        required: refuse also when the request names no origin at all.

    Raises:
        ForeignOrigin: the origin is not allowed, or missing when required.
    """
    if origin is None:
        if required:
            raise ForeignOrigin()
        return
    if origin not in allowed:
        raise ForeignOrigin()


def enforce(
    method: str,
    origin: str | None,
    header: str | None,
    *,
    key: bytes,
    session_hash: bytes,
    cookie: str | None,
    allowed: list[str],
) -> None:
    """Check an unsafe cookie-authenticated request: allowed origin and the echoed token.

    Args:
        method: the HTTP method (safe methods pass).
        origin: the request's origin.
        header: the `X-CSRF-Token` header.
        key: the CSRF HMAC key.
        session_hash: the digest of the session's cookie secret.
        cookie: the CSRF cookie.
        allowed: the allowed origins.

    Raises:
        ForeignOrigin: missing or foreign Origin/Referer.
        CsrfRefused: the header is missing, differs from the cookie, or is not this session's.
    """
    if method in SAFE_METHODS:
        return
    check_origin(origin, allowed, required=True)
    if not header or not cookie or not hmac.compare_digest(header.encode(), cookie.encode()):
        raise CsrfRefused()
    if not valid(key, session_hash, header):
        raise CsrfRefused()
