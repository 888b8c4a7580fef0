"""IDOR: another customer's ids answer 404 on every id-bearing route a customer may use.

The routes come from the app: a new id-bearing customer route is covered the
day it is added (and fails here until the world knows an id for its parameter
and a valid body for it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from structlog.testing import capture_logs
from tests.authz.authz_world import PARAM, World, app_routes, build_world, route_id
from tests.factories.sites import MONTHLY_KWH

from helio.authz.access import route_permission
from helio.authz.matrix import Reach, Role, reach
from helio.kit.clock import utcnow
from helio.kit.ids import new_id
from helio.models import WebAuthnCredential
from helio.platform.app import App

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

CUSTOMER = Role.CUSTOMER.value
OTHER = "customer_b"
ID_ROUTES = [
    route
    for route in app_routes()
    if PARAM.search(route.path)
    and (perm := route_permission(route.dependant)) is not None
    and reach(perm, Role.CUSTOMER) != Reach.NONE
]
# Valid bodies, so that the object check (not validation) answers.
BODIES: dict[str, dict[str, Any]] = {
    "PATCH /api/v1/sites/{site_id}": {"label": "Taken over"},
    "PUT /api/v1/sites/{site_id}/usage": {"monthly_kwh": [0] * 12},
}


@pytest.fixture
async def world(app: FastAPI, clean: App) -> AsyncIterator[World]:
    built = await build_world(app, clean)
    await _give_customer_a_everything(built)
    yield built
    await built.http.aclose()


async def _give_customer_a_everything(world: World) -> None:
    site = world.ids["site_id"]
    usage = await world.call(
        CUSTOMER, "PUT", f"/api/v1/sites/{site}/usage", json={"monthly_kwh": MONTHLY_KWH}
    )
    assert usage.status_code == 200, usage.text
    quote = await world.call(CUSTOMER, "POST", "/api/v1/quotes", json={"site_id": site})
    assert quote.status_code == 201, quote.text
    world.ids["quote_id"] = quote.json()["id"]
    async with world.app_state.db.transaction() as session:
        credential = WebAuthnCredential(
            id=new_id(),
            user_id=world.ids["customer_id"],
            credential_id=new_id().encode(),
            public_key=b"\x01" * 64,
            created_at=utcnow(),
        )
        session.add(credential)
    world.ids["credential_id"] = credential.id


def test_the_customer_id_routes_are_found() -> None:
    paths = {route.path for route in ID_ROUTES}
    assert {"/api/v1/sites/{site_id}", "/api/v1/quotes/{quote_id}"} <= paths
    assert "/api/v1/auth/sessions/{session_id}" in paths


@pytest.mark.asvs("V8.2.2", "V8.3.1")
async def test_customer_b_gets_404_with_customer_a_ids_everywhere(world: World) -> None:
    wrong = []
    for route in ID_ROUTES:
        body = BODIES.get(route_id(route), {} if route.method in {"POST", "PUT", "PATCH"} else None)
        answer = await world.call(OTHER, route.method, world.url(route.path), json=body)
        if answer.status_code != 404:
            wrong.append(f"{route_id(route)}: {answer.status_code} {answer.text[:160]}")
    assert wrong == []
    await _customer_a_is_untouched(world)


async def _customer_a_is_untouched(world: World) -> None:
    site = await world.call(CUSTOMER, "GET", world.url("/api/v1/sites/{site_id}"))
    assert site.status_code == 200
    assert site.json()["label"] == "Home"
    quote = await world.call(CUSTOMER, "GET", world.url("/api/v1/quotes/{quote_id}"))
    assert quote.status_code == 200
    credentials = await world.call(CUSTOMER, "GET", "/api/v1/auth/webauthn/credentials")
    assert world.ids["credential_id"] in credentials.text
    sessions = await world.call(CUSTOMER, "GET", "/api/v1/auth/sessions")
    assert sessions.status_code == 200
    assert world.ids["session_id"] in sessions.text


@pytest.mark.asvs("V8.2.2")
async def test_an_engineer_without_grant_gets_404_on_customer_routes(world: World) -> None:
    customer = world.ids["customer_id"]
    for method, path, body in (
        ("GET", f"/api/v1/staff/customers/{customer}", None),
        ("POST", f"/api/v1/staff/customers/{customer}/reveal", _reveal_body()),
    ):
        answer = await world.call(Role.ENGINEER.value, method, path, json=body)
        assert answer.status_code == 404, answer.text


def _reveal_body() -> dict[str, Any]:
    return {"fields": ["email", "phone"], "reason": "Checking the customer's contact data"}


@pytest.mark.asvs("V16.3.2")
async def test_denials_and_hidden_objects_are_logged_with_who_and_what(world: World) -> None:
    customer = world.ids["customer_id"]
    with capture_logs() as logs:
        refused = await world.call(CUSTOMER, "GET", "/api/v1/admin/staff")
        hidden = await world.call(Role.ENGINEER.value, "GET", f"/api/v1/staff/customers/{customer}")
    assert (refused.status_code, hidden.status_code) == (403, 404)
    denied = [log for log in logs if log["event"] == "authz_denied"]
    assert denied == [
        {
            "event": "authz_denied",
            "log_level": "warning",
            "user_id": customer,
            "session_id": world.callers[CUSTOMER].session_id,
            "perm": "staff:read",
            "code": "forbidden",
            "method": "GET",
            "path": "/api/v1/admin/staff",
            "component": "authz",
        }
    ]
    [missing] = [log for log in logs if log["event"] == "authz_not_visible"]
    assert missing["user_id"] == world.callers[Role.ENGINEER.value].user_id
    assert (missing["resource"], missing["reach"]) == ("customer", "GRANTED")
