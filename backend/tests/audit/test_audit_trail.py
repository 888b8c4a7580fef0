"""Audit events share the transaction of their change and form one chain under concurrency."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from tests.factories.accounts import admin_access, ctx
from tests.factories.audit import scalar

from helio.audit import AuditAction, Target, record
from helio.audit.chain import GENESIS_HASH, HASHED_FIELDS, canonical, canonical_row, link_hash
from helio.audit.verify import verify_chain
from helio.authz.matrix import Perm
from helio.models import AlertSink, AuditChainHead, AuditEvent
from helio.platform.app import App


class Boom(Exception):
    """Makes a transaction fail after its writes."""


async def _count(app_state: App, model: Any) -> int:
    async with app_state.db.transaction() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _change_then_fail(app_state: App) -> None:
    async with app_state.db.transaction() as session:
        session.add(AlertSink(kind="mail", target="sec@example.com"))
        await record(session, None, AuditAction.ALERT_SINKS_UPDATED, target=Target("alert_sinks"))
        raise Boom


@pytest.mark.asvs("V16.4.2")
async def test_rolled_back_change_leaves_no_event(clean: App) -> None:
    with pytest.raises(Boom):
        await _change_then_fail(clean)
    assert await _count(clean, AlertSink) == 0
    assert await _count(clean, AuditEvent) == 0
    assert await scalar(clean.db, "SELECT last_seq FROM audit_chain_head") == 0


@pytest.mark.asvs("V16.2.1")
async def test_committed_change_has_exactly_its_event(clean: App) -> None:
    granted = admin_access(Perm.ALERTS_MANAGE)
    admin = granted.principal
    context = ctx(
        clean, granted, client_ip="203.0.113.5", request_id="req-abcdef12", user_agent="Firefox/1"
    )
    async with clean.db.transaction() as session:
        session.add(AlertSink(kind="mail", target="sec@example.com"))
        await record(
            session,
            context,
            AuditAction.ALERT_SINKS_UPDATED,
            target=Target("alert_sinks"),
            reason="rotation",
            details={"changed": ["target"]},
        )
    async with clean.db.transaction() as session:
        events = (await session.execute(select(AuditEvent))).scalars().all()
    assert len(events) == 1
    event = events[0]
    assert (event.seq, event.prev_hash, event.actor_id) == (1, GENESIS_HASH, admin.user_id)
    assert (event.session_id, event.actor_roles) == (admin.session_id, "admin")
    assert (event.client_ip, event.request_id, event.user_agent) == (
        "203.0.113.5",
        "req-abcdef12",
        "Firefox/1",
    )
    assert isinstance(event.occurred_at, datetime)
    assert event.details == {"changed": ["target"]}
    fields = {name: getattr(event, name) for name in HASHED_FIELDS}
    assert event.hash == link_hash(GENESIS_HASH, fields)


async def test_details_must_be_small_plain_json(clean: App) -> None:
    async with clean.db.transaction() as session:
        with pytest.raises(TypeError):
            await record(session, None, AuditAction.SITE_UPDATED, details={"when": datetime.now()})
        with pytest.raises(ValueError, match="4 KiB"):
            await record(session, None, AuditAction.SITE_UPDATED, details={"ids": ["a" * 32] * 200})


async def _writer(app_state: App, worker: int, events: int) -> None:
    for index in range(events):
        async with app_state.db.transaction() as session:
            target = Target("site", f"w{worker}-{index}")
            await record(session, None, AuditAction.SITE_UPDATED, target=target)


@pytest.mark.mysql
@pytest.mark.asvs("V16.4.2")
async def test_parallel_writers_build_one_unbroken_chain(clean: App) -> None:
    writers, per_writer = 8, 500
    await asyncio.gather(*(_writer(clean, w, per_writer) for w in range(writers)))
    total = writers * per_writer
    result = await verify_chain(clean.db, batch_size=700)
    assert result.ok, result.broken
    assert (result.checked, result.head_seq) == (total, total)
    async with clean.db.transaction() as session:
        seqs = (await session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq))).scalars()
        assert list(seqs) == list(range(1, total + 1))
        prevs = await session.execute(select(func.count(func.distinct(AuditEvent.prev_hash))))
        assert prevs.scalar_one() == total  # no two events claim the same predecessor: no fork
        head = (await session.execute(select(AuditChainHead))).scalar_one()
        assert head.last_seq == total


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    details=st.dictionaries(st.text(max_size=10), _json_values, max_size=5),
    reason=st.none() | st.text(max_size=50),
)
def test_canonical_form_is_a_compact_ascii_json_array(details: dict[str, Any], reason: Any) -> None:
    fields = {"seq": 7, "id": "a" * 32, "occurred_at": datetime(2026, 1, 2, 3, 4, 5, 6)}
    fields |= {"action": "x.y", "outcome": "success", "reason": reason, "details": details}
    reference = [fields.get(name) for name in HASHED_FIELDS]
    reference[HASHED_FIELDS.index("occurred_at")] = "2026-01-02T03:04:05.000006"
    expected = json.dumps(reference, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert canonical(fields) == expected.encode()
    assert canonical_row([fields.get(name) for name in HASHED_FIELDS]) == expected.encode()
