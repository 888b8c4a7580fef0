"""Field encryption at rest: AES-256-GCM under per-owner data keys.

Envelope encryption: every owner (a customer) has a random 256-bit data key,
stored only wrapped by a key-encryption key (see `keys.py`, table `data_keys`).
Each encrypted column value is bound to its table, column and row through the
GCM associated data, so a ciphertext copied into another row or column, or
decrypted under another owner's key, fails instead of yielding wrong data.

Ciphertext layout (stored as bytes, e.g. VARBINARY/BLOB):

    version (1 byte) | key generation (4 bytes, big-endian) | nonce (12) | ct+tag

The key generation names which of the owner's data keys encrypted the value,
so data keys can be rotated one row at a time. Zeroising keys in Python is
best-effort only: `bytes` are immutable and the AEAD context copies the key, so
crypto-shredding relies on destroying the wrapped key, not on wiping memory.
"""

from __future__ import annotations

import secrets
import struct
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from helio.errors import AppError
from helio.kit.clock import clock

FORMAT_VERSION = 1
DATA_KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
MAX_KEY_GENERATION = 2**32 - 1
_HEADER = struct.Struct(">BI")
_AAD_LABEL = b"helio/field"


class DecryptionError(AppError):
    """Stored ciphertext or a wrapped key failed authentication.

    This is never the client's fault (so not a 4xx for bad input), and it is not
    an unhandled bug either (a 500 would hide it among crashes): it means stored
    data was corrupted, tampered with or moved, or its key is gone. The service
    layer maps it to 409 `data_integrity_error` with a generic message and logs a
    security event; details stay in the chained exception, never in the body.
    """

    status, code, message = 409, "data_integrity_error", "Stored data failed an integrity check."


def new_data_key() -> bytes:
    """Return a fresh random 256-bit data key from the OS CSPRNG."""
    return secrets.token_bytes(DATA_KEY_BYTES)


def data_key_context(owner: str, generation: int) -> dict[str, str]:
    """Build the wrap context binding a data key to its owner and generation.

    The context is logged in clear by AWS CloudTrail, so it holds ids, never PII.
    """
    if not owner or generation < 1:
        raise ValueError("a data key context needs an owner and a generation >= 1")
    return {"purpose": "field-data-key", "owner": owner, "generation": str(generation)}


def _field_aad(generation: int, table: str, column: str, row_id: str) -> bytes:
    """Encode the associated data injectively: every text field is length-prefixed."""
    parts = [_AAD_LABEL, _HEADER.pack(FORMAT_VERSION, generation)]
    for name, value in (("table", table), ("column", column), ("row_id", row_id)):
        if not value:
            raise ValueError(f"{name} must not be empty")
        encoded = value.encode("utf-8")
        parts.append(struct.pack(">H", len(encoded)) + encoded)
    return b"".join(parts)


def _check_key(data_key: bytes) -> None:
    if len(data_key) != DATA_KEY_BYTES:
        raise ValueError("data keys are 256-bit (32 bytes)")


