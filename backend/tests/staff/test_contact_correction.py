"""Support corrects a customer's contact details: audited with masked before/after, the
customer told by mail, the email out of reach."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from tests.authz.authz_world import World, build_world
from tests.factories.accounts import audit_events
from tests.fixtures.apps import served
from tests.fixtures.principals import Harness

from helio.authz.matrix import Role

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

URL = "/api/v1/staff/customers/{customer_id}"
REASON = "Customer called: the phone number had a typo"
SUPPORT, SALES = Role.SUPPORT.value, Role.SALES.value


@pytest.fixture
async def world(app: FastAPI, auth: Harness) -> AsyncIterator[World]:
    built = await build_world(app, served(app))
    yield built
    await built.http.aclose()


@pytest.mark.asvs("V16.3.3", "V8.2.3")
async def test_a_correction_is_audited_masked_and_the_customer_told(
    world: World, auth: Harness
) -> None:
    body = {
        "phone": "+1 415 555 9999",
        "address": {"line1": "7 New Street", "city": "Oakland", "postal_code": "94607",
                    "country": "US"},
        "reason": REASON,
    }  # fmt: skip
    answer = await world.call(SUPPORT, "PATCH", world.url(URL), json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["phone"] == "+1 *** *** 9999"
    [event] = await audit_events(world.app_state, "customer.contact_corrected")
    assert event.reason == REASON
    changes = (event.details or {})["changes"]
    assert changes["phone"] == {"before": "+1 *** *** 4567", "after": "+1 *** *** 9999"}
    assert changes["address"]["before"]["line1"] == "Dolores Street"
    assert changes["address"]["after"]["line1"] == "New Street"
    assert "555 9999" not in str(event.details)
    assert "94607" not in str(event.details)
    mail = await auth.mail.last("jane@example.com", "contact details were updated")
    text = mail.get_content()
    assert "address, phone" in text
    assert "9999" not in text
    assert "New Street" not in text
    me = await world.call(Role.CUSTOMER.value, "GET", "/api/v1/me")
    assert me.json()["phone"] == "+1 415 555 9999"


@pytest.mark.asvs("V15.3.3")
@pytest.mark.parametrize(
    "body",
    [
        {"email": "attacker@example.net", "reason": REASON},
        {"phone": "+1 415 555 9999"},
        {"reason": REASON},
        {"full_name": None, "reason": REASON},
        {"phone": "555 9999", "reason": REASON},
    ],
    ids=["email", "no reason", "nothing", "null name", "no country code"],
)
async def test_what_support_may_not_change_is_422(world: World, body: dict[str, object]) -> None:
    answer = await world.call(SUPPORT, "PATCH", world.url(URL), json=body)
    assert answer.status_code == 422
    assert await audit_events(world.app_state, "customer.contact_corrected") == []


async def test_sales_may_not_correct_accounts(world: World) -> None:
    answer = await world.call(
        SALES, "PATCH", world.url(URL), json={"phone": "+14155559999", "reason": REASON}
    )
    assert answer.status_code == 403
