"""Sign-in with a discoverable passkey alone: no username or password, user verification on."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from tests.fixtures.principals import ORIGIN, Account, Harness, error_code
from tests.fixtures.webauthn_authenticator import SoftAuthenticator, b64url

from helio.auth.accounts import repository as accounts
from helio.auth.mfa.webauthn import PASSKEY_OPTIONS_RATE
from helio.security.pow import solve

OPTIONS = "/api/v1/auth/webauthn/passkey/options"
VERIFY = "/api/v1/auth/webauthn/passkey/verify"
SESSIONS = "/api/v1/auth/sessions"


async def _registered(
    auth: Harness, account: Account | None = None
) -> tuple[Account, SoftAuthenticator]:
    account = account or await auth.customer()
    http = await auth.login(account)
    options = await http.post("/api/v1/auth/webauthn/register/options", headers=auth.unsafe(http))
    assert options.status_code == 200, options.text
    selection = options.json()["authenticatorSelection"]
    assert (selection["residentKey"], selection["requireResidentKey"]) == ("required", True)
    authenticator = SoftAuthenticator(origin=ORIGIN)
    answer = await http.post(
        "/api/v1/auth/webauthn/register/verify",
        json={"credential": authenticator.create(options.json()), "name": "Phone"},
        headers=auth.unsafe(http),
    )
    assert answer.status_code == 200, answer.text
    return account, authenticator


async def _options(http: AsyncClient, headers: dict[str, str] | None = None) -> dict[str, Any]:
    answer = await http.post(OPTIONS, headers=headers or {})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def _sign_in(
    auth: Harness, authenticator: SoftAuthenticator, **kw: Any
) -> tuple[AsyncClient, Any]:
    http = auth.client()
    credential = authenticator.get(await _options(http), **kw)
    return http, await http.post(VERIFY, json={"credential": credential})


class TestPasskeyOnlySignIn:
    @pytest.mark.asvs("V6.3.3", "V6.5.7")
    async def test_options_name_no_account_and_demand_user_verification(
        self, auth: Harness
    ) -> None:
        options = await _options(auth.client())
        assert options["allowCredentials"] == []
        assert options["userVerification"] == "required"
        assert options["rpId"] == "api.helio.test"

    @pytest.mark.asvs("V6.3.3", "V6.5.7", "V16.3.1")
    async def test_a_passkey_alone_opens_a_multi_factor_session_audited_like_a_password_sign_in(
        self, auth: Harness
    ) -> None:
        account, authenticator = await _registered(auth)
        http, answer = await _sign_in(auth, authenticator)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "mfa_required": False,
            "mfa_token": None,
            "mfa_methods": None,
            "mfa_enrolment": None,
        }
        assert auth.session_cookie(http)
        whoami = (await http.get("/api/v1/auth/whoami")).json()
        assert (whoami["user_id"], whoami["mfa_verified"]) == (account.user_id, True)
        signed = [
            e
            for e in await auth.events("auth.signed_in")
            if (e.details or {}).get("method") == "passkey"
        ]
        assert [(e.outcome, e.actor_id, (e.details or {})["mfa"]) for e in signed] == [
            ("success", account.user_id, True)
        ]
        assert (await http.get(SESSIONS)).status_code == 200

    @pytest.mark.asvs("V6.8.2")
    async def test_a_challenge_is_accepted_once(self, auth: Harness) -> None:
        _, authenticator = await _registered(auth)
        http = auth.client()
        credential = authenticator.get(await _options(http))
        assert (await http.post(VERIFY, json={"credential": credential})).status_code == 200
        replay = await auth.client().post(VERIFY, json={"credential": credential})
        assert (replay.status_code, error_code(replay)) == (400, "webauthn_failed")

    @pytest.mark.asvs("V6.8.2")
    async def test_a_challenge_the_server_never_issued_is_refused(self, auth: Harness) -> None:
        _, authenticator = await _registered(auth)
        made_up = {"challenge": b64url(b"x" * 32), "rpId": "api.helio.test"}
        answer = await auth.client().post(VERIFY, json={"credential": authenticator.get(made_up)})
        assert (answer.status_code, error_code(answer)) == (400, "webauthn_failed")

    @pytest.mark.asvs("V6.3.3")
    async def test_presence_without_user_verification_is_refused(self, auth: Harness) -> None:
        _, authenticator = await _registered(auth)
        _, answer = await _sign_in(auth, authenticator, user_verified=False)
        assert (answer.status_code, error_code(answer)) == (400, "webauthn_failed")

    @pytest.mark.asvs("V6.8.2")
    async def test_a_user_handle_naming_another_account_is_refused(self, auth: Harness) -> None:
        victim = await auth.customer()
        _, authenticator = await _registered(auth)
        _, answer = await _sign_in(auth, authenticator, user_handle=victim.user_id.encode("ascii"))
        assert (answer.status_code, error_code(answer)) == (400, "webauthn_failed")
        refused = [e for e in await auth.events("auth.signed_in") if e.outcome == "failure"]
        assert refused
        assert (refused[-1].details or {})["method"] == "passkey"

    @pytest.mark.asvs("V6.8.2")
    async def test_a_forged_signature_an_unknown_credential_and_another_origin_are_refused(
        self, auth: Harness
    ) -> None:
        _, authenticator = await _registered(auth)
        _, forged = await _sign_in(auth, authenticator, tamper=True)
        stranger = SoftAuthenticator(origin=ORIGIN, rp_id="api.helio.test", user_handle=b"a" * 32)
        _, unknown = await _sign_in(auth, stranger)
        _, elsewhere = await _sign_in(auth, authenticator, origin="https://evil.example")
        for answer in (forged, unknown, elsewhere):
            assert (answer.status_code, error_code(answer)) == (400, "webauthn_failed")

    async def test_a_malformed_assertion_is_a_clear_400(self, auth: Harness) -> None:
        http = auth.client()
        await _options(http)
        for credential in (
            {},
            {"response": "x"},
            {"id": "!!", "response": {"clientDataJSON": "e30"}},
        ):
            answer = await http.post(VERIFY, json={"credential": credential})
            assert (answer.status_code, error_code(answer)) == (400, "webauthn_failed")
        missing = await http.post(VERIFY, json={})
        assert missing.status_code == 422

    async def test_a_deleted_or_disabled_account_cannot_sign_in(self, auth: Harness) -> None:
        account, authenticator = await _registered(auth)
        async with auth.app_state.db.transaction() as session:
            user = await accounts.get(session, account.user_id)
            assert user is not None
            user.status = "disabled"
        _, answer = await _sign_in(auth, authenticator)
        assert (answer.status_code, error_code(answer)) == (400, "webauthn_failed")

    @pytest.mark.asvs("V6.3.1", "V6.1.1")
    async def test_failures_lock_the_account_like_wrong_passwords(self, auth: Harness) -> None:
        auth.policy(
            lockout_after_failures=3, delay_after_failures=10, pow_after_address_failures=100
        )
        _, authenticator = await _registered(auth)
        for _ in range(3):
            _, answer = await _sign_in(auth, authenticator, tamper=True)
            assert answer.status_code == 400
        _, locked = await _sign_in(auth, authenticator)
        assert (locked.status_code, error_code(locked)) == (429, "too_many_attempts")
        assert locked.headers["Retry-After"]

    @pytest.mark.asvs("V6.3.1", "V16.3.1")
    async def test_failures_from_an_address_earn_a_proof_of_work_demand(
        self, auth: Harness
    ) -> None:
        auth.policy(pow_after_address_failures=3, lockout_after_failures=50)
        _, authenticator = await _registered(auth)
        http = auth.client("203.0.113.77")
        for _ in range(3):
            credential = authenticator.get(await _options(http), tamper=True)
            assert (await http.post(VERIFY, json={"credential": credential})).status_code == 400
        demanded = await http.post(OPTIONS)
        assert (demanded.status_code, error_code(demanded)) == (403, "pow_required")
        credential = authenticator.get(await _options(http, await _solved(http)))
        refused = await http.post(VERIFY, json={"credential": credential})
        assert (refused.status_code, error_code(refused)) == (403, "pow_required")
        answer = await http.post(
            VERIFY, json={"credential": credential}, headers=await _solved(http)
        )
        assert answer.status_code == 200, answer.text

    @pytest.mark.asvs("V16.3.1")
    async def test_options_are_rate_limited_per_address(self, auth: Harness) -> None:
        http = auth.client("203.0.113.78")
        limit = int(PASSKEY_OPTIONS_RATE.split("/")[0])
        for _ in range(limit):
            await _options(http)
        refused = await http.post(OPTIONS)
        assert (refused.status_code, error_code(refused)) == (429, "rate_limited")
        assert int(refused.headers["Retry-After"]) > 0
        # Another address is not affected.
        await _options(auth.client("203.0.113.79"))


async def _solved(http: AsyncClient) -> dict[str, str]:
    challenge = (await http.get("/api/v1/auth/challenge", params={"scope": "login"})).json()
    return {"X-PoW-Solution": solve(challenge["challenge"], challenge["difficulty_bits"])}
