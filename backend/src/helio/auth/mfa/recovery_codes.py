"""One-time MFA recovery codes: generated from the CSPRNG, stored only as salted hashes.

Each code is 24 characters of Crockford base32 (no i, l, o, u), shown as
`xxxxxx-xxxxxx-xxxxxx-xxxxxx`: 120 random bits. At or above 112 bits ASVS
V6.5.2 no longer asks for a slow password hash, and rightly: even a leaked
table of salted SHA-256 hashes needs ~2^119 guesses per code. (A 50-bit code
would fall to one GPU in about a day, which is why the codes are this long.)
So a salted HMAC-SHA256 is enough, and a login with a recovery code stays as
cheap as any other request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
GROUPS = 4
GROUP_LENGTH = 6
CODE_LENGTH = GROUPS * GROUP_LENGTH
ENTROPY_BITS = CODE_LENGTH * 5
DEFAULT_COUNT = 10

_SCHEME = "rc1"
_SALT_BYTES = 16
# Crockford decoding: read the look-alike letters as the digits they resemble.
_READ_AS = str.maketrans({"o": "0", "i": "1", "l": "1", " ": None, "-": None})


def generate_recovery_codes(n: int = DEFAULT_COUNT) -> list[str]:
    """Return n fresh recovery codes (120 bits each, from the `secrets` CSPRNG)."""
    if not 1 <= n <= 100:
        raise ValueError("n must be between 1 and 100")
    codes = []
    for _ in range(n):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        groups = (raw[i : i + GROUP_LENGTH] for i in range(0, CODE_LENGTH, GROUP_LENGTH))
        codes.append("-".join(groups))
    return codes


def normalise_recovery_code(code: str) -> str | None:
    """Return the canonical form of a typed code (case, spaces, dashes ignored), or None."""
    canonical = code.strip().lower().translate(_READ_AS)
    if len(canonical) != CODE_LENGTH or not all(c in ALPHABET for c in canonical):
        return None
    return canonical


def _digest(salt: bytes, canonical: str) -> bytes:
    return hmac.new(salt, canonical.encode("ascii"), hashlib.sha256).digest()


def hash_recovery_code(code: str) -> str:
    """Return the storable hash of a code: `rc1$<salt hex>$<HMAC-SHA256(salt, code) hex>`.

    Args:
        code: a code from `generate_recovery_codes`, in any accepted spelling.

    Returns:
        The encoded salted hash; the code itself must not be stored.

    Raises:
        ValueError: the code is not a well-formed recovery code.
    """
    canonical = normalise_recovery_code(code)
    if canonical is None:
        raise ValueError("not a recovery code")
    salt = secrets.token_bytes(_SALT_BYTES)
    return f"{_SCHEME}${salt.hex()}${_digest(salt, canonical).hex()}"


def _parse(stored: str) -> tuple[bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 3 or parts[0] != _SCHEME:
        return None
    try:
        salt, digest = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
    except ValueError:
        return None
    if len(salt) != _SALT_BYTES or len(digest) != hashlib.sha256().digest_size:
        return None
    return salt, digest


def match_recovery_code(code: str, hashes: Sequence[str | None]) -> int | None:
    """Find which unused stored hash a typed code matches.

    Args:
        code: the code as typed (case, spaces and dashes do not matter).
        hashes: the user's stored hashes; None marks a code already used.

    Returns:
        The index of the matching hash, which the caller must then mark used;
        None when nothing matches.
    """
    canonical = normalise_recovery_code(code)
    if canonical is None:
        return None
    found: int | None = None
    for index, stored in enumerate(hashes):
        parsed = None if stored is None else _parse(stored)
        if parsed is None:
            continue
        salt, digest = parsed
        # Every hash is checked, each in constant time; no early exit on a match.
        if hmac.compare_digest(_digest(salt, canonical), digest) and found is None:
            found = index
    return found
