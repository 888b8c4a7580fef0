"""A reliable FIFO of text items: on Redis, nothing is lost when a worker dies.

The Redis variant is the "reliable queue" pattern (LMOVE into a processing
list): an item is moved to the processing list while it is worked on and
removed only once done; `recover` moves what a dead worker left behind back
to the head of the queue. Recovery is only safe while no other worker is busy,
so callers serialise workers (a lock in shared state). Items should be unique
(an id or a timestamp inside): `ack` removes one equal item. Without Redis
(the laptop default) the queue lives in this process and dies with it.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

import redis.asyncio as aioredis

from helio.state.shared import RedisState, SharedState


class ReliableQueue(Protocol):
    """A durable FIFO of text items with at-least-once processing."""

    async def push(self, item: str) -> None:
        """Queue an item."""
        ...

    async def claim(self) -> str | None:
        """Take the oldest item into processing; None when empty."""
        ...

    async def ack(self, item: str) -> None:
        """Forget a processed item."""
        ...

    async def recover(self) -> int:
        """Put items left in processing back in the queue; return how many."""
        ...

    async def size(self) -> int:
        """Return how many items wait."""
        ...

    async def pending(self) -> int:
        """Return how many items wait or are being processed."""
        ...


class RedisQueue:
    """The queue in two Redis lists, `<prefix>outbox` and `<prefix>processing`."""

    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self.client = client
        self.queue = prefix + "outbox"
        self.processing = prefix + "processing"

    async def push(self, item: str) -> None:
        """Queue an item."""
        await self.client.lpush(self.queue, item)  # type: ignore[misc]

    async def claim(self) -> str | None:
        """Take the oldest item into processing; None when empty."""
        item = await self.client.lmove(self.queue, self.processing, "RIGHT", "LEFT")
        return None if item is None else str(item)

    async def ack(self, item: str) -> None:
        """Forget a processed item."""
        await self.client.lrem(self.processing, 1, item)  # type: ignore[misc]

    async def recover(self) -> int:
        """Put items left in processing back at the head of the queue; return how many."""
        moved = 0
        while await self.client.lmove(self.processing, self.queue, "LEFT", "RIGHT") is not None:
            moved += 1
        return moved

    async def size(self) -> int:
        """Return how many items wait."""
        return int(await self.client.llen(self.queue))  # type: ignore[misc]

    async def pending(self) -> int:
        """Return how many items wait or are being processed."""
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.llen(self.queue)
            pipe.llen(self.processing)
            waiting, processing = await pipe.execute()
        return int(waiting) + int(processing)


class MemoryQueue:
    """The queue in this process (development without Redis)."""

    def __init__(self) -> None:
        self.queue: deque[str] = deque()
        self.processing: list[str] = []

    async def push(self, item: str) -> None:
        """Queue an item."""
        self.queue.append(item)

    async def claim(self) -> str | None:
        """Take the oldest item into processing; None when empty."""
        if not self.queue:
            return None
        item = self.queue.popleft()
        self.processing.append(item)
        return item

    async def ack(self, item: str) -> None:
        """Forget a processed item."""
        self.processing.remove(item)

    async def recover(self) -> int:
        """Put items left in processing back at the head of the queue; return how many."""
        moved = len(self.processing)
        self.queue.extendleft(reversed(self.processing))
        self.processing.clear()
        return moved

    async def size(self) -> int:
        """Return how many items wait."""
        return len(self.queue)

    async def pending(self) -> int:
        """Return how many items wait or are being processed."""
        return len(self.queue) + len(self.processing)


def queue_for(state: SharedState, name: str) -> ReliableQueue:
    """Return the queue `name` on the same backend as the shared state (keys under its prefix)."""
    if isinstance(state, RedisState):
        return RedisQueue(state.client, prefix=f"{state.prefix}{name}:")
    return MemoryQueue()
