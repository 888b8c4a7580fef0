"""The demo accounts `make run` prints: each one signs in and does its role's first thing.

The accounts are created by the `helio seed-demo` command and used the way a
person reads them off the terminal: the printed password, the real API, and for
staff the mandatory TOTP enrolment at first sign-in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyotp
import pytest
from httpx import AsyncClient
from typer.testing import CliRunner

from helio import cli
from helio.config import Settings, get_settings
from tests.fixtures.principals import Harness, error_code

runner = CliRunner()
CUSTOMER = "demo.customer@helio.localhost"


@dataclass(frozen=True)
class Printed:
    """One row of the table `helio seed-demo` prints."""

    email: str
    role: str
    password: str


def _seed() -> tuple[int, str]:
    result = runner.invoke(cli.app, ["seed-demo"])
    return result.exit_code, result.output


def _table(output: str) -> dict[str, Printed]:
    rows = [line.split() for line in output.splitlines() if "@helio.localhost" in line]
    return {row[0]: Printed(*row) for row in rows if len(row) == 3}


@pytest.fixture
def cli_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    yield settings
    get_settings.cache_clear()


@pytest.fixture
def printed(auth: Harness, cli_settings: Settings) -> dict[str, Printed]:
    code, output = _seed()
    assert code == 0, output
    return _table(output)


async def _sign_in(auth: Harness, account: Printed) -> AsyncClient:
    """Sign in as a person does in the web app; staff enrol TOTP first, as they must."""
    http = auth.client()
    answer = await http.post(
        "/api/v1/auth/login", json={"email": account.email, "password": account.password}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["mfa_required"] is False
    if account.role == "customer":
        assert body["mfa_enrolment"] == "offered"
        return http
    assert body["mfa_enrolment"] == "required"
    await _enrol_totp(auth, http)
    return http


async def _enrol_totp(auth: Harness, http: AsyncClient) -> None:
    before = await http.get("/api/v1/auth/sessions")
    assert before.status_code == 200  # own sessions are allowed, the console is not
    setup = await http.post("/api/v1/auth/mfa/totp/setup", headers=auth.unsafe(http))
    assert setup.status_code == 200, setup.text
    code = pyotp.TOTP(setup.json()["secret"]).now()
    confirm = await http.post(
        "/api/v1/auth/mfa/totp/confirm", json={"code": code}, headers=auth.unsafe(http)
    )
    assert confirm.status_code == 200, confirm.text
    assert len(confirm.json()["recovery_codes"]) == 10


@pytest.mark.asvs("V6.3.2")
def test_seed_prints_each_account_with_its_role(printed: dict[str, Printed]) -> None:
    roles = {account.email: account.role for account in printed.values()}
    assert roles == {
        CUSTOMER: "customer",
        "demo.support@helio.localhost": "support",
        "demo.sales@helio.localhost": "sales",
        "demo.engineer@helio.localhost": "engineer",
        "demo.admin@helio.localhost": "admin",
    }
    passwords = {account.password for account in printed.values()}
    assert len(passwords) == len(printed)  # generated, never a shared default


async def test_demo_customer_reads_profile_and_gets_a_quote_at_once(
    auth: Harness, printed: dict[str, Printed]
) -> None:
    http = await _sign_in(auth, printed[CUSTOMER])
    me = await http.get("/api/v1/me")
    assert me.status_code == 200, me.text
    assert me.json()["email"] == CUSTOMER
    [site] = (await http.get("/api/v1/sites")).json()["items"]
    assert site["roof_planes"]
    assert site["usage"]["annual_kwh"] > 0
    quote = await http.post(
        "/api/v1/quotes", json={"site_id": site["id"]}, headers=auth.unsafe(http)
    )
    assert quote.status_code == 201, quote.text
    assert quote.json()["system_kwp"] > 0
    assert quote.json()["result"]["annual_production_kwh"] > 0


async def test_demo_customer_has_an_order_with_its_timeline(
    auth: Harness, printed: dict[str, Printed]
) -> None:
    http = await _sign_in(auth, printed[CUSTOMER])
    [summary] = (await http.get("/api/v1/orders")).json()["items"]
    order = (await http.get(f"/api/v1/orders/{summary['id']}")).json()
    assert order["status"] == "placed"
    assert [entry["to_status"] for entry in order["timeline"]] == ["placed"]


@pytest.mark.asvs("V6.3.3")
async def test_demo_staff_must_enrol_mfa_before_the_console(
    auth: Harness, printed: dict[str, Printed]
) -> None:
    support = printed["demo.support@helio.localhost"]
    http = auth.client()
    await http.post(
        "/api/v1/auth/login", json={"email": support.email, "password": support.password}
    )
    refused = await http.get("/api/v1/staff/customers", params={"query": CUSTOMER})
    assert refused.status_code == 403
    assert error_code(refused) == "mfa_required"
    await _enrol_totp(auth, http)
    assert (await http.get("/api/v1/staff/customers", params={"query": CUSTOMER})).is_success


async def test_demo_support_finds_the_demo_customer(
    auth: Harness, printed: dict[str, Printed]
) -> None:
    http = await _sign_in(auth, printed["demo.support@helio.localhost"])
    found = await http.get("/api/v1/staff/customers", params={"query": CUSTOMER})
    assert found.status_code == 200, found.text
    [customer] = found.json()["items"]
    assert customer["email"] != CUSTOMER  # masked for support


async def test_demo_sales_lists_quotes(auth: Harness, printed: dict[str, Printed]) -> None:
    http = await _sign_in(auth, printed["demo.sales@helio.localhost"])
    quotes = await http.get("/api/v1/quotes")
    assert quotes.status_code == 200, quotes.text
    assert quotes.json()["items"] == []  # no leads assigned yet, so no quotes in reach


async def test_demo_engineer_reads_the_ops_health(
    auth: Harness, printed: dict[str, Printed]
) -> None:
    http = await _sign_in(auth, printed["demo.engineer@helio.localhost"])
    health = await http.get("/api/v1/staff/ops/health")
    assert health.status_code == 200, health.text


async def test_demo_admin_lists_the_staff(auth: Harness, printed: dict[str, Printed]) -> None:
    http = await _sign_in(auth, printed["demo.admin@helio.localhost"])
    staff = await http.get("/api/v1/admin/staff")
    assert staff.status_code == 200, staff.text
    emails = {member["email"] for member in staff.json()["items"]}
    assert emails == {email for email, a in printed.items() if a.role != "customer"}


@pytest.mark.asvs("V6.3.2", "V13.3.1")
def test_seed_demo_refuses_production(
    auth: Harness, cli_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    production = cli_settings.model_copy(update={"env": "production"})
    monkeypatch.setattr(cli, "get_settings", lambda: production)
    code, output = _seed()
    assert code == 1
    assert "production" in output
    assert "@helio.localhost" not in output
    monkeypatch.setattr(cli, "get_settings", lambda: cli_settings)
    code, output = _seed()
    assert code == 0
    assert CUSTOMER in output