class FieldCipher:
    """Encrypt and decrypt single column values bound to (table, column, row)."""

    def encrypt(
        self,
        data_key: bytes,
        plaintext: str,
        *,
        table: str,
        column: str,
        row_id: str,
        key_generation: int = 1,
    ) -> bytes:
        """Encrypt one field value.

        Args:
            data_key: the owner's unwrapped 32-byte data key.
            plaintext: the value to protect.
            table, column, row_id: where the value is stored; bound as associated data.
            key_generation: which of the owner's data keys this is (1..2**32-1).

        Returns:
            version | key generation | random 96-bit nonce | ciphertext and tag.
        """
        _check_key(data_key)
        if not 1 <= key_generation <= MAX_KEY_GENERATION:
            raise ValueError("key_generation out of range")
        aad = _field_aad(key_generation, table, column, row_id)
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(data_key).encrypt(nonce, plaintext.encode("utf-8"), aad)
        return _HEADER.pack(FORMAT_VERSION, key_generation) + nonce + sealed

    def decrypt(
        self, data_key: bytes, ciphertext: bytes, *, table: str, column: str, row_id: str
    ) -> str:
        """Decrypt one field value stored at (table, column, row_id).

        Args:
            data_key: the data key of the generation named in the ciphertext
                (read it first with `key_generation`).
            ciphertext: bytes produced by `encrypt`.
            table, column, row_id: where the value was read from.

        Returns:
            The plaintext value.

        Raises:
            DecryptionError: the value is malformed, tampered with, moved from
                another row/column, or encrypted under another key.
        """
        _check_key(data_key)
        generation = self.key_generation(ciphertext)
        aad = _field_aad(generation, table, column, row_id)
        start = _HEADER.size
        nonce = ciphertext[start : start + NONCE_BYTES]
        try:
            plain = AESGCM(data_key).decrypt(nonce, ciphertext[start + NONCE_BYTES :], aad)
            return plain.decode("utf-8")
        except (InvalidTag, UnicodeDecodeError) as exc:
            raise DecryptionError() from exc

    @staticmethod
    def key_generation(ciphertext: bytes) -> int:
        """Return the data-key generation named in a ciphertext header.

        Raises:
            DecryptionError: the value is too short or of an unknown format version.
        """
        if len(ciphertext) < _HEADER.size + NONCE_BYTES + TAG_BYTES:
            raise DecryptionError()
        version, generation = _HEADER.unpack_from(ciphertext)
        if version != FORMAT_VERSION or generation < 1:
            raise DecryptionError()
        return int(generation)


@dataclass
class _Entry:
    key: bytearray
    expires_at: float


class DataKeyCache:
    """A bounded, thread-safe LRU of unwrapped data keys with a time-to-live.

    Keeps a profile read from calling the key provider (KMS) every time. Entries
    are keyed by (owner, generation); `forget(owner)` drops an owner's keys when
    the owner is deleted (crypto-shredding) or their keys are rotated.
    """

    def __init__(
        self,
        max_entries: int = 1024,
        ttl_seconds: float = 300.0,
        *,
        now: Callable[[], float] = clock.timestamp,
    ) -> None:
        if max_entries < 1 or ttl_seconds <= 0:
            raise ValueError("max_entries and ttl_seconds must be positive")
        self._max = max_entries
        self._ttl = ttl_seconds
        self._now = now
        self._entries: OrderedDict[tuple[str, int], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, owner: str, generation: int) -> bytes | None:
        """Return a cached data key, or None when absent or expired."""
        with self._lock:
            entry = self._entries.get((owner, generation))
            if entry is None:
                return None
            if entry.expires_at <= self._now():
                self._drop((owner, generation))
                return None
            self._entries.move_to_end((owner, generation))
            return bytes(entry.key)

    def put(self, owner: str, generation: int, data_key: bytes) -> None:
        """Cache a data key, evicting the least recently used beyond the bound."""
        _check_key(data_key)
        with self._lock:
            self._drop((owner, generation))
            self._entries[(owner, generation)] = _Entry(
                bytearray(data_key), self._now() + self._ttl
            )
            while len(self._entries) > self._max:
                self._drop(next(iter(self._entries)))

    def forget(self, owner: str) -> None:
        """Drop every cached generation of an owner's data key."""
        with self._lock:
            for cache_key in [k for k in self._entries if k[0] == owner]:
                self._drop(cache_key)

    def clear(self) -> None:
        """Drop every cached key."""
        with self._lock:
            for cache_key in list(self._entries):
                self._drop(cache_key)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _drop(self, cache_key: tuple[str, int]) -> None:
        entry = self._entries.pop(cache_key, None)
        if entry is not None:
            # Best-effort wipe of our copy; copies handed out are beyond reach.
            entry.key[:] = bytes(len(entry.key))
