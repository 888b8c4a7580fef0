"""The staff console over HTTP: reveal, grants, deactivation, role rules, mass assignment."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from tests.authz.authz_world import World, build_world
from tests.factories.accounts import audit_events, new_account
from tests.fixtures.principals import Harness

from helio.audit.actions import AuditAction
from helio.auth.accounts import repository as accounts
from helio.authz.matrix import Role
from helio.kit.clock import clock
from helio.models import AccessGrant, User
from helio.platform.app import App

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

CUSTOMERS = "/api/v1/staff/customers"
GRANTS = "/api/v1/staff/grants"
STAFF = "/api/v1/admin/staff"
REASON = "Customer asked us to confirm their phone number"
SUPPORT, ENGINEER, ADMIN = Role.SUPPORT.value, Role.ENGINEER.value, Role.ADMIN.value


@pytest.fixture
async def world(app: FastAPI, clean: App) -> AsyncIterator[World]:
    built = await build_world(app, clean)
    yield built
    await built.http.aclose()


async def _count(app_state: App, model: Any) -> int:
    async with app_state.db.transaction() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


class TestReveal:
    @pytest.mark.asvs("V8.2.3", "V8.1.2")
    async def test_masked_by_default_then_revealed_with_a_reason(self, world: World) -> None:
        url = world.url(CUSTOMERS + "/{customer_id}")
        masked = await world.call(SUPPORT, "GET", url)
        assert masked.status_code == 200
        assert masked.json()["phone"] == "+1 *** *** 4567"
        assert "jane@example.com" not in masked.text
        revealed = await world.call(
            SUPPORT, "POST", url + "/reveal", json={"fields": ["phone"], "reason": REASON}
        )
        assert revealed.status_code == 200
        assert revealed.json()["fields"] == {"phone": "+1 415 555 4567"}
        [event] = await audit_events(world.app_state, AuditAction.CUSTOMER_REVEALED)
        assert event.reason == REASON
        assert event.request_id == revealed.headers["X-Request-ID"]

    @pytest.mark.asvs("V8.2.3")
    @pytest.mark.parametrize(
        "body",
        [
            {"fields": ["phone"]},
            {"fields": ["phone"], "reason": "x"},
            {"fields": ["password_hash"], "reason": REASON},
            {"fields": ["phone"], "reason": REASON, "customer_id": "0" * 32},
        ],
    )
    async def test_reason_is_mandatory_and_nothing_is_revealed_without(
        self, world: World, body: dict[str, Any]
    ) -> None:
        url = world.url(CUSTOMERS + "/{customer_id}/reveal")
        answer = await world.call(SUPPORT, "POST", url, json=body)
        assert answer.status_code == 422
        assert answer.json()["error"]["code"] == "validation_failed"
        assert await audit_events(world.app_state, AuditAction.CUSTOMER_REVEALED) == []

    @pytest.mark.asvs("V8.2.3", "V16.3.3")
    async def test_rate_limited_per_staff_member_with_retry_after(self, world: World) -> None:
        url = world.url(CUSTOMERS + "/{customer_id}/reveal")
        body = {"fields": ["email"], "reason": REASON}
        for _ in range(10):
            assert (await world.call(SUPPORT, "POST", url, json=body)).status_code == 200
        refused = await world.call(SUPPORT, "POST", url, json=body)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.json()["error"]["code"] == "rate_limited"
        assert (await world.call(ADMIN, "POST", url, json=body)).status_code == 200
        events = await audit_events(world.app_state, AuditAction.CUSTOMER_REVEALED)
        assert [e.outcome for e in events].count("denied") == 1


class TestGrants:
    async def _five_minutes(self, world: World, who: str = ENGINEER) -> str:
        """Replace the world's pending grant by a fresh five-minute request of `who`."""
        pending = f"/api/v1/admin/grants/{world.ids['grant_id']}/revoke"
        assert (await world.call(ADMIN, "POST", pending)).status_code == 200
        body = {"customer_id": world.ids["customer_id"], "reason": REASON, "minutes": 5}
        answer = await world.call(who, "POST", GRANTS, json=body)
        assert answer.status_code == 201, answer.text
        assert answer.json()["state"] == "pending"
        return str(answer.json()["id"])

    @pytest.mark.asvs("V8.2.1", "V8.2.2")
    async def test_step_up_then_approval_by_another_admin_then_expiry(self, world: World) -> None:
        grant = await self._five_minutes(world)
        customer_url = world.url(CUSTOMERS + "/{customer_id}")
        assert (await world.call(ENGINEER, "GET", customer_url)).status_code == 404
        stale = await new_account(world.app_state, Role.ADMIN)
        await world.sign_in("stale_admin", stale, step_up=False)
        approve = f"/api/v1/admin/grants/{grant}/approve"
        refused = await world.call("stale_admin", "POST", approve)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "step_up_required"
        assert (await world.call(ADMIN, "POST", approve)).status_code == 200
        assert (await world.call(ENGINEER, "GET", customer_url)).status_code == 200
        [use] = await audit_events(world.app_state, AuditAction.GRANT_USED)
        assert use.resource_id == grant
        assert len(await audit_events(world.app_state, AuditAction.GRANT_APPROVED)) == 1
        clock.advance(5 * 60 + 1)
        await world.reissue(ENGINEER)
        assert (await world.call(ENGINEER, "GET", customer_url)).status_code == 404
        mine = await world.call(ENGINEER, "GET", GRANTS, params={"state": "expired"})
        assert [item["id"] for item in mine.json()["items"]] == [grant]

    @pytest.mark.asvs("V8.2.1")
    async def test_the_requester_cannot_approve_their_own_grant(self, world: World) -> None:
        both = await new_account(world.app_state, Role.ENGINEER, Role.ADMIN)
        await world.sign_in("both", both)
        grant = await self._five_minutes(world, "both")
        for decision in ("approve", "deny"):
            answer = await world.call("both", "POST", f"/api/v1/admin/grants/{grant}/{decision}")
            assert answer.status_code == 403
            assert answer.json()["error"]["code"] == "own_grant"
        assert await audit_events(world.app_state, AuditAction.GRANT_APPROVED) == []

    @pytest.mark.asvs("V8.2.2")
    async def test_revocation_takes_effect_at_once(self, world: World) -> None:
        grant = world.ids["grant_id"]
        approved = await world.call(ADMIN, "POST", f"/api/v1/admin/grants/{grant}/approve")
        assert approved.status_code == 200
        customer_url = world.url(CUSTOMERS + "/{customer_id}")
        assert (await world.call(ENGINEER, "GET", customer_url)).status_code == 200
        revoked = await world.call(ADMIN, "POST", f"/api/v1/admin/grants/{grant}/revoke")
        assert revoked.json()["state"] == "revoked"
        assert (await world.call(ENGINEER, "GET", customer_url)).status_code == 404

    @pytest.mark.asvs("V8.2.3")
    @pytest.mark.parametrize(
        "extra",
        [
            {"status": "approved"},
            {"expires_at": "2099-01-01T00:00:00Z"},
            {"requester_id": "0" * 32},
            {"decided_by": "0" * 32},
            {"id": "0" * 32},
            {"minutes": 100_000},
        ],
    )
    async def test_mass_assignment_is_refused_and_nothing_is_created(
        self, world: World, extra: dict[str, Any]
    ) -> None:
        before = await _count(world.app_state, AccessGrant)
        body = {"customer_id": world.ids["customer_id"], "reason": REASON, "minutes": 10, **extra}
        answer = await world.call(ENGINEER, "POST", GRANTS, json=body)
        assert answer.status_code == 422
        assert await _count(world.app_state, AccessGrant) == before


