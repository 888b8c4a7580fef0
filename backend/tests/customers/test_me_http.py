"""GET/PATCH /me, GET /me/export and DELETE /me over HTTP with real sign-ins."""

from __future__ import annotations

import json

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from tests.factories.pii import raw_connect
from tests.fixtures.principals import Account, Harness, error_code

from helio.authz.matrix import Role
from helio.kit.clock import clock
from helio.logging import configure_logging
from helio.models import AuditEvent, DataKey, User

pytestmark = [pytest.mark.mysql, pytest.mark.redis]

ME, EXPORT = "/api/v1/me", "/api/v1/me/export"
NEW_VALUES = {
    "full_name": "Wilhelmina Quarrington",
    "phone": "+44 20 7946 0321",
    "address": {"line1": "12 Larkspur Mews", "city": "Thistlebury", "postal_code": "TB4 9QZ",
                "country": "GB"},
}  # fmt: skip


async def signed_in(auth: Harness, *, totp: bool = False) -> tuple[Account, AsyncClient]:
    account = await auth.customer(totp=totp)
    return account, await auth.login(account)


async def staff_client(auth: Harness) -> AsyncClient:
    return await auth.login(await auth.staff(Role.SUPPORT))


class TestGetMe:
    async def test_anonymous_is_401(self, auth: Harness) -> None:
        assert (await auth.client().get(ME)).status_code == 401

    @pytest.mark.asvs("V8.2.1")
    async def test_staff_are_403(self, auth: Harness) -> None:
        assert (await (await staff_client(auth)).get(ME)).status_code == 403

    async def test_returns_the_callers_profile_uncached(self, auth: Harness) -> None:
        account, http = await signed_in(auth)
        answer = await http.get(ME)
        assert answer.status_code == 200
        assert answer.json()["email"] == account.email
        assert answer.json()["full_name"] == account.name
        assert answer.headers["cache-control"] == "no-store"

    @pytest.mark.asvs("V11.3.3")
    async def test_swapped_ciphertext_is_a_clean_409(
        self, auth: Harness, database_url: str
    ) -> None:
        account, http = await signed_in(auth)
        other = await auth.customer()
        connection = raw_connect(database_url)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE users x JOIN users y ON x.id = %s AND y.id = %s "
                "SET x.full_name_ct = y.full_name_ct",
                (account.user_id, other.user_id),
            )
        connection.close()
        auth.app_state.vault.cache.clear()
        answer = await http.get(ME)
        assert answer.status_code == 409
        assert error_code(answer) == "data_integrity_error"
        assert "Traceback" not in answer.text
        assert [e.resource_id for e in await auth.events("data.integrity_failed")] == [
            account.user_id
        ]


class TestPatchMe:
    async def test_anonymous_is_401(self, auth: Harness) -> None:
        assert (await auth.client().patch(ME, json={"full_name": "X"})).status_code == 401

    async def test_staff_are_403(self, auth: Harness) -> None:
        http = await staff_client(auth)
        answer = await http.patch(ME, json={"full_name": "X"}, headers=auth.unsafe(http))
        assert answer.status_code == 403

    @pytest.mark.asvs("V8.2.3")
    @pytest.mark.parametrize(
        "field", ["role", "roles", "status", "email_verified", "id", "email", "kind"]
    )
    async def test_privileged_fields_are_422_and_change_nothing(
        self, auth: Harness, field: str
    ) -> None:
        account, http = await signed_in(auth)
        body = {"full_name": "Mallory", field: "admin"}
        answer = await http.patch(ME, json=body, headers=auth.unsafe(http))
        assert answer.status_code == 422
        assert answer.json()["error"]["fields"] == {field: "Unknown field."}
        after = (await http.get(ME)).json()
        assert after["full_name"] == account.name
        assert after["email"] == account.email
        async with auth.app_state.db.transaction() as session:
            user = await session.get(User, account.user_id)
            assert user is not None
            assert (user.status, user.kind) == ("active", "customer")
        assert await auth.events("profile.updated") == []

    @pytest.mark.asvs("V14.2.4")
    async def test_changes_are_saved_audited_by_name_and_never_logged(
        self, auth: Harness, capsys: pytest.CaptureFixture[str]
    ) -> None:
        _, http = await signed_in(auth)
        configure_logging()  # log to the captured stdout
        answer = await http.patch(
            ME, json={**NEW_VALUES, "marketing_consent": True}, headers=auth.unsafe(http)
        )
        assert answer.status_code == 200
        assert answer.json()["phone"] == NEW_VALUES["phone"]
        assert answer.json()["address"] == NEW_VALUES["address"]
        [event] = await auth.events("profile.updated")
        assert event.details == {"fields": ["address", "full_name", "marketing_consent", "phone"]}
        output = capsys.readouterr().out
        assert '"method": "PATCH"' in output  # the request's own log line was captured
        for value in ["Wilhelmina", "Quarrington", "7946", "Larkspur", "Thistlebury", "TB4 9QZ"]:
            assert value not in output
            assert value not in json.dumps(event.details)


