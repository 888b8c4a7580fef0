"""The cheap read path: no COMMIT for pure reads, one reset per transaction, a full pool is a 503.

Counted on MariaDB by the server itself (`Com_commit`, `Com_rollback` of the one pooled
connection), so a test sees the round trips the driver really sent.
"""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select, text
from sqlalchemy.exc import TimeoutError as PoolTimeout

from helio.db import Database, is_mysql
from helio.models import User
from helio.platform.app import App
from tests.conftest import BASE_URL
from tests.factories.accounts import live_session, new_customer
from tests.fixtures.apps import use


def _mysql_only(app: App) -> None:
    if not is_mysql(app.db.url):
        pytest.skip("pool behaviour is MariaDB's (SQLite runs without a pool)")


async def _counters(db: Database) -> tuple[int, int]:
    async with db.engine.connect() as connection:
        rows = await connection.execute(
            text("SHOW SESSION STATUS WHERE Variable_name IN ('Com_commit', 'Com_rollback')")
        )
        found = {str(name).lower(): int(value) for name, value in rows}
    return found["com_commit"], found["com_rollback"]


async def test_a_read_only_transaction_sends_no_commit_and_one_rollback(clean: App) -> None:
    _mysql_only(clean)
    user_id = await new_customer(clean)
    db = Database(clean.db.url, pool_size=1)
    try:
        commits, rollbacks = await _counters(db)
        for _ in range(5):
            async with db.transaction() as session:
                assert (await session.execute(select(User.id).where(User.id == user_id))).scalar()
        after_commits, after_rollbacks = await _counters(db)
    finally:
        await db.dispose()
    # One rollback per read-only transaction, plus the first counter read's own.
    assert after_commits - commits == 0
    assert after_rollbacks - rollbacks == 6


async def test_a_write_commits_once_and_the_pool_adds_no_rollback(clean: App) -> None:
    _mysql_only(clean)
    user_id = await new_customer(clean)
    db = Database(clean.db.url, pool_size=1)
    try:
        commits, rollbacks = await _counters(db)
        for consent in (True, False, True):
            async with db.transaction() as session:
                user = await session.get(User, user_id)
                assert user is not None
                user.marketing_consent = consent
        after_commits, after_rollbacks = await _counters(db)
    finally:
        await db.dispose()
    assert after_commits - commits == 3
    # Only the counter read's own check-in rolled back: no ROLLBACK after each COMMIT.
    assert after_rollbacks - rollbacks == 1
    async with clean.db.transaction() as session:
        stored = await session.get(User, user_id)
        assert stored is not None
        assert stored.marketing_consent is True


async def test_a_write_in_plain_sql_is_committed(clean: App) -> None:
    user_id = await new_customer(clean)
    async with clean.db.transaction() as session:
        await session.execute(
            text("UPDATE users SET marketing_consent = :on WHERE id = :id"),
            {"on": True, "id": user_id},
        )
    other = Database(clean.db.url)
    try:
        async with other.transaction() as session:
            stored = await session.get(User, user_id)
            assert stored is not None
            assert stored.marketing_consent is True
    finally:
        await other.dispose()


@pytest.mark.asvs("V16.5.2")
async def test_an_exhausted_pool_is_a_quick_503_with_retry_after(clean: App, app: FastAPI) -> None:
    _mysql_only(clean)
    user_id = await new_customer(clean)
    tight = Database(clean.db.url, pool_size=1, pool_timeout=0.2)
    use(app, db=tight)
    bearer = (await live_session(clean, user_id)).bearer
    transport = ASGITransport(app=app, client=("203.0.113.7", 50000))
    try:
        async with (
            tight.engine.connect() as one,
            tight.engine.connect() as two,
            AsyncClient(transport=transport, base_url=BASE_URL) as http,
        ):
            del one, two  # every connection of the pool is taken
            answer = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {bearer}"})
            assert answer.status_code == 503
            assert answer.headers["retry-after"] == "5"
            assert answer.json()["error"]["code"] == "unavailable"
        # Freed: the same request is served again.
        async with AsyncClient(transport=transport, base_url=BASE_URL) as http:
            again = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {bearer}"})
            assert again.status_code == 200
    finally:
        await tight.dispose()
        await asyncio.sleep(0)


async def _take(db: Database, order: list[str], name: str) -> None:
    async with db.engine.connect() as connection:
        order.append(name)
        await connection.execute(text("SELECT 1"))
        await asyncio.sleep(0.05)


@pytest.mark.asvs("V16.5.2")
async def test_a_returned_connection_goes_to_the_longest_waiter(clean: App) -> None:
    _mysql_only(clean)
    db = Database(clean.db.url, pool_size=1, pool_timeout=5)
    order: list[str] = []
    try:
        first = await db.engine.connect()
        second = await db.engine.connect()  # the pool's whole capacity (1 + 1 overflow)
        waiting = asyncio.create_task(_take(db, order, "waited"))
        await asyncio.sleep(0.1)
        await first.close()
        # Arriving as the connection comes back: it queues behind the request that waited.
        await _take(db, order, "arrived")
        await waiting
        await second.close()
    finally:
        await db.dispose()
    assert order == ["waited", "arrived"]


async def test_a_request_that_gives_up_waiting_leaves_the_line(clean: App) -> None:
    _mysql_only(clean)
    db = Database(clean.db.url, pool_size=1, pool_timeout=0.2)
    try:
        async with db.engine.connect(), db.engine.connect():
            with pytest.raises(PoolTimeout):
                await _take(db, [], "gave up")
            cancelled = asyncio.create_task(_take(db, [], "cancelled"))
            await asyncio.sleep(0.05)
            cancelled.cancel()
            with pytest.raises(asyncio.CancelledError):
                await cancelled
        # Both connections are back and nobody is left in line: the next ones are served at once.
        order: list[str] = []
        await asyncio.gather(_take(db, order, "a"), _take(db, order, "b"))
        assert sorted(order) == ["a", "b"]
        assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await db.dispose()
