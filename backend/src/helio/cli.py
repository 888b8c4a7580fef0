"""The `helio` command: migrate, check the configuration, seed, serve, rotate keys."""

from __future__ import annotations

import asyncio
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from alembic import command
from alembic.config import Config

from helio.commands.audit import audit_app
from helio.commands.keys import keys_app
from helio.commands.payments import payments_app
from helio.commands.worker import worker_app
from helio.config import Settings, get_settings

if TYPE_CHECKING:
    from aiosmtpd.controller import Controller

app = typer.Typer(help="Helio API administration.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database administration.", no_args_is_help=True)
app.add_typer(db_app, name="db")
authz_app = typer.Typer(help="The permission matrix.", no_args_is_help=True)
app.add_typer(authz_app, name="authz")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(payments_app, name="payments")
app.add_typer(worker_app, name="worker")

BACKEND_DIR = Path(__file__).resolve().parents[2]


def alembic_config(url: str) -> Config:
    """Return the Alembic configuration bound to a database URL."""
    config = Config(str(BACKEND_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(BACKEND_DIR / "migrations"))
    config.attributes["url"] = url
    return config


def fail(message: str) -> NoReturn:
    """End the command with one line on stderr and exit status 1."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@app.command()
def migrate(revision: str = typer.Argument("head")) -> None:
    """Upgrade the schema to a revision (default: head) as HELIO_MIGRATE_DATABASE_URL's user.

    Without HELIO_MIGRATE_DATABASE_URL the app's own HELIO_DATABASE_URL is used,
    which works for SQLite and for a database user allowed to change the schema.
    """
    from sqlalchemy.exc import DBAPIError

    from helio.preflight import migration_failure

    settings = get_settings()
    if settings.migrate_database_url and not settings.database_url:
        fail("HELIO_MIGRATE_DATABASE_URL is set but HELIO_DATABASE_URL (the app's user) is not")
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        command.upgrade(alembic_config(settings.migration_database_url), revision)
    except DBAPIError as refused:
        fail(migration_failure(refused))
    typer.echo(f"database migrated to {revision}")


@app.command("check-config")
def check_config() -> None:
    """Print whether the configuration is safe for its environment; exit 1 if not."""
    settings = get_settings()
    problems = settings.production_problems()
    if settings.is_production and problems:
        typer.echo("configuration REFUSED for production:")
        for problem in problems:
            typer.echo(f"  - {problem}")
        raise typer.Exit(1)
    typer.echo(f"configuration OK for {settings.env}")
    if problems and not settings.is_production:
        typer.echo("(would be refused in production:)")
        for problem in problems:
            typer.echo(f"  - {problem}")


@app.command("create-admin")
def create_admin(
    email: str = typer.Option(..., prompt=True), full_name: str = typer.Option(..., prompt=True)
) -> None:
    """Create the first admin (interactive; the password is asked twice, never echoed)."""
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Repeat: "):
        typer.echo("passwords differ")
        raise typer.Exit(1)
    from helio.errors import AppError
    from helio.seed import create_staff

    try:
        asyncio.run(
            create_staff(
                get_settings(), email=email, full_name=full_name, password=password, roles=["admin"]
            )
        )
    except AppError as refused:
        typer.echo(f"refused: {refused.message} {' '.join((refused.fields or {}).values())}")
        raise typer.Exit(1) from refused
    typer.echo("admin created; sign in and enrol MFA (mandatory for staff)")


@app.command("seed-demo")
def seed_demo() -> None:
    """Create demo accounts and the demo customer's site once; passwords are printed once."""
    from helio.seed import DemoRefused
    from helio.seed import seed_demo as run_seed

    try:
        created = asyncio.run(run_seed(get_settings()))
    except DemoRefused as refused:
        fail(str(refused))
    if not created:
        typer.echo("demo data already present; nothing changed")
        return
    typer.echo("demo accounts (passwords shown once; store them now):")
    for email, roles, password in created:
        typer.echo(f"  {email:32} {roles:10} {password}")


@app.command("check-ports")
def check_ports() -> None:
    """Exit 1, one line per address, when the API's (or the mail sink's) port is taken."""
    from helio.preflight import taken

    problems = taken(get_settings())
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    if problems:
        raise typer.Exit(1)


@app.command()
def serve(
    mail_sink: bool = typer.Option(
        False, "--mail-sink", help="also run the local mail sink when mail goes to it"
    ),
) -> None:
    """Serve the API with uvicorn on HELIO_HOST:HELIO_PORT (and the mail sink first)."""
    import uvicorn

    settings = get_settings()
    settings.assert_safe()
    sink = _start_mail_sink(settings) if mail_sink else None
    try:
        uvicorn.run(
            "helio.main:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            server_header=False,
            date_header=False,
            proxy_headers=False,
            access_log=False,
        )
    finally:
        if sink is not None:
            sink.stop()


def _start_mail_sink(settings: Settings) -> Controller | None:
    """Start the development mail sink in this process, or end the command in one line."""
    from helio.kit.net import describe_bind_error
    from helio.mail import sink
    from helio.mail.config import uses_local_sink
    from helio.preflight import sink_listener

    if not uses_local_sink(settings):
        return None
    where, directory = sink_listener(settings), settings.data_dir / "mail"
    try:
        controller = sink.start(directory, port=where.port, host=where.host)
    except OSError as refused:
        fail(where.refused(describe_bind_error(refused)))
    typer.echo(f"mail sink on {where.host}:{where.port}, messages in {directory}/")
    return controller


@db_app.command("grants")
def db_grants(
    schema: str = typer.Option("helio"),
    app_user: str = typer.Option("helio_app"),
    migrator: str = typer.Option("helio_migrator"),
    host: str = typer.Option("%"),
) -> None:
    """Print the MySQL GRANTs for the least-privileged app user and the migration user."""
    from helio.dbgrants import grant_statements

    for statement in grant_statements(schema, app_user=app_user, migrator=migrator, host=host):
        typer.echo(statement)


@authz_app.command("docs")
def authz_docs(output: Path = typer.Option(BACKEND_DIR.parent / "docs" / "permissions.md")) -> None:
    """Write docs/permissions.md from the permission matrix."""
    from helio.authz.permissions_doc import render

    output.write_text(render(), encoding="utf-8")
    typer.echo(f"wrote {output}")


def main(argv: list[str] | None = None) -> Any:
    """Entry point for `python -m helio.cli`."""
    return app(args=argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
