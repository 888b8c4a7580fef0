"""The verifier finds every kind of tampering, at the right place."""

from __future__ import annotations

import asyncio
import json
import secrets

import pytest
from sqlalchemy import select
from tests.factories.audit import append, execute, isolated, scalar
from typer.testing import CliRunner

from helio.alerts.delivery import evaluation_key
from helio.audit import AuditAction, repository
from helio.audit.chain import HASHED_FIELDS, row_hash, stored_values
from helio.audit.checkpoints import create_checkpoint, load_signing_keys, verification_keys
from helio.audit.verify import VerifyResult, verify_chain
from helio.commands.audit import audit_app
from helio.config import Settings, get_settings
from helio.models import AuditEvent, JobOutbox
from helio.platform.app import App

EVENTS = 30
_N = len(HASHED_FIELDS)


async def _verify(app_state: App) -> VerifyResult:
    keys = verification_keys(app_state.settings)
    return await verify_chain(app_state.db, public_keys=keys, batch_size=7)


def _broken(result: VerifyResult) -> tuple[str, int]:
    assert not result.ok
    assert result.broken is not None
    return result.broken.kind, result.broken.seq


@pytest.fixture
async def chain(clean: App) -> App:
    app_state = isolated(clean)
    await append(app_state.db, EVENTS)
    return app_state


async def _hash_of(app_state: App, seq: int) -> str:
    return str(await scalar(app_state.db, "SELECT hash FROM audit_events WHERE seq = :s", s=seq))


async def _checkpoint(app_state: App) -> None:
    await create_checkpoint(app_state.db, load_signing_keys(app_state.settings))


async def _rewrite(app_state: App, first: int, *, reason: str) -> None:
    """Change events first..end and recompute every hash and the head: a careful forger."""
    async with app_state.db.transaction() as session:
        rows = await repository.chain_batch(session, after_seq=0, last_seq=EVENTS, limit=EVENTS)
    prev = rows[first - 2][_N + 1] if first > 1 else "0" * 64
    for row in rows[first - 1 :]:
        values = stored_values(row)
        values[HASHED_FIELDS.index("reason")] = reason
        digest = row_hash(prev, values)
        sql = "UPDATE audit_events SET reason = :r, prev_hash = :p, hash = :h WHERE seq = :s"
        await execute(app_state.db, sql, r=reason, p=prev, h=digest, s=row[0])
        prev = digest
    await execute(app_state.db, "UPDATE audit_chain_head SET last_hash = :h", h=prev)


@pytest.mark.asvs("V16.4.2")
async def test_intact_chain_verifies_with_its_checkpoints(chain: App) -> None:
    await _checkpoint(chain)
    await append(chain.db, 5)
    result = await _verify(chain)
    assert (result.ok, result.complete, result.broken) == (True, True, None)
    assert (result.checked, result.head_seq, result.checkpoints_verified) == (35, 35, 1)


@pytest.mark.asvs("V16.4.2")
@pytest.mark.parametrize("seq", [1, 17, EVENTS])
async def test_edited_event_is_found_where_it_was_edited(chain: App, seq: int) -> None:
    await execute(
        chain.db, "UPDATE audit_events SET reason = 'nothing to see' WHERE seq = :s", s=seq
    )
    assert _broken(await _verify(chain)) == ("edited", seq)


@pytest.mark.asvs("V16.4.2")
async def test_edited_details_are_found(chain: App) -> None:
    await execute(chain.db, "UPDATE audit_events SET details = '{\"index\": 99}' WHERE seq = 9")
    assert _broken(await _verify(chain)) == ("edited", 9)


@pytest.mark.asvs("V16.4.2")
@pytest.mark.parametrize("seq", [1, 12])
async def test_deleted_event_is_found(chain: App, seq: int) -> None:
    await execute(chain.db, "DELETE FROM audit_events WHERE seq = :s", s=seq)
    assert _broken(await _verify(chain)) == ("deleted", seq)


@pytest.mark.asvs("V16.4.2")
async def test_deleted_tail_is_found_against_the_head(chain: App) -> None:
    await execute(chain.db, "DELETE FROM audit_events WHERE seq >= 28")
    assert _broken(await _verify(chain)) == ("deleted", 28)


@pytest.mark.asvs("V16.4.2")
async def test_deleted_tail_with_rewound_head_is_found_by_a_checkpoint(chain: App) -> None:
    await _checkpoint(chain)
    last = await _hash_of(chain, 27)
    await execute(chain.db, "DELETE FROM audit_events WHERE seq >= 28")
    await execute(chain.db, "UPDATE audit_chain_head SET last_seq = 27, last_hash = :h", h=last)
    assert _broken(await _verify(chain)) == ("deleted", 28)


