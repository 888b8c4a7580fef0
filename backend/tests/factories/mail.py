"""Mail sent while a test calls services directly, captured in memory."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from helio.mail.outbox import Outbox
from helio.mail.transport import MemoryTransport
from helio.platform.app import App


@dataclass(frozen=True)
class Captured:
    """The app to call services with, and what its outbox delivered."""

    app: App
    transport: MemoryTransport


@asynccontextmanager
async def captured_mail(app: App) -> AsyncIterator[Captured]:
    """Yield a copy of the app whose mail lands in memory; delivered by the time the block ends."""
    transport = MemoryTransport()
    outbox = Outbox(transport)
    try:
        yield Captured(dataclasses.replace(app, outbox=outbox), transport)
        await outbox.drain()
    finally:
        await outbox.close()
