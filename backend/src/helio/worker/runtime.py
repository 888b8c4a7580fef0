"""The `helio worker` process: SAQ's worker with the registry's jobs, the relay, metrics.

Every job runs through `_run`: a job whose key completed before is skipped (so
a job run again after a crash, or relayed twice, does its work once), a
heartbeat keeps a long job from being taken for a dead one, and the outcome is
counted. A job that raises is retried by SAQ with exponential backoff until its
attempts are spent, then written to the dead-letter list. A worker killed
mid-job (SIGKILL, a lost node) leaves its job active in Redis; once the
heartbeat is stale the next sweep, by any worker, queues it again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from prometheus_client import start_http_server
from saq import CronJob, Job, Queue, Status, Worker
from saq.types import Context

from helio.db import Database
from helio.logging import get_logger
from helio.mail.config import smtp_config
from helio.mail.transport import MemoryTransport, SmtpTransport, Transport
from helio.platform.app import App
from helio.state.jobs import DeadLetters, Retrying, base_key, build_queue
from helio.worker import metrics
from helio.worker.context import WorkerContext
from helio.worker.outbox import relay
from helio.worker.registry import JobSpec, Registry, ScheduledJob

DONE_PREFIX = "worker:done:"
# A key can come back only while a relay or a sweep may queue it again: seconds, or as long
# as a database outage keeps a relayed row from being deleted. A day covers that; longer
# marks only fill Redis (one key per job run).
DONE_SECONDS = 24 * 3600
log = get_logger("worker")


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """Tunables of one worker process (HELIO_WORKER_* settings)."""

    concurrency: int = 4
    heartbeat_seconds: int = 30  # a job not touched for this long is taken for dead
    sweep_seconds: int = 10  # how often stuck jobs are looked for
    relay_seconds: float = 0.5  # how often the job outbox is moved into the queue
    metrics_port: int | None = None


@dataclass(slots=True)
class Runtime:
    """A built worker and what it needs to run and stop."""

    worker: Worker[Context]
    queue: Queue
    dead: DeadLetters
    context: WorkerContext
    registry: Registry
    options: WorkerOptions


def build_transport(app: App) -> Transport:
    """The settings' SMTP server (memory when none is configured)."""
    config = smtp_config(app.settings)
    return SmtpTransport(config) if config else MemoryTransport()


def build_runtime(
    app: App,
    registry: Registry,
    options: WorkerOptions,
    *,
    transport: Transport | None = None,
    burst: bool = False,
) -> Runtime:
    """Assemble the SAQ worker for this app (Redis is required)."""
    if not app.settings.redis_url:
        raise RuntimeError("the worker needs HELIO_REDIS_URL (its queue lives in Redis)")
    queue = build_queue(app.settings.redis_url)
    dead = DeadLetters.from_url(app.settings.redis_url)
    context = WorkerContext(app=app, transport=transport or build_transport(app), queue=queue)
    functions: set[tuple[str, Callable[..., Awaitable[Any]]]] = {
        (spec.name, _job(spec, context, options)) for spec in registry.jobs.values()
    }
    crons = [
        CronJob(_scheduled(job, context), cron=job.cron, unique=True, timeout=job.timeout)
        for job in registry.schedules.values()
    ]

    async def after(ctx: Context) -> None:
        await _after(ctx, dead, registry)

    worker: Worker[Context] = Worker(
        queue,
        functions=functions,
        cron_jobs=crons,
        concurrency=options.concurrency,
        after_process=after,
        timers={"sweep": options.sweep_seconds, "schedule": 1, "abort": 1, "worker_info": 10},
        burst=burst,
        dequeue_timeout=1.0,
    )
    return Runtime(worker, queue, dead, context, registry, options)


def _job(
    spec: JobSpec, context: WorkerContext, options: WorkerOptions
) -> Callable[..., Awaitable[Any]]:
    async def run(ctx: Context, **kwargs: Any) -> str:
        job: Job = ctx["job"]
        state = context.app.state
        done = DONE_PREFIX + base_key(job.key)
        if await state.get(done) is not None:
            metrics.JOBS.labels(spec.name, "skipped").inc()
            return "skipped"
        beat = asyncio.get_running_loop().create_task(_heartbeat(job, options.heartbeat_seconds))
        try:
            await spec.run(context, **kwargs)
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat
        await state.set(done, "1", DONE_SECONDS)
        return "done"

    run.__qualname__ = spec.name
    return run


def _scheduled(job: ScheduledJob, context: WorkerContext) -> Callable[..., Awaitable[Any]]:
    async def run(ctx: Context) -> Any:
        return await job.run(context)

    run.__qualname__ = job.name  # SAQ names a cron job's function by its qualified name
    return run


async def _heartbeat(job: Job, seconds: int) -> None:
    if seconds <= 0:
        return
    while True:
        await asyncio.sleep(max(seconds / 3, 0.2))
        await job.update()  # touches the job: a live worker's job is never swept


async def _after(ctx: Context, dead: DeadLetters, registry: Registry) -> None:
    job: Job | None = ctx.get("job")
    if job is None:
        return
    error = ctx.get("exception")
    if error is None:
        if job.result != "skipped":
            metrics.JOBS.labels(job.function, "done").inc()
        return
    metrics.JOBS.labels(job.function, "failed").inc()
    if job.status == Status.FAILED:
        metrics.JOBS.labels(job.function, "dead_lettered").inc()
        await dead.add(
            key=job.key,
            function=job.function,
            kwargs=dict(job.kwargs or {}),
            retrying=spec.retrying if (spec := registry.jobs.get(job.function)) else Retrying(),
            attempts=job.attempts,
            error=type(error).__name__,
        )
        log.error("job_dead_lettered", function=job.function, key=job.key, attempts=job.attempts)
    else:
        metrics.JOBS.labels(job.function, "retried").inc()
        log.warning("job_retried", function=job.function, key=job.key, attempt=job.attempts)


async def relay_forever(db: Database, runtime: Runtime) -> None:
    """Move committed outbox rows into the queue, and refresh the gauges, until cancelled."""
    while True:
        try:
            moved = await relay(
                db, runtime.queue, runtime.registry, heartbeat=runtime.options.heartbeat_seconds
            )
            metrics.RELAYED.inc(moved)
            metrics.QUEUE_DEPTH.set(await runtime.queue.count("queued"))
            metrics.DEAD_LETTERS.set(await runtime.dead.count())
        except Exception as exc:  # a database or Redis outage: try again, never die
            log.warning("relay_failed", error=type(exc).__name__)
            await asyncio.sleep(max(runtime.options.relay_seconds, 2.0))
            continue
        await asyncio.sleep(runtime.options.relay_seconds)


async def serve(runtime: Runtime) -> None:
    """Run the worker and the relay until cancelled (SIGTERM, SIGINT)."""
    if runtime.options.metrics_port is not None:
        start_http_server(runtime.options.metrics_port, addr="127.0.0.1", registry=metrics.REGISTRY)
    await runtime.queue.connect()
    relayer = asyncio.get_running_loop().create_task(relay_forever(runtime.context.app.db, runtime))
    log.info(
        "worker_started",
        jobs=sorted(runtime.registry.jobs),
        schedules=sorted(runtime.registry.schedules),
    )
    try:
        await runtime.worker.start()
    finally:
        relayer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relayer
        await runtime.worker.stop()
        await runtime.dead.close()
        await runtime.queue.disconnect()
