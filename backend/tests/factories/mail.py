"""Mail sent while a test calls services or the API in process, delivered in this process.

Production mail is a job in the transactional outbox, delivered by `helio worker`
(`tests/worker` proves that path with a real worker). Tests of everything else
plug this outbox into the app: it delivers after the same commit, straight to a
transport, so a test reads the mail its request caused without a worker.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession

from helio.db import after_commit
from helio.mail.transport import MemoryTransport, Transport
from helio.platform.app import App


class InProcessOutbox:
    """Delivers each message after its transaction commits, in this event loop."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._tasks: set[asyncio.Task[None]] = set()

    def send_in(self, session: AsyncSession, message: EmailMessage) -> None:
        """Deliver once the session's transaction has committed (never for a rollback)."""

        async def deliver() -> None:
            self._start(message)

        after_commit(session, deliver)

    async def send_alone(self, message: EmailMessage) -> None:
        """Deliver now."""
        self._start(message)

    def _start(self, message: EmailMessage) -> None:
        task = asyncio.get_running_loop().create_task(self.transport.deliver(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every message handed over so far was delivered."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def close(self) -> None:
        """Deliver what is pending."""
        await self.drain()


@dataclass(frozen=True)
class Captured:
    """The app to call services with, and what its outbox delivered."""

    app: App
    transport: MemoryTransport


@asynccontextmanager
async def captured_mail(app: App) -> AsyncIterator[Captured]:
    """Yield a copy of the app whose mail lands in memory; delivered by the time the block ends."""
    transport = MemoryTransport()
    outbox = InProcessOutbox(transport)
    try:
        yield Captured(dataclasses.replace(app, outbox=outbox), transport)
        await outbox.drain()
    finally:
        await outbox.close()
