"""Listing and revoking sessions, the concurrent-session cap, documented lifetimes, entropy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.fixtures.principals import Harness, bearer, error_code

from helio.auth.sessions import lifecycle as sessions
from helio.auth.sessions.lifecycle import secret_hash
from helio.kit.clock import clock
from helio.kit.ids import new_token
from helio.models import AuthSession
from helio.platform.policy import DEFAULT_POLICY

SESSIONS = "/api/v1/auth/sessions"


class TestList:
    @pytest.mark.asvs("V7.5.2")
    async def test_lists_own_devices_only(self, auth: Harness) -> None:
        account, other = await auth.customer(), await auth.customer()
        http = await auth.login(account)
        await auth.tokens(account)
        await auth.login(other)
        items = (await http.get(SESSIONS)).json()["items"]
        assert sorted(i["kind"] for i in items) == ["cookie", "token"]
        assert [i["current"] for i in items if i["kind"] == "cookie"] == [True]
        assert all(i["network"] == "203.0.113.0/24" for i in items)

    @pytest.mark.asvs("V8.2.2")
    async def test_another_users_session_is_not_found(self, auth: Harness) -> None:
        account, other = await auth.customer(), await auth.customer()
        victim = await auth.login(other)
        [victim_session] = (await victim.get(SESSIONS)).json()["items"]
        http = await auth.login(account)
        answer = await http.delete(f"{SESSIONS}/{victim_session['id']}", headers=auth.unsafe(http))
        assert answer.status_code == 404
        assert (await victim.get(SESSIONS)).status_code == 200


class TestRevoke:
    @pytest.mark.asvs("V7.5.2", "V7.4.1", "V10.4.9")
    async def test_ending_another_device_needs_step_up(self, auth: Harness) -> None:
        account = await auth.customer()
        phone = await auth.tokens(account)
        http = await auth.login(account)
        target = next(i for i in (await http.get(SESSIONS)).json()["items"] if i["kind"] == "token")
        clock.advance(301)
        refused = await http.delete(f"{SESSIONS}/{target['id']}", headers=auth.unsafe(http))
        assert (refused.status_code, error_code(refused)) == (403, "step_up_required")
        stepped = await http.post(
            "/api/v1/auth/mfa/step-up",
            json={"password": account.password},
            headers=auth.unsafe(http),
        )
        assert stepped.status_code == 200
        ended = await http.delete(f"{SESSIONS}/{target['id']}", headers=auth.unsafe(http))
        assert ended.status_code == 204
        assert (
            await auth.client().get(SESSIONS, headers=bearer(phone["access_token"]))
        ).status_code == 401
        refreshed = await auth.client().post(
            "/api/v1/auth/token",
            json={"grant_type": "refresh_token", "refresh_token": phone["refresh_token"]},
        )
        assert refreshed.status_code == 401
        [event] = await auth.events("auth.session_revoked")
        assert event.details == {"sessions": [target["id"]]}

    async def test_end_all_other_sessions(self, auth: Harness) -> None:
        account = await auth.customer()
        others = [await auth.login(account) for _ in range(3)]
        http = await auth.login(account)
        assert (await http.delete(SESSIONS, headers=auth.unsafe(http))).status_code == 204
        assert [(await o.get(SESSIONS)).status_code for o in others] == [401, 401, 401]
        assert len((await http.get(SESSIONS)).json()["items"]) == 1

    async def test_ending_the_current_session_is_a_logout(self, auth: Harness) -> None:
        http = await auth.login(await auth.customer())
        [mine] = (await http.get(SESSIONS)).json()["items"]
        clock.advance(301)
        answer = await http.delete(f"{SESSIONS}/{mine['id']}", headers=auth.unsafe(http))
        assert answer.status_code == 204
        assert (await http.get(SESSIONS)).status_code == 401

    @pytest.mark.asvs("V7.4.2", "V7.4.5")
    async def test_ending_all_sessions_of_an_account_is_immediate(self, auth: Harness) -> None:
        account = await auth.customer()
        http = await auth.login(account)
        body = await auth.tokens(account)
        assert (
            await auth.client().get(SESSIONS, headers=bearer(body["access_token"]))
        ).status_code == 200
        async with auth.app_state.db.transaction() as session:
            ended = await sessions.revoke(
                session, auth.app_state, account.user_id, reason="deactivated"
            )
        assert len(ended) == 2
        assert (await http.get(SESSIONS)).status_code == 401
        assert (
            await auth.client().get(SESSIONS, headers=bearer(body["access_token"]))
        ).status_code == 401


class TestLimits:
    @pytest.mark.asvs("V7.1.2")
    async def test_oldest_session_ends_beyond_twenty(self, auth: Harness) -> None:
        account = await auth.customer()
        first = await auth.login(account)
        for _ in range(19):
            await auth.tokens(account)
        assert (await first.get(SESSIONS)).status_code == 200
        newest = await auth.login(account)
        assert (await first.get(SESSIONS)).status_code == 401
        assert len((await newest.get(SESSIONS)).json()["items"]) == 20

    @pytest.mark.asvs("V7.1.1")
    def test_lifetimes_are_the_documented_ones(self) -> None:
        policy = DEFAULT_POLICY
        assert (policy.staff_web.idle, policy.staff_web.absolute) == (
            timedelta(minutes=15),
            timedelta(hours=8),
        )
        assert (policy.customer_web.idle, policy.customer_web.absolute) == (
            timedelta(minutes=30),
            timedelta(hours=12),
        )
        assert (policy.customer_token.idle, policy.customer_token.absolute) == (
            timedelta(days=7),
            timedelta(days=30),
        )
        assert policy.access_token_seconds == 300
        assert policy.step_up_seconds == 300

    @pytest.mark.asvs("V7.2.3", "V11.5.1")
    async def test_session_secrets_are_random_and_stored_hashed(self, auth: Harness) -> None:
        samples = {new_token() for _ in range(10_000)}
        assert len(samples) == 10_000
        assert min(len(s) for s in samples) >= 43  # 32 random bytes
        http = await auth.login(await auth.customer())
        secret = auth.session_cookie(http) or ""
        async with auth.app_state.db.transaction() as session:
            row = (await session.execute(select(AuthSession))).scalars().one()
        assert row.secret_hash == secret_hash(secret)
        assert secret.encode() not in row.secret_hash
