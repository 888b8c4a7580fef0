"""Migrations run from empty, down to nothing and up again, on MariaDB and SQLite."""

from __future__ import annotations

import os
from pathlib import Path

import pymysql
import pytest
from alembic import command
from sqlalchemy.engine import make_url

from tests.fixtures.database import alembic_config, migrate_fresh_database

MYSQL_URL = os.environ.get("HELIO_TEST_DATABASE_URL", "")


def _tables(url: str) -> dict[str, tuple[str, str]]:
    parsed = make_url(url)
    connection = pymysql.connect(
        host=parsed.host,
        port=parsed.port or 3306,
        user=parsed.username,
        password=parsed.password or "",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, engine, table_collation FROM information_schema.tables "
            "WHERE table_schema = %s",
            (parsed.database,),
        )
        rows = {name: (engine, collation) for name, engine, collation in cursor.fetchall()}
    connection.close()
    return rows


@pytest.mark.mysql
def test_up_down_up_on_mariadb() -> None:
    url = migrate_fresh_database(MYSQL_URL, worker="migrations")
    tables = _tables(url)
    assert "users" in tables
    assert "audit_events" in tables
    for name, (engine, collation) in tables.items():
        assert engine == "InnoDB", name
        assert collation.startswith("utf8mb4"), name
    config = alembic_config(url)
    command.downgrade(config, "base")
    assert set(_tables(url)) == {"alembic_version"}
    command.upgrade(config, "head")
    assert _tables(url).keys() == tables.keys()


def test_up_down_up_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")
