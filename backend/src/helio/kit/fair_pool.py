"""A connection pool that serves waiting requests first come, first served.

SQLAlchemy's asyncio pool lets a newly arrived request take a connection that was
just returned for a request already waiting (the waiter is woken, but runs a moment
later and finds the queue empty again, then queues at the back). Under a steady
overload the same waiters lose again and again until the pool timeout turns them
into 503s after seconds, while later requests are served at once. Here a returned
connection is handed straight to the longest waiter, and nobody takes one from the
queue while anyone waits.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TypeVar

from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util import await_
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty

T = TypeVar("T")


class FairQueue(AsyncAdaptedQueue[T]):
    """The pool's queue of idle connections, with a line of waiters in arrival order."""

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        super().__init__(maxsize, use_lifo)
        self._waiters: deque[asyncio.Future[T]] = deque()

    def put_nowait(self, item: T) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(item)
                return
        super().put_nowait(item)

    def put(self, item: T, block: bool = True, timeout: float | None = None) -> None:
        self.put_nowait(item)

    def get(self, block: bool = True, timeout: float | None = None) -> T:
        if not self._waiters:
            try:
                return self.get_nowait()
            except Empty:
                if not block:
                    raise
        elif not block:
            raise Empty()
        return await_(self._wait_in_line(seconds=timeout))

    async def _wait_in_line(self, *, seconds: float | None) -> T:
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(seconds):
                return await asyncio.shield(waiter)
        except BaseException as error:
            if waiter.done() and not waiter.cancelled():
                # Handed a connection in the same moment this request gave up: pass it on.
                self.put_nowait(waiter.result())
            else:
                waiter.cancel()
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            if isinstance(error, TimeoutError):
                raise Empty() from error
            raise


class FairAsyncQueuePool(AsyncAdaptedQueuePool):
    """SQLAlchemy's asyncio queue pool with first-come, first-served waiting."""

    _queue_class = FairQueue[ConnectionPoolEntry]
