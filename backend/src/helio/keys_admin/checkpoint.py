"""Progress checkpoints of key rotations: one small private JSON file per rotation kind.

A rotation is correct from the database state alone (rows still under the old
key are found again), so a lost checkpoint only costs repeated work. What the
checkpoint adds is the run's target — the KEK id, blind-index version or run
start that a restart must keep instead of starting another rotation — and the
cursor, so a restart skips the rows already done.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from helio.security.files import read_private_file, write_private_file

_KIND = re.compile(r"[a-z][a-z0-9_-]{0,31}")


class RotationBusy(RuntimeError):
    """Another process is running a rotation of the same kind."""


class CheckpointStore:
    """Load, save and clear the checkpoint of each rotation kind under one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def load(self, kind: str) -> dict[str, Any] | None:
        """Return the saved checkpoint of a rotation kind, or None."""
        try:
            data = json.loads(read_private_file(self._path(kind)))
        except FileNotFoundError:
            return None
        return data if isinstance(data, dict) else None

    def save(self, kind: str, state: dict[str, Any]) -> None:
        """Write the checkpoint atomically (mode 0600)."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        payload = json.dumps(state, sort_keys=True, indent=2).encode() + b"\n"
        write_private_file(self._path(kind), payload, exclusive=False)

    def clear(self, kind: str) -> None:
        """Forget the checkpoint of a finished rotation."""
        self._path(kind).unlink(missing_ok=True)

    def pending(self) -> dict[str, dict[str, Any]]:
        """Return every saved checkpoint by kind (rotations that did not finish)."""
        if not self.directory.is_dir():
            return {}
        found = {}
        for path in sorted(self.directory.glob("*.json")):
            state = self.load(path.stem)
            if state is not None:
                found[path.stem] = state
        return found

    @contextmanager
    def exclusive(self, kind: str) -> Iterator[None]:
        """Hold the run lock of a rotation kind for this process.

        Raises:
            RotationBusy: another process holds it.
        """
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock_path = self._path(kind).with_suffix(".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise RotationBusy(f"a {kind} rotation is already running") from exc
            yield
        finally:
            os.close(fd)

    def _path(self, kind: str) -> Path:
        if not _KIND.fullmatch(kind):
            raise ValueError("rotation kinds are lowercase letters, digits, '_' or '-'")
        return self.directory / f"{kind}.json"
