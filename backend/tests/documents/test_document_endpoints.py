"""/documents over HTTP: content decides the type, photos lose their metadata, active PDFs,
polyglots, bombs, oversized and empty files are refused, downloads are attachments for the
owner and permitted staff only, the scanner refuses EICAR, and a full disk leaves nothing."""

from __future__ import annotations

import dataclasses
import errno
import io
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from PIL import Image
from sqlalchemy import func, select
from tests.authz.authz_world import World, build_world
from tests.factories.documents import (
    eicar,
    eicar_signature_file,
    fake_clamd,
    heic,
    heic_claiming,
    jpeg,
    pdf,
    png,
    png_bomb,
    zip_archive,
)
from tests.factories.sites import SITE_BODY
from tests.fixtures.apps import served
from tests.fixtures.principals import Harness, error_code

from helio.authz.matrix import Role
from helio.config import Settings
from helio.documents.content import MAX_BYTES
from helio.http.docs import STATIC_DIR
from helio.main import create_app
from helio.models import AuditEvent, Document, Order
from helio.platform.app import App
from helio.platform.files import LocalDirectoryStore
from helio.security.antivirus import ClamdScanner

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

CUSTOMER, OTHER = Role.CUSTOMER.value, "customer_b"
SUPPORT, SALES, ENGINEER = Role.SUPPORT.value, Role.SALES.value, Role.ENGINEER.value
BASE_URL = "https://testserver"


@pytest.fixture
async def world(app: FastAPI, auth: Harness) -> AsyncIterator[World]:
    built = await build_world(app, served(app))
    yield built
    await built.http.aclose()


def _url(world: World) -> str:
    return f"/api/v1/sites/{world.ids['site_id']}/documents"


async def _upload(
    world: World, data: bytes, name: str = "roof.jpg", declared: str = "image/jpeg",
    who: str = CUSTOMER, http: AsyncClient | None = None, **params: str,
) -> Response:  # fmt: skip
    client = http or world.http
    return await client.post(
        _url(world),
        files={"file": (name, data, declared)},
        params=params,
        headers=world.callers[who].headers,
    )


async def _documents(app: App) -> int:
    async with app.db.transaction() as session:
        count = await session.execute(select(func.count()).select_from(Document))
        return int(count.scalar_one())


def _stored_files(app: App) -> list[str]:
    root = app.settings.effective_document_dir
    return sorted(os.listdir(root)) if root.exists() else []


