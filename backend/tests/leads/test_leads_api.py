"""Leads over HTTP: the public form (sealed at rest, challenge then 429 for a flood), sales
scoping (own and unassigned), claiming, conversion to a customer invitation, the pipeline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from tests.authz.authz_world import World, build_world
from tests.factories.accounts import audit_events, new_account
from tests.factories.audit import raw_row
from tests.factories.leads import LEAD_BODY, lead_body, public_lead, sales_lead, stored_lead
from tests.fixtures.apps import served
from tests.fixtures.principals import PASSWORD, Harness, error_code

from helio.authz.matrix import Role
from helio.leads import service
from helio.models import User
from helio.security.pow import solve
from helio.state.shared import RedisState

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

LEADS = "/api/v1/leads"
STAFF = "/api/v1/staff/leads"
SALES, SUPPORT, ADMIN = Role.SALES.value, Role.SUPPORT.value, Role.ADMIN.value


@pytest.fixture
async def world(app: FastAPI, auth: Harness) -> AsyncIterator[World]:
    built = await build_world(app, served(app))
    yield built
    await built.http.aclose()


async def _solution(http: AsyncClient) -> str:
    body = (await http.get("/api/v1/auth/challenge", params={"scope": "lead"})).json()
    return solve(body["challenge"], body["difficulty_bits"])


class TestPublicForm:
    @pytest.mark.asvs("V14.2.4", "V11.3.3")
    async def test_a_lead_is_taken_and_stored_sealed(self, auth: Harness) -> None:
        http = auth.client("198.51.100.20")
        answer = await http.post(LEADS, json=lead_body())
        assert answer.status_code == 202, answer.text
        assert answer.json() == {"received": True}
        [event] = await audit_events(auth.app_state, "lead.received")
        assert event.actor_id is None
        assert event.resource_id is not None
        row = await raw_row(
            auth.app_state, "SELECT * FROM leads WHERE id = :id", id=event.resource_id
        )
        assert row is not None
        stored = repr(row).encode()
        for value in LEAD_BODY.values():
            assert value.encode() not in stored
            assert value.split()[0].encode() not in stored
        assert row["status"] == "new"
        assert row["assignee_id"] is None
        assert row["email_bidx"] is not None
        assert row["phone_bidx"] is not None
        assert "Lena" not in str(event.details)

    @pytest.mark.asvs("V2.2.1", "V15.3.3")
    @pytest.mark.parametrize(
        "body",
        [
            lead_body(phone=None, email=None),
            lead_body(phone="020 7946 0018"),
            lead_body(email="not-an-email"),
            lead_body(message="hi\x1b[31m"),
            lead_body(postcode="<script>"),
            {**lead_body(), "assignee_id": "0" * 32},
            {**lead_body(), "status": "converted"},
        ],
        ids=[
            "unreachable",
            "no country code",
            "email",
            "control chars",
            "postcode",
            "assignee",
            "status",
        ],
    )
    async def test_bad_forms_are_422_and_store_nothing(
        self, auth: Harness, body: dict[str, Any]
    ) -> None:
        answer = await auth.client("198.51.100.21").post(LEADS, json=body)
        assert answer.status_code == 422
        assert await audit_events(auth.app_state, "lead.received") == []

    @pytest.mark.asvs("V2.4.1", "V2.3.2")
    async def test_a_flood_from_one_address_meets_a_challenge_then_429(self, auth: Harness) -> None:
        http = auth.client("198.51.100.30")
        free = auth.app_state.auth_policy.pow_after_public_requests
        limit = int(service.PER_ADDRESS.split("/")[0])
        for _ in range(free):
            assert (await http.post(LEADS, json=lead_body())).status_code == 202
        challenged = await http.post(LEADS, json=lead_body())
        assert (challenged.status_code, error_code(challenged)) == (403, "pow_required")
        sent = free
        while True:
            answer = await http.post(
                LEADS, json=lead_body(), headers={"X-PoW-Solution": await _solution(http)}
            )
            if answer.status_code != 202:
                break
            sent += 1
        assert sent == limit == 20
        assert answer.status_code == 429
        assert int(answer.headers["Retry-After"]) > 0
        assert len(await audit_events(auth.app_state, "lead.received")) == limit
        # Another network is not held back by this one.
        other = await auth.client("192.0.2.44").post(LEADS, json=lead_body())
        assert other.status_code == 202

    @pytest.mark.asvs("V2.4.1")
    async def test_the_counters_do_not_hold_the_address_in_clear(self, auth: Harness) -> None:
        state = auth.app_state.state
        if not isinstance(state, RedisState):
            pytest.skip("needs Redis")
        await auth.client("198.51.100.77").post(LEADS, json=lead_body())
        keys = [
            k.decode() if isinstance(k, bytes) else k for k in await state.client.keys("*leads*")
        ]
        assert keys
        assert not any("198.51.100" in key for key in keys)


class TestSales:
    @pytest.mark.asvs("V8.2.2", "V8.1.2")
    async def test_a_salesperson_sees_own_and_unassigned_leads_only(self, world: World) -> None:
        app = world.app_state
        other_seller = await new_account(app, Role.SALES)
        await world.sign_in("sales_b", other_seller)
        unassigned = await public_lead(app, email="free.lead@example.net")
        theirs = (await world.call("sales_b", "POST", STAFF, json=lead_body())).json()["id"]
        listed = await world.call(SALES, "GET", STAFF)
        ids = {lead["id"] for lead in listed.json()["items"]}
        assert ids == {world.ids["lead_id"], unassigned}
        assert all(lead["masked"] for lead in listed.json()["items"])
        assert "Lena" not in listed.text
        assert (await world.call(SALES, "GET", f"{STAFF}/{theirs}")).status_code == 404
        patch = await world.call(SALES, "PATCH", f"{STAFF}/{theirs}", json={"status": "lost"})
        assert patch.status_code == 404

    @pytest.mark.asvs("V8.2.3", "V16.3.3")
    async def test_own_leads_open_in_plaintext_and_the_read_is_audited(self, world: World) -> None:
        mine = await world.call(SALES, "GET", world.url(STAFF + "/{lead_id}"))
        assert mine.json()["masked"] is False
        assert mine.json()["email"] == LEAD_BODY["email"]
        [event] = await audit_events(world.app_state, "lead.viewed")
        assert event.resource_id == world.ids["lead_id"]
        free = await public_lead(world.app_state)
        masked = await world.call(SALES, "GET", f"{STAFF}/{free}")
        assert masked.json()["masked"] is True
        assert masked.json()["phone"] == "+44 *** *** 0018"
        assert masked.json()["message"] is None
        assert len(await audit_events(world.app_state, "lead.viewed")) == 1

    async def test_an_unassigned_lead_is_claimed_before_it_is_worked(self, world: World) -> None:
        free = await public_lead(world.app_state)
        me = world.callers[SALES].user_id
        refused = await world.call(SALES, "PATCH", f"{STAFF}/{free}", json={"status": "contacted"})
        assert (refused.status_code, error_code(refused)) == (403, "lead_not_yours")
        claimed = await world.call(
            SALES, "PATCH", f"{STAFF}/{free}", json={"assignee_id": me, "status": "contacted"}
        )
        assert claimed.status_code == 200
        assert (claimed.json()["assignee_id"], claimed.json()["status"]) == (me, "contacted")
        valued = await world.call(
            SALES,
            "PATCH",
            f"{STAFF}/{free}",
            json={"estimated_value": "15000.00", "currency": "GBP"},
        )
        assert valued.json()["estimated_value"] == "15000.00"
        [*_, event] = await audit_events(world.app_state, "lead.updated")
        assert event.details == {"fields": ["currency", "estimated_value"], "assignee_id": me}

    @pytest.mark.asvs("V8.2.1")
    async def test_a_lead_is_handed_only_to_an_active_salesperson(self, world: World) -> None:
        url = world.url(STAFF + "/{lead_id}")
        support = world.callers[SUPPORT].user_id
        refused = await world.call(SALES, "PATCH", url, json={"assignee_id": support})
        assert (refused.status_code, error_code(refused)) == (422, "assignee_not_sales")
        colleague = await new_account(world.app_state, Role.SALES)
        handed = await world.call(SALES, "PATCH", url, json={"assignee_id": colleague})
        assert handed.status_code == 200
        assert (await world.call(SALES, "GET", url)).status_code == 404

    async def test_converted_is_reached_only_by_converting(self, world: World) -> None:
        url = world.url(STAFF + "/{lead_id}")
        answer = await world.call(SALES, "PATCH", url, json={"status": "converted"})
        assert (answer.status_code, error_code(answer)) == (422, "status_not_settable")


class TestConversion:
    async def test_conversion_invites_the_lead_to_set_up_an_account(
        self, world: World, auth: Harness
    ) -> None:
        url = world.url(STAFF + "/{lead_id}/convert")
        answer = await world.call(SALES, "POST", url)
        assert answer.status_code == 200, answer.text
        customer_id = answer.json()["customer_id"]
        assert answer.json()["status"] == "converted"
        token = await auth.mail.token(LEAD_BODY["email"], "ready to be set up")
        mail = await auth.mail.last(LEAD_BODY["email"], "ready to be set up")
        assert "accept-invitation#token=" in mail.get_content()
        accepted = await auth.client().post(
            "/api/v1/auth/invitations/accept", json={"token": token, "password": PASSWORD}
        )
        assert accepted.status_code == 204, accepted.text
        signed_in = await auth.client().post(
            "/api/v1/auth/token",
            json={"grant_type": "password", "email": LEAD_BODY["email"], "password": PASSWORD},
        )
        assert signed_in.status_code == 200
        async with world.app_state.db.transaction() as session:
            user = await session.get(User, customer_id)
        assert user is not None
        assert (user.kind, user.status) == ("customer", "active")
        again = await world.call(SALES, "POST", url)
        assert (again.status_code, error_code(again)) == (409, "lead_converted")
        [event] = await audit_events(world.app_state, "lead.converted")
        assert event.details == {"customer_id": customer_id, "invited": True}

    async def test_an_existing_customer_is_linked_without_a_mail(
        self, world: World, auth: Harness
    ) -> None:
        app = world.app_state
        lead = await sales_lead(app, world.callers[SALES].user_id, email="jane@example.com")
        answer = await world.call(SALES, "POST", f"{STAFF}/{lead}/convert")
        assert answer.json()["customer_id"] == world.ids["customer_id"]
        assert [
            m for m in await auth.mail.to("jane@example.com") if "set up" in str(m["Subject"])
        ] == []

    @pytest.mark.parametrize(
        ("changes", "status", "code"),
        [
            ({"email": None}, 422, "lead_has_no_email"),
            ({"email": "target@helio.example"}, 409, "lead_email_taken"),
        ],
        ids=["no email", "staff email"],
    )
    async def test_conversions_that_cannot_be(
        self, world: World, changes: dict[str, Any], status: int, code: str
    ) -> None:
        lead = await sales_lead(world.app_state, world.callers[SALES].user_id, **changes)
        answer = await world.call(SALES, "POST", f"{STAFF}/{lead}/convert")
        assert (answer.status_code, error_code(answer)) == (status, code)
        assert (await stored_lead(world.app_state, lead)).status == "new"


class TestPipeline:
    @pytest.mark.asvs("V8.1.2", "V14.2.4")
    async def test_counts_and_values_by_stage_and_month_without_personal_data(
        self, world: World
    ) -> None:
        lead = world.url(STAFF + "/{lead_id}")
        await world.call(
            SALES, "PATCH", lead, json={"estimated_value": "9000.00", "currency": "GBP"}
        )
        await public_lead(world.app_state)
        for who in (SALES, ADMIN):
            answer = await world.call(who, "GET", "/api/v1/staff/reports/pipeline")
            assert answer.status_code == 200
        rows = answer.json()["rows"]
        leads = {
            (r["stage"], r["currency"]): (r["count"], r["value"])
            for r in rows
            if r["kind"] == "lead"
        }
        assert leads == {("new", "GBP"): (1, "9000.00"), ("new", None): (1, "0")}
        [order] = [r for r in rows if r["kind"] == "order"]
        assert (order["stage"], order["count"], order["value"]) == ("placed", 1, "12345.67")
        for private in (
            "Lena",
            "lena.lead",
            "Jane",
            "jane@",
            world.ids["lead_id"],
            world.ids["order_id"],
        ):
            assert private not in answer.text
        assert (
            await world.call(SUPPORT, "GET", "/api/v1/staff/reports/pipeline")
        ).status_code == 403
        months = await world.call(
            SALES, "GET", "/api/v1/staff/reports/pipeline", params={"months": 99}
        )
        assert months.status_code == 422
