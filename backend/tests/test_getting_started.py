"""docs/getting-started.md and the README's password reset, run as written with bash
against a real `make run` on free ports (on MariaDB and Redis when this run has them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import conftest
from tests.fixtures.database import migrate_fresh_database
from tests.fixtures.live_server import (
    ROOT,
    clean_env,
    free_port,
    run_group,
    start_group,
    stop_group,
    wait_healthy,
)

DOC = ROOT / "docs" / "getting-started.md"
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def shell_blocks(path: Path = DOC) -> list[str]:
    """Return the `sh` blocks of a Markdown file, in order."""
    return SH_BLOCK.findall(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def walkthrough_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Start `make run` as a newcomer does; yield the variables their shell shares with it."""
    tmp_path = tmp_path_factory.mktemp("getting-started")
    shared = clean_env(
        HELIO_PORT=str(free_port()),
        HELIO_MAIL_SINK_PORT=str(free_port()),
        HELIO_WEB_PORTAL_PORT=str(free_port()),
        HELIO_WEB_CONSOLE_PORT=str(free_port()),
        HELIO_DATA_DIR=str(tmp_path / "var"),
    )
    servers = {}
    if conftest.DATABASE_URL.startswith("mysql"):
        fresh = migrate_fresh_database(conftest.DATABASE_URL, worker="getting_started")
        servers["HELIO_DATABASE_URL"] = fresh
    if conftest.REDIS_URL:
        servers["HELIO_REDIS_URL"] = conftest.REDIS_URL
    log = tmp_path / "make-run.log"
    run = start_group(
        ["make", "--no-print-directory", "run"], env=shared | servers, log=log, cwd=ROOT
    )
    try:
        wait_healthy(f"http://127.0.0.1:{shared['HELIO_PORT']}", run)
        yield shared
    finally:
        stop_group(run)


def test_the_walkthrough_has_every_step() -> None:
    blocks = shell_blocks()
    assert len(blocks) >= 7
    text = "\n".join(blocks)
    for route in ("/auth/challenge", "/auth/register", "/auth/verify-email", "/auth/token"):
        assert route in text
    for route in ("/sites", "/usage", "/quotes"):
        assert route in text


@pytest.mark.asvs("V6.1.3")
def test_the_walkthrough_runs_as_written(walkthrough_env: dict[str, str]) -> None:
    script = "set -euo pipefail\n" + "\n".join(shell_blocks())
    result = run_group(["bash", "-c", script], env=walkthrough_env, cwd=ROOT, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"quote [0-9a-f]{32} - [0-9.]+ kWp, \d+ panels", result.stdout), output
    assert "Subject: Confirm your email address" in result.stdout
    # The browser origin is the customer portal, on the port it was given, not the default:
    # the mail links open it, and the API accepts it (past the origin check, a 422).
    portal = f"http://portal.localhost:{walkthrough_env['HELIO_WEB_PORTAL_PORT']}"
    assert f"{portal}/verify-email#token=" in result.stdout
    api = f"http://127.0.0.1:{walkthrough_env['HELIO_PORT']}"
    answer = httpx.post(
        f"{api}/api/v1/auth/register", json={}, headers={"Origin": portal}, timeout=10
    )
    assert answer.status_code == 422, answer.text


def test_the_readme_password_reset_gives_a_demo_account_a_new_password(
    walkthrough_env: dict[str, str],
) -> None:
    [block] = [b for b in shell_blocks(ROOT / "README.md") if "/auth/password/forgot" in b]
    port, data_dir = walkthrough_env["HELIO_PORT"], walkthrough_env["HELIO_DATA_DIR"]
    # The README speaks of the defaults; this server runs elsewhere.
    block = block.replace("127.0.0.1:8000", f"127.0.0.1:{port}").replace("backend/var", data_dir)
    result = run_group(["bash", "-c", "set -euo pipefail\n" + block], env=walkthrough_env)
    assert result.returncode == 0, result.stdout + result.stderr
    new_password = result.stdout.split('{"status":"accepted"}')[1].split()[0]
    answer = httpx.post(
        f"http://127.0.0.1:{port}/api/v1/auth/login",
        json={"email": "demo.admin@helio.localhost", "password": new_password},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["mfa_enrolment"] == "required"
