"""Engines and sessions: the only place that commits or rolls back."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool, PoolResetState

from helio.kit.fair_pool import FairAsyncQueuePool

# Strict mode so MySQL refuses bad data instead of truncating it; UTC everywhere.
MYSQL_SQL_MODE = (
    "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
    "NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY"
)
MYSQL_INIT = f"SET SESSION sql_mode='{MYSQL_SQL_MODE}', SESSION time_zone='+00:00'"

AfterCommit = Callable[[], Awaitable[None]]

# Seconds a request waits for a pooled connection before it is answered 503 (Retry-After).
POOL_TIMEOUT_SECONDS = 3.0
# Set on a connection (its `info`) once a statement other than a plain read ran in its
# transaction; a transaction that only read ends without a COMMIT round trip.
_WROTE = "helio_wrote"
_READS = ("SELECT", "select", "(SELECT", "WITH", "with")
# A pooled connection idle longer than this is pinged before use (a server restart or a
# network drop while it sat in the pool); one in steady use is not, saving a round trip.
IDLE_PING_SECONDS = 5.0
_RETURNED_AT = "helio_returned_at"

# Callbacks to run when the transaction open in this task ends (see after_transaction).
_ending: ContextVar[list[AfterCommit] | None] = ContextVar("helio_transaction_ending", default=None)


def is_mysql(url: str) -> bool:
    """True for a MySQL/MariaDB URL."""
    return make_url(url).get_backend_name() in {"mysql", "mariadb"}


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    pool_timeout: float = POOL_TIMEOUT_SECONDS,
    echo: bool = False,
) -> AsyncEngine:
    """Create an async engine with the per-dialect safety settings."""
    if is_mysql(url):
        engine = create_async_engine(
            url,
            echo=echo,
            # Errors and echo show the statement's shape, never the row values bound to it.
            hide_parameters=True,
            poolclass=FairAsyncQueuePool,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=pool_timeout,
            pool_recycle=1800,
            # The reset listener below rolls back only a connection still inside a
            # transaction, instead of a ROLLBACK round trip on every check-in.
            pool_reset_on_return=None,
            connect_args={"charset": "utf8mb4", "init_command": MYSQL_INIT, "connect_timeout": 5},
            isolation_level="READ COMMITTED",
        )
        event.listen(engine.sync_engine, "reset", _reset_open_transaction)
        event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
        event.listen(engine.sync_engine.pool, "checkin", _stamp_return)
    else:
        engine = create_async_engine(url, echo=echo, hide_parameters=True, poolclass=NullPool)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _forget_writes)
    event.listen(engine.sync_engine, "before_cursor_execute", _note_write)
    return engine


def _reset_open_transaction(
    dbapi_connection: Any, _record: Any, reset_state: PoolResetState
) -> None:
    """Roll back a returned connection only when the server says a transaction is open.

    The driver tracks the server's IN_TRANS status flag from every reply; after a
    COMMIT or ROLLBACK it is clear and a further ROLLBACK would only cost a round trip.
    """
    if reset_state.terminate_only:
        return
    if reset_state.transaction_was_reset:
        return
    driver = getattr(dbapi_connection, "_connection", None)
    in_transaction = getattr(driver, "get_transaction_status", None)
    if in_transaction is not None and not in_transaction():
        return
    dbapi_connection.rollback()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Ping a connection that sat idle in the pool; a dead one is replaced, not handed out."""
    returned = record.info.get(_RETURNED_AT)
    if returned is None or time.monotonic() - returned < IDLE_PING_SECONDS:
        return
    try:
        dbapi_connection.ping(False)
    except Exception as exc:  # any driver error: the pool discards it and connects afresh
        raise DisconnectionError() from exc


def _stamp_return(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_RETURNED_AT] = time.monotonic()


def _forget_writes(connection: Any) -> None:
    connection.info.pop(_WROTE, None)


def _note_write(
    connection: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    if not statement.lstrip().startswith(_READS):
        connection.info[_WROTE] = True


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Database:
    """One engine and its session factory; transactions open and close here only."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = 10,
        pool_timeout: float = POOL_TIMEOUT_SECONDS,
    ) -> None:
        self.url = url
        self.engine = create_engine(url, echo=echo, pool_size=pool_size, pool_timeout=pool_timeout)
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
                    await _finish(session)
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


async def _finish(session: AsyncSession) -> None:
    """Commit a transaction that wrote; end one that only read without a COMMIT round trip.

    A read-only transaction has nothing to make durable, so its end is the
    rollback the pool does on check-in (one round trip instead of two).
    """
    if not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        await session.commit()
        return
    connection = (await session.connection()).sync_connection
    wrote = connection is None or bool(connection.info.get(_WROTE))
    if wrote or session.info.get("after_commit"):
        await session.commit()


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
