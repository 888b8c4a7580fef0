"""Checks `make run` does before anything starts, and one-line reasons when a step fails.

A newcomer reads the last line of the output: a taken port or a database user
without schema rights must say what is wrong and which variable fixes it,
never end in a traceback.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from helio.config import Settings
from helio.kit.net import describe_bind_error
from helio.mail.config import SINK_HOST, uses_local_sink

# MySQL/MariaDB error numbers of a user that lacks a privilege or cannot sign in.
_PRIVILEGE_ERRORS = {1044, 1045, 1142, 1143, 1227, 1370}


@dataclass(frozen=True)
class Listener:
    """An address a process of `make run` will listen on, and the variable that moves it."""

    what: str
    host: str
    port: int
    variable: str

    def refused(self, reason: str) -> str:
        """The sentence that says this address cannot be used, and what to do."""
        return (
            f"{self.host}:{self.port} ({self.what}) {reason}: stop what listens "
            f"there or choose another port with {self.variable}"
        )


def api_listener(settings: Settings) -> Listener:
    """Where `helio serve` listens."""
    return Listener("the API", settings.host, settings.port, "HELIO_PORT")


def sink_listener(settings: Settings) -> Listener:
    """Where the local mail sink listens."""
    return Listener("the mail sink", SINK_HOST, settings.mail_sink_port, "HELIO_MAIL_SINK_PORT")


def listeners(settings: Settings) -> list[Listener]:
    """Every address `make run` will listen on with these settings."""
    found = [api_listener(settings)]
    if uses_local_sink(settings):
        found.append(sink_listener(settings))
    return found


def bind_problem(listener: Listener) -> str | None:
    """Return why a server could not bind the address now (as uvicorn binds it), or None."""
    family = socket.AF_INET6 if ":" in listener.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((listener.host, listener.port))
        except OSError as refused:
            return listener.refused(describe_bind_error(refused))
    return None


def taken(settings: Settings) -> list[str]:
    """Return one sentence per address `make run` needs that cannot be bound."""
    found = (bind_problem(listener) for listener in listeners(settings))
    return [problem for problem in found if problem]


def migration_failure(error: DBAPIError) -> str:
    """Return one line saying why the database refused a migration, without the URL."""
    code, detail = _mysql_error(error)
    if code in _PRIVILEGE_ERRORS:
        return (
            f"the database refused the migration ({detail}): migrate as the migration "
            "user by setting HELIO_MIGRATE_DATABASE_URL (see `helio db grants` and the README)"
        )
    return f"the migration failed: {detail}"


def _mysql_error(error: DBAPIError) -> tuple[int | None, str]:
    args: tuple[object, ...] = tuple(getattr(error.orig, "args", ()))
    if len(args) >= 2 and isinstance(args[0], int):
        return args[0], f"MySQL error {args[0]}: {args[1]}"
    text = str(error.orig).strip()
    return None, text.splitlines()[0] if text else type(error.orig).__name__
