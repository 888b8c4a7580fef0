"""Online, batched, resumable key rotations: KEK re-wrap, data-key re-encryption, blind indexes.

The application keeps serving during each rotation: batches are short
transactions, old and new keys coexist (key ids are stored with every wrap,
generations with every ciphertext, versions with every blind index), and an
old key is destroyed only once nothing uses it. A crash or kill leaves every
row readable; running the command again resumes from the saved checkpoint.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helio.auth.accounts.profiles import name_prefix
from helio.db import after_commit
from helio.keys_admin import repository as repo
from helio.keys_admin.checkpoint import CheckpointStore
from helio.keys_admin.lead_indexes import reindex_leads
from helio.keys_admin.registry import ENCRYPTED_TABLES
from helio.keys_admin.run import (
    BatchRecorder,
    RotationError,
    RotationOptions,
    RotationReport,
    reload_keyrings,
)
from helio.kit.clock import utcnow
from helio.platform.app import App
from helio.security.blind_index import ERASED_VERSION, erased_index
from helio.security.crypto import DecryptionError, data_key_context
from helio.security.keys.local import LocalKeyProvider
from helio.security.keys.types import KeyProvider, WrappedKey
from helio.security.vault import KeyDestroyed

KEK, DATA_KEYS, INDEX = "kek", "data-keys", "index"
# Final passes from the start catch rows written behind the cursor by app
# instances that had not yet seen the new key.
_MAX_SWEEPS = 3

__all__ = ["rotate_data_keys", "rotate_index", "rotate_kek"]


async def rotate_kek(
    app: App, *, new_kek: bool = True, options: RotationOptions | None = None
) -> RotationReport:
    """Re-wrap every live data key under the current KEK, then retire unused old KEKs.

    Args:
        app: the deployment's app (database, key providers, vault).
        new_kek: add a new KEK to the local keyring first (not on resume); with
            aws-kms, configure the new key id instead and pass False.
        options: batch size, progress, checkpoint store and test hook.

    Returns:
        The report; `retired` names destroyed KEKs, `kept` those still in use.

    Raises:
        RotationError: a new KEK was asked of a provider that cannot add one, or a
            wrapped key failed to unwrap (the checkpoint stays).
        RotationBusy: another KEK rotation is running.
    """
    opts = options or RotationOptions()
    store = opts.store(app)
    with store.exclusive(KEK):
        state, resumed = _kek_run(app, store, new_kek=new_kek)
        report = RotationReport(KEK, str(state["target"]), resumed=resumed)
        async with app.db.transaction() as session:
            opts.progress.start(await repo.count_to_rewrap(session, report.target))
        recorder = BatchRecorder(KEK, state, report, opts, store)
        after = (str(state["after"][0]), int(state["after"][1]))
        await _rewrap_pass(app, recorder, after, opts.batch_size)
        for _ in range(_MAX_SWEEPS):
            if not await _rewrap_pass(app, recorder, ("", 0), opts.batch_size):
                break
        await _reseal_signing_keys(app)
        await _retire_keks(app, report)
        store.clear(KEK)
        return report.finish()


def _kek_run(app: App, store: CheckpointStore, *, new_kek: bool) -> tuple[dict[str, Any], bool]:
    """Return the checkpoint to continue (and True), or start a run (adding a KEK first)."""
    reload_keyrings(app)
    state = store.load(KEK)
    if state is not None and state.get("target") == app.keys.current_kek_id():
        return state, True
    target = _add_kek(app.keys) if new_kek else app.keys.current_kek_id()
    reload_keyrings(app)
    state = {"target": target, "after": ["", 0], "done": 0}
    store.save(KEK, state)
    return state, False


def _add_kek(provider: KeyProvider) -> str:
    if not isinstance(provider, LocalKeyProvider):
        raise RotationError(
            "this key provider adds KEKs outside Helio: configure the new KMS key id "
            "(HELIO_KMS_KEY_ID), then run `helio keys rotate-kek --no-new-kek`"
        )
    return provider.rotate_kek()


async def _rewrap_pass(
    app: App, recorder: BatchRecorder, after: tuple[str, int], batch_size: int
) -> int:
    """Re-wrap keys past `after` batch by batch; return how many were re-wrapped."""
    target, total = recorder.report.target, 0
    while True:
        async with app.db.transaction() as session:
            rows = await repo.keys_to_rewrap(session, target, after, batch_size)
            if rows:
                rewrapped = await asyncio.to_thread(_rewrap, app.keys, rows, target)
                await repo.store_rewrapped(session, rewrapped)
        if not rows:
            return total
        after = (str(rows[-1].owner_id), int(rows[-1].generation))
        total += len(rows)
        recorder.record(len(rows), 0, after=list(after))


def _rewrap(provider: KeyProvider, rows: Sequence[Any], target: str) -> list[dict[str, Any]]:
    """Unwrap each key with the KEK it names and wrap it again under the current one."""
    out = []
    for row in rows:
        context = data_key_context(row.owner_id, row.generation)
        try:
            key = provider.unwrap(WrappedKey.from_bytes(row.wrapped_key), context=context)
        except DecryptionError as exc:
            raise RotationError(
                f"data key {row.owner_id}/{row.generation} does not unwrap; "
                "restore its KEK or investigate before rotating"
            ) from exc
        wrapped = provider.wrap(key, context=context)
        if wrapped.kek_id != target:
            raise RotationError("the current KEK changed during the rotation; run it again")
        out.append(
            {
                "owner_id": row.owner_id,
                "generation": row.generation,
                "created_at": row.created_at,
                "kek_id": wrapped.kek_id,
                "wrapped_key": wrapped.to_bytes(),
            }
        )
    return out


async def _reseal_signing_keys(app: App) -> None:
    """Move the JWT signing key file to the current KEK: it is wrapped by a KEK too."""
    try:
        await app.server_keys.reseal()
    except DecryptionError as exc:
        raise RotationError(
            "the JWT signing key file does not unwrap; restore its KEK or investigate "
            "before rotating"
        ) from exc


async def _retire_keks(app: App, report: RotationReport) -> None:
    async with app.db.transaction() as session:
        usage = await repo.kek_usage(session)
    report.kept = sorted(k for k in usage if k != report.target)
    provider = app.keys
    if not isinstance(provider, LocalKeyProvider):
        return  # KMS keys are disabled and scheduled for deletion in KMS itself
    for kek_id in provider.kek_ids():
        if kek_id != report.target and kek_id not in usage:
            provider.retire_kek(kek_id)
            report.retired.append(kek_id)
    reload_keyrings(app)


async def rotate_data_keys(app: App, *, options: RotationOptions | None = None) -> RotationReport:
    """Give every owner a new data key and re-encrypt their fields, one owner per transaction.

    Each owner's transaction creates generation g+1, re-encrypts every
    encrypted column of the owner's rows under it and destroys the older
    generations, so after a crash each owner is either fully old or fully new.

    Raises:
        RotationBusy: another data-key rotation is running.
        DecryptionError: a stored value failed authentication (the owner is left as it was).
    """
    opts = options or RotationOptions(batch_size=100)
    store = opts.store(app)
    with store.exclusive(DATA_KEYS):
        state = store.load(DATA_KEYS)
        resumed = state is not None
        if state is None:
            state = {"target": utcnow().isoformat(), "after": "", "done": 0}
            store.save(DATA_KEYS, state)
        report = RotationReport(DATA_KEYS, str(state["target"]), resumed=resumed)
        started = datetime.fromisoformat(report.target)
        async with app.db.transaction() as session:
            opts.progress.start(await repo.count_live_owners(session))
        recorder = BatchRecorder(DATA_KEYS, state, report, opts, store)
        after = str(state["after"])
        while True:
            async with app.db.transaction() as session:
                owners = await repo.owners_to_rotate(session, after, started, opts.batch_size)
            if not owners:
                break
            rotated = await _rotate_owners(app, owners, started, opts.concurrency)
            after = owners[-1]
            recorder.record(sum(rotated), len(owners) - sum(rotated), after=after)
        store.clear(DATA_KEYS)
        return report.finish()


async def _rotate_owners(
    app: App, owners: list[str], started: datetime, concurrency: int
) -> list[bool]:
    """Rotate owners side by side, each in its own transaction; one failure cancels the rest."""
    gate = asyncio.Semaphore(concurrency)

    async def one(owner_id: str) -> bool:
        async with gate:
            return await _rotate_owner_safely(app, owner_id, started)

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(one(owner_id)) for owner_id in owners]
    return [task.result() for task in tasks]


async def _rotate_owner_safely(app: App, owner_id: str, started: datetime) -> bool:
    try:
        async with app.db.transaction() as session:
            return await _rotate_owner(session, app, owner_id, started)
    except BaseException:
        # The new generation was cached before the rollback; a retry reuses its number.
        app.vault.cache.forget(owner_id)
        raise


async def _rotate_owner(session: AsyncSession, app: App, owner_id: str, started: datetime) -> bool:
    keys = await repo.lock_owner_keys(session, owner_id)
    live = [k for k in keys if k.destroyed_at is None]
    if not live or max(k.created_at for k in live) >= started:
        return False  # rotated already (by this run before a crash) or shredded meanwhile
    generation = max(k.generation for k in keys) + 1
    new_key = await app.vault.create_key(session, owner_id, generation)
    cipher = app.vault.cipher
    for spec in ENCRYPTED_TABLES:
        for row in await repo.owner_ciphertexts(session, spec, owner_id):
            row_id, values = str(row[0]), dict[str, bytes | None]()
            ciphertexts: tuple[bytes | None, ...] = tuple(row[1:])
            for column, ciphertext in zip(spec.columns, ciphertexts, strict=True):
                if ciphertext is None:
                    continue
                where = {"table": spec.name, "column": column, "row_id": row_id}
                plain = await app.vault.open(session, owner_id, ciphertext, **where)
                assert plain is not None
                values[column] = cipher.encrypt(new_key, plain, key_generation=generation, **where)
            if values:
                await repo.set_ciphertexts(session, spec, row_id, values)
    await repo.set_user_generation(session, owner_id, generation)
    await repo.destroy_generations_except(session, owner_id, generation)

    async def drop_old_keys() -> None:
        app.vault.cache.forget(owner_id)

    after_commit(session, drop_old_keys)
    return True


async def rotate_index(app: App, *, options: RotationOptions | None = None) -> RotationReport:
    """Recompute every blind index (accounts' and leads') under a new key version.

    Lookups keep working meanwhile: `BlindIndexer.lookup_candidates` matches
    every live version. The old versions are retired once no row uses them;
    rows that fail to decrypt are listed in `failed` and keep the old version alive.

    Raises:
        RotationBusy: another index rotation is running.
    """
    opts = options or RotationOptions()
    store = opts.store(app)
    keyring = app.keyring
    with store.exclusive(INDEX):
        reload_keyrings(app)
        state = store.load(INDEX)
        resumed = state is not None and int(state["target"]) == (
            keyring.current_blind_index_version()
        )
        if state is None or not resumed:
            state = {"target": keyring.add_blind_index_version(), "after": "", "done": 0}
            reload_keyrings(app)
            store.save(INDEX, state)
        report = RotationReport(INDEX, str(state["target"]), resumed=resumed)
        async with app.db.transaction() as session:
            opts.progress.start(await repo.count_users(session))
        recorder = BatchRecorder(INDEX, state, report, opts, store)
        await _index_pass(app, recorder, str(state["after"]), opts.batch_size)
        for _ in range(_MAX_SWEEPS):
            report.failed.clear()
            if not await _index_pass(app, recorder, "", opts.batch_size):
                break
        await reindex_leads(app, int(report.target), opts.batch_size, report)
        _retire_index_versions(app, report)
        store.clear(INDEX)
        return report.finish()


async def _index_pass(app: App, recorder: BatchRecorder, after: str, batch_size: int) -> int:
    """Recompute stale indexes of accounts past `after`; return how many rows changed."""
    version, total = int(recorder.report.target), 0
    while True:
        async with app.db.transaction() as session:
            rows = await repo.users_for_indexing(session, after, batch_size)
            stale = [row for row in rows if not _index_is_current(row, version)]
            await _prefetch_keys(session, app, [str(row.id) for row in stale])
            changes = []
            for row in stale:
                change = await _reindex(session, app, row, version, recorder.report)
                changes += [change] if change else []
            await repo.store_indexes(session, changes)
        if not rows:
            return total
        after, total = str(rows[-1].id), total + len(changes)
        recorder.record(len(changes), len(rows) - len(changes), after=after)


async def _prefetch_keys(session: AsyncSession, app: App, owner_ids: list[str]) -> None:
    """Unwrap a batch's data keys in one worker-thread call and cache them for `vault.open`."""
    cache = app.vault.cache
    rows = await repo.live_wrapped_keys(session, owner_ids)
    missing = [r for r in rows if cache.get(r.owner_id, r.generation) is None]
    for row, key in await asyncio.to_thread(_unwrap_each, app.keys, missing):
        cache.put(row.owner_id, row.generation, key)


