"""`helio worker`: run the background jobs; list and send again the dead letters."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from helio.config import Settings, get_settings
from helio.platform.app import App
from helio.state.jobs import DeadLetters, build_queue
from helio.worker.registry import default_registry

worker_app = typer.Typer(
    help="The background worker (mail, alerts, scheduled jobs) and its dead letters.",
    invoke_without_command=True,
    no_args_is_help=False,
)
_T = TypeVar("_T")


def _redis_url() -> str:
    url = get_settings().redis_url
    if not url:
        typer.echo("error: the worker needs HELIO_REDIS_URL (its queue lives in Redis)", err=True)
        raise typer.Exit(1)
    return url


@worker_app.callback()
def worker(ctx: typer.Context) -> None:
    """Run the worker until SIGTERM or Ctrl-C (without a subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    _redis_url()
    from helio.logging import configure_logging
    from helio.worker.runtime import WorkerOptions, build_runtime, serve

    settings = get_settings()
    configure_logging()
    options = WorkerOptions(
        concurrency=settings.worker_concurrency,
        heartbeat_seconds=settings.worker_heartbeat_seconds,
        sweep_seconds=settings.worker_sweep_seconds,
        relay_seconds=settings.worker_relay_seconds,
        metrics_port=settings.worker_metrics_port,
    )

    async def main() -> None:
        app = worker_app_for(settings)
        try:
            await serve(build_runtime(app, default_registry(), options))
        finally:
            await app.close()

    asyncio.run(main())


def worker_app_for(settings: Settings) -> App:
    """Build the worker's app: the audit events its jobs record raise alerts, as in the API.

    A daily self-audit that finds a regression records it from the worker; without the
    listeners its alert would never be raised.
    """
    from helio.main import build_app, watch

    app = build_app(settings)
    watch(app)
    return app


@worker_app.command("jobs")
def jobs() -> None:
    """List the registered jobs and schedules."""
    registry = default_registry()
    for spec in registry.jobs.values():
        typer.echo(
            f"job       {spec.name}  retries={spec.retrying.retries} "
            f"timeout={spec.retrying.timeout}s"
        )
    for scheduled in registry.schedules.values():
        typer.echo(f"schedule  {scheduled.name}  cron='{scheduled.cron}'")


def _with_dead(work: Callable[[DeadLetters], Awaitable[_T]]) -> _T:
    async def main() -> _T:
        dead = DeadLetters.from_url(_redis_url())
        try:
            return await work(dead)
        finally:
            await dead.close()

    return asyncio.run(main())


@worker_app.command("dead-letters")
def dead_letters(limit: int = typer.Option(100, "--limit", min=1, max=10_000)) -> None:
    """List the jobs that failed every attempt, newest first."""
    letters = _with_dead(lambda dead: dead.list(limit))
    if not letters:
        typer.echo("no dead letters")
    for letter in letters:
        when = datetime.datetime.fromtimestamp(letter.failed_at, tz=datetime.UTC).isoformat()
        typer.echo(
            f"{letter.key}  {letter.function}  attempts={letter.attempts}  {letter.error}  {when}"
        )


@worker_app.command("retry")
def retry(key: str = typer.Argument(..., help="the dead letter's key")) -> None:
    """Send a dead letter again (it keeps its idempotency key)."""

    async def work(dead: DeadLetters) -> str | None:
        queue = build_queue(_redis_url())
        await queue.connect()
        try:
            return await dead.retry(queue, key)
        finally:
            await queue.disconnect()

    new_key = _with_dead(work)
    if new_key is None:
        typer.echo(f"error: no dead letter {key!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"queued again as {new_key}")
