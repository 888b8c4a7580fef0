"""GET /api/v1/staff/ops/health · /config · /audit-chain · /worker: engineer and admin only."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from tests.factories.audit import execute
from tests.fixtures.principals import Harness

from helio.authz.matrix import Role

VIEWS = [
    "/api/v1/staff/ops/health",
    "/api/v1/staff/ops/config",
    "/api/v1/staff/ops/audit-chain",
    "/api/v1/staff/ops/worker",
]


async def _signed_in(auth: Harness, role: Role | None) -> AsyncClient:
    if role is None:
        return await auth.login(await auth.customer())
    return await auth.login(await auth.staff(role))


class TestOpsViews:
    @pytest.mark.asvs("V13.4.5")
    async def test_anonymous_is_refused(self, auth: Harness) -> None:
        for path in VIEWS:
            assert (await auth.client().get(path)).status_code == 401

    @pytest.mark.asvs("V13.4.5", "V8.2.1")
    @pytest.mark.parametrize("role", [None, Role.SUPPORT, Role.SALES])
    async def test_other_roles_are_forbidden(self, auth: Harness, role: Role | None) -> None:
        http = await _signed_in(auth, role)
        for path in VIEWS:
            assert (await http.get(path)).status_code == 403

    @pytest.mark.parametrize("role", [Role.ENGINEER, Role.ADMIN])
    async def test_engineers_and_admins_see_the_views(self, auth: Harness, role: Role) -> None:
        http = await _signed_in(auth, role)
        health = (await http.get(VIEWS[0])).json()
        assert health["checks"] == {"database": "ok", "state": "ok"}
        config = (await http.get(VIEWS[1])).json()
        assert config["env"] == "test"
        assert "secret_key" not in config
        chain = (await http.get(VIEWS[2])).json()
        assert chain["length"] >= 2  # at least this sign-in's events

    @pytest.mark.asvs("V16.4.2")
    async def test_audit_chain_view_reports_a_deleted_row(self, auth: Harness) -> None:
        http = await _signed_in(auth, Role.ENGINEER)
        intact = (await http.get(VIEWS[2], params={"verify": "true"})).json()
        assert intact["verification"]["ok"] is True
        await execute(auth.app_state.db, "DELETE FROM audit_events WHERE seq = 1")
        broken = (await http.get(VIEWS[2], params={"verify": "true"})).json()
        assert broken["verification"]["broken"]["kind"] == "deleted"
        assert broken["verification"]["broken"]["seq"] == 1
