"""No user enumeration: the same status, body and timing for known and unknown emails."""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
from tests.fixtures.principals import Harness

TRIES = 30


def _stable(answer: Any) -> tuple[int, Any]:
    body = answer.json()
    if "error" in body:
        body["error"].pop("request_id")
    return answer.status_code, body


class TestSameAnswer:
    @pytest.mark.asvs("V6.3.1")
    async def test_login(self, auth: Harness) -> None:
        known = await auth.customer()
        http = auth.client()
        answers = [
            _stable(
                await http.post(
                    "/api/v1/auth/login", json={"email": email, "password": "wrong password guess"}
                )
            )
            for email in (known.email, "nobody.at.all@example.org")
        ]
        assert answers[0] == answers[1]
        assert answers[0] == (
            401,
            {
                "error": {
                    "code": "invalid_credentials",
                    "message": "Email or password is incorrect.",
                }
            },
        )

    async def test_register(self, auth: Harness) -> None:
        known = await auth.customer()
        http = auth.client()
        body = {"password": "another-quiet-walrus-fig-71", "full_name": "Someone New"}
        taken = await http.post("/api/v1/auth/register", json={**body, "email": known.email})
        fresh = await http.post(
            "/api/v1/auth/register", json={**body, "email": "brand.new@example.org"}
        )
        assert _stable(taken) == _stable(fresh) == (202, {"status": "accepted"})
        notice = await auth.mail.last(known.email, "already have")
        assert "forgot-password" in notice.get_content()
        await auth.mail.last("brand.new@example.org", "Confirm your email")

    async def test_forgot_password(self, auth: Harness) -> None:
        known = await auth.customer()
        http = auth.client()
        answers = [
            _stable(await http.post("/api/v1/auth/password/forgot", json={"email": email}))
            for email in (known.email, "nobody.at.all@example.org")
        ]
        assert answers[0] == answers[1] == (202, {"status": "accepted"})
        assert [str(m["To"]) for m in await auth.mail.all()] == [known.email]


class TestSameTiming:
    @pytest.mark.asvs("V6.3.1")
    async def test_login_median_times_within_twenty_percent(self, auth: Harness) -> None:
        # Thresholds out of the way: this measures the password path, not the lockout path.
        auth.policy(
            lockout_after_failures=10_000,
            delay_after_failures=10_000,
            pow_after_address_failures=10_000,
            pow_after_network_failures=10_000,
            block_after_address_failures=10_000,
            block_after_network_failures=10_000,
        )
        known = await auth.customer()
        http = auth.client()
        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        for attempt in range(TRIES + 2):
            for label, email in (("known", known.email), ("unknown", "ghost@example.org")):
                started = time.perf_counter()
                answer = await http.post(
                    "/api/v1/auth/login", json={"email": email, "password": "wrong password guess"}
                )
                elapsed = time.perf_counter() - started
                assert answer.status_code == 401
                if attempt >= 2:  # the first rounds warm caches and pools
                    timings[label].append(elapsed)
        known_median = statistics.median(timings["known"])
        unknown_median = statistics.median(timings["unknown"])
        assert abs(known_median - unknown_median) <= 0.2 * min(known_median, unknown_median), (
            known_median,
            unknown_median,
        )
