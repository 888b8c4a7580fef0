"""Signed checkpoints: the key file, a configured key, rotation and the periodic schedule."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from tests.factories.audit import append, isolated

from helio.audit import repository
from helio.audit.checkpoints import (
    checkpoint_is_valid,
    create_checkpoint,
    key_file,
    key_id,
    load_signing_keys,
    rotate_signing_key,
    verification_keys,
)
from helio.audit.hooks import AuditRecord
from helio.audit.monitor import CheckpointScheduler
from helio.audit.verify import verify_chain
from helio.config import Settings
from helio.kit.clock import utcnow
from helio.platform.app import App
from helio.security.files import KeyringError


@pytest.fixture
def quiet(clean: App) -> App:
    return isolated(clean)


def _in(settings: Settings, directory: Path, **changes: object) -> Settings:
    return settings.model_copy(update={"data_dir": directory, **changes})


def test_key_file_is_created_private_and_reused(settings: Settings, tmp_path: Path) -> None:
    local = _in(settings, tmp_path)
    first = load_signing_keys(local)
    mode = stat.S_IMODE(key_file(local).stat().st_mode)
    assert mode == 0o600
    assert load_signing_keys(local).current_id == first.current_id
    assert first.current_id == key_id(first.private.public_key())


def test_key_file_readable_by_others_is_refused(settings: Settings, tmp_path: Path) -> None:
    local = _in(settings, tmp_path)
    load_signing_keys(local)
    key_file(local).chmod(0o644)
    with pytest.raises(KeyringError, match="group or others"):
        load_signing_keys(local)


def test_configured_key_signs_and_file_keys_still_verify(
    settings: Settings, tmp_path: Path
) -> None:
    seed = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    file_key = load_signing_keys(_in(settings, tmp_path)).current_id
    configured = _in(settings, tmp_path, audit_signing_key=base64.b64encode(seed).decode())
    keys = load_signing_keys(configured)
    assert keys.current_id != file_key
    assert set(verification_keys(configured)) == {file_key, keys.current_id}
    with pytest.raises(ValueError, match="32-byte"):
        load_signing_keys(_in(settings, tmp_path, audit_signing_key="c2hvcnQ="))


async def test_rotation_keeps_old_checkpoints_verifiable(quiet: App, tmp_path: Path) -> None:
    clean = quiet
    local = _in(clean.settings, tmp_path)
    await append(clean.db, 3)
    old = await create_checkpoint(clean.db, load_signing_keys(local))
    new_id = rotate_signing_key(local)
    await append(clean.db, 3)
    new = await create_checkpoint(clean.db, load_signing_keys(local))
    assert (old.key_id != new.key_id, new.key_id) == (True, new_id)
    stored = json.loads(key_file(local).read_text())
    assert stored["keys"][old.key_id]["private"] is None  # the retired private half is gone
    keys = verification_keys(local)
    assert checkpoint_is_valid(old, keys[old.key_id])
    assert checkpoint_is_valid(new, keys[new_id])
    result = await verify_chain(clean.db, public_keys=keys)
    assert result.ok
    assert result.checkpoints_verified == 2


@pytest.mark.asvs("V16.4.2")
async def test_checkpoint_signed_by_a_foreign_key_is_not_trusted(
    quiet: App, tmp_path: Path
) -> None:
    clean = quiet
    await append(clean.db, 4)
    forger = _in(clean.settings, tmp_path / "forger")
    await create_checkpoint(clean.db, load_signing_keys(forger))
    result = await verify_chain(clean.db, public_keys=verification_keys(clean.settings))
    assert result.ok
    assert result.checkpoints_verified == 0
    assert result.checkpoints_unverifiable == 1
    assert result.notes


async def test_scheduler_signs_one_checkpoint_per_interval(quiet: App) -> None:
    clean = quiet
    scheduler = CheckpointScheduler(clean.settings, clean.db, clean.state)
    await append(clean.db, 2)
    async with clean.db.transaction() as session:
        head = await repository.read_head(session)
    for _ in range(3):
        await scheduler.on_event(AuditRecord(1, "e" * 32, utcnow(), "x.y", "success"))
    async with clean.db.transaction() as session:
        checkpoints = await repository.checkpoints(session)
    assert [(c.seq, c.head_hash) for c in checkpoints] == [head]
