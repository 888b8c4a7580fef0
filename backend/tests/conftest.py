"""Test fixtures: a migrated database (MariaDB when reachable), Redis, the app and clients.

`make test` exports HELIO_TEST_DATABASE_URL / HELIO_TEST_REDIS_URL when the
local servers answer; under CI=true their absence fails the run instead of
falling back to SQLite and in-process state.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from helio.config import Settings
from helio.kit.clock import clock
from helio.main import build_app, create_app
from helio.platform.app import App
from helio.state.shared import RedisState
from tests.fixtures import redis_db
from tests.fixtures.database import (
    RUN_TOKEN,
    drop_created_databases,
    migrate_fresh_database,
    truncate_all,
)

pytest_plugins = ["tests.fixtures.smtp", "tests.fixtures.principals"]

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DATABASE_URL = os.environ.get("HELIO_TEST_DATABASE_URL", "")
SERVER_REDIS_URL = os.environ.get("HELIO_TEST_REDIS_URL", "")
# The database number this run claimed on that server (see fixtures/redis_db.py).
REDIS_URL = ""
_redis_number: int | None = None
BASE_URL = "https://api.helio.test"


def pytest_configure(config: pytest.Config) -> None:
    global REDIS_URL, _redis_number
    if CI and not (DATABASE_URL.startswith("mysql") and SERVER_REDIS_URL):
        raise pytest.UsageError(
            "CI=true needs HELIO_TEST_DATABASE_URL (MariaDB) and HELIO_TEST_REDIS_URL (Redis)"
        )
    if SERVER_REDIS_URL and not config.option.collectonly:
        REDIS_URL, _redis_number = redis_db.claim(SERVER_REDIS_URL, RUN_TOKEN)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Give back this run's Redis database and drop the databases it created."""
    if _redis_number is not None:
        redis_db.release(REDIS_URL, _redis_number, RUN_TOKEN)
    drop_created_databases()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without local servers (a laptop), tests that need them are reported as skipped."""
    missing = {
        "mysql": not DATABASE_URL.startswith("mysql"),
        "redis": not SERVER_REDIS_URL,
    }
    for item in items:
        for marker, absent in missing.items():
            if absent and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=f"no {marker} server (required under CI)"))


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("helio-data")


@pytest.fixture(scope="session")
def database_url(data_dir: Path) -> str:
    url = DATABASE_URL or f"sqlite+aiosqlite:///{data_dir / 'test.db'}"
    return migrate_fresh_database(url, worker=os.environ.get("PYTEST_XDIST_WORKER", "gw0"))


@pytest.fixture(scope="session")
def settings(database_url: str, data_dir: Path) -> Settings:
    return Settings(
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        redis_url=REDIS_URL or None,
        public_url=BASE_URL,
        secret_key="test-only-" + "k" * 40,
        cookie_secure=True,
        trusted_proxies=["10.0.0.1/32"],
    )


@pytest.fixture(scope="session")
async def app_state(settings: Settings) -> AsyncIterator[App]:
    """The app every test shares: one database engine, one Redis client, one keyring."""
    built = build_app(settings)
    yield built
    await built.close()


@pytest.fixture(autouse=True)
def _real_time() -> Iterator[None]:
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
async def clean(app_state: App) -> App:
    """Empty every table and the shared state before the test."""
    await truncate_all(app_state.db)
    await _flush_state(app_state)
    app_state.vault.cache.clear()
    return app_state


async def _flush_state(app_state: App) -> None:
    state = app_state.state
    if isinstance(state, RedisState):
        await state.client.flushdb()
    else:
        await state.close()
    await app_state.limiter.storage.reset()


@pytest.fixture
def app(settings: Settings, clean: App) -> FastAPI:
    return create_app(settings, clean)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http
