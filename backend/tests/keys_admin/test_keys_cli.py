"""`helio keys …`: the commands run the rotations and print a summary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from helio.cli import app
from helio.config import Settings, get_settings
from helio.platform.app import App


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("HELIO_ENV", "test")
    monkeypatch.setenv("HELIO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HELIO_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("HELIO_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.mark.asvs("V11.2.2")
def test_rotations_print_a_summary_and_status_shows_the_keys(
    clean: App, cli_env: CliRunner
) -> None:
    before = clean.keys.current_kek_id()
    rotated = cli_env.invoke(app, ["keys", "rotate-kek", "--batch-size", "50"])
    assert rotated.exit_code == 0, rotated.output
    assert "kek rotation" in rotated.output
    assert before in rotated.output  # retired: nothing used it
    for command in ("rotate-data-keys", "rotate-index", "shred-due"):
        result = cli_env.invoke(app, ["keys", command])
        assert result.exit_code == 0, result.output
    status = cli_env.invoke(app, ["keys", "status"])
    assert status.exit_code == 0, status.output
    clean.keyring.reload()
    assert clean.keyring.current_blind_index_version() > 1
    assert "current KEK" in status.output
    assert "unfinished rotations" in status.output


@pytest.mark.asvs("V11.2.2")
def test_rotate_jwt_makes_a_new_current_signing_key(clean: App, cli_env: CliRunner) -> None:
    first = cli_env.invoke(app, ["keys", "rotate-jwt"])
    second = cli_env.invoke(app, ["keys", "rotate-jwt"])
    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    assert "new JWT signing key" in second.output
    assert first.output.split()[-1] != second.output.split()[-1]
