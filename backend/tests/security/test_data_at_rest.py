"""Data at rest, checked from outside the app: raw tables, tampering, shredding, DB grants, logs."""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Iterator
from typing import Any

import pymysql
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from tests.factories.pii import Customer, make_customer, raw_connect

from helio.authz.matrix import Perm
from helio.customers import deletion, service
from helio.customers.schemas import ProfileUpdate
from helio.dbgrants import grant_statements
from helio.keys_admin.checkpoint import CheckpointStore
from helio.keys_admin.rotation import rotate_kek
from helio.keys_admin.run import RotationOptions
from helio.logging import configure_logging, get_logger
from helio.models import AuditEvent, DataKey
from helio.platform.app import App
from helio.security.crypto import DecryptionError, FieldCipher, data_key_context
from helio.security.keys.types import WrappedKey

pytestmark = pytest.mark.mysql


def cells(database_url: str) -> Iterator[tuple[str, str, bytes]]:
    """Yield (table, column, value as bytes) for every non-null cell of every table."""
    connection = raw_connect(database_url)
    with connection.cursor() as cursor:
        cursor.execute("SHOW TABLES")
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(f"SELECT * FROM `{table}`")  # noqa: S608 - names from SHOW TABLES
            names = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                for name, value in zip(names, row, strict=True):
                    if value is not None:
                        raw = value if isinstance(value, bytes) else str(value).encode()
                        yield table, name, raw
    connection.close()


def leaks(database_url: str, needles: list[str]) -> list[tuple[str, str, str]]:
    wanted = {n.lower().encode() for n in needles}
    return [
        (table, column, needle.decode())
        for table, column, raw in cells(database_url)
        for needle in wanted
        if needle in raw.lower()
    ]


@pytest.mark.asvs("V14.2.4", "V11.3.2")
async def test_raw_tables_hold_no_plaintext_pii(clean: App, database_url: str) -> None:
    person, other = await make_customer(clean, 1), await make_customer(clean, 2)
    async with clean.db.transaction() as session:
        update = ProfileUpdate(full_name=f"Ada {person.full_name.split()[1]}")
        await service.update_me(session, person.ctx(clean, Perm.PROFILE_UPDATE), data=update)
        await service.export_me(session, person.ctx(clean, Perm.DATA_EXPORT))
    digits = person.phone.replace(" ", "")
    needles = [*person.needles(), *other.needles(), digits[1:], "Ada " + person.full_name[-11:]]
    assert leaks(database_url, needles) == []
    # The scanner does find a value stored in clear (here, a site label).
    connection = raw_connect(database_url)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sites SET label = %s WHERE id = %s", (other.notes, other.site_id))
    connection.close()
    assert leaks(database_url, [other.notes]) == [("sites", "label", other.notes.lower())]


