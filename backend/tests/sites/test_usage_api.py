"""PUT /sites/{id}/usage: twelve figures as JSON or a Green Button upload, parsed safely."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from tests.factories.accounts import access, ctx, new_customer
from tests.factories.audit import events_about, raw_row
from tests.factories.sites import (
    GREEN_BUTTON_SAMPLE,
    MONTHLY_KWH,
    SAMPLE_MONTHLY_KWH,
    bearer_customer,
    site_body,
)
from tests.fixtures.principals import Harness, error_code

from helio.authz.matrix import Perm
from helio.errors import NotFound, ValidationFailed
from helio.platform.app import App
from helio.sites import service
from helio.sites.endpoints import MAX_GREEN_BUTTON_BYTES
from helio.sites.greenbutton import ESPI_NS
from helio.sites.schemas import SiteCreate, UsageUpdate

pytestmark = [pytest.mark.mysql, pytest.mark.redis]


SAMPLE = GREEN_BUTTON_SAMPLE.read_bytes()
CANARY = "canary-3f9d1c"
ATOM = "http://www.w3.org/2005/Atom"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP port on 127.0.0.1 that records whether anything connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def _connected(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


# The refusal each attack gets: the safe parser refuses DTDs, entities and bombs as unsafe
# before it reads further; broken documents are malformed; well-formed foreign XML is not
# Green Button data.
EXPECTED_CODE = {
    "wrong namespace": "invalid_green_button",
    "not xml": "malformed_xml",
    "truncated": "malformed_xml",
    "empty": "malformed_xml",
    "json in xml clothing": "malformed_xml",
}


def _attacks(port: int, secret_file: str) -> dict[str, bytes]:
    url = f"http://127.0.0.1:{port}"
    laughs = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    return {
        "billion laughs": (
            f'<?xml version="1.0"?><!DOCTYPE feed [{laughs}]><feed>&a9;</feed>'
        ).encode(),
        "external entity (file)": (
            f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file://{secret_file}">]>'
            f'<feed xmlns="{ATOM}">&x;</feed>'
        ).encode(),
        "external entity (http)": (
            f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "{url}/x">]>'
            f'<feed xmlns="{ATOM}">&x;</feed>'
        ).encode(),
        "parameter entity (http)": (
            f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]>'
            f'<feed xmlns="{ATOM}"/>'
        ).encode(),
        "external DTD": (
            f'<?xml version="1.0"?><!DOCTYPE feed SYSTEM "{url}/feed.dtd"><feed xmlns="{ATOM}"/>'
        ).encode(),
        "internal DTD": b'<?xml version="1.0"?><!DOCTYPE feed [<!ELEMENT feed ANY>]><feed/>',
        "deep nesting": (f'<feed xmlns="{ATOM}">' + "<e>" * 64 + "</e>" * 64 + "</feed>").encode(),
        "element flood": (f'<feed xmlns="{ATOM}">' + "<e/>" * 260_000 + "</feed>").encode(),
        "wrong namespace": SAMPLE.replace(ESPI_NS.encode(), b"http://example.com/not-espi"),
        "not xml": bytes(range(256)) * 8,
        "truncated": SAMPLE[: len(SAMPLE) // 2],
        "empty": b"",
        "json in xml clothing": b'{"monthly_kwh": [1,2,3,4,5,6,7,8,9,10,11,12]}',
    }


def _multipart(data: bytes, content_type: str = "application/xml") -> dict[str, Any]:
    return {"files": {"file": ("usage.xml", data, content_type)}}


class TestUsageService:
    async def test_green_button_sample_gives_monthly_totals(self, clean: App) -> None:
        owner = await new_customer(clean)
        writer = ctx(clean, access(owner, Perm.SITES_WRITE))
        async with clean.db.transaction() as session:
            site = await service.create_site(
                session, writer, data=SiteCreate.model_validate(site_body())
            )
            usage = await service.set_usage(session, writer, site_id=site.id, body=SAMPLE)
        assert usage.source == "green_button"
        assert usage.monthly_kwh == pytest.approx(SAMPLE_MONTHLY_KWH, rel=1e-6)
        assert usage.has_hourly_profile is False
        events = await events_about(clean, site.id)
        assert events[-1].action == "site.usage_updated"
        assert events[-1].details == {"fields": ["monthly_kwh"], "source": "green_button"}

    @pytest.mark.asvs("V8.2.2")
    async def test_another_customers_site_is_not_found(self, clean: App) -> None:
        alice, mallory = await new_customer(clean), await new_customer(clean)
        async with clean.db.transaction() as session:
            site = await service.create_site(
                session,
                ctx(clean, access(alice, Perm.SITES_WRITE)),
                data=SiteCreate.model_validate(site_body()),
            )
        intruder = ctx(clean, access(mallory, Perm.SITES_WRITE))
        with pytest.raises(NotFound):
            async with clean.db.transaction() as session:
                await service.set_usage(session, intruder, site_id=site.id, body=SAMPLE)
        with pytest.raises(NotFound):
            async with clean.db.transaction() as session:
                await service.set_usage(
                    session, intruder, site_id=site.id, body=UsageUpdate(monthly_kwh=[1.0] * 12)
                )

    @pytest.mark.asvs("V1.5.1")
    async def test_hostile_documents_are_refused(
        self, clean: App, listener: socket.socket, tmp_path: Any
    ) -> None:
        owner = await new_customer(clean)
        writer = ctx(clean, access(owner, Perm.SITES_WRITE))
        secret = tmp_path / "secret.txt"
        secret.write_text(CANARY)
        async with clean.db.transaction() as session:
            site = await service.create_site(
                session, writer, data=SiteCreate.model_validate(site_body())
            )
        for name, document in _attacks(listener.getsockname()[1], str(secret)).items():
            with pytest.raises(ValidationFailed) as refused:
                async with clean.db.transaction() as session:
                    await service.set_usage(session, writer, site_id=site.id, body=document)
            assert refused.value.status == 422, name
            assert refused.value.code == EXPECTED_CODE.get(name, "unsafe_xml"), name
            assert CANARY not in refused.value.message, name
        assert not _connected(listener)


class TestUsageApi:
    async def test_monthly_figures_as_json(self, auth: Harness) -> None:
        me = await bearer_customer(auth)
        site_id = await me.new_site()
        url = f"/api/v1/sites/{site_id}/usage"
        answer = await me.request("PUT", url, json={"monthly_kwh": MONTHLY_KWH})
        assert answer.status_code == 200, answer.text
        assert answer.json()["monthly_kwh"] == MONTHLY_KWH
        assert answer.json()["annual_kwh"] == sum(MONTHLY_KWH)
        site = (await me.request("GET", f"/api/v1/sites/{site_id}")).json()
        assert site["usage"]["source"] == "manual"

    @pytest.mark.asvs("V1.4.2", "V2.2.2", "V2.2.3")
    @pytest.mark.parametrize(
        "body",
        [
            {"monthly_kwh": MONTHLY_KWH[:11]},
            {"monthly_kwh": [*MONTHLY_KWH, 1]},
            {"monthly_kwh": [-1, *MONTHLY_KWH[1:]]},
            {"monthly_kwh": [2**63, *MONTHLY_KWH[1:]]},
            {"monthly_kwh": [0] * 12},
            {"monthly_kwh": ["lots", *MONTHLY_KWH[1:]]},
            {"monthly_kwh": MONTHLY_KWH, "source": "green_button"},
            {"monthly_kwh": MONTHLY_KWH, "site_id": "0" * 32},
            {},
        ],
        ids=["11", "13", "negative", "2**63", "zero year", "text", "source", "site_id", "empty"],
    )
    async def test_invalid_figures_are_422(self, auth: Harness, body: dict[str, Any]) -> None:
        me = await bearer_customer(auth)
        site_id = await me.new_site()
        answer = await me.request("PUT", f"/api/v1/sites/{site_id}/usage", json=body)
        assert answer.status_code == 422, answer.text
        assert error_code(answer) == "validation_failed"
        assert (await me.request("GET", f"/api/v1/sites/{site_id}")).json()["usage"] is None

    @pytest.mark.asvs("V5.2.2")
    @pytest.mark.parametrize("how", ["multipart", "raw"])
    async def test_green_button_upload_stores_monthly_totals(self, auth: Harness, how: str) -> None:
        me = await bearer_customer(auth)
        site_id = await me.new_site()
        url = f"/api/v1/sites/{site_id}/usage"
        if how == "multipart":
            answer = await me.request("PUT", url, **_multipart(SAMPLE, "text/xml"))
        else:
            answer = await me.request(
                "PUT", url, content=SAMPLE, headers={"Content-Type": "application/xml"}
            )
        assert answer.status_code == 200, answer.text
        assert answer.json()["source"] == "green_button"
        row = await raw_row(
            auth.app_state, "SELECT monthly_kwh FROM energy_usage WHERE site_id = :id", id=site_id
        )
        assert row is not None
        stored = row["monthly_kwh"]
        stored = stored if isinstance(stored, list) else json.loads(stored)
        assert stored == pytest.approx(SAMPLE_MONTHLY_KWH, rel=1e-6)

    @pytest.mark.asvs("V1.5.1", "V5.2.2")
    async def test_hostile_uploads_are_4xx_and_change_nothing(
        self, auth: Harness, listener: socket.socket, tmp_path: Any
    ) -> None:
        me = await bearer_customer(auth)
        site_id = await me.site_with_usage()
        url = f"/api/v1/sites/{site_id}/usage"
        secret = tmp_path / "secret.txt"
        secret.write_text(CANARY)
        for name, document in _attacks(listener.getsockname()[1], str(secret)).items():
            answer = await me.request("PUT", url, **_multipart(document))
            assert answer.status_code == 422, (name, answer.text)
            assert error_code(answer) == EXPECTED_CODE.get(name, "unsafe_xml"), name
            assert CANARY not in answer.text
        assert not _connected(listener)
        usage = (await me.request("GET", f"/api/v1/sites/{site_id}")).json()["usage"]
        assert usage["monthly_kwh"] == MONTHLY_KWH

    @pytest.mark.asvs("V5.2.1")
    @pytest.mark.parametrize("how", ["multipart", "raw"])
    async def test_oversize_upload_is_413(self, auth: Harness, how: str) -> None:
        me = await bearer_customer(auth)
        site_id = await me.new_site()
        url = f"/api/v1/sites/{site_id}/usage"
        padding = b" " * (MAX_GREEN_BUTTON_BYTES + 1 - len(SAMPLE))
        document = SAMPLE + padding
        if how == "multipart":
            answer = await me.request("PUT", url, **_multipart(document))
        else:
            answer = await me.request(
                "PUT", url, content=document, headers={"Content-Type": "application/xml"}
            )
        assert answer.status_code == 413, answer.text
        assert error_code(answer) == "file_too_large"

    @pytest.mark.asvs("V5.2.2")
    async def test_other_content_is_refused(self, auth: Harness) -> None:
        me = await bearer_customer(auth)
        url = f"/api/v1/sites/{await me.new_site()}/usage"
        plain = await me.request("PUT", url, content=SAMPLE, headers={"Content-Type": "text/plain"})
        assert plain.status_code == 415
        image = await me.request("PUT", url, **_multipart(SAMPLE, "image/png"))
        assert image.status_code == 415
        two = await me.request("PUT", url, files=[("file", ("a.xml", SAMPLE, "text/xml"))] * 2)
        assert two.status_code == 400
        wrong_field = await me.request("PUT", url, files={"upload": ("a.xml", SAMPLE, "text/xml")})
        assert wrong_field.status_code == 400

    @pytest.mark.asvs("V8.2.2")
    async def test_upload_to_another_customers_site_is_404(self, auth: Harness) -> None:
        alice, mallory = await bearer_customer(auth), await bearer_customer(auth)
        site_id = await alice.site_with_usage()
        url = f"/api/v1/sites/{site_id}/usage"
        for attempt in (
            mallory.request("PUT", url, **_multipart(SAMPLE)),
            mallory.request("PUT", url, json={"monthly_kwh": [1] * 12}),
        ):
            answer = await attempt
            assert answer.status_code == 404
        usage = (await alice.request("GET", f"/api/v1/sites/{site_id}")).json()["usage"]
        assert usage["monthly_kwh"] == MONTHLY_KWH
