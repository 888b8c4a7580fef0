"""What the MariaDB benchmarks share: raw connections and a fresh, migrated database."""

from __future__ import annotations

from typing import Any

import pymysql
from alembic import command
from sqlalchemy.engine import make_url

from helio.cli import alembic_config


def connect(url: str, database: str | None = None) -> Any:
    """Open a plain pymysql connection (bulk loading) to the server of a SQLAlchemy URL."""
    parsed = make_url(url)
    return pymysql.connect(
        host=parsed.host or "127.0.0.1", port=parsed.port or 3306, user=parsed.username or "root",
        password=parsed.password or "", database=database, autocommit=False, local_infile=True,
    )  # fmt: skip


def fresh_database(url: str) -> None:
    """Drop and recreate the benchmark database named in `url`, then migrate it to head."""
    name = make_url(url).database
    connection = connect(url)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    connection.close()
    command.upgrade(alembic_config(url), "head")
