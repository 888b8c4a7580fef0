"""`helio audit …`: verify the chain, sign checkpoints, manage the signing key, print grants."""

from __future__ import annotations

import asyncio
import json
import sys

import structlog
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TimeRemainingColumn,
)

from helio.audit.checkpoints import (
    create_checkpoint,
    load_signing_keys,
    public_key_text,
    rotate_signing_key,
)
from helio.audit.grants import audit_grants
from helio.audit.monitor import run_verification
from helio.audit.verify import VerifyResult
from helio.config import get_settings
from helio.db import Database
from helio.logging import configure_logging
from helio.main import build_app, watch

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
console = Console(stderr=True)


@audit_app.command("verify")
def verify(
    max_seconds: float = typer.Option(0, help="stop after this long (0: no limit)"),
    as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
) -> None:
    """Walk the whole chain with a progress bar; exit 1 at the first broken link."""
    result = asyncio.run(_verify(max_seconds or None, show_progress=not as_json))
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        _print(result)
    if not result.ok:
        raise typer.Exit(1)
    if not result.complete:
        raise typer.Exit(2)


class _Stderr:
    """Whatever sys.stderr is at the time of writing (test runners swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _logs_to_stderr() -> None:
    # stdout carries the result (--json); JSON log lines go to stderr.
    configure_logging()
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=_Stderr()))  # type: ignore[arg-type]


async def _verify(max_seconds: float | None, *, show_progress: bool) -> VerifyResult:
    _logs_to_stderr()
    app = build_app(get_settings())
    watch(app)  # a broken chain raises its alert from here too
    columns = (BarColumn(), MofNCompleteColumn(), TaskProgressColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=console, disable=not show_progress) as progress:
            task = progress.add_task("verifying", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            return await run_verification(
                app.settings, app.db, app.state, progress=advance, max_seconds=max_seconds
            )
    finally:
        await app.close()


def _print(result: VerifyResult) -> None:
    rate = result.checked / result.seconds if result.seconds else 0.0
    console.print(
        f"checked {result.checked} of {result.head_seq} events in {result.seconds:.1f} s "
        f"({rate:,.0f}/s); {result.checkpoints_verified} signed checkpoint(s) verified"
    )
    for note in result.notes:
        console.print(f"note: {note}")
    if result.broken is not None:
        broken = result.broken
        console.print(f"[bold red]BROKEN[/] at event {broken.seq} ({broken.kind}):", broken.message)
    elif result.complete:
        console.print("[bold green]chain intact[/]")


@audit_app.command("checkpoint")
def checkpoint() -> None:
    """Sign the current chain head now."""

    async def run() -> None:
        settings = get_settings()
        db = Database(settings.effective_database_url)
        try:
            keys = load_signing_keys(settings)
            stored = await create_checkpoint(db, keys)
            typer.echo(f"checkpoint at event {stored.seq} signed by {stored.key_id}")
        finally:
            await db.dispose()

    asyncio.run(run())


@audit_app.command("public-key")
def public_key() -> None:
    """Print the current checkpoint verification key (give it to offline verifiers)."""
    keys = load_signing_keys(get_settings())
    typer.echo(f"{keys.current_id} {public_key_text(keys.private.public_key())}")


@audit_app.command("rotate-key")
def rotate_key() -> None:
    """Make a new signing key current in the key file (old public keys are kept)."""
    typer.echo(f"new signing key {rotate_signing_key(get_settings())}")


@audit_app.command("grants")
def grants(
    schema: str = typer.Option("helio"),
    user: str = typer.Option("helio_app"),
    host: str = typer.Option("%"),
) -> None:
    """Print the app user's GRANTs on the audit tables (append and read only)."""
    for statement in audit_grants(schema, user, host=host):
        typer.echo(statement + ";")
