"""The outbox: mail is queued after commit and delivered in the background.

Requests never wait for SMTP: the answer to "forgot password" must take the
same time whether a mail goes out or not, and a slow relay must not slow
sign-in. With Redis (production, CI) the queue is the reliable queue of
`helio.kit.reliable_queue` under `helio:mail:`: a message is pushed before the
request answers, moved to a processing list while it is delivered and removed
only afterwards, so a crash between commit and delivery loses nothing; the
next drainer (any process) puts what a dead one left back in the queue. One
drainer at a time across processes (a lock in shared state, renewed before
each attempt) keeps that recovery safe. Delivery is at least once: a crash
after the relay accepted a message but before it was removed sends it again.
While the relay cannot be reached (refused, reset, timed out) a message stays
queued and is tried again every `relay_retry_seconds` until the relay returns.
Without Redis (the laptop default) the queue lives in this process and a crash
loses what it holds. A message the relay answers with an error is retried with
backoff, then given up and logged (without the recipient).
"""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import secrets
from email.message import EmailMessage

from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from helio.config import Settings
from helio.db import after_commit
from helio.logging import get_logger
from helio.mail.config import smtp_config
from helio.mail.transport import MemoryTransport, SmtpTransport, Transport
from helio.state.queue import MemoryQueue, RedisQueue, ReliableQueue, queue_for
from helio.state.shared import SharedState

QUEUE_NAME = "mail"
LOCK_KEY = "mail:drain-lock"
# Renewed before each attempt, so it must outlast one (aiosmtplib's timeout is
# per SMTP command, a slow relay can take several); a dead drainer's lock frees
# within this time, which bounds how late its messages go out.
LOCK_SECONDS = 120
# Pause between rounds while the relay cannot be reached; the message waits in the queue.
RELAY_RETRY_SECONDS = 5.0
log = get_logger("mail")


def encode(message: EmailMessage) -> str:
    """Return a message as queue text (base64 of its bytes)."""
    return base64.b64encode(message.as_bytes()).decode("ascii")


def decode(item: str) -> EmailMessage:
    """Return the message of queue text.

    Raises:
        ValueError: the text is not base64 of a message.
    """
    parsed = email.message_from_bytes(
        base64.b64decode(item, validate=True), policy=email.policy.default
    )
    if not isinstance(parsed, EmailMessage):
        raise ValueError("not a message")
    return parsed