@pytest.mark.asvs("V16.4.2")
async def test_reordered_events_are_found(chain: App) -> None:
    await execute(chain.db, "UPDATE audit_events SET seq = 1000 WHERE seq = 20")
    await execute(chain.db, "UPDATE audit_events SET seq = 20 WHERE seq = 21")
    await execute(chain.db, "UPDATE audit_events SET seq = 21 WHERE seq = 1000")
    result = await _verify(chain)
    assert _broken(result) == ("reordered", 20)
    assert result.broken is not None
    assert "follows event 21" in result.broken.message


@pytest.mark.asvs("V16.4.2")
async def test_event_rewritten_with_recomputed_hash_is_found(chain: App) -> None:
    async with chain.db.transaction() as session:
        rows = await repository.chain_batch(session, after_seq=14, last_seq=15, limit=1)
    values = stored_values(rows[0])
    values[HASHED_FIELDS.index("actor_id")] = "f" * 32
    digest = row_hash(rows[0][_N], values)
    sql = "UPDATE audit_events SET actor_id = :a, hash = :h WHERE seq = 15"
    await execute(chain.db, sql, a="f" * 32, h=digest)
    assert _broken(await _verify(chain)) == ("edited", 15)


@pytest.mark.asvs("V16.4.2")
async def test_forged_previous_link_is_found(chain: App) -> None:
    async with chain.db.transaction() as session:
        rows = await repository.chain_batch(session, after_seq=17, last_seq=18, limit=1)
    forged_prev = secrets.token_hex(32)
    digest = row_hash(forged_prev, stored_values(rows[0]))
    sql = "UPDATE audit_events SET prev_hash = :p, hash = :h WHERE seq = 18"
    await execute(chain.db, sql, p=forged_prev, h=digest)
    assert _broken(await _verify(chain)) == ("bad_prev_link", 18)


@pytest.mark.asvs("V16.4.2")
async def test_rewritten_tail_and_head_are_caught_by_the_signed_checkpoint(chain: App) -> None:
    await execute(chain.db, "DELETE FROM audit_events WHERE seq > 25")
    seq25 = await _hash_of(chain, 25)
    await execute(chain.db, "UPDATE audit_chain_head SET last_seq = 25, last_hash = :h", h=seq25)
    await _checkpoint(chain)
    await _rewrite(chain, 10, reason="rewritten history")
    assert await scalar(chain.db, "SELECT COUNT(*) FROM audit_events") == 25
    assert _broken(await _verify(chain)) == ("checkpoint_mismatch", 25)


@pytest.mark.asvs("V16.4.2")
async def test_forged_checkpoint_is_refused(chain: App) -> None:
    await _checkpoint(chain)
    await execute(chain.db, "UPDATE audit_checkpoints SET head_hash = :h", h="e" * 64)
    assert _broken(await _verify(chain)) == ("bad_checkpoint", EVENTS)


@pytest.mark.asvs("V16.4.2")
async def test_time_bounded_walk_reports_incomplete(chain: App) -> None:
    result = await verify_chain(chain.db, batch_size=5, max_seconds=0.0)
    assert result.ok
    assert not result.complete
    assert result.notes


def _run_cli(settings: Settings, *args: str) -> tuple[int, str, str]:
    env = {
        "HELIO_ENV": "test",
        "HELIO_DATABASE_URL": settings.effective_database_url,
        "HELIO_REDIS_URL": settings.redis_url or "",
        "HELIO_DATA_DIR": str(settings.data_dir),
    }
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(audit_app, list(args), env=env)
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.asvs("V16.4.2")
async def test_cli_verify_reports_the_first_broken_link(chain: App) -> None:
    code, _, messages = await asyncio.to_thread(_run_cli, chain.settings, "verify")
    assert code == 0, messages
    assert "chain intact" in messages
    await execute(chain.db, "UPDATE audit_events SET outcome = 'failure' WHERE seq = 23")
    await execute(chain.db, "DELETE FROM audit_events WHERE seq = 26")
    code, output, messages = await asyncio.to_thread(_run_cli, chain.settings, "verify", "--json")
    assert code == 1
    # The failed verification is recorded with its alert evaluation (the worker raises it):
    async with chain.db.transaction() as session:
        queued = (await session.scalars(select(JobOutbox.job_key))).all()
        failed = (
            await session.scalars(
                select(AuditEvent.id).where(
                    AuditEvent.action == AuditAction.AUDIT_VERIFIED, AuditEvent.outcome == "failure"
                )
            )
        ).all()
    assert [evaluation_key(event_id) for event_id in failed] == list(queued)
    report = json.loads(output)
    assert report["broken"]["kind"] == "edited"
    assert report["broken"]["seq"] == 23
