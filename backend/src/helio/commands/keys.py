"""`helio keys …`: rotate KEKs, data keys, blind indexes and the JWT signing key; show key
status; shred due accounts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from helio.config import get_settings
from helio.customers.deletion import shred_due as run_shred_due
from helio.keys_admin import rotation
from helio.keys_admin.checkpoint import RotationBusy
from helio.keys_admin.run import RotationError, RotationOptions, RotationReport
from helio.keys_admin.status import key_status
from helio.main import build_app
from helio.platform.app import App
from helio.platform.context import Ctx

keys_app = typer.Typer(help="Key rotation, key status and crypto-shredding.", no_args_is_help=True)
console = Console()
_T = TypeVar("_T")

BatchSize = typer.Option(500, "--batch-size", min=1, max=10_000, help="Rows per transaction.")


class RichProgress:
    """Adapts a rich progress bar to the rotations' Progress protocol."""

    def __init__(self, bar: Progress, description: str) -> None:
        self._bar = bar
        self._task = bar.add_task(description, total=None)

    def start(self, total: int) -> None:
        """Set the bar's total."""
        self._bar.update(self._task, total=total)

    def advance(self, count: int) -> None:
        """Move the bar."""
        self._bar.advance(self._task, count)


def _run(work: Callable[[App], Awaitable[_T]]) -> _T:
    async def main() -> _T:
        app = build_app(get_settings())
        try:
            return await work(app)
        finally:
            await app.close()

    try:
        return asyncio.run(main())
    except (RotationError, RotationBusy) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc


def _rotate(
    description: str,
    batch_size: int,
    start: Callable[[App, RotationOptions], Awaitable[RotationReport]],
) -> None:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        options = RotationOptions(batch_size=batch_size, progress=RichProgress(bar, description))
        report = _run(lambda app: start(app, options))
    _summary(report)


def _summary(report: RotationReport) -> None:
    table = Table(title=f"{report.kind} rotation", show_header=False)
    rows: list[tuple[str, Any]] = [
        ("target", report.target),
        ("resumed", "yes" if report.resumed else "no"),
        ("changed", report.processed),
        ("already current", report.skipped),
        ("batches", report.batches),
        ("retired", ", ".join(report.retired) or "-"),
        ("still in use", ", ".join(report.kept) or "-"),
        ("failed (left as they were)", ", ".join(report.failed) or "-"),
        ("seconds", report.seconds),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)
    if report.failed:
        raise typer.Exit(2)


@keys_app.command("rotate-kek")
def rotate_kek(
    new_kek: bool = typer.Option(True, "--new-kek/--no-new-kek", help="Add a KEK first."),
    batch_size: int = BatchSize,
) -> None:
    """Re-wrap every data key under the current KEK (a new one first), then retire unused KEKs."""
    _rotate(
        "re-wrapping data keys",
        batch_size,
        lambda app, options: rotation.rotate_kek(app, new_kek=new_kek, options=options),
    )


@keys_app.command("rotate-data-keys")
def rotate_data_keys(
    batch_size: int = typer.Option(
        100, "--batch-size", min=1, max=10_000, help="Owners per batch."
    ),
) -> None:
    """Give every owner a new data key and re-encrypt their fields (one owner per transaction)."""
    _rotate(
        "re-encrypting owners",
        batch_size,
        lambda app, options: rotation.rotate_data_keys(app, options=options),
    )


@keys_app.command("rotate-index")
def rotate_index(batch_size: int = BatchSize) -> None:
    """Recompute every blind index under a new key version, then retire the old versions."""
    _rotate(
        "recomputing blind indexes",
        batch_size,
        lambda app, options: rotation.rotate_index(app, options=options),
    )


@keys_app.command("rotate-jwt")
def rotate_jwt() -> None:
    """Make a new access-token signing key current; the old one verifies for its grace period."""
    kid = _run(lambda app: app.server_keys.rotate_signing())
    console.print(f"new JWT signing key {kid}")


@keys_app.command("status")
def status() -> None:
    """Show KEKs and their use, blind-index versions, unfinished rotations and due shredding."""
    info = _run(key_status)
    table = Table(title="keys", show_header=False)
    for name, value in info.items():
        table.add_row(name, str(value))
    console.print(table)


@keys_app.command("shred-due")
def shred_due(batch_size: int = typer.Option(100, "--batch-size", min=1, max=10_000)) -> None:
    """Crypto-shred every deleted account whose grace period has ended."""
    count = _run(lambda app: run_shred_due(Ctx.system(app), batch_size=batch_size))
    console.print(f"accounts shredded: {count}")
