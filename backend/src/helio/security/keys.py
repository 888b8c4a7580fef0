"""Key providers: key-encryption keys (KEKs) that wrap per-owner data keys.

Two providers implement `KeyProvider`: `LocalKeyProvider`, a keyring file for the
laptop default, and `AwsKmsKeyProvider` for production. Every wrap records the
id of the KEK that made it, so old and new KEKs coexist during a rotation, and
binds a context (like KMS EncryptionContext) so a wrapped key moved to another
owner does not unwrap.

All provider calls are synchronous and the KMS one does network I/O: async code
runs them in a worker thread, with `asyncio.to_thread` or the `*_async` helpers
below, never directly on the event loop.

The keyring file also owns the blind-index keys and named application secrets
(e.g. the HMAC secret for CSRF tokens), generated at first run, never in code.
"""

from __future__ import annotations

import asyncio
import base64
import fcntl
import json
import os
import re
import secrets
import stat
import struct
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from helio.errors import ServiceUnavailable
from helio.kit.clock import clock
from helio.security.crypto import DATA_KEY_BYTES, NONCE_BYTES, DecryptionError, new_data_key

_WRAP_FORMAT = 1
_WRAP_HEADER = struct.Struct(">BH")
_DECRYPT_FAILURES = frozenset({"InvalidCiphertextException", "IncorrectKeyException"})
_KEYRING_FORMAT = "helio-keyring/1"
_MAX_KEY_FILE_BYTES = 1 << 20
_MAX_BLIND_INDEX_VERSION = 255
_SECRET_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,63}")
_T = TypeVar("_T")


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


def _check_context(context: Mapping[str, str]) -> dict[str, str]:
    if not context:
        raise ValueError("a wrap context is required (e.g. data_key_context(owner, gen))")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in context.items()):
        raise TypeError("wrap context keys and values must be strings")
    return dict(context)


def _check_data_key(plaintext_key: bytes) -> None:
    if len(plaintext_key) != DATA_KEY_BYTES:
        raise ValueError("data keys are 256-bit (32 bytes)")


class KeyringError(RuntimeError):
    """The keyring file is unsafe or corrupt; the application must not start with it."""


