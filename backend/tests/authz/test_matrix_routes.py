"""The matrix test: every route of the app × every role (and anonymous) answers as the matrix says.

Routes are enumerated from the app itself, so a new route is tested the day
it is added: without a guard or a place in PUBLIC_ROUTES it fails here (and
the app refuses to start), and its answers must match its row of the matrix.
Expected classes: anonymous → 401 (public routes: neither 401 nor 403);
reach NONE → 403; any other reach → neither 401 nor 403, and no server error
(2xx, or 404/409/422 when the object or body does not suit that caller).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from tests.authz.authz_world import ANONYMOUS, ROLES, World, app_routes, build_world, route_id
from tests.factories.leads import lead_body
from tests.factories.sites import MONTHLY_KWH, SITE_BODY

from helio.authz.access import route_permission
from helio.authz.matrix import PUBLIC_ROUTES, Reach, Role, reach
from helio.http.routes import RouteInfo
from helio.platform.app import App

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

ROUTES = app_routes()
REASON = "Matrix test: the customer asked us to check this"

Body = dict[str, Any] | Callable[[World], dict[str, Any]]
# Bodies that pass validation, so allowed callers reach the handler (others get `{}`).
BODIES: dict[str, Body] = {
    "POST /api/v1/staff/customers/{customer_id}/reveal": {"fields": ["email"], "reason": REASON},
    "POST /api/v1/staff/grants": lambda w: {
        "customer_id": w.ids["customer_id"],
        "reason": REASON,
        "minutes": 30,
    },
    "POST /api/v1/admin/staff": {
        "email": "fresh@helio.example",
        "full_name": "Fresh Staff",
        "roles": ["sales"],
    },
    "PATCH /api/v1/admin/staff/{staff_id}": {"roles": ["sales"]},
    "POST /api/v1/admin/access-review/attest": {"note": "matrix test"},
    "POST /api/v1/sites": SITE_BODY,
    "PATCH /api/v1/sites/{site_id}": {"label": "Matrix"},
    "PUT /api/v1/sites/{site_id}/usage": {"monthly_kwh": MONTHLY_KWH},
    "POST /api/v1/quotes": lambda w: {"site_id": w.ids["site_id"]},
    "POST /api/v1/orders/{order_id}/cancel": {"note": "Matrix test"},
    "POST /api/v1/staff/orders/{order_id}/transition": {"to": "cancelled", "note": "Matrix"},
    "PATCH /api/v1/staff/orders/{order_id}": {
        "contact": {"name": "Site Contact", "phone": "+44 20 7946 0001"},
        "reason": REASON,
    },
    "PATCH /api/v1/staff/customers/{customer_id}": {"phone": "+44 20 7946 0002", "reason": REASON},
    "POST /api/v1/staff/leads": lead_body(email="other.lead@example.net"),
    "PATCH /api/v1/staff/leads/{lead_id}": {"status": "contacted"},
}
QUERIES: dict[str, dict[str, str]] = {
    "GET /api/v1/staff/customers": {"query": "jane@example.com"},
    "GET /api/v1/staff/orders": {"status": "placed"},
}


@pytest.fixture
async def world(app: FastAPI, clean: App) -> AsyncIterator[World]:
    built = await build_world(app, clean)
    yield built
    await built.http.aclose()


def body_for(route: RouteInfo, world: World) -> dict[str, Any] | None:
    """Return a request body for a route: a valid one when known, else `{}` (or none)."""
    known = BODIES.get(route_id(route))
    if known is not None:
        return known(world) if callable(known) else known
    return {} if route.method in {"POST", "PUT", "PATCH"} else None


def expected(route: RouteInfo, who: str) -> str:
    """Return the answer class the matrix demands: "401", "403" or "allowed"."""
    if (route.method, route.path) in PUBLIC_ROUTES:
        return "allowed"
    if who == ANONYMOUS:
        return "401"
    perm = route_permission(route.dependant)
    assert perm is not None
    return "403" if reach(perm, Role(who)) == Reach.NONE else "allowed"


def matches(want: str, status: int) -> bool:
    """True when a status is in the expected class."""
    if want == "allowed":
        return status not in {401, 403} and status < 500
    return status == int(want)


def order(route: RouteInfo) -> list[str]:
    # Denied callers first: an allowed call may end other sessions (force reset, deactivation).
    callers = [ANONYMOUS, *(role.value for role in ROLES)]
    return sorted(callers, key=lambda who: expected(route, who) == "allowed")


def test_every_route_has_a_matrix_decision() -> None:
    undecided = [
        route_id(route)
        for route in ROUTES
        if (route.method, route.path) not in PUBLIC_ROUTES
        and route_permission(route.dependant) is None
    ]
    assert undecided == [], "declare a permission (matrix) or list the route as public"
    assert len(ROUTES) > 40


@pytest.mark.asvs("V8.1.1", "V8.2.1", "V8.3.1", "V14.2.2")
@pytest.mark.parametrize("route", ROUTES, ids=[route_id(r) for r in ROUTES])
async def test_route_answers_every_role_as_the_matrix_says(route: RouteInfo, world: World) -> None:
    url = world.url(route.path)
    body = body_for(route, world)
    params = QUERIES.get(route_id(route))
    wrong = []
    for who in order(route):
        answer = await world.call(who, route.method, url, json=body, params=params)
        want = expected(route, who)
        if not matches(want, answer.status_code):
            wrong.append(f"{who}: got {answer.status_code}, want {want}: {answer.text[:200]}")
        # No shared cache (proxy, CDN, browser) may keep an authenticated answer.
        private = (route.method, route.path) not in PUBLIC_ROUTES and who != ANONYMOUS
        if private and answer.headers.get("cache-control") != "no-store":
            wrong.append(f"{who}: cache-control {answer.headers.get('cache-control')!r}")
    assert wrong == [], f"{route_id(route)}\n" + "\n".join(wrong)


# What a read may write: the audit trail and its chain head (reads of personal data are audited).
READ_BOOKKEEPING = {"audit_events", "audit_chain_head"}


async def _checksums(app_state: App) -> dict[str, int | None]:
    async with app_state.db.transaction() as session:
        tables = [row[0] for row in await session.execute(text("SHOW TABLES"))]
        sums = await session.execute(text(f"CHECKSUM TABLE {', '.join(tables)}"))
        return {str(name).rsplit(".", 1)[-1]: value for name, value in sums}


@pytest.mark.asvs("V3.5.3")
async def test_no_get_route_changes_state(world: World, clean: App) -> None:
    gets = [route for route in ROUTES if route.method == "GET"]
    assert len(gets) > 20
    before = await _checksums(clean)
    for route in gets:
        for who in order(route):
            answer = await world.call(
                who, "GET", world.url(route.path), params=QUERIES.get(route_id(route))
            )
            assert answer.status_code < 500, route_id(route)
    after = await _checksums(clean)
    changed = sorted(t for t in before if before[t] != after[t])
    assert set(changed) <= READ_BOOKKEEPING, changed
