"""/orders and /staff/orders over HTTP: the key header, tampering, scoping per role, masking,
corrections audited with masked before/after, step mails, and racing requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from tests.authz.authz_world import World, build_world
from tests.factories.accounts import audit_events, new_account
from tests.factories.leads import sales_lead
from tests.factories.orders import (
    advance,
    idempotency_key,
    make_quote,
    staff_ctx,
    window,
)
from tests.fixtures.apps import served
from tests.fixtures.principals import Harness, error_code

from helio.authz.matrix import Perm, Role
from helio.kit.clock import utcnow
from helio.leads import conversion
from helio.models import Order
from helio.orders.workflow import Status
from helio.platform.app import App

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

ORDERS = "/api/v1/orders"
STAFF = "/api/v1/staff/orders"
CUSTOMER, SUPPORT, SALES = Role.CUSTOMER.value, Role.SUPPORT.value, Role.SALES.value
ENGINEER, ADMIN = Role.ENGINEER.value, Role.ADMIN.value
REASON = "The customer called to move the appointment"


@pytest.fixture
async def world(app: FastAPI, auth: Harness) -> AsyncIterator[World]:
    built = await build_world(app, served(app))
    yield built
    await built.http.aclose()


def _window_json(days: int = 10) -> dict[str, str]:
    chosen = window(days=days)
    return {"starts_at": chosen.starts_at.isoformat(), "ends_at": chosen.ends_at.isoformat()}


async def _orders(app: App) -> int:
    async with app.db.transaction() as session:
        return int((await session.execute(select(func.count()).select_from(Order))).scalar_one())


async def _place(world: World, who: str = CUSTOMER, **extra: Any) -> Any:
    quote = await make_quote(world.app_state, world.callers[who].user_id)
    headers = {**world.callers[who].headers, "Idempotency-Key": idempotency_key()}
    body = {"quote_id": quote, **extra}
    return await world.http.post(ORDERS, json=body, headers=headers)


class TestPlacing:
    @pytest.mark.asvs("V2.3.4")
    async def test_a_repeated_request_answers_the_same_order(self, world: World) -> None:
        quote = await make_quote(world.app_state, world.callers[CUSTOMER].user_id)
        headers = {**world.callers[CUSTOMER].headers, "Idempotency-Key": idempotency_key()}
        first = await world.http.post(ORDERS, json={"quote_id": quote}, headers=headers)
        again = await world.http.post(ORDERS, json={"quote_id": quote}, headers=headers)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json()["id"] == first.json()["id"]
        contact = {"name": "Someone Else", "phone": "+442079460555"}
        other = await world.http.post(
            ORDERS, json={"quote_id": quote, "contact": contact}, headers=headers
        )
        assert other.status_code == 409
        assert error_code(other) == "idempotency_key_reused"

    @pytest.mark.parametrize("key", [None, "short", "x" * 65, "spaces are bad!"])
    async def test_the_key_header_is_required_and_shaped(
        self, world: World, key: str | None
    ) -> None:
        quote = await make_quote(world.app_state, world.callers[CUSTOMER].user_id)
        headers = dict(world.callers[CUSTOMER].headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        answer = await world.http.post(ORDERS, json={"quote_id": quote}, headers=headers)
        assert answer.status_code == 422

    @pytest.mark.asvs("V15.3.3", "V2.3.2")
    @pytest.mark.parametrize(
        "tampered",
        [
            {"net_price": "1.00"},
            {"currency": "XXX"},
            {"status": "activated"},
            {"customer_id": "0" * 32},
            {"payment_status": "deposit_paid"},
        ],
        ids=lambda body: next(iter(body)),
    )
    async def test_figures_and_state_in_the_request_are_refused(
        self, world: World, tampered: dict[str, str]
    ) -> None:
        before = await _orders(world.app_state)
        answer = await _place(world, **tampered)
        assert answer.status_code == 422
        assert await _orders(world.app_state) == before

    async def test_the_order_shows_the_quotes_price_contact_and_timeline(
        self, world: World, auth: Harness
    ) -> None:
        contact = {"name": "Sam Neighbour", "phone": "+44 20 7946 0123"}
        answer = await _place(world, contact=contact)
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert (body["net_price"], body["currency"]) == ("12345.67", "USD")
        assert body["contact"] == contact
        [entry] = body["timeline"]
        assert entry["to_status"] == "placed"
        assert entry["actor_id"] is None  # the customer sees roles, not staff ids
        assert entry["at"].endswith("Z") or entry["at"].endswith("+00:00")
        events = await audit_events(world.app_state, "order.placed")
        [event] = [e for e in events if e.resource_id == body["id"]]
        assert "Sam" not in str(event.details)

    @pytest.mark.asvs("V6.3.3")
    async def test_a_customer_without_a_second_factor_is_told_to_set_one_up(
        self, world: World
    ) -> None:
        plain = await new_account(world.app_state)
        await world.sign_in("plain", plain)
        answer = await _place(world, who="plain")
        assert answer.status_code == 403
        assert error_code(answer) == "mfa_enrolment_required"

    async def test_each_step_is_mailed_with_a_link_and_nothing_personal(
        self, world: World, auth: Harness
    ) -> None:
        answer = await _place(world, contact={"name": "Sam Neighbour", "phone": "+442079460123"})
        order_id = answer.json()["id"]
        moved = await world.call(
            SUPPORT,
            "POST",
            f"{STAFF}/{order_id}/transition",
            json={"to": "survey_scheduled", "window": _window_json(), "note": "Gate code 1234"},
        )
        assert moved.status_code == 200, moved.text
        mails = [m for m in await auth.mail.to("jane@example.com") if order_id in m.get_content()]
        assert [str(m["Subject"]) for m in mails] == ["Your Helio order has a new step"] * 2
        text = mails[-1].get_content()
        assert "Site survey scheduled" in text
        assert f"/orders/{order_id}" in text
        assert "Appointment:" in text
        for private in ("Jane", "Sam", "Neighbour", "1234", "7946"):
            assert private not in text


class TestReading:
    @pytest.mark.asvs("V8.2.2")
    async def test_another_customers_order_is_not_found(self, world: World) -> None:
        url = world.url(ORDERS + "/{order_id}")
        assert (await world.call("customer_b", "GET", url)).status_code == 404
        cancel = await world.call("customer_b", "POST", url + "/cancel", json={})
        assert cancel.status_code == 404
        mine = await world.call(CUSTOMER, "GET", url)
        assert mine.json()["status"] == "placed"
        listed = await world.call("customer_b", "GET", ORDERS)
        assert listed.json() == {"items": [], "next_cursor": None}

    async def test_the_list_pages_newest_first(self, world: World) -> None:
        for _ in range(2):
            assert (await _place(world)).status_code == 201
        first = await world.call(CUSTOMER, "GET", ORDERS, params={"limit": 2})
        rest = await world.call(
            CUSTOMER, "GET", ORDERS, params={"limit": 2, "cursor": first.json()["next_cursor"]}
        )
        ids = [o["id"] for o in first.json()["items"] + rest.json()["items"]]
        assert len(ids) == len(set(ids)) == 3
        assert world.ids["order_id"] == ids[-1]

    @pytest.mark.asvs("V8.2.3", "V8.1.2")
    async def test_staff_see_the_contact_masked_and_each_view_is_audited(
        self, world: World
    ) -> None:
        answer = await _place(world, contact={"name": "Sam Neighbour", "phone": "+442079460123"})
        order_id = answer.json()["id"]
        view = await world.call(SUPPORT, "GET", f"{STAFF}/{order_id}")
        assert view.status_code == 200
        assert view.json()["contact"] == {"name": "S. N.", "phone": "+44 *** *** 0123"}
        assert view.json()["timeline"][0]["actor_id"] == world.callers[CUSTOMER].user_id
        [event] = await audit_events(world.app_state, "order.viewed")
        assert event.resource_id == order_id

    async def test_the_staff_list_filters_by_status(self, world: World) -> None:
        order_id = (await _place(world)).json()["id"]
        await world.call(
            SUPPORT,
            "POST",
            f"{STAFF}/{order_id}/transition",
            json={"to": "survey_scheduled", "window": _window_json()},
        )
        placed = await world.call(SUPPORT, "GET", STAFF, params={"status": "placed"})
        scheduled = await world.call(SUPPORT, "GET", STAFF, params={"status": "survey_scheduled"})
        assert [o["id"] for o in placed.json()["items"]] == [world.ids["order_id"]]
        assert [o["id"] for o in scheduled.json()["items"]] == [order_id]
        bad = await world.call(SUPPORT, "GET", STAFF, params={"status": "paid"})
        assert bad.status_code == 422

    @pytest.mark.asvs("V8.2.2")
    async def test_sales_see_only_orders_of_their_leads_customers(self, world: World) -> None:
        app = world.app_state
        seller = world.callers[SALES].user_id
        listed = await world.call(SALES, "GET", STAFF)
        assert listed.json()["items"] == []
        assert (await world.call(SALES, "GET", world.url(STAFF + "/{order_id}"))).status_code == 404
        lead = await sales_lead(app, seller, email="jane@example.com")
        async with app.db.transaction() as session:
            await conversion.convert(
                session, staff_ctx(app, seller, Perm.LEADS_CONVERT, Role.SALES), lead_id=lead
            )
        listed = await world.call(SALES, "GET", STAFF)
        assert [o["id"] for o in listed.json()["items"]] == [world.ids["order_id"]]
        change = await world.call(
            SALES, "POST", world.url(STAFF + "/{order_id}/transition"), json={"to": "cancelled"}
        )
        assert change.status_code == 403  # read-only after signing

    @pytest.mark.asvs("V8.2.2")
    async def test_an_engineer_without_a_grant_finds_no_order(self, world: World) -> None:
        answer = await world.call(ENGINEER, "GET", world.url(STAFF + "/{order_id}"))
        assert answer.status_code == 404
        assert (await world.call(ENGINEER, "GET", STAFF)).json()["items"] == []


class TestChanging:
    @pytest.mark.asvs("V2.3.1")
    async def test_skipping_steps_is_409_and_changes_nothing(self, world: World) -> None:
        url = world.url(STAFF + "/{order_id}/transition")
        for target in ("installed", "activated", "surveyed", "placed"):
            answer = await world.call(SUPPORT, "POST", url, json={"to": target})
            assert answer.status_code == 409, target
            assert error_code(answer) == "transition_not_allowed"
        order = await world.call(CUSTOMER, "GET", world.url(ORDERS + "/{order_id}"))
        assert (order.json()["status"], order.json()["version"]) == ("placed", 1)

    @pytest.mark.parametrize(
        "window_json",
        [
            {"starts_at": "2031-03-01T09:00:00", "ends_at": "2031-03-01T12:00:00"},
            {"starts_at": "2031-03-01T09:00:00Z", "ends_at": "2031-03-01T08:00:00Z"},
            {"starts_at": "2031-03-01T09:00:00Z", "ends_at": "2031-03-02T09:00:00Z"},
        ],
        ids=["no offset", "ends first", "too long"],
    )
    async def test_a_malformed_window_is_422(
        self, world: World, window_json: dict[str, str]
    ) -> None:
        url = world.url(STAFF + "/{order_id}/transition")
        answer = await world.call(
            SUPPORT, "POST", url, json={"to": "survey_scheduled", "window": window_json}
        )
        assert answer.status_code == 422

    async def test_a_window_keeps_its_instant_and_comes_back_in_utc(self, world: World) -> None:
        url = world.url(STAFF + "/{order_id}/transition")
        starts = (utcnow() + timedelta(days=20)).replace(microsecond=0)
        body = {
            "to": "survey_scheduled",
            "window": {
                "starts_at": starts.strftime("%Y-%m-%dT%H:%M:%S+02:00"),
                "ends_at": (starts + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S+02:00"),
            },
        }
        answer = await world.call(SUPPORT, "POST", url, json=body)
        assert answer.status_code == 200, answer.text
        expected = (starts - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S")
        assert answer.json()["survey_window"]["starts_at"].startswith(expected)

    @pytest.mark.asvs("V16.3.3", "V8.2.3")
    async def test_reschedule_and_contact_correction_are_audited_masked(self, world: World) -> None:
        answer = await _place(world, contact={"name": "Sam Neighbour", "phone": "+442079460123"})
        order_id = answer.json()["id"]
        url = f"{STAFF}/{order_id}"
        await world.call(
            SUPPORT,
            "POST",
            url + "/transition",
            json={"to": "survey_scheduled", "window": _window_json(5)},
        )
        new_window = _window_json(9)
        patched = await world.call(
            SUPPORT,
            "PATCH",
            url,
            json={
                "survey_window": new_window,
                "contact": {"name": "Kim Other", "phone": "+442079460999"},
                "reason": REASON,
                "version": 2,
            },
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["version"] == 3
        assert patched.json()["timeline"][-1]["kind"] == "rescheduled"
        [event] = await audit_events(world.app_state, "order.updated")
        assert event.reason == REASON
        changes = (event.details or {})["changes"]
        assert changes["contact"] == {
            "before": {"name": "S. N.", "phone": "+44 *** *** 0123"},
            "after": {"name": "K. O.", "phone": "+44 *** *** 0999"},
        }
        assert set(changes["survey_window"]) == {"before", "after"}
        assert "Neighbour" not in str(event.details)
        assert "0999" not in str(event.reason)
        mine = await world.call(CUSTOMER, "GET", f"{ORDERS}/{order_id}")
        assert mine.json()["contact"] == {"name": "Kim Other", "phone": "+442079460999"}

    async def test_a_stale_version_or_the_wrong_window_is_409(self, world: World) -> None:
        url = world.url(STAFF + "/{order_id}")
        stale = await world.call(
            SUPPORT,
            "PATCH",
            url,
            json={
                "contact": {"name": "A B", "phone": "+442079460999"},
                "reason": REASON,
                "version": 7,
            },
        )
        assert error_code(stale) == "order_changed"
        wrong = await world.call(
            SUPPORT, "PATCH", url, json={"install_window": _window_json(), "reason": REASON}
        )
        assert (wrong.status_code, error_code(wrong)) == (409, "reschedule_not_allowed")
        assert await audit_events(world.app_state, "order.updated") == []

    async def test_the_customer_cancels_over_http(self, world: World) -> None:
        url = world.url(ORDERS + "/{order_id}/cancel")
        answer = await world.call(CUSTOMER, "POST", url, json={"note": "Changed my mind"})
        assert answer.status_code == 200
        assert answer.json()["status"] == "cancelled"
        again = await world.call(CUSTOMER, "POST", url, json={})
        assert (again.status_code, error_code(again)) == (409, "transition_not_allowed")
        [event] = await audit_events(world.app_state, "order.cancelled")
        assert event.details == {"from": "placed", "by": "customer", "version": 2}

    @pytest.mark.asvs("V2.3.4")
    async def test_two_racing_requests_one_wins_the_other_is_409(self, world: World) -> None:
        url = world.url(STAFF + "/{order_id}/transition")
        bodies = [
            {"to": "survey_scheduled", "window": _window_json(), "version": 1},
            {"to": "cancelled", "version": 1},
        ]
        answers = await asyncio.gather(
            *(
                world.call(who, "POST", url, json=body)
                for who, body in zip((SUPPORT, ADMIN), bodies, strict=True)
            )
        )
        assert sorted(a.status_code for a in answers) == [200, 409]

    async def test_a_finished_order_moves_no_more(self, world: World) -> None:
        app = world.app_state
        support = world.callers[SUPPORT].user_id
        order_id = world.ids["order_id"]
        await advance(app, world.callers[CUSTOMER].user_id, support, order_id, Status.ACTIVATED)
        answer = await world.call(
            SUPPORT, "POST", f"{STAFF}/{order_id}/transition", json={"to": "cancelled"}
        )
        assert answer.status_code == 409