class Outbox:
    """A queue of messages and one drainer task per process that delivers them."""

    def __init__(
        self,
        transport: Transport,
        *,
        attempts: int = 3,
        backoff_seconds: float = 0.5,
        queue: ReliableQueue | None = None,
        lock: SharedState | None = None,
        poll_seconds: float = 1.0,
        relay_retry_seconds: float = RELAY_RETRY_SECONDS,
    ) -> None:
        self.transport = transport
        self.relay_retry_seconds = relay_retry_seconds
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.queue: ReliableQueue = queue if queue is not None else MemoryQueue()
        self.lock = lock  # None: the queue is this process's own, no other drainer exists
        self.poll_seconds = poll_seconds
        self._worker: asyncio.Task[None] | None = None
        self._pushes: set[asyncio.Task[None]] = set()
        self._wanted = False

    async def enqueue(self, message: EmailMessage) -> None:
        """Queue a message durably and make sure a drainer runs."""
        await self.queue.push(encode(message))
        self._kick()

    def submit(self, message: EmailMessage) -> None:
        """Queue a message from synchronous code (the push runs as a task)."""
        task = asyncio.get_running_loop().create_task(_enqueue_logged(self, message))
        self._pushes.add(task)
        task.add_done_callback(self._pushes.discard)

    async def drain(self) -> None:
        """Wait until every queued message (and any a crashed drainer left) was handled."""
        while self._pushes:
            await asyncio.wait(set(self._pushes))
        await asyncio.wait({self._kick()})  # unlike awaiting the task, never cancels it

    async def close(self, grace_seconds: float = 10.0) -> None:
        """Deliver what is queued (for at most `grace_seconds`), then stop the drainer.

        A message cut off mid-delivery stays in Redis for the next drainer.
        """
        try:
            await asyncio.wait_for(self.drain(), grace_seconds)
        finally:
            if self._worker is not None:
                self._worker.cancel()
                await asyncio.wait({self._worker})

    def _kick(self) -> asyncio.Task[None]:
        self._wanted = True
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._run())
            self._worker.add_done_callback(_log_crash)
        return self._worker

    async def _run(self) -> None:
        while True:
            # A push during the check below sets `_wanted` again: look once more.
            self._wanted = False
            if await self.queue.pending() == 0 and not self._wanted:
                return
            token = secrets.token_hex(8)
            if not await self._acquire(token):
                await asyncio.sleep(self.poll_seconds)  # another drainer, or a dead one's lock
                continue
            unreachable = False
            try:
                await self.queue.recover()  # left over by a drainer that died mid-delivery
                while (item := await self.queue.claim()) is not None:
                    if not await self._deliver(item, token):
                        unreachable = True  # it stays in processing; the next round recovers it
                        break
                    await self.queue.ack(item)
            finally:
                await self._release(token)
            if unreachable:
                await asyncio.sleep(self.relay_retry_seconds)

    async def _deliver(self, item: str, token: str) -> bool:
        """Deliver one item; False when the relay could not be reached (keep the item)."""
        try:
            message = decode(item)
        except ValueError:
            log.error("mail_unreadable")
            return True
        for attempt in range(1, self.attempts + 1):
            await self._hold(token)
            try:
                await self.transport.deliver(message)
                return True
            except OSError as exc:  # refused, reset, timed out, TLS: the relay is not there
                if attempt == self.attempts:
                    log.warning("mail_relay_unreachable", error=type(exc).__name__)
                    return False
            except Exception as exc:  # the relay answered with an error: retry, then log
                if attempt == self.attempts:
                    log.warning(
                        "mail_failed", subject=str(message["Subject"]), error=type(exc).__name__
                    )
                    return True
            await asyncio.sleep(self.backoff_seconds * 4 ** (attempt - 1))
        return True

    async def _acquire(self, token: str) -> bool:
        return self.lock is None or await self.lock.set_if_absent(LOCK_KEY, token, LOCK_SECONDS)

    async def _hold(self, token: str) -> None:
        if self.lock is not None:
            await self.lock.set(LOCK_KEY, token, LOCK_SECONDS)

    async def _release(self, token: str) -> None:
        if self.lock is not None and await self.lock.get(LOCK_KEY) == token:
            await self.lock.delete(LOCK_KEY)


async def _enqueue_logged(outbox: Outbox, message: EmailMessage) -> None:
    try:
        await outbox.enqueue(message)
    except (RedisError, OSError) as exc:
        # The transaction has committed: failing the request would not bring the mail back.
        log.error("mail_queue_failed", subject=str(message["Subject"]), error=type(exc).__name__)


def _log_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("mail_drainer_crashed", error=type(task.exception()).__name__)


def build_outbox(
    settings: Settings,
    state: SharedState,
    transport: Transport | None = None,
    *,
    attempts: int = 3,
    backoff_seconds: float = 0.5,
    poll_seconds: float = 1.0,
) -> Outbox:
    """Return an outbox on the shared state's backend (Redis when configured).

    `transport` defaults to the settings' SMTP server (memory when none is set).
    """
    if transport is None:
        config = smtp_config(settings)
        transport = SmtpTransport(config) if config else MemoryTransport()
    queue = queue_for(state, QUEUE_NAME)
    return Outbox(
        transport,
        attempts=attempts,
        backoff_seconds=backoff_seconds,
        queue=queue,
        lock=state if isinstance(queue, RedisQueue) else None,
        poll_seconds=poll_seconds,
    )


def send_after_commit(session: AsyncSession, outbox: Outbox, message: EmailMessage) -> None:
    """Queue a message once the session's transaction has committed (never for a rollback)."""

    async def enqueue() -> None:
        await _enqueue_logged(outbox, message)

    after_commit(session, enqueue)


def send_now(outbox: Outbox, message: EmailMessage) -> None:
    """Queue a message at once (for notices about failures whose transaction rolls back)."""
    outbox.submit(message)