class TestAccepted:
    @pytest.mark.asvs("V5.2.2")
    async def test_a_jpeg_with_gps_exif_comes_back_without_it(self, world: World) -> None:
        original = jpeg((120, 80), gps=True)
        assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # GPS is there
        answer = await _upload(world, original, name="IMG_0001.JPG")
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert (body["kind"], body["media_type"], body["file_name"]) == (
            "photo",
            "image/jpeg",
            "IMG_0001.JPG",
        )
        download = await world.call(CUSTOMER, "GET", f"/api/v1/documents/{body['id']}")
        assert download.status_code == 200
        image = Image.open(io.BytesIO(download.content))
        assert image.size == (120, 80)
        exif = image.getexif()
        assert len(exif) == 0
        assert not exif.get_ifd(0x8825)
        assert b"RoofCam" not in download.content
        assert b"GPS-9000" not in download.content
        assert "exif" not in image.info
        assert download.content != original
        events = await _events(world.app_state, "document.uploaded")
        assert body["id"] in {event.resource_id for event in events}

    @pytest.mark.asvs("V5.2.2")
    @pytest.mark.parametrize(
        ("name", "declared"),
        [("IMG_0002.HEIC", "image/heic"), ("roof.jpg", "image/jpeg"), ("roof", "text/plain")],
    )
    async def test_a_heic_photo_with_gps_becomes_a_jpeg_without_it(
        self, world: World, name: str, declared: str
    ) -> None:
        original = heic((96, 64), gps=True)
        assert b"GPS-9000" in original
        answer = await _upload(world, original, name=name, declared=declared)
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert (body["kind"], body["media_type"], body["file_name"]) == (
            "photo",
            "image/jpeg",
            name,
        )
        download = await world.call(CUSTOMER, "GET", f"/api/v1/documents/{body['id']}")
        assert download.status_code == 200
        assert download.headers["content-type"] == "image/jpeg"
        image = Image.open(io.BytesIO(download.content))
        assert (image.format, image.size) == ("JPEG", (96, 64))
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
        assert b"RoofCam" not in download.content
        assert b"GPS-9000" not in download.content
        pixel = image.convert("RGB").getpixel((48, 32))
        assert isinstance(pixel, tuple)
        assert pixel[0] < 40 < 100 < min(pixel[1], pixel[2])  # still teal

    async def test_a_png_and_a_plain_pdf_are_kept_with_their_kind(self, world: World) -> None:
        photo = await _upload(world, png(), name="roof.png", declared="image/png")
        bill = await _upload(world, pdf(), name="bill.pdf", declared="application/pdf")
        assert (photo.status_code, bill.status_code) == (201, 201), bill.text
        assert photo.json()["kind"] == "photo"
        assert photo.json()["media_type"] == "image/png"
        assert bill.json()["kind"] == "bill"
        assert bill.json()["media_type"] == "application/pdf"
        listed = await world.call(CUSTOMER, "GET", "/api/v1/documents")
        ids = [item["id"] for item in listed.json()["items"]]
        assert bill.json()["id"] in ids
        assert photo.json()["id"] in ids

    async def test_the_type_comes_from_the_content_not_the_name(self, world: World) -> None:
        answer = await _upload(world, png(), name="scan.pdf", declared="application/pdf")
        assert answer.status_code == 201
        assert answer.json()["media_type"] == "image/png"

    async def test_a_document_attaches_to_an_order_on_its_site(self, world: World) -> None:
        site_id = world.ids["site_id"]
        async with world.app_state.db.transaction() as session:
            order = await session.get(Order, world.ids["order_id"])
            assert order is not None
            order.site_id = site_id  # the world's order, placed for the world's site
        other_site = await world.call(CUSTOMER, "POST", "/api/v1/sites", json=SITE_BODY)
        answer = await world.http.post(
            f"/api/v1/sites/{site_id}/documents",
            files={"file": ("bill.pdf", pdf(), "application/pdf")},
            params={"order_id": world.ids["order_id"]},
            headers=world.callers[CUSTOMER].headers,
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["order_id"] == world.ids["order_id"]
        elsewhere = await world.http.post(
            f"/api/v1/sites/{other_site.json()['id']}/documents",
            files={"file": ("bill.pdf", pdf(), "application/pdf")},
            params={"order_id": world.ids["order_id"]},
            headers=world.callers[CUSTOMER].headers,
        )
        assert elsewhere.status_code == 404  # the order is not on this site

    @pytest.mark.asvs("V5.3.2", "V5.4.1", "V5.4.2", "V3.2.1", "V1.3.3")
    async def test_stored_under_a_random_name_and_served_as_a_safe_attachment(
        self, world: World
    ) -> None:
        hostile = 'a"; x.html\r\nSet-Cookie: a=b/../../etc/passwd'
        answer = await _upload(world, png(), name=hostile, declared="text/html")
        assert answer.status_code == 201, answer.text
        doc_id = answer.json()["id"]
        async with world.app_state.db.transaction() as session:
            row = await session.get(Document, doc_id)
        assert row is not None
        assert len(row.storage_key) == 64
        assert row.name_ct is not None
        assert b"passwd" not in row.name_ct  # sealed
        assert row.storage_key in _stored_files(world.app_state)
        assert all(".." not in name and "/" not in name for name in _stored_files(world.app_state))
        download = await world.call(CUSTOMER, "GET", f"/api/v1/documents/{doc_id}")
        assert download.headers["content-disposition"] == (
            f'attachment; filename="document-{doc_id}.png"'
        )
        assert "set-cookie" not in download.headers
        assert download.headers["x-content-type-options"] == "nosniff"
        assert download.headers["content-type"] == "image/png"
        csp = download.headers["content-security-policy"]
        assert "sandbox" in csp
        assert "default-src 'none'" in csp


class TestOutsideServedFolders:
    @pytest.mark.asvs("V5.3.1")
    async def test_an_uploaded_file_is_never_reachable_as_a_path(self, world: World) -> None:
        answer = await _upload(world, png(), name="shell.php.png", declared="image/png")
        assert answer.status_code == 201, answer.text
        stored = _stored_files(world.app_state)
        store_root = world.app_state.settings.effective_document_dir.resolve()
        served_root = STATIC_DIR.resolve()
        assert not store_root.is_relative_to(served_root)
        assert not served_root.is_relative_to(store_root)
        assert all("." not in name for name in stored)  # no extension a server could map
        for name in stored:
            for path in (f"/{name}", f"/static/{name}", f"/api/docs/init/{name}",
                         f"/api/v1/documents/{name}", f"/documents/{name}"):  # fmt: skip
                direct = await world.call(CUSTOMER, "GET", path)
                assert direct.status_code in (404, 422), (path, direct.status_code)


class TestRefused:
    @pytest.mark.asvs("V1.3.4", "V5.2.2")
    @pytest.mark.parametrize(
        "svg",
        [
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        ],
        ids=["script-element", "event-handler"],
    )
    async def test_scriptable_svg_is_refused_whatever_its_name(
        self, world: World, svg: bytes
    ) -> None:
        for name, declared in (("roof.svg", "image/svg+xml"), ("roof.png", "image/png")):
            answer = await _upload(world, svg, name=name, declared=declared)
            assert answer.status_code == 415, answer.text
            assert error_code(answer) == "unsupported_document"
        assert await _documents(world.app_state) == 1  # the world's own photo only

    @pytest.mark.asvs("V5.2.2")
    @pytest.mark.parametrize(
        ("data", "name", "status", "code"),
        [
            (b"<?php system($_GET['c']); ?><html></html>", "shell.jpg", 415,
             "unsupported_document"),
            (b"<html><script>alert(1)</script></html>", "page.jpg", 415, "unsupported_document"),
            (b"\xff\xd8\xff<?php echo 1; ?>", "fake.jpg", 422, "document_polyglot"),
            (b"\xff\xd8\xff\xe0garbage-not-a-jpeg\xff\xd9", "broken.jpg", 422,
             "document_malformed"),
            (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00", "photo.avif", 415,
             "unsupported_document"),
            (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "photo.heic", 422,
             "document_malformed"),
            (heic()[:-200], "cut.heic", 422, "document_malformed"),
            (heic() + b"<?php echo 1; ?>", "php.heic", 422, "document_polyglot"),
            (heic() + b"\xde\xad\xbe\xef" * 4, "tail.heic", 422, "document_malformed"),
        ],
    )  # fmt: skip
    async def test_files_that_are_not_what_they_claim(
        self, world: World, data: bytes, name: str, status: int, code: str
    ) -> None:
        answer = await _upload(world, data, name=name)
        assert answer.status_code == status, answer.text
        assert error_code(answer) == code
        assert await _documents(world.app_state) == 1  # the world's own photo only

    @pytest.mark.asvs("V5.2.2", "V5.2.3")
    async def test_a_jpeg_zip_polyglot_is_refused(self, world: World) -> None:
        appended = await _upload(world, jpeg() + zip_archive())
        assert appended.status_code == 422
        assert error_code(appended) == "document_polyglot"
        inside = jpeg()
        hidden = inside[:-2] + zip_archive() + b"\xff\xd9"  # the archive before the end marker
        answer = await _upload(world, hidden)
        assert answer.status_code == 422
        assert error_code(answer) == "document_polyglot"
        bare = await _upload(world, zip_archive(), name="photos.zip")
        assert bare.status_code == 415
        heif = await _upload(world, heic() + zip_archive(), name="roof.heic")
        assert heif.status_code == 422
        assert error_code(heif) == "document_polyglot"

    @pytest.mark.asvs("V5.2.2")
    @pytest.mark.parametrize(
        "options",
        [{"javascript": True}, {"launch": True}, {"attachment": True}, {"encrypted": True}],
        ids=["javascript", "launch-action", "embedded-file", "encrypted"],
    )
    async def test_pdfs_with_active_content_are_refused(
        self, world: World, options: dict[str, bool]
    ) -> None:
        answer = await _upload(world, pdf(**options), name="bill.pdf")
        assert answer.status_code == 422, answer.text
        assert error_code(answer) == "pdf_active_content"

    @pytest.mark.asvs("V5.2.3")
    async def test_a_decompression_bomb_is_refused(self, world: World) -> None:
        bomb = png_bomb()
        assert len(bomb) < 100_000
        answer = await _upload(world, bomb, name="roof.png")
        assert answer.status_code == 422
        assert error_code(answer) == "image_too_large"
        over = await _upload(world, png_bomb(5001, 5001), name="roof.png")  # 25.01 MP
        assert over.status_code == 422
        assert error_code(over) == "image_too_large"
        disguised = heic_claiming(6000, 6000)  # 36 MP claimed: refused before decoding
        assert len(disguised) < 2_000
        heif = await _upload(world, disguised, name="roof.heic")
        assert heif.status_code == 422
        assert error_code(heif) == "image_too_large"

    @pytest.mark.asvs("V5.2.1")
    async def test_an_empty_file_is_refused(self, world: World) -> None:
        answer = await _upload(world, b"")
        assert answer.status_code == 422
        assert error_code(answer) == "file_empty"

    @pytest.mark.asvs("V5.2.1")
    async def test_an_oversized_file_is_refused_while_streaming(self, world: World) -> None:
        big = jpeg()[:-2] + b"\x00" * (MAX_BYTES + 1) + b"\xff\xd9"
        answer = await _upload(world, big)
        assert answer.status_code == 413, answer.text
        assert "error" in answer.json()
        chunks_sent = 0

        async def stream() -> AsyncIterator[bytes]:
            nonlocal chunks_sent
            boundary_head = (
                b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.jpg"\r\n'
                b"Content-Type: image/jpeg\r\n\r\n"
            )
            yield boundary_head
            for _ in range(40):  # 40 MiB offered, no Content-Length
                chunks_sent += 1
                yield b"\x00" * (1024 * 1024)
            yield b"\r\n--b--\r\n"

        headers = {
            **world.callers[CUSTOMER].headers,
            "content-type": "multipart/form-data; boundary=b",
        }
        streamed = await world.http.post(_url(world), content=stream(), headers=headers)
        assert streamed.status_code == 413
        assert chunks_sent < 40  # the server stopped reading long before the end
        assert await _documents(world.app_state) == 1

    async def test_a_body_that_is_not_one_multipart_file(self, world: World) -> None:
        as_json = await world.call(CUSTOMER, "POST", _url(world), json={"file": "x"})
        assert as_json.status_code == 415
        two = await world.http.post(
            _url(world),
            files=[("file", ("a.jpg", jpeg(), "image/jpeg")), ("file", ("b.jpg", jpeg(), "x"))],
            headers=world.callers[CUSTOMER].headers,
        )
        assert two.status_code == 400


class TestAccess:
    @pytest.mark.asvs("V8.2.2")
    async def test_another_customers_document_is_404(self, world: World) -> None:
        doc = world.ids["doc_id"]
        answer = await world.call(OTHER, "GET", f"/api/v1/documents/{doc}")
        assert answer.status_code == 404
        listed = await world.call(OTHER, "GET", "/api/v1/documents")
        assert listed.json()["items"] == []
        upload = await _upload(world, jpeg(), who=OTHER)  # onto customer A's site
        assert upload.status_code == 404
        assert await _documents(world.app_state) == 1

    @pytest.mark.asvs("V5.3.2")
    @pytest.mark.parametrize("doc_id", ["..%2F..%2Fetc%2Fpasswd", "0" * 31 + "g", "x" * 64])
    async def test_malformed_document_ids_never_reach_the_store(
        self, world: World, doc_id: str
    ) -> None:
        answer = await world.call(CUSTOMER, "GET", f"/api/v1/documents/{doc_id}")
        assert answer.status_code in {404, 422}

    @pytest.mark.asvs("V8.2.2", "V16.2.1")
    async def test_staff_download_is_audited_and_engineers_need_a_grant(self, world: World) -> None:
        doc = world.ids["doc_id"]
        support = await world.call(SUPPORT, "GET", f"/api/v1/staff/documents/{doc}")
        assert support.status_code == 200
        assert support.headers["content-disposition"].startswith("attachment;")
        [event] = await _events(world.app_state, "document.downloaded")
        assert event.resource_id == doc
        engineer = await world.call(ENGINEER, "GET", f"/api/v1/staff/documents/{doc}")
        assert engineer.status_code == 404  # the world's grant is still pending
        sales = await world.call(SALES, "GET", f"/api/v1/staff/documents/{doc}")
        assert sales.status_code == 403


class TestScanner:
    @pytest.mark.asvs("V5.4.3")
    async def test_eicar_is_refused_when_the_scanner_is_on(
        self, world: World, settings: Settings, tmp_path: Path
    ) -> None:
        with fake_clamd(eicar_signature_file(tmp_path)) as clamd:
            port = clamd.server_address[1]
            scanning = dataclasses.replace(
                world.app_state, scanner=ClamdScanner(host="127.0.0.1", port=int(port))
            )
            async with _client(settings, scanning) as http:
                flagged = await _upload(world, eicar(), name="eicar.com", http=http)
                inside_pdf = pdf()
                hidden = inside_pdf.replace(b"%%EOF", b"%" + eicar() + b"\n%%EOF")
                flagged_pdf = await _upload(world, hidden, name="bill.pdf", http=http)
                clean = await _upload(world, jpeg(), http=http)
        assert flagged.status_code == 422
        assert error_code(flagged) == "document_infected"
        assert flagged_pdf.status_code == 422
        assert error_code(flagged_pdf) == "document_infected"
        assert clean.status_code == 201
        assert clean.json()["scan"] == "clean"
        assert len(clamd.scanned) == 3
        refusals = await _events(world.app_state, "document.refused")
        assert len(refusals) == 2
        assert await _documents(world.app_state) == 2

    async def test_an_unreachable_scanner_refuses_the_upload(
        self, world: World, settings: Settings
    ) -> None:
        down = dataclasses.replace(world.app_state, scanner=ClamdScanner(host="127.0.0.1", port=1))
        async with _client(settings, down) as http:
            answer = await _upload(world, jpeg(), http=http)
        assert answer.status_code == 503
        assert error_code(answer) == "scanner_unavailable"
        assert await _documents(world.app_state) == 1


class TestDiskFull:
    async def test_enospc_answers_507_and_leaves_no_file(
        self, world: World, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        store = LocalDirectoryStore(tmp_path / "store")
        full = dataclasses.replace(world.app_state, documents=store)
        real_fdopen = os.fdopen

        class _Disk(io.RawIOBase):
            def __init__(self, fd: int) -> None:
                self.handle = real_fdopen(fd, "wb")

            def write(self, data: Any) -> int:
                self.handle.write(bytes(data)[:100])  # some bytes land, then the disk is full
                self.handle.flush()
                raise OSError(errno.ENOSPC, "No space left on device")

            def close(self) -> None:
                self.handle.close()
                super().close()

        monkeypatch.setattr("helio.platform.files.os.fdopen", lambda fd, mode: _Disk(fd))
        async with _client(settings, full) as http:
            answer = await _upload(world, jpeg(), http=http)
        assert answer.status_code == 507, answer.text
        assert error_code(answer) == "storage_full"
        assert answer.json()["error"]["request_id"]
        assert os.listdir(tmp_path / "store") == []
        assert await _documents(world.app_state) == 1


def _client(settings: Settings, app_state: App) -> AsyncClient:
    transport = ASGITransport(app=create_app(settings, app_state), client=("203.0.113.7", 50000))
    return AsyncClient(transport=transport, base_url=BASE_URL)


async def _events(app: App, action: str) -> list[AuditEvent]:
    async with app.db.transaction() as session:
        stmt = select(AuditEvent).where(AuditEvent.action == action)
        return list((await session.execute(stmt)).scalars())
