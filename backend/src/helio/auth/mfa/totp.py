"""TOTP second factor (RFC 6238, SHA-1, 6 digits, 30 s) with pyotp, refusing replays."""

from __future__ import annotations

import hmac
import re

import pyotp

from helio.kit.clock import clock

ISSUER = "Helio"
DIGITS = 6
INTERVAL_SECONDS = 30
# ±1 step (±30 s) of clock drift: ASVS V6.5.5 / RFC 6238 section 5.2.
VALID_WINDOW = 1

_CODE = re.compile(r"[0-9]{6}")
_SPACES = re.compile(r"\s+")


def new_secret() -> str:
    """Return a new random TOTP secret: 32 base32 characters, 160 bits from the OS CSPRNG."""
    # pyotp draws from secrets.SystemRandom.
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, account_name: str, issuer: str = ISSUER) -> str:
    """Return the otpauth:// URI an authenticator app scans to enrol the secret."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL_SECONDS).provisioning_uri(
        name=account_name, issuer_name=issuer
    )


def verify_totp(
    secret: str, code: str, *, last_used_step: int | None, now: float | None = None
) -> int | None:
    """Check a TOTP code once; refuse a code from a step already used.

    Args:
        secret: the user's base32 TOTP secret.
        code: the code as typed; spaces are ignored, then exactly 6 ASCII digits are required.
        last_used_step: the step returned by the last successful check, or None.
        now: UNIX time to check at (defaults to the application clock).

    Returns:
        The matched time step, which the caller must store as `last_used_step`;
        None when the code is malformed, wrong, outside ±1 step, or already used.
    """
    typed = _SPACES.sub("", code)
    if not _CODE.fullmatch(typed):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL_SECONDS)
    current = totp.timecode(clock.timestamp() if now is None else now)
    floor = -1 if last_used_step is None else last_used_step
    matched: int | None = None
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        # Every candidate is compared, each in constant time, with no early exit.
        equal = hmac.compare_digest(typed, totp.generate_otp(step))
        if equal and step > floor and matched is None:
            matched = step
    return matched