def swap(database_url: str, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    connection = raw_connect(database_url)
    with connection.cursor() as cursor:
        for sql, args in statements:
            cursor.execute(sql, args)
    connection.close()


def tampering(a: Customer, b: Customer) -> dict[str, list[tuple[str, tuple[Any, ...]]]]:
    return {
        "rows swapped": [
            ("UPDATE users x JOIN users y ON x.id = %s AND y.id = %s "
             "SET x.email_ct = y.email_ct, y.email_ct = x.email_ct", (a.user_id, b.user_id)),
        ],
        "columns swapped": [
            ("UPDATE users SET full_name_ct = phone_ct, phone_ct = full_name_ct WHERE id = %s",
             (a.user_id,)),
        ],
        "copied from another owner": [
            ("UPDATE users x JOIN users y ON x.id = %s AND y.id = %s SET x.notes_ct = y.notes_ct",
             (a.user_id, b.user_id)),
        ],
        "one byte flipped": [
            ("UPDATE users SET address_ct = CONCAT(LEFT(address_ct, 40), "
             "CHAR(ASCII(SUBSTRING(address_ct, 41, 1)) ^ 1), SUBSTRING(address_ct, 42)) "
             "WHERE id = %s", (a.user_id,)),
        ],
    }  # fmt: skip


@pytest.mark.asvs("V11.3.3")
@pytest.mark.parametrize(
    "attack", ["rows swapped", "columns swapped", "copied from another owner", "one byte flipped"]
)
async def test_moved_or_altered_ciphertext_fails_cleanly(
    clean: App, database_url: str, attack: str
) -> None:
    a, b = await make_customer(clean, 1), await make_customer(clean, 2)
    swap(database_url, tampering(a, b)[attack])
    clean.vault.cache.clear()
    async with clean.db.transaction() as session:
        with pytest.raises(DecryptionError) as caught:
            await service.read_me(session, a.ctx(clean))
    assert (caught.value.status, caught.value.code) == (409, "data_integrity_error")
    async with clean.db.transaction() as session:
        stmt = select(AuditEvent).where(AuditEvent.action == "data.integrity_failed")
        [event] = (await session.execute(stmt)).scalars().all()
    assert event.resource_id == a.user_id
    assert event.outcome == "failure"


def keyring_material(app_state: App) -> list[bytes]:
    """Every key in the keyring file: KEKs, blind-index keys and app secrets."""
    data = json.loads(app_state.settings.effective_keyring_path.read_bytes())
    sections = [data["kek"]["keys"], data["blind_index"]["keys"], data["secrets"]]
    return [base64.b64decode(entry["key"]) for section in sections for entry in section.values()]


async def remaining_data_keys(app_state: App) -> list[bytes]:
    """Unwrap every data key still in the database, whoever owns it."""
    async with app_state.db.transaction() as session:
        rows = (await session.execute(select(DataKey))).scalars().all()
    return [
        app_state.keys.unwrap(
            WrappedKey.from_bytes(row.wrapped_key),
            context=data_key_context(row.owner_id, row.generation),
        )
        for row in rows
        if row.wrapped_key is not None
    ]


def backup_of(database_url: str, person: Customer) -> dict[str, Any]:
    """What a database backup taken before the deletion holds about a person."""
    connection = raw_connect(database_url)
    with connection.cursor(pymysql.cursors.DictCursor) as cursor:
        cursor.execute("SELECT * FROM users WHERE id = %s", (person.user_id,))
        user = cursor.fetchone()
        cursor.execute("SELECT id, address_ct FROM sites WHERE owner_id = %s", (person.user_id,))
        site = cursor.fetchone()
        cursor.execute("SELECT * FROM data_keys WHERE owner_id = %s", (person.user_id,))
        keys = cursor.fetchall()
    connection.close()
    values = [("users", c, person.user_id, user[c]) for c in user if c.endswith("_ct") and user[c]]
    return {"values": [*values, ("sites", "address_ct", site["id"], site["address_ct"])],
            "keys": keys}  # fmt: skip


def decryptable(values: list[tuple[str, str, str, bytes]], candidates: list[bytes]) -> int:
    cipher, opened = FieldCipher(), 0
    for table, column, row_id, value in values:
        for key in candidates:
            try:
                cipher.decrypt(key, value, table=table, column=column, row_id=row_id)
                opened += 1
            except DecryptionError:
                pass
    return opened


@pytest.mark.asvs("V14.2.4", "V11.2.2")
async def test_after_shredding_no_key_left_decrypts_the_customer(
    clean: App, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setattr(clean.settings, "shred_grace_days", 0)
    person, other = await make_customer(clean, 1), await make_customer(clean, 2)
    backup = backup_of(database_url, person)
    assert decryptable(backup["values"], await remaining_data_keys(clean)) == len(backup["values"])
    async with clean.db.transaction() as session:
        await deletion.delete_me(session, person.ctx(clean, Perm.ACCOUNT_DELETE))
    clean.vault.cache.clear()
    candidates = [*keyring_material(clean), *await remaining_data_keys(clean)]
    assert len(candidates) >= 3  # KEKs, blind-index keys, the other customer's data key
    assert decryptable(backup["values"], candidates) == 0
    assert leaks(database_url, person.needles()) == []
    # An older backup still holds the wrapped key: the next KEK rotation retires its KEK.
    await rotate_kek(clean, options=RotationOptions(checkpoints=CheckpointStore(tmp_path)))
    for row in backup["keys"]:
        wrapped = WrappedKey.from_bytes(row["wrapped_key"])
        with pytest.raises(DecryptionError):
            clean.keys.unwrap(wrapped, context=data_key_context(person.user_id, row["generation"]))
    assert decryptable(backup_of(database_url, other)["values"], await remaining_data_keys(clean))


@pytest.fixture
def restricted_users(database_url: str) -> Iterator[dict[str, str]]:
    """Create the app and migrator users from `helio db grants` on the test schema."""
    schema = make_url(database_url).database or ""
    suffix = secrets.token_hex(3)
    users = {"app": f"helio_app_{suffix}", "migrator": f"helio_mig_{suffix}"}
    password = secrets.token_urlsafe(18)
    root = raw_connect(database_url)
    statements = grant_statements(schema, app_user=users["app"], migrator=users["migrator"])
    with root.cursor() as cursor:
        for statement in statements:
            if not statement.startswith("--"):
                cursor.execute(_with_password(statement, password))
    yield {**users, "password": password}
    with root.cursor() as cursor:
        for user in users.values():
            cursor.execute(f"DROP USER IF EXISTS '{user}'@'%'")
    root.close()


def _with_password(statement: str, password: str) -> str:
    # `helio db grants` prints a placeholder where the secret store's password goes.
    return re.sub(r"IDENTIFIED BY '<[^']*>'", f"IDENTIFIED BY '{password}'", statement)


FORBIDDEN_TO_APP = [
    "DROP TABLE users",
    "ALTER TABLE users ADD COLUMN x INT",
    "CREATE TABLE sneaky (id INT)",
    "GRANT SELECT ON {schema}.users TO '{app}'@'%'",
    "SELECT id FROM users INTO OUTFILE '/tmp/helio-{app}.txt'",
    "UPDATE audit_events SET outcome = 'success'",
    "DELETE FROM audit_events",
    "SELECT user FROM mysql.user",
]


@pytest.mark.asvs("V13.2.2")
@pytest.mark.parametrize("sql", FORBIDDEN_TO_APP)
async def test_the_app_user_cannot_change_schema_grant_export_or_rewrite_audit(
    clean: App, database_url: str, restricted_users: dict[str, str], sql: str
) -> None:
    await make_customer(clean)
    schema = make_url(database_url).database
    app = raw_connect(
        database_url, user=restricted_users["app"], password=restricted_users["password"]
    )
    with app.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM users")  # ordinary DML works
        assert cursor.fetchone()[0] == 1
        with pytest.raises(pymysql.err.MySQLError) as refused:
            cursor.execute(sql.format(schema=schema, app=restricted_users["app"]))
    app.close()
    assert refused.value.args[0] in {1044, 1045, 1142, 1143, 1227}  # access denied codes


@pytest.mark.asvs("V13.2.2")
async def test_the_migrator_may_change_the_schema_but_not_grant_or_export(
    clean: App, database_url: str, restricted_users: dict[str, str]
) -> None:
    migrator = raw_connect(
        database_url, user=restricted_users["migrator"], password=restricted_users["password"]
    )
    with migrator.cursor() as cursor:
        cursor.execute("CREATE TABLE zz_probe (id INT)")
        cursor.execute("DROP TABLE zz_probe")
        for sql in ("SELECT 1 INTO OUTFILE '/tmp/helio-migrator.txt'",
                    f"GRANT SELECT ON *.* TO '{restricted_users['app']}'@'%'"):  # fmt: skip
            with pytest.raises(pymysql.err.MySQLError):
                cursor.execute(sql)
    migrator.close()


@pytest.mark.asvs("V14.2.4")
async def test_a_log_line_about_a_customer_carries_none_of_their_pii(
    clean: App, capsys: pytest.CaptureFixture[str]
) -> None:
    person = await make_customer(clean)
    configure_logging()  # binds the logger to the captured stdout
    log = get_logger("test")
    log.info(
        "profile change requested",
        user_id=person.user_id,
        body={"full_name": person.full_name, "phone": person.phone, "address": person.address},
        detail=f"customer {person.email} asked to be called on {person.phone}",
        contact_email=person.email,
    )
    output = capsys.readouterr().out
    assert person.user_id in output  # the line was written and ids stay
    for needle in person.needles():
        assert needle.lower() not in output.lower()
