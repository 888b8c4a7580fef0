"""The job queue's shared parts: the SAQ queue on Redis, the job outbox, the dead letters.

Low in the layers so that any code may queue a job (mail, alerts) and the ops
routes may show dead letters; what runs jobs is `helio.worker` (the `helio
worker` process).

`enqueue_in(session, ...)` adds a row to `job_outbox` in the caller's
transaction: if that transaction rolls back, the row never existed and no job
runs. The worker's relay moves committed rows into the queue under their key.

Dead letters are jobs that failed every attempt, kept in a Redis hash. An entry
shows the job's key, function, attempts, the error's type and when it failed,
never its arguments (a mail's recipient is personal data), which are stored
only to send it again.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import redis.asyncio as aioredis
from saq import Job, Queue
from sqlalchemy.ext.asyncio import AsyncSession

from helio.models.job_outbox import JobOutbox

QUEUE_NAME = "helio"
DEAD_KEY = "helio:worker:dead"
# A dead letter sent again runs under `<key>~retry<n>`; its idempotency key stays <key>.
RETRY_MARK = "~retry"
HEARTBEAT_SECONDS = 30


@dataclass(frozen=True, slots=True)
class Retrying:
    """How a job is retried: attempts in all, first delay (doubling, with jitter), cap, timeout."""

    retries: int = 5
    retry_delay: float = 2.0
    max_delay: float = 600.0
    timeout: int = 120


def build_queue(redis_url: str) -> Queue:
    """Return the job queue on this Redis (connect it before use)."""
    return Queue.from_url(redis_url, name=QUEUE_NAME)


def base_key(job_key: str) -> str:
    """Return the idempotency key of a job key (a retried dead letter shares its original's)."""
    return job_key.split(RETRY_MARK, 1)[0]


def new_key(function: str) -> str:
    """Return a fresh job key for `function` (when the caller has no natural key)."""
    return f"{function}:{secrets.token_hex(12)}"


def enqueue_in(
    session: AsyncSession,
    function: str,
    kwargs: Mapping[str, Any],
    *,
    key: str | None = None,
) -> str:
    """Write a job into the session's transaction; return its key.

    `key` is the job's idempotency key: two rows with one key are one job.
    """
    job_key = key or new_key(function)
    session.add(JobOutbox(job_key=job_key, function=function, kwargs=dict(kwargs)))
    return job_key


async def enqueue(
    queue: Queue,
    function: str,
    retrying: Retrying,
    *,
    key: str,
    kwargs: Mapping[str, Any],
    heartbeat: int = HEARTBEAT_SECONDS,
) -> bool:
    """Queue one run of `function`; False when a job with this key is already queued or running.

    A running job is touched every third of `heartbeat`; one not touched for that long
    (its worker was killed) is queued again by the next sweep of any worker.
    """
    job = Job(
        function=function,
        kwargs=dict(kwargs),
        key=key,
        retries=retrying.retries,
        retry_delay=retrying.retry_delay,
        retry_backoff=retrying.max_delay,
        timeout=retrying.timeout,
        heartbeat=heartbeat,
        ttl=-1,  # forgotten once finished (a mail holds personal data); `done` keys dedupe
    )
    return await queue.enqueue(job) is not None


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One job given up on."""

    key: str
    function: str
    attempts: int
    error: str  # the exception's type name
    failed_at: float  # epoch seconds


class DeadLetters:
    """The dead-letter hash in Redis (field: job key, value: JSON)."""

    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client

    @classmethod
    def from_url(cls, url: str) -> DeadLetters:
        """Return the dead-letter list on this Redis."""
        return cls(
            aioredis.from_url(
                url, decode_responses=True, socket_connect_timeout=2, socket_timeout=2
            )
        )

    async def add(
        self,
        *,
        key: str,
        function: str,
        kwargs: dict[str, Any],
        retrying: Retrying,
        attempts: int,
        error: str,
    ) -> None:
        """Record a job that failed its last attempt."""
        entry = {
            "function": function,
            "kwargs": kwargs,
            "retrying": asdict(retrying),
            "attempts": attempts,
            "error": error,
            "failed_at": time.time(),
        }
        await self.client.hset(DEAD_KEY, key, json.dumps(entry))  # type: ignore[misc]

    async def list(self, limit: int = 100) -> list[DeadLetter]:
        """Return the dead letters, newest first (at most `limit`)."""
        raw: dict[str, str] = await self.client.hgetall(DEAD_KEY)  # type: ignore[misc]
        letters = [_letter(key, json.loads(value)) for key, value in raw.items()]
        letters.sort(key=lambda letter: letter.failed_at, reverse=True)
        return letters[:limit]

    async def count(self) -> int:
        """Return how many jobs are dead-lettered."""
        return int(await self.client.hlen(DEAD_KEY))  # type: ignore[misc]

    async def retry(self, queue: Queue, key: str) -> str | None:
        """Send a dead letter again under a new key; return that key, or None when unknown."""
        value: str | None = await self.client.hget(DEAD_KEY, key)  # type: ignore[misc]
        if value is None:
            return None
        entry = json.loads(value)
        count = await self.client.hincrby(DEAD_KEY + ":retries", base_key(key), 1)  # type: ignore[misc]
        new = f"{base_key(key)}{RETRY_MARK}{int(count)}"
        retrying = Retrying(**entry["retrying"])
        await enqueue(queue, str(entry["function"]), retrying, key=new, kwargs=entry["kwargs"])
        await self.client.hdel(DEAD_KEY, key)  # type: ignore[misc]
        return new

    async def close(self) -> None:
        """Release the connection."""
        await self.client.aclose()


def _letter(key: str, entry: dict[str, Any]) -> DeadLetter:
    return DeadLetter(
        key=key,
        function=str(entry["function"]),
        attempts=int(entry["attempts"]),
        error=str(entry["error"]),
        failed_at=float(entry["failed_at"]),
    )
