"""The local key provider: a keyring file of KEKs, blind-index keys and app secrets."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from helio.kit.clock import clock
from helio.security.crypto import DATA_KEY_BYTES, NONCE_BYTES, DecryptionError, new_data_key
from helio.security.files import (
    KeyringError,
    canonical_json,
    locked,
    read_private_file,
    write_private_file,
)
from helio.security.keys.types import WrappedKey, check_context, check_data_key

_KEYRING_FORMAT = "helio-keyring/1"
_MAX_BLIND_INDEX_VERSION = 255
_SECRET_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,63}")
_T = TypeVar("_T")


def _entry() -> dict[str, str]:
    return {"key": base64.b64encode(new_data_key()).decode(), "created_at": clock.now().isoformat()}


def _new_kek_id() -> str:
    return f"kek-{clock.now():%Y%m%d}-{secrets.token_hex(4)}"


def _new_keyring() -> dict[str, Any]:
    kek_id = _new_kek_id()
    return {
        "format": _KEYRING_FORMAT,
        "kek": {"current": kek_id, "keys": {kek_id: _entry()}},
        "blind_index": {"current": 1, "keys": {"1": _entry()}},
        "secrets": {},
    }


def _parse_keyring(raw: bytes, path: Path) -> dict[str, Any]:
    try:
        data = json.loads(raw)
        if data["format"] != _KEYRING_FORMAT:
            raise KeyringError(f"keyring {path} has unknown format {data['format']!r}")
        for section in ("kek", "blind_index"):
            if str(data[section]["current"]) not in data[section]["keys"]:
                raise KeyringError(f"keyring {path}: current {section} key is missing")
        for section in (data["kek"]["keys"], data["blind_index"]["keys"], data["secrets"]):
            for entry in section.values():
                if len(base64.b64decode(entry["key"], validate=True)) != DATA_KEY_BYTES:
                    raise KeyringError(f"keyring {path} holds a key that is not 32 bytes")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyringError(f"keyring {path} is corrupt") from exc
    return dict(data)


class LocalKeyProvider:
    """A keyring file: KEKs that wrap data keys, blind-index keys and app secrets.

    The file (JSON, mode 0600, created at first use) holds random 256-bit keys
    by id with one KEK and one blind-index version current. Wrapping is
    AES-256-GCM under a KEK with associated data = canonical context + KEK id.
    Other processes' changes (rotations) are picked up when an id is missing.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._data = self._load_or_create()
        self._stamp = self._file_stamp()

    def current_kek_id(self) -> str:
        """Return the id of the KEK that new wraps use."""
        return str(self._current()["kek"]["current"])

    def kek_ids(self) -> list[str]:
        """Return the ids of every KEK still held (current and old)."""
        return sorted(self._current()["kek"]["keys"])

    def wrap(self, plaintext_key: bytes, *, context: Mapping[str, str]) -> WrappedKey:
        """Encrypt a data key under the current KEK.

        Args:
            plaintext_key: the 32-byte data key.
            context: ids binding the wrap to its owner (never PII).

        Returns:
            The wrap: KEK id, and nonce | ciphertext and tag as blob.
        """
        check_data_key(plaintext_key)
        kek_id = self.current_kek_id()
        aad = _wrap_aad(kek_id, check_context(context))
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self._material("kek", kek_id)).encrypt(nonce, plaintext_key, aad)
        return WrappedKey(kek_id, nonce + sealed)

    def unwrap(self, wrapped: WrappedKey, *, context: Mapping[str, str]) -> bytes:
        """Decrypt a wrapped data key with the KEK it names.

        Raises:
            DecryptionError: unknown or retired KEK, wrong context, or tampered blob.
        """
        aad = _wrap_aad(wrapped.kek_id, check_context(context))
        nonce, sealed = wrapped.blob[:NONCE_BYTES], wrapped.blob[NONCE_BYTES:]
        try:
            key = AESGCM(self._material("kek", wrapped.kek_id)).decrypt(nonce, sealed, aad)
        except (KeyError, InvalidTag, ValueError) as exc:
            raise DecryptionError() from exc
        if len(key) != DATA_KEY_BYTES:
            raise DecryptionError()
        return key

    def generate_data_key(self, context: Mapping[str, str]) -> tuple[bytes, WrappedKey]:
        """Return a fresh random data key and its wrap under the current KEK."""
        key = new_data_key()
        return key, self.wrap(key, context=context)

    def rotate_kek(self) -> str:
        """Add a new KEK and make it current; old KEKs stay for unwrapping. Return its id."""

        def change(data: dict[str, Any]) -> str:
            kek_id = _new_kek_id()
            data["kek"]["keys"][kek_id] = _entry()
            data["kek"]["current"] = kek_id
            return kek_id

        return self._mutate(change)

    def retire_kek(self, kek_id: str) -> None:
        """Destroy an old KEK; the caller first re-wraps every data key that uses it.

        Raises:
            ValueError: `kek_id` is current or unknown.
        """

        def change(data: dict[str, Any]) -> None:
            if kek_id == data["kek"]["current"] or kek_id not in data["kek"]["keys"]:
                raise ValueError("only a known, non-current KEK can be retired")
            del data["kek"]["keys"][kek_id]

        self._mutate(change)

    def current_blind_index_version(self) -> int:
        """Return the blind-index key version that new indexes use."""
        return int(self._current()["blind_index"]["current"])

    def blind_index_versions(self) -> list[int]:
        """Return every blind-index key version still held, current first."""
        current = self.current_blind_index_version()
        others = sorted((int(v) for v in self._current()["blind_index"]["keys"]), reverse=True)
        return [current, *(v for v in others if v != current)]

    def blind_index_key(self, version: int) -> bytes:
        """Return the 32-byte blind-index key of a version (never an encryption key).

        Raises:
            KeyError: unknown or retired version.
        """
        return self._material("blind_index", str(version))

    def add_blind_index_version(self) -> int:
        """Add a blind-index key version and make it current; return the version."""

        def change(data: dict[str, Any]) -> int:
            version = max(int(v) for v in data["blind_index"]["keys"]) + 1
            if version > _MAX_BLIND_INDEX_VERSION:
                raise ValueError("blind-index versions are exhausted (max 255)")
            data["blind_index"]["keys"][str(version)] = _entry()
            data["blind_index"]["current"] = version
            return version

        return self._mutate(change)

    def retire_blind_index_version(self, version: int) -> None:
        """Destroy an old blind-index key once every index was recomputed.

        Raises:
            ValueError: `version` is current or unknown.
        """

        def change(data: dict[str, Any]) -> None:
            keys = data["blind_index"]["keys"]
            if version == int(data["blind_index"]["current"]) or str(version) not in keys:
                raise ValueError("only a known, non-current blind-index version can be retired")
            del keys[str(version)]

        self._mutate(change)

    def secret(self, name: str) -> bytes:
        """Return a named 32-byte app secret (e.g. "csrf"), generating it at first use."""
        if not _SECRET_NAME.fullmatch(name):
            raise ValueError("secret names are lowercase letters, digits, '_', '.' or '-'")
        if name not in self._data["secrets"]:
            self.reload()
        if name not in self._data["secrets"]:
            self._mutate(lambda data: data["secrets"].setdefault(name, _entry()))
        return self._material("secrets", name)

    def reload(self) -> None:
        """Re-read the keyring file (another process may have rotated keys)."""
        with self._lock:
            self._stamp = self._file_stamp()
            self._data = _parse_keyring(read_private_file(self.path), self.path)

    def _current(self) -> dict[str, Any]:
        """Return the keyring, re-read first when another process replaced the file.

        A rotation run by `helio keys` in another process changes the current
        KEK or blind-index version; without this, a running app would keep
        wrapping under a KEK the rotation is about to retire.
        """
        if self._file_stamp() != self._stamp:
            self.reload()
        return self._data

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return info.st_ino, info.st_mtime_ns, info.st_size

    def _material(self, section: str, key_id: str) -> bytes:
        for attempt in range(2):
            data = self._data
            keys = data[section] if section == "secrets" else data[section]["keys"]
            if key_id in keys or attempt:
                return base64.b64decode(keys[key_id]["key"])
            self.reload()
        raise AssertionError("unreachable")

    def _load_or_create(self) -> dict[str, Any]:
        try:
            return _parse_keyring(read_private_file(self.path), self.path)
        except FileNotFoundError:
            pass
        with locked(self.path):
            try:
                return _parse_keyring(read_private_file(self.path), self.path)
            except FileNotFoundError:
                data = _new_keyring()
                write_private_file(self.path, _pretty(data), exclusive=True)
                return data

    def _mutate(self, change: Callable[[dict[str, Any]], _T]) -> _T:
        with self._lock, locked(self.path):
            data = _parse_keyring(read_private_file(self.path), self.path)
            result = change(data)
            write_private_file(self.path, _pretty(data), exclusive=False)
            self._data = data
            self._stamp = self._file_stamp()
            return result


def _pretty(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, indent=2).encode() + b"\n"


def _wrap_aad(kek_id: str, context: dict[str, str]) -> bytes:
    return canonical_json({"purpose": "helio/wrap/v1", "kek": kek_id, "context": context})
