"""Passkeys with a software authenticator: registration, sign-in for both kinds, forgeries."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from tests.fixtures.principals import ORIGIN, Account, Harness, bearer, error_code
from tests.fixtures.webauthn_authenticator import SoftAuthenticator

from helio.authz.matrix import Role
from helio.kit.clock import clock

SESSIONS = "/api/v1/auth/sessions"


async def _register(
    auth: Harness, http: AsyncClient, headers: dict[str, str]
) -> tuple[SoftAuthenticator, dict]:  # type: ignore[type-arg]
    options = await http.post("/api/v1/auth/webauthn/register/options", headers=headers)
    assert options.status_code == 200, options.text
    assert options.json()["rp"]["id"] == "api.helio.test"
    authenticator = SoftAuthenticator(origin=ORIGIN)
    credential = authenticator.create(options.json())
    answer = await http.post(
        "/api/v1/auth/webauthn/register/verify",
        json={"credential": credential, "name": "Laptop"},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    return authenticator, answer.json()


async def _pending(auth: Harness, account: Account, grant: bool = False) -> str:
    http = auth.client()
    if grant:
        body = {"grant_type": "password", "email": account.email, "password": account.password}
        answer = await http.post("/api/v1/auth/token", json=body)
    else:
        answer = await http.post(
            "/api/v1/auth/login", json={"email": account.email, "password": account.password}
        )
    assert "webauthn" in answer.json()["mfa_methods"]
    return str(answer.json()["mfa_token"])


async def _assert(auth: Harness, authenticator: SoftAuthenticator, token: str, **kw: object):  # type: ignore[no-untyped-def]
    http = auth.client()
    options = await http.post("/api/v1/auth/webauthn/login/options", json={"mfa_token": token})
    assert options.status_code == 200, options.text
    credential = authenticator.get(options.json(), **kw)  # type: ignore[arg-type]
    answer = await http.post(
        "/api/v1/auth/webauthn/login/verify", json={"mfa_token": token, "credential": credential}
    )
    return http, answer


class TestPasskeys:
    @pytest.mark.asvs("V6.3.3", "V16.3.1")
    async def test_register_then_cookie_sign_in(self, auth: Harness) -> None:
        account = await auth.customer()
        http = await auth.login(account)
        authenticator, body = await _register(auth, http, auth.unsafe(http))
        assert len(body["recovery_codes"]) == 10
        passkeys = (await http.get("/api/v1/auth/webauthn/credentials")).json()["items"]
        assert [p["name"] for p in passkeys] == ["Laptop"]
        signed_in, answer = await _assert(auth, authenticator, await _pending(auth, account))
        assert answer.status_code == 200, answer.text
        assert answer.json()["mfa_required"] is False
        assert (await signed_in.get(SESSIONS)).status_code == 200
        details = [
            e.details for e in await auth.events("auth.mfa_checked") if e.outcome == "success"
        ]
        assert details == [{"method": "webauthn"}]

    async def test_token_sign_in_with_passkey(self, auth: Harness) -> None:
        account = await auth.customer()
        tokens = await auth.tokens(account)
        authenticator, _ = await _register(auth, auth.client(), bearer(tokens["access_token"]))
        _, answer = await _assert(auth, authenticator, await _pending(auth, account, grant=True))
        assert answer.status_code == 200
        access = answer.json()["access_token"]
        assert (await auth.client().get(SESSIONS, headers=bearer(access))).status_code == 200

    @pytest.mark.asvs("V6.8.2")
    async def test_bad_signature_is_refused_and_counted(self, auth: Harness) -> None:
        account = await auth.customer()
        http = await auth.login(account)
        authenticator, _ = await _register(auth, http, auth.unsafe(http))
        _, answer = await _assert(auth, authenticator, await _pending(auth, account), tamper=True)
        assert (answer.status_code, error_code(answer)) == (400, "webauthn_failed")
        assert [e.outcome for e in await auth.events("auth.mfa_checked")] == ["failure"]

    @pytest.mark.asvs("V6.8.2")
    async def test_assertion_for_another_origin_is_refused(self, auth: Harness) -> None:
        account = await auth.customer()
        http = await auth.login(account)
        authenticator, _ = await _register(auth, http, auth.unsafe(http))
        _, answer = await _assert(
            auth, authenticator, await _pending(auth, account), origin="https://evil.example"
        )
        assert answer.status_code == 400

    async def test_someone_elses_passkey_is_refused(self, auth: Harness) -> None:
        owner, other = await auth.customer(), await auth.customer()
        http = await auth.login(owner)
        stolen, _ = await _register(auth, http, auth.unsafe(http))
        http2 = await auth.login(other)
        await _register(auth, http2, auth.unsafe(http2))
        token = await _pending(auth, other)
        client = auth.client()
        options = (
            await client.post("/api/v1/auth/webauthn/login/options", json={"mfa_token": token})
        ).json()
        credential = stolen.get({**options, "allowCredentials": []})
        answer = await client.post(
            "/api/v1/auth/webauthn/login/verify",
            json={"mfa_token": token, "credential": credential},
        )
        assert answer.status_code == 400

    async def test_challenge_is_single_use(self, auth: Harness) -> None:
        account = await auth.customer()
        http = await auth.login(account)
        authenticator, _ = await _register(auth, http, auth.unsafe(http))
        token = await _pending(auth, account)
        client = auth.client()
        options = (
            await client.post("/api/v1/auth/webauthn/login/options", json={"mfa_token": token})
        ).json()
        wrong = authenticator.get(options, tamper=True)
        first = await client.post(
            "/api/v1/auth/webauthn/login/verify", json={"mfa_token": token, "credential": wrong}
        )
        assert first.status_code == 400
        replay = authenticator.get(options)
        again = await client.post(
            "/api/v1/auth/webauthn/login/verify", json={"mfa_token": token, "credential": replay}
        )
        assert again.status_code == 400

    @pytest.mark.asvs("V7.5.1")
    async def test_removing_a_passkey_needs_step_up(self, auth: Harness) -> None:
        account = await auth.customer()
        http = await auth.login(account)
        _, body = await _register(auth, http, auth.unsafe(http))
        [passkey] = (await http.get("/api/v1/auth/webauthn/credentials")).json()["items"]
        clock.advance(301)
        path = f"/api/v1/auth/webauthn/credentials/{passkey['id']}"
        refused = await http.delete(path, headers=auth.unsafe(http))
        assert error_code(refused) == "step_up_required"
        code = body["recovery_codes"][0]
        stepped = await http.post(
            "/api/v1/auth/mfa/step-up", json={"code": code}, headers=auth.unsafe(http)
        )
        assert stepped.status_code == 200
        assert (await http.delete(path, headers=auth.unsafe(http))).status_code == 204
        assert (await http.get("/api/v1/auth/mfa")).json()["passkeys"] == []

    async def test_staff_passkey_counts_as_mfa(self, auth: Harness) -> None:
        staff = await auth.staff(Role.SALES, totp=False)
        http = await auth.login(staff)
        authenticator, _ = await _register(auth, http, auth.unsafe(http))
        _, answer = await _assert(auth, authenticator, await _pending(auth, staff))
        assert answer.status_code == 200
