"""The README's real-server recipe on MariaDB: create the users, migrate as the migrator,
grant, run as the least-privileged app user. A migration by the app user fails in one line.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from helio.dbgrants import grant_statements
from tests.conftest import DATABASE_URL
from tests.fixtures.database import _root_connection
from tests.fixtures.live_server import BACKEND, clean_env

pytestmark = pytest.mark.mysql


@dataclass(frozen=True)
class Deployment:
    """A schema with its two users, as the README creates them."""

    app_url: str
    migrator_url: str
    grants: list[str]

    def apply(self, kind: str) -> None:
        """Run the CREATE USER and migrator grants ("users"), or the app user's grants ("app")."""
        app_user = f"TO '{make_url(self.app_url).username}'"
        if kind == "users":
            wanted = [s for s in self.grants if s.startswith("CREATE USER") or app_user not in s]
        else:
            wanted = [s for s in self.grants if app_user in s]
        _root(wanted)


def _root(statements: list[str]) -> None:
    connection = _root_connection(DATABASE_URL)
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


@pytest.fixture
def deployment() -> Iterator[Deployment]:
    token = secrets.token_hex(4)
    schema, app, migrator = f"helio_recipe_{token}", f"happ_{token}", f"hmig_{token}"
    app_pw, mig_pw = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    grants = [
        s.replace("<app password>", app_pw).replace("<migrator password>", mig_pw).rstrip(";")
        for s in grant_statements(schema, app_user=app, migrator=migrator)
        if not s.startswith("--")
    ]
    base = make_url(DATABASE_URL).set(database=schema)
    _root([f"CREATE DATABASE `{schema}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"])
    try:
        yield Deployment(
            app_url=base.set(username=app, password=app_pw).render_as_string(False),
            migrator_url=base.set(username=migrator, password=mig_pw).render_as_string(False),
            grants=grants,
        )
    finally:
        _root(
            [
                f"DROP DATABASE IF EXISTS `{schema}`",
                f"DROP USER IF EXISTS '{app}'@'%'",
                f"DROP USER IF EXISTS '{migrator}'@'%'",
            ]
        )


def helio(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "helio.cli", *args],
        cwd=BACKEND,
        env=clean_env(HELIO_DATA_DIR=str(tmp_path), **env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.asvs("V13.2.2")
def test_migrating_as_the_app_user_fails_in_one_clear_line(
    deployment: Deployment, tmp_path: Path
) -> None:
    deployment.apply("users")
    result = helio(tmp_path, "migrate", HELIO_DATABASE_URL=deployment.app_url)
    assert result.returncode == 1
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output
    [line] = output.splitlines()
    assert "denied" in line
    assert "HELIO_MIGRATE_DATABASE_URL" in line
    password = make_url(deployment.app_url).password
    assert password
    assert password not in line


@pytest.mark.asvs("V13.2.2")
def test_the_recipe_migrates_as_the_migrator_and_runs_as_the_app_user(
    deployment: Deployment, tmp_path: Path
) -> None:
    urls = {
        "HELIO_DATABASE_URL": deployment.app_url,
        "HELIO_MIGRATE_DATABASE_URL": deployment.migrator_url,
    }
    deployment.apply("users")
    migrated = helio(tmp_path, "migrate", **urls)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    deployment.apply("app")
    again = helio(tmp_path, "migrate", **urls)  # what every `make run` does
    assert again.returncode == 0, again.stdout + again.stderr
    seeded = helio(tmp_path, "seed-demo", **urls)
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    assert "demo.customer@helio.localhost" in seeded.stdout
