"""Blind indexes: keyed HMACs of normalised values for exact lookups on encrypted columns.

An encrypted email cannot be searched, so its row also stores
`version (1 byte) | HMAC-SHA256(subkey, kind | normalised value)` in an indexed
column. Only exact matches are possible, and only for someone holding the
blind-index key, which is separate from every encryption key. A per-kind
subkey (HKDF) keeps the email and phone indexes unlinkable: equal strings
under different kinds give unrelated digests.

The full 32-byte digest is kept: indexes back unique constraints (one account
per email), so they need collision resistance (256-bit output, ASVS V11.4.3);
truncating to save a few bytes per row would buy nothing worth that risk.
Blind indexes still reveal which rows share a value; only index what must be
looked up.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import struct
import unicodedata
from collections.abc import Callable, Mapping
from typing import Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DIGEST_BYTES = 32
INDEX_BYTES = 1 + DIGEST_BYTES
# Blind-index versions run 1..255; version 0 marks the index of an erased
# account, random so it matches no lookup and keeps the unique email index happy.
ERASED_VERSION = 0
_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]+")
_TRUNK_MARK = re.compile(r"^((?:\+|00)\d{1,3})[\s\-.]*\(0\)")  # the "(0)" of "+44 (0)20 …"
_MIN_E164_DIGITS, _MAX_E164_DIGITS = 7, 15
# Calling code and national trunk prefix of the regions we sell in; other
# numbers must be entered in international form (+ or 00).
_REGIONS: dict[str, tuple[str, str]] = {
    "US": ("1", "1"),
    "CA": ("1", "1"),
    "GB": ("44", "0"),
    "IE": ("353", "0"),
    "DE": ("49", "0"),
    "FR": ("33", "0"),
    "NL": ("31", "0"),
    "ES": ("34", ""),
    "IT": ("39", ""),
    "AU": ("61", "0"),
}


def normalise_email(value: str) -> str:
    """Return the lookup form of an email: stripped, NFKC, casefolded.

    Plus-addressing (`ann+solar@…`) is kept as is: it is a different address
    the user chose, and folding it would merge accounts the user keeps apart.
    The local part is casefolded although RFC 5321 lets it be case-sensitive,
    because no mainstream provider treats it so and users type it in any case.

    Raises:
        ValueError: the value is not shaped like an email address.
    """
    email = unicodedata.normalize("NFKC", value.strip()).casefold()
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in email):
        raise ValueError("not an email address")
    return email


def normalise_phone(value: str, default_region: str | None = None) -> str:
    """Return an E.164-style number: `+` and 7 to 15 digits.

    Accepts spaces, dashes, dots, slashes, parentheses and the "(0)" of
    "+44 (0)20 …". `+` or `00` start an international number; otherwise
    `default_region` (e.g. "US") supplies the calling code and its trunk prefix
    is dropped. A small normaliser, not a validator of numbering plans.

    Raises:
        ValueError: letters, extensions, a missing region, or a wrong length.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    text = _PHONE_SEPARATORS.sub("", _TRUNK_MARK.sub(r"\1", text))
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    elif default_region is not None:
        digits = _with_calling_code(text, default_region.upper())
    else:
        raise ValueError("a phone number needs a country code or a default region")
    if not digits.isascii() or not digits.isdigit() or digits.startswith("0"):
        raise ValueError("not a phone number")
    if not _MIN_E164_DIGITS <= len(digits) <= _MAX_E164_DIGITS:
        raise ValueError("a phone number has 7 to 15 digits with its country code")
    return "+" + digits


def _with_calling_code(national: str, region: str) -> str:
    if region not in _REGIONS:
        raise ValueError(f"unknown region {region!r}; enter the number with its country code")
    calling_code, trunk = _REGIONS[region]
    if trunk and national.startswith(trunk) and (calling_code != "1" or len(national) == 11):
        national = national[len(trunk) :]
    return calling_code + national


class BlindIndexKeys(Protocol):
    """Where blind-index keys come from (`LocalKeyProvider` is one)."""

    def blind_index_key(self, version: int) -> bytes:
        """Return the 32-byte key of a version."""
        ...

    def current_blind_index_version(self) -> int:
        """Return the version new indexes use."""
        ...

    def blind_index_versions(self) -> list[int]:
        """Return every live version, current first."""
        ...


DEFAULT_NORMALISERS: Mapping[str, Callable[[str], str]] = {
    "email": normalise_email,
    "phone": normalise_phone,
}


class BlindIndexer:
    """Compute versioned blind indexes: version byte | HMAC-SHA256 digest (33 bytes)."""

    def __init__(
        self,
        keys: BlindIndexKeys,
        *,
        normalisers: Mapping[str, Callable[[str], str]] = DEFAULT_NORMALISERS,
    ) -> None:
        for kind in normalisers:
            if not _KIND.fullmatch(kind):
                raise ValueError(f"index kind {kind!r} must be lowercase letters, digits, '_'")
        self._keys = keys
        self._normalisers = dict(normalisers)

    def index(self, kind: str, value: str, *, version: int | None = None) -> bytes:
        """Return the blind index of a value.

        Args:
            kind: what the value is ("email", "phone"); selects the normaliser and subkey.
            value: the raw value; normalised before hashing.
            version: the blind-index key version; the current one by default.

        Returns:
            One version byte followed by the 32-byte HMAC-SHA256 digest.

        Raises:
            ValueError: unknown kind, or a value its normaliser rejects.
            KeyError: unknown or retired key version.
        """
        if kind not in self._normalisers:
            raise ValueError(f"no blind index kind {kind!r}")
        version = self._keys.current_blind_index_version() if version is None else version
        if not 1 <= version <= 255:
            raise ValueError("blind-index versions are 1..255")
        normalised = self._normalisers[kind](value).encode("utf-8")
        message = struct.pack(">B", len(kind)) + kind.encode("ascii") + normalised
        digest = hmac.new(self._subkey(version, kind), message, hashlib.sha256).digest()
        return bytes([version]) + digest

    def lookup_candidates(self, kind: str, value: str) -> list[bytes]:
        """Return the value's index under every live key version (current first).

        During an index rotation some rows still hold old-version indexes, so a
        lookup matches any of these: `WHERE email_index IN (:candidates)`.
        """
        return [self.index(kind, value, version=v) for v in self._keys.blind_index_versions()]

    @staticmethod
    def version_of(index: bytes) -> int:
        """Return the key version recorded in a blind index."""
        if len(index) != INDEX_BYTES:
            raise ValueError("not a blind index")
        return index[0]

    def _subkey(self, version: int, kind: str) -> bytes:
        # HKDF, not the raw key: one HMAC key per kind makes the indexes unlinkable.
        hkdf = HKDF(
            algorithm=hashes.SHA256(),
            length=DIGEST_BYTES,
            salt=None,
            info=b"helio/blind-index/v1/" + kind.encode("ascii"),
        )
        return hkdf.derive(self._keys.blind_index_key(version))


def erased_index() -> bytes:
    """Return a random blind index of version 0 that no lookup can match."""
    return bytes([ERASED_VERSION]) + secrets.token_bytes(DIGEST_BYTES)