class TestExport:
    async def test_anonymous_is_401(self, auth: Harness) -> None:
        assert (await auth.client().get(EXPORT)).status_code == 401

    async def test_staff_are_403(self, auth: Harness) -> None:
        assert (await (await staff_client(auth)).get(EXPORT)).status_code == 403

    @pytest.mark.asvs("V8.2.2")
    async def test_exports_own_records_only(self, auth: Harness) -> None:
        account, http = await signed_in(auth)
        other, other_http = await signed_in(auth)
        await other_http.patch(ME, json=NEW_VALUES, headers=auth.unsafe(other_http))
        answer = await http.get(EXPORT)
        assert answer.status_code == 200
        body = answer.json()
        assert body["profile"]["email"] == account.email
        assert len(body["sessions"]) == 1
        assert answer.headers["cache-control"] == "no-store"
        for value in [other.user_id, other.email, "Wilhelmina", "Larkspur"]:
            assert value not in answer.text
        [event] = await auth.events("account.exported")
        assert event.actor_id == account.user_id


class TestDeleteMe:
    async def test_anonymous_is_401(self, auth: Harness) -> None:
        assert (await auth.client().delete(ME)).status_code == 401

    @pytest.mark.asvs("V8.2.1")
    async def test_needs_a_fresh_step_up(self, auth: Harness) -> None:
        _, http = await signed_in(auth, totp=True)
        clock.advance(301)
        answer = await http.delete(ME, headers=auth.unsafe(http))
        assert (answer.status_code, error_code(answer)) == (403, "step_up_required")

    @pytest.mark.asvs("V14.2.4")
    async def test_closes_the_account_and_shreds_its_keys(
        self, auth: Harness, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(auth.app_state.settings, "shred_grace_days", 0)
        account, http = await signed_in(auth, totp=True)
        clock.advance(301)
        stepped = await http.post(
            "/api/v1/auth/mfa/step-up",
            json={"code": account.fresh_totp()},
            headers=auth.unsafe(http),
        )
        assert stepped.status_code == 200
        answer = await http.delete(ME, headers=auth.unsafe(http))
        assert answer.status_code == 202
        assert answer.json()["shredded"] is True
        assert "cookies" in answer.headers["clear-site-data"]
        assert (await http.get(ME)).status_code == 401
        async with auth.app_state.db.transaction() as session:
            keys = (
                await session.execute(select(DataKey).where(DataKey.owner_id == account.user_id))
            ).scalars()
            assert all(k.wrapped_key is None for k in keys)
            actions = (
                await session.execute(
                    select(AuditEvent.action).where(AuditEvent.resource_id == account.user_id)
                )
            ).scalars()
            assert {"account.deleted", "account.shredded"} <= set(actions)
        login = await auth.client().post(
            "/api/v1/auth/login", json={"email": account.email, "password": account.password}
        )
        # The erased account's email index is random now: the address names no account.
        assert (login.status_code, error_code(login)) == (401, "invalid_credentials")
