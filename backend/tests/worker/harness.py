"""A worker run in the test's event loop, on the test's Redis database and app."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from email.message import EmailMessage

from helio.mail.messages import compose
from helio.mail.transport import Transport
from helio.platform.app import App
from helio.worker.registry import Registry
from helio.worker.runtime import Runtime, WorkerOptions, build_runtime, serve

FAST = WorkerOptions(concurrency=2, heartbeat_seconds=2, sweep_seconds=1, relay_seconds=0.05)
# No sweep while a test runs: on a loaded machine SAQ's sweep can catch a job between its
# dequeue and its start and run it once more (delivery is at least once); tests that count
# deliveries use this. `test_worker_process.py` proves the sweep with a killed worker.
STEADY = WorkerOptions(concurrency=2, heartbeat_seconds=30, sweep_seconds=120, relay_seconds=0.05)


@asynccontextmanager
async def running(
    app: App, registry: Registry, transport: Transport, options: WorkerOptions = FAST
) -> AsyncIterator[Runtime]:
    """Run a worker (jobs, schedules, relay) until the block ends."""
    runtime = build_runtime(app, registry, options, transport=transport)
    task = asyncio.get_running_loop().create_task(serve(runtime))
    try:
        yield runtime
    finally:
        runtime.worker.event.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 15)


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 20.0) -> None:
    """Wait until `check()` is true (polling), or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


def message(app: App, name: str, to: str = "ann@example.org") -> EmailMessage:
    """A real mail of the app (a password reset)."""
    return compose(
        app.settings,
        to=to,
        template="reset",
        name=name,
        link="https://x.example/r#token=t",
        minutes="30",
    )
