"""Webhook signatures: `Helio-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`.

Pure. The signed message is the timestamp, a dot and the raw body bytes exactly as
received (never a re-serialised JSON), compared in constant time; a timestamp more than
five minutes from now is refused, which bounds how long a captured request could be
replayed (the event id, stored once, closes the rest). Several `v1=` values may be sent
while a secret is being rotated; one matching is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from helio.payments.exceptions import SignatureInvalid, TimestampOutOfWindow

HEADER = "Helio-Signature"
TOLERANCE_SECONDS = 300
MAX_HEADER_CHARS = 1024
_HEX = re.compile(r"[0-9a-f]{64}")
_DIGITS = re.compile(r"[0-9]{1,12}")


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of `"<timestamp>.<body>"`."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def header_value(secret: bytes, timestamp: int, body: bytes) -> str:
    """Return the `Helio-Signature` value a provider sends with a body."""
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def _parse(header: str) -> tuple[int, list[str]]:
    if len(header) > MAX_HEADER_CHARS or not header.isascii():
        raise SignatureInvalid
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and _DIGITS.fullmatch(value) and timestamp is None:
            timestamp = int(value)
        elif name == "v1" and _HEX.fullmatch(value):
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureInvalid
    return timestamp, candidates


def verify(secret: bytes, header: str | None, body: bytes, *, now: float) -> int:
    """Check a webhook's signature and freshness; return its signed timestamp.

    Args:
        secret: the shared webhook secret.
        header: the `Helio-Signature` value, or None when absent.
        body: the raw request body.
        now: the current UNIX time.

    Returns:
        The timestamp the provider signed.

    Raises:
        SignatureInvalid: missing, malformed, or no `v1` matches (400).
        TimestampOutOfWindow: signed more than five minutes before or after now (400).
    """
    if not header:
        raise SignatureInvalid
    timestamp, candidates = _parse(header)
    expected = signature(secret, timestamp, body)
    # Every candidate is compared, in constant time, so the work does not depend on which.
    matched = [hmac.compare_digest(expected, candidate) for candidate in candidates]
    if not any(matched):
        raise SignatureInvalid
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise TimestampOutOfWindow
    return timestamp
