"""Brute force: per-account delay and lockout, per-address limits, proof of work, replicas."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from tests.fixtures.principals import PROXY_IP, Harness, error_code

from helio.config import Settings
from helio.kit.clock import clock
from helio.main import build_app, create_app
from helio.security.pow import solve
from helio.state.shared import RedisState

LOGIN = "/api/v1/auth/login"
TOKEN = "/api/v1/auth/token"


def _body(path: str, email: str, password: str) -> dict[str, str]:
    if path == TOKEN:
        return {"grant_type": "password", "email": email, "password": password}
    return {"email": email, "password": password}


class _Rotating:
    """Requests through a trusted proxy from ever-new client addresses (a botnet)."""

    def __init__(self, auth: Harness, app: FastAPI | None = None) -> None:
        self.http = auth.client(PROXY_IP, app=app)
        self.count = 0

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        self.count += 1
        address = f"198.{18 + self.count // 250}.{self.count % 250}.{1 + self.count % 200}"
        return await self.http.post(path, json=body, headers={"X-Forwarded-For": address})


async def _challenge(http: AsyncClient, scope: str = "login") -> str:
    body = (await http.get("/api/v1/auth/challenge", params={"scope": scope})).json()
    assert body["header"] == "X-PoW-Solution"
    return solve(body["challenge"], body["difficulty_bits"])


class TestAccountLockout:
    @pytest.mark.asvs("V6.3.1", "V6.3.4", "V6.1.1", "V16.3.1")
    @pytest.mark.parametrize("path", [LOGIN, TOKEN])
    @pytest.mark.parametrize("known", [True, False])
    async def test_delay_then_lockout_same_for_unknown_accounts(
        self, auth: Harness, path: str, known: bool
    ) -> None:
        account = await auth.customer()
        email = account.email if known else "nobody.here@example.org"
        bot = _Rotating(auth)
        wrong = _body(path, email, "wrong password guess")
        right = _body(path, email, account.password)
        statuses, waits = [], []
        for failure in range(1, 11):
            statuses.append((await bot.post(path, wrong)).status_code)
            if failure <= 3:
                continue  # the first failures cost nothing
            refused = await bot.post(path, right)  # the right password is refused while waiting
            assert (refused.status_code, error_code(refused)) == (429, "too_many_attempts")
            waits.append(int(refused.headers["Retry-After"]))
            if failure < 10:
                clock.advance(waits[-1] + 1)
        assert statuses == [401] * 10
        assert waits == [30, 60, 90, 120, 150, 180, 900]
        clock.advance(901)
        if known:
            assert (await bot.post(path, _body(path, email, account.password))).status_code == 200
            [event] = await auth.events("auth.account_locked")
            assert event.resource_id == account.user_id
            mail = await auth.mail.last(account.email, "paused")
            assert "15 minutes" in mail.get_content()
        else:
            assert (await auth.events("auth.account_locked"))[0].resource_id is None

    @pytest.mark.asvs("V6.3.1")
    async def test_success_resets_the_account_counter(self, auth: Harness) -> None:
        account = await auth.customer()
        bot = _Rotating(auth)
        wrong = _body(LOGIN, account.email, "wrong password guess")
        for _ in range(3):
            assert (await bot.post(LOGIN, wrong)).status_code == 401
        assert (
            await bot.post(LOGIN, _body(LOGIN, account.email, account.password))
        ).status_code == 200
        for _ in range(3):
            assert (await bot.post(LOGIN, wrong)).status_code == 401

    @pytest.mark.redis
    @pytest.mark.asvs("V6.3.1", "V2.4.1")
    async def test_two_replicas_share_the_counters(self, auth: Harness, settings: Settings) -> None:
        other = build_app(settings)
        try:
            second_app = create_app(settings, other)
            account = await auth.customer()
            first, second = _Rotating(auth), _Rotating(auth, app=second_app)
            for attempt in range(4):
                bot = first if attempt % 2 else second
                await bot.post(LOGIN, _body(LOGIN, account.email, "wrong password guess"))
            answer = await second.post(LOGIN, _body(LOGIN, account.email, account.password))
            assert (answer.status_code, error_code(answer)) == (429, "too_many_attempts")
        finally:
            await other.close()


class TestAddressLimits:
    @pytest.mark.asvs("V6.3.1")
    async def test_spoofed_forwarded_for_does_not_reset_counters(self, auth: Harness) -> None:
        http = auth.client("203.0.113.50")
        for n in range(5):
            answer = await http.post(
                LOGIN,
                json={"email": f"user{n}@example.org", "password": "wrong password guess"},
                headers={"X-Forwarded-For": f"192.0.2.{n}"},
            )
            assert answer.status_code == 401
        answer = await http.post(
            LOGIN,
            json={"email": "fresh@example.org", "password": "wrong password guess"},
            headers={"X-Forwarded-For": "192.0.2.99"},
        )
        assert (answer.status_code, error_code(answer)) == (403, "pow_required")

    @pytest.mark.asvs("V6.3.1")
    async def test_network_counter_covers_the_slash_24(self, auth: Harness) -> None:
        http = auth.client(PROXY_IP)
        for n in range(20):
            await http.post(
                LOGIN,
                json={"email": f"user{n}@example.org", "password": "wrong password guess"},
                headers={"X-Forwarded-For": f"198.51.100.{n + 1}"},
            )
        answer = await http.post(
            LOGIN,
            json={"email": "fresh@example.org", "password": "wrong password guess"},
            headers={"X-Forwarded-For": "198.51.100.200"},
        )
        assert error_code(answer) == "pow_required"
        elsewhere = await http.post(
            LOGIN,
            json={"email": "fresh@example.org", "password": "wrong password guess"},
            headers={"X-Forwarded-For": "198.51.101.1"},
        )
        assert elsewhere.status_code == 401

    @pytest.mark.asvs("V6.3.1", "V2.4.1")
    async def test_address_blocked_after_many_failures(self, auth: Harness) -> None:
        auth.policy(block_after_address_failures=8, pow_after_address_failures=100)
        http = auth.client("203.0.113.60")
        for n in range(8):
            await http.post(
                LOGIN, json={"email": f"u{n}@example.org", "password": "wrong password guess"}
            )
        answer = await http.post(
            LOGIN, json={"email": "x@example.org", "password": "whatever guess"}
        )
        assert (answer.status_code, error_code(answer)) == (429, "too_many_attempts")
        assert int(answer.headers["Retry-After"]) > 3000

    @pytest.mark.asvs("V2.4.1", "V14.2.4")
    async def test_the_address_counters_hold_no_address_in_clear(self, auth: Harness) -> None:
        state = auth.app_state.state
        if not isinstance(state, RedisState):
            pytest.skip("needs Redis")
        http = auth.client("203.0.113.61")
        await http.post(LOGIN, json={"email": "u@example.org", "password": "wrong password guess"})
        await http.post("/api/v1/auth/password/forgot", json={"email": "u@example.org"})
        keys = [k.decode() if isinstance(k, bytes) else k for k in await state.client.keys("*")]
        counters = [key for key in keys if any(p in key for p in ("ipf:", "netf:", "ipp:"))]
        assert len(counters) == 3, keys
        assert not any("203.0.113" in key for key in keys)


class TestProofOfWork:
    async def _earn_pow(self, http: AsyncClient) -> None:
        for n in range(5):
            await http.post(
                LOGIN, json={"email": f"u{n}@example.org", "password": "wrong password guess"}
            )

    @pytest.mark.asvs("V6.3.1", "V2.4.1", "V16.3.3")
    async def test_solution_is_demanded_checked_and_spent(self, auth: Harness) -> None:
        account = await auth.customer()
        http = auth.client("203.0.113.70")
        await self._earn_pow(http)
        body = {"email": account.email, "password": account.password}
        missing = await http.post(LOGIN, json=body)
        assert (missing.status_code, error_code(missing)) == (403, "pow_required")
        solution = await _challenge(http)
        accepted = await http.post(LOGIN, json=body, headers={"X-PoW-Solution": solution})
        assert accepted.status_code == 200
        replayed = await http.post(LOGIN, json=body, headers={"X-PoW-Solution": solution})
        assert error_code(replayed) == "pow_replayed"
        token, _, counter = (await _challenge(http)).rpartition(":")
        forged = await http.post(
            LOGIN, json=body, headers={"X-PoW-Solution": f"{token}:{int(counter) + 1}"}
        )
        assert error_code(forged) == "pow_invalid"
        other_scope = await _challenge(http, "register")
        wrong_scope = await http.post(LOGIN, json=body, headers={"X-PoW-Solution": other_scope})
        assert error_code(wrong_scope) == "pow_invalid"
        stale = await _challenge(http)
        clock.advance(121)
        expired = await http.post(LOGIN, json=body, headers={"X-PoW-Solution": stale})
        assert error_code(expired) == "pow_expired"
        assert len(await auth.events("auth.pow_refused")) == 5

    @pytest.mark.asvs("V6.3.1")
    async def test_easier_challenge_than_policy_is_refused(self, auth: Harness) -> None:
        http = auth.client("203.0.113.71")
        await self._earn_pow(http)
        solution = await _challenge(http)
        auth.policy(pow_difficulty_bits=12)
        answer = await http.post(
            LOGIN,
            json={"email": "a@example.org", "password": "x"},
            headers={"X-PoW-Solution": solution},
        )
        assert error_code(answer) == "pow_invalid"

    @pytest.mark.asvs("V2.4.1")
    @pytest.mark.parametrize(
        ("path", "scope", "body", "answer"),
        [
            ("/api/v1/auth/password/forgot", "forgot", {"email": "someone@example.org"}, 202),
            (
                "/api/v1/auth/register",
                "register",
                {"email": "someone@example.org", "password": "x", "full_name": "Bot"},
                422,  # counted before the password policy refuses the weak password
            ),
        ],
    )
    async def test_repeated_public_requests_earn_pow(
        self, auth: Harness, path: str, scope: str, body: dict[str, str], answer: int
    ) -> None:
        http = auth.client("203.0.113.72")
        for _ in range(5):
            assert (await http.post(path, json=body)).status_code == answer
        refused = await http.post(path, json=body)
        assert error_code(refused) == "pow_required"
        solved = await http.post(
            path, json=body, headers={"X-PoW-Solution": await _challenge(http, scope)}
        )
        assert solved.status_code == answer
