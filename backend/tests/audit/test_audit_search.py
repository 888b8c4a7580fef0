"""Audit search (filters, cursor pages) and the JSON-lines export, both audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from tests.factories.accounts import admin_access, ctx
from tests.factories.audit import append

from helio.audit import AuditAction, Outcome, Target, record
from helio.audit.chain import HASHED_FIELDS, row_hash
from helio.authz.matrix import Perm
from helio.errors import RateLimited
from helio.kit.clock import clock
from helio.kit.pagination import InvalidCursor, encode_cursor
from helio.ops.audit.schemas import AuditQuery, ExportQuery
from helio.ops.audit.service import (
    EXPORT_RATE,
    export_lines,
    search_events,
    seq_after,
    start_export,
    to_filter,
)
from helio.platform.app import App

ADMIN = admin_access(Perm.AUDIT_READ)


async def _seed(app_state: App) -> None:
    async with app_state.db.transaction() as session:
        for index in range(6):
            await record(
                session,
                None,
                AuditAction.AUTH_SIGNED_IN,
                outcome=Outcome.FAILURE,
                actor_id="u1",
                target=Target("account", f"r{index}"),
            )
        await record(
            session,
            None,
            AuditAction.AUTH_MFA_CHECKED,
            actor_id="u2",
            target=Target("account", "u2"),
        )
        await record(
            session, None, AuditAction.QUOTE_CREATED, actor_id="u1", target=Target("order", "o9")
        )


async def _search(app_state: App, **params: object) -> list[int]:
    async with app_state.db.transaction() as session:
        page = await search_events(
            session, ctx(app_state, ADMIN), query=AuditQuery.model_validate(params)
        )
    return [item.seq for item in page.items]


async def test_filters_select_the_right_events(clean: App) -> None:
    await _seed(clean)
    assert await _search(clean, actor="u2") == [7]
    assert await _search(clean, action="quote.created") == [8]
    assert await _search(clean, action="auth.*", limit=3) == [7, 6, 5]
    assert await _search(clean, resource="order:o9") == [8]
    assert await _search(clean, resource="r2") == [3]
    assert await _search(clean, resource="account:o9") == []


async def test_time_window_is_utc(clean: App) -> None:
    await append(clean.db, 2)
    clock.advance(3600)
    await append(clean.db, 3)
    boundary = clock.now() - timedelta(minutes=30)
    assert await _search(clean, since=boundary.isoformat()) == [5, 4, 3]
    assert await _search(clean, until=boundary.isoformat()) == [2, 1]
    offset = boundary.astimezone(UTC).replace(tzinfo=None).isoformat() + "+00:00"
    assert await _search(clean, since=offset, action="site.updated") == [5, 4, 3]


def test_an_action_matches_its_name_from_before_the_vocabulary() -> None:
    exact = to_filter(AuditQuery(action="auth.signed_in"))
    assert exact.actions == ("auth.signed_in", "auth.login")
    prefix = to_filter(AuditQuery(action="site.*"))
    assert prefix.action_prefixes == ("site.", "sites.")
    unknown = to_filter(AuditQuery(action="orders.transition"))
    assert unknown.actions == ("orders.transition",)


async def test_cursor_pages_cover_everything_once(clean: App) -> None:
    await append(clean.db, 23)
    seen: list[int] = []
    cursor = None
    while True:
        async with clean.db.transaction() as session:
            query = AuditQuery(action="site.updated", limit=10, cursor=cursor)
            page = await search_events(session, ctx(clean, ADMIN), query=query)
        seen += [item.seq for item in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == list(range(23, 0, -1))


async def test_search_is_itself_audited(clean: App) -> None:
    await append(clean.db, 1)
    await _search(clean, actor="someone")
    async with clean.db.transaction() as session:
        page = await search_events(
            session, ctx(clean, ADMIN), query=AuditQuery(action=AuditAction.AUDIT_SEARCHED)
        )
    event = page.items[0]
    assert (event.actor_id, event.actor_roles) == (ADMIN.user_id, "admin")
    assert event.details == {"criteria": {"actor": "someone"}, "returned": 0}


@pytest.mark.asvs("V2.2.1")
@pytest.mark.parametrize(
    "params",
    [
        {"actor": "x' OR 1=1 --"},
        {"action": "auth.%"},
        {"resource": "a b"},
        {"limit": 0},
        {"limit": 201},
        {"cursor": "../../etc"},
        {"unknown": "field"},
    ],
)
def test_malformed_queries_are_refused(params: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        AuditQuery.model_validate(params)


@pytest.mark.parametrize(
    "cursor",
    ["czo", "eDox", "czotMQ", encode_cursor("1" * 20), encode_cursor("7", "8"), "%%%"],
)
def test_forged_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        seq_after(cursor)
    assert seq_after(encode_cursor(42)) == 42


async def _export(app_state: App, **params: object) -> list[dict[str, object]]:
    query = ExportQuery.model_validate(params)
    async with app_state.db.transaction() as session:
        upto = await start_export(session, ctx(app_state, ADMIN), query=query)
    await append(app_state.db, 2)  # appended after the export began: not included
    exported = export_lines(ctx(app_state, ADMIN), query=query, upto_seq=upto)
    lines = [line async for line in exported]
    return [json.loads(line) for line in lines]


@pytest.mark.asvs("V16.4.2", "V16.2.2")
async def test_export_streams_verifiable_json_lines(clean: App) -> None:
    await append(clean.db, 2500)
    rows = await _export(clean)
    assert [row["seq"] for row in rows] == list(range(1, 2501))
    prev = "0" * 64
    for row in rows:  # an offline verifier needs nothing but the export
        assert str(row["occurred_at"]).endswith("Z")  # UTC, explicitly
        when = datetime.fromisoformat(str(row["occurred_at"]).replace("Z", "+00:00"))
        values = [row[name] for name in HASHED_FIELDS]
        values[HASHED_FIELDS.index("occurred_at")] = when.replace(tzinfo=None)
        assert row["prev_hash"] == prev
        assert row_hash(prev, values) == row["hash"]
        prev = str(row["hash"])


@pytest.mark.asvs("V2.4.1")
async def test_export_is_audited_filtered_and_rate_limited(clean: App) -> None:
    await _seed(clean)
    rows = await _export(clean, actor="u1", limit=3)
    assert [row["seq"] for row in rows] == [1, 2, 3]
    async with clean.db.transaction() as session:
        page = await search_events(
            session, ctx(clean, ADMIN), query=AuditQuery(action=AuditAction.AUDIT_EXPORTED)
        )
    assert page.items[0].details == {"criteria": {"actor": "u1"}, "limit": 3, "upto_seq": 8}
    allowed = int(EXPORT_RATE.split("/")[0])
    for _ in range(allowed - 1):
        await _export(clean, limit=1)
    with pytest.raises(RateLimited):
        await _export(clean, limit=1)
