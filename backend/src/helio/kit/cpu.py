"""A bounded worker pool for CPU-heavy work, so the event loop never runs it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

import anyio
import anyio.to_thread

from helio.errors import RateLimited

T = TypeVar("T")
Args = TypeVarTuple("Args")


class PoolBusy(RateLimited):
    """Every worker is busy and the waiting line is full."""

    def __init__(self) -> None:
        super().__init__(2, "The quote engine is busy; try again in a moment.", code="engine_busy")


class CpuPool:
    """At most `workers` jobs run at once in threads; at most `max_waiting` wait for one."""

    def __init__(self, *, workers: int, max_waiting: int) -> None:
        self.limiter = anyio.CapacityLimiter(workers)
        self.max_waiting = max_waiting

    async def run(self, work: Callable[[*Args], T], *args: *Args) -> T:
        """Run `work(*args)` in a worker thread.

        Raises:
            PoolBusy: `max_waiting` callers already wait for a worker (429, Retry-After).
        """
        stats = self.limiter.statistics()
        if stats.borrowed_tokens >= stats.total_tokens and stats.tasks_waiting >= self.max_waiting:
            raise PoolBusy
        return await anyio.to_thread.run_sync(work, *args, limiter=self.limiter)
