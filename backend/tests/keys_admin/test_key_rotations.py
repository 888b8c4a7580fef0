"""The three online rotations keep every record readable and resume after a crash."""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.factories.leads import public_lead, stored_lead
from tests.factories.pii import Customer, expected, make_customer, read_everything

from helio.auth.accounts.profiles import find_by_email, find_by_name_prefix, find_by_phone
from helio.keys_admin.checkpoint import CheckpointStore, RotationBusy
from helio.keys_admin.registry import registered_columns
from helio.keys_admin.rotation import rotate_data_keys, rotate_index, rotate_kek
from helio.keys_admin.run import RotationError, RotationOptions
from helio.leads import repository as leads
from helio.models import Base, DataKey, Site, User
from helio.platform.app import App
from helio.security.crypto import FieldCipher
from helio.security.keys.aws_kms import AwsKmsKeyProvider
from helio.security.keys.local import LocalKeyProvider
from helio.security.keys.types import WrappedKey
from helio.security.vault import FieldVault
from helio_standins.kms import FakeKmsClient

pytestmark = pytest.mark.asvs("V11.2.2")


class Crash(Exception):
    """Stands for a process dying between two batches."""


def crash_after(batch: int):  # type: ignore[no-untyped-def]
    def hook(done: int) -> None:
        if done == batch:
            raise Crash

    return hook


@pytest.fixture
def store(tmp_path: Path) -> CheckpointStore:
    return CheckpointStore(tmp_path / "rotations")


async def customers(app_state: App, count: int) -> list[Customer]:
    return [await make_customer(app_state, n) for n in range(count)]


async def assert_all_readable(app_state: App, people: list[Customer]) -> None:
    for person in people:
        assert await read_everything(app_state, person) == expected(person)


async def key_rows(app_state: App) -> list[DataKey]:
    async with app_state.db.transaction() as session:
        return list((await session.execute(select(DataKey))).scalars())


class TestRotateKek:
    async def test_rewraps_every_key_and_retires_the_old_kek(
        self, clean: App, store: CheckpointStore
    ) -> None:
        people = await customers(clean, 5)
        old = clean.keys.current_kek_id()
        report = await rotate_kek(clean, options=RotationOptions(batch_size=2, checkpoints=store))
        assert report.target == clean.keys.current_kek_id() != old
        assert report.processed == 5
        assert report.batches == 3
        assert {row.kek_id for row in await key_rows(clean)} == {report.target}
        assert old in report.retired
        assert isinstance(clean.keys, LocalKeyProvider)
        assert old not in clean.keys.kek_ids()
        await assert_all_readable(clean, people)
        assert store.load("kek") is None

    async def test_the_jwt_signing_key_file_moves_to_the_new_kek(
        self, clean: App, store: CheckpointStore
    ) -> None:
        kid = await clean.server_keys.rotate_signing()  # the file exists, under the current KEK
        old = clean.keys.current_kek_id()
        report = await rotate_kek(clean, options=RotationOptions(checkpoints=store))
        assert old in report.retired
        stored = await clean.server_keys.stored_signing()  # read from disk, not the cache
        assert stored is not None
        assert stored.current.kid == kid
        wrapped = json.loads(clean.server_keys.keyfile.read_bytes())["wrapped_key"]
        assert WrappedKey.from_bytes(base64.b64decode(wrapped)).kek_id == report.target

    async def test_killed_half_way_then_restarted_completes(
        self, clean: App, store: CheckpointStore
    ) -> None:
        people = await customers(clean, 7)
        options = RotationOptions(batch_size=2, checkpoints=store, after_batch=crash_after(2))
        with pytest.raises(Crash):
            await rotate_kek(clean, options=options)
        target = clean.keys.current_kek_id()
        assert sorted(r.kek_id == target for r in await key_rows(clean)) == [False] * 3 + [True] * 4
        await assert_all_readable(clean, people)  # old and new KEK coexist meanwhile
        report = await rotate_kek(clean, options=RotationOptions(batch_size=2, checkpoints=store))
        assert report.resumed
        assert report.target == target
        assert report.processed == 3
        assert {row.kek_id for row in await key_rows(clean)} == {target}
        await assert_all_readable(clean, people)

    async def test_kms_rewraps_under_a_newly_configured_key(
        self, clean: App, store: CheckpointStore
    ) -> None:
        kms = FakeKmsClient()
        first = AwsKmsKeyProvider(kms, kms.create_key()["KeyMetadata"]["KeyId"])
        on_first = dataclasses.replace(clean, keys=first, vault=FieldVault(first))
        people = await customers(on_first, 3)
        second = AwsKmsKeyProvider(kms, kms.create_key()["KeyMetadata"]["KeyId"])
        on_second = dataclasses.replace(clean, keys=second, vault=FieldVault(second))
        options = RotationOptions(batch_size=2, checkpoints=store)
        with pytest.raises(RotationError, match="--no-new-kek"):
            await rotate_kek(on_second, options=options)
        report = await rotate_kek(on_second, new_kek=False, options=options)
        assert report.processed == 3
        assert report.target == second.current_kek_id()
        kms.disable_key(KeyId=first.current_kek_id())  # nothing may need the old key now
        await assert_all_readable(on_second, people)

    async def test_a_second_run_at_the_same_time_is_refused(
        self, clean: App, store: CheckpointStore
    ) -> None:
        with store.exclusive("kek"), pytest.raises(RotationBusy):
            await rotate_kek(clean, options=RotationOptions(checkpoints=store))


