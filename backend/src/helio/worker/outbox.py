"""The relay: committed rows of the job outbox into the queue (`helio.state.jobs.enqueue_in`).

A row relayed twice (a relay stopped between enqueueing and deleting) is one
job: the queue ignores a key it holds, and a job remembers the keys it completed.
"""

from __future__ import annotations

from saq import Queue
from sqlalchemy import delete, select

from helio.db import Database
from helio.logging import get_logger
from helio.models.job_outbox import JobOutbox
from helio.state.jobs import HEARTBEAT_SECONDS, enqueue
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
    async with db.sessions() as session:
        rows = (await session.scalars(select(JobOutbox).order_by(JobOutbox.seq).limit(batch))).all()
        for row in rows:
            spec = registry.jobs.get(row.function)
            if spec is None:
                log.error("job_unknown", function=row.function, key=row.job_key)
            else:
                await enqueue(
                    queue,
                    spec.name,
                    spec.retrying,
                    key=row.job_key,
                    kwargs=row.kwargs,
                    heartbeat=heartbeat,
                )
                moved += 1
            await session.execute(delete(JobOutbox).where(JobOutbox.seq == row.seq))
            await session.commit()
    return moved
