"""What every key provider is: wrapped data keys, the provider protocol, its errors.

All provider calls are synchronous and the KMS one does network I/O: async code
runs them in a worker thread, with `asyncio.to_thread` or the `*_async` helpers
below, never directly on the event loop.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from helio.errors import ServiceUnavailable
from helio.security.crypto import DATA_KEY_BYTES, DecryptionError

_WRAP_FORMAT = 1
_WRAP_HEADER = struct.Struct(">BH")


class KeyServiceUnavailable(ServiceUnavailable):
    """The key service (KMS) cannot be used right now; fail closed with a 503."""

    code, message = "key_service_unavailable", "The service is temporarily unavailable."


@dataclass(frozen=True)
class WrappedKey:
    """A data key encrypted under the KEK `kek_id`; `blob` is opaque to callers."""

    kek_id: str
    blob: bytes

    def to_bytes(self) -> bytes:
        """Serialise as format version (1) | kek id length (2) | kek id | blob."""
        kek = self.kek_id.encode("utf-8")
        return _WRAP_HEADER.pack(_WRAP_FORMAT, len(kek)) + kek + self.blob

    @classmethod
    def from_bytes(cls, data: bytes) -> WrappedKey:
        """Parse `to_bytes` output.

        Raises:
            DecryptionError: the stored value is malformed or of an unknown version.
        """
        if len(data) < _WRAP_HEADER.size:
            raise DecryptionError()
        version, kek_len = _WRAP_HEADER.unpack_from(data)
        end = _WRAP_HEADER.size + kek_len
        if version != _WRAP_FORMAT or kek_len == 0 or len(data) <= end:
            raise DecryptionError()
        try:
            kek_id = data[_WRAP_HEADER.size : end].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecryptionError() from exc
        return cls(kek_id=kek_id, blob=bytes(data[end:]))


class KeyProvider(Protocol):
    """Wraps and unwraps data keys under a key-encryption key."""

    def current_kek_id(self) -> str:
        """Return the id of the KEK that new wraps use."""
        ...

    def wrap(self, plaintext_key: bytes, *, context: Mapping[str, str]) -> WrappedKey:
        """Encrypt a data key under the current KEK, bound to `context`."""
        ...

    def unwrap(self, wrapped: WrappedKey, *, context: Mapping[str, str]) -> bytes:
        """Decrypt a wrapped data key; raise DecryptionError if it does not verify."""
        ...

    def generate_data_key(self, context: Mapping[str, str]) -> tuple[bytes, WrappedKey]:
        """Return a fresh data key and its wrap under the current KEK."""
        ...


def check_context(context: Mapping[str, str]) -> dict[str, str]:
    if not context:
        raise ValueError("a wrap context is required (e.g. data_key_context(owner, gen))")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in context.items()):
        raise TypeError("wrap context keys and values must be strings")
    return dict(context)


def check_data_key(plaintext_key: bytes) -> None:
    if len(plaintext_key) != DATA_KEY_BYTES:
        raise ValueError("data keys are 256-bit (32 bytes)")


async def wrap_async(
    provider: KeyProvider, plaintext_key: bytes, *, context: Mapping[str, str]
) -> WrappedKey:
    """Run `provider.wrap` in a worker thread."""
    return await asyncio.to_thread(provider.wrap, plaintext_key, context=context)


async def unwrap_async(
    provider: KeyProvider, wrapped: WrappedKey, *, context: Mapping[str, str]
) -> bytes:
    """Run `provider.unwrap` in a worker thread."""
    return await asyncio.to_thread(provider.unwrap, wrapped, context=context)


async def generate_data_key_async(
    provider: KeyProvider, context: Mapping[str, str]
) -> tuple[bytes, WrappedKey]:
    """Run `provider.generate_data_key` in a worker thread."""
    return await asyncio.to_thread(provider.generate_data_key, context)
