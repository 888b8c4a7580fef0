"""`helio audit report`: formats, exit code by the worst failed severity, --fail-on, --store."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helio import cli
from helio.commands import audit as audit_commands
from helio.config import Settings, get_settings
from helio.main import build_app
from helio.platform.app import App
from helio.selfaudit import repository

pytestmark = [pytest.mark.mysql, pytest.mark.redis]
runner = CliRunner()


@pytest.fixture
def cli_settings(
    settings: Settings, clean: App, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    monkeypatch.setattr(audit_commands, "get_settings", lambda: settings)
    monkeypatch.delenv("HELIO_OSV_DIR", raising=False)
    yield settings
    get_settings.cache_clear()


@pytest.fixture
def report_cmd(tmp_path: Path) -> list[str]:
    """The command, with an empty deploy/ tree: `make deploy-check` is not rerun here."""
    return ["audit", "report", "--deploy-dir", str(tmp_path)]


def _stored(settings: Settings) -> int:
    async def count() -> int:
        app = build_app(settings)
        try:
            async with app.db.transaction() as session:
                return len(await repository.recent(session, 10))
        finally:
            await app.close()

    return asyncio.run(count())


def test_json_report_exit_code_and_fail_on(cli_settings: Settings, report_cmd: list[str]) -> None:
    # The test database is used as root: SHOW GRANTS holds ALL PRIVILEGES, a high failure.
    result = runner.invoke(cli.app, [*report_cmd, "--no-http", "--format", "json"])
    report = json.loads(result.stdout)
    grants = next(f for f in report["findings"] if f["id"] == "db.app_user_grants")
    assert (grants["verdict"], grants["severity"]) == ("fail", "high")
    assert report["summary"]["worst_severity"] == "high"
    assert result.exit_code == 3
    relaxed = runner.invoke(cli.app, [*report_cmd, "--no-http", "--fail-on", "critical"])
    assert relaxed.exit_code == 0
    assert "## A05: Security Misconfiguration" in relaxed.stdout
    assert _stored(cli_settings) == 0


def test_sarif_output_and_store(cli_settings: Settings, report_cmd: list[str]) -> None:
    result = runner.invoke(cli.app, [*report_cmd, "--no-http", "--format", "sarif", "--store"])
    assert result.exit_code == 3
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    assert "db.app_user_grants" in {r["ruleId"] for r in log["runs"][0]["results"]}
    assert _stored(cli_settings) == 1


def test_bad_options_are_refused(cli_settings: Settings, report_cmd: list[str]) -> None:
    assert runner.invoke(cli.app, [*report_cmd, "--format", "xml"]).exit_code == 2
    assert runner.invoke(cli.app, [*report_cmd, "--fail-on", "severe"]).exit_code == 2