def _unwrap_each(provider: KeyProvider, rows: Sequence[Any]) -> list[tuple[Any, bytes]]:
    out = []
    for row in rows:
        context = data_key_context(row.owner_id, row.generation)
        try:
            out.append(
                (row, provider.unwrap(WrappedKey.from_bytes(row.wrapped_key), context=context))
            )
        except DecryptionError:
            continue  # `vault.open` meets it again and the row is reported as failed
    return out


def _index_is_current(row: Any, version: int) -> bool:
    indexes = (row.email_bidx, row.phone_bidx, row.name_prefix_bidx)
    if row.email_bidx[0] == ERASED_VERSION:
        return True
    return all(index is None or index[0] == version for index in indexes)


async def _reindex(
    session: AsyncSession, app: App, row: Any, version: int, report: RotationReport
) -> dict[str, Any] | None:
    plain: dict[str, str | None] = {}
    try:
        for column in ("email_ct", "phone_ct", "full_name_ct"):
            plain[column] = await app.vault.open(
                session, row.id, getattr(row, column), table="users", column=column, row_id=row.id
            )
    except KeyDestroyed:
        # The owner was crypto-shredded: their indexes go with their data.
        return {
            "id": row.id,
            "email_bidx": erased_index(),
            "phone_bidx": None,
            "name_prefix_bidx": None,
        }
    except DecryptionError:
        report.failed.append(str(row.id))
        return None
    index = app.indexer.index
    email, phone, name = plain["email_ct"], plain["phone_ct"], plain["full_name_ct"]
    return {
        "id": row.id,
        "email_bidx": index("email", email or "", version=version),
        "phone_bidx": index("phone", phone, version=version) if phone else None,
        "name_prefix_bidx": (
            index("name_prefix", name_prefix(name), version=version) if name else None
        ),
    }


def _retire_index_versions(app: App, report: RotationReport) -> None:
    keyring, target = app.keyring, int(report.target)
    old = [v for v in keyring.blind_index_versions() if v != target]
    if report.failed:
        report.kept = [str(v) for v in old]
        return
    for version in old:
        keyring.retire_blind_index_version(version)
        report.retired.append(str(version))
    reload_keyrings(app)
