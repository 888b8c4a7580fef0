"""The personal-data registry covers every table that names whose row it is.

A table with an owner column (`customer_id`, `user_id`, `owner_id`, or the
account row itself) needs an entry in `helio.personal_data.PERSONAL_DATA`:
how it is exported and how it is erased, or why its rows are kept. Export
(`GET /me/export`) and crypto-shredding walk that tuple, so a table without
an entry would silently stay out of both.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from helio.customers.schemas import AccountExportRead
from helio.models import Base
from helio.personal_data import PERSONAL_DATA
from helio.platform.personal_data import PersonalData

OWNER_COLUMNS = frozenset({"customer_id", "user_id", "owner_id"})


def owner_columns(tables: Iterable[Table]) -> set[tuple[str, str]]:
    """Every (table, column) that says whose row it is."""
    found = {("users", "id")}
    for table in tables:
        found |= {(table.name, column.name) for column in table.c if column.name in OWNER_COLUMNS}
    return found


def missing(tables: Iterable[Table], entries: Iterable[PersonalData]) -> set[tuple[str, str]]:
    """The owner columns no entry covers."""
    covered = {(entry.table.name, entry.column) for entry in entries}
    return owner_columns(tables) - covered


@pytest.mark.asvs("V14.2.4")
def test_every_table_with_an_owner_column_has_an_entry() -> None:
    assert missing(Base.metadata.tables.values(), PERSONAL_DATA) == set()


def test_a_new_owner_table_without_an_entry_is_caught() -> None:
    invoices = Table(
        "invoices",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("customer_id", String(32)),
    )
    tables = [*Base.metadata.tables.values(), invoices]
    assert missing(tables, PERSONAL_DATA) == {("invoices", "customer_id")}


def test_each_table_has_one_entry() -> None:
    keys = [(entry.table.name, entry.column) for entry in PERSONAL_DATA]
    assert len(keys) == len(set(keys))


def test_exports_land_in_sections_of_the_export() -> None:
    sections = {entry.export_as for entry in PERSONAL_DATA if entry.export_as is not None}
    fields = set(AccountExportRead.model_fields) - {"exported_at", "profile"}
    assert sections == fields


def test_kept_rows_say_why() -> None:
    kept = [entry for entry in PERSONAL_DATA if entry.erase is None]
    assert kept, "some rows stay by design (ids only, accountability)"
    assert all(entry.kept_because for entry in kept)
    with pytest.raises(ValueError, match="why the rows are kept"):
        PersonalData(owner=PERSONAL_DATA[0].owner, export_as=None, export=None, erase=None)


def test_the_account_row_is_erased_last() -> None:
    assert PERSONAL_DATA[-1].table.name == "users"
    names = [entry.table.name for entry in PERSONAL_DATA]
    assert names.index("quotes") < names.index("sites")  # a quote keeps figures, not its site
