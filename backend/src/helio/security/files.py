"""Private key files: read only when owned and mode 0600, written atomically, locked."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_MAX_KEY_FILE_BYTES = 1 << 20


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
