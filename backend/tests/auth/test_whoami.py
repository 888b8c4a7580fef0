"""GET /api/v1/auth/whoami: the caller's kind, roles and permissions, read from the matrix."""

from __future__ import annotations

import pytest
from tests.fixtures.principals import Harness, error_code

from helio.authz.matrix import MATRIX, STEP_UP, Reach, Role

WHOAMI = "/api/v1/auth/whoami"


def _allowed(role: Role) -> set[str]:
    index = [Role.CUSTOMER, Role.SUPPORT, Role.SALES, Role.ENGINEER, Role.ADMIN].index(role)
    return {perm.value for perm, row in MATRIX.items() if row[index] != Reach.NONE}


class TestWhoAmI:
    @pytest.mark.asvs("V8.2.1")
    async def test_anonymous_is_401(self, auth: Harness) -> None:
        answer = await auth.client().get(WHOAMI)
        assert answer.status_code == 401
        assert error_code(answer) == "unauthenticated"

    @pytest.mark.asvs("V8.2.1")
    async def test_customer_sees_own_reach_only(self, auth: Harness) -> None:
        http = await auth.login(await auth.customer())
        body = (await http.get(WHOAMI)).json()
        assert body["kind"] == "customer"
        assert body["roles"] == ["customer"]
        assert set(body["permissions"]) == _allowed(Role.CUSTOMER)
        assert set(body["permissions"].values()) == {"own"}
        assert "customers:read" not in body["permissions"]

    @pytest.mark.asvs("V8.2.1")
    @pytest.mark.parametrize("role", [Role.SUPPORT, Role.SALES, Role.ENGINEER, Role.ADMIN])
    async def test_staff_permissions_follow_the_matrix(self, auth: Harness, role: Role) -> None:
        http = await auth.login(await auth.staff(role))
        body = (await http.get(WHOAMI)).json()
        assert body["kind"] == "staff"
        assert body["roles"] == [role.value]
        assert set(body["permissions"]) == _allowed(role)
        assert set(body["step_up_permissions"]) == {p.value for p in STEP_UP} & _allowed(role)
        assert body["mfa_verified"] is True

    async def test_engineer_reach_on_customers_is_granted_only(self, auth: Harness) -> None:
        http = await auth.login(await auth.staff(Role.ENGINEER))
        body = (await http.get(WHOAMI)).json()
        assert body["permissions"]["customers:read"] == "granted"
        assert "customers:manage" not in body["permissions"]

    async def test_staff_without_mfa_may_ask_and_learns_it(self, auth: Harness) -> None:
        http = await auth.login(await auth.staff(Role.SUPPORT, totp=False))
        answer = await http.get(WHOAMI)
        assert answer.status_code == 200
        assert answer.json()["mfa_verified"] is False
