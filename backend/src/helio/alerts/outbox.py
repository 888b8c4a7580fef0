"""The alert outbox: fired alerts wait here until every sink has been tried.

On Redis the outbox survives a crash: an item is moved to a processing list
while it is delivered and removed only afterwards; the next drainer moves what
a dead one left behind back to the queue. One drainer at a time (a lock in
shared state) keeps delivery in order and the recovery safe. Without Redis
(the laptop default) the queue lives in this process.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

import redis.asyncio as aioredis

from helio.security.state import RedisState, SharedState


class Outbox(Protocol):
    """A durable FIFO of serialised alerts."""

    async def push(self, item: str) -> None:
        """Queue an item."""
        ...

    async def claim(self) -> str | None:
        """Take the oldest item into processing; None when empty."""
        ...

    async def ack(self, item: str) -> None:
        """Forget a delivered item."""
        ...

    async def recover(self) -> int:
        """Put items left in processing back in the queue; return how many."""
        ...

    async def size(self) -> int:
        """Return how many items wait."""
        ...


class RedisOutbox:
    """The outbox in two Redis lists."""

    def __init__(self, client: aioredis.Redis, prefix: str = "helio:alerts:") -> None:
        self.client = client
        self.queue = prefix + "outbox"
        self.processing = prefix + "processing"

    async def push(self, item: str) -> None:
        await self.client.lpush(self.queue, item)

    async def claim(self) -> str | None:
        item = await self.client.lmove(self.queue, self.processing, "RIGHT", "LEFT")
        return None if item is None else str(item)

    async def ack(self, item: str) -> None:
        await self.client.lrem(self.processing, 1, item)

    async def recover(self) -> int:
        moved = 0
        while await self.client.lmove(self.processing, self.queue, "LEFT", "RIGHT") is not None:
            moved += 1
        return moved

    async def size(self) -> int:
        return int(await self.client.llen(self.queue))


class MemoryOutbox:
    """The outbox in this process (development without Redis)."""

    def __init__(self) -> None:
        self.queue: deque[str] = deque()
        self.processing: list[str] = []

    async def push(self, item: str) -> None:
        self.queue.append(item)

    async def claim(self) -> str | None:
        if not self.queue:
            return None
        item = self.queue.popleft()
        self.processing.append(item)
        return item

    async def ack(self, item: str) -> None:
        self.processing.remove(item)

    async def recover(self) -> int:
        moved = len(self.processing)
        self.queue.extendleft(reversed(self.processing))
        self.processing.clear()
        return moved

    async def size(self) -> int:
        return len(self.queue)


def outbox_for(state: SharedState) -> Outbox:
    """Return the outbox on the same backend as the shared state."""
    if isinstance(state, RedisState):
        return RedisOutbox(state.client, prefix=state.prefix + "alerts:")
    return MemoryOutbox()
