"""Sites: request bodies, the Green Button sample, and signed-in callers that make sites."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from httpx import AsyncClient, Response

from helio.authz.matrix import Role
from tests.fixtures.principals import Harness, bearer

GREEN_BUTTON_SAMPLE = Path(__file__).parents[1] / "data" / "greenbutton" / "usage_daily_2023.xml"
# The sample's daily use (Wh) per month (see tests/sites/test_greenbutton.py).
SAMPLE_DAILY_WH = (
    32000,
    30000,
    26000,
    22000,
    20000,
    24000,
    30000,
    31000,
    25000,
    21000,
    25000,
    31000,
)
DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
SAMPLE_MONTHLY_KWH = [wh * d / 1000 for wh, d in zip(SAMPLE_DAILY_WH, DAYS, strict=True)]

SITE_BODY: dict[str, Any] = {
    "label": "Home",
    "address": {
        "line1": "1 Dolores Street",
        "city": "San Francisco",
        "region": "CA",
        "postal_code": "94110",
        "country": "US",
    },
    "latitude": 37.7749,
    "longitude": -122.4194,
    "timezone": "America/Los_Angeles",
    "roof_planes": [
        {"area_m2": 28, "tilt_deg": 22, "azimuth_deg": 180},
        {"area_m2": 18, "tilt_deg": 22, "azimuth_deg": 270, "shading_loss_pct": 10},
    ],
    "tariff": {"price_per_kwh": "0.32", "currency": "USD", "escalation_pct": 2.5},
}
MONTHLY_KWH = [720, 640, 610, 540, 500, 480, 520, 540, 530, 580, 640, 700]


def site_body(**changes: Any) -> dict[str, Any]:
    """Return a valid POST /sites body with some top-level fields replaced."""
    body = deepcopy(SITE_BODY)
    body.update(changes)
    return body


@dataclass
class Caller:
    """A signed-in account: its id, an HTTP client and the headers its requests carry."""

    user_id: str
    http: AsyncClient
    headers: dict[str, str]

    async def request(self, method: str, url: str, **kwargs: Any) -> Response:
        """Send a request with the caller's credentials."""
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.http.request(method, url, headers=headers, **kwargs)

    async def new_site(self, **changes: Any) -> str:
        """Create a site through the API and return its id."""
        answer = await self.request("POST", "/api/v1/sites", json=site_body(**changes))
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    async def site_with_usage(self) -> str:
        """Create a site with twelve monthly figures and return its id."""
        site_id = await self.new_site()
        answer = await self.request(
            "PUT", f"/api/v1/sites/{site_id}/usage", json={"monthly_kwh": MONTHLY_KWH}
        )
        assert answer.status_code == 200, answer.text
        return site_id


async def bearer_customer(auth: Harness) -> Caller:
    """Sign a new customer in through the token endpoint."""
    account = await auth.customer()
    http = auth.client()
    tokens = await auth.tokens(account, http)
    return Caller(account.user_id, http, bearer(tokens["access_token"]))


async def bearer_staff(auth: Harness, role: Role) -> Caller:
    """Sign a new staff member of `role` in (password and TOTP) through the token endpoint."""
    account = await auth.staff(role)
    http = auth.client()
    tokens = await auth.tokens(account, http)
    return Caller(account.user_id, http, bearer(tokens["access_token"]))
