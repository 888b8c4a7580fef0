"""`helio keys rotate-data-keys` killed with SIGKILL half-way, then run again, completes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

import pytest
from tests.factories.pii import expected, make_customer, raw_connect, read_everything

from helio.config import Settings
from helio.keys_admin.checkpoint import CheckpointStore
from helio.keys_admin.rotation import rotate_data_keys
from helio.keys_admin.run import RotationOptions
from helio.platform.app import App

pytestmark = [pytest.mark.mysql, pytest.mark.asvs("V11.2.2")]


def rotated_owners(settings: Settings) -> set[str]:
    connection = raw_connect(settings.database_url)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT owner_id FROM data_keys WHERE generation = 2 AND wrapped_key IS NOT NULL"
        )
        found = {row[0] for row in cursor.fetchall()}
    connection.close()
    return found


async def wait_for(condition, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the rotation did not get there in time"
        await asyncio.sleep(0.05)


async def test_sigkilled_rotation_resumes(clean: App, settings: Settings) -> None:
    people = [await make_customer(clean, n) for n in range(6)]
    owners = sorted(p.user_id for p in people)
    # Hold the fourth owner's key rows: the rotation commits three owners, then waits here.
    blocker = raw_connect(settings.database_url)
    blocker.autocommit(False)
    with blocker.cursor() as cursor:
        # Row locks only, as the app takes them (no gap locks that would block inserts).
        cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
        cursor.execute("SELECT * FROM data_keys WHERE owner_id = %s FOR UPDATE", (owners[3],))
    env = {
        **os.environ,
        "HELIO_ENV": "test",
        "HELIO_DATABASE_URL": settings.database_url,
        "HELIO_DATA_DIR": str(settings.data_dir),
    }
    env.pop("HELIO_REDIS_URL", None)
    command = [sys.executable, "-m", "helio.cli", "keys", "rotate-data-keys", "--batch-size", "1"]
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        await wait_for(lambda: rotated_owners(settings) == set(owners[:3]))
        await asyncio.sleep(0.2)  # let it block on the fourth owner
        process.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(process.wait(), 10) == -signal.SIGKILL
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        blocker.rollback()
        blocker.close()
    store = CheckpointStore(settings.data_dir / "rotations")
    assert store.load("data-keys") is not None
    assert rotated_owners(settings) == set(owners[:3])
    for person in people:
        assert await read_everything(clean, person) == expected(person)
    report = await rotate_data_keys(clean, options=RotationOptions(checkpoints=store))
    assert report.resumed
    assert report.processed == 3
    assert rotated_owners(settings) == set(owners)
    assert store.load("data-keys") is None
    for person in people:
        assert await read_everything(clean, person) == expected(person)
