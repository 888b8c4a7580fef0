"""`helio audit …`: verify the chain, sign checkpoints, manage the signing key, print grants."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from helio.selfaudit.runner import Report

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
console = Console(stderr=True)


@audit_app.command("verify")
def verify(
    max_seconds: float = typer.Option(0, help="stop after this long (0: no limit)"),
    as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
    workers: int = typer.Option(
        0, min=0, help="processes, each walking a part of the chain (0: one per CPU, long chains)"
    ),
) -> None:
    """Walk the whole chain with a progress bar; exit 1 at the first broken link."""
    result = asyncio.run(
        _verify(max_seconds or None, show_progress=not as_json, workers=workers or None)
    )
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


async def _verify(
    max_seconds: float | None, *, show_progress: bool, workers: int | None = None
) -> VerifyResult:
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
                app.settings,
                app.db,
                app.state,
                progress=advance,
                max_seconds=max_seconds,
                workers=workers,
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


_FORMATS = ("markdown", "json", "sarif")
_SEVERITIES = ("info", "low", "medium", "high", "critical")


@audit_app.command("report")
def report(
    base_url: str = typer.Option(
        "",
        help="the deployment's base URL to probe (default: HELIO_SELF_AUDIT_BASE_URL, "
        "else HELIO_PUBLIC_URL)",
    ),
    no_http: bool = typer.Option(False, "--no-http", help="do not probe the HTTP surface"),
    output_format: str = typer.Option("markdown", "--format", help="markdown, json or sarif"),
    output: Path | None = typer.Option(None, help="write the report here instead of stdout"),
    fail_on: str | None = typer.Option(
        None, help="exit 0 unless a check of this severity or worse fails (e.g. high)"
    ),
    store: bool = typer.Option(
        False, "--store", help="store the result (trend, regression alerts)"
    ),
    osv_dir: Path | None = typer.Option(None, help="offline advisory data (or HELIO_OSV_DIR)"),
    deploy_dir: Path | None = typer.Option(None, help="deploy/ to run checkov over"),
) -> None:
    """Write the OWASP Top 10 (2021) self-audit; exit with the worst failed severity (0–4)."""
    from helio.selfaudit.registry import Severity

    if output_format not in _FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(_FORMATS)}")
    if fail_on is not None and fail_on not in _SEVERITIES:
        raise typer.BadParameter(f"--fail-on must be one of {', '.join(_SEVERITIES)}")
    result = asyncio.run(
        _report(
            base_url or None, no_http=no_http, store=store, osv_dir=osv_dir, deploy_dir=deploy_dir
        )
    )
    text = _render(result, output_format)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    raise typer.Exit(result.exit_code(Severity(fail_on) if fail_on else None))


def _render(result: Report, output_format: str) -> str:
    from helio.selfaudit import render

    return {"markdown": render.to_markdown, "json": render.to_json, "sarif": render.to_sarif}[
        output_format
    ](result)


async def _report(
    base_url: str | None,
    *,
    no_http: bool,
    store: bool,
    osv_dir: Path | None,
    deploy_dir: Path | None,
) -> Report:
    from helio.selfaudit.checks.deploy import find_checkov
    from helio.selfaudit.checks.paths import REPO_DIR, default_deploy_dir, default_osv_dir
    from helio.selfaudit.job import default_base_url, run_report, store_report

    _logs_to_stderr()
    app = build_app(get_settings())
    watch(app)  # a regression's audit event raises its alert from here
    try:
        result = await run_report(
            app,
            base_url=None if no_http else (base_url or default_base_url(app)),
            deploy_dir=deploy_dir or default_deploy_dir(),
            osv_dir=osv_dir or default_osv_dir(),
            checkov=find_checkov(REPO_DIR),
        )
        if store:
            stored = await store_report(app, result)
            console.print(f"stored self-audit report {stored.id}")
        return result
    finally:
        await app.close()
