"""A value the database refuses answers 422, and the logs carry no row values."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from tests.conftest import BASE_URL

from helio.config import Settings
from helio.main import create_app
from helio.platform.app import App

pytestmark = [pytest.mark.mysql]

# Row values a failed insert must never write to a log: a "purpose" too long for its
# column (the DataError) and the other parameters bound to the same statement.
TOO_LONG = "ciphertext-of-a-name-" + "Z" * 40
OTHER_VALUE = "bound-user-id-QWERTY"


@pytest.fixture
def failing_app(settings: Settings, clean: App) -> FastAPI:
    app = create_app(settings, clean)

    async def overflow() -> None:
        async with clean.db.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO one_time_tokens (id, purpose, token_hash, user_id, created_at,"
                    " expires_at) VALUES (:id, :purpose, :hash, :user, NOW(), NOW())"
                ),
                {"id": "a" * 32, "purpose": TOO_LONG, "hash": b"h" * 32, "user": OTHER_VALUE},
            )

    async def dangling() -> None:
        async with clean.db.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO one_time_tokens (id, purpose, token_hash, user_id, created_at,"
                    " expires_at) VALUES (:id, 'reset', :hash, :user, NOW(), NOW())"
                ),
                {"id": "b" * 32, "hash": b"h" * 32, "user": OTHER_VALUE},
            )

    app.add_api_route("/test/overflow", overflow, methods=["POST"])
    app.add_api_route("/test/dangling", dangling, methods=["POST"])
    return app


def test_engines_hide_parameters(clean: App) -> None:
    assert clean.db.engine.sync_engine.hide_parameters is True


async def _post(app: FastAPI, path: str, capsys: pytest.CaptureFixture[str]) -> tuple[Any, str]:
    """Send the request; return the response and what the app printed (its JSON log)."""
    transport = ASGITransport(app=app, client=("203.0.113.7", 1234))
    async with AsyncClient(transport=transport, base_url=BASE_URL) as http:
        response = await http.post(path)
    return response, capsys.readouterr().out


def _log_entries(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.mark.asvs("V16.2.5", "V16.5.1")
async def test_a_data_error_is_a_422_logged_without_row_values(
    failing_app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    response, output = await _post(failing_app, "/test/overflow", capsys)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"
    for value in (TOO_LONG, OTHER_VALUE, "Z" * 40, "QWERTY"):
        assert value not in output
    entries = _log_entries(output)
    [defect] = [entry for entry in entries if entry.get("event") == "database_data_error"]
    assert defect["defect"] is True
    assert defect["db_error"]["type"] == "DataError"
    assert defect["db_error"]["errno"] == 1406  # Data too long for column
    assert defect["db_error"]["statement"].startswith("INSERT INTO one_time_tokens")
    assert "Traceback" not in defect["exception"]
    assert "test_database_errors.py" in defect["exception"]  # the frames are kept


@pytest.mark.asvs("V16.5.1")
async def test_a_row_deleted_in_between_is_a_409_logged_without_row_values(
    failing_app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    response, output = await _post(failing_app, "/test/dangling", capsys)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert OTHER_VALUE not in output
    [warning] = [
        entry for entry in _log_entries(output) if entry.get("event") == "database_integrity_error"
    ]
    assert warning["errno"] == 1452  # a foreign key names a row that is not there
