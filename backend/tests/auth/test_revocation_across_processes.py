"""Revocation on one server process is refused at once by another (shared Redis and database).

Two real uvicorn processes serve the same deployment. A bearer token and a session cookie
work on both; after a sign-out on process A, process B refuses both on its very next
request — B had the token session in its cache and must still see the revocation mark.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from tests import conftest
from tests.fixtures.live_server import (
    BACKEND,
    clean_env,
    free_port,
    start_group,
    stop_group,
    wait_healthy,
)
from tests.fixtures.principals import Harness

from helio.config import Settings
from helio.http.cookies import csrf_cookie_name, session_cookie_name

ME = "/api/v1/auth/whoami"


@contextmanager
def _server(settings: Settings, log: Path) -> Iterator[str]:
    port = free_port()
    env = clean_env(
        HELIO_ENV="test",
        HELIO_DATA_DIR=str(settings.data_dir),
        HELIO_DATABASE_URL=settings.database_url,
        HELIO_REDIS_URL=conftest.REDIS_URL,
        HELIO_PUBLIC_URL=settings.public_url,
        HELIO_SECRET_KEY=settings.secret_key,
    )
    command = [sys.executable, "-m", "uvicorn", "helio.main:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    process = start_group(command, env=env, log=log, cwd=BACKEND)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_healthy(base_url, process)
        yield base_url
    finally:
        stop_group(process)


@pytest.mark.asvs("V7.4.1", "V10.3.2")
async def test_sign_out_on_one_process_is_refused_at_once_on_another(
    auth: Harness, settings: Settings, tmp_path: Path
) -> None:
    if not conftest.REDIS_URL:
        pytest.skip("needs Redis: separate processes share revocation only through it")
    account = await auth.customer()
    body = {"email": account.email, "password": account.password}
    with ExitStack() as servers:
        server_a = servers.enter_context(_server(settings, tmp_path / "a.log"))
        async with httpx.AsyncClient(base_url=server_a, timeout=30) as http_a:
            signed_in = await http_a.post("/api/v1/auth/login", json=body)
            assert signed_in.status_code == 200, signed_in.text
            cookie = signed_in.cookies.get(session_cookie_name(settings))
            assert cookie
            grant = await http_a.post("/api/v1/auth/token", json={"grant_type": "password", **body})
            assert grant.status_code == 200, grant.text
            bearer = {"Authorization": f"Bearer {grant.json()['access_token']}"}
            by_cookie = {"Cookie": f"{session_cookie_name(settings)}={cookie}"}
            # B starts after A wrote the signing key, so both verify with the same key set.
            server_b = servers.enter_context(_server(settings, tmp_path / "b.log"))
            async with httpx.AsyncClient(base_url=server_b, timeout=30) as http_b:
                for _ in range(3):  # B caches the token session's state
                    assert (await http_b.get(ME, headers=bearer)).status_code == 200
                    assert (await http_b.get(ME, headers=by_cookie)).status_code == 200

                assert (await http_a.post("/api/v1/auth/logout", headers=bearer)).status_code == 204
                refused = await http_b.get(ME, headers=bearer)
                assert refused.status_code == 401
                assert refused.json()["error"]["code"] == "invalid_token"
                # The cookie session is a different session: still live on both.
                assert (await http_b.get(ME, headers=by_cookie)).status_code == 200

                assert await _csrf_logout(http_a, settings, signed_in) == 204
                assert (await http_b.get(ME, headers=by_cookie)).status_code == 401


async def _csrf_logout(
    http: httpx.AsyncClient, settings: Settings, signed_in: httpx.Response
) -> int:
    """Sign the cookie session out with its CSRF token (double submit), as a browser would."""
    token = signed_in.cookies.get(csrf_cookie_name(settings)) or ""
    cookies = "; ".join(f"{name}={value}" for name, value in signed_in.cookies.items())
    headers = {"Cookie": cookies, "X-CSRF-Token": token, "Origin": settings.public_url}
    return (await http.post("/api/v1/auth/logout", headers=headers)).status_code
