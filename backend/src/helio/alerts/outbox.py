"""The alert outbox: fired alerts wait here until every sink has been tried.

On Redis the outbox survives a crash (the reliable queue of
`helio.kit.reliable_queue`, keys under `helio:alerts:`); the next drainer moves
what a dead one left behind back to the queue. One drainer at a time (a lock
in shared state) keeps delivery in order and the recovery safe. Without Redis
(the laptop default) the queue lives in this process.
"""

from __future__ import annotations

from helio.state.queue import MemoryQueue as MemoryOutbox
from helio.state.queue import RedisQueue as RedisOutbox
from helio.state.queue import ReliableQueue as Outbox
from helio.state.queue import queue_for
from helio.state.shared import SharedState

__all__ = ["MemoryOutbox", "Outbox", "RedisOutbox", "outbox_for"]


def outbox_for(state: SharedState) -> Outbox:
    """Return the outbox on the same backend as the shared state."""
    return queue_for(state, "alerts")
