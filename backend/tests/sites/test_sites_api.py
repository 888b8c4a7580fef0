"""Sites: strict schemas, the five-site limit, encrypted address, owner-only access, audit."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from tests.factories.accounts import access, ctx, new_customer
from tests.factories.audit import events_about, raw_row
from tests.factories.sites import SITE_BODY, bearer_customer, bearer_staff, site_body
from tests.fixtures.principals import Harness, error_code

from helio.authz.matrix import Perm, Role
from helio.errors import NotFound
from helio.kit.text import ADDRESS_LINE_CHARS, POSTAL_CODE_CHARS
from helio.platform.app import App
from helio.sites import service
from helio.sites.exceptions import MAX_SITES_PER_CUSTOMER, SiteLimitReached
from helio.sites.schemas import SiteCreate, SiteUpdate

pytestmark = [pytest.mark.mysql, pytest.mark.redis]


def _plane(**changes: Any) -> dict[str, Any]:
    return {"area_m2": 30, "tilt_deg": 30, "azimuth_deg": 180, **changes}


def _tariff(**changes: Any) -> dict[str, Any]:
    return {"price_per_kwh": "0.30", "currency": "USD", "escalation_pct": 2, **changes}


def _address(**changes: Any) -> dict[str, Any]:
    return {**SITE_BODY["address"], **changes}


INVALID_SITES: dict[str, dict[str, Any]] = {
    "no planes (SITE-1)": {"roof_planes": []},
    "five planes (SITE-1)": {"roof_planes": [_plane()] * 5},
    "tilt 90 (SITE-1)": {"roof_planes": [_plane(tilt_deg=90)]},
    "tilt -1 (SITE-1)": {"roof_planes": [_plane(tilt_deg=-1)]},
    "azimuth 360 (SITE-1)": {"roof_planes": [_plane(azimuth_deg=360)]},
    "area 0 (SITE-1)": {"roof_planes": [_plane(area_m2=0)]},
    "area 1000.5 (SITE-1)": {"roof_planes": [_plane(area_m2=1000.5)]},
    "shading 81 (SITE-1)": {"roof_planes": [_plane(shading_loss_pct=81)]},
    "area 2**63 (SITE-1)": {"roof_planes": [_plane(area_m2=2**63)]},
    "area infinite (SITE-1)": {"roof_planes": [_plane(area_m2=math.inf)]},
    "tilt NaN (SITE-1)": {"roof_planes": [_plane(tilt_deg=math.nan)]},
    "unknown plane field": {"roof_planes": [_plane(orientation="south")]},
    "price 0 (SITE-2)": {"tariff": _tariff(price_per_kwh=0)},
    "price 6 (SITE-2)": {"tariff": _tariff(price_per_kwh=6)},
    "price 6 decimals (SITE-2)": {"tariff": _tariff(price_per_kwh="0.123456")},
    "currency lowercase (SITE-2)": {"tariff": _tariff(currency="usd")},
    "currency not sold (SITE-2)": {"tariff": _tariff(currency="XYZ")},
    "escalation 16 (SITE-2)": {"tariff": _tariff(escalation_pct=16)},
    "escalation -6 (SITE-2)": {"tariff": _tariff(escalation_pct=-6)},
    "line1 too long (SITE-3)": {"address": _address(line1="x" * (ADDRESS_LINE_CHARS + 1))},
    "line1 empty (SITE-3)": {"address": _address(line1="   ")},
    "line1 control chars (SITE-3)": {"address": _address(line1="1 Main\r\nBcc: x")},
    "postal code too long (SITE-3)": {
        "address": _address(postal_code="1" * (POSTAL_CODE_CHARS + 1))
    },
    "country unknown (SITE-3)": {"address": _address(country="XX")},
    "country lowercase (SITE-3)": {"address": _address(country="us")},
    "latitude 91": {"latitude": 91},
    "longitude -181": {"longitude": -181},
    "time zone unknown (SITE-4)": {"timezone": "Mars/Olympus_Mons"},
    "time zone path (SITE-4)": {"timezone": "../../etc/passwd"},
    "time zone of another place (SITE-5)": {"timezone": "Europe/Berlin"},
    "label too long": {"label": "x" * 81},
}

MASS_ASSIGNMENT = ("id", "owner_id", "created_at", "updated_at", "address_ct", "status")


class TestSiteSchemas:
    @pytest.mark.asvs("V1.4.2", "V2.2.1", "V2.2.2", "V2.2.3")
    @pytest.mark.parametrize("changes", INVALID_SITES.values(), ids=INVALID_SITES.keys())
    def test_invalid_site_is_refused(self, changes: dict[str, Any]) -> None:
        with pytest.raises(ValidationError):
            SiteCreate.model_validate(site_body(**changes))

    @pytest.mark.asvs("V8.2.3", "V15.3.3")
    @pytest.mark.parametrize("field", MASS_ASSIGNMENT)
    def test_server_fields_are_refused(self, field: str) -> None:
        with pytest.raises(ValidationError) as error:
            SiteCreate.model_validate(site_body(**{field: "0" * 32}))
        assert error.value.errors()[0]["type"] == "extra_forbidden"
        with pytest.raises(ValidationError):
            SiteUpdate.model_validate({field: "0" * 32})

    def test_valid_site_keeps_its_values(self) -> None:
        site = SiteCreate.model_validate(site_body())
        assert site.tariff.currency == "USD"
        assert [p.shading_loss_pct for p in site.roof_planes] == [0, 10]

    @pytest.mark.parametrize("value", [0.32, "0.32", 1])
    def test_tariff_amounts_are_numbers_or_decimal_text(self, value: object) -> None:
        tariff = {"price_per_kwh": value, "currency": "USD", "escalation_pct": value}
        site = SiteCreate.model_validate(site_body(tariff=tariff))
        assert site.tariff.price_per_kwh == Decimal(str(value))

    @pytest.mark.asvs("V2.2.1")
    @pytest.mark.parametrize("field", ["price_per_kwh", "escalation_pct"])
    @pytest.mark.parametrize("value", [True, False, "nan", "Infinity", [], {}])
    def test_tariff_amounts_refuse_booleans_and_text(self, field: str, value: object) -> None:
        tariff = {"price_per_kwh": "0.32", "currency": "USD", "escalation_pct": 2.5, field: value}
        with pytest.raises(ValidationError):
            SiteCreate.model_validate(site_body(tariff=tariff))

    @pytest.mark.parametrize(
        ("timezone", "longitude"),
        [("Asia/Shanghai", 75.99), ("Pacific/Kiritimati", -157.4), ("America/Adak", -176.6)],
    )
    def test_wide_but_real_zones_are_accepted(self, timezone: str, longitude: float) -> None:
        body = site_body(timezone=timezone, longitude=longitude, latitude=20)
        assert SiteCreate.model_validate(body).timezone == timezone

    @pytest.mark.parametrize(
        "body", [{}, {"label": "x", "latitude": None}, {"roof_planes": None}, {"tariff": None}]
    )
    def test_update_needs_a_field_and_no_nulls(self, body: dict[str, Any]) -> None:
        with pytest.raises(ValidationError):
            SiteUpdate.model_validate(body)


class TestSiteService:
    async def test_create_read_update_delete(self, clean: App) -> None:
        owner = await new_customer(clean)
        writer = ctx(clean, access(owner, Perm.SITES_WRITE))
        async with clean.db.transaction() as session:
            created = await service.create_site(
                session, writer, data=SiteCreate.model_validate(site_body())
            )
        assert created.address is not None
        assert created.address.city == "San Francisco"
        change = SiteUpdate.model_validate({"label": None, "tariff": _tariff()})
        async with clean.db.transaction() as session:
            updated = await service.update_site(session, writer, site_id=created.id, data=change)
        assert updated.label is None
        assert str(updated.tariff.price_per_kwh) == "0.30000"
        async with clean.db.transaction() as session:
            await service.delete_site(session, writer, site_id=created.id)
        events = await events_about(clean, created.id)
        assert [e.action for e in events] == ["site.created", "site.updated", "site.deleted"]
        assert events[1].details == {"fields": ["label", "tariff"]}
        assert "San Francisco" not in str([e.details for e in events])

    @pytest.mark.asvs("V14.2.4")
    async def test_address_is_ciphertext_at_rest(self, clean: App) -> None:
        owner = await new_customer(clean)
        async with clean.db.transaction() as session:
            created = await service.create_site(
                session,
                ctx(clean, access(owner, Perm.SITES_WRITE)),
                data=SiteCreate.model_validate(site_body()),
            )
        row = await raw_row(clean, "SELECT * FROM sites WHERE id = :id", id=created.id)
        assert row is not None
        stored = bytes(row["address_ct"])
        for needle in (b"Dolores", b"San Francisco", b"94110"):
            assert needle not in stored
        assert not any(isinstance(v, str) and "Dolores" in v for v in row.values())

    @pytest.mark.asvs("V2.3.2")
    async def test_sixth_site_is_refused(self, clean: App) -> None:
        owner = await new_customer(clean)
        writer = ctx(clean, access(owner, Perm.SITES_WRITE))
        body = SiteCreate.model_validate(site_body())
        for _ in range(MAX_SITES_PER_CUSTOMER):
            async with clean.db.transaction() as session:
                await service.create_site(session, writer, data=body)
        with pytest.raises(SiteLimitReached) as refused:
            async with clean.db.transaction() as session:
                await service.create_site(session, writer, data=body)
        assert refused.value.status == 409
        assert refused.value.code == "site_limit_reached"
        async with clean.db.transaction() as session:
            page = await service.list_sites(session, writer, limit=50, cursor=None)
        assert len(page.items) == MAX_SITES_PER_CUSTOMER

    @pytest.mark.asvs("V8.2.2")
    async def test_another_customers_site_does_not_exist(self, clean: App) -> None:
        alice, mallory = await new_customer(clean), await new_customer(clean)
        async with clean.db.transaction() as session:
            site = await service.create_site(
                session,
                ctx(clean, access(alice, Perm.SITES_WRITE)),
                data=SiteCreate.model_validate(site_body()),
            )
        reader = ctx(clean, access(mallory, Perm.SITES_READ))
        writer = ctx(clean, access(mallory, Perm.SITES_WRITE))
        calls: list[Callable[[AsyncSession], Awaitable[object]]] = [
            lambda s: service.get_site(s, reader, site_id=site.id),
            lambda s: service.update_site(
                s, writer, site_id=site.id, data=SiteUpdate(label="mine")
            ),
            lambda s: service.delete_site(s, writer, site_id=site.id),
        ]
        for call in calls:
            with pytest.raises(NotFound):
                async with clean.db.transaction() as session:
                    await call(session)
        async with clean.db.transaction() as session:
            page = await service.list_sites(session, reader, limit=20, cursor=None)
            assert page.items == []
            mine = await service.get_site(
                session, ctx(clean, access(alice, Perm.SITES_READ)), site_id=site.id
            )
        assert mine.label == "Home"

    async def test_pages_follow_the_cursor(self, clean: App) -> None:
        owner = await new_customer(clean)
        writer = ctx(clean, access(owner, Perm.SITES_WRITE))
        for label in ("a", "b", "c"):
            async with clean.db.transaction() as session:
                await service.create_site(
                    session, writer, data=SiteCreate.model_validate(site_body(label=label))
                )
        seen: list[str | None] = []
        cursor = None
        for _ in range(3):
            async with clean.db.transaction() as session:
                page = await service.list_sites(session, writer, limit=2, cursor=cursor)
            seen += [site.label for site in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == ["c", "b", "a"]


SITE_ROUTES = [
    ("GET", "/api/v1/sites"),
    ("POST", "/api/v1/sites"),
    ("GET", "/api/v1/sites/{id}"),
    ("PATCH", "/api/v1/sites/{id}"),
    ("DELETE", "/api/v1/sites/{id}"),
    ("PUT", "/api/v1/sites/{id}/usage"),
]
STAFF_ROLES = [Role.SUPPORT, Role.SALES, Role.ENGINEER, Role.ADMIN]


def _route(path: str, site_id: str = "0" * 32) -> str:
    return path.replace("{id}", site_id)


class TestSitesAccess:
    @pytest.mark.asvs("V8.2.1")
    async def test_anonymous_gets_401(self, auth: Harness) -> None:
        http = auth.client()
        for method, path in SITE_ROUTES:
            answer = await http.request(method, _route(path), json=site_body())
            assert answer.status_code == 401, (method, path)

    @pytest.mark.asvs("V8.2.1", "V8.3.1")
    @pytest.mark.parametrize("role", STAFF_ROLES)
    async def test_staff_roles_get_403(self, auth: Harness, role: Role) -> None:
        staff = await bearer_staff(auth, role)
        for method, path in SITE_ROUTES:
            answer = await staff.request(method, _route(path), json=site_body())
            assert answer.status_code == 403, (role, method, path, answer.text)

    @pytest.mark.asvs("V8.2.2")
    async def test_another_customers_site_answers_404(self, auth: Harness) -> None:
        alice, mallory = await bearer_customer(auth), await bearer_customer(auth)
        site_id = await alice.new_site()
        before = (await alice.request("GET", f"/api/v1/sites/{site_id}")).json()
        attempts = [
            ("GET", {}),
            ("PATCH", {"json": {"label": "taken"}}),
            ("DELETE", {}),
        ]
        for method, kwargs in attempts:
            answer = await mallory.request(method, f"/api/v1/sites/{site_id}", **kwargs)
            assert answer.status_code == 404, (method, answer.text)
            assert error_code(answer) == "not_found"
        unknown = await mallory.request("GET", f"/api/v1/sites/{'f' * 32}")
        assert unknown.status_code == 404
        assert unknown.json()["error"].keys() == answer.json()["error"].keys()
        listing = await mallory.request("GET", "/api/v1/sites")
        assert listing.json() == {"items": [], "next_cursor": None}
        after = await alice.request("GET", f"/api/v1/sites/{site_id}")
        assert after.json() == before

    async def test_cookie_session_needs_the_csrf_token(self, auth: Harness) -> None:
        http = await auth.login(await auth.customer())
        refused = await http.post("/api/v1/sites", json=site_body())
        assert refused.status_code == 403
        created = await http.post("/api/v1/sites", json=site_body(), headers=auth.unsafe(http))
        assert created.status_code == 201, created.text


class TestSitesApi:
    async def test_create_read_update_list_delete(self, auth: Harness) -> None:
        me = await bearer_customer(auth)
        created = await me.request("POST", "/api/v1/sites", json=site_body())
        assert created.status_code == 201, created.text
        site = created.json()
        assert site["address"]["line1"] == "1 Dolores Street"
        assert site["tariff"] == {"price_per_kwh": "0.32000", "currency": "USD",
                                  "escalation_pct": "2.500"}  # fmt: skip
        assert site["usage"] is None
        url = f"/api/v1/sites/{site['id']}"
        patched = await me.request("PATCH", url, json={"roof_planes": [_plane()], "label": "Barn"})
        assert patched.status_code == 200, patched.text
        assert patched.json()["roof_planes"] == [_plane(shading_loss_pct=0.0)]
        assert (await me.request("GET", url)).json() == patched.json()
        listing = (await me.request("GET", "/api/v1/sites?limit=1")).json()
        assert [s["id"] for s in listing["items"]] == [site["id"]]
        assert listing["next_cursor"] is None
        deleted = await me.request("DELETE", url)
        assert deleted.status_code == 204
        assert (await me.request("GET", url)).status_code == 404
        events = await events_about(auth.app_state, site["id"])
        assert [(e.action, e.actor_id) for e in events] == [
            ("site.created", me.user_id),
            ("site.updated", me.user_id),
            ("site.deleted", me.user_id),
        ]
        assert events[1].details == {"fields": ["label", "roof_planes"]}

    @pytest.mark.asvs("V8.2.3", "V15.3.3")
    @pytest.mark.parametrize("field", ["owner_id", "id", "created_at", "address_ct"])
    async def test_mass_assignment_is_refused(self, auth: Harness, field: str) -> None:
        alice, mallory = await bearer_customer(auth), await bearer_customer(auth)
        site_id = await mallory.new_site()
        before = await raw_row(auth.app_state, "SELECT * FROM sites WHERE id = :id", id=site_id)
        value = alice.user_id if field == "owner_id" else "0" * 32
        created = await mallory.request("POST", "/api/v1/sites", json=site_body(**{field: value}))
        assert created.status_code == 422
        assert created.json()["error"]["fields"] == {field: "Unknown field."}
        patched = await mallory.request(
            "PATCH", f"/api/v1/sites/{site_id}", json={"label": "x", field: value}
        )
        assert patched.status_code == 422
        after = await raw_row(auth.app_state, "SELECT * FROM sites WHERE id = :id", id=site_id)
        assert after == before
        assert (await alice.request("GET", "/api/v1/sites")).json()["items"] == []
        count = await raw_row(auth.app_state, "SELECT COUNT(*) AS n FROM sites")
        assert count == {"n": 1}

    @pytest.mark.asvs("V1.4.2", "V2.2.2")
    @pytest.mark.parametrize("number", ["1e309", "NaN", "-Infinity", str(2**63), "-1"])
    async def test_absurd_numbers_are_422(self, auth: Harness, number: str) -> None:
        me = await bearer_customer(auth)
        template = json.dumps(site_body(roof_planes=[_plane(tilt_deg=12345)]))
        answer = await me.request(
            "POST",
            "/api/v1/sites",
            content=template.replace("12345", number),
            headers={"Content-Type": "application/json"},
        )
        assert answer.status_code == 422, answer.text
        assert error_code(answer) == "validation_failed"

    @pytest.mark.asvs("V2.2.3")
    async def test_zone_of_another_place_names_the_rule(self, auth: Harness) -> None:
        me = await bearer_customer(auth)
        answer = await me.request("POST", "/api/v1/sites", json=site_body(timezone="Asia/Tokyo"))
        assert answer.status_code == 422
        assert "SITE-5" in json.dumps(answer.json())
        site_id = await me.new_site()
        moved = await me.request(
            "PATCH", f"/api/v1/sites/{site_id}", json={"longitude": 13.4, "latitude": 52.5}
        )
        assert moved.status_code == 422
        assert error_code(moved) == "timezone_mismatch"

    @pytest.mark.asvs("V2.3.2")
    async def test_sixth_site_is_409(self, auth: Harness) -> None:
        me = await bearer_customer(auth)
        for _ in range(MAX_SITES_PER_CUSTOMER):
            await me.new_site()
        answer = await me.request("POST", "/api/v1/sites", json=site_body())
        assert answer.status_code == 409
        assert error_code(answer) == "site_limit_reached"

    @pytest.mark.asvs("V14.2.4")
    async def test_address_sent_over_the_api_is_ciphertext_in_the_table(
        self, auth: Harness
    ) -> None:
        me = await bearer_customer(auth)
        site_id = await me.new_site()
        row = await raw_row(auth.app_state, "SELECT * FROM sites WHERE id = :id", id=site_id)
        assert row is not None
        assert b"Dolores" not in bytes(row["address_ct"])
        assert "Dolores" not in repr(row)

    @pytest.mark.parametrize("cursor", ["f" * 32, "not-a-cursor"])
    async def test_foreign_or_malformed_cursor_is_400(self, auth: Harness, cursor: str) -> None:
        me = await bearer_customer(auth)
        await me.new_site()
        answer = await me.request("GET", f"/api/v1/sites?cursor={cursor}")
        assert answer.status_code == 400
        assert error_code(answer) == "invalid_cursor"

    async def test_a_cursor_not_of_the_cursor_form_is_422(self, auth: Harness) -> None:
        me = await bearer_customer(auth)
        answer = await me.request("GET", "/api/v1/sites?cursor=a%2Fb")
        assert answer.status_code == 422
