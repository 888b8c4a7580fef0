"""Where uploaded documents are kept: one interface, a local directory or an S3 bucket.

Names in the store are random (`new_storage_key`), never derived from an upload, and
the local directory lives under `HELIO_DATA_DIR`, outside anything the web server serves.
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path
from typing import Any, Protocol

from helio.errors import AppError

_KEY_LENGTH = 32  # bytes of randomness: 64 hex digits


class StorageFull(AppError):
    """The store has no room left (ENOSPC or the bucket refused): nothing was kept."""

    status, code = 507, "storage_full"
    message = "The document store is full; try again later."


class StoredFileMissing(AppError):
    status, code, message = 404, "not_found", "Not found."


def new_storage_key() -> str:
    """Return a random name for a stored file (hex only: no path, no extension)."""
    return secrets.token_hex(_KEY_LENGTH)


def _checked(key: str) -> str:
    if len(key) != 2 * _KEY_LENGTH or any(c not in "0123456789abcdef" for c in key):
        raise ValueError("not a storage key")
    return key


class DocumentStore(Protocol):
    """Keeps files under random names. Blocking calls: run them in a worker thread."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key` whole, or not at all.

        Raises:
            StorageFull: no room; nothing is left behind.
        """

    def get(self, key: str) -> bytes:
        """Return the bytes stored under `key`.

        Raises:
            StoredFileMissing: nothing is stored under `key`.
        """

    def delete(self, key: str) -> None:
        """Remove `key` (no error when it is already gone)."""


class LocalDirectoryStore:
    """Files in one private directory (mode 0700, files 0600), written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes) -> None:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = self._path(key)
        partial = self.root / f".{key}.part"
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, final)
        except OSError as error:
            partial.unlink(missing_ok=True)
            if error.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFull from None
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StoredFileMissing from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Store:
    """Objects in one S3 bucket through a boto3 S3 client (server-side encrypted)."""

    def __init__(self, client: Any, bucket: str, *, prefix: str = "documents/") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _name(self, key: str) -> str:
        return self.prefix + _checked(key)

    def put(self, key: str, data: bytes) -> None:
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._name(key),
                Body=data,
                ContentType="application/octet-stream",
                ServerSideEncryption="AES256",
            )
        except self.client.exceptions.ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in {"QuotaExceeded", "EntityTooLarge", "InsufficientStorage"}:
                raise StorageFull from None
            raise

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client.exceptions.NoSuchKey:
            raise StoredFileMissing from None
        body: bytes = response["Body"].read()
        return body

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
