"""The document stores behind one interface: the local directory and the S3 adapter (against
the S3 stand-in), whole-or-nothing writes, random names, and export and shredding."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.factories.documents import jpeg, pdf, upload_document
from tests.factories.pii import make_customer

from helio.authz.matrix import Perm
from helio.customers import deletion, service
from helio.models import Document
from helio.platform.app import App
from helio.platform.context import Ctx
from helio.platform.files import (
    DocumentStore,
    LocalDirectoryStore,
    S3Store,
    StorageFull,
    StoredFileMissing,
    new_storage_key,
)
from helio_standins.s3 import FakeS3Client

BUCKET = "helio-documents-test"


def _stores(tmp_path: Path) -> list[DocumentStore]:
    return [
        LocalDirectoryStore(tmp_path / "docs"),
        S3Store(FakeS3Client(buckets=(BUCKET,)), BUCKET),
    ]


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_put_get_delete_through_one_interface(tmp_path: Path, kind: str) -> None:
    store = _stores(tmp_path)[0 if kind == "local" else 1]
    key = new_storage_key()
    store.put(key, b"roof")
    assert store.get(key) == b"roof"
    store.delete(key)
    store.delete(key)  # already gone: no error
    with pytest.raises(StoredFileMissing):
        store.get(key)


@pytest.mark.asvs("V5.3.2")
@pytest.mark.parametrize("key", ["../../etc/passwd", "a" * 63, "A" * 64, "/" + "a" * 63])
def test_only_generated_names_reach_the_store(tmp_path: Path, key: str) -> None:
    for store in _stores(tmp_path):
        with pytest.raises(ValueError, match="not a storage key"):
            store.put(key, b"x")


def test_local_files_are_private(tmp_path: Path) -> None:
    store = LocalDirectoryStore(tmp_path / "docs")
    key = new_storage_key()
    store.put(key, b"roof")
    assert (tmp_path / "docs").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "docs" / key).stat().st_mode & 0o777 == 0o600


def test_a_full_bucket_is_storage_full_and_keeps_nothing() -> None:
    client = FakeS3Client(buckets=(BUCKET,), quota_bytes=10)
    store = S3Store(client, BUCKET)
    with pytest.raises(StorageFull):
        store.put(new_storage_key(), b"x" * 11)
    assert client.keys(BUCKET) == []


def test_a_full_disk_is_storage_full_and_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalDirectoryStore(tmp_path / "docs")
    monkeypatch.setattr("helio.platform.files.os.fdopen", _failing_fdopen)
    with pytest.raises(StorageFull):
        store.put(new_storage_key(), b"roof" * 1000)
    assert os.listdir(tmp_path / "docs") == []


def _failing_fdopen(fd: int, mode: str) -> object:
    os.close(fd)

    class _Full:
        def __enter__(self) -> _Full:
            return self

        def __exit__(self, *_: object) -> None:
            return None

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    return _Full()


@pytest.mark.mysql
@pytest.mark.redis
@pytest.mark.asvs("V14.2.4")
async def test_export_lists_documents_and_shredding_deletes_their_files(clean: App) -> None:
    person = await make_customer(clean)
    photo = await upload_document(clean, person.user_id, person.site_id, jpeg(), name="Roof.jpg")
    bill = await upload_document(clean, person.user_id, person.site_id, pdf(), name="Bill-2026.pdf")
    stranger = await make_customer(clean, 1)
    kept = await upload_document(clean, stranger.user_id, stranger.site_id, jpeg())
    async with clean.db.transaction() as session:
        export = await service.export_me(session, person.ctx(clean, Perm.DATA_EXPORT))
    data = export.model_dump(mode="json")
    listed = {item["id"]: item for item in data["documents"]}
    assert set(listed) == {photo.id, bill.id}
    assert listed[photo.id]["file_name"] == "Roof.jpg"
    assert listed[bill.id]["download"] == f"/api/v1/documents/{bill.id}"
    assert kept.id not in json.dumps(data)
    async with clean.db.transaction() as session:
        keys = {
            row.id: row.storage_key for row in (await session.execute(select(Document))).scalars()
        }
    files = set(os.listdir(clean.settings.effective_document_dir))
    assert set(keys.values()) <= files
    async with clean.db.transaction() as session:
        await deletion.delete_me(session, person.ctx(clean, Perm.ACCOUNT_DELETE))
    async with clean.db.transaction() as session:
        await deletion.shred_account(session, Ctx.system(clean), user_id=person.user_id)
    async with clean.db.transaction() as session:
        left = set((await session.execute(select(Document.id))).scalars())
    files = set(os.listdir(clean.settings.effective_document_dir))
    assert left == {kept.id}
    assert keys[photo.id] not in files
    assert keys[bill.id] not in files
    assert keys[kept.id] in files


@pytest.mark.mysql
@pytest.mark.redis
async def test_the_s3_adapter_serves_the_same_service(clean: App) -> None:
    client = FakeS3Client(buckets=(BUCKET,))
    app = dataclasses.replace(clean, documents=S3Store(client, BUCKET))
    person = await make_customer(app)
    photo = await upload_document(app, person.user_id, person.site_id, jpeg())
    [key] = client.keys(BUCKET)
    assert key.startswith("documents/")
    async with app.db.transaction() as session:
        row = await session.get(Document, photo.id)
    assert row is not None
    assert key == f"documents/{row.storage_key}"
