"""The one source of "now", replaceable in tests to test expiry."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    """Wall clock in UTC; tests move it with `advance`."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> datetime:
        """Return the current UTC time (timezone-aware)."""
        return datetime.now(UTC) + timedelta(seconds=self._offset)

    def timestamp(self) -> float:
        """Return the current UNIX time in seconds."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move time forward (tests only)."""
        self._offset += seconds

    def reset(self) -> None:
        """Return to real time."""
        self._offset = 0.0


clock = Clock()


def utcnow() -> datetime:
    """Return the current UTC time, naive (as stored in DATETIME(6) columns)."""
    return clock.now().replace(tzinfo=None)
