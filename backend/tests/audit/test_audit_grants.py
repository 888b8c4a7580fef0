"""The app's MySQL user may append to the audit trail but never rewrite it."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator

import pymysql
import pytest
from sqlalchemy.engine import make_url
from tests.factories.audit import append

from helio.audit.grants import audit_grants
from helio.audit.verify import verify_chain
from helio.db import Database
from helio.platform.app import App

ACCESS_DENIED = 1142  # ER_TABLEACCESS_DENIED_ERROR


def _root(url: str) -> pymysql.Connection:
    parsed = make_url(url)
    return pymysql.connect(
        host=parsed.host,
        port=parsed.port or 3306,
        user=parsed.username,
        password=parsed.password or "",
    )


@pytest.fixture
def app_user(clean: App) -> Iterator[tuple[str, str, str]]:
    """A restricted user holding only the audit GRANTs (and SELECT on users for nothing else)."""
    url = clean.settings.effective_database_url
    schema = make_url(url).database or ""
    name, password = f"helio_app_{secrets.token_hex(4)}", secrets.token_urlsafe(24)
    root = _root(url)
    with root.cursor() as cursor:
        cursor.execute(f"CREATE USER '{name}'@'%%' IDENTIFIED BY %s", (password,))
        for statement in audit_grants(schema, name, host="%"):
            cursor.execute(statement)
    try:
        yield schema, name, password
    finally:
        with root.cursor() as cursor:
            cursor.execute(f"DROP USER '{name}'@'%'")
        root.close()


@pytest.fixture
async def app_db(clean: App, app_user: tuple[str, str, str]) -> AsyncIterator[Database]:
    schema, name, password = app_user
    parsed = make_url(clean.settings.effective_database_url)
    url = parsed.set(username=name, password=password, database=schema)
    database = Database(url.render_as_string(hide_password=False))
    yield database
    await database.dispose()


def test_grant_statements_are_exact_and_refuse_odd_names() -> None:
    assert audit_grants("helio", "helio_app") == [
        "GRANT SELECT, INSERT ON `helio`.`audit_events` TO 'helio_app'@'%'",
        "GRANT SELECT, INSERT ON `helio`.`audit_checkpoints` TO 'helio_app'@'%'",
        "GRANT SELECT, UPDATE ON `helio`.`audit_chain_head` TO 'helio_app'@'%'",
    ]
    assert audit_grants("helio", "app@10.0.%")[0].endswith("TO 'app'@'10.0.%'")
    for schema, user in [("helio`; DROP", "app"), ("helio", "app'@'%' WITH GRANT OPTION --")]:
        with pytest.raises(ValueError, match="identifiers"):
            audit_grants(schema, user)


@pytest.mark.mysql
@pytest.mark.asvs("V16.4.2", "V13.2.2")
async def test_app_user_appends_but_mysql_refuses_update_and_delete(
    app_db: Database, app_user: tuple[str, str, str]
) -> None:
    await append(app_db, 5)  # the real write path works with only these grants
    result = await verify_chain(app_db)
    assert result.ok
    assert result.checked == 5
    schema, name, password = app_user
    connection = pymysql.connect(host="127.0.0.1", user=name, password=password, database=schema)
    refused = [
        "UPDATE audit_events SET reason = 'x' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 1",
        "UPDATE audit_checkpoints SET head_hash = 'x'",
        "DELETE FROM audit_checkpoints",
        "DELETE FROM audit_chain_head",
        "TRUNCATE TABLE audit_events",
        "DROP TABLE audit_events",
    ]
    try:
        with connection.cursor() as cursor:
            for sql in refused:
                with pytest.raises(pymysql.err.OperationalError) as error:
                    cursor.execute(sql)
                assert error.value.args[0] == ACCESS_DENIED, sql
            cursor.execute("SELECT COUNT(*) FROM audit_events")
            assert cursor.fetchone() == (5,)
    finally:
        connection.close()
