"""What a job function gets: the app (database, state, keys), the mail transport, the queue."""

from __future__ import annotations

from dataclasses import dataclass

from saq import Queue

from helio.mail.transport import Transport
from helio.platform.app import App


@dataclass(frozen=True, slots=True)
class WorkerContext:
    """The long-lived parts a job may use."""

    app: App
    transport: Transport
    queue: Queue
