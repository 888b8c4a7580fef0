"""The helio command: the first admin, demo data once, database grants."""

from __future__ import annotations

import asyncio
import getpass
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helio import cli
from helio.auth.accounts import profiles as service
from helio.auth.accounts import repository
from helio.authz.matrix import Role
from helio.config import Settings, get_settings
from helio.main import build_app
from helio.platform.app import App
from helio.preflight import listeners
from tests.fixtures.live_server import BACKEND, clean_env, free_port, taken_port

runner = CliRunner()


@pytest.fixture
def cli_settings(
    settings: Settings, clean: App, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    yield settings
    get_settings.cache_clear()


def _answers(monkeypatch: pytest.MonkeyPatch, *passwords: str) -> None:
    queue = list(passwords)
    monkeypatch.setattr(getpass, "getpass", lambda _prompt: queue.pop(0))


def _admin_state(settings: Settings, email: str) -> tuple[frozenset[Role], bool, bool]:
    """Read an account back through a fresh app (the CLI runs its own event loop)."""

    async def read() -> tuple[frozenset[Role], bool, bool]:
        app_state = build_app(settings)
        try:
            async with app_state.db.transaction() as session:
                user = await service.find_by_email(session, app_state, email)
                assert user is not None
                roles = await repository.roles(session, user.id)
                return roles, user.email_verified_at is not None, user.totp_confirmed_at is None
        finally:
            await app_state.close()

    return asyncio.run(read())


def test_create_admin_creates_a_verified_admin(
    cli_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    strong = "quiet-harbour-lantern-1987"
    _answers(monkeypatch, strong, strong)
    result = runner.invoke(
        cli.app, ["create-admin", "--email", "root@helio.example", "--full-name", "Rae Root"]
    )
    assert result.exit_code == 0, result.output
    assert _admin_state(cli_settings, "ROOT@helio.example") == (frozenset({Role.ADMIN}), True, True)
    assert strong not in result.output
    _answers(monkeypatch, strong, strong)
    again = runner.invoke(
        cli.app, ["create-admin", "--email", "root@helio.example", "--full-name", "Rae Root"]
    )
    assert again.exit_code == 1
    assert "exists already" in again.output


@pytest.mark.asvs("V6.2.1")
def test_create_admin_refuses_weak_or_mismatched_passwords(
    cli_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["create-admin", "--email", "a@helio.example", "--full-name", "Al Admin"]
    _answers(monkeypatch, "password1234", "password1234")
    weak = runner.invoke(cli.app, args)
    assert weak.exit_code == 1
    assert "too common" in weak.output.lower()
    _answers(monkeypatch, "quiet-harbour-lantern-1987", "quiet-harbour-lantern-1988")
    mismatch = runner.invoke(cli.app, args)
    assert mismatch.exit_code == 1
    assert "differ" in mismatch.output


def test_seed_demo_prints_passwords_once_and_keeps_data(cli_settings: Settings) -> None:
    first = runner.invoke(cli.app, ["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "demo.admin@helio.localhost" in first.output
    second = runner.invoke(cli.app, ["seed-demo"])
    assert "already present" in second.output
    assert "demo.admin@helio.localhost" not in second.output


@pytest.mark.asvs("V13.3.2")
def test_db_grants_give_the_app_user_no_ddl() -> None:
    result = runner.invoke(cli.app, ["db", "grants", "--schema", "helio"])
    assert result.exit_code == 0
    app_grants = [line for line in result.output.splitlines() if "TO 'helio_app'" in line]
    assert app_grants
    for line in app_grants:
        for forbidden in ("ALL", "CREATE", "DROP", "ALTER", "GRANT OPTION", "FILE", "SUPER"):
            assert forbidden not in line.split(" ON ")[0], line
    audit = [line for line in app_grants if "`audit_events`" in line]
    assert audit == ["GRANT SELECT, INSERT ON `helio`.`audit_events` TO 'helio_app'@'%';"]


def test_a_migration_url_without_an_app_url_is_refused(tmp_path: Path) -> None:
    env = clean_env(HELIO_DATA_DIR=str(tmp_path), HELIO_MIGRATE_DATABASE_URL="sqlite:///x.db")
    result = subprocess.run(
        [sys.executable, "-m", "helio.cli", "migrate"],
        cwd=BACKEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    [line] = (result.stdout + result.stderr).strip().splitlines()
    assert "HELIO_DATABASE_URL" in line
    assert not (tmp_path / "helio.db").exists()


def test_check_ports_names_the_taken_address_and_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with taken_port() as port:
        settings = Settings(env="development", data_dir=tmp_path, port=port)
        monkeypatch.setattr(cli, "get_settings", lambda: settings)
        taken = runner.invoke(cli.app, ["check-ports"])
        assert taken.exit_code == 1
        assert f"error: 127.0.0.1:{port} (the API) is already in use" in taken.output
        assert "HELIO_PORT" in taken.output
    free = Settings(env="development", data_dir=tmp_path, port=free_port())
    monkeypatch.setattr(cli, "get_settings", lambda: free)
    assert runner.invoke(cli.app, ["check-ports"]).exit_code == 0
    # With a real SMTP server, or outside development, no sink will listen.
    relayed = Settings(env="development", data_dir=tmp_path, smtp_url="smtp://127.0.0.1:1025")
    assert [listener.what for listener in listeners(relayed)] == ["the API"]
    assert [listener.what for listener in listeners(free)] == ["the API", "the mail sink"]
