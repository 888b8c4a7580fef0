"""A chain walked in parts by separate processes finds every tampering where one walk does.

30 events in 3 parts: 1..10, 11..20, 21..30. The tampering sits at the links between
parts, where neither process alone can see it; each case is also walked in one piece
and both walks must name the same break.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest
from tests.factories.audit import append, execute, isolated
from typer.testing import CliRunner

from helio.audit import repository, verify, walk
from helio.audit.chain import HASHED_FIELDS, row_hash, stored_values
from helio.audit.checkpoints import create_checkpoint, load_signing_keys, verification_keys
from helio.audit.verify import VerifyResult, split, verify_chain
from helio.audit.walk import Part, PartResult, WalkFailed, walk_parts_in_processes
from helio.commands.audit import audit_app
from helio.config import get_settings
from helio.platform.app import App

EVENTS = 30
PARTS = 3
_N = len(HASHED_FIELDS)

Tamper = Callable[[App], Awaitable[None]]


@pytest.fixture
async def chain(clean: App) -> App:
    app_state = isolated(clean)
    await append(app_state.db, EVENTS)
    return app_state


async def _verify(app_state: App, workers: int) -> VerifyResult:
    keys = verification_keys(app_state.settings)
    return await verify_chain(app_state.db, public_keys=keys, batch_size=4, workers=workers)


async def _both(app_state: App) -> tuple[tuple[str, int, str], tuple[str, int, str]]:
    """The break found in 3 processes and the one found in one walk."""
    found = []
    for workers in (PARTS, 1):
        result = await _verify(app_state, workers)
        assert not result.ok
        assert result.broken is not None
        found.append((result.broken.kind, result.broken.seq, result.broken.message))
    return found[0], found[1]


async def _row(app_state: App, seq: int) -> Sequence[Any]:
    async with app_state.db.transaction() as session:
        rows = await repository.chain_batch(session, after_seq=seq - 1, last_seq=seq, limit=1)
    return rows[0]


async def _edit_last_of_part(app_state: App) -> None:
    await execute(app_state.db, "UPDATE audit_events SET reason = 'x' WHERE seq = 10")


async def _edit_first_of_part(app_state: App) -> None:
    await execute(app_state.db, "UPDATE audit_events SET outcome = 'failure' WHERE seq = 11")


async def _delete_first_of_part(app_state: App) -> None:
    await execute(app_state.db, "DELETE FROM audit_events WHERE seq = 21")


async def _delete_last_of_part(app_state: App) -> None:
    await execute(app_state.db, "DELETE FROM audit_events WHERE seq = 10")


async def _delete_across_parts(app_state: App) -> None:
    await execute(app_state.db, "DELETE FROM audit_events WHERE seq BETWEEN 9 AND 12")


async def _delete_whole_part(app_state: App) -> None:
    await execute(app_state.db, "DELETE FROM audit_events WHERE seq BETWEEN 11 AND 20")


async def _forge_first_link(app_state: App) -> None:
    row = await _row(app_state, 11)
    forged = secrets.token_hex(32)
    digest = row_hash(forged, stored_values(row))
    sql = "UPDATE audit_events SET prev_hash = :p, hash = :h WHERE seq = 11"
    await execute(app_state.db, sql, p=forged, h=digest)


async def _rewrite_last_of_part(app_state: App) -> None:
    row = await _row(app_state, 20)
    values = stored_values(row)
    values[HASHED_FIELDS.index("actor_id")] = "f" * 32
    sql = "UPDATE audit_events SET actor_id = :a, hash = :h WHERE seq = 20"
    await execute(app_state.db, sql, a="f" * 32, h=row_hash(row[_N], values))


async def _swap_across_boundary(app_state: App) -> None:
    await execute(app_state.db, "UPDATE audit_events SET seq = 1000 WHERE seq = 10")
    await execute(app_state.db, "UPDATE audit_events SET seq = 10 WHERE seq = 11")
    await execute(app_state.db, "UPDATE audit_events SET seq = 11 WHERE seq = 1000")


async def _rechain_a_whole_part(app_state: App) -> None:
    """Events 11..20 rewritten and re-hashed from a forged start: the part is consistent."""
    async with app_state.db.transaction() as session:
        rows = await repository.chain_batch(session, after_seq=10, last_seq=20, limit=10)
    prev = secrets.token_hex(32)
    for row in rows:
        values = stored_values(row)
        values[HASHED_FIELDS.index("reason")] = "rewritten"
        digest = row_hash(prev, values)
        sql = (
            "UPDATE audit_events SET reason = 'rewritten', prev_hash = :p, hash = :h WHERE seq = :s"
        )
        await execute(app_state.db, sql, p=prev, h=digest, s=row[0])
        prev = digest


TAMPERING: dict[str, tuple[Tamper, str, int]] = {
    "edited last event of a part": (_edit_last_of_part, "edited", 10),
    "edited first event of a part": (_edit_first_of_part, "edited", 11),
    "deleted first event of a part": (_delete_first_of_part, "deleted", 21),
    "deleted last event of a part": (_delete_last_of_part, "deleted", 10),
    "deleted events across two parts": (_delete_across_parts, "deleted", 9),
    "deleted a whole part": (_delete_whole_part, "deleted", 11),
    "forged link at a part's start": (_forge_first_link, "bad_prev_link", 11),
    "rewritten last event, hash recomputed": (_rewrite_last_of_part, "edited", 20),
    "events swapped across parts": (_swap_across_boundary, "reordered", 10),
    "whole part re-chained from a forged start": (_rechain_a_whole_part, "edited", 10),
}


@pytest.mark.asvs("V16.4.2")
@pytest.mark.parametrize("case", list(TAMPERING))
async def test_tampering_at_part_boundaries_is_found_where_one_walk_finds_it(
    chain: App, case: str
) -> None:
    tamper, kind, seq = TAMPERING[case]
    await tamper(chain)
    in_parts, in_one = await _both(chain)
    assert in_parts == in_one
    assert in_parts[:2] == (kind, seq)


@pytest.mark.asvs("V16.4.2")
async def test_intact_chain_verifies_in_parts_with_its_checkpoints(chain: App) -> None:
    await create_checkpoint(chain.db, load_signing_keys(chain.settings))
    await append(chain.db, 5)
    result = await _verify(chain, PARTS)
    assert (result.ok, result.complete, result.broken) == (True, True, None)
    assert (result.checked, result.head_seq, result.checkpoints_verified) == (35, 35, 1)


@pytest.mark.asvs("V16.4.2")
async def test_rewritten_tail_is_caught_by_a_checkpoint_inside_a_part(chain: App) -> None:
    await create_checkpoint(chain.db, load_signing_keys(chain.settings))  # signs event 30
    await append(chain.db, 5)
    async with chain.db.transaction() as session:
        rows = await repository.chain_batch(session, after_seq=0, last_seq=35, limit=35)
    prev = rows[14][_N + 1]
    for row in rows[15:]:  # events 16..35 rewritten and re-hashed, head moved: only 30 is signed
        values = stored_values(row)
        values[HASHED_FIELDS.index("reason")] = "rewritten"
        digest = row_hash(prev, values)
        sql = (
            "UPDATE audit_events SET reason = 'rewritten', prev_hash = :p, hash = :h WHERE seq = :s"
        )
        await execute(chain.db, sql, p=prev, h=digest, s=row[0])
        prev = digest
    await execute(chain.db, "UPDATE audit_chain_head SET last_hash = :h", h=prev)
    in_parts, in_one = await _both(chain)
    assert in_parts == in_one
    assert in_parts[:2] == ("checkpoint_mismatch", 30)


@pytest.mark.asvs("V16.4.2")
async def test_deleted_tail_is_found_against_the_head_in_parts(chain: App) -> None:
    await execute(chain.db, "DELETE FROM audit_events WHERE seq >= 25")
    in_parts, in_one = await _both(chain)
    assert in_parts == in_one
    assert in_parts[:2] == ("deleted", 25)


async def test_time_bounded_walk_in_parts_reports_incomplete(chain: App) -> None:
    result = await verify_chain(chain.db, batch_size=2, max_seconds=0.0, workers=PARTS)
    assert (result.ok, result.complete) == (True, False)
    assert result.notes
    assert result.checked < EVENTS


async def test_a_failing_part_process_fails_the_walk(chain: App) -> None:
    url = chain.db.url.rsplit("/", 1)[0] + "/no_such_database_" + secrets.token_hex(4)
    with pytest.raises(WalkFailed):
        await walk_parts_in_processes(url, [Part(1, 10), Part(11, 20)], batch_size=5)


async def test_hashing_runs_off_the_event_loop(chain: App, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: set[int] = set()
    real_scan = walk.scan

    def scan(rows: Sequence[Any], state: Any) -> int | None:
        threads.add(threading.get_ident())
        return real_scan(rows, state)

    monkeypatch.setattr(walk, "scan", scan)
    result = await _verify(chain, 1)
    assert result.ok
    assert threads
    assert threading.get_ident() not in threads


def test_parts_cover_the_chain_once_and_carry_their_checkpoints() -> None:
    parts = split(30, 4, {8: "a" * 64, 9: "b" * 64, 30: "c" * 64, 31: "d" * 64})
    assert [(p.first, p.last) for p in parts] == [(1, 8), (9, 16), (17, 24), (25, 30)]
    assert [p.anchors for p in parts] == [{8: "a" * 64}, {9: "b" * 64}, {}, {30: "c" * 64}]
    assert [(p.first, p.last) for p in split(0, 2, {})] == [(1, 0)]
    assert [(p.first, p.last) for p in split(2, 3, {})] == [(1, 1), (2, 2)]


async def test_only_long_chains_are_split_across_processes(
    chain: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = walk.walk_parts_in_processes

    async def spy(url: str, parts: Sequence[Part], **options: Any) -> list[PartResult]:
        calls.append(len(parts))
        return await real(url, parts, **options)

    monkeypatch.setattr(verify, "walk_parts_in_processes", spy)
    assert (await verify_chain(chain.db)).ok
    assert calls == []
    monkeypatch.setattr(verify, "PARALLEL_MIN_EVENTS", EVENTS)
    assert (await verify_chain(chain.db)).ok
    assert len(calls) == 1
    assert 1 <= calls[0] <= verify.MAX_WORKERS


@pytest.mark.asvs("V16.4.2")
async def test_cli_verify_splits_the_walk_when_told(chain: App) -> None:
    await execute(chain.db, "UPDATE audit_events SET reason = 'x' WHERE seq = 14")
    env = {
        "HELIO_ENV": "test",
        "HELIO_DATABASE_URL": chain.settings.effective_database_url,
        "HELIO_REDIS_URL": chain.settings.redis_url or "",
        "HELIO_DATA_DIR": str(chain.settings.data_dir),
    }
    args = ["verify", "--json", "--workers", "2"]
    get_settings.cache_clear()
    try:
        outcome = await asyncio.to_thread(CliRunner().invoke, audit_app, args, env=env)
    finally:
        get_settings.cache_clear()
    assert outcome.exit_code == 1, outcome.stderr
    report = json.loads(outcome.stdout)
    assert (report["broken"]["kind"], report["broken"]["seq"]) == ("edited", 14)
    assert [(p["first"], p["last"]) for p in report["parts"]] == [(1, 15), (16, 30)]
