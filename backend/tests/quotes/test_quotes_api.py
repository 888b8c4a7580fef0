"""Quotes through the service and the API: scoped, rate limited, immutable, reproducible."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from tests.factories.accounts import access, ctx, new_customer
from tests.factories.audit import events_about, raw_row
from tests.factories.sites import MONTHLY_KWH, Caller, bearer_customer, bearer_staff, site_body
from tests.fixtures.principals import Harness, error_code

from helio.authz.matrix import Perm, Role
from helio.errors import NotFound
from helio.kit.clock import utcnow
from helio.kit.cpu import CpuPool, PoolBusy
from helio.platform.app import App
from helio.quotes import service
from helio.quotes import weather as quote_weather
from helio.quotes.engine import MODEL_VERSION
from helio.quotes.exceptions import ModelVersionMismatch, QuoteQuotaReached, UsageRequired
from helio.quotes.schemas import QuoteCreate
from helio.sites import service as sites
from helio.sites.schemas import SiteCreate, UsageUpdate

pytestmark = [pytest.mark.mysql, pytest.mark.redis]


async def _site(app_state: App, owner: str, *, usage: bool = True) -> str:
    writer = ctx(app_state, access(owner, Perm.SITES_WRITE))
    async with app_state.db.transaction() as session:
        site = await sites.create_site(session, writer, data=SiteCreate.model_validate(site_body()))
        if usage:
            monthly = UsageUpdate(monthly_kwh=[float(v) for v in MONTHLY_KWH])
            await sites.set_usage(session, writer, site_id=site.id, body=monthly)
    return site.id


async def _quote(app_state: App, owner: str, site_id: str, **options: Any) -> Any:
    async with app_state.db.transaction() as session:
        return await service.create_quote(
            session,
            ctx(app_state, access(owner, Perm.QUOTES_CREATE)),
            data=QuoteCreate(site_id=site_id, **options),
        )


class TestQuoteService:
    async def test_quote_is_stored_with_inputs_and_model_version(self, clean: App) -> None:
        owner = await new_customer(clean)
        site_id = await _site(clean, owner)
        quote = await _quote(clean, owner, site_id, target_offset_pct=80)
        assert quote.model_version == MODEL_VERSION
        assert quote.status == "offered"
        assert quote.valid_until - quote.created_at == timedelta(days=30)
        assert quote.expired is False
        assert quote.result["target_offset_pct"] == 80
        assert quote.net_price == Decimal(quote.result["price"]["net"])
        assert quote.inputs["inputs"]["usage"]["monthly_kwh"] == MONTHLY_KWH
        assert quote.inputs["config"]["validity_days"] == 30
        assert any("clear-sky" in line for line in quote.result["assumptions"])
        events = await events_about(clean, quote.id)
        assert [e.action for e in events] == ["quote.created"]
        assert events[0].details == {
            "fields": ["site_id", "target_offset_pct"],
            "site_id": site_id,
            "owner_type": "customer",
        }

    async def test_quote_is_reproducible_from_what_is_stored(self, clean: App) -> None:
        owner = await new_customer(clean)
        quote = await _quote(clean, owner, await _site(clean, owner))
        row = await raw_row(
            clean,
            "SELECT inputs, model_version, inputs_digest, result FROM quotes WHERE id = :id",
            id=quote.id,
        )
        assert row is not None
        stored = {k: _json(v) for k, v in row.items()}
        again = service.recompute(stored["inputs"], stored["model_version"])
        assert again.inputs_digest == stored["inputs_digest"] == quote.inputs_digest
        assert again.to_dict() == stored["result"]

    async def test_another_model_version_is_not_recomputed(self, clean: App) -> None:
        owner = await new_customer(clean)
        quote = await _quote(clean, owner, await _site(clean, owner))
        with pytest.raises(ModelVersionMismatch):
            service.recompute(quote.inputs, "helio-pv-0/pvlib-0.0")

    @pytest.mark.asvs("V2.2.3")
    async def test_site_without_usage_cannot_be_quoted(self, clean: App) -> None:
        owner = await new_customer(clean)
        with pytest.raises(UsageRequired):
            await _quote(clean, owner, await _site(clean, owner, usage=False))

    async def test_a_site_deleted_while_its_quote_is_computed_is_a_404(
        self, clean: App, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        owner = await new_customer(clean)
        site_id = await _site(clean, owner)
        real_weather = quote_weather.weather_for

        async def weather_then_delete(app: App, location: Any) -> Any:
            # Another request deletes the site and commits while this quote is computed.
            async with clean.db.transaction() as session:
                await session.execute(text("DELETE FROM energy_usage WHERE site_id = :id"),
                                      {"id": site_id})  # fmt: skip
                await session.execute(text("DELETE FROM sites WHERE id = :id"), {"id": site_id})
            return await real_weather(app, location)

        monkeypatch.setattr(service, "weather_for", weather_then_delete)
        with pytest.raises(NotFound):
            await _quote(clean, owner, site_id)

    @pytest.mark.asvs("V8.2.2")
    async def test_another_customers_site_and_quote_do_not_exist(self, clean: App) -> None:
        alice, mallory = await new_customer(clean), await new_customer(clean)
        site_id = await _site(clean, alice)
        quote = await _quote(clean, alice, site_id)
        with pytest.raises(NotFound):
            await _quote(clean, mallory, site_id)
        reader = ctx(clean, access(mallory, Perm.QUOTES_READ))
        async with clean.db.transaction() as session:
            with pytest.raises(NotFound):
                await service.get_quote(session, reader, quote_id=quote.id)
            page = await service.list_quotes(session, reader, limit=20, cursor=None)
        assert page.items == []

    @pytest.mark.asvs("V2.3.2", "V2.1.3")
    async def test_daily_quota(self, clean: App) -> None:
        owner = await new_customer(clean)
        site_id = await _site(clean, owner)
        limit = clean.quote_settings.daily_limit
        assert limit == 20  # HELIO_QUOTE_DAILY_LIMIT, documented in docs/quotes.md
        for _ in range(limit):
            await _quote(clean, owner, site_id)
        with pytest.raises(QuoteQuotaReached) as refused:
            await _quote(clean, owner, site_id)
        assert refused.value.status == 429
        assert 3600 < refused.value.retry_after <= 86_400
        others = await new_customer(clean)
        await _quote(clean, others, await _site(clean, others))

    @pytest.mark.asvs("V15.2.2")
    async def test_pool_is_bounded_and_refuses_beyond_the_waiting_line(self) -> None:
        pool = CpuPool(workers=1, max_waiting=0)
        started, release = threading.Event(), threading.Event()

        def hold() -> bool:
            started.set()
            return release.wait(10)

        running = asyncio.create_task(pool.run(hold))
        assert await asyncio.to_thread(started.wait, 5)
        with pytest.raises(PoolBusy) as busy:
            await pool.run(sum, [1, 2])
        assert busy.value.status == 429
        release.set()
        assert await running is True
        assert await pool.run(sum, [1, 2]) == 3

    @pytest.mark.asvs("V15.3.3")
    @pytest.mark.parametrize(
        "field", ["owner_id", "owner_type", "status", "net_price", "system_kwp", "id", "price"]
    )
    def test_quote_request_carries_no_server_fields(self, field: str) -> None:
        with pytest.raises(ValidationError):
            QuoteCreate.model_validate({"site_id": "a" * 32, field: "1"})


def _json(value: Any) -> Any:
    if isinstance(value, bytes):
        value = value.decode()
    return json.loads(value) if isinstance(value, str) and value[:1] in "{[" else value


QUOTE_ROUTES = [
    ("GET", "/api/v1/quotes"),
    ("POST", "/api/v1/quotes"),
    ("GET", "/api/v1/quotes/" + "0" * 32),
]


class TestQuotesAccess:
    @pytest.mark.asvs("V8.2.1")
    async def test_anonymous_gets_401(self, auth: Harness) -> None:
        http = auth.client()
        for method, path in QUOTE_ROUTES:
            answer = await http.request(method, path, json={"site_id": "0" * 32})
            assert answer.status_code == 401, (method, path)

    @pytest.mark.asvs("V8.2.1", "V8.3.1")
    @pytest.mark.parametrize("role", [Role.SUPPORT, Role.SALES, Role.ENGINEER, Role.ADMIN])
    async def test_staff_cannot_create_customer_quotes(self, auth: Harness, role: Role) -> None:
        staff = await bearer_staff(auth, role)
        answer = await staff.request("POST", "/api/v1/quotes", json={"site_id": "0" * 32})
        assert answer.status_code == 403
        listing = await staff.request("GET", "/api/v1/quotes")
        # Sales reaches the quotes of its leads (none exist yet), never customers' quotes.
        assert listing.status_code == (200 if role == Role.SALES else 403)
        if role == Role.SALES:
            assert listing.json() == {"items": [], "next_cursor": None}

    @pytest.mark.asvs("V8.2.2")
    async def test_another_customers_site_and_quote_answer_404(self, auth: Harness) -> None:
        alice, mallory = await bearer_customer(auth), await bearer_customer(auth)
        site_id = await alice.site_with_usage()
        mine = await alice.request("POST", "/api/v1/quotes", json={"site_id": site_id})
        assert mine.status_code == 201, mine.text
        stolen = await mallory.request("POST", "/api/v1/quotes", json={"site_id": site_id})
        assert stolen.status_code == 404
        assert error_code(stolen) == "not_found"
        peek = await mallory.request("GET", f"/api/v1/quotes/{mine.json()['id']}")
        assert peek.status_code == 404
        assert (await mallory.request("GET", "/api/v1/quotes")).json()["items"] == []


class TestQuotesApi:
    async def test_create_read_and_list(self, auth: Harness) -> None:
        me = await bearer_customer(auth)
        site_id = await me.site_with_usage()
        created = await me.request(
            "POST", "/api/v1/quotes", json={"site_id": site_id, "target_offset_pct": 90}
        )
        assert created.status_code == 201, created.text
        quote = created.json()
        assert quote["site_id"] == site_id
        assert quote["currency"] == "USD"
        assert quote["net_price"] == quote["result"]["price"]["net"]
        assert quote["result"]["payback_year"] is not None
        assert (await me.request("GET", f"/api/v1/quotes/{quote['id']}")).json() == quote
        listing = (await me.request("GET", "/api/v1/quotes")).json()
        assert [item["id"] for item in listing["items"]] == [quote["id"]]
        assert "result" not in listing["items"][0]

    async def test_quotes_page_newest_first(self, auth: Harness) -> None:
        me = await bearer_customer(auth)
        site_id = await me.site_with_usage()
        ids = [await _api_quote(me, site_id) for _ in range(3)]
        first = (await me.request("GET", "/api/v1/quotes?limit=2")).json()
        assert [q["id"] for q in first["items"]] == ids[:0:-1]
        rest = await me.request("GET", f"/api/v1/quotes?limit=2&cursor={first['next_cursor']}")
        assert [q["id"] for q in rest.json()["items"]] == ids[:1]
        assert rest.json()["next_cursor"] is None

    @pytest.mark.asvs("V2.3.2", "V2.4.1")
    async def test_twenty_first_quote_of_the_day_is_429(self, auth: Harness) -> None:
        me = await bearer_customer(auth)
        site_id = await me.site_with_usage()
        for _ in range(auth.app_state.quote_settings.daily_limit):
            await _api_quote(me, site_id)
        refused = await me.request("POST", "/api/v1/quotes", json={"site_id": site_id})
        assert refused.status_code == 429
        assert error_code(refused) == "quote_quota"
        assert 3600 < int(refused.headers["Retry-After"]) <= 86_400
        count = await raw_row(auth.app_state, "SELECT COUNT(*) AS n FROM quotes")
        assert count == {"n": 20}

    @pytest.mark.asvs("V8.2.3", "V15.3.3")
    @pytest.mark.parametrize(
        "extra",
        [
            {"net_price": "1.00"},
            {"status": "accepted"},
            {"owner_id": "OTHER"},
            {"owner_type": "lead"},
            {"id": "0" * 32},
            {"valid_until": "2099-01-01T00:00:00"},
        ],
        ids=lambda extra: next(iter(extra)),
    )
    async def test_mass_assignment_is_422_and_stores_nothing(
        self, auth: Harness, extra: dict[str, str]
    ) -> None:
        me, other = await bearer_customer(auth), await bearer_customer(auth)
        site_id = await me.site_with_usage()
        body = {"site_id": site_id, **extra}
        if body.get("owner_id") == "OTHER":
            body["owner_id"] = other.user_id
        answer = await me.request("POST", "/api/v1/quotes", json=body)
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"] == {next(iter(extra)): "Unknown field."}
        assert await raw_row(auth.app_state, "SELECT COUNT(*) AS n FROM quotes") == {"n": 0}

    async def test_quote_needs_usage_and_a_sane_target(self, auth: Harness) -> None:
        me = await bearer_customer(auth)
        bare = await me.new_site()
        no_usage = await me.request("POST", "/api/v1/quotes", json={"site_id": bare})
        assert no_usage.status_code == 422
        assert error_code(no_usage) == "usage_required"
        site_id = await me.site_with_usage()
        for target in (0, 201, "NaN"):
            answer = await me.request(
                "POST", "/api/v1/quotes", json={"site_id": site_id, "target_offset_pct": target}
            )
            assert answer.status_code == 422, target

    async def test_roof_without_room_for_a_panel_is_422(self, auth: Harness) -> None:
        me = await bearer_customer(auth)
        tiny = [{"area_m2": 1.5, "tilt_deg": 20, "azimuth_deg": 180}]
        site_id = await me.new_site(roof_planes=tiny)
        usage = await me.request(
            "PUT", f"/api/v1/sites/{site_id}/usage", json={"monthly_kwh": MONTHLY_KWH}
        )
        assert usage.status_code == 200
        answer = await me.request("POST", "/api/v1/quotes", json={"site_id": site_id})
        assert answer.status_code == 422
        assert error_code(answer) == "roof_too_small"

    async def test_quotes_are_immutable(self, auth: Harness) -> None:
        me = await bearer_customer(auth)
        quote_id = await _api_quote(me, await me.site_with_usage())
        url = f"/api/v1/quotes/{quote_id}"
        for method in ("PUT", "PATCH", "DELETE"):
            answer = await me.request(method, url, json={"net_price": "1.00"})
            assert answer.status_code == 405, method
        stored = (await me.request("GET", url)).json()
        assert Decimal(stored["net_price"]) > 1

    async def test_quote_survives_its_site(self, auth: Harness) -> None:
        me = await bearer_customer(auth)
        site_id = await me.site_with_usage()
        quote_id = await _api_quote(me, site_id)
        assert (await me.request("DELETE", f"/api/v1/sites/{site_id}")).status_code == 204
        quote = (await me.request("GET", f"/api/v1/quotes/{quote_id}")).json()
        assert quote["site_id"] is None
        assert quote["inputs"]["inputs"]["usage"]["monthly_kwh"] == MONTHLY_KWH
        assert quote["valid_until"] > utcnow().isoformat()


async def _api_quote(caller: Caller, site_id: str) -> str:
    answer = await caller.request("POST", "/api/v1/quotes", json={"site_id": site_id})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])
