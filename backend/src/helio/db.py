"""Engines and sessions: the only place that commits or rolls back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

# Strict mode so MySQL refuses bad data instead of truncating it; UTC everywhere.
MYSQL_SQL_MODE = (
    "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
    "NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY"
)
MYSQL_INIT = f"SET SESSION sql_mode='{MYSQL_SQL_MODE}', SESSION time_zone='+00:00'"

AfterCommit = Callable[[], Awaitable[None]]

# Callbacks to run when the transaction open in this task ends (see after_transaction).
_ending: ContextVar[list[AfterCommit] | None] = ContextVar("helio_transaction_ending", default=None)


def is_mysql(url: str) -> bool:
    """True for a MySQL/MariaDB URL."""
    return make_url(url).get_backend_name() in {"mysql", "mariadb"}


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """Create an async engine with the per-dialect safety settings."""
    if is_mysql(url):
        return create_async_engine(
            url,
            echo=echo,
            # Errors and echo show the statement's shape, never the row values bound to it.
            hide_parameters=True,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            pool_recycle=1800,
            connect_args={"charset": "utf8mb4", "init_command": MYSQL_INIT, "connect_timeout": 5},
            isolation_level="READ COMMITTED",
        )
    engine = create_async_engine(url, echo=echo, hide_parameters=True, poolclass=NullPool)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Database:
    """One engine and its session factory; transactions open and close here only."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = create_engine(url, echo=echo)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Yield a session in one transaction: commit on success, roll back on any error.

        Callbacks registered with `after_commit` run once the commit has succeeded;
        those registered with `after_transaction` run when it ends either way.
        """
        outer = _ending.get()
        ending: list[AfterCommit] = []
        _ending.set(ending)
        try:
            async with self.sessions() as session:
                try:
                    yield session
                    await session.commit()
                except BaseException:
                    await session.rollback()
                    raise
                for callback in session.info.pop("after_commit", []):
                    await callback()
        finally:
            _ending.set(outer)
            for callback in ending:
                await callback()

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return True
        except Exception:  # any driver or network error means "not ready"
            return False

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def after_transaction(callback: AfterCommit) -> bool:
    """Run `callback` when this task's open transaction ends, committed or rolled back.

    Returns False (and queues nothing) when no transaction is open. A write in a
    second transaction while the first is open would wait on the first one's
    locks (the audit chain head; SQLite locks the whole file), so it waits its turn.
    """
    pending = _ending.get()
    if pending is None:
        return False
    pending.append(callback)
    return True


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` after this session's transaction commits (mail, alerts, cache drops)."""
    session.info.setdefault("after_commit", []).append(callback)
