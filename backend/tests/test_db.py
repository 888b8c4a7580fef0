"""Transactions: side effects after commit only; separate writes wait for the open one."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from helio.audit import AuditAction, record, record_separately
from helio.db import after_commit, after_transaction
from helio.models import AuditEvent
from helio.platform.app import App


async def _events(app_state: App) -> list[str]:
    async with app_state.db.transaction() as session:
        rows = await session.execute(select(AuditEvent.action).order_by(AuditEvent.seq))
        return list(rows.scalars())


async def test_after_commit_runs_only_when_the_commit_succeeds(clean: App) -> None:
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
async def test_failure_event_survives_the_rollback_of_its_request(clean: App) -> None:
    async def failing_request() -> None:
        async with clean.db.transaction() as session:
            await record(session, None, AuditAction.SITE_UPDATED)  # holds the chain head
            await record_separately(clean.db, None, AuditAction.AUTH_POW_REFUSED)
            raise RuntimeError("the request fails")

    with pytest.raises(RuntimeError):
        await failing_request()
    assert await _events(clean) == ["auth.pow_refused"]


async def test_separate_write_waits_for_the_open_transaction_instead_of_its_locks(
    clean: App,
) -> None:
    async def request() -> None:
        async with clean.db.transaction() as session:
            await record(session, None, AuditAction.SITE_CREATED)
            await record_separately(clean.db, None, AuditAction.AUTH_POW_REFUSED)

    # A lock wait on the chain head would take the server's lock timeout (50 s).
    await asyncio.wait_for(request(), timeout=10)
    assert await _events(clean) == ["site.created", "auth.pow_refused"]


def test_after_transaction_outside_a_transaction_does_nothing() -> None:
    async def never() -> None:
        raise AssertionError

    assert after_transaction(never) is False
