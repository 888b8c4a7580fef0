"""GET /api/v1/admin/audit and /admin/audit/export over HTTP, with real sign-ins."""

from __future__ import annotations

import json

import pytest
from httpx import AsyncClient
from tests.fixtures.principals import Harness, error_code

from helio.authz.matrix import Role

SEARCH = "/api/v1/admin/audit"
EXPORT = "/api/v1/admin/audit/export"


async def _signed_in(auth: Harness, role: Role | None) -> AsyncClient:
    if role is None:
        return await auth.login(await auth.customer())
    return await auth.login(await auth.staff(role))


class TestAuditSearch:
    async def test_anonymous_is_refused(self, auth: Harness) -> None:
        answer = await auth.client().get(SEARCH)
        assert answer.status_code == 401

    @pytest.mark.asvs("V8.2.1", "V16.4.2")
    @pytest.mark.parametrize("role", [None, Role.SUPPORT, Role.SALES, Role.ENGINEER])
    async def test_other_roles_are_forbidden(self, auth: Harness, role: Role | None) -> None:
        http = await _signed_in(auth, role)
        for path in (SEARCH, EXPORT):
            answer = await http.get(path)
            assert (answer.status_code, error_code(answer)) == (403, "forbidden")

    async def test_admin_finds_the_sign_ins_newest_first(self, auth: Harness) -> None:
        admin = await auth.staff(Role.ADMIN)
        http = await auth.login(admin)
        answer = await http.get(
            SEARCH, params={"action": "auth.*", "actor": admin.user_id, "limit": 1}
        )
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert len(page["items"]) == 1
        assert page["next_cursor"]
        rest = await http.get(SEARCH, params={"action": "auth.*", "cursor": page["next_cursor"]})
        seqs = [page["items"][0]["seq"]] + [item["seq"] for item in rest.json()["items"]]
        assert seqs == sorted(seqs, reverse=True)
        assert page["items"][0]["occurred_at"].endswith("Z")

    @pytest.mark.asvs("V2.2.1")
    @pytest.mark.parametrize(
        "params", [{"limit": "500"}, {"actor": "a'--"}, {"since": "yesterday"}, {"sort": "seq"}]
    )
    async def test_bad_parameters_are_refused(self, auth: Harness, params: dict[str, str]) -> None:
        http = await _signed_in(auth, Role.ADMIN)
        assert (await http.get(SEARCH, params=params)).status_code == 422


class TestAuditExport:
    async def test_admin_export_is_streamed_and_audited(self, auth: Harness) -> None:
        admin = await auth.staff(Role.ADMIN)
        http = await auth.login(admin)
        answer = await http.get(EXPORT, params={"action": "auth.*"})
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/x-ndjson")
        assert "attachment" in answer.headers["content-disposition"]
        rows = [json.loads(line) for line in answer.text.splitlines()]
        assert rows
        assert all(row["action"].startswith("auth.") for row in rows)
        exports = await auth.events("audit.exported")
        assert [(e.actor_id, e.details and e.details["criteria"]) for e in exports] == [
            (admin.user_id, {"action": "auth.*"})
        ]
