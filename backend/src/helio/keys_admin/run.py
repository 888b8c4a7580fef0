"""What every rotation shares: options, progress, the report and the per-batch checkpoint."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from helio.keys_admin.checkpoint import CheckpointStore
from helio.platform.app import App
from helio.security.keys.local import LocalKeyProvider


class RotationError(RuntimeError):
    """A rotation cannot start or continue (its checkpoint stays for a restart)."""


class Progress(Protocol):
    """Receives the amount of work and its advance (a rich progress bar in the CLI)."""

    def start(self, total: int) -> None:
        """Announce how many items the rotation will visit."""
        ...

    def advance(self, count: int) -> None:
        """Announce that `count` more items were visited."""
        ...


class NullProgress:
    """Progress that shows nothing."""

    def start(self, total: int) -> None:
        """Ignore the total."""

    def advance(self, count: int) -> None:
        """Ignore the advance."""


# Called with the batch number after each committed batch; tests raise from it
# to stop a rotation half-way, as a crash would.
AfterBatch = Callable[[int], None]


@dataclass
class RotationOptions:
    """How a rotation runs: batch size, progress display, checkpoint place and test hook."""

    batch_size: int = 500
    # Owners re-encrypted side by side by `rotate_data_keys`, each in its own transaction.
    concurrency: int = 4
    progress: Progress = field(default_factory=NullProgress)
    after_batch: AfterBatch | None = None
    checkpoints: CheckpointStore | None = None

    def store(self, app: App) -> CheckpointStore:
        """Return the checkpoint store (default: `<data dir>/rotations`)."""
        if self.checkpoints is None:
            self.checkpoints = checkpoint_store(app)
        return self.checkpoints


def checkpoint_store(app: App) -> CheckpointStore:
    """Return the default checkpoint store of a deployment."""
    return CheckpointStore(app.settings.data_dir / "rotations")


@dataclass
class RotationReport:
    """What a rotation did."""

    kind: str
    target: str
    processed: int = 0
    skipped: int = 0
    batches: int = 0
    resumed: bool = False
    retired: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    started: float = field(default_factory=time.monotonic, repr=False)

    def finish(self) -> RotationReport:
        """Stamp the elapsed time and return the report."""
        self.seconds = round(time.monotonic() - self.started, 3)
        return self


class BatchRecorder:
    """Counts a batch, saves the checkpoint, moves the progress bar, then runs the hook."""

    def __init__(
        self,
        kind: str,
        state: dict[str, Any],
        report: RotationReport,
        options: RotationOptions,
        store: CheckpointStore,
    ) -> None:
        self.kind, self.state, self.report = kind, state, report
        self.options, self.store = options, store

    def record(self, processed: int, skipped: int, **cursor: Any) -> None:
        """Record a committed batch and where the next one starts."""
        report = self.report
        report.batches += 1
        report.processed += processed
        report.skipped += skipped
        self.state.update(cursor, done=int(self.state.get("done", 0)) + processed)
        self.store.save(self.kind, self.state)
        self.options.progress.advance(processed + skipped)
        if self.options.after_batch is not None:
            self.options.after_batch(report.batches)


def reload_keyrings(app: App) -> None:
    """Re-read local keyring files that another process may have changed."""
    for provider in {id(p): p for p in (app.keys, app.keyring)}.values():
        if isinstance(provider, LocalKeyProvider):
            provider.reload()
