"""Redis down: the API fails closed, says so with 503 + Retry-After, and recovers by itself.

Sign-in and every session check need Redis (revocation marks, lockout counters); without it
they are refused, never skipped. `/healthz` (the process lives) stays 200, `/readyz` is 503.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.faults.servers import customer_login, stack

pytestmark = pytest.mark.fault
ME = "/api/v1/auth/whoami"


def _until(check: object, within: float = 10) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"not true within {within} s")


@pytest.mark.asvs("V16.5.2", "V16.5.3")
def test_redis_down_refuses_sign_in_and_session_checks_then_recovers(tmp_path: Path) -> None:
    with (
        stack(tmp_path) as (redis, _maria, api),
        httpx.Client(base_url=api.base_url, timeout=10) as http,
    ):
        grant = customer_login(http, api)
        assert grant.status_code == 200, grant.text
        bearer = {"Authorization": f"Bearer {grant.json()['access_token']}"}
        assert http.get(ME, headers=bearer).status_code == 200
        assert http.get("/readyz").status_code == 200

        redis.kill()

        refused = customer_login(http, api)
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"].isdigit()
        assert refused.json()["error"]["code"] == "unavailable"
        checked = http.get(ME, headers=bearer)
        assert checked.status_code == 503, checked.text
        assert checked.headers["Retry-After"].isdigit()
        ready = http.get("/readyz")
        assert ready.status_code == 503
        assert http.get("/healthz").status_code == 200

        redis.start()  # same port, empty: nothing was persisted

        _until(lambda: http.get("/readyz").status_code == 200)
        again = customer_login(http, api)
        assert again.status_code == 200, again.text
        fresh = {"Authorization": f"Bearer {again.json()['access_token']}"}
        assert http.get(ME, headers=fresh).status_code == 200
