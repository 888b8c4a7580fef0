"""Shared security state: counters and flags with expiry, plus rate limits.

Every replica of the API must see the same lockouts, rate limits and
revocations, so production keeps them in Redis. The in-process backend exists
only for the single-process laptop default (`make run` without Redis).
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

import redis.asyncio as aioredis
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter


class SharedState(Protocol):
    """Counters and flags with expiry, shared by every replica."""

    async def incr(self, key: str, ttl_seconds: int) -> int:
        """Add one to a counter; its expiry is set when it is created. Return the new value."""
        ...

    async def get(self, key: str) -> str | None:
        """Return the value of a key, or None."""
        ...

    async def get_many(self, *keys: str) -> list[str | None]:
        """Return the values of several keys in one round trip (None for each absent key)."""
        ...

    async def set(self, key: str, value: str, ttl_seconds: int | None = None) -> None:
        """Set a key, with an optional expiry."""
        ...

    async def set_if_absent(self, key: str, value: str, ttl_seconds: int) -> bool:
        """Set a key only if it does not exist; True when this call set it (replay guard)."""
        ...

    async def ttl(self, key: str) -> int:
        """Seconds until the key expires; 0 when absent or without expiry."""
        ...

    async def delete(self, *keys: str) -> None:
        """Remove keys."""
        ...

    async def ping(self) -> bool:
        """True when the backend answers."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class RedisState:
    """SharedState on Redis (production, CI, any multi-replica deployment)."""

    def __init__(self, url: str, *, prefix: str = "helio:") -> None:
        self.url = url
        self.prefix = prefix
        self.client: aioredis.Redis = aioredis.from_url(
            url, decode_responses=True, socket_connect_timeout=2, socket_timeout=2
        )

    def _k(self, key: str) -> str:
        return self.prefix + key

    async def incr(self, key: str, ttl_seconds: int) -> int:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(self._k(key))
            pipe.expire(self._k(key), ttl_seconds, nx=True)
            value, _ = await pipe.execute()
        return int(value)

    async def get(self, key: str) -> str | None:
        value = await self.client.get(self._k(key))
        return None if value is None else str(value)

    async def get_many(self, *keys: str) -> list[str | None]:
        values = await self.client.mget([self._k(k) for k in keys])
        return [None if value is None else str(value) for value in values]

    async def set(self, key: str, value: str, ttl_seconds: int | None = None) -> None:
        await self.client.set(self._k(key), value, ex=ttl_seconds)

    async def set_if_absent(self, key: str, value: str, ttl_seconds: int) -> bool:
        return bool(await self.client.set(self._k(key), value, ex=ttl_seconds, nx=True))

    async def ttl(self, key: str) -> int:
        remaining = int(await self.client.ttl(self._k(key)))
        return max(0, remaining)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self.client.delete(*(self._k(k) for k in keys))

    async def ping(self) -> bool:
        try:
            return bool(await self.client.ping())  # type: ignore[misc]
        except (aioredis.RedisError, OSError):
            return False

    async def close(self) -> None:
        await self.client.aclose()


class MemoryState:
    """SharedState in this process only: the laptop default, never production."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._lock = asyncio.Lock()

    def _live(self, key: str) -> tuple[str, float | None] | None:
        item = self._data.get(key)
        if item is not None and item[1] is not None and item[1] <= time.monotonic():
            del self._data[key]
            return None
        return item

    async def incr(self, key: str, ttl_seconds: int) -> int:
        async with self._lock:
            item = self._live(key)
            if item is None:
                self._data[key] = ("1", time.monotonic() + ttl_seconds)
                return 1
            value = int(item[0]) + 1
            self._data[key] = (str(value), item[1])
            return value

    async def get(self, key: str) -> str | None:
        item = self._live(key)
        return None if item is None else item[0]

    async def get_many(self, *keys: str) -> list[str | None]:
        found = [self._live(key) for key in keys]
        return [None if item is None else item[0] for item in found]

    async def set(self, key: str, value: str, ttl_seconds: int | None = None) -> None:
        expires = None if ttl_seconds is None else time.monotonic() + ttl_seconds
        self._data[key] = (value, expires)

    async def set_if_absent(self, key: str, value: str, ttl_seconds: int) -> bool:
        async with self._lock:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, time.monotonic() + ttl_seconds)
            return True

    async def ttl(self, key: str) -> int:
        item = self._live(key)
        if item is None or item[1] is None:
            return 0
        return max(0, int(item[1] - time.monotonic() + 0.999))

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._data.pop(key, None)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._data.clear()


class RateLimiter:
    """Moving-window rate limits (the `limits` library) on the same backend as SharedState."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)

    @classmethod
    def for_url(cls, redis_url: str | None) -> RateLimiter:
        """Build on Redis when a URL is given, else in process memory."""
        if redis_url:
            uri = redis_url.replace("redis://", "async+redis://", 1).replace(
                "rediss://", "async+rediss://", 1
            )
            return cls(RedisStorage(uri, implementation="redispy", key_prefix="helio-rl"))
        return cls(MemoryStorage())

    async def hit(self, rate: str, *identifiers: str) -> tuple[bool, int]:
        """Count one hit against a rate such as "5/minute".

        Returns:
            (allowed, retry_after_seconds); retry_after is 0 when allowed.
        """
        item: RateLimitItem = parse(rate)
        allowed = await self.strategy.hit(item, *identifiers)
        if allowed:
            return True, 0
        stats = await self.strategy.get_window_stats(item, *identifiers)
        return False, max(1, int(stats.reset_time - time.time() + 0.999))

    async def clear(self, rate: str, *identifiers: str) -> None:
        """Forget the hits counted for these identifiers."""
        await self.strategy.clear(parse(rate), *identifiers)


def make_state(redis_url: str | None) -> SharedState:
    """Return Redis-backed state when a URL is configured, else in-process state."""
    return RedisState(redis_url) if redis_url else MemoryState()
