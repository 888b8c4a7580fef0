"""The outbox: mail is handed over after commit and delivered in the background.

Requests never wait for SMTP: the answer to "forgot password" must take the
same time whether a mail goes out or not, and a slow relay must not slow
sign-in. Delivery is retried a few times, then logged (without the recipient).
This is the in-process mode; the job-queue issue replaces it with a Redis
queue so that a crash between commit and delivery loses nothing.
"""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession

from helio.db import after_commit
from helio.logging import get_logger
from helio.mail.config import smtp_config
from helio.mail.transport import MemoryTransport, SmtpTransport, Transport
from helio.services import Services

OUTBOX_KEY = "mail_outbox"
log = get_logger("mail")


class Outbox:
    """A queue of messages and one worker task that delivers them."""

    def __init__(self, transport: Transport, *, attempts: int = 3, backoff_seconds: float = 0.5):
        self.transport = transport
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self._queue: asyncio.Queue[EmailMessage] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    def submit(self, message: EmailMessage) -> None:
        """Queue a message for delivery."""
        self._queue.put_nowait(message)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._run())

    async def drain(self) -> None:
        """Wait until every queued message was delivered or given up."""
        await self._queue.join()

    async def close(self, grace_seconds: float = 10.0) -> None:
        """Deliver what is queued (for at most `grace_seconds`), then stop the worker."""
        try:
            await asyncio.wait_for(self.drain(), grace_seconds)
        finally:
            if self._worker is not None:
                self._worker.cancel()

    async def _run(self) -> None:
        while True:
            message = await self._queue.get()
            try:
                await self._deliver(message)
            finally:
                self._queue.task_done()

    async def _deliver(self, message: EmailMessage) -> None:
        for attempt in range(1, self.attempts + 1):
            try:
                await self.transport.deliver(message)
                return
            except Exception as exc:  # any SMTP, TLS or network error: retry, then log
                if attempt == self.attempts:
                    log.warning(
                        "mail_failed", subject=str(message["Subject"]), error=type(exc).__name__
                    )
                    return
                await asyncio.sleep(self.backoff_seconds * 4 ** (attempt - 1))


def outbox_of(services: Services) -> Outbox:
    """Return the outbox of these services, built from the settings on first use."""
    existing = services.extras.get(OUTBOX_KEY)
    if isinstance(existing, Outbox):
        return existing
    config = smtp_config(services.settings)
    transport: Transport = SmtpTransport(config) if config else MemoryTransport()
    outbox = Outbox(transport)
    services.extras[OUTBOX_KEY] = outbox
    return outbox


def send_after_commit(session: AsyncSession, services: Services, message: EmailMessage) -> None:
    """Queue a message once the session's transaction has committed (never for a rollback)."""

    async def submit() -> None:
        outbox_of(services).submit(message)

    after_commit(session, submit)


def send_now(services: Services, message: EmailMessage) -> None:
    """Queue a message at once (for notices about failures whose transaction rolls back)."""
    outbox_of(services).submit(message)
