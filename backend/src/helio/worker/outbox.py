"""The relay: committed rows of the job outbox into the queue (`helio.state.jobs.enqueue_in`).

A row relayed twice (a relay stopped between enqueueing and deleting) is one
job: the queue ignores a key it holds, and a job remembers the keys it completed.
"""

from __future__ import annotations

from saq import Queue

from helio.db import Database
from helio.logging import get_logger
from helio.state.jobs import HEARTBEAT_SECONDS, enqueue
from helio.worker import repository
from helio.worker.registry import Registry

log = get_logger("worker.relay")


async def relay(
    db: Database,
    queue: Queue,
    registry: Registry,
    *,
    batch: int = 100,
    heartbeat: int = HEARTBEAT_SECONDS,
) -> int:
    """Move committed outbox rows into the queue; return how many were moved."""
    moved = 0
    async with db.transaction() as session:
        rows = [
            (row.seq, row.function, row.job_key, row.kwargs)
            for row in await repository.outbox_batch(session, batch)
        ]
    for seq, function, job_key, kwargs in rows:
        spec = registry.jobs.get(function)
        if spec is None:
            log.error("job_unknown", function=function, key=job_key)
        else:
            await enqueue(
                queue, spec.name, spec.retrying, key=job_key, kwargs=kwargs, heartbeat=heartbeat
            )
            moved += 1
        async with db.transaction() as session:
            await repository.delete_row(session, seq)
    return moved
