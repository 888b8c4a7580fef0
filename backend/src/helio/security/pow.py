"""Proof-of-work challenges (hashcash-style) that slow down automated login and sign-up.

Hand-written on purpose: the libraries that exist are either CAPTCHA services
(a third party we do not want in the login path) or hashcash stamp formats
bound to email headers, none with a stateless, HMAC-signed, scoped, expiring
challenge and a shared replay guard. The primitives are standard library
(HMAC-SHA256, SHA-256, `secrets`); only the format is ours.

Challenge token (ASCII, no `:`), signed with HMAC-SHA256 under a server secret:
    v1.<scope>.<difficulty_bits>.<expires_at>.<nonce>.<mac>
The client finds a decimal counter such that SHA-256("<token>:<counter>") starts
with `difficulty_bits` zero bits, and sends `X-PoW-Solution: <token>:<counter>`.
Each challenge is accepted once (its nonce is remembered until it expires).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass

from helio.errors import Forbidden
from helio.kit.clock import clock
from helio.state.shared import SharedState

HEADER = "X-PoW-Solution"
VERSION = "v1"
DEFAULT_DIFFICULTY_BITS = 18
DEFAULT_TTL_SECONDS = 120
MAX_DIFFICULTY_BITS = 32
MAX_TTL_SECONDS = 600
MIN_SECRET_BYTES = 32
MAX_HEADER_CHARS = 256

_SCOPE = re.compile(r"[a-z0-9_-]{1,32}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{22}")
_NUMBER = re.compile(r"[0-9]{1,20}")
_MAC_LABEL = b"helio-pow-v1\x00"  # domain separation from other uses of HMAC keys


class PowRequired(Forbidden):
    code = "pow_required"
    message = f"Solve a proof-of-work challenge (GET /api/v1/auth/challenge) and send {HEADER}."


class PowInvalid(Forbidden):
    code, message = "pow_invalid", "The proof-of-work solution is not valid."


class PowExpired(Forbidden):
    code, message = "pow_expired", "The proof-of-work challenge has expired; fetch a new one."


class PowReplayed(Forbidden):
    code, message = (
        "pow_replayed",
        "This proof-of-work challenge was already used; fetch a new one.",
    )


@dataclass(frozen=True)
class Challenge:
    """A signed challenge as handed to the client."""

    token: str
    scope: str
    difficulty_bits: int
    expires_at: int
    nonce: str


def _mac(secret: bytes, body: str) -> str:
    digest = hmac.new(secret, _MAC_LABEL + body.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _check_secret(secret: bytes) -> None:
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the proof-of-work secret needs at least {MIN_SECRET_BYTES} bytes")


def issue_challenge(
    secret: bytes, *, difficulty_bits: int, ttl_seconds: int, scope: str
) -> Challenge:
    """Create a stateless, signed challenge.

    Args:
        secret: the HMAC key (at least 32 random bytes), shared by all replicas.
        difficulty_bits: leading zero bits required (1-32; each bit doubles the work).
        ttl_seconds: lifetime, 1-600 seconds.
        scope: what the challenge unlocks, e.g. "login" (lowercase letters, digits, _ -).

    Returns:
        The challenge; `token` goes to the client.

    Raises:
        ValueError: a weak secret or a parameter out of range.
    """
    _check_secret(secret)
    if not 1 <= difficulty_bits <= MAX_DIFFICULTY_BITS or not 1 <= ttl_seconds <= MAX_TTL_SECONDS:
        raise ValueError("difficulty_bits or ttl_seconds out of range")
    if not _SCOPE.fullmatch(scope):
        raise ValueError("scope must be 1-32 of [a-z0-9_-]")
    expires_at = math.ceil(clock.timestamp()) + ttl_seconds
    nonce = secrets.token_urlsafe(16)
    body = f"{VERSION}.{scope}.{difficulty_bits}.{expires_at}.{nonce}"
    token = f"{body}.{_mac(secret, body)}"
    return Challenge(token, scope, difficulty_bits, expires_at, nonce)


def leading_zero_bits(data: bytes) -> int:
    """Return how many zero bits SHA-256(data) starts with."""
    value = int.from_bytes(hashlib.sha256(data).digest(), "big")
    return 256 - value.bit_length()


def solve(challenge_token: str, difficulty_bits: int) -> str:
    """Find a counter for a challenge; return the `X-PoW-Solution` header value.

    Clients do the same: try counters 0, 1, 2, ... until
    SHA-256("<token>:<counter>") has `difficulty_bits` leading zero bits.
    """
    prefix = hashlib.sha256(f"{challenge_token}:".encode("ascii"))
    shift = 256 - difficulty_bits
    counter = 0
    while True:
        attempt = prefix.copy()
        attempt.update(str(counter).encode("ascii"))
        if int.from_bytes(attempt.digest(), "big") >> shift == 0:
            return f"{challenge_token}:{counter}"
        counter += 1


def _parse(secret: bytes, header: str) -> Challenge:
    """Check the form and the signature of a solution header; return its challenge."""
    if len(header) > MAX_HEADER_CHARS or not header.isascii():
        raise PowInvalid()
    token, _, counter = header.rpartition(":")
    parts = token.split(".")
    if not _NUMBER.fullmatch(counter) or len(parts) != 6:
        raise PowInvalid()
    version, scope, bits, expires, nonce, mac = parts
    well_formed = (
        version == VERSION
        and _SCOPE.fullmatch(scope)
        and _NUMBER.fullmatch(bits)
        and _NUMBER.fullmatch(expires)
        and _NONCE.fullmatch(nonce)
    )
    if not well_formed or not hmac.compare_digest(_mac(secret, token.rpartition(".")[0]), mac):
        raise PowInvalid()
    return Challenge(token, scope, int(bits), int(expires), nonce)


async def verify_solution(
    header: str | None,
    *,
    secret: bytes,
    scope: str,
    state: SharedState,
    min_difficulty_bits: int = 1,
) -> None:
    """Accept a proof-of-work solution once, or refuse the request.

    Args:
        header: the `X-PoW-Solution` header value, or None when absent.
        secret: the HMAC key the challenge was issued with.
        scope: the scope this request needs, e.g. "login".
        state: shared state (Redis in production) that remembers used challenges.
        min_difficulty_bits: refuse challenges issued easier than this.

    Raises:
        PowRequired: no solution was sent.
        PowInvalid: malformed, forged, another scope, too easy, or not enough work.
        PowExpired: the challenge is past its expiry.
        PowReplayed: this challenge was already used.
    """
    _check_secret(secret)
    if not header:
        raise PowRequired()
    challenge = _parse(secret, header)
    if challenge.scope != scope or challenge.difficulty_bits < min_difficulty_bits:
        raise PowInvalid()
    remaining = challenge.expires_at - clock.timestamp()
    if remaining <= 0:
        raise PowExpired()
    if leading_zero_bits(header.encode("ascii")) < challenge.difficulty_bits:
        raise PowInvalid()
    if not await state.set_if_absent(f"pow:{challenge.nonce}", "1", math.ceil(remaining)):
        raise PowReplayed()