def canonical_json(value: object) -> bytes:
    """Encode JSON canonically (sorted keys, no spaces, ASCII) for use as associated data."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def read_private_file(path: Path) -> bytes:
    """Read a regular file only if we own it and group/others have no access.

    Raises:
        FileNotFoundError: the file does not exist.
        KeyringError: it is a symlink, not a regular file, too open, or not ours.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise KeyringError(f"cannot open key file {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())  # fstat on the open fd: no check-then-use race
        if not stat.S_ISREG(info.st_mode):
            raise KeyringError(f"key file {path} is not a regular file")
        if info.st_mode & 0o077:
            mode = oct(stat.S_IMODE(info.st_mode))
            raise KeyringError(
                f"key file {path} is accessible by group or others (mode {mode}); "
                f"refusing to use it. Restrict it with: chmod 600 {path}"
            )
        if info.st_uid != os.geteuid():
            raise KeyringError(f"key file {path} is not owned by the user running Helio")
        data = handle.read(_MAX_KEY_FILE_BYTES + 1)
    if len(data) > _MAX_KEY_FILE_BYTES:
        raise KeyringError(f"key file {path} is too large")
    return data


def write_private_file(path: Path, data: bytes, *, exclusive: bool) -> None:
    """Write a mode-0600 file atomically; with `exclusive`, never replace an existing one.

    Raises:
        FileExistsError: `exclusive` and the file already exists.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, path)  # unlike rename, link fails when the target exists
        else:
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on `<path>.lock` so processes write one at a time."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


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
        _check_data_key(plaintext_key)
        kek_id = self.current_kek_id()
        aad = _wrap_aad(kek_id, _check_context(context))
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self._material("kek", kek_id)).encrypt(nonce, plaintext_key, aad)
        return WrappedKey(kek_id, nonce + sealed)

    def unwrap(self, wrapped: WrappedKey, *, context: Mapping[str, str]) -> bytes:
        """Decrypt a wrapped data key with the KEK it names.

        Raises:
            DecryptionError: unknown or retired KEK, wrong context, or tampered blob.
        """
        aad = _wrap_aad(wrapped.kek_id, _check_context(context))
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


class AwsKmsKeyProvider:
    """KEKs in AWS KMS: encrypt/decrypt/generate_data_key with an EncryptionContext.

    Wraps record the key ARN KMS answers with, so a KEK change (a new key id in
    settings) leaves old wraps readable while the old key stays enabled. Calls
    block on the network: run them with `asyncio.to_thread`.
    """

    def __init__(self, client: Any, key_id: str) -> None:
        if not key_id:
            raise ValueError("a KMS key id is required")
        self._client = client
        self._key_id = key_id
        self._key_arn: str | None = None

    @classmethod
    def from_settings(cls, region: str, key_id: str) -> AwsKmsKeyProvider:
        """Build a provider on a real boto3 KMS client with bounded timeouts and retries."""
        import boto3
        from botocore.config import Config

        config = Config(
            connect_timeout=2, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"}
        )
        return cls(boto3.client("kms", region_name=region, config=config), key_id)

    def current_kek_id(self) -> str:
        """Return the ARN of the configured key (resolved once with DescribeKey)."""
        if self._key_arn is None:
            meta = self._call("describe_key", KeyId=self._key_id)["KeyMetadata"]
            self._key_arn = str(meta["Arn"])
        return self._key_arn

    def wrap(self, plaintext_key: bytes, *, context: Mapping[str, str]) -> WrappedKey:
        """Encrypt a data key with KMS Encrypt under the configured key.

        Raises:
            KeyServiceUnavailable: KMS failed, throttled, or the key is disabled.
        """
        _check_data_key(plaintext_key)
        response = self._call(
            "encrypt",
            KeyId=self._key_id,
            Plaintext=plaintext_key,
            EncryptionContext=_check_context(context),
        )
        return WrappedKey(str(response["KeyId"]), bytes(response["CiphertextBlob"]))

    def unwrap(self, wrapped: WrappedKey, *, context: Mapping[str, str]) -> bytes:
        """Decrypt a wrapped data key with KMS Decrypt, pinned to the key it names.

        Raises:
            DecryptionError: wrong context, tampered blob, or another key's blob.
            KeyServiceUnavailable: KMS failed, throttled, or the key is disabled.
        """
        response = self._call(
            "decrypt",
            CiphertextBlob=wrapped.blob,
            KeyId=wrapped.kek_id,
            EncryptionContext=_check_context(context),
            EncryptionAlgorithm="SYMMETRIC_DEFAULT",
        )
        key = bytes(response["Plaintext"])
        if len(key) != DATA_KEY_BYTES:
            raise DecryptionError()
        return key

    def generate_data_key(self, context: Mapping[str, str]) -> tuple[bytes, WrappedKey]:
        """Return a fresh AES-256 data key and its wrap from KMS GenerateDataKey."""
        response = self._call(
            "generate_data_key",
            KeyId=self._key_id,
            KeySpec="AES_256",
            EncryptionContext=_check_context(context),
        )
        key = bytes(response["Plaintext"])
        _check_data_key(key)
        return key, WrappedKey(str(response["KeyId"]), bytes(response["CiphertextBlob"]))

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self._client, operation)(**params)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in _DECRYPT_FAILURES:
                raise DecryptionError() from exc
            raise KeyServiceUnavailable() from exc
        except ParamValidationError:
            raise  # our bug, not an outage: let it surface
        except BotoCoreError as exc:
            raise KeyServiceUnavailable() from exc
        return response


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


def build_key_provider(
    kind: str,
    *,
    keyring_path: Path,
    kms_key_id: str | None,
    region: str | None,
    use_standin: bool,
) -> KeyProvider:
    """Build the configured key provider (`local` or `aws-kms`).

    With `use_standin`, `aws-kms` runs against the in-process KMS stand-in whose
    keys persist next to the keyring (for demos where AWS cannot be reached).

    Raises:
        ValueError: unknown kind, or `aws-kms` without key id and region.
    """
    if kind == "local":
        return LocalKeyProvider(keyring_path)
    if kind != "aws-kms":
        raise ValueError(f"unknown key provider {kind!r}; expected 'local' or 'aws-kms'")
    if use_standin:
        # Imported here so production never loads the stand-in module.
        from helio.security.kms_standin import STANDIN_ALIAS, FakeKmsClient

        state = keyring_path.with_name(keyring_path.name + ".kms-standin")
        client = FakeKmsClient(state_path=state, region=region or "eu-west-1")
        key_id = kms_key_id or STANDIN_ALIAS
        if key_id.startswith("alias/"):
            client.ensure_alias(key_id)
        return AwsKmsKeyProvider(client, key_id)
    if not kms_key_id or not region:
        raise ValueError("aws-kms needs HELIO_KMS_KEY_ID and HELIO_KMS_REGION")
    return AwsKmsKeyProvider.from_settings(region, kms_key_id)
