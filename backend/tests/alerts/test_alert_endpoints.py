"""GET · PUT /api/v1/admin/alerts/sinks over HTTP, with real sign-ins and step-up."""

from __future__ import annotations

import pytest
from tests.fixtures.principals import Harness, error_code

from helio.authz.matrix import Role
from helio.kit.clock import clock

SINKS = "/api/v1/admin/alerts/sinks"


class TestAlertSinks:
    async def test_anonymous_is_refused(self, auth: Harness) -> None:
        assert (await auth.client().get(SINKS)).status_code == 401

    @pytest.mark.asvs("V8.2.1")
    @pytest.mark.parametrize("role", [Role.SUPPORT, Role.SALES, Role.ENGINEER])
    async def test_other_staff_are_forbidden(self, auth: Harness, role: Role) -> None:
        http = await auth.login(await auth.staff(role))
        assert (await http.get(SINKS)).status_code == 403
        answer = await http.put(SINKS, json={"sinks": []}, headers=auth.unsafe(http))
        assert answer.status_code == 403

    async def test_changes_need_a_fresh_step_up(self, auth: Harness) -> None:
        admin = await auth.staff(Role.ADMIN)
        http = await auth.login(admin)
        clock.advance(301)
        answer = await http.put(SINKS, json={"sinks": []}, headers=auth.unsafe(http))
        assert (answer.status_code, error_code(answer)) == (403, "step_up_required")
        stepped = await http.post(
            "/api/v1/auth/mfa/step-up", json={"code": admin.fresh_totp()}, headers=auth.unsafe(http)
        )
        assert stepped.status_code == 200
        answer = await http.put(SINKS, json={"sinks": []}, headers=auth.unsafe(http))
        assert answer.status_code == 200

    @pytest.mark.asvs("V1.3.6")
    async def test_metadata_address_is_refused_and_mail_saved(self, auth: Harness) -> None:
        http = await auth.login(await auth.staff(Role.ADMIN))
        refused = await http.put(
            SINKS,
            json={"sinks": [{"kind": "webhook", "target": "http://169.254.169.254/latest"}]},
            headers=auth.unsafe(http),
        )
        assert (refused.status_code, error_code(refused)) == (422, "outbound_refused")
        saved = await http.put(
            SINKS,
            json={"sinks": [{"kind": "mail", "target": "soc@example.org"}]},
            headers=auth.unsafe(http),
        )
        assert saved.status_code == 200, saved.text
        listed = (await http.get(SINKS)).json()["items"]
        assert [(s["kind"], s["target"], s["enabled"]) for s in listed] == [
            ("mail", "soc@example.org", True)
        ]
        assert len(await auth.events("alert.sinks_updated")) == 1
