"""A small world for HTTP authorization tests: one signed-in caller per role, and their objects.

Callers hold real sessions created by the auth layer and real access tokens
(bearer), so every request goes through `authenticate` and the route guard
exactly as in production. Sessions start with a fresh MFA step-up, so the
matrix, not the step-up window, decides the answers (step-up has its own tests).
"""

from __future__ import annotations

import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from tests.factories.accounts import ADDRESS, PHONE, caller, new_account
from tests.factories.documents import jpeg, upload_document
from tests.factories.leads import sales_lead
from tests.factories.orders import place_order
from tests.factories.sites import SITE_BODY

from helio.auth.sessions import lifecycle as sessions
from helio.auth.tokens.issuing import issue_access_token
from helio.authz.matrix import Perm, Role
from helio.config import Settings
from helio.http.routes import RouteInfo, api_routes
from helio.kit.clock import utcnow
from helio.main import create_app
from helio.models import AuthSession, User
from helio.platform.app import App
from helio.staff.grants import service as grants
from helio.staff.grants.schemas import GrantCreate

BASE_URL = "https://api.helio.test"
ANONYMOUS = "anonymous"
ROLES = (Role.CUSTOMER, Role.SUPPORT, Role.SALES, Role.ENGINEER, Role.ADMIN)
PARAM = re.compile(r"\{([a-z_]+)(?::path)?\}")


def app_routes() -> list[RouteInfo]:
    """Return the documented routes of a freshly built app (at collection time)."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            env="test", data_dir=Path(tmp), secret_key="route-listing-only-" + "k" * 40
        )
        return [route for route in api_routes(create_app(settings)) if route.in_schema]


def route_id(route: RouteInfo) -> str:
    """Return the test id of a route."""
    return f"{route.method} {route.path}"


@dataclass
class Caller:
    """A signed-in account: its id, its session and the bearer token of that session."""

    user_id: str
    session_id: str
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        """Return the Authorization header."""
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    """The app, an HTTP client and the callers and ids of one test."""

    app: FastAPI
    app_state: App
    http: AsyncClient
    callers: dict[str, Caller] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    async def call(self, who: str, method: str, url: str, **kwargs: Any) -> Response:
        """Send a request as `who` (a role name, another caller's name, or anonymous)."""
        headers = {} if who == ANONYMOUS else self.callers[who].headers
        return await self.http.request(method, url, headers=headers, **kwargs)

    async def sign_in(self, name: str, user_id: str, *, step_up: bool = True) -> Caller:
        """Give an account a live, MFA-verified token session and remember it as `name`."""
        async with self.app_state.db.transaction() as session:
            user = await session.get(User, user_id)
            assert user is not None
            new = await sessions.create_session(
                session,
                self.app_state,
                user,
                kind="token",
                mfa_verified=user.kind == "staff",
                client_ip="203.0.113.7",
                user_agent="pytest",
            )
            new.row.step_up_at = utcnow() if step_up else None
        caller = Caller(user_id, new.row.id)
        self.callers[name] = caller
        await self.reissue(name)
        return caller

    async def reissue(self, name: str) -> None:
        """Issue a fresh access token for a caller's session (after moving the clock)."""
        caller = self.callers[name]
        async with self.app_state.db.transaction() as session:
            row = await session.get(AuthSession, caller.session_id)
            assert row is not None
            caller.token, _ = await issue_access_token(self.app_state, row)

    def url(self, path: str, ids: dict[str, str] | None = None) -> str:
        """Fill a path template with known ids; fail loudly for an unknown parameter."""
        known = {**self.ids, **(ids or {})}

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in known:
                raise LookupError(f"no test id for {{{name}}}: add one to the authz world")
            return known[name]

        return PARAM.sub(fill, path)


async def build_world(app: FastAPI, app_state: App) -> World:
    """Create customers A and B (with a second factor), one staff member per role, a target
    staff, a grant, an order of A and a lead of the salesperson."""
    transport = ASGITransport(app=app, client=("203.0.113.7", 50000))
    http = AsyncClient(transport=transport, base_url=BASE_URL)
    world = World(app, app_state, http)
    customer_a = await new_account(
        app_state,
        full_name="Jane Doe",
        email="jane@example.com",
        phone=PHONE,
        address=ADDRESS,
        mfa=True,
    )
    await world.sign_in(Role.CUSTOMER.value, customer_a)
    customer_b = await new_account(app_state, full_name="Bob Other", mfa=True)
    await world.sign_in("customer_b", customer_b)
    for role in ROLES[1:]:
        await world.sign_in(role.value, await new_account(app_state, role))
    target = await new_account(app_state, Role.SUPPORT, email="target@helio.example")
    world.ids.update(
        customer_id=customer_a,
        staff_id=target,
        session_id=world.callers[Role.CUSTOMER.value].session_id,
        grant_id=await _pending_grant(app_state, world.callers[Role.ENGINEER.value], customer_a),
        credential_id=secrets.token_hex(16),
        quote_id=secrets.token_hex(16),
        order_id=(await place_order(app_state, customer_a)).id,
        lead_id=await sales_lead(app_state, world.callers[Role.SALES.value].user_id),
    )
    site = await world.call(Role.CUSTOMER.value, "POST", "/api/v1/sites", json=SITE_BODY)
    assert site.status_code == 201, site.text
    world.ids["site_id"] = site.json()["id"]
    photo = await upload_document(app_state, customer_a, world.ids["site_id"], jpeg())
    world.ids["doc_id"] = photo.id
    return world


async def _pending_grant(app_state: App, engineer: Caller, customer_id: str) -> str:
    async with app_state.db.transaction() as session:
        grant = await grants.request_grant(
            session,
            caller(app_state, engineer.user_id, Perm.GRANTS_REQUEST, Role.ENGINEER),
            data=GrantCreate(
                customer_id=customer_id,
                reason="Matrix test: investigating a quote for this customer",
                minutes=60,
            ),
        )
    return grant.id
