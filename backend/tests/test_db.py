"""Transactions: side effects after commit only; separate writes wait for the open one."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from helio.audit.service import record, record_separately
from helio.db import after_commit, after_transaction
from helio.models import AuditEvent
from helio.services import Services


async def _events(services: Services) -> list[str]:
    async with services.db.transaction() as session:
        rows = await session.execute(select(AuditEvent.action).order_by(AuditEvent.seq))
        return list(rows.scalars())


async def test_after_commit_runs_only_when_the_commit_succeeds(clean: Services) -> None:
    ran: list[str] = []

    async def mark() -> None:
        ran.append("committed")

    async def failing() -> None:
        async with clean.db.transaction() as session:
            after_commit(session, mark)
            raise RuntimeError

    async with clean.db.transaction() as session:
        after_commit(session, mark)
    with pytest.raises(RuntimeError):
        await failing()
    assert ran == ["committed"]


@pytest.mark.asvs("V16.3.1")
async def test_failure_event_survives_the_rollback_of_its_request(clean: Services) -> None:
    async def failing_request() -> None:
        async with clean.db.transaction() as session:
            await record(session, action="test.change")  # holds the chain head
            await record_separately(clean.db, action="test.refused", outcome="failure")
            raise RuntimeError("the request fails")

    with pytest.raises(RuntimeError):
        await failing_request()
    assert await _events(clean) == ["test.refused"]


async def test_separate_write_waits_for_the_open_transaction_instead_of_its_locks(
    clean: Services,
) -> None:
    async def request() -> None:
        async with clean.db.transaction() as session:
            await record(session, action="test.first")
            await record_separately(clean.db, action="test.second", outcome="failure")

    # A lock wait on the chain head would take the server's lock timeout (50 s).
    await asyncio.wait_for(request(), timeout=10)
    assert await _events(clean) == ["test.first", "test.second"]


def test_after_transaction_outside_a_transaction_does_nothing() -> None:
    async def never() -> None:
        raise AssertionError

    assert after_transaction(never) is False