class TestStaffAdministration:
    @pytest.mark.asvs("V7.4.2", "V8.2.1")
    async def test_deactivation_stops_a_valid_token_and_cookie_at_once(
        self, world: World, auth: Harness
    ) -> None:
        engineer = await auth.staff(Role.ENGINEER)
        browser = await auth.login(engineer)
        await world.sign_in("target", engineer.user_id)
        assert (await browser.get("/api/v1/auth/sessions")).status_code == 200
        assert (await world.call("target", "GET", "/api/v1/auth/sessions")).status_code == 200
        url = f"{STAFF}/{engineer.user_id}"
        answer = await world.call(ADMIN, "PATCH", url, json={"active": False})
        assert answer.status_code == 200
        assert answer.json()["status"] == "deactivated"
        assert (await world.call("target", "GET", "/api/v1/auth/sessions")).status_code == 401
        assert (await browser.get("/api/v1/auth/sessions")).status_code == 401
        assert (await world.call("target", "GET", GRANTS)).status_code == 401

    @pytest.mark.asvs("V8.2.1")
    async def test_nobody_changes_their_own_roles(self, world: World) -> None:
        me = world.callers[ADMIN].user_id
        for body in ({"roles": ["support"]}, {"roles": ["admin", "engineer"]}, {"active": False}):
            answer = await world.call(ADMIN, "PATCH", f"{STAFF}/{me}", json=body)
            assert answer.status_code == 403
            assert answer.json()["error"]["code"] == "own_account"
        assert await audit_events(world.app_state, AuditAction.STAFF_ROLES_CHANGED) == []

    @pytest.mark.asvs("V8.2.1", "V10.3.4")
    async def test_role_change_needs_step_up_and_is_audited(self, world: World) -> None:
        stale = await new_account(world.app_state, Role.ADMIN)
        await world.sign_in("stale_admin", stale, step_up=False)
        url = world.url(STAFF + "/{staff_id}")
        refused = await world.call("stale_admin", "PATCH", url, json={"roles": ["admin"]})
        assert refused.json()["error"]["code"] == "step_up_required"
        assert (await world.call(ADMIN, "PATCH", url, json={"roles": ["admin"]})).status_code == 200
        [event] = await audit_events(world.app_state, AuditAction.STAFF_ROLES_CHANGED)
        assert event.details == {"added": ["admin"], "removed": ["support"], "sessions_ended": 0}

    @pytest.mark.asvs("V8.2.3")
    @pytest.mark.parametrize(
        "body",
        [
            {"roles": ["admin"], "mfa_verified": True},
            {"roles": ["admin"], "status": "active"},
            {"roles": ["customer"]},
            {"active": False, "id": "0" * 32},
            {"email": "other@helio.example"},
        ],
    )
    async def test_staff_update_mass_assignment_changes_nothing(
        self, world: World, body: dict[str, Any]
    ) -> None:
        url = world.url(STAFF + "/{staff_id}")
        assert (await world.call(ADMIN, "PATCH", url, json=body)).status_code == 422
        async with world.app_state.db.transaction() as session:
            assert await accounts.roles(session, world.ids["staff_id"]) == {Role.SUPPORT}
            target = await session.get(User, world.ids["staff_id"])
            assert target is not None
            assert target.status == "active"

    @pytest.mark.asvs("V8.2.3")
    async def test_invite_refuses_status_and_ids(self, world: World) -> None:
        before = await _count(world.app_state, User)
        base = {"email": "new@helio.example", "full_name": "New Person", "roles": ["sales"]}
        for extra in ({"status": "active"}, {"id": "0" * 32}, {"email_verified": True}):
            answer = await world.call(ADMIN, "POST", STAFF, json={**base, **extra})
            assert answer.status_code == 422
        assert await _count(world.app_state, User) == before

    async def test_invitation_to_password_to_mandatory_mfa(self, auth: Harness) -> None:
        admin = await auth.login(await auth.staff(Role.ADMIN))
        body = {"email": "invitee@helio.example", "full_name": "Ivy Invitee", "roles": ["support"]}
        invited = await admin.post(STAFF, json=body, headers=auth.unsafe(admin))
        assert invited.status_code == 201, invited.text
        assert invited.json()["status"] == "invited"
        token = await auth.mail.token("invitee@helio.example", "invited")
        newcomer = auth.client()
        accept = {"token": token, "password": "Ivy-chooses-a-long-passphrase-7"}
        answer = await newcomer.post("/api/v1/auth/invitations/accept", json=accept)
        assert answer.status_code == 204
        again = await newcomer.post("/api/v1/auth/invitations/accept", json=accept)
        assert again.status_code == 400
        login = await newcomer.post(
            "/api/v1/auth/login",
            json={"email": "invitee@helio.example", "password": accept["password"]},
        )
        assert login.status_code == 200, login.text
        blocked = await newcomer.get(CUSTOMERS, params={"query": "anyone@example.com"})
        assert blocked.status_code == 403
        assert blocked.json()["error"]["code"] == "mfa_required"
        setup = await newcomer.post("/api/v1/auth/mfa/totp/setup", headers=auth.unsafe(newcomer))
        assert setup.status_code == 200, setup.text


class TestAccessReview:
    async def test_report_and_attestation(self, world: World) -> None:
        report = await world.call(ADMIN, "GET", "/api/v1/admin/access-review")
        assert report.status_code == 200
        assert report.json()["summary"]["admin_count"] == 1
        attested = await world.call(
            ADMIN, "POST", "/api/v1/admin/access-review/attest", json={"note": "all fine"}
        )
        assert attested.status_code == 201
        assert attested.json()["attested_by"] == world.callers[ADMIN].user_id
        later = await world.call(ADMIN, "GET", "/api/v1/admin/access-review")
        assert later.json()["last_attestation"]["id"] == attested.json()["id"]