async def generations(app_state: App, person: Customer) -> tuple[set[int], set[int]]:
    """Return (live key generations, generations named by the person's ciphertexts)."""
    async with app_state.db.transaction() as session:
        keys = (
            await session.execute(select(DataKey).where(DataKey.owner_id == person.user_id))
        ).scalars()
        live = {k.generation for k in keys if k.wrapped_key is not None}
        user = await session.get(User, person.user_id)
        site = await session.get(Site, person.site_id)
        assert user is not None
        assert site is not None
        values = [user.email_ct, user.full_name_ct, user.phone_ct, user.address_ct, user.notes_ct]
        used = {FieldCipher.key_generation(v) for v in [*values, site.address_ct] if v}
    return live, used


class TestRotateDataKeys:
    async def test_reencrypts_every_column_and_destroys_the_old_key(
        self, clean: App, store: CheckpointStore
    ) -> None:
        people = await customers(clean, 4)
        report = await rotate_data_keys(
            clean, options=RotationOptions(batch_size=3, checkpoints=store)
        )
        assert report.processed == 4
        for person in people:
            assert await generations(clean, person) == ({2}, {2})
        destroyed = [r for r in await key_rows(clean) if r.generation == 1]
        assert len(destroyed) == 4
        assert all(r.wrapped_key is None and r.destroyed_at for r in destroyed)
        await assert_all_readable(clean, people)

    async def test_killed_half_way_leaves_each_owner_whole_and_resumes(
        self, clean: App, store: CheckpointStore
    ) -> None:
        people = await customers(clean, 5)
        options = RotationOptions(batch_size=2, checkpoints=store, after_batch=crash_after(1))
        with pytest.raises(Crash):
            await rotate_data_keys(clean, options=options)
        states = [await generations(clean, person) for person in people]
        # Each owner is fully old or fully new, never a mix.
        assert states.count(({1}, {1})) == 3
        assert states.count(({2}, {2})) == 2
        await assert_all_readable(clean, people)
        report = await rotate_data_keys(
            clean, options=RotationOptions(batch_size=2, checkpoints=store)
        )
        assert report.resumed
        assert report.processed == 3
        for person in people:
            assert await generations(clean, person) == ({2}, {2})  # nobody rotated twice
        await assert_all_readable(clean, people)


class TestRotateIndex:
    async def test_lookups_work_during_and_after_a_crashed_rotation(
        self, clean: App, store: CheckpointStore
    ) -> None:
        people = await customers(clean, 6)
        old = clean.keyring.current_blind_index_version()
        seen: list[int] = []

        async def lookups_all_work() -> None:
            async with clean.db.transaction() as session:
                for person in people:
                    by_email = await find_by_email(session, clean, f"  {person.email.upper()} ")
                    by_phone = await find_by_phone(
                        session, clean, "00" + person.phone.replace(" ", "-")[1:]
                    )
                    by_name = await find_by_name_prefix(session, clean, person.full_name[:3])
                    assert by_email is not None
                    assert by_email.id == person.user_id
                    assert person.user_id in {u.id for u in by_phone}
                    assert person.user_id in {u.id for u in by_name}

        def hook(batch: int) -> None:
            seen.append(batch)
            if batch == 2:
                raise Crash

        with pytest.raises(Crash):
            await rotate_index(
                clean, options=RotationOptions(batch_size=2, checkpoints=store, after_batch=hook)
            )
        new = clean.keyring.current_blind_index_version()
        versions = await email_versions(clean)
        assert versions.count(new) == 4
        assert versions.count(old) == 2
        await lookups_all_work()
        report = await rotate_index(clean, options=RotationOptions(batch_size=2, checkpoints=store))
        assert report.resumed
        assert report.target == str(new)
        assert report.processed == 2
        assert str(old) in report.retired
        assert old not in clean.keyring.blind_index_versions()
        assert set(await email_versions(clean)) == {new}
        await lookups_all_work()
        await assert_all_readable(clean, people)

    async def test_leads_follow_the_new_index_version(
        self, clean: App, store: CheckpointStore
    ) -> None:
        [person] = await customers(clean, 1)
        lead = await public_lead(clean, email=person.email, phone=None)
        report = await rotate_index(clean, options=RotationOptions(batch_size=2, checkpoints=store))
        new = int(report.target)
        row = await stored_lead(clean, lead)
        assert row.email_bidx is not None
        assert row.email_bidx[0] == new
        assert row.phone_bidx is None
        async with clean.db.transaction() as session:
            assert [found.id for found in await leads.of_customer(session, person.user_id)] == [
                lead
            ]


async def email_versions(app_state: App) -> list[int]:
    async with app_state.db.transaction() as session:
        users = (await session.execute(select(User))).scalars()
        return [u.email_bidx[0] for u in users]


def test_every_ciphertext_column_is_registered_for_rotation() -> None:
    columns = {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_ct")
    }
    assert columns == registered_columns()


def test_a_running_instance_follows_a_rotation_done_by_another_process(tmp_path: Path) -> None:
    app_side = LocalKeyProvider(tmp_path / "keyring.json")
    cli_side = LocalKeyProvider(tmp_path / "keyring.json")
    old = app_side.current_kek_id()
    new = cli_side.rotate_kek()
    version = cli_side.add_blind_index_version()
    assert app_side.current_kek_id() == new != old
    assert app_side.wrap(bytes(32), context={"owner": "x"}).kek_id == new
    assert app_side.current_blind_index_version() == version
